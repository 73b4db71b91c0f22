"""Accounts without single sign-on: invitations, "Forgot your password?" and the password rule.

Through the real pages, with emails sent by the outbox to a real SMTP server (aiosmtpd) and the
links read back out of what it received.
"""

from __future__ import annotations

import hashlib
import re
import time
from datetime import timedelta

import pytest
import sqlalchemy as sa
from bs4 import BeautifulSoup
from flask import current_app

from supervision.auth.links import PasswordLink
from supervision.auth.passwords import OWN_DETAILS, TOO_COMMON, TOO_SHORT
from supervision.auth.tokens import create_token
from supervision.extensions import db
from supervision.notifications.models import Notification, OutboxEmail
from supervision.notifications.sender import MailSettings, send_outbox
from supervision.org.models import Role, Staff
from tests.auth.test_sessions import opens_pages, sign_in
from tests.factories import PASSWORD, make_service, make_staff, make_team
from tests.hr.test_import import person_line, staff_file
from tests.html import parse_html
from tests.org.conftest import staff_form

NEW_PASSWORD = "violet kettle harbour"
LINK = re.compile(r"https?://\S+/set-password/(pwl_[A-Za-z0-9_-]+)")


def send_emails():
    from supervision.clock import clock

    return send_outbox(db.session, clock().now(), MailSettings.from_config(current_app.config))


def text_of(message) -> str:
    return message.get_body(("plain",)).get_content()


def link_in(message) -> str:
    found = LINK.search(text_of(message))
    assert found, text_of(message)
    return found.group(1)


def the_one_link_to(smtp_server, address: str) -> str:
    send_emails()
    messages = smtp_server.to(address)
    assert len(messages) >= 1, [m["To"] for m in smtp_server.messages]
    return link_in(messages[-1])


def soup(response) -> BeautifulSoup:
    return parse_html(response.get_data(as_text=True))


def heading(response) -> str:
    return soup(response).h1.get_text(" ", strip=True)


def field_error(response, field) -> str:
    error = soup(response).select_one(f"#{field}-error")
    return error.get_text(" ", strip=True) if error else ""


def set_password(client, secret, new=NEW_PASSWORD, confirm=None):
    return client.post(
        f"/set-password/{secret}", data={"new_password": new, "confirm_password": confirm or new}
    )


def signs_in(client, email, password) -> bool:
    return client.post("/sign-in", data={"email": email, "password": password}).status_code == 302


@pytest.fixture
def admin(pages):
    person = make_staff(Role.ADMIN, given_name="Ada", family_name="Admin", email="admin@example.test")
    pages.sign_in(person)
    return person


def resend_button(page):
    return [
        b
        for b in page.find_all("button")
        if b.get_text(" ", strip=True).startswith("Send the invitation again")
    ]


def new_person() -> Staff:
    db.session.expire_all()
    return db.session.scalar(sa.select(Staff).where(Staff.email == "amara.osei@example.test"))


# ------------------------------------------------------------------ invitations


def test_a_person_added_on_the_staff_page_is_invited_and_the_link_sets_their_password_once(
    app, pages, admin, clock, smtp_server
):
    pages.post("org.create_staff", data=staff_form())
    person = new_person()
    assert person.password_hash is None
    banner = pages.get("org.staff_detail", staff_id=person.id).select_one(".govuk-notification-banner")
    assert "They have been emailed an invitation to sign in" in banner.get_text(" ", strip=True)

    secret = the_one_link_to(smtp_server, "amara.osei@example.test")
    message = smtp_server.to("amara.osei@example.test")[0]
    assert message["Subject"] == "Set up your Supervision account"
    assert "72 hours" in text_of(message)
    # Only a hash is kept; the link is never shown in the service, and the sent email's copy in
    # the outbox is not kept either.
    stored = db.session.scalars(sa.select(PasswordLink.token_hash)).all()
    assert stored == [hashlib.sha256(secret.encode()).hexdigest()]
    assert not any(secret in body for body in db.session.scalars(sa.select(OutboxEmail.body)))
    assert (
        db.session.scalar(
            sa.select(sa.func.count()).select_from(Notification).where(Notification.recipient_id == person.id)
        )
        == 0
    )

    visitor = app.test_client()
    page = visitor.get(f"/set-password/{secret}")
    assert page.status_code == 200 and heading(page) == "Choose your password"
    assert page.headers["Cache-Control"] == "no-store"
    assert "amara.osei@example.test" in page.get_data(as_text=True)
    done = set_password(visitor, secret)
    assert done.status_code == 302 and done.headers["Location"] == "/sign-in"
    assert signs_in(visitor, "amara.osei@example.test", NEW_PASSWORD)

    again = app.test_client()
    for reused in (
        again.get(f"/set-password/{secret}"),
        set_password(again, secret, "another long passphrase"),
    ):
        assert reused.status_code == 404
        assert heading(reused) == "This link does not work"
        assert "has been used already, has expired" in reused.get_data(as_text=True)
    assert signs_in(app.test_client(), "amara.osei@example.test", NEW_PASSWORD)


