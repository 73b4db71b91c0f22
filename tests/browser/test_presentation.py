"""Small presentation defects from issue 17, in real Chromium: the case cards' "Change" and
"Remove" look like the service's links (not black Times New Roman), the session page has a back
link, and the header and footer are the council's, not GOV.UK's."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from supervision.org.models import Role
from tests.browser.conftest import assert_accessible, follow, sign_in
from tests.factories import make_agreement, make_record, make_service, make_staff, make_team

LINK_BLUE = "rgb(29, 112, 184)"


def test_case_card_buttons_look_like_links_and_the_session_page_has_a_back_link(page):
    head = make_staff(Role.SERVICE_MANAGER)
    supervisor = make_staff(Role.SUPERVISOR, line_manager=head)
    team = make_team(service=make_service(manager=head), manager=supervisor)
    worker = make_staff(
        Role.SOCIAL_WORKER, team=team, line_manager=supervisor, given_name="Ama", family_name="Boateng"
    )
    make_agreement(worker, supervisor)
    record = make_record(worker, supervisor, complete=True)

    sign_in(page, supervisor.email)
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
    page.goto(f"/records/{record.id}")
    card = page.locator(".govuk-summary-card", has_text="Case CH-1001")
    for name in ("Change", "Remove"):
        button = card.get_by_role("button", name=re.compile(f"^{name}"))
        style = button.evaluate("b => { const s = getComputedStyle(b); return [s.fontFamily, s.color]; }")
        assert style[0].startswith('"GDS Transport"'), style
        assert style[1] == LINK_BLUE, style
    assert_accessible(page)

    follow(page.get_by_role("link", name="Back to the session"))
    back = page.locator(".govuk-back-link")
    expect(back).to_have_text("Back to Ama Boateng’s supervision")
    assert_accessible(page)
    follow(back)
    expect(page).to_have_url(re.compile(rf"/people/{worker.id}/supervision$"))

    follow(page.get_by_role("button", name="Sign out"))
    sign_in(page, worker.email)
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
    page.goto(f"/sessions/{record.session_id}")
    expect(page.locator(".govuk-back-link")).to_have_text("Back to my supervision")


def test_the_header_and_footer_are_the_councils(page):
    worker = make_staff(Role.SOCIAL_WORKER)
    sign_in(page, worker.email)
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
    header = page.locator("header")
    expect(header.get_by_role("link", name="Test Council")).to_be_visible()
    expect(header.get_by_role("link", name="Supervision", exact=True)).to_be_visible()
    expect(page).to_have_title("Home – Supervision – Test Council")
    expect(page.locator("header svg, footer svg")).to_have_count(0)
    expect(page.locator("footer")).not_to_contain_text("Crown copyright")
    follow(page.get_by_role("link", name="Service status"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Service status")
    expect(page.locator("main")).to_contain_text("Supervision is working normally")
    assert_accessible(page)
