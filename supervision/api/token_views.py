"""Personal access tokens: each person creates (seen once) and revokes their own."""

from __future__ import annotations

from datetime import timedelta

from flask import Blueprint, abort, current_app, flash, redirect, render_template, url_for
from flask_login import current_user

from supervision.auth.tokens import create_token, revoke_token, tokens_of
from supervision.clock import clock
from supervision.forms import Form, Required, checkbox_field, text_field
from supervision.permissions import signed_in

bp = Blueprint("api_tokens", __name__)


class TokenForm(Form):
    name = text_field(
        "Name",
        Required("Enter a name, so you can tell your tokens apart"),
    )
    write = checkbox_field("Allow changes (write scope)")


class RevokeForm(Form):
    pass


@bp.route("/api-tokens", methods=["GET", "POST"])
@signed_in
def tokens():
    form = TokenForm()
    new_secret = None
    if form.validate_on_submit():
        lifetime = timedelta(days=current_app.config["API_TOKEN_LIFETIME_DAYS"])
        new = create_token(current_user, form.name.data, bool(form.write.data), lifetime)
        new_secret = new.secret
        form = TokenForm(formdata=None)
    return render_template(
        "api/tokens.html",
        form=form,
        revoke_form=RevokeForm(),
        tokens=tokens_of(current_user),
        new_secret=new_secret,
        now=clock().now(),
    )


@bp.post("/api-tokens/<int:token_id>/revoke")
@signed_in
def revoke(token_id: int):
    if not RevokeForm().validate_on_submit():
        abort(400)
    if not revoke_token(current_user, token_id):
        abort(404)
    flash("The token has been revoked. Anything using it can no longer reach the API.", "success")
    return redirect(url_for("api_tokens.tokens"))