def test_an_invitation_link_expires_after_72_hours(app, pages, admin, clock, smtp_server):
    pages.post("org.create_staff", data=staff_form())
    secret = the_one_link_to(smtp_server, "amara.osei@example.test")
    clock.advance(hours=71, minutes=59)
    assert app.test_client().get(f"/set-password/{secret}").status_code == 200
    clock.advance(minutes=1)
    expired = set_password(app.test_client(), secret)
    assert expired.status_code == 404 and heading(expired) == "This link does not work"
    assert new_person().password_hash is None


def test_people_added_by_the_staff_import_page_are_invited(app, pages, clock, smtp_server):
    make_team("North", service=make_service("Assessment"))
    importer = make_staff(Role.HR, email="hr@example.test", employee_number="HR1")
    pages.sign_in(importer)
    import io

    data = staff_file([person_line(1), person_line(2)])
    pages.client.post(
        "/staff-import",
        data={"staff_file": (io.BytesIO(data), "staff.csv")},
        content_type="multipart/form-data",
    )
    token = db.session.scalar(sa.text("SELECT token FROM staff_import"))
    assert pages.client.post("/staff-import/confirm", data={"token": token}).status_code == 302

    send_emails()
    for number in (1, 2):
        (message,) = smtp_server.to(f"person.{number}@example.test")
        secret = link_in(message)
        assert set_password(app.test_client(), secret).status_code == 302
    assert smtp_server.to("hr@example.test") == []


def test_people_added_by_the_import_command_are_invited_and_people_it_updates_are_not(
    app, clock, smtp_server, tmp_path
):
    make_team("North", service=make_service("Assessment"))
    make_staff(employee_number="P00002", email="person.2@example.test", given_name="Old")
    path = tmp_path / "staff.csv"
    path.write_bytes(staff_file([person_line(1), person_line(2)]))
    result = app.test_cli_runner().invoke(args=["import-staff", str(path)])
    assert result.exit_code == 0, result.output

    send_emails()
    assert [m["Subject"] for m in smtp_server.to("person.1@example.test")] == [
        "Set up your Supervision account"
    ]
    assert [m["Subject"] for m in smtp_server.to("person.2@example.test") if "Set up" in m["Subject"]] == []


def test_with_single_sign_on_the_invitation_says_to_use_the_organisation_account(
    app, pages, admin, clock, smtp_server
):
    saved = app.config["OIDC_ISSUER"]
    app.config["OIDC_ISSUER"] = "https://login.example.test"
    try:
        pages.post("org.create_staff", data=staff_form())
    finally:
        app.config["OIDC_ISSUER"] = saved
    send_emails()
    (message,) = smtp_server.to("amara.osei@example.test")
    body = text_of(message)
    assert "use your organisation account" in body and "/sign-in" in body
    assert "set-password" not in body
    assert db.session.scalar(sa.select(sa.func.count()).select_from(PasswordLink)) == 0


def test_an_administrator_sends_the_invitation_again_and_the_old_link_stops_working(
    app, pages, admin, clock, smtp_server
):
    pages.post("org.create_staff", data=staff_form())
    person = new_person()
    first = the_one_link_to(smtp_server, person.email)
    page = pages.get("org.staff_detail", staff_id=person.id)
    assert "Password Not set yet" in page.get_text(" ", strip=True)
    assert resend_button(page)

    response = pages.post("auth.resend_invitation_view", staff_id=person.id)
    assert response.headers["Location"] == f"/staff/{person.id}"
    second = the_one_link_to(smtp_server, person.email)
    assert second != first and len(smtp_server.to(person.email)) == 2
    assert app.test_client().get(f"/set-password/{first}").status_code == 404
    assert set_password(app.test_client(), second).status_code == 302

    # Once the person has a password there is nothing to resend.
    assert not resend_button(pages.get("org.staff_detail", staff_id=person.id))
    pages.post("auth.resend_invitation_view", staff_id=person.id)
    send_emails()
    assert len(smtp_server.to(person.email)) == 2


