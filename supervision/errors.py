"""Error pages in the service's own layout, and JSON for API and health paths."""

import contextlib
import logging

import sqlalchemy as sa
from flask import Flask, g, render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import InternalServerError

from supervision.extensions import db, login_manager

log = logging.getLogger(__name__)

TITLES = {
    400: "Sorry, there is a problem with the request",
    403: "You do not have permission to see this page",
    404: "Page not found",
    405: "Sorry, there is a problem with the request",
    500: "Sorry, there is a problem with the service",
    503: "Sorry, the service is unavailable",
}
# The database could not be reached, refused a connection or gave up waiting: not a bug in the
# request, and it passes. (An integrity or data error is a 500 as before.)
DATABASE_UNAVAILABLE = (sa.exc.OperationalError, sa.exc.InterfaceError, sa.exc.TimeoutError)


def render_error(status: int, message: str | None = None):
    if request.path.startswith("/api/"):
        return {"status": status, "message": message or TITLES[status]}, status
    return render_template("errors/error.html", status=status, title=TITLES[status], message=message), status


def database_unavailable(error: Exception):
    """The 503 page (or JSON) for everyone, drawn without the database.

    The failure may have come while loading the signed-in person, and the layout asks who is
    signed in (and their unread count): this answer treats the request as signed out rather than
    ask the database again, which would fail the same way and leave a bare 500. Only the type of
    the error is logged: its text can quote the SQL statement and the values in it.
    """
    log.warning("database unavailable: %s", type(error).__name__, extra={"path": request.path})
    with contextlib.suppress(sa.exc.SQLAlchemyError):
        db.session.rollback()
    g._login_user = login_manager.anonymous_user()  # Flask-Login's current user for this request
    g.database_unavailable = True  # the layout does not ask it for the organisation's name
    return render_error(503)


def internal_error(error: InternalServerError):
    """A 500, unless what went wrong was the database going away outside a view (in a hook that
    runs after it, say), where Flask hands over only a 500: that is the 503 page too."""
    if isinstance(error.original_exception, DATABASE_UNAVAILABLE):
        return database_unavailable(error.original_exception)
    return render_error(500)


def register(app: Flask) -> None:
    app.register_error_handler(500, internal_error)
    for status in (403, 404, 405):
        app.register_error_handler(status, lambda error, status=status: render_error(status))
    for exception in DATABASE_UNAVAILABLE:
        app.register_error_handler(exception, database_unavailable)
    app.register_error_handler(
        CSRFError,
        lambda error: render_error(
            400, "The form had expired or was sent from another site. Go back, reload the page and try again."
        ),
    )
    app.register_error_handler(400, lambda error: render_error(400))
