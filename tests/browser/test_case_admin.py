"""Administrators in a real browser: the caseload import and the case oversight limits.

Every page on the way, including its error states, passes axe-core's WCAG 2.2 A and AA checks
(the limits page as it opens is a menu page, checked by test_roles).
"""

import sqlalchemy as sa
from playwright.sync_api import expect

from supervision.cases.models import CaseOversightLimit, ChildCase
from supervision.extensions import db
from supervision.org.models import Role
from tests.browser.conftest import assert_accessible, sign_in
from tests.cases.import_factories import cases_file
from tests.factories import make_service, make_staff, make_team


def csv_upload(data: bytes) -> dict:
    return {"name": "cases.csv", "mimeType": "text/csv", "buffer": data}


def references() -> set[str]:
    db.session.expire_all()
    return set(db.session.scalars(sa.select(ChildCase.reference)))


def test_an_administrator_checks_and_imports_a_caseload(page, clock):
    make_staff(employee_number="E100", email="ann@example.test")
    make_staff(Role.ADMIN, email="admin@example.test")
    sign_in(page, "admin@example.test")

    page.get_by_role("navigation", name="Menu").get_by_role("link", name="Import cases").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Import cases")
    page.get_by_text("The columns the file needs").click()
    assert_accessible(page)

    page.get_by_role("button", name="Check the file").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Select a CSV file to upload")
    expect(page).to_have_title("Error: Import cases – Supervision – Test Council")
    assert_accessible(page)

    page.get_by_label("Upload a CSV file").set_input_files(
        csv_upload(cases_file("CP-1,E100,child_protection,2026-09-01,", "CP-2,E999,fostering,2026-09-01,"))
    )
    page.get_by_role("button", name="Import the file").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("The file has 2 problems in 1 row.")
    expect(page.locator("#import-errors")).to_contain_text(
        "Nobody in the organisation has the employee number E999"
    )
    assert_accessible(page)
    page.locator(".govuk-error-summary a").click()
    expect(page.get_by_label("Upload a CSV file")).to_be_focused()
    assert references() == set()

    page.get_by_label("Upload a CSV file").set_input_files(
        csv_upload(cases_file("CP-1,E100,child_protection,2026-09-01,"))
    )
    page.get_by_role("button", name="Check the file").click()
    expect(page.locator("#check-result")).to_have_text("The file has no problems")
    assert_accessible(page)
    assert references() == set()

    page.get_by_label("Upload a CSV file").set_input_files(
        csv_upload(cases_file("CP-1,E100,child_protection,2026-09-01,"))
    )
    page.get_by_role("button", name="Import the file").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Cases imported: 1 added")
    assert_accessible(page)
    assert references() == {"CP-1"}


def test_an_administrator_sets_limits_and_a_team_override(page, clock):
    make_team("North", service=make_service("Assessment"))
    make_staff(Role.ADMIN, email="admin@example.test")
    sign_in(page, "admin@example.test")

    page.get_by_role("navigation", name="Menu").get_by_role("link", name="Case oversight limits").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Case oversight limits")
    # As it opens, the page is a menu page that test_roles checks with axe-core; its errors are checked here.

    page.get_by_label("Child protection plan (days)").fill("0")
    page.get_by_label("Early help (days)").fill("lots")
    page.get_by_role("button", name="Save limits").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "Child protection plan must be a whole number of days between 1 and 366"
    )
    assert_accessible(page)
    page.locator(".govuk-error-summary a").first.click()
    expect(page.get_by_label("Child protection plan (days)")).to_be_focused()

    page.get_by_label("Child protection plan (days)").fill("21")
    page.get_by_label("Early help (days)").fill("")
    page.get_by_role("button", name="Save limits").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Oversight limits saved.")

    page.get_by_role("button", name="Add a team override").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Add a team override")
    page.get_by_role("button", name="Add override").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Choose a team from the list")
    assert_accessible(page)
    page.get_by_label("Team").select_option(label="Assessment: North")
    page.get_by_label("Category").select_option(label="Child in need")
    page.get_by_label("Longest time without oversight (days)").fill("30")
    page.get_by_role("button", name="Add override").click()
    expect(page.locator("#team-overrides")).to_contain_text("Assessment: North")
    assert_accessible(page)

    page.get_by_role("link", name="Change North, child in need").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Change a team override")
    assert_accessible(page)
    page.get_by_label("Longest time without oversight (days)").fill("35")
    page.get_by_role("button", name="Save").click()
    expect(page.locator("#team-overrides")).to_contain_text("35")

    page.get_by_role("link", name="Remove North, child in need").click()
    assert_accessible(page)
    page.get_by_role("button", name="Remove override").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Override removed")
    db.session.expire_all()
    assert db.session.scalars(sa.select(CaseOversightLimit.days)).all() == [21]
