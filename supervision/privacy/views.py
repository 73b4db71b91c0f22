"""A person downloads all their own data (JSON, or a page to print); admins see the retention purge report."""

from __future__ import annotations

import json

from flask import Blueprint, Response, current_app, render_template
from flask_login import current_user

from supervision.org.models import Role
from supervision.permissions import roles_required, signed_in
from supervision.privacy.export import export_own_data
from supervision.privacy.readable import readable
from supervision.privacy.retention import retention_report

bp = Blueprint("privacy", __name__)


@bp.get("/my-data")
@signed_in
def my_data():
    return render_template("privacy/my-data.html", page=readable(current_user, export_own_data(current_user)))


@bp.get("/my-data/download.json")
@signed_in
def my_data_json():
    body = json.dumps(export_own_data(current_user), indent=2, ensure_ascii=False)
    return Response(
        body,
        mimetype="application/json",
        headers={"Content-Disposition": 'attachment; filename="my-supervision-data.json"'},
    )


@bp.get("/admin/retention-purge")
@roles_required(Role.ADMIN)
def retention_purge():
    """Who the last dry run reported for purging, with counts (never content), and when."""
    waiting, purged = retention_report()
    return render_template(
        "privacy/retention-purge.html",
        waiting=waiting,
        purged=purged,
        years=current_app.config["RETENTION_YEARS_AFTER_LEAVING"],
        notice_days=current_app.config["RETENTION_PURGE_NOTICE_DAYS"],
    )
