import time
from urllib.parse import urlsplit

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, logout_user

from supervision.auth import links, sso, throttle
from supervision.auth.forms import ChangePasswordForm, ForgotPasswordForm, SetPasswordForm, SignInForm
from supervision.auth.passwords import MIN_PASSWORD_LENGTH
from supervision.auth.services import (
    LinkRefused,
    PasswordChangeRefused,
    authenticate,
    change_password,
    find_by_email,
    resend_invitation,
    set_password_with_link,
    sign_in_with_sso,
    sign_out_everywhere,
)
from supervision.auth.sessions import begin_session, sessions_of
from supervision.extensions import db, limiter, proxied
from supervision.forms import ConfirmForm, Form
from supervision.org.models import Role, Staff
from supervision.org.services import get_staff
from supervision.permissions import public, roles_required, signed_in

bp = Blueprint("auth", __name__)

# One message for every refusal: a wrong email or password, an inactive account, or attempts held
# back by the throttle, so the page says nothing about whether an account exists.
FAILURE_MESSAGE = (
    "The email address or password is incorrect, or there have been too many attempts. "
    "Check your details, or wait a few minutes and try again."
)
# Where to go after signing in with single sign-on, kept in the session across the provider's pages.
SSO_NEXT_KEY = "sso_next"


def sign_in_limit_key() -> str:
    """Attempts are counted per address and email, so one busy office is not throttled as one."""
    return f"{request.remote_addr}|{request.form.get('email', '').strip().lower()}"


def set_device_cookie(response, value: str) -> None:
    """The known-device cookie: sent only to the sign-in page, never readable by script."""
    config = current_app.config
    response.set_cookie(
        throttle.DEVICE_COOKIE,
        value,
        max_age=int(config["KNOWN_DEVICE_LIFETIME"].total_seconds()),
        path=url_for("auth.sign_in"),
        secure=config["SESSION_COOKIE_SECURE"],
        httponly=True,
        samesite="Lax",
    )


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
        result = authenticate(
            form.email.data,
            form.password.data,
            request.remote_addr or "",
            request.cookies.get(throttle.DEVICE_COOKIE),
        )
        if result.ok:
            begin_session(result.staff)
            response = redirect(safe_next(request.args.get("next")) or url_for("home.index"))
            set_device_cookie(response, result.device_cookie)
            return response
        form.email.errors.append(FAILURE_MESSAGE)
    return render_template("auth/sign-in.html", form=form, sso_display_name=sso.display_name())


@bp.get("/sign-in/sso")
@public
def sign_in_with_provider():
    if not sso.sso_enabled():
        abort(404)
    if current_user.is_authenticated:
        return redirect(url_for("home.index"))
    session[SSO_NEXT_KEY] = safe_next(request.args.get("next"))
    # The redirect URI registered with the provider: fixed by configuration, never by the Host header.
    callback = current_app.config["BASE_URL"].rstrip("/") + url_for("auth.sso_callback")
    try:
        return sso.provider_redirect(callback)
    except sso.SsoError as error:
        return sso_problem(str(error), 503)


@bp.get("/sign-in/sso/callback")
@public
def sso_callback():
    if not sso.sso_enabled():
        abort(404)
    next_page = safe_next(session.pop(SSO_NEXT_KEY, None))
    try:
        email = sso.verified_email()
    except sso.SsoError as error:
        return sso_problem(str(error), 400)
    result = sign_in_with_sso(email)
    if not result.ok:
        return render_template("auth/sso-refused.html", email=email), 403
    begin_session(result.staff)  # a new session for the signed-in person: no fixation
    return redirect(next_page or url_for("home.index"))


def sso_problem(message: str, status: int):
    return render_template("auth/sso-problem.html", message=message), status


@bp.post("/sign-out")
@public
def sign_out():
    # CSRFProtect has already refused a post without a valid token. Clearing the session deletes
    # its row on the server, so a copy of the cookie opens nothing afterwards.
    logout_user()
    session.clear()
    flash("You have signed out.", "success")
    return redirect(url_for("auth.sign_in"))


