"""The layout: a council's service, not GOV.UK's (docs/development.md).

No crown, GOV.UK logotype or Crown copyright on any page; the header names the organisation (and
shows its logo if configured) and the service; every page's title reads
"Page – Supervision – Organisation", with "Error: " first when a form has errors; people get a
service-status page while machines keep /healthz.
"""

from __future__ import annotations

import contextvars
import re
from datetime import timedelta

import pytest
from flask.testing import FlaskClient

from supervision import create_app
from supervision.auth.tokens import create_token
from supervision.extensions import db
from supervision.org.models import Role
from tests.conftest import make_test_config
from tests.factories import PASSWORD, make_organisation, make_staff
from tests.html import parse_html
from tests.security.test_authorisation_matrix import ROLES, build_world, routes

ORGANISATION = "Test Council"  # tests/factories.py names the organisation it makes
TITLE = re.compile(rf"^(?:Error: )?(?P<page>\S.*\S) – Supervision – {ORGANISATION}$")
GOVUK_BRANDING = [
    "Crown copyright",
    "crown-copyright",
    "GOV.UK",
    "govuk-header__logotype",
    "govuk-footer__crown",
    "govuk-logo",
    "govuk-icon",
    "favicon.ico",
    "Open Government Licence",
]


def title_of(html: str) -> str:
    return parse_html(html).title.get_text()


def assert_not_govuk(html: str, where: str) -> None:
    found = [mark for mark in GOVUK_BRANDING if mark in html]
    assert found == [], f"{where} carries GOV.UK branding: {found}"


# Presentation only: a title and the absence of a crown come from the templates, whatever the
# database (an error page must have them too). That every page answers as it should on both
# databases is tests/security/test_authorisation_matrix.py's proof, with the same world.
@pytest.mark.presentation
@pytest.mark.parametrize("role", ROLES)
def test_every_page_each_role_can_open_has_the_title_format_and_no_govuk_branding(app, clock, role):
    """Every GET route in the URL map, as each role (ids from the authorisation matrix's world):
    whatever HTML comes back, a page or an error page, has the title format and no crown."""
    viewers, ids = build_world()
    viewer = viewers.get(role)
    client = app.test_client()
    if viewer is not None:
        assert client.post("/sign-in", data={"email": viewer.email, "password": PASSWORD}).status_code == 302
    secret = create_token(viewer, "titles", True, timedelta(days=1)).secret if viewer else None
    checked, wrong = 0, []
    for rule, method in routes(app):
        if method != "GET" or rule.endpoint == "auth.sign_out":
            continue
        values = {
            **(rule.defaults or {}),
            **{name: ids[name] for name in rule.arguments - set(rule.defaults or {})},
        }
        url = rule.build(values, append_unknown=False)[1]
        headers = {"Authorization": f"Bearer {secret}"} if secret and url.startswith("/api/") else {}
        response = contextvars.Context().run(FlaskClient.open, client, url, headers=headers)
        if response.mimetype != "text/html" or 300 <= response.status_code < 400:
            continue
        html = response.get_data(as_text=True)
        checked += 1
        title = title_of(html)
        if not TITLE.match(title):
            wrong.append(f"{url} ({response.status_code}): {title!r}")
        assert_not_govuk(html, url)
    assert wrong == []
    assert checked >= (3 if role == "anonymous" else 20)


@pytest.mark.presentation
def test_a_form_with_errors_puts_error_first_in_the_title(app, pages):
    pages.sign_in(make_staff(Role.ADMIN))
    response = pages.client.post("/services/new", data={})
    assert response.status_code == 200
    title = title_of(response.get_data(as_text=True))
    assert re.match(rf"^Error: \S.* – Supervision – {ORGANISATION}$", title)
    assert not title_of(pages.client.get("/services/new").get_data(as_text=True)).startswith("Error")


@pytest.mark.presentation
def test_the_header_names_the_organisation_and_the_service(app, pages):
    pages.sign_in(make_staff(Role.SOCIAL_WORKER))
    page = parse_html(pages.client.get("/").get_data(as_text=True))
    header = page.find("header")
    assert header.find(class_="app-header__organisation").get_text(strip=True) == ORGANISATION
    assert header.find(class_="govuk-service-navigation__service-name").get_text(strip=True) == "Supervision"
    assert header.find("img") is None  # no logo configured
    assert header.find("svg") is None  # no crown
    footer = page.find("footer")
    assert "Supervision is run by Test Council." in footer.get_text(" ", strip=True)
    assert footer.find("a", string=re.compile("Service status"))["href"] == "/service-status"


@pytest.mark.presentation
def test_a_configured_name_and_logo_are_shown(database_url):
    configured = create_app(
        make_test_config(
            database_url, ORGANISATION_NAME="Northshire County Council", ORGANISATION_LOGO="logo.svg"
        )
    )
    html = configured.test_client().get("/sign-in").get_data(as_text=True)
    page = parse_html(html)
    assert page.title.get_text() == "Sign in – Supervision – Northshire County Council"
    logo = page.find("header").find("img", class_="app-header__logo")
    assert logo["src"] == "/static/logo.svg"
    assert logo["alt"] == ""  # the name beside it says who it is
    assert page.find(class_="app-header__organisation").get_text(strip=True) == "Northshire County Council"


def test_signed_out_pages_name_the_only_organisation_and_none_when_there_are_two(app, client):
    make_staff(Role.ADMIN)
    sign_in_title = title_of(client.get("/sign-in").get_data(as_text=True))
    assert sign_in_title == f"Sign in – Supervision – {ORGANISATION}"

    make_organisation("Another Council")
    assert title_of(client.get("/sign-in").get_data(as_text=True)) == "Sign in – Supervision"


def test_the_service_status_page_is_for_people_and_healthz_stays_json(app, client):
    make_staff(Role.ADMIN)
    response = client.get("/service-status")
    assert response.status_code == 200
    assert response.mimetype == "text/html"
    page = parse_html(response.get_data(as_text=True))
    assert page.title.get_text() == f"Service status – Supervision – {ORGANISATION}"
    assert "Supervision is working normally" in page.find("main").get_text(" ", strip=True)
    assert client.get("/healthz").json == {"app": "ok", "database": "ok"}


def test_the_service_status_page_says_so_when_the_database_is_unreachable():
    unreachable = "postgresql+psycopg://postgres@127.0.0.1:9/nowhere?connect_timeout=2"
    down = create_app(make_test_config(unreachable))
    response = down.test_client().get("/service-status")
    assert response.status_code == 503
    page = parse_html(response.get_data(as_text=True))
    assert page.title.get_text() == "Service status – Supervision"
    text = page.find("main").get_text(" ", strip=True)
    assert "Supervision is not working at the moment" in text
    assert "Records (the database) Not available" in text
    with down.app_context():
        db.engine.dispose()
