"""One email never stops the others: a poisoned email is marked failed with its reason and the rest
go out in the same run, through a real SMTP server; no control character reaches a header.

The clock fixture's today is Monday 23 November 2026.
"""

from datetime import UTC, date, datetime

import pytest
import sqlalchemy as sa
from flask import current_app

from supervision.clock import clock as app_clock
from supervision.extensions import db
from supervision.jobs.runs import run_job
from supervision.notifications.models import EmailStatus, Notification, OutboxEmail
from supervision.notifications.sender import MailSettings, send_outbox
from supervision.notifications.services import Notice, queue_notices
from supervision.org.models import Role
from supervision.records.models import SessionStatus
from tests.factories import make_agreement, make_session, make_staff

INJECTED = "Evil\r\nBcc: intruder@example.test"


def send():
    return send_outbox(db.session, app_clock().now(), MailSettings.from_config(current_app.config))


def stored_email(to_address, subject="Supervision due soon: Sam Okoro", period="2026-11-30"):
    """An email as an older version of the service may have stored it: no check on the way in."""
    person = make_staff()
    email = OutboxEmail(
        recipient_id=person.id,
        kind="due_soon",
        subject_id=person.id,
        period=period,
        to_address=to_address,
        subject=subject,
        body="Sam Okoro's next supervision is due by 30 November 2026.",
        next_attempt_at=app_clock().now(),
        created_at=app_clock().now(),
    )
    db.session.add(email)
    db.session.commit()
    return email


def every_recipient(smtp_server) -> list[str]:
    return [address for recipients in smtp_server.mailbox.envelope_recipients for address in recipients]


def test_an_email_that_cannot_be_built_fails_with_its_reason_and_the_others_go_in_the_same_run(
    clock, smtp_server
):
    # The poisoned one is first in the queue, as in the report: it used to stop every run here.
    poisoned = stored_email("sam@example.test\r\nBcc: intruder@example.test", period="1")
    not_an_address = stored_email("not an address", period="2")
    fine = [stored_email(f"person-{n}@example.test", period=str(10 + n)) for n in range(3)]

    assert send() == {"sent": 3, "retrying": 0, "failed": 2}

    for email in (poisoned, not_an_address):
        db.session.refresh(email)
        assert email.status is EmailStatus.FAILED
        assert email.attempts == 1
        assert email.last_error.startswith(
            "Cannot be sent: the recipient address is not a valid email address"
        )
    assert "control character" in poisoned.last_error
    assert sorted(every_recipient(smtp_server)) == sorted(email.to_address for email in fine)

    # The next runs leave it alone: failed is final until an administrator tries it again.
    clock.advance(days=2)
    assert send() == {"sent": 0, "retrying": 0, "failed": 0}
    db.session.refresh(poisoned)
    assert (poisoned.status, poisoned.attempts) == (EmailStatus.FAILED, 1)
    assert len(smtp_server.messages) == 3


def test_a_subject_stored_with_a_line_break_goes_out_on_one_line_with_no_extra_header(clock, smtp_server):
    email = stored_email("dana@example.test", subject=f"Supervision due soon: {INJECTED} Worker")
    assert send() == {"sent": 1, "retrying": 0, "failed": 0}
    [message] = smtp_server.messages
    assert message["Subject"] == "Supervision due soon: Evil Bcc: intruder@example.test Worker"
    assert message["Bcc"] is None
    assert smtp_server.mailbox.envelope_recipients == [["dana@example.test"]]
    db.session.refresh(email)
    assert email.status is EmailStatus.SENT


@pytest.mark.parametrize("control", ["\x01", "\x0b", "\x1b", "\x85", "\u2028"])
def test_no_control_character_reaches_a_subject(clock, smtp_server, control):
    stored_email("dana@example.test", subject=f"Supervision due soon: Sam{control}Okoro")
    assert send()["sent"] == 1
    [message] = smtp_server.messages
    assert message["Subject"] == "Supervision due soon: Sam Okoro"


def test_an_address_in_another_script_goes_to_a_server_that_can_take_it(clock, smtp_server):
    stored_email("zoë@example.test")
    assert send() == {"sent": 1, "retrying": 0, "failed": 0}
    assert every_recipient(smtp_server) == ["zoë@example.test"]


def test_an_address_the_server_cannot_take_fails_alone(clock, smtp_server):
    # A server without SMTPUTF8 cannot take an address in another script: no later attempt can help.
    smtp_server.stop()
    smtp_server.options = {"enable_SMTPUTF8": False}
    smtp_server.start()
    stored_email("zoë@example.test", period="1")
    fine = stored_email("sam@example.test", period="2")
    assert send() == {"sent": 1, "retrying": 0, "failed": 1}
    failed = db.session.scalar(sa.select(OutboxEmail).where(OutboxEmail.status == EmailStatus.FAILED))
    assert failed.to_address == "zoë@example.test"
    assert "SMTPNotSupportedError" in failed.last_error
    assert every_recipient(smtp_server) == [fine.to_address]


