"""Notifications list, failed emails for administrators, and the private calendar feed."""

from __future__ import annotations

from flask import Blueprint, Response, abort, flash, g, redirect, render_template, url_for
from flask_login import current_user
from markupsafe import Markup

from supervision.clock import clock
from supervision.notifications import calendar, services
from supervision.notifications.forms import EmailFrequencyForm
from supervision.notifications.models import EmailFrequency
from supervision.org.models import Role
from supervision.permissions import found_or_404, public, roles_required, signed_in

bp = Blueprint("notifications", __name__)


def unread_notification_count() -> int:
    """For the header: the signed-in person's unread notifications, counted once per request."""
    if not current_user.is_authenticated:
        return 0
    if "unread_notification_count" not in g:
        g.unread_notification_count = services.unread_count(current_user.id)
    return g.unread_notification_count


def with_unread_count(item: dict) -> dict:
    """The navigation's Notifications link, with the number unread when there are any."""
    count = unread_notification_count()
    if not count:
        return item
    label = Markup(
        '{} <span class="govuk-visually-hidden">({} unread)</span><span aria-hidden="true">({})</span>'
    )
    return {**item, "html": label.format(item["text"], count, count)}


@bp.app_context_processor
def notification_context() -> dict:
    return {"unread_notification_count": unread_notification_count}


@bp.get("/notifications")
@signed_in
def index():
    form = EmailFrequencyForm(email_frequency=services.email_frequency_of(current_user.id).value)
    return render_notifications(form)


def render_notifications(form: EmailFrequencyForm):
    return render_template(
        "notifications/index.html",
        notifications=services.notifications_for(current_user.id),
        form=form,
    )


@bp.post("/notifications/email-frequency")
@signed_in
def set_email_frequency():
    form = EmailFrequencyForm()
    if not form.validate_on_submit():
        return render_notifications(form)
    frequency = EmailFrequency(form.email_frequency.data)
    services.set_email_frequency(current_user.id, frequency)
    flash(
        "You will get one email a day about supervision records."
        if frequency is EmailFrequency.DAILY_DIGEST
        else "You will get each email about supervision records straight away.",
        "success",
    )
    return redirect(url_for("notifications.index"))


@bp.post("/notifications/<int:notification_id>/read")
@signed_in
def mark_read(notification_id: int):
    notification = services.notification_of(current_user.id, notification_id)
    notification = found_or_404(notification)
    services.mark_read(notification)
    return redirect(url_for("notifications.index"))


@bp.post("/notifications/read-all")
@signed_in
def mark_all_read():
    marked = services.mark_all_read(current_user.id)
    if marked:
        flash(f"{marked} notification{'s' if marked != 1 else ''} marked as read.", "success")
    return redirect(url_for("notifications.index"))


@bp.get("/admin/failed-emails")
@roles_required(Role.ADMIN)
def failed_emails():
    return render_template(
        "notifications/failed-emails.html",
        emails=services.failed_emails(),
        failed=services.failed_email_count(),
        pending=services.pending_email_count(),
    )


@bp.post("/admin/failed-emails/<int:email_id>/retry")
@roles_required(Role.ADMIN)
def retry_email(email_id: int):
    email = services.retry_failed_email(email_id)
    email = found_or_404(email)
    flash(f"The email to {email.to_address} will be tried again within a minute.", "success")
    return redirect(url_for("notifications.failed_emails"))


# ---------------------------------------------------------------------- calendar feed


@bp.get("/calendar-feed")
@signed_in
def calendar_feed():
    return render_template(
        "notifications/calendar-feed.html", feed=calendar.current_feed(current_user.id), new_url=None
    )


@bp.post("/calendar-feed")
@signed_in
def create_calendar_feed():
    # The address is shown on this response only: the token is not kept, just its hash.
    token = calendar.create_feed(current_user)
    return render_template(
        "notifications/calendar-feed.html",
        feed=calendar.current_feed(current_user.id),
        new_url=calendar.feed_url(token),
    )


@bp.post("/calendar-feed/turn-off")
@signed_in
def turn_off_calendar_feed():
    if calendar.revoke_feed(current_user):
        flash("Your calendar address no longer works. Remove the calendar from Outlook.", "success")
    return redirect(url_for("notifications.calendar_feed"))


@bp.get("/calendar/<token>.ics")
@public
def calendar_file(token: str):
    """Public by token: calendar apps cannot sign in. An unknown or revoked token is a 404."""
    if len(token) > 100:
        abort(404)
    owner = calendar.feed_owner(token)
    owner = found_or_404(owner)
    body = calendar.build_calendar(owner, clock().now(), clock().today())
    response = Response(body, mimetype="text/calendar")
    response.headers["Content-Disposition"] = 'inline; filename="supervision.ics"'
    response.headers["Cache-Control"] = "private, no-store"
    return response
