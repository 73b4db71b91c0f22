"""The signed-in home page: where each role starts."""

from flask import Blueprint, redirect, render_template, url_for
from flask_login import current_user

from supervision.permissions import public

bp = Blueprint("home", __name__)


@bp.get("/")
@public
def index():
    if not current_user.is_authenticated:
        return redirect(url_for("auth.sign_in"))
    return render_template("home.html")
