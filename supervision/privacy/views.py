"""A person downloads all their own data: JSON, and a page to print or save as PDF."""

from __future__ import annotations

import json

from flask import Blueprint, Response, render_template
from flask_login import current_user

from supervision.permissions import signed_in
from supervision.privacy.export import export_own_data

bp = Blueprint("privacy", __name__)


@bp.get("/my-data")
@signed_in
def my_data():
    return render_template("privacy/my-data.html", data=export_own_data(current_user))


@bp.get("/my-data/download.json")
@signed_in
def my_data_json():
    body = json.dumps(export_own_data(current_user), indent=2, ensure_ascii=False)
    return Response(
        body,
        mimetype="application/json",
        headers={"Content-Disposition": 'attachment; filename="my-supervision-data.json"'},
    )
