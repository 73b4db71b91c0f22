"""Printing in real Chromium: the evidence pack and a record's print view fit A4, with no table
wider than the printable width; the oversight figures (15 columns) get an A4 landscape page of
their own; navigation, header, footer and buttons are not printed."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from supervision.extensions import db
from supervision.org.models import Staff
from supervision.records.models import Action, SupervisionRecord
from tests.browser.conftest import follow, sign_in

# The demo is seeded once for the module: these tests sign in and look, and write nothing
# another of them reads (tests/browser/conftest.py).
pytestmark = pytest.mark.usefixtures("shared_demo")

# app.css: @page A4 portrait, margins 12 mm each side; the landscape page, 12 mm each side.
MM = 96 / 25.4
PORTRAIT_WIDTH = int((210 - 24) * MM)  # 703 CSS pixels
LANDSCAPE_WIDTH = int((297 - 24) * MM)  # 1031 CSS pixels
A4_PORTRAIT, A4_LANDSCAPE = (595, 842), (842, 595)  # points, rounded

TABLES = """() => [...document.querySelectorAll('main table')].map(table => ({
  caption: table.caption ? table.caption.textContent.trim() : table.id,
  landscape: getComputedStyle(table.parentElement).page === 'app-landscape',
  right: Math.ceil(table.getBoundingClientRect().right),
  width: Math.ceil(Math.max(table.getBoundingClientRect().width, table.scrollWidth)),
}))"""


def pages_of(pdf: bytes) -> list[tuple[int, int]]:
    """Each page's size in points, from the PDF's page boxes (Chromium writes them uncompressed)."""
    boxes = re.findall(rb"/MediaBox \[0 0 ([\d.]+) ([\d.]+)\]", pdf)
    return [(round(float(width)), round(float(height))) for width, height in boxes]


def assert_tables_fit_when_printed(page) -> list[dict]:
    page.emulate_media(media="print")
    for width, landscape in ((PORTRAIT_WIDTH, False), (LANDSCAPE_WIDTH, True)):
        page.set_viewport_size({"width": width, "height": 1000})
        tables = [table for table in page.evaluate(TABLES) if table["landscape"] is landscape]
        too_wide = [table for table in tables if table["right"] > width or table["width"] > width]
        assert too_wide == [], f"{page.url}: wider than {width}px printed: {too_wide}"
    for hidden in (
        page.get_by_role("navigation", name="Menu"),
        page.locator(".govuk-generic-header"),
        page.locator(".govuk-footer"),
        page.locator(".govuk-phase-banner"),
        page.locator(".govuk-back-link, .govuk-breadcrumbs"),
    ):
        expect(hidden).to_be_hidden()
    return page.evaluate(TABLES)


def test_the_evidence_pack_prints_on_a4_with_the_wide_figures_on_a_landscape_page(app, page):
    sign_in(page, "service.manager@demo.test")
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
    page.goto("/oversight")
    follow(page.get_by_role("table", name=re.compile("^Figures by service")).get_by_role("link").first)
    follow(page.get_by_role("table", name=re.compile("^Figures by team")).get_by_role("link").first)
    follow(page.get_by_role("link", name="Evidence pack for inspectors (printable)"))

    tables = assert_tables_fit_when_printed(page)
    assert [table["caption"] for table in tables if table["landscape"]] == ["Figures by worker"]
    assert len(tables) >= 5

    sizes = pages_of(page.pdf(prefer_css_page_size=True))
    assert set(sizes) == {A4_PORTRAIT, A4_LANDSCAPE}
    assert sizes[0] == A4_PORTRAIT


def test_a_record_prints_on_a4_portrait(app, page):
    manager = db.session.scalar(sa.select(Staff).where(Staff.email == "team.manager@demo.test"))
    record_id = db.session.scalar(
        sa.select(SupervisionRecord.id)
        .join(Action, Action.record_id == SupervisionRecord.id)
        .where(SupervisionRecord.supervisee_id == manager.id)
        .limit(1)
    )
    sign_in(page, manager.email)
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
    page.goto(f"/records/{record_id}")
    follow(page.get_by_role("link", name="Print view of the whole record"))
    page.set_viewport_size({"width": 320, "height": 640})
    assert page.evaluate("document.documentElement.scrollWidth") <= 320

    tables = assert_tables_fit_when_printed(page)
    assert any(table["caption"] == "New actions" for table in tables)

    sizes = pages_of(page.pdf(prefer_css_page_size=True))
    assert sizes and set(sizes) == {A4_PORTRAIT}
