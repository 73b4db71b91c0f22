"""Notifications in the app: the count in the header, the list, marking as read; failed emails for admins."""

from datetime import timedelta

import sqlalchemy as sa

from supervision.clock import clock as app_clock
from supervision.extensions import db
from supervision.notifications.models import EmailStatus, Notification, OutboxEmail
from supervision.notifications.services import Notice, queue_notices
from supervision.org.models import Role
from tests.factories import make_staff


def notify(person, period, title="Supervision due soon: Sam Okoro"):
    queue_notices(
        db.session,
        [
            Notice(
                recipient_id=person.id,
                to_address=person.email,
                recipient_name=person.name,
                kind="due_soon",
                subject_id=person.id,
                period=period,
                title=title,
                body="Sam Okoro's next supervision is due by 30 November 2026.",
                link=f"/people/{person.id}/compliance",
            )
        ],
        app_clock().now(),
        "http://127.0.0.1:5000",
    )
    db.session.commit()
    return db.session.scalar(sa.select(Notification).order_by(Notification.id.desc()).limit(1))


def navigation_label(page):
    """What a screen reader announces: the visible "(2)" is hidden from it, "(2 unread)" is not."""
    link = page.select_one('.govuk-service-navigation a[href="/notifications"]')
    for hidden in link.select('[aria-hidden="true"]'):
        hidden.decompose()
    return link.get_text(" ", strip=True)


def test_the_header_counts_unread_notifications(pages, clock):
    worker = make_staff()
    pages.sign_in(worker)
    assert navigation_label(pages.get("home.index")) == "Notifications"
    notify(worker, "2026-11-30")
    notify(worker, "2026-12-28")
    assert navigation_label(pages.get("home.index")) == "Notifications (2 unread)"


def test_the_list_shows_the_newest_first_and_marks_one_or_all_as_read(pages, clock):
    worker = make_staff()
    first = notify(worker, "2026-11-30", title="First")
    clock.advance(hours=1)
    second = notify(worker, "2026-12-28", title="Second")
    pages.sign_in(worker)
    page = pages.get("notifications.index")
    assert [h.a.get_text(strip=True) for h in page.select("main .app-notifications h2")] == [
        "Second",
        "First",
    ]
    assert page.select_one("main h2 a")["href"] == f"/people/{worker.id}/compliance"

    pages.post("notifications.mark_read", notification_id=first.id)
    db.session.refresh(first)
    assert first.read_at == clock.now()
    assert navigation_label(pages.get("notifications.index")) == "Notifications (1 unread)"

    pages.post("notifications.mark_all_read")
    db.session.refresh(second)
    assert second.read_at == clock.now()
    assert navigation_label(pages.get("notifications.index")) == "Notifications"


def test_someone_elses_notification_is_not_found(pages, clock):
    theirs = notify(make_staff(), "2026-11-30")
    pages.sign_in(make_staff())
    pages.post("notifications.mark_read", _expected_status=404, notification_id=theirs.id)
    db.session.refresh(theirs)
    assert theirs.read_at is None
    assert "Supervision due soon" not in pages.get("notifications.index").get_text()


def test_failed_emails_are_shown_to_admins_who_can_queue_them_again(pages, clock):
    worker = make_staff(email="sam@example.test")
    notify(worker, "2026-11-30")
    email = db.session.scalar(sa.select(OutboxEmail))
    email.status, email.attempts, email.last_error = EmailStatus.FAILED, 8, "ConnectionRefusedError: refused"
    db.session.commit()

    pages.sign_in(make_staff(Role.ADMIN))
    page = pages.get("notifications.failed_emails")
    row = page.select_one("main tbody tr")
    assert "sam@example.test" in row.get_text()
    assert "ConnectionRefusedError: refused" in row.get_text()

    clock.advance(minutes=5)
    pages.post("notifications.retry_email", email_id=email.id)
    db.session.refresh(email)
    assert (email.status, email.attempts, email.next_attempt_at) == (EmailStatus.PENDING, 0, clock.now())
    assert "No emails have failed." in pages.get("notifications.failed_emails").get_text()
    pages.post("notifications.retry_email", _expected_status=404, email_id=email.id)


def test_only_admins_see_failed_emails_and_scheduled_jobs(pages, clock):
    pages.sign_in(make_staff(Role.SUPERVISOR, Role.HR, Role.SERVICE_MANAGER))
    pages.get("notifications.failed_emails", 403)
    pages.get("jobs.scheduled_jobs", 403)
    page = pages.get("home.index")
    labels = [a.get_text(strip=True) for a in page.select(".govuk-service-navigation a")]
    assert "Failed emails" not in labels and "Scheduled jobs" not in labels


def test_an_email_waiting_for_its_next_attempt_is_counted_not_listed(pages, clock):
    notify(make_staff(), "2026-11-30")
    email = db.session.scalar(sa.select(OutboxEmail))
    email.attempts, email.next_attempt_at = 3, clock.now() + timedelta(minutes=4)
    db.session.commit()
    pages.sign_in(make_staff(Role.ADMIN))
    page = pages.get("notifications.failed_emails")
    assert "1 email is waiting to be sent." in page.get_text(" ", strip=True)
    assert page.select("main tbody tr") == []
