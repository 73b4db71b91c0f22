"""The heart of the product in a real browser: book, hold, write up, sign-off refused then fixed,
both sign, the record locks. Every new page passes axe-core (WCAG 2.2 AA); the menu pages as
they open are checked by test_roles."""

import re
from datetime import date

import pytest
from playwright.sync_api import expect

from supervision.extensions import db
from supervision.org.models import Role
from supervision.records.models import ActionStatus, SupervisionRecord
from tests.browser.conftest import assert_accessible, follow, sign_in
from tests.factories import (
    make_absence,
    make_action,
    make_agreement,
    make_record,
    make_session,
    make_staff,
    make_team,
)

pytestmark = pytest.mark.usefixtures("clock")  # Monday 23 November 2026, 9am


@pytest.fixture
def line():
    supervisor = make_staff(
        Role.SUPERVISOR,
        email="sam@example.test",
        given_name="Sam",
        family_name="Supervisor",
        job_title="Team manager",
    )
    team = make_team(manager=supervisor)
    worker = make_staff(
        Role.SOCIAL_WORKER,
        email="wren@example.test",
        given_name="Wren",
        family_name="Worker",
        team=team,
        line_manager=supervisor,
    )
    make_agreement(worker, supervisor)
    earlier = make_record(worker, supervisor, held_on=date(2026, 10, 26), complete=True, locked=True)
    make_action(earlier, description="Chase the health visitor", due_on=date(2026, 11, 13))
    return supervisor, worker


def menu(page, name):
    page.get_by_role("navigation", name="Menu").get_by_role("link", name=name).click()


