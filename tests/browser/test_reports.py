"""Reports in a real browser: drilling down from the organisation to a worker, the team dashboard,
the evidence pack and a quality audit; axe-core finds no WCAG 2.2 AA problem on any page (the
menu pages as they open are checked by test_roles)."""

import re

from playwright.sync_api import expect

from tests.browser.conftest import assert_accessible, follow, sign_in
from tests.reports.conftest import org  # noqa: F401 (the hand-worked organisation, a fixture)


def test_a_head_of_service_drills_down_from_the_organisation_to_a_worker(page, org):  # noqa: F811
    sign_in(page, org.hana.email)

    page.get_by_role("navigation", name="Menu").get_by_role("link", name="Oversight").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(org.hana.organisation.name)
    expect(page.get_by_role("figure").first).to_contain_text("Sessions held on time")
    # axe-core: test_roles checks the organisation's page at both widths (the service manager's menu).

    page.get_by_role("table", name="Figures by service").get_by_role("link", name="Assessment").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Assessment")
    expect(page.get_by_role("table", name="Figures for Assessment")).to_contain_text("67%")
    assert_accessible(page)

    page.get_by_role("table", name="Figures by team").get_by_role("link", name="Assessment A").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Assessment A")
    # axe-core: test_changes_after_close checks this team's page, for this organisation, with more on it.

    page.get_by_role("table", name="Figures by worker").get_by_role("link", name="Alice Adams").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Alice Adams")
    expect(page).to_have_url(re.compile(rf"/oversight/people/{org.alice.id}\?"))
    expect(page.get_by_role("table", name="Figures for Alice Adams")).to_contain_text("33%")
    breadcrumbs = page.get_by_role("navigation", name="Breadcrumb")
    expect(breadcrumbs).to_contain_text("Assessment A")
    assert_accessible(page)

    page.get_by_role("link", name="Alice Adams’s supervision records").click()
    expect(page).to_have_url(re.compile(rf"/people/{org.alice.id}/supervision$"))


def test_the_definitions_open_and_a_bad_period_is_explained(page, org):  # noqa: F811
    sign_in(page, org.hana.email)
    page.goto("/oversight")

    page.get_by_text("How these figures are worked out").click()
    expect(page.get_by_text("The longest time anyone went without supervision")).to_be_visible()
    assert_accessible(page)

    expect(page.get_by_text("Whole months only.")).to_be_visible()
    page.get_by_label("From", exact=True).select_option(label="November 2026")
    page.get_by_label("To", exact=True).select_option(label="October 2026")
    page.get_by_role("button", name="Show figures").click()
    expect(page).to_have_title(re.compile(r"^Error: "))
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("The end month must be the same as or after the start month")
    summary.get_by_role("link").click()
    expect(page.get_by_label("To", exact=True)).to_be_focused()
    assert_accessible(page)


def test_a_supervisor_sorts_and_filters_the_team_dashboard(page, org):  # noqa: F811
    sign_in(page, org.sam.email)

    page.get_by_role("navigation", name="Menu").get_by_role("link", name="Team dashboard").click()
    table = page.get_by_role("table", name="4 people")
    expect(table.get_by_role("row").nth(1)).to_contain_text("Alice Adams")
    # axe-core: test_roles checks the dashboard unsorted and unfiltered; here, sorted and filtered.

    table.get_by_role("link", name=re.compile("^Name")).click()
    table = page.get_by_role("table", name="4 people")
    name_header = table.get_by_role("columnheader", name=re.compile("^Name"))
    expect(name_header).to_have_attribute("aria-sort", "ascending")
    expect(table.get_by_role("row").nth(4)).to_contain_text("Dev Dutta")

    page.get_by_label("Status").select_option(label="Paused")
    page.get_by_role("button", name="Apply filters").click()
    expect(page.get_by_role("table", name="1 person")).to_contain_text("Dev Dutta")
    expect(page.get_by_role("table", name="Supervision in each of the last 12 months")).to_contain_text(
        "Paused"
    )
    assert_accessible(page)


def test_the_evidence_pack_and_a_quality_audit_are_accessible(page, org):  # noqa: F811
    sign_in(page, org.hana.email)

    page.goto(f"/oversight/teams/{org.team_a.id}")
    page.get_by_role("link", name="Evidence pack for inspectors (printable)").click()
    expect(page.get_by_role("heading", level=2, name="4. Quality audits")).to_be_visible()
    assert_accessible(page)
    page.emulate_media(media="print")
    expect(page.get_by_role("navigation", name="Menu")).to_be_hidden()
    expect(page.get_by_role("button", name="Show figures")).to_be_hidden()
    page.emulate_media(media="screen")

    # The list of audits is the service manager's menu page: test_roles checks it with axe-core.
    follow(page.get_by_role("navigation", name="Menu").get_by_role("link", name="Quality audits"))
    page.get_by_role("button", name="Choose records to audit").click()
    page.get_by_label("Offer me a random sample of").select_option(label="3 records")
    page.get_by_role("button", name="Show records").click()
    expect(page.get_by_role("table", name="A random sample of 3 records")).to_be_visible()
    assert_accessible(page)

    page.get_by_role("link", name=re.compile("^Audit")).first.click()
    page.get_by_role("button", name="Save audit").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Choose a grade")
    assert_accessible(page)
    for question in page.locator(".govuk-radios--inline").all():
        question.get_by_label("Yes").check()
    page.get_by_label("Good", exact=True).check()
    page.get_by_role("button", name="Save audit").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Audit saved: Good")
    expect(page.get_by_role("heading", level=1)).to_have_text("Quality audit: Good")
    assert_accessible(page)
