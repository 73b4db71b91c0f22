"""Notifications, the compliance page, the calendar address and the admin job pages in a real
browser: keyboard-operable forms, errors in the summary, 0 axe-core WCAG 2.2 AA violations (the
admin menu pages as they open are checked by test_roles).

The clock fixture's today is Monday 23 November 2026.
"""

import re
from datetime import UTC, date, datetime

from playwright.sync_api import expect

from supervision.extensions import db
from supervision.jobs.runs import run_job
from supervision.org.models import Role
from supervision.records.models import SessionStatus
from tests.browser.conftest import assert_accessible, follow, sign_in
from tests.factories import make_agreement, make_service, make_session, make_staff, make_team


def overdue_team():
    head = make_staff(
        Role.SERVICE_MANAGER, given_name="Helen", family_name="Okafor", email="head@example.test"
    )
    supervisor = make_staff(
        Role.SUPERVISOR, given_name="Dana", family_name="Reid", email="dana@example.test", line_manager=head
    )
    team = make_team(service=make_service(manager=head), manager=supervisor)
    worker = make_staff(
        given_name="Sam", family_name="Okoro", email="sam@example.test", team=team, line_manager=supervisor
    )
    make_agreement(worker, supervisor, agreed_on=date(2026, 1, 5), review_due_on=date(2027, 1, 5))
    make_session(
        supervisor, worker, starts_at=datetime(2026, 10, 1, 10, tzinfo=UTC), status=SessionStatus.HELD
    )
    return supervisor, worker


def test_a_supervisor_reads_a_reminder_and_explains_the_gap(page, clock):
    overdue_team()
    for job in ("compliance-sweep", "reminders"):
        run_job(job, db.session, clock)

    sign_in(page, "dana@example.test")
    menu = page.get_by_role("navigation", name="Menu")
    expect(menu.get_by_role("link", name="Notifications (1 unread)")).to_be_visible()
    menu.get_by_role("link", name="Notifications (1 unread)").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Notifications")
    assert_accessible(page)

    page.get_by_role("link", name="Supervision overdue: Sam Okoro").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Sam Okoro")
    expect(page.locator("main .govuk-tag")).to_have_text("Escalated")
    assert_accessible(page)

    page.get_by_role("button", name="Save the reason").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("Select why supervision is overdue")
    expect(summary).to_contain_text("Enter what cover was arranged, or say that none was")
    expect(page).to_have_title("Error: Supervision compliance: Sam Okoro – Supervision – Test Council")
    assert_accessible(page)

    summary.get_by_role("link", name="Select why supervision is overdue").click()
    page.get_by_label("Supervisor post vacant").check()
    page.get_by_label("What cover was arranged?").fill("Helen Okafor gave case direction every week.")
    page.get_by_role("button", name="Save the reason").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("has been saved")
    expect(page.get_by_role("table")).to_contain_text("Helen Okafor gave case direction every week.")
    assert_accessible(page)

    page.goto("/notifications")
    page.get_by_role("button", name=re.compile(r"^Mark as read\W+Supervision overdue: Sam Okoro$")).click()
    expect(
        page.get_by_role("navigation", name="Menu").get_by_role("link", name="Notifications", exact=True)
    ).to_be_visible()


def test_a_person_makes_a_calendar_address_and_turns_it_off(page, clock):
    overdue_team()
    sign_in(page, "sam@example.test")
    page.goto("/calendar-feed")
    assert_accessible(page)
    page.get_by_role("button", name="Make an address").click()
    address = page.get_by_label("Calendar address")
    expect(address).to_have_value(re.compile(r"/calendar/[A-Za-z0-9_-]{43}\.ics$"))
    assert_accessible(page)
    feed = page.request.get(address.input_value().replace("http://127.0.0.1:5000", ""))
    assert feed.status == 200 and "BEGIN:VCALENDAR" in feed.text()
    page.get_by_role("button", name="Turn off the address").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("no longer works")


def test_the_admin_pages_for_jobs_and_failed_emails_are_accessible(page, clock):
    overdue_team()
    run_job("compliance-sweep", db.session, clock)
    make_staff(Role.ADMIN, email="admin@example.test")
    sign_in(page, "admin@example.test")
    page.get_by_role("navigation", name="Menu").get_by_role("link", name="Scheduled jobs").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Scheduled jobs")
    expect(page.get_by_role("table").first).to_contain_text("compliance-sweep")
    # The scheduled jobs and failed emails pages are menu pages: test_roles checks them with axe-core.
    page.get_by_role("link", name="compliance-sweep").click()
    expect(page.get_by_role("heading", level=2, name="Runs of compliance-sweep")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("navigation", name="Menu").get_by_role("link", name="Failed emails").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Failed emails")


def test_a_supervisor_moves_a_session_and_the_supervisee_is_told_and_chooses_a_daily_email(page, clock):
    supervisor, worker = overdue_team()
    session = make_session(supervisor, worker, starts_at=datetime(2026, 12, 1, 14, 30, tzinfo=UTC))
    sign_in(page, "dana@example.test")
    page.goto(f"/sessions/{session.id}")
    page.get_by_role("button", name="Move the session").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Move the session")
    assert_accessible(page)

    page.get_by_role("button", name="Move the session").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("Change the date, time, length or place to move the session")
    assert_accessible(page)
    page.get_by_label("Start time").fill("09:15")
    page.get_by_role("button", name="Move the session").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Session moved")
    follow(page.get_by_role("button", name="Sign out"))

    sign_in(page, "sam@example.test")
    page.goto("/notifications")
    expect(
        page.get_by_role("link", name="Supervision moved: Tuesday 1 December 2026, 9:15am")
    ).to_be_visible()
    page.get_by_role("button", name="Save email choice").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("straight away")
    page.get_by_label("Send one email a day with everything that happened").check()
    page.get_by_role("button", name="Save email choice").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("one email a day")
    expect(page.get_by_label("Send one email a day with everything that happened")).to_be_checked()
    assert_accessible(page)
