"""Case oversight in a real browser: from the team's report to a case's history, its case note,
and case notes for a list of references; axe-core finds no WCAG 2.2 AA problem on any page."""

# ruff: noqa: F811 (the fixtures imported below are pytest fixtures, named as arguments)

import re
from datetime import date

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import assert_accessible, sign_in
from tests.cases.report_factories import case_people, make_case, make_oversight  # noqa: F401


@pytest.fixture
def caseload(case_people):
    p = case_people
    make_case(p.wren, "CP-100", opened_on=date(2026, 9, 1))
    make_oversight(p.sam, p.wren, "CP-100", date(2026, 10, 15), actions=("Visit the school",))
    make_case(p.cal, "CIN-200", opened_on=date(2026, 9, 1))
    return p


def test_a_head_of_service_goes_from_the_teams_case_oversight_to_a_cases_history(page, caseload):
    sign_in(page, caseload.hana.email)
    page.goto(f"/oversight/teams/{caseload.team_a.id}")

    shares = page.get_by_role("table", name=re.compile("^Cases with oversight in time on"))
    expect(shares).to_contain_text("Team A")
    expect(page.get_by_role("figure").filter(has_text="Cases with oversight in time")).to_be_visible()
    assert_accessible(page)

    page.get_by_role("table", name=re.compile("^Open cases on")).get_by_role("link", name="CP-100").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Case CP-100")
    expect(
        page.get_by_text("15 October 2026: supervised by Sam Supervisor, with Wren Worker")
    ).to_be_visible()
    assert_accessible(page)

    page.get_by_role("link", name="Case note (printable)").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Case note: CP-100")
    assert_accessible(page)


def test_a_supervisor_asks_for_case_notes_for_a_list_and_sees_what_was_not_found(page, caseload):
    sign_in(page, caseload.sam.email)
    page.goto("/case-notes")
    expect(page.get_by_role("heading", level=1)).to_have_text("Case notes for a list of cases")
    assert_accessible(page)

    page.get_by_role("button", name="Get the case notes").click()
    expect(page).to_have_title(re.compile(r"^Error: "))
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter the case references, one a line")
    assert_accessible(page)

    page.get_by_label("Case references").fill("CP-100\nNO-SUCH\nCIN-200")
    page.get_by_role("button", name="Get the case notes").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Case notes")
    expect(page.locator("#not-found-references")).to_have_text("NO-SUCH")
    expect(page.get_by_role("heading", name="Case CIN-200")).to_be_visible()
    assert_accessible(page)
