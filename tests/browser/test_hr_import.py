"""HR in a real browser: the staff import's upload, preview and confirm, and the retention page.

Every page on the way, including its error states, passes axe-core's WCAG 2.2 A and AA checks.
"""

import sqlalchemy as sa
from playwright.sync_api import expect

from supervision.extensions import db
from supervision.hr import views as hr_views
from supervision.org.models import Role, Staff
from tests.browser.conftest import assert_accessible, follow, sign_in
from tests.factories import make_service, make_staff, make_team
from tests.hr.conftest import seed_workforce
from tests.hr.test_import import person_line, staff_file


def csv_upload(data: bytes) -> dict:
    return {"name": "staff.csv", "mimeType": "text/csv", "buffer": data}


def imported_numbers() -> set[str]:
    db.session.expire_all()
    return set(db.session.scalars(sa.select(Staff.employee_number).where(Staff.employee_number.like("P%"))))


def test_hr_upload_check_and_confirm_a_staff_import(page, clock):
    make_team("North", service=make_service("Assessment"))
    make_staff(Role.HR, email="hr@example.test", given_name="Harriet", family_name="Hr")
    sign_in(page, "hr@example.test")

    page.get_by_role("navigation", name="Menu").get_by_role("link", name="Import staff").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Import staff")
    page.get_by_text("The columns the file needs").click()
    assert_accessible(page)

    page.get_by_role("button", name="Check the file").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Select a CSV file to upload")
    expect(page).to_have_title("Error: Import staff – Supervision – Test Council")
    assert_accessible(page)

    page.get_by_label("Upload a CSV file").set_input_files(
        csv_upload(staff_file([person_line(1), person_line(2, fte="2", team="Nowhere")]))
    )
    page.get_by_role("button", name="Check the file").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("The file has 2 problems in 1 row.")
    expect(page.locator("#import-errors")).to_contain_text("There is no team called Nowhere")
    assert_accessible(page)
    page.locator(".govuk-error-summary a").click()
    expect(page.get_by_label("Upload a CSV file")).to_be_focused()
    assert imported_numbers() == set()

    page.get_by_label("Upload a CSV file").set_input_files(
        csv_upload(staff_file([person_line(1), person_line(2, line_manager_employee_number="P00001")]))
    )
    page.get_by_role("button", name="Check the file").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check the staff import")
    expect(page.locator("#creates")).to_contain_text("Given Family 2")
    assert_accessible(page)
    assert imported_numbers() == set()

    page.get_by_role("button", name="Import staff").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text(
        "Staff imported: 2 people added, 0 people updated, 0 people recorded as leavers, 0 people unchanged."
    )
    assert_accessible(page)
    assert imported_numbers() == {"P00001", "P00002"}


def test_hr_cancel_an_import_and_nothing_changes(page, clock):
    make_team("North", service=make_service("Assessment"))
    make_staff(Role.HR, email="hr@example.test")
    sign_in(page, "hr@example.test")
    page.goto("/staff-import")
    page.get_by_label("Upload a CSV file").set_input_files(csv_upload(staff_file([person_line(1)])))
    page.get_by_role("button", name="Check the file").click()
    page.get_by_role("button", name="Cancel this import").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text(
        "Import cancelled. Nothing was changed."
    )
    assert imported_numbers() == set()


def test_the_retention_page_and_recording_a_leaver_are_accessible(page, clock):
    seed_workforce()
    make_staff(Role.HR, email="hr@example.test")
    sign_in(page, "hr@example.test")
    page.get_by_role("navigation", name="Menu").get_by_role("link", name="Retention").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Retention")
    page.get_by_text("Monthly trend for Assessment").click()
    page.get_by_text("Which snapshot dates you can choose").click()
    expect(page.locator("#snapshot-dates")).to_be_visible()
    assert_accessible(page)  # with both of its details open (the page is a heavy one for axe-core)

    page.get_by_role("group", name="Snapshot date").get_by_label("Day").fill("31")
    page.get_by_role("group", name="Snapshot date").get_by_label("Month").fill("2")
    page.get_by_role("button", name="Show figures").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Snapshot date must be a real date")
    assert_accessible(page)

    page.get_by_role("link", name="Record a leaver").click()
    page.get_by_role("button", name="Record leaver").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter the employee number")
    assert_accessible(page)
    page.get_by_label("Employee number").fill("N1")
    page.get_by_role("group", name="Last day of employment").get_by_label("Day").fill("31")
    page.get_by_role("group", name="Last day of employment").get_by_label("Month").fill("8")
    page.get_by_role("group", name="Last day of employment").get_by_label("Year").fill("2026")
    page.get_by_label("Where are they going?").select_option("retired")
    page.get_by_role("button", name="Record leaver").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Leaver recorded: Person N1")
    assert_accessible(page)


def test_a_large_organisations_retention_page_shows_one_services_teams_at_a_time(page, clock, monkeypatch):
    monkeypatch.setattr(hr_views, "TEAMS_ON_ONE_PAGE", 2)  # the workforce has 3 teams
    seed_workforce()
    make_staff(Role.HR, email="hr@example.test")
    sign_in(page, "hr@example.test")
    follow(page.get_by_role("navigation", name="Menu").get_by_role("link", name="Retention"))
    expect(page.locator("#teams-shown")).to_contain_text("has 3 teams")
    expect(page.locator("tbody th", has_text="a team in Assessment")).to_have_count(0)
    expect(page.locator("tbody th", has_text="Assessment (service)")).to_have_count(6)
    assert_accessible(page)

    follow(page.get_by_role("link", name="Assessment (service): show its teams").first)
    expect(page.locator("#teams-shown")).to_contain_text("The tables show the teams of Assessment")
    expect(page.locator("tbody th", has_text="North, a team in Assessment")).to_have_count(6)
    assert_accessible(page)


def test_the_retention_page_says_why_figures_are_withheld_and_which_dates_exist(page, clock):
    seed_workforce()
    make_staff(Role.HR, email="hr@example.test")
    sign_in(page, "hr@example.test")
    follow(page.get_by_role("navigation", name="Menu").get_by_role("link", name="Retention"))
    key = page.locator("#withheld-key")
    expect(key).to_contain_text("fewer than 5")
    expect(key).to_contain_text("cannot be worked out by subtracting the others")
    # A withheld cell, read out by a screen reader as its row and column, says "withheld".
    expect(page.locator("#in-post ~ .app-table-scroll td", has_text="withheld").first).to_be_visible()

    page.get_by_text("Which snapshot dates you can choose").click()
    expect(page.locator("#snapshot-dates")).to_contain_text("Any month’s last day from 31 January 2000")
    # axe-core: the retention page with these details open is checked by the test of recording a leaver.

    follow(page.locator("#recent-snapshots").get_by_role("link", name="31 October 2026"))
    expect(
        page.get_by_role("heading", name="Registered social workers in post on 31 October 2026")
    ).to_be_visible()
    expect(page.locator("#flows-not-shown")).to_contain_text("census dates (30 September) only")
    expect(page.locator("#length-of-service")).to_have_count(0)
    assert_accessible(page)

    page.get_by_role("group", name="Snapshot date").get_by_label("Day").fill("27")
    page.get_by_role("group", name="Snapshot date").get_by_label("Month").fill("9")
    page.get_by_role("group", name="Snapshot date").get_by_label("Year").fill("2026")
    page.get_by_role("button", name="Show figures").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "Snapshot date must be the last day of a month"
    )
    assert_accessible(page)