def test_hr_may_not_send_invitations(pages, clock):
    person = make_staff(password=None)
    pages.sign_in(make_staff(Role.HR))
    assert pages.client.post(f"/staff/{person.id}/invitation").status_code == 403
    assert db.session.scalar(sa.select(sa.func.count()).select_from(PasswordLink)) == 0


def test_a_new_email_address_or_deactivation_ends_an_unused_link(app, pages, admin, clock, smtp_server):
    pages.post("org.create_staff", data=staff_form())
    person = new_person()
    secret = the_one_link_to(smtp_server, person.email)
    pages.post("org.edit_staff", staff_id=person.id, data=staff_form(email="amara.new@example.test"))
    assert app.test_client().get(f"/set-password/{secret}").status_code == 404

    pages.post("auth.resend_invitation_view", staff_id=person.id)
    secret = the_one_link_to(smtp_server, "amara.new@example.test")
    pages.post("org.deactivate_staff", staff_id=person.id, data={"confirm": "y"})
    assert app.test_client().get(f"/set-password/{secret}").status_code == 404


def test_imported_staff_show_no_roles_rather_than_none(pages, admin, clock):
    person = make_staff(given_name="Ina", family_name="Imported")
    person.role_rows = []
    db.session.commit()
    text = pages.get("org.staff_detail", staff_id=person.id).get_text(" ", strip=True)
    assert "Roles No roles" in text and "Roles None" not in text
    assert "No roles" in pages.get("org.staff_list").get_text(" ", strip=True)


# ------------------------------------------------------------------ forgot your password


def ask_for_reset(client, email, address="192.0.2.10"):
    return client.post("/forgot-password", data={"email": email}, environ_base={"REMOTE_ADDR": address})


def test_the_sign_in_page_links_to_forgot_your_password(client):
    page = soup(client.get("/sign-in"))
    assert page.find("a", string="Forgot your password?")["href"] == "/forgot-password"


def test_the_answer_is_the_same_whether_or_not_the_email_is_known(app, client, clock, smtp_server):
    make_staff(email="worker@example.test")
    make_staff(email="leaver@example.test", active=False)
    answers, times = {}, {}
    for email in ("worker@example.test", "nobody@example.test", "leaver@example.test"):
        started = time.monotonic()
        response = ask_for_reset(client, email)
        times[email] = time.monotonic() - started
        assert response.status_code == 200
        answers[email] = soup(response).select_one("main").get_text(" ", strip=True).replace(email, "EMAIL")
    assert len(set(answers.values())) == 1
    assert "If EMAIL is the email address of a Supervision account" in answers["nobody@example.test"]
    assert min(times.values()) >= app.config["PASSWORD_RESET_ANSWER_SECONDS"]

    send_emails()
    assert [m["To"] for m in smtp_server.messages] == ["worker@example.test"]
    assert smtp_server.messages[0]["Subject"] == "Reset your Supervision password"


def test_a_reset_link_ends_every_session_and_token_and_works_once(app, client, clock, smtp_server):
    worker = make_staff(email="worker@example.test")
    sign_in(client, worker)
    token = create_token(worker, "laptop", False, timedelta(days=30)).secret
    stranger = app.test_client()
    assert ask_for_reset(stranger, "Worker@Example.test").status_code == 200
    secret = the_one_link_to(smtp_server, "worker@example.test")

    assert opens_pages(client)  # asking changes nothing
    page = stranger.get(f"/set-password/{secret}")
    assert heading(page) == "Choose a new password"
    assert set_password(stranger, secret).status_code == 302

    assert not opens_pages(client)
    assert client.get("/api/v1/staff", headers={"Authorization": f"Bearer {token}"}).status_code == 401
    assert not signs_in(app.test_client(), worker.email, PASSWORD)
    assert signs_in(app.test_client(), worker.email, NEW_PASSWORD)
    assert set_password(app.test_client(), secret, "yet another long passphrase").status_code == 404


