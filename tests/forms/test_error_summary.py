"""Every form with a date field, found by walking the demo as each role: each error-summary link
names an input, select or textarea on the page (a date's day box), so following it moves focus."""

import re
from collections import Counter
from urllib.parse import urljoin, urlsplit

import pytest
import sqlalchemy as sa
from bs4 import BeautifulSoup
from werkzeug.datastructures import MultiDict

from supervision.clock import FixedClock, SystemClock
from supervision.demo import DEMO_ACCOUNTS, DEMO_PASSWORD, seed_demo
from supervision.extensions import db
from supervision.org.models import Staff
from supervision.records.models import ActionReview, SessionStatus, SupervisionRecord, SupervisionSession
from tests.conftest import FIXED_NOW, empty_database
from tests.html import parse_html

FOCUSABLE = {"input", "select", "textarea"}
# Presentation only: a date that does not exist is refused by the form before any query, and the
# summary's links are the template's; the database cannot change the answer. The pages walked here
# answer on both databases in tests/security/test_authorisation_matrix.py and tests/test_demo.py.
pytestmark = pytest.mark.presentation

SKIP = re.compile(r"/(sign-out|api/|static/|assets/)|\.(csv|ics|pdf|json)$|/export|/download|calendar")


@pytest.fixture(scope="module")
def shared_demo(app):
    app.extensions["clock"] = FixedClock(FIXED_NOW)
    seed_demo()
    yield
    app.extensions["clock"] = SystemClock()
    empty_database()


def pattern(path: str) -> str:
    return re.sub(r"/\d+", "/N", path)


def date_forms(client, start: list[str], limit: int = 200) -> dict[str, tuple[str, BeautifulSoup]]:
    """A few pages per URL pattern reachable from the home page; the date forms on them by action."""
    visits, done, queue, found = Counter(), set(), ["/", *start], {}
    while queue and len(done) < limit:
        url = queue.pop(0)
        path = urlsplit(url).path
        if path in done or visits[pattern(path)] >= 4 or SKIP.search(path):
            continue
        done.add(path)
        visits[pattern(path)] += 1
        response = client.get(url)
        if response.status_code != 200 or "text/html" not in response.content_type:
            continue
        soup = parse_html(response.get_data(as_text=True))
        for form in soup.select("form"):
            if form.select(".govuk-date-input"):
                action = urljoin(url, form.get("action") or url)
                found.setdefault(pattern(urlsplit(action).path), (action, form))
        for link in soup.select("main a[href]"):
            href = urljoin(url, link["href"])
            if href.startswith("/") and not href.startswith("//"):
                queue.append(href.split("#")[0])
    return found


def bad_answers(form) -> MultiDict:
    """Hidden values kept, every date a date that does not exist, nothing else answered."""
    pairs = [(field["name"], field.get("value", "")) for field in form.select("input[type=hidden]")]
    for box in form.select(".govuk-date-input input"):
        part = box["id"].rsplit("-", 1)[1]
        pairs.append((box["name"], {"day": "31", "month": "2", "year": "2026"}[part]))
    return MultiDict(pairs)


def error_links_and_targets(html: str):
    soup = parse_html(html)
    links = [a["href"] for a in soup.select(".govuk-error-summary a[href]")]
    return links, {href: soup.find(id=href[1:]) for href in links if href.startswith("#")}


def starting_points(email: str) -> list[str]:
    """Besides the home page: a booked session and an unsigned record of a supervisor's."""
    staff = db.session.scalar(sa.select(Staff).where(Staff.email == email))
    booked = db.session.scalar(
        sa.select(SupervisionSession.id)
        .where(SupervisionSession.supervisor_id == staff.id)
        .where(SupervisionSession.status == SessionStatus.SCHEDULED)
        .order_by(SupervisionSession.scheduled_start)
        .limit(1)
    )
    review = db.session.scalar(
        sa.select(ActionReview)
        .join(SupervisionRecord)
        .join(SupervisionSession)
        .where(SupervisionSession.supervisor_id == staff.id, SupervisionSession.status == SessionStatus.HELD)
        .where(SupervisionRecord.supervisor_signed_at.is_(None))
        .limit(1)
    )
    points = [f"/sessions/{booked}"] if booked is not None else []
    if review is not None:
        record = f"/records/{review.record_id}"
        points += [record, f"{record}/actions/new", f"{record}/action-reviews/{review.id}"]
    return points


@pytest.mark.parametrize("role", [account.role for account in DEMO_ACCOUNTS], ids=lambda role: role.value)
def test_every_date_error_link_names_a_focusable_input(app, shared_demo, client, role):
    email = next(account.email for account in DEMO_ACCOUNTS if account.role == role)
    assert client.post("/sign-in", data={"email": email, "password": DEMO_PASSWORD}).status_code == 302
    forms = date_forms(client, starting_points(email))
    checked = []
    for action_pattern, (action, form) in sorted(forms.items()):
        method = (form.get("method") or "get").lower()
        data = bad_answers(form)
        if method == "post":
            response = client.post(action, data=data)
        else:
            response = client.get(action, query_string=data)
        assert response.status_code in (200, 400, 409, 422), (action, response.status_code)
        links, targets = error_links_and_targets(response.get_data(as_text=True))
        assert links, f"{action}: no error summary for dates that do not exist"
        for href, target in targets.items():
            assert target is not None and target.name in FOCUSABLE, (action, href, target and target.name)
        assert any(href.endswith("-day") for href in links), (action, links)
        checked.append(action_pattern)
    expected = {
        "social_worker": set(),
        "supervisor": {
            "/sessions/new",
            "/sessions/N/move",
            "/sessions/N/held",
            "/records/N/actions/new",
            "/records/N/action-reviews/N",
        },
        "service_manager": set(),
        "hr": {"/retention/record-leaver"},
        "admin": {"/staff/new"},
    }[role.value]
    if not any(pattern == "/sessions/N/held" for pattern in forms):
        # A session that has not started offers no "held" form (docs/rules.md): the demo's earliest
        # booked session may be in the future on the day it is seeded.
        expected.discard("/sessions/N/held")
    assert expected <= set(checked), checked
