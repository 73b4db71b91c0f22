"""Each demo account signs in and sees the navigation its role is granted; then it walks every page
its menu reaches and one page of each kind linked from them (records, sessions, people, staff,
oversight for a service, team and person, the evidence pack...) at 320 CSS pixels wide.

At that width (a small phone, or 1280 px zoomed to 400%: WCAG 1.4.10 Reflow) no page scrolls
sideways: wide tables scroll inside their own labelled, focusable region. axe-core finds no WCAG 2.2
A or AA problem on any page of the walk, checked at that width, where the tables overflow their
regions and the menu is folded. Every page of the menu is checked at full width too, with the menu
unfolded and the tables whole: at 320 pixels axe cannot check the contrast of cells clipped by a
scroll region.

axe-core runs on a page unless this module has already passed one of the same kind, at the same
width, built of the same elements (`assert_accessible_once`): another account's view of a page
is checked again when the role changes what it shows (a button, a section, a coloured tag: every
account's home page, a record or a person's supervision as supervisor and as supervisee), not when
only the words and numbers differ. The width check, the status and the links stay per account.
Other modules leave menu pages as they open to this walk and check only the states they reach
(errors, banners, filters, open details). Run alone, an account's test checks every page it walks.

The expected navigation is worked out from `supervision.navigation.NAVIGATION`, so these tests keep
up as features add entries.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest
from flask import url_for
from playwright.sync_api import expect

from supervision.demo import DEMO_ACCOUNTS, DemoAccount
from supervision.navigation import NAVIGATION
from supervision.org.models import Role
from tests.browser.conftest import BUILT_OF, assert_accessible, sign_in

# The demo is seeded once for the module: these tests sign in and look, and write nothing
# another of them reads (tests/browser/conftest.py).
pytestmark = pytest.mark.usefixtures("shared_demo")

NARROW = {"width": 320, "height": 640}
NOT_PAGES = re.compile(r"\.(csv|xlsx|json|ics)$|^/sign-out|^/assets/|^/static/")
PAGES_PER_ACCOUNT = 45


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


def kind_of(path: str) -> str:
    """One page of each kind is enough: /records/12 and /records/40 are drawn by one template."""
    return re.sub(r"\d+", "N", path)


def page_width(page) -> int:
    return page.evaluate("document.documentElement.scrollWidth")


# A page's build, short of its words (tests/browser/conftest.py): two pages with the same one differ
# in words and numbers, not in the markup and colours axe-core judges.
STRUCTURE = f"() => ({BUILT_OF})(document.body)"

# (kind, width, structure) of the pages axe-core has passed in this module, across its accounts.
CHECKED: set[tuple[str, int, str]] = set()


def assert_accessible_once(page, path: str) -> None:
    """axe-core on the page, unless this module has already passed a page of the same kind, at the
    same width, built of the same elements (another account's view, or the same page again)."""
    key = (kind_of(urlsplit(path).path), page.viewport_size["width"], page.evaluate(STRUCTURE))
    if key not in CHECKED:
        assert_accessible(page)
        CHECKED.add(key)


def links_on(page, origin: str) -> list[str]:
    hrefs = page.eval_on_selector_all("main a[href]", "links => links.map(link => link.href)")
    paths = []
    for href in hrefs:
        parts = urlsplit(href)
        if f"{parts.scheme}://{parts.netloc}" != origin or NOT_PAGES.search(parts.path):
            continue
        paths.append(parts.path + (f"?{parts.query}" if parts.query else ""))
    return paths


@pytest.mark.parametrize("account", DEMO_ACCOUNTS, ids=lambda account: account.role.value)
def test_each_demo_account_sees_its_own_navigation_and_every_page_it_reaches_is_accessible_at_320_pixels(
    app, page, base_url, account: DemoAccount
):
    granted, withheld = navigation_for(app, account.role)

    sign_in(page, account.email)
    expect(page.get_by_role("heading", level=1)).to_have_text(f"{account.given_name} {account.family_name}")
    seen = menu_links(page)
    assert seen == granted
    assert withheld.isdisjoint(label for label, _ in seen)

    queue = ["/service-status"]
    seen_kinds: set[str] = set()
    too_wide = []

    def look_at_320_pixels(path: str) -> None:
        if (width := page_width(page)) > NARROW["width"]:
            too_wide.append(f"{path}: {width}px")
        assert_accessible_once(page, path)
        queue.extend(links_on(page, base_url))

    # Each menu page is loaded once, checked at full width, then narrowed to 320 pixels: narrowing
    # the window is cheap, and the page's script folds the menu as it would on a phone.
    full = page.viewport_size
    for label, path in granted:
        page.set_viewport_size(full)
        response = page.goto(path)
        assert response.status == 200, f"{label} ({path}) answered {response.status}"
        assert_accessible_once(page, path)
        page.set_viewport_size(NARROW)
        expect(page.locator(".govuk-js-service-navigation-toggle")).to_be_visible()
        seen_kinds.add(kind_of(path))
        look_at_320_pixels(path)

    # The same signed-in page walks on at 320 pixels, one page of each kind the menu pages link to.
    while queue and len(seen_kinds) < PAGES_PER_ACCOUNT:
        path = queue.pop(0)
        kind = kind_of(urlsplit(path).path)
        if kind in seen_kinds:
            continue
        seen_kinds.add(kind)
        response = page.goto(path)
        assert response.status == 200, f"{path} answered {response.status}"
        look_at_320_pixels(path)
    assert too_wide == []
    assert len(seen_kinds) >= 5


def test_the_not_found_and_forbidden_pages_are_accessible(app, page):
    worker = next(account for account in DEMO_ACCOUNTS if account.role is Role.SOCIAL_WORKER)
    _, withheld = navigation_for(app, worker.role)
    with app.test_request_context():
        forbidden_path = next(url_for(endpoint) for label, endpoint, _ in NAVIGATION if label in withheld)

    response = page.goto("/no-such-page")
    assert response.status == 404
    expect(page.get_by_role("heading", level=1)).to_have_text("Page not found")
    assert_accessible(page)

    sign_in(page, worker.email)
    response = page.goto("/no-such-page")
    assert response.status == 404
    assert_accessible(page)

    response = page.goto(forbidden_path)
    assert response.status == 403
    expect(page.get_by_role("heading", level=1)).to_have_text("You do not have permission to see this page")
    assert_accessible(page)
