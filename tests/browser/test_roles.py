"""Each demo account signs in, sees the navigation its role is granted, and every page it reaches
passes axe-core's WCAG 2.2 A and AA checks.

The expected navigation is worked out from `supervision.navigation.NAVIGATION`, so these tests keep
up as features add entries.
"""

import pytest
from flask import url_for
from playwright.sync_api import expect

from supervision.demo import DEMO_ACCOUNTS, DEMO_PASSWORD, DemoAccount
from supervision.navigation import NAVIGATION
from supervision.org.models import Role
from tests.browser.conftest import assert_accessible, sign_in

# The demo is seeded once for the module: these tests sign in and look, and write nothing
# another of them reads (tests/browser/conftest.py).
pytestmark = pytest.mark.usefixtures("shared_demo")


def navigation_for(app, role: Role) -> tuple[list[tuple[str, str]], set[str]]:
    """(label, path) of each entry the role is granted, in order, and the labels of the rest."""
    with app.test_request_context():
        granted = [
            (label, url_for(endpoint))
            for label, endpoint, roles in NAVIGATION
            if roles is None or role in roles
        ]
    withheld = {label for label, _, roles in NAVIGATION if roles is not None and role not in roles}
    return granted, withheld - {label for label, _ in granted}


def menu_links(page) -> list[tuple[str, str]]:
    links = page.get_by_role("navigation", name="Menu").get_by_role("link")
    return [(link.inner_text().strip(), link.get_attribute("href")) for link in links.all()]


@pytest.mark.parametrize("account", DEMO_ACCOUNTS, ids=lambda account: account.role.value)
def test_each_demo_account_sees_its_own_navigation_and_every_page_in_it_is_accessible(
    app, page, account: DemoAccount
):
    granted, withheld = navigation_for(app, account.role)

    sign_in(page, account.email, DEMO_PASSWORD)
    expect(page.get_by_role("heading", level=1)).to_have_text(f"{account.given_name} {account.family_name}")
    seen = menu_links(page)
    assert seen == granted
    assert withheld.isdisjoint(label for label, _ in seen)
    assert_accessible(page)

    for label, path in granted:
        response = page.goto(path)
        assert response.status == 200, f"{label} ({path}) answered {response.status}"
        assert_accessible(page)


def test_the_not_found_and_forbidden_pages_are_accessible(app, page):
    worker = next(account for account in DEMO_ACCOUNTS if account.role is Role.SOCIAL_WORKER)
    _, withheld = navigation_for(app, worker.role)
    with app.test_request_context():
        forbidden_path = next(url_for(endpoint) for label, endpoint, _ in NAVIGATION if label in withheld)

    response = page.goto("/no-such-page")
    assert response.status == 404
    expect(page.get_by_role("heading", level=1)).to_have_text("Page not found")
    assert_accessible(page)

    sign_in(page, worker.email, DEMO_PASSWORD)
    response = page.goto("/no-such-page")
    assert response.status == 404
    assert_accessible(page)

    response = page.goto(forbidden_path)
    assert response.status == 403
    expect(page.get_by_role("heading", level=1)).to_have_text("You do not have permission to see this page")
    assert_accessible(page)
