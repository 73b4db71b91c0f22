"""Serves GOV.UK Frontend's CSS, JS, fonts and images from node_modules at /assets, and gives
our own files in static/ addresses a browser may keep.

The CSS refers to /assets/fonts/... and /assets/images/..., so both the compiled files
(dist/govuk/) and their assets folder (dist/govuk/assets/) are served under one prefix.

Our own files (app.css, app.js, the icon) are linked through `static_url`, whose address carries
a digest of the file's contents: asked for by that address, a file may be kept by the browser
for a year without asking again, and a changed file gets another address, so nobody is left
with an old one. Asked for without the digest, or with an old one, a file is served as Flask
serves it, and the browser asks again each time (docs/decisions.md, "Caching our own files").
"""

import functools
import hashlib
import os
from pathlib import Path

from flask import Blueprint, Response, abort, current_app, request, send_from_directory, url_for
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


KEEP_A_YEAR = 365 * 24 * 3600


@functools.lru_cache(maxsize=64)
def _digest(path: str, modified_ns: int, size: int) -> str:
    """The contents' digest, worked out once for each version of the file (its time and size)."""
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()[:16]


def static_digest(filename: str) -> str | None:
    """The digest of a file of ours in static/ as it is now; None when there is no such file."""
    path = safe_join(str(current_app.static_folder), filename)
    if path is None or not os.path.isfile(path):
        return None
    found = os.stat(path)
    return _digest(path, found.st_mtime_ns, found.st_size)


@bp.app_template_global()
def static_url(filename: str) -> str:
    """The address of a file of ours in static/, with the digest of its contents."""
    return url_for("static", filename=filename, v=static_digest(filename))


@bp.after_app_request
def keep_what_is_asked_for_by_its_digest(response: Response) -> Response:
    if request.endpoint != "static" or response.status_code != 200:
        return response
    asked = request.args.get("v")
    if asked and request.view_args and asked == static_digest(request.view_args["filename"]):
        response.cache_control.no_cache = None
        response.cache_control.public = True
        response.cache_control.max_age = KEEP_A_YEAR
        response.cache_control.immutable = True
    return response
