"""The signed-in home page: for each role the person holds, a to-do list with counts, each
linking to the page where the work is done (supervision.to_do works them out)."""

from flask import Blueprint, redirect, render_template, url_for
from flask_login import current_user

from supervision.auth.sso import sso_enabled
from supervision.clock import clock
from supervision.permissions import public
from supervision.records.services import WaitingFor
from supervision.to_do import to_do_for

bp = Blueprint("home", __name__)


@bp.get("/")
@public
def index():
    if not current_user.is_authenticated:
        return redirect(url_for("auth.sign_in"))
    now = clock().now()
    return render_template(
        "home.html",
        to_do=to_do_for(current_user, clock().today(), now, sso_enabled()),
        WaitingFor=WaitingFor,
    )
