"""Error summaries in a real browser: a date's error link puts the cursor in its day box."""

from datetime import date

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from supervision.extensions import db
from supervision.org.models import Role, Staff
from tests.browser.conftest import follow, sign_in
from tests.factories import make_agreement, make_record, make_staff, make_team

pytestmark = pytest.mark.usefixtures("clock")  # Monday 23 November 2026, 9am


@pytest.fixture
def supervisor():
    manager = make_staff(
        Role.SUPERVISOR, email="sam@example.test", given_name="Sam", family_name="Supervisor"
    )
    worker = make_staff(
        Role.SOCIAL_WORKER,
        given_name="Wren",
        family_name="Worker",
        team=make_team(manager=manager),
        line_manager=manager,
    )
    make_agreement(worker, manager)
    return manager


def test_a_date_error_link_moves_focus_to_the_day_box(page, supervisor):
    sign_in(page, "sam@example.test")
    page.goto("/sessions/new")
    page.locator("#date-day").fill("31")
    follow(page.get_by_role("button", name="Book session"))
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_focused()
    summary.get_by_role("link", name="Date must include a month and year").click()
    expect(page.locator("#date-day")).to_be_focused()


def test_signing_off_an_incomplete_record_from_its_case_discussions_focuses_the_error_summary(
    page, supervisor
):
    worker = db.session.scalar(sa.select(Staff).where(Staff.line_manager_id == supervisor.id))
    record = make_record(worker, supervisor, held_on=date(2026, 11, 20), agenda="Caseload")
    sign_in(page, "sam@example.test")
    page.goto(f"/records/{record.id}#case-discussions")  # where adding a case discussion lands
    follow(page.get_by_role("button", name="Save and sign off"))
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_focused()
    assert "#" not in page.url
