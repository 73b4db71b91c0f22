"""Errors as JSON under /api/ (a status and a message), and the page for too many requests."""

from flask import Flask, jsonify, make_response, render_template, request
from werkzeug.exceptions import HTTPException

TOO_MANY = "Too many requests. Wait a minute and try again."


def json_error(status: int, message: str, **details):
    response = jsonify({"status": status, "message": message, **details})
    response.status_code = status
    return response


def too_many_requests(error: HTTPException):
    """Flask-Limiter's refusal: JSON for the API, the service's own error page elsewhere."""
    if request.path.startswith("/api/"):
        return json_error(429, TOO_MANY)
    page = render_template("errors/error.html", status=429, title="Too many attempts", message=TOO_MANY)
    return make_response(page, 429)


def register(app: Flask) -> None:
    app.register_error_handler(429, too_many_requests)
