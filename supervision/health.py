"""GET /healthz: is the app up, and can it reach its database?"""

import logging

import sqlalchemy as sa
from flask import Blueprint, jsonify

from supervision.extensions import db
from supervision.permissions import public

bp = Blueprint("health", __name__)
log = logging.getLogger(__name__)


@bp.get("/healthz")
@public
def healthz():
    try:
        db.session.execute(sa.text("SELECT 1"))
        database = "ok"
    except sa.exc.SQLAlchemyError as error:
        db.session.rollback()
        log.warning("health check: database unreachable (%s)", type(error).__name__)
        database = "unavailable"
    status = 200 if database == "ok" else 503
    return jsonify(app="ok" if status == 200 else "degraded", database=database), status