def test_a_session_is_booked_held_written_up_refused_fixed_signed_by_both_and_locked(page, line):
    sign_in(page, "sam@example.test")

    # Book the session.
    menu(page, "Supervisees")
    expect(page.get_by_role("heading", level=1)).to_have_text("Supervisees")
    # Menu pages, as here Supervisees and My supervision, are test_roles's to check with axe-core.
    follow(page.get_by_role("button", name="Book a session", exact=True))
    assert_accessible(page)
    page.get_by_label("Wren Worker").check()
    page.locator("#date-day").fill("23")
    page.locator("#date-month").fill("11")
    page.locator("#date-year").fill("2026")
    page.get_by_label("Start time").fill("08:00")
    page.get_by_label("In person").check()
    page.get_by_label("Place").fill("Room 2")
    page.get_by_role("button", name="Book session").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Session booked")
    expect(page.get_by_role("heading", level=1)).to_have_text("Monday 23 November 2026, 8am")
    assert_accessible(page)

    # Hold it.
    follow(page.get_by_role("button", name="Mark as held", exact=True))
    assert_accessible(page)
    page.get_by_role("button", name="Mark as held and start the record").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Wren Worker, 23 November 2026")
    assert_accessible(page)

    # Write most of it, leave reflection as spaces, and try to sign off.
    page.locator("#wellbeing").fill("Tired after a long court week; taking leave on Friday.")
    page.locator("#workload").fill("Eighteen children, two new allocations.")
    page.locator("#learning").fill("Court skills course booked.")
    page.locator("#reflection").fill("    ")
    page.locator("#health_and_leave").fill("Leave on 27 November.")
    page.get_by_role("button", name="Save and sign off").click()
    expect(page).to_have_title(re.compile(r"^Error: Supervision record"))
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("Add at least one case discussion")
    expect(summary).to_contain_text("Enter reflection")
    expect(summary).to_contain_text("Review the action “Chase the health visitor”")
    assert_accessible(page)
    summary.get_by_role("link", name="Enter reflection").click()
    expect(page.locator("#reflection")).to_be_focused()
    page.locator("#reflection").fill("We reflected on how the family's history shapes their trust in us.")

    # Review the carried-forward action (the button saves the draft first).
    page.get_by_role("button", name="Review the action Chase the health visitor").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Review an action from an earlier session")
    assert_accessible(page)
    page.get_by_role("button", name="Save review").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Say whether the action is done")
    assert_accessible(page)
    page.get_by_label("Carried forward").check()
    page.get_by_label("Comment").fill("The health visitor is on leave until December.")
    page.get_by_role("button", name="Save review").click()
    expect(page.locator("#reflection")).to_have_value(
        "We reflected on how the family's history shapes their trust in us."
    )

    # A case discussion, first without a decision.
    follow(page.get_by_role("button", name="Add a case discussion"))
    assert_accessible(page)
    page.get_by_label("Case reference").fill("CH-4471")
    page.get_by_label("Summary").fill("School raised concerns about attendance and hunger.")
    page.get_by_label("Analysis").fill("Pattern of neglect across three months.")
    page.get_by_role("button", name="Save case discussion").click()
    page.get_by_role("button", name="Save and sign off").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter the decision for case CH-4471")
    assert_accessible(page)
    page.locator(".govuk-error-summary").get_by_role(
        "link", name="Enter the decision for case CH-4471"
    ).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Change the case discussion")
    page.get_by_label("Decision").fill("Convene a strategy discussion by Wednesday.")
    page.get_by_role("button", name="Save case discussion").click()

    # An action for the case.
    follow(page.get_by_role("button", name="Add an action"))
    assert_accessible(page)
    page.get_by_label("Action", exact=True).fill("Book the strategy discussion")
    page.locator("#due_on-day").fill("25")
    page.locator("#due_on-month").fill("11")
    page.locator("#due_on-year").fill("2026")
    page.get_by_label("Case (optional)").select_option(label="CH-4471")
    page.get_by_role("button", name="Save action").click()

    # Now it signs.
    page.get_by_role("button", name="Save and sign off").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("You have signed this record")
    expect(page.locator("main").get_by_text("Waiting for the supervisee to sign")).to_be_visible()
    assert_accessible(page)
    record_url = page.url

    # The supervisee reads, comments with disagreement, signs; the record locks.
    follow(page.get_by_role("button", name="Sign out"))
    sign_in(page, "wren@example.test")
    menu(page, "My supervision")
    expect(page.get_by_role("heading", level=1)).to_have_text("My supervision")
    page.goto(record_url)
    assert_accessible(page)
    follow(page.get_by_role("button", name="Comment and sign", exact=True))
    assert_accessible(page)
    page.get_by_label("I disagree with something").check()
    page.get_by_role("button", name="Sign the record").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Say what you disagree with")
    assert_accessible(page)
    page.get_by_label("Your comments (optional)").fill("The leave was agreed for the 27th, not the 28th.")
    page.get_by_role("button", name="Sign the record").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("It is now locked")
    expect(page.locator("main").get_by_text("Signed by both and locked")).to_be_visible()
    expect(page.locator("main").get_by_text("Disagreement recorded")).to_be_visible()
    assert page.locator("main textarea").count() == 0
    assert_accessible(page)

    # Ratings and an addendum after the lock.
    follow(page.get_by_role("link", name="Rate this session"))
    assert_accessible(page)
    page.get_by_role("group", name="How helpful was this supervision?").get_by_label("4").check()
    page.get_by_role("group", name="How reflective was it?").get_by_label("5").check()
    page.get_by_role("group", name="How safe did you feel to challenge?").get_by_label("3").check()
    page.get_by_role("button", name="Save rating").click()
    expect(page.locator("main")).to_contain_text("safe to challenge 3 out of 5")
    follow(page.get_by_role("link", name="Add an addendum"))
    assert_accessible(page)
    page.get_by_label("Why is this addendum needed?").fill("Leave date")
    page.get_by_label("Addendum", exact=True).fill("Leave is on the 27th.")
    page.get_by_role("button", name="Add addendum").click()
    expect(page.locator("#addenda").locator("..")).to_contain_text("Leave is on the 27th.")

    db.session.expire_all()
    record = db.session.scalar(
        db.select(SupervisionRecord)
        .where(SupervisionRecord.session_id.is_not(None))
        .order_by(SupervisionRecord.id.desc())
    )
    assert record.is_locked and record.supervisee_disagrees
    assert [action.status for action in record.actions] == [ActionStatus.OPEN, ActionStatus.OPEN]
    assert {action.description for action in record.actions} == {
        "Book the strategy discussion",
        "Chase the health visitor",
    }


