"""A back-dated absence in a real browser: the form asks for a reason, the oversight report marks
the months it changed and links to what changed; axe-core finds no WCAG 2.2 AA problem."""

import re

from playwright.sync_api import expect

from tests.browser.conftest import assert_accessible, follow, sign_in
from tests.reports.conftest import org  # noqa: F401 (the hand-worked organisation, a fixture)


def fill_date(page, legend: str, day: str, month: str, year: str) -> None:
    group = page.get_by_role("group", name=legend)
    group.get_by_label("Day").fill(day)
    group.get_by_label("Month").fill(month)
    group.get_by_label("Year").fill(year)


def test_a_back_dated_absence_needs_a_reason_and_the_report_marks_what_it_changed(page, org):  # noqa: F811
    sign_in(page, org.sam.email)
    page.goto(f"/people/{org.alice.id}/absences/new")
    page.get_by_label("Annual leave").check()
    fill_date(page, "First day", "24", "8", "2026")
    fill_date(page, "Last day", "18", "9", "2026")
    follow(page.get_by_role("button", name="Save absence"))

    expect(page).to_have_title(re.compile(r"^Error: "))
    expect(page.locator(".govuk-error-summary")).to_contain_text("August 2026 has closed")
    assert_accessible(page)
    page.get_by_label("Why are you changing a month that has closed?").fill(
        "Leave approved but never entered"
    )
    follow(page.get_by_role("button", name="Save absence"))
    expect(page.locator("#absences")).to_be_visible()
    follow(page.get_by_role("button", name="Sign out"))

    sign_in(page, org.hana.email)
    page.goto(f"/oversight/teams/{org.team_a.id}")
    expect(page.locator("#changed-after-close")).to_contain_text("August 2026 to October 2026")
    trend = page.get_by_role("table", name="Monthly trend: Assessment A")
    expect(trend.get_by_role("link", name=re.compile("Changed after it closed"))).to_have_count(3)
    grid = page.get_by_role("table", name="Supervision month by month")
    expect(grid.get_by_role("link", name=re.compile("after September 2026 closed"))).to_have_count(1)
    assert_accessible(page)

    follow(trend.get_by_role("link", name=re.compile("see what changed for September 2026")))
    expect(page.get_by_role("heading", level=1)).to_have_text("Changes after months closed")
    changes = page.get_by_role("table", name="1 change")
    expect(changes).to_contain_text("Alice Adams")
    expect(changes).to_contain_text("Leave approved but never entered")
    expect(changes).to_contain_text("Sam Supervisor")
    assert_accessible(page)