def test_a_reset_link_expires_after_two_hours_and_a_newer_one_replaces_it(app, client, clock, smtp_server):
    make_staff(email="worker@example.test")
    ask_for_reset(client, "worker@example.test")
    first = the_one_link_to(smtp_server, "worker@example.test")
    ask_for_reset(client, "worker@example.test")
    second = the_one_link_to(smtp_server, "worker@example.test")
    assert app.test_client().get(f"/set-password/{first}").status_code == 404
    clock.advance(hours=2)
    expired = set_password(app.test_client(), second)
    assert expired.status_code == 404 and heading(expired) == "This link does not work"
    assert signs_in(app.test_client(), "worker@example.test", PASSWORD)


def test_a_deactivated_persons_link_stops_working(app, client, clock, smtp_server):
    worker = make_staff(email="worker@example.test")
    ask_for_reset(client, worker.email)
    secret = the_one_link_to(smtp_server, worker.email)
    worker.active = False
    db.session.commit()
    assert set_password(app.test_client(), secret).status_code == 404


def test_at_most_three_reset_emails_an_hour_however_many_addresses_ask(app, client, clock, smtp_server):
    make_staff(email="worker@example.test")
    for number in range(6):
        assert ask_for_reset(client, "worker@example.test", address=f"198.51.100.{number}").status_code == 200
    send_emails()
    assert len(smtp_server.to("worker@example.test")) == 3
    clock.advance(hours=1, minutes=1)
    ask_for_reset(client, "worker@example.test")
    send_emails()
    assert len(smtp_server.to("worker@example.test")) == 4


def test_signed_in_people_are_sent_home_from_forgot_your_password(client, clock):
    sign_in(client, make_staff(email="worker@example.test"))
    assert client.get("/forgot-password").headers["Location"] == "/"


def test_a_made_up_or_malformed_link_is_refused_with_the_same_page(client):
    for secret in ("pwl_" + "A" * 43, "not-a-link", "pwl_" + "x" * 500):
        response = client.get(f"/set-password/{secret}")
        assert response.status_code == 404 and heading(response) == "This link does not work"


# ------------------------------------------------------------------ the password rule (NCSC)


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("short one", TOO_SHORT),
        ("qwerty123456", TOO_COMMON),
        ("1q2w3e4r5t6y", TOO_COMMON),
        ("Worker@Example.test", OWN_DETAILS),
        ("samokafor2024", OWN_DETAILS),
        ("Sam Okafor", TOO_SHORT),
        ("Sam.Okafor!!", OWN_DETAILS),
    ],
)
def test_a_set_password_link_refuses_what_the_rule_refuses_and_keeps_the_link(
    app, client, clock, smtp_server, password, message
):
    make_staff(email="worker@example.test", given_name="Sam", family_name="Okafor")
    ask_for_reset(client, "worker@example.test")
    secret = the_one_link_to(smtp_server, "worker@example.test")
    refused = set_password(client, secret, password)
    assert refused.status_code == 200
    assert field_error(refused, "new_password") == f"Error: {message}"
    assert set_password(client, secret).status_code == 302  # the link still works once


def test_passwords_that_do_not_match_are_refused(client, clock, smtp_server):
    make_staff(email="worker@example.test")
    ask_for_reset(client, "worker@example.test")
    secret = the_one_link_to(smtp_server, "worker@example.test")
    refused = set_password(client, secret, NEW_PASSWORD, "violet kettle harbor")
    assert field_error(refused, "confirm_password") == "Error: The passwords do not match"


@pytest.mark.parametrize(
    "password",
    ["violet kettle harbour", "alllowercaseandlong", "ЗЕЛЁНЫЙ ЧАЙНИК ГАВАНЬ", "x" * 1000],
)
def test_no_composition_rules_a_long_uncommon_password_is_enough(client, clock, smtp_server, password):
    make_staff(email="worker@example.test")
    ask_for_reset(client, "worker@example.test")
    secret = the_one_link_to(smtp_server, "worker@example.test")
    assert set_password(client, secret, password).status_code == 302


def test_changing_a_password_follows_the_same_rule(client, clock):
    sign_in(client, make_staff(email="worker@example.test", given_name="Sam", family_name="Okafor"))
    for new, message in (("qwerty123456", TOO_COMMON), ("sam okafor 1", OWN_DETAILS)):
        refused = client.post(
            "/account/password",
            data={"current_password": PASSWORD, "new_password": new, "confirm_password": new},
        )
        assert field_error(refused, "new_password") == f"Error: {message}"
