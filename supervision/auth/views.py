from urllib.parse import urlsplit

from flask import Blueprint, current_app, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_user, logout_user

from supervision.auth.forms import SignInForm
from supervision.auth.services import authenticate
from supervision.extensions import limiter
from supervision.permissions import public

bp = Blueprint("auth", __name__)

FAILURE_MESSAGE = (
    "The email address or password is incorrect. After 5 failed attempts, "
    "signing in is paused for 15 minutes."
)


def sign_in_limit_key() -> str:
    """Attempts are counted per address and email, so one busy office is not throttled as one."""
    return f"{request.remote_addr}|{request.form.get('email', '').strip().lower()}"


def safe_next(target: str | None) -> str | None:
    """Only paths on this site: no scheme, no host, no protocol-relative `//` or `/\\` tricks."""
    if not target or not target.startswith("/") or target.startswith(("//", "/\\")):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return None
    return target


@bp.route("/sign-in", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["SIGN_IN_RATE_LIMIT"], key_func=sign_in_limit_key, methods=["POST"])
@public
def sign_in():
    if current_user.is_authenticated:
        return redirect(url_for("home.index"))
    form = SignInForm()
    if form.validate_on_submit():
        result = authenticate(form.email.data, form.password.data)
        if result.ok:
            session.clear()
            login_user(result.staff)
            return redirect(safe_next(request.args.get("next")) or url_for("home.index"))
        form.email.errors.append(FAILURE_MESSAGE)
    return render_template("auth/sign-in.html", form=form)


@bp.post("/sign-out")
@public
def sign_out():
    # CSRFProtect has already refused a post without a valid token.
    logout_user()
    session.clear()
    flash("You have signed out.", "success")
    return redirect(url_for("auth.sign_in"))
