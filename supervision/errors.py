"""Error pages in the service's own layout, and JSON for API and health paths."""

from flask import Flask, render_template, request
from flask_wtf.csrf import CSRFError

TITLES = {
    400: "Sorry, there is a problem with the request",
    403: "You do not have permission to see this page",
    404: "Page not found",
    405: "Sorry, there is a problem with the request",
    500: "Sorry, there is a problem with the service",
}


def render_error(status: int, message: str | None = None):
    if request.path.startswith("/api/"):
        return {"status": status, "message": message or TITLES[status]}, status
    return render_template("errors/error.html", status=status, title=TITLES[status], message=message), status


def register(app: Flask) -> None:
    for status in (403, 404, 405, 500):
        app.register_error_handler(status, lambda error, status=status: render_error(status))
    app.register_error_handler(
        CSRFError,
        lambda error: render_error(
            400, "The form had expired or was sent from another site. Go back, reload the page and try again."
        ),
    )
    app.register_error_handler(400, lambda error: render_error(400))
