"""Invitations and password resets in Chromium, with axe on every new page; emails go through
the outbox to a real SMTP server, and the browser follows the link they carry."""

from __future__ import annotations

import re

import pytest
from flask import current_app
from playwright.sync_api import expect

from supervision.clock import clock as app_clock
from supervision.extensions import db
from supervision.notifications.sender import MailSettings, send_outbox
from supervision.org.models import Role
from tests.browser.conftest import assert_accessible, follow, sign_in, sign_in_with_the_form
from tests.factories import make_staff
from tests.notifications.smtp_server import smtp_server  # noqa: F401 (a fixture)

NEW_PASSWORD = "violet kettle harbour"
LINK = re.compile(r"/set-password/(pwl_[A-Za-z0-9_-]+)")


@pytest.fixture
def mail(app, smtp_server):  # noqa: F811
    def latest_link_to(address: str) -> str:
        send_outbox(db.session, app_clock().now(), MailSettings.from_config(current_app.config))
        messages = smtp_server.to(address)
        assert messages, "no email arrived"
        return "/set-password/" + LINK.search(messages[-1].get_body(("plain",)).get_content()).group(1)

    return latest_link_to


def test_forgot_your_password_then_the_link_then_sign_in(page, mail):
    make_staff(Role.SOCIAL_WORKER, email="worker@example.test", given_name="Sam", family_name="Okafor")
    page.goto("/sign-in")
    follow(page.get_by_role("link", name="Forgot your password?"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Reset your password")
    assert_accessible(page)
    follow(page.get_by_role("button", name="Send the link"))
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter your email address")
    assert_accessible(page)
    page.get_by_label("Email address").fill("worker@example.test")
    follow(page.get_by_role("button", name="Send the link"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Check your email")
    assert_accessible(page)

    link = mail("worker@example.test")
    page.goto(link)
    expect(page.get_by_role("heading", level=1)).to_have_text("Choose a new password")
    assert_accessible(page)
    page.get_by_label("New password", exact=True).fill("qwerty123456")
    page.get_by_label("Confirm new password").fill("qwerty123456")
    follow(page.get_by_role("button", name="Set password"))
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("one of the most commonly used passwords")
    assert_accessible(page)
    summary.get_by_role("link", name=re.compile("commonly used")).click()
    expect(page.get_by_label("New password", exact=True)).to_be_focused()

    page.get_by_label("New password", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("Confirm new password").fill(NEW_PASSWORD)
    follow(page.get_by_role("button", name="Set password"))
    expect(page.get_by_text("Your password has been set")).to_be_visible()
    sign_in_with_the_form(page, "worker@example.test", NEW_PASSWORD)
    expect(page.get_by_role("heading", level=1)).to_have_text("Sam Okafor")

    page.goto(link)
    expect(page.get_by_role("heading", level=1)).to_have_text("This link does not work")
    assert_accessible(page)


def test_an_administrator_sends_an_invitation_again_and_the_person_chooses_a_password(page, mail):
    make_staff(Role.ADMIN, email="admin@example.test")
    person = make_staff(
        email="new.starter@example.test", given_name="Nia", family_name="Starter", password=None
    )
    sign_in(page, "admin@example.test")
    page.goto(f"/staff/{person.id}")
    expect(page.get_by_text("Not set yet")).to_be_visible()
    follow(page.get_by_role("button", name="Send the invitation again"))
    expect(page.get_by_text("Invitation sent again to new.starter@example.test")).to_be_visible()
    assert_accessible(page)
    follow(page.get_by_role("button", name="Sign out"))

    page.goto(mail("new.starter@example.test"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Choose your password")
    assert_accessible(page)
    page.get_by_label("New password", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("Confirm new password").fill(NEW_PASSWORD)
    follow(page.get_by_role("button", name="Set password"))
    sign_in_with_the_form(page, "new.starter@example.test", NEW_PASSWORD)
    expect(page.get_by_role("heading", level=1)).to_have_text("Nia Starter")