def test_every_other_new_page_is_accessible(page, line):
    supervisor, worker = line
    admin = make_staff(Role.ADMIN, email="ada@example.test", given_name="Ada", family_name="Admin")
    record = db.session.scalar(db.select(SupervisionRecord))
    scheduled = make_session(supervisor, worker)
    cancelled = make_session(
        supervisor, worker, status="cancelled", cancelled_reason="Court", cancelled_by="supervisor"
    )
    draft = make_record(worker, supervisor, held_on=date(2026, 11, 20), complete=True)
    action = make_action(draft)
    agreement_id = worker.id and db.session.scalar(db.text("SELECT id FROM supervision_agreement"))
    assert admin.id

    sign_in(page, "sam@example.test")
    for path in [
        f"/people/{worker.id}/supervision",
        f"/people/{worker.id}/agreements",
        f"/people/{worker.id}/agreements/new",
        f"/agreements/{agreement_id}",
        f"/agreements/{agreement_id}/edit",
        f"/people/{worker.id}/absences/new",
        f"/sessions/{scheduled.id}/cancel",
        f"/sessions/{scheduled.id}/did-not-attend",
        f"/sessions/{cancelled.id}",
        f"/sessions/new?rebook={cancelled.id}",
        f"/records/{record.id}/print",
        f"/records/{record.id}/case-discussions/{record.case_discussions[0].id}/case-note",
        f"/records/{draft.id}/case-discussions/{draft.case_discussions[0].id}/remove",
        f"/records/{draft.id}/actions/{action.id}",
        f"/records/{draft.id}/actions/{action.id}/remove",
        f"/records/{draft.id}/return",
    ]:
        response = page.goto(path)
        assert response.status == 200, path
        assert_accessible(page)

    page.goto(f"/people/{worker.id}/absences/new")
    page.get_by_role("button", name="Save absence").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Choose the type of absence")
    assert_accessible(page)

    follow(page.get_by_role("button", name="Sign out"))
    sign_in(page, "ada@example.test")
    # The audit log and the policy as they open are menu pages: test_roles checks them with axe-core.
    menu(page, "Policy")
    expect(page.get_by_role("heading", level=1)).to_have_text("Supervision policy")
    page.get_by_label("Social workers: days between sessions").fill("0")
    page.get_by_role("button", name="Save policy").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "Social workers: days between sessions must be a whole number between 1 and 366"
    )
    assert_accessible(page)
    menu(page, "Audit log")
    page.get_by_label("Record number").fill("many")
    page.get_by_role("button", name="Search").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Record number must be a whole number")
    assert_accessible(page)


def test_a_booking_in_an_absence_warns_and_a_future_session_cannot_be_marked_yet(page, line):
    _, worker = line
    make_absence(worker, date(2026, 11, 30), date(2026, 12, 4))
    sign_in(page, "sam@example.test")
    menu(page, "Supervisees")
    follow(page.get_by_role("button", name="Book a session", exact=True))
    page.get_by_label("Wren Worker").check()
    page.locator("#date-day").fill("1")
    page.locator("#date-month").fill("12")
    page.locator("#date-year").fill("2026")
    page.get_by_label("Start time").fill("10:00")
    page.get_by_label("In person").check()
    page.get_by_label("Place").fill("Room 2")
    page.get_by_role("button", name="Book session").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Wren Worker is recorded as away")
    assert_accessible(page)
    page.locator(".govuk-error-summary a").first.click()
    expect(page.locator("#absence_confirmed")).to_be_focused()
    page.locator("#absence_confirmed").check()
    page.get_by_role("button", name="Book session").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Session booked")

    # The session has not started: it can be moved or cancelled, not marked held or missed.
    main = page.locator("main")
    expect(main.get_by_role("button", name="Mark as held", exact=True)).to_have_count(0)
    expect(main.get_by_role("link", name="Did not attend")).to_have_count(0)
    expect(main).to_contain_text("You can mark it held or did not attend once it has started.")
    assert_accessible(page)
