"""Each demo account's home page, in real Chromium: its role's to-do list, every link on it
opens, counts match the page behind the link, and axe-core finds no WCAG 2.2 A or AA violation on
the pages behind them (the home pages themselves are test_roles's to check)."""

import re

import pytest
from playwright.sync_api import expect

from supervision.demo import DEMO_ACCOUNTS, DemoAccount
from supervision.org.models import Role
from tests.browser.conftest import assert_accessible, follow, sign_in

# The demo is seeded once for the module: these tests sign in and look, and write nothing
# another of them reads (tests/browser/conftest.py).
pytestmark = pytest.mark.usefixtures("shared_demo")

# The heading of the to-do list each role has on its home page.
TO_DO_HEADINGS = {
    Role.SOCIAL_WORKER: "Your supervision",
    Role.SUPERVISOR: "The people you supervise or manage",
    Role.SERVICE_MANAGER: "Teams with the largest gaps",
    Role.HR: re.compile(r"^Retention on "),
    Role.ADMIN: "Administration",
}


def count_in(text: str) -> int:
    return int(re.match(r"\s*(\d+)", text).group(1))


@pytest.mark.parametrize("account", DEMO_ACCOUNTS, ids=lambda account: account.role.value)
def test_each_roles_home_page_is_its_to_do_list_and_every_link_on_it_opens(page, account: DemoAccount):
    sign_in(page, account.email)

    expect(page.get_by_role("heading", level=2, name=TO_DO_HEADINGS[account.role])).to_be_visible()
    for role, heading in TO_DO_HEADINGS.items():
        if role is not account.role and role in (Role.HR, Role.ADMIN, Role.SERVICE_MANAGER):
            expect(page.get_by_role("heading", level=2, name=heading)).to_have_count(0)
    # axe-core: test_roles checks each account's home page, this same page, at full width and 320 px.
    links = page.locator("section.app-to-do a")
    assert links.count() > 0
    for href in {link.get_attribute("href") for link in links.all()}:
        response = page.request.get(href)
        assert response.status == 200, f"{href} answered {response.status}"


def test_a_team_managers_counts_are_the_team_dashboards(page):
    manager = next(account for account in DEMO_ACCOUNTS if account.role is Role.SUPERVISOR)
    sign_in(page, manager.email)

    for name in ("escalated", "overdue"):
        page.goto("/")
        shown = count_in(page.locator(f"#people-{name}").inner_text())
        follow(page.get_by_role("link", name=f"View the people whose supervision is {name}"))
        rows = page.locator("#supervisees tbody tr")
        assert rows.count() == shown, name
        if name == "escalated":  # the dashboard filtered by a status: once is enough for axe-core
            assert_accessible(page)


def test_a_social_workers_next_due_date_links_to_why(page):
    worker = next(account for account in DEMO_ACCOUNTS if account.role is Role.SOCIAL_WORKER)
    sign_in(page, worker.email)
    status, due = re.match(
        r"\s*(On track|Due soon|Overdue|Escalated|Paused|No agreement)\s+(.*)",
        page.locator("#my-next-due").inner_text(),
    ).groups()

    follow(page.get_by_role("link", name=re.compile(r"^Why")))

    expect(page.get_by_role("heading", level=1)).to_have_text(f"{worker.given_name} {worker.family_name}")
    main = page.locator("main").inner_text()
    assert f"Status\t{status}" in main
    assert f"Next supervision\t{due.strip()}" in main
    assert_accessible(page)


def test_an_administrators_people_without_an_agreement_are_the_staff_lists(page):
    admin = next(account for account in DEMO_ACCOUNTS if account.role is Role.ADMIN)
    sign_in(page, admin.email)
    shown = count_in(page.locator("#without-agreement").inner_text())

    follow(page.get_by_role("link", name="View people without a supervision agreement"))

    expect(page.locator("#staff-count")).to_contain_text(str(shown))
    assert_accessible(page)
