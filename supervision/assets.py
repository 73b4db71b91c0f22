"""Serves GOV.UK Frontend's CSS, JS, fonts and images from node_modules at /assets.

The CSS refers to /assets/fonts/... and /assets/images/..., so both the compiled files
(dist/govuk/) and their assets folder (dist/govuk/assets/) are served under one prefix.
"""

from pathlib import Path

from flask import Blueprint, abort, current_app, send_from_directory
from werkzeug.security import safe_join

from supervision.permissions import public

bp = Blueprint("assets", __name__)


@bp.get("/assets/<path:filename>")
@public
def govuk_asset(filename: str):
    root = Path(current_app.config["GOVUK_FRONTEND_DIR"])
    for folder in (root / "assets", root):
        candidate = safe_join(str(folder), filename)
        if candidate and Path(candidate).is_file():
            return send_from_directory(folder, filename, max_age=3600)
    abort(404)
