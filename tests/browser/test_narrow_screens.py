"""At 320 CSS pixels wide (a small phone, or 1280 px zoomed to 400%: WCAG 1.4.10 Reflow) no page
scrolls sideways: wide tables scroll inside their own labelled, focusable region. Each demo
account walks every page its menu reaches and one page of each kind linked from them (records,
sessions, people, staff, oversight for a service, team and person, the evidence pack...), and
axe-core finds no WCAG 2.2 A or AA problem on any of them at that width.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from supervision.demo import DEMO_ACCOUNTS, DEMO_PASSWORD, DemoAccount
from tests.browser.conftest import assert_accessible, sign_in

# The demo is seeded once for the module: these tests sign in and look, and write nothing
# another of them reads (tests/browser/conftest.py).
pytestmark = pytest.mark.usefixtures("shared_demo")

NARROW = {"width": 320, "height": 640}
NOT_PAGES = re.compile(r"\.(csv|xlsx|json|ics)$|^/sign-out|^/assets/|^/static/")
PAGES_PER_ACCOUNT = 45


def kind_of(path: str) -> str:
    """One page of each kind is enough: /records/12 and /records/40 are drawn by one template."""
    return re.sub(r"\d+", "N", path)


def page_width(page) -> int:
    return page.evaluate("document.documentElement.scrollWidth")


def links_on(page, origin: str) -> list[str]:
    hrefs = page.eval_on_selector_all("main a[href]", "links => links.map(link => link.href)")
    paths = []
    for href in hrefs:
        parts = urlsplit(href)
        if f"{parts.scheme}://{parts.netloc}" != origin or NOT_PAGES.search(parts.path):
            continue
        paths.append(parts.path + (f"?{parts.query}" if parts.query else ""))
    return paths


@pytest.fixture
def narrow_page(browser, base_url):
    context = browser.new_context(viewport=NARROW, base_url=base_url)
    yield context.new_page()
    context.close()


@pytest.mark.parametrize("account", DEMO_ACCOUNTS, ids=lambda account: account.role.value)
def test_no_page_scrolls_sideways_at_320_pixels(app, narrow_page, base_url, account: DemoAccount):
    page = narrow_page
    sign_in(page, account.email, DEMO_PASSWORD)
    expect(page.get_by_role("heading", level=1)).to_have_text(f"{account.given_name} {account.family_name}")
    # At this width the menu is folded behind its "Menu" button: read its links' addresses directly.
    menu = page.eval_on_selector_all(
        ".govuk-service-navigation__list a[href]", "links => links.map(l => l.href)"
    )
    queue = [urlsplit(href).path for href in menu]
    assert len(queue) >= 3
    queue.append("/service-status")
    seen_kinds: set[str] = set()
    too_wide = []
    while queue and len(seen_kinds) < PAGES_PER_ACCOUNT:
        path = queue.pop(0)
        kind = kind_of(urlsplit(path).path)
        if kind in seen_kinds:
            continue
        seen_kinds.add(kind)
        response = page.goto(path)
        assert response.status == 200, f"{path} answered {response.status}"
        if (width := page_width(page)) > NARROW["width"]:
            too_wide.append(f"{path}: {width}px")
        assert_accessible(page)
        queue.extend(links_on(page, base_url))
    assert too_wide == []
    assert len(seen_kinds) >= 5
