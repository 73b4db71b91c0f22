"""Is the service working? GET /healthz answers machines (JSON); GET /service-status people."""

import logging

import sqlalchemy as sa
from flask import Blueprint, g, jsonify, render_template

from supervision.extensions import db
from supervision.permissions import public

bp = Blueprint("health", __name__)
log = logging.getLogger(__name__)


def database_reachable() -> bool:
    try:
        db.session.execute(sa.text("SELECT 1"))
        return True
    except sa.exc.SQLAlchemyError as error:
        db.session.rollback()
        log.warning("health check: database unreachable (%s)", type(error).__name__)
        return False


@bp.get("/healthz")
@public
def healthz():
    database = "ok" if database_reachable() else "unavailable"
    status = 200 if database == "ok" else 503
    return jsonify(app="ok" if status == 200 else "degraded", database=database), status


@bp.get("/service-status")
@public
def status():
    working = database_reachable()
    if not working:
        g.database_unavailable = True  # the layout does not ask it again
    return render_template("status.html", working=working), 200 if working else 503