@pytest.mark.parametrize(
    "address",
    [
        "sam@example.test, intruder@example.test",
        "Sam <sam@example.test>",
        "sam@",
        "@example.test",
        "sam",
        "zoë <z@x.test>",
    ],
)
def test_anything_but_one_plain_address_cannot_be_sent(clock, smtp_server, address):
    email = stored_email(address)
    assert send() == {"sent": 0, "retrying": 0, "failed": 1}
    db.session.refresh(email)
    assert email.last_error == "Cannot be sent: the recipient address is not a valid email address"
    assert smtp_server.messages == []


def test_a_server_that_refuses_our_sign_in_fails_nobody_s_email_for_good(clock, app, smtp_server):
    """A 5xx about the connection (here, a refused sign-in) is not about any email: they wait."""
    from aiosmtpd.smtp import AuthResult

    smtp_server.stop()
    smtp_server.options = {
        "auth_require_tls": False,
        "authenticator": lambda server, session, envelope, mechanism, data: AuthResult(
            success=False, handled=False
        ),
    }
    smtp_server.start()
    saved = (app.config["MAIL_USERNAME"], app.config["MAIL_PASSWORD"])
    app.config.update(MAIL_USERNAME="supervision", MAIL_PASSWORD="wrong")
    try:
        stored_email("sam@example.test", period="1")
        stored_email("dana@example.test", period="2")
        assert send() == {"sent": 0, "retrying": 2, "failed": 0}
        assert {email.status for email in db.session.scalars(sa.select(OutboxEmail))} == {EmailStatus.PENDING}
        assert all(
            "SMTPAuthenticationError" in email.last_error
            for email in db.session.scalars(sa.select(OutboxEmail))
        )
    finally:
        app.config.update(MAIL_USERNAME=saved[0], MAIL_PASSWORD=saved[1])


# ------------------------------------------------- the report's case, through the real jobs


@pytest.fixture
def names_stored_before_input_checks(clock):
    """A supervisor and two people due supervision by 30 November: one with a line break and a
    header in their given name, one whose stored email address is not an address at all."""
    supervisor = make_staff(Role.SUPERVISOR, given_name="Dana", family_name="Reid", email="dana@example.test")
    evil = make_staff(
        given_name=INJECTED, family_name="Worker", email="evil@example.test", line_manager=supervisor
    )
    broken = make_staff(
        given_name="Broken", family_name="Address", email="broken at example", line_manager=supervisor
    )
    for person in (evil, broken):
        make_agreement(person, supervisor, agreed_on=date(2026, 1, 5), review_due_on=date(2027, 3, 5))
        make_session(
            supervisor,
            person,
            starts_at=datetime(2026, 11, 2, 10, tzinfo=UTC),
            status=SessionStatus.HELD,
        )
    return supervisor, evil, broken


def test_reminders_about_a_name_with_a_line_break_go_out_and_a_bad_address_fails_alone(
    names_stored_before_input_checks, clock, smtp_server, pages
):
    assert run_job("compliance-sweep", db.session, clock).outcome.value == "succeeded"
    assert run_job("reminders", db.session, clock).counts["emails"] == 4

    run = run_job("outbox-sender", db.session, clock)
    assert run.outcome.value == "succeeded"
    assert run.counts == {"sent": 3, "retrying": 0, "failed": 1}

    subjects = {
        message["To"]: message["Subject"]
        for message in smtp_server.messages
        if message["To"] != "dana@example.test"
    }
    assert subjects == {"evil@example.test": "Your supervision is due by 30 November 2026"}
    about = sorted(message["Subject"] for message in smtp_server.to("dana@example.test"))
    assert about == [
        "Supervision due soon: Broken Address",
        "Supervision due soon: Evil Bcc: intruder@example.test Worker",
    ]
    assert "intruder@example.test" not in every_recipient(smtp_server)
    assert all(message["Bcc"] is None for message in smtp_server.messages)
    [to_evil] = smtp_server.to("evil@example.test")
    assert "Dear Evil Bcc: intruder@example.test Worker," in to_evil.get_content()

    # The failed-emails page lists the one that could not go, and why.
    pages.sign_in(make_staff(Role.ADMIN))
    page = pages.get("notifications.failed_emails")
    [row] = page.select("main tbody tr")
    text = row.get_text(" ", strip=True)
    assert "broken at example" in text
    assert "Cannot be sent: the recipient address is not a valid email address" in text

    # Later runs neither retry it nor send anything twice.
    clock.advance(days=1)
    assert run_job("outbox-sender", db.session, clock).counts == {"sent": 0, "retrying": 0, "failed": 0}
    assert len(smtp_server.messages) == 3


def test_a_title_longer_than_its_column_is_shortened_not_refused(clock):
    """PostgreSQL refuses a value longer than its column: one long name would fail the whole run."""
    person = make_staff(given_name="A" * 100, family_name="B" * 100)
    title = f"Supervision record not signed: {person.name}"
    assert len(title) > 200
    notice = Notice(
        recipient_id=person.id,
        to_address=person.email,
        recipient_name=person.name,
        kind="write_up_overdue",
        subject_id=person.id,
        period="record-1",
        title=title,
        body="The record has not been signed.",
        link="/",
    )
    assert queue_notices(db.session, [notice], app_clock().now(), "https://supervision.example.test") == (
        1,
        1,
    )
    db.session.commit()
    [email] = db.session.scalars(sa.select(OutboxEmail))
    [notification] = db.session.scalars(sa.select(Notification))
    assert email.subject == notification.title == title[:199] + "…"
