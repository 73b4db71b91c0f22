"""The outbox: notices become a notification and an email once; a real SMTP server receives them."""

from datetime import timedelta

import sqlalchemy as sa
from flask import current_app

from supervision.clock import clock as app_clock
from supervision.extensions import db
from supervision.jobs.runs import run_job
from supervision.notifications.models import EmailStatus, Notification, OutboxEmail
from supervision.notifications.sender import MailSettings, retry_delay, send_outbox
from supervision.notifications.services import Notice, queue_notices
from tests.factories import make_staff


def notice_for(person, period="2026-11-30", kind="due_soon", about=None):
    return Notice(
        recipient_id=person.id,
        to_address=person.email,
        recipient_name=person.name,
        kind=kind,
        subject_id=(about or person).id,
        period=period,
        title="Your supervision is due by 30 November 2026",
        body="Your next supervision is due by 30 November 2026.",
        link=f"/people/{(about or person).id}/compliance",
    )


def queue(*notices):
    result = queue_notices(db.session, notices, app_clock().now(), "https://supervision.example.test")
    db.session.commit()
    return result


def send(now=None):
    return send_outbox(db.session, now or app_clock().now(), MailSettings.from_config(current_app.config))


def emails():
    return list(db.session.scalars(sa.select(OutboxEmail).order_by(OutboxEmail.id)))


def test_a_notice_becomes_one_notification_and_one_email_however_often_it_is_queued(clock):
    worker = make_staff(given_name="Sam", family_name="Okafor")
    assert queue(notice_for(worker)) == (1, 1)
    assert queue(notice_for(worker), notice_for(worker)) == (0, 0)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Notification)) == 1
    [email] = emails()
    assert email.status is EmailStatus.PENDING
    assert email.to_address == worker.email
    assert "Dear Sam Okafor" in email.body
    assert f"https://supervision.example.test/people/{worker.id}/compliance" in email.body


def test_a_different_period_or_recipient_is_a_different_notice(clock):
    worker, supervisor = make_staff(), make_staff()
    queue(notice_for(worker))
    assert queue(notice_for(worker, period="2026-12-28"), notice_for(supervisor, about=worker)) == (2, 2)


def test_emails_arrive_once_at_the_smtp_server(clock, smtp_server):
    worker = make_staff(email="sam@example.test")
    queue(notice_for(worker))
    assert send() == {"sent": 1, "retrying": 0, "failed": 0}
    assert send() == {"sent": 0, "retrying": 0, "failed": 0}
    [message] = smtp_server.messages
    assert message["To"] == "sam@example.test"
    assert message["From"] == current_app.config["MAIL_DEFAULT_SENDER"]
    assert message["Subject"] == "Your supervision is due by 30 November 2026"
    assert message["Message-ID"] == f"<outbox-{emails()[0].id}@localhost>"
    assert "/compliance" in message.get_content()
    [email] = emails()
    assert (email.status, email.attempts, email.sent_at) == (EmailStatus.SENT, 1, clock.now())


def test_with_the_server_down_emails_wait_and_go_once_it_is_back(clock, smtp_server):
    worker = make_staff(email="sam@example.test")
    queue(notice_for(worker))
    smtp_server.stop()

    assert send() == {"sent": 0, "retrying": 1, "failed": 0}
    [email] = emails()
    assert email.status is EmailStatus.PENDING
    assert email.attempts == 1
    assert email.next_attempt_at == clock.now() + timedelta(seconds=60)
    assert "ConnectionRefusedError" in email.last_error

    clock.advance(seconds=30)
    assert send() == {"sent": 0, "retrying": 0, "failed": 0}  # still waiting: not due yet
    clock.advance(seconds=30)
    assert send() == {"sent": 0, "retrying": 1, "failed": 0}
    db.session.refresh(email)
    assert email.next_attempt_at == clock.now() + timedelta(seconds=120)  # the wait doubles

    smtp_server.start()
    clock.advance(seconds=119)
    assert send()["sent"] == 0
    clock.advance(seconds=1)
    assert send()["sent"] == 1
    assert send()["sent"] == 0
    assert len(smtp_server.to("sam@example.test")) == 1


def test_after_the_last_attempt_an_email_is_marked_failed(clock, smtp_server, app):
    worker = make_staff(email="sam@example.test")
    queue(notice_for(worker))
    smtp_server.stop()
    settings = MailSettings.from_config(current_app.config)
    for _ in range(settings.max_attempts - 1):
        assert send()["retrying"] == 1
        clock.at = emails()[0].next_attempt_at
    assert send() == {"sent": 0, "retrying": 0, "failed": 1}
    [email] = emails()
    assert (email.status, email.attempts) == (EmailStatus.FAILED, settings.max_attempts)
    smtp_server.start()
    clock.advance(days=1)
    assert send()["sent"] == 0  # failed emails are not retried on their own
    assert smtp_server.messages == []


def test_an_address_the_server_refuses_fails_at_once_and_others_still_go(clock, smtp_server):
    gone, here = make_staff(email="gone@example.test"), make_staff(email="here@example.test")
    smtp_server.mailbox.refused.add("gone@example.test")
    queue(notice_for(gone), notice_for(here))
    assert send() == {"sent": 1, "retrying": 0, "failed": 1}
    failed = next(email for email in emails() if email.to_address == "gone@example.test")
    assert failed.status is EmailStatus.FAILED
    assert "550" in failed.last_error
    assert [message["To"] for message in smtp_server.messages] == ["here@example.test"]


def test_the_outbox_sender_job_records_its_run(clock, smtp_server):
    queue(notice_for(make_staff()))
    run = run_job("outbox-sender", db.session, clock)
    assert run.outcome.value == "succeeded"
    assert run.counts == {"sent": 1, "retrying": 0, "failed": 0}
    assert len(smtp_server.messages) == 1


def test_retry_waits_double_and_are_capped():
    settings = MailSettings("h", 25, None, None, False, "s@x", retry_base_seconds=60, retry_max_seconds=600)
    assert [retry_delay(n, settings).total_seconds() for n in range(1, 7)] == [60, 120, 240, 480, 600, 600]
