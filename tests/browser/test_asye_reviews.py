"""A team manager follows an overdue ASYE review from home to recording it, in real Chromium,
with axe-core finding no WCAG 2.2 A or AA violation on each page (docs/metrics.md, "ASYE
progress reviews")."""

import re

from playwright.sync_api import expect

from supervision.demo import DEMO_ACCOUNTS, seed_demo
from supervision.org.models import Role
from tests.browser.conftest import assert_accessible, follow, sign_in


def test_a_team_manager_records_an_overdue_asye_review(page, clock):
    seed_demo()
    manager = next(account for account in DEMO_ACCOUNTS if account.role is Role.SUPERVISOR)
    sign_in(page, manager.email)
    expect(page.locator("#asye-reviews-due")).to_have_text(re.compile(r"^1 review \(1 overdue\)"))

    follow(page.get_by_role("link", name="View ASYE reviews due or overdue on the team dashboard"))
    rows = page.locator('[aria-label="ASYE reviews due or overdue"] tbody tr')
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Overdue")
    assert_accessible(page)

    follow(rows.first.get_by_role("link"))
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    expect(page.get_by_role("row", name=re.compile("6-month progress review"))).to_contain_text("Overdue")
    assert_accessible(page)

    follow(page.get_by_role("button", name="Record a review"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Record an ASYE review")
    expect(page.get_by_label("6-month progress review")).to_be_checked()
    assert_accessible(page)

    follow(page.get_by_role("button", name="Save review"))
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("Enter the date the review was held")
    expect(summary).to_contain_text("Choose the outcome of the review")
    expect(summary).to_contain_text("Enter who took part in the review")
    assert_accessible(page)

    today = clock.today()
    page.get_by_role("textbox", name="Day", exact=True).fill(str(today.day))
    page.get_by_role("textbox", name="Month", exact=True).fill(str(today.month))
    page.get_by_role("textbox", name="Year", exact=True).fill(str(today.year))
    page.get_by_label("Some concerns").check()
    page.get_by_label("Who took part").fill("Team Manager, ASYE assessor\nPractice educator")
    follow(page.get_by_role("button", name="Save review"))

    expect(page.locator(".govuk-notification-banner")).to_contain_text("6-month progress review recorded")
    expect(page.get_by_role("row", name=re.compile("6-month progress review"))).to_contain_text("Done late")
    assert_accessible(page)
