"""Case oversight in a real browser: the cases page and the dashboard's section, picking a case in
the record editor (or "another case" and its reference), the flag on the record and the
worker's cases on My supervision; axe-core finds no WCAG 2.2 AA problem on any of them."""

import re
from datetime import date

import pytest
from playwright.sync_api import expect

from supervision.cases.rules import CaseCategory
from tests.browser.conftest import assert_accessible, sign_in
from tests.cases.oversight_factories import discuss, make_case
from tests.factories import make_absence, make_record
from tests.records.conftest import people  # noqa: F401 -- the records tests' small organisation


@pytest.fixture
def caseload(people, clock):  # noqa: F811
    make_case(people.worker, "CP-OVERDUE", opened_on=date(2026, 6, 1))
    discuss("CP-OVERDUE", people.worker, people.supervisor, date(2026, 10, 1))
    make_case(people.worker, "CIN-NEVER", CaseCategory.CHILD_IN_NEED, opened_on=date(2026, 9, 1))
    make_case(people.worker, "EH-FINE", CaseCategory.EARLY_HELP, opened_on=date(2026, 11, 1))
    make_absence(people.worker, date(2026, 11, 16), date(2026, 11, 27))
    return people


def test_a_supervisor_finds_sorts_and_filters_cases_needing_oversight(page, caseload):
    sign_in(page, caseload.supervisor.email)
    page.get_by_role("navigation", name="Menu").get_by_role("link", name="Team dashboard").click()
    section = page.locator("#cases-overdue")
    expect(section.get_by_role("table")).to_contain_text("Worker absent: reallocate or arrange cover")
    assert_accessible(page)

    page.get_by_role("navigation", name="Menu").get_by_role("link", name="Cases").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Cases needing oversight")
    table = page.get_by_role("table", name="2 cases")
    expect(table.get_by_role("row").nth(1)).to_contain_text("CIN-NEVER")
    assert_accessible(page)

    table.get_by_role("link", name=re.compile("^Case reference")).click()
    table = page.get_by_role("table", name="2 cases")
    expect(table.get_by_role("columnheader", name=re.compile("^Case reference"))).to_have_attribute(
        "aria-sort", "ascending"
    )
    page.get_by_label("Status").select_option("Any status")
    page.get_by_label("Category").select_option("Early help")
    page.get_by_role("button", name="Apply filters").click()
    expect(page.get_by_role("table", name="1 case")).to_contain_text("EH-FINE")
    assert_accessible(page)


def test_a_supervisor_picks_a_case_or_types_another_and_the_record_flags_it(page, caseload):
    record = make_record(caseload.worker, caseload.supervisor)
    sign_in(page, caseload.supervisor.email)
    page.goto(f"/records/{record.id}/case-discussions/new")
    reference = page.get_by_role("textbox", name="Reference of another case")
    page.get_by_role("button", name="Save case discussion").click()
    expect(page).to_have_title(re.compile(r"^Error: "))
    assert_accessible(page)

    page.get_by_role("radio", name="Another case").check()
    reference.fill("NOT-YET-1")
    assert_accessible(page)
    page.get_by_role("button", name="Save case discussion").click()
    expect(page.locator(".govuk-summary-card", has_text="NOT-YET-1")).to_contain_text(
        "Not in the case register"
    )

    page.goto(f"/records/{record.id}/case-discussions/new")
    page.get_by_role("radio", name=re.compile("^CIN-NEVER")).check()
    page.get_by_role("button", name="Save case discussion").click()
    card = page.locator(".govuk-summary-card", has_text="CIN-NEVER")
    expect(card).not_to_contain_text("Not in the case register")
    assert_accessible(page)


def test_a_worker_sees_the_cases_to_bring_to_supervision(page, caseload):
    sign_in(page, caseload.worker.email)
    page.get_by_role("link", name="View your cases due discussion").click()
    expect(page.get_by_role("heading", name="Your cases due discussion")).to_be_visible()
    expect(page.get_by_role("table", name="2 cases")).to_contain_text("Not discussed since allocation")
    assert_accessible(page)
