"""Browser tests: Debian's Chromium headless shell, driven by pytest-playwright, against a live server.

The live server is a second app instance on the same test database, with CSRF switched on,
served by werkzeug on a free loopback port in a daemon thread.
"""

from __future__ import annotations

import contextvars
import logging
import os
import shutil
import threading
from contextlib import contextmanager
from http.cookies import SimpleCookie

import pytest
import sqlalchemy as sa
from axe_playwright_python.base import AXE_FILE_PATH, AXE_SCRIPT, AxeResults
from flask import current_app, session
from werkzeug.serving import make_server

from supervision import create_app
from supervision.auth.sessions import begin_session
from supervision.demo import seed_demo
from supervision.extensions import db, proxied
from supervision.org.models import Staff
from tests.conftest import empty_database, make_test_config
from tests.factories import PASSWORD

# The headless shell is the same Blink as the full browser without its windowing layers, and what
# Playwright itself runs for headless Chromium: it uses half the processor time of /usr/bin/chromium.
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium-headless-shell")
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# The live server's address, which the browser's requests come from too.
LIVE_HOST = "127.0.0.1"
WCAG_22_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"]
# Only the violations come back in full: by default axe-core would also serialise every node that
# passed, on every page, for the test to throw away.
AXE_OPTIONS = {"runOnly": {"type": "tag", "values": WCAG_22_AA}, "resultTypes": ["violations"]}


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/browser/" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    if not shutil.which(CHROMIUM):
        pytest.fail(f"Chromium not found at {CHROMIUM}: run `make test`, which installs it from Debian")
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_FLAGS}


class FollowingClock:
    """The served app reads whatever clock the test app has now, so the `clock` fixture moves both."""

    def __init__(self, app):
        self.app = app

    def now(self):
        return self.app.extensions["clock"].now()

    def today(self):
        return self.app.extensions["clock"].today()


@contextmanager
def serving(app, database_url, host=LIVE_HOST):
    """A second app instance served on a free loopback port: yields the app and its base URL."""
    served = create_app(make_test_config(database_url, WTF_CSRF_ENABLED=True))
    served.extensions["clock"] = FollowingClock(app)
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    server = make_server(LIVE_HOST, 0, served, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield served, f"http://{host}:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=5)
        with served.app_context():
            db.engine.dispose()


@pytest.fixture(scope="session")
def live_server(app, database_url):
    with serving(app, database_url) as (_, url):
        yield url


@pytest.fixture(scope="module")
def shared_demo(app):
    """The demo seeded once for a module whose tests only sign in and look (seeding takes seconds)."""
    yield seed_demo()
    empty_database()


@pytest.fixture
def new_context(new_context):
    """pytest-playwright's contexts, with axe-core loaded into every page they open.

    The 570 KB script then crosses to the browser once per context, not once per check.
    """

    def new_context_with_axe(**kwargs):
        context = new_context(**kwargs)
        context.add_init_script(path=AXE_FILE_PATH)
        return context

    return new_context_with_axe


@pytest.fixture(scope="session")
def base_url(live_server):
    """pytest-playwright resolves page.goto('/path') against this."""
    return live_server


def sign_in_with_the_form(page, email: str, password: str = PASSWORD) -> None:
    """Sign in as a person does: the sign-in page, its form, the password checked."""
    page.goto("/sign-in")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Sign in").click()


def sign_in(page, email: str) -> None:
    """Be signed in as `email` in this browser, as the sign-in form leaves a person, on their home page.

    The session is begun as the form begins it once the password is right (`begin_session`: a row on
    the server, its id in the browser's cookie, Flask-Login's keys for this browser's address and user
    agent), without the form's page, post and password check: tests of signing in itself use
    `sign_in_with_the_form` (docs/development.md, "Tests").
    """
    cookie = contextvars.Context().run(begin_session_for, proxied(current_app), email, page)
    page.context.add_cookies([cookie])
    page.goto("/")


def begin_session_for(app, email: str, page) -> dict:
    """The session cookie a browser gets when `email` signs in from it (run in a context of its own, so
    the test's app context and `g` are left as they were)."""
    browser = {"REMOTE_ADDR": LIVE_HOST, "HTTP_USER_AGENT": page.evaluate("navigator.userAgent")}
    with app.test_request_context(environ_base=browser):
        begin_session(db.session.scalar(sa.select(Staff).where(Staff.email == email)))
        response = app.response_class()
        app.session_interface.save_session(app, proxied(session), response)
    name = app.config["SESSION_COOKIE_NAME"]
    value = SimpleCookie(response.headers["Set-Cookie"])[name].value
    return {
        "name": name,
        "value": value,
        "domain": LIVE_HOST,
        "path": "/",
        "httpOnly": True,
        "sameSite": "Lax",
    }


def follow(locator) -> None:
    """Click a link or button that loads another page, and wait until that page has loaded.

    Playwright's click does not wait for the navigation it starts: a check straight after it
    could run on the old page, or (axe-core above all) fail half-way as the document is replaced.
    """
    with locator.page.expect_navigation():
        locator.click()


# What axe-core's rules read of an element and everything in it, short of the words: each element's
# name, classes, role, type, fill and style, and the names of its ARIA attributes. Two parts of a page
# built of the same set of these differ in words and numbers, not in the markup and colours axe judges.
BUILT_OF = """root => [...new Set([root, ...root.querySelectorAll('*')].map(element =>
  [element.localName, element.getAttribute('class'), element.getAttribute('role'),
   element.getAttribute('type'), element.getAttribute('fill'), element.getAttribute('style'),
   ...[...element.attributes].map(a => a.name).filter(n => n.startsWith('aria-')).sort()].join(' ')
))].sort().join('\\n')"""

# axe-core on the whole page, but of the rows of one table body, list or summary list, and of the cells
# of one table row, only the first of each build: the rest share its parent, so its background, and
# its elements, so its colours and roles. axe's colour-contrast rule takes most of its time, element by
# element, and a report page's tables repeat one row's build, and a month grid's rows one cell's build,
# hundreds of times (docs/development.md, "Tests").
AXE_RUN = f"""options => {{
  const builtOf = {BUILT_OF};
  const exclude = [];
  for (const rows of document.querySelectorAll('tbody, tr, ul, ol, dl')) {{
    const seen = new Set();
    for (const row of rows.children) {{
      const build = builtOf(row);
      if (seen.has(build)) exclude.push(row); else seen.add(build);
    }}
  }}
  return axe.run({{include: [document], exclude}}, options);
}}"""


def assert_accessible(page) -> None:
    """axe-core in the real browser: no WCAG 2.2 A or AA violations on the current page."""
    page.wait_for_load_state()
    # A page from a context made without the `new_context` fixture has no axe-core yet.
    if page.evaluate("typeof window.axe === 'undefined'"):
        page.evaluate(AXE_SCRIPT)
    results = AxeResults(page.evaluate(AXE_RUN, AXE_OPTIONS))
    assert results.violations_count == 0, f"{page.url}\n{results.generate_report()}"
