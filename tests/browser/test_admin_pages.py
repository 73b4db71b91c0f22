"""An administrator sets up the organisation in a real browser; every page passes axe-core (the
menu pages as they open are checked by test_roles)."""

import re

from playwright.sync_api import expect

from supervision import limits
from supervision.org.models import Role
from tests.browser.conftest import assert_accessible, follow, sign_in
from tests.factories import make_staff


def test_an_admin_sets_up_a_service_a_team_and_a_person_then_edits_and_deactivates_them(page):
    make_staff(Role.ADMIN, email="admin@example.test", given_name="Ada", family_name="Admin")
    make_staff(Role.SERVICE_MANAGER, given_name="Hana", family_name="Head", job_title="Head of service")
    sign_in(page, "admin@example.test")

    # A service, after a refused attempt with no name.
    page.get_by_role("navigation", name="Menu").get_by_role("link", name="Services and teams").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Services and teams")
    # Menu pages as they open (here and Staff below) are test_roles's to check with axe-core.
    follow(page.get_by_role("button", name="Add a service"))
    assert_accessible(page)
    page.get_by_role("button", name="Add service").click()
    expect(page).to_have_title(re.compile(r"^Error: Add a service"))
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter the service name")
    assert_accessible(page)
    page.get_by_label("Service name").fill("Early Help")
    page.get_by_label("Head of service").select_option(label="Hana Head (Head of service)")
    page.get_by_role("button", name="Add service").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Service added: Early Help")
    assert_accessible(page)

    # A team in it.
    follow(page.get_by_role("link", name="Add a team to Early Help"))
    assert_accessible(page)
    page.get_by_label("Team name").fill("Family Support")
    page.get_by_label("Establishment (FTE)").fill("6.5")
    page.get_by_role("button", name="Add team").click()
    teams = page.get_by_role("table", name="Teams in Early Help")
    expect(teams).to_contain_text("Family Support")
    expect(teams).to_contain_text("6.5")

    # A member of staff with two roles, after a refused attempt.
    follow(page.get_by_role("navigation", name="Menu").get_by_role("link", name="Staff", exact=True))
    follow(page.get_by_role("button", name="Add a member of staff"))
    assert_accessible(page)
    page.get_by_label("Given name").fill("Sam")
    page.get_by_label("Full-time equivalent (FTE)").fill("1.5")
    page.get_by_role("button", name="Add member of staff").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("Enter the family name")
    expect(summary).to_contain_text("Choose a career stage")
    expect(summary).to_contain_text("Enter the start date")
    assert_accessible(page)
    summary.get_by_role("link", name="Enter the family name").click()
    expect(page.get_by_label("Family name")).to_be_focused()

    page.get_by_label("Family name").fill("Okafor")
    page.get_by_label("Email address").fill("Sam.Okafor@Example.test")
    page.get_by_label("Employee number (optional)").fill("E1001")
    page.get_by_label("Job title (optional)").fill("Social worker")
    page.get_by_role("group", name="Career stage").get_by_label("ASYE / newly qualified").check()
    page.get_by_label("Team", exact=True).select_option(label="Early Help: Family Support")
    page.get_by_role("group", name="Contract").get_by_label("Permanent").check()
    page.get_by_label("Full-time equivalent (FTE)").fill("0.8")
    start = page.get_by_role("group", name="Start date")
    start.get_by_label("Day").fill("7")
    start.get_by_label("Month").fill("9")
    start.get_by_label("Year").fill("2026")
    roles = page.get_by_role("group", name="Roles")
    roles.get_by_label("Social worker").check()
    roles.get_by_label("Supervisor").check()
    page.get_by_role("button", name="Add member of staff").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Sam Okafor")
    expect(page.locator("main")).to_contain_text("sam.okafor@example.test")
    expect(page.locator("main")).to_contain_text("Social worker, Supervisor")
    assert_accessible(page)

    # In the list, found by search.
    follow(page.get_by_role("navigation", name="Menu").get_by_role("link", name="Staff", exact=True))
    page.get_by_label("Search by name, email or employee number").fill("okafor")
    page.get_by_role("button", name="Search").click()
    rows = page.locator("main tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Okafor, Sam")
    expect(rows.first).to_contain_text("Family Support")
    assert_accessible(page)

    # Edited.
    rows.first.get_by_role("link", name="Okafor, Sam").click()
    follow(page.get_by_role("button", name="Edit details of Sam Okafor"))
    assert_accessible(page)
    page.get_by_label("Job title (optional)").fill("Advanced practitioner")
    page.get_by_role("group", name="Roles").get_by_label("Supervisor").uncheck()
    page.get_by_role("button", name="Save changes").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Staff details updated: Sam Okafor")
    expect(page.locator(".govuk-caption-l")).to_have_text("Advanced practitioner")
    expect(page.locator("main")).not_to_contain_text("Social worker, Supervisor")

    # Deactivated, after a confirmation page.
    page.get_by_role("button", name="Deactivate Sam Okafor").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Are you sure you want to deactivate Sam Okafor?"
    )
    assert_accessible(page)
    page.get_by_role("button", name="Deactivate Sam Okafor").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("can no longer sign in")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Deactivated")
    expect(page.get_by_role("button", name="Reactivate Sam Okafor")).to_be_visible()
    assert_accessible(page)


def test_in_a_large_organisation_the_line_manager_is_typed_and_found(page, monkeypatch):
    """More active people than a select can offer: the line manager is an email address or
    employee number, with its hint and its error in the error summary (axe-core on each)."""
    monkeypatch.setattr(limits, "MAX_LISTED_MANAGERS", 0)
    make_staff(Role.ADMIN, email="admin@example.test", given_name="Ada", family_name="Admin")
    make_staff(Role.SUPERVISOR, given_name="Dana", family_name="Reid", employee_number="E4321")
    sign_in(page, "admin@example.test")
    follow(page.get_by_role("navigation", name="Menu").get_by_role("link", name="Staff", exact=True))
    follow(page.get_by_role("button", name="Add a member of staff"))
    line_manager = page.get_by_label("Line manager's email address or employee number")
    expect(line_manager).to_have_accessible_description("Leave empty for no line manager.")
    assert_accessible(page)

    page.get_by_label("Given name").fill("Sam")
    page.get_by_label("Family name").fill("Okafor")
    page.get_by_label("Email address", exact=True).fill("sam.okafor@example.test")
    page.get_by_role("group", name="Career stage").get_by_label("ASYE / newly qualified").check()
    page.get_by_role("group", name="Contract").get_by_label("Permanent").check()
    page.get_by_label("Full-time equivalent (FTE)").fill("1")
    start = page.get_by_role("group", name="Start date")
    start.get_by_label("Day").fill("7")
    start.get_by_label("Month").fill("9")
    start.get_by_label("Year").fill("2026")
    line_manager.fill("nobody@example.test")
    page.get_by_role("button", name="Add member of staff").click()
    message = "No one in your organisation has that email address or employee number"
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text(message)
    assert_accessible(page)
    summary.get_by_role("link", name=message).click()
    expect(line_manager).to_be_focused()

    line_manager.fill("e4321")
    page.get_by_role("button", name="Add member of staff").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Sam Okafor")
    expect(page.locator("main")).to_contain_text("Dana Reid")
    follow(page.get_by_role("button", name="Edit details of Sam Okafor"))
    expect(line_manager).to_have_value(re.compile(r"@"))
    expect(line_manager).to_have_accessible_description(re.compile(r"^Currently: Dana Reid \("))
    assert_accessible(page)