class SignOutEverywhereForm(Form):
    pass


@bp.get("/account")
@signed_in
def account():
    return render_template(
        "auth/account.html", form=SignOutEverywhereForm(), open_sessions=sessions_of(current_user.id)
    )


@bp.post("/account/sign-out-everywhere")
@signed_in
def sign_out_everywhere_view():
    if not SignOutEverywhereForm().validate_on_submit():
        abort(400)
    sign_out_everywhere(current_user)
    logout_user()
    session.clear()
    flash("You have signed out on every device and browser.", "success")
    return redirect(url_for("auth.sign_in"))


@bp.route("/account/password", methods=["GET", "POST"])
@signed_in
def change_password_view():
    if current_user.password_hash is None:
        abort(404)  # signs in with the organisation account only: no password to change
    form = ChangePasswordForm()
    if form.validate_on_submit():
        person = proxied(current_user)
        try:
            change_password(
                person,
                form.current_password.data,
                form.new_password.data,
                form.confirm_password.data,
                request.remote_addr or "",
            )
        except PasswordChangeRefused as refused:
            form[refused.field].errors.append(refused.message)
        else:
            begin_session(person)  # every session has ended: this browser carries on in a new one
            flash("Your password has been changed. You have been signed out everywhere else.", "success")
            return redirect(url_for("auth.account"))
    return render_template("auth/change-password.html", form=form, min_length=MIN_PASSWORD_LENGTH)


# ------------------------------------------------------------ set-password links


@bp.route("/forgot-password", methods=["GET", "POST"])
@limiter.limit(
    lambda: current_app.config["PASSWORD_RESET_RATE_LIMIT"], key_func=sign_in_limit_key, methods=["POST"]
)
@public
def forgot_password():
    if current_user.is_authenticated:
        return redirect(url_for("home.index"))
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        started = time.monotonic()
        links.request_reset(find_by_email(form.email.data))
        # The same page, after the same time, whether or not the email is anyone's.
        time.sleep(
            max(0.0, current_app.config["PASSWORD_RESET_ANSWER_SECONDS"] - (time.monotonic() - started))
        )
        return render_template("auth/reset-requested.html", email=form.email.data)
    return render_template("auth/forgot-password.html", form=form)


def link_refused():
    return no_store(render_template("auth/link-refused.html"), 404)


def no_store(body, status: int = 200):
    """Pages reached by a set-password link are never kept by a browser or proxy."""
    response = current_app.make_response((body, status))
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/set-password/<token>", methods=["GET", "POST"])
@public
def set_password(token: str):
    link = links.usable_link(token)
    if link is None:
        return link_refused()
    person = db.session.get_one(Staff, link.staff_id)
    form = SetPasswordForm()
    if form.validate_on_submit():
        try:
            set_password_with_link(token, form.new_password.data, form.confirm_password.data)
        except LinkRefused:
            return link_refused()
        except PasswordChangeRefused as refused:
            form[refused.field].errors.append(refused.message)
        else:
            # Every session of the person has ended; this browser signs in afresh with the new password.
            logout_user()
            session.clear()
            flash(
                "Your password has been set. Sign in with your email address and your new password.",
                "success",
            )
            return redirect(url_for("auth.sign_in"))
    page = render_template(
        "auth/set-password.html",
        form=form,
        invitation=link.purpose == links.LinkPurpose.INVITATION,
        email=person.email,
        min_length=MIN_PASSWORD_LENGTH,
    )
    return no_store(page)


@bp.post("/staff/<int:staff_id>/invitation")
@roles_required(Role.ADMIN)
def resend_invitation_view(staff_id: int):
    person = get_staff(current_user.organisation_id, staff_id)
    if person is None:
        abort(404)
    if ConfirmForm().validate_on_submit():
        if resend_invitation(person):
            flash(f"Invitation sent again to {person.email}. Earlier links no longer work.", "success")
        else:
            flash(f"{person.name} already has a password or is deactivated: no invitation was sent.", "info")
    return redirect(url_for("org.staff_detail", staff_id=person.id))
