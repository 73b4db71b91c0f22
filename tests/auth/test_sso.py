"""Single sign-on with OpenID Connect, against a real provider (tests/auth/conftest.py).

Each test plays the person's browser: the Flask test client for the service's own pages, and a
`requests` session for the provider's, whose sign-in and consent forms it fills in as a person
would. The service itself talks to the provider over HTTP for discovery, keys and tokens.
"""

from __future__ import annotations

from urllib.parse import parse_qs, urlencode, urljoin, urlsplit

import pytest
import requests
import sqlalchemy as sa

from supervision.auth.sso import DID_NOT_WORK, UNAVAILABLE, UNVERIFIED_EMAIL
from supervision.auth.throttle import SignInThrottle
from supervision.extensions import db
from supervision.org.models import Role, Staff
from tests.auth.conftest import CLIENT_ID, callback_url
from tests.factories import PASSWORD, make_staff
from tests.html import parse_html

REFUSED = "nobody with that email address has an active Supervision account"


def start(client, next_=None):
    response = client.get("/sign-in/sso" + (f"?{urlencode({'next': next_})}" if next_ else ""))
    assert response.status_code == 302, response.get_data(as_text=True)
    return response.headers["Location"]


def sign_in_at_provider(app, authorization_url: str, login: str) -> str:
    """Sign in at the provider as `login` and consent; return the service URL it sends us back to."""
    browser = requests.Session()
    response = browser.get(authorization_url, allow_redirects=False, timeout=10)
    for _ in range(10):
        if response.is_redirect:
            location = urljoin(response.url, response.headers["Location"])
            if location.startswith(callback_url(app)):
                return location
            response = browser.get(location, allow_redirects=False, timeout=10)
            continue
        assert response.status_code == 200, response.text
        form = parse_html(response.text).find("form")
        prompt = form.find("input", {"name": "prompt"})["value"]
        data = {"prompt": prompt}
        if prompt == "login":
            data.update(login=login, password="the provider's own business")
        action = urljoin(response.url, form["action"])
        response = browser.post(action, data=data, allow_redirects=False, timeout=10)
    raise AssertionError("the provider never sent the browser back to the service")


def come_back(client, url: str):
    """Follow the provider's redirect back to the service, as the browser would."""
    parts = urlsplit(url)
    return client.get(f"{parts.path}?{parts.query}")


def sign_in_with_provider(app, client, login: str, next_=None):
    return come_back(client, sign_in_at_provider(app, start(client, next_), login))


def page_text(response) -> str:
    return parse_html(response.get_data(as_text=True)).get_text(" ", strip=True)


def test_an_active_person_is_signed_in_by_the_email_the_provider_verified(app, client, single_sign_on):
    worker = make_staff(Role.SOCIAL_WORKER, email="worker@example.test", password=None)
    with client.session_transaction() as session:
        session["planted"] = "by someone else before sign-in"

    response = sign_in_with_provider(app, client, "worker", next_="/my-supervision")

    assert response.status_code == 302
    assert response.headers["Location"] == "/my-supervision"
    with client.session_transaction() as session:
        assert "planted" not in session
        assert session["_user_id"] == str(worker.id)
    home = client.get("/")
    assert home.status_code == 200
    assert worker.name in home.get_data(as_text=True)
    db.session.refresh(worker)
    assert worker.last_signed_in_at is not None


def test_the_provider_sign_in_is_not_held_back_by_the_password_throttle(app, client, clock, single_sign_on):
    worker = make_staff(email="worker@example.test")
    for number in range(25):  # guessing from everywhere: password sign-in is held back for a while
        client.post(
            "/sign-in",
            data={"email": worker.email, "password": "wrong password"},
            environ_base={"REMOTE_ADDR": f"203.0.113.{number + 1}"},
        )
    assert client.post("/sign-in", data={"email": worker.email, "password": PASSWORD}).status_code == 200
    counts = db.session.execute(sa.select(SignInThrottle.key_hash, SignInThrottle.failures)).all()

    response = sign_in_with_provider(app, client, "worker")

    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.execute(sa.select(SignInThrottle.key_hash, SignInThrottle.failures)).all() == counts
    db.session.refresh(worker)
    assert worker.last_signed_in_at == clock.now()


def test_next_only_ever_leads_to_a_page_on_this_site(app, client, single_sign_on):
    make_staff(email="worker@example.test")
    response = sign_in_with_provider(app, client, "worker", next_="https://evil.example/")
    assert response.headers["Location"] == "/"


def test_an_unknown_email_is_refused_clearly_and_no_account_is_created(app, client, single_sign_on):
    make_staff(email="worker@example.test")
    staff_before = db.session.scalar(sa.select(sa.func.count()).select_from(Staff))

    response = sign_in_with_provider(app, client, "stranger")

    assert response.status_code == 403
    text = page_text(response)
    assert "You cannot use Supervision with this account" in text
    assert "stranger@example.test" in text
    assert REFUSED in text
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Staff)) == staff_before
    assert client.get("/").status_code == 302


def test_a_person_whose_account_is_closed_is_refused(app, client, single_sign_on):
    leaver = make_staff(email="leaver@example.test", active=False)

    response = sign_in_with_provider(app, client, "leaver")

    assert response.status_code == 403
    assert REFUSED in page_text(response)
    assert client.get("/").status_code == 302
    db.session.refresh(leaver)
    assert leaver.last_signed_in_at is None


def test_an_email_the_provider_has_not_verified_is_not_trusted(app, client, single_sign_on):
    make_staff(email="worker@example.test")

    response = sign_in_with_provider(app, client, "unverified")

    assert response.status_code == 400
    assert UNVERIFIED_EMAIL in page_text(response)
    assert client.get("/").status_code == 302


def test_a_tampered_state_is_refused(app, client, single_sign_on):
    make_staff(email="worker@example.test")
    returned = urlsplit(sign_in_at_provider(app, start(client), "worker"))
    query = parse_qs(returned.query)
    query["state"] = ["tampered"]

    response = client.get(f"{returned.path}?{urlencode(query, doseq=True)}")

    assert response.status_code == 400
    assert DID_NOT_WORK in page_text(response)
    assert client.get("/").status_code == 302


def test_a_redirect_back_from_another_browser_is_refused(app, client, single_sign_on):
    make_staff(email="worker@example.test")
    returned = sign_in_at_provider(app, start(client), "worker")

    other_browser = app.test_client()
    assert come_back(other_browser, returned).status_code == 400
    assert other_browser.get("/").status_code == 302


def test_the_same_redirect_back_cannot_sign_in_twice(app, client, single_sign_on):
    make_staff(email="worker@example.test")
    returned = sign_in_at_provider(app, start(client), "worker")
    assert come_back(client, returned).status_code == 302
    client.post("/sign-out")

    assert come_back(client, returned).status_code == 400


def test_the_provider_is_asked_for_a_code_with_state_nonce_and_pkce(app, client, single_sign_on):
    query = parse_qs(urlsplit(start(client)).query)

    assert query["response_type"] == ["code"]
    assert query["client_id"] == [CLIENT_ID]
    assert query["redirect_uri"] == [callback_url(app)]
    assert set(query["scope"][0].split()) == {"openid", "email"}
    assert query["code_challenge_method"] == ["S256"]
    for single_use in ("state", "nonce", "code_challenge"):
        assert len(query[single_use][0]) >= 20


def test_the_sign_in_page_offers_the_provider_when_it_is_configured(client, single_sign_on):
    page = parse_html(client.get("/sign-in?next=/my-supervision").get_data(as_text=True))
    button = page.find("a", string="Sign in with Demoshire account")
    assert button["href"] == "/sign-in/sso?next=/my-supervision"
    assert "govuk-button" in button["class"]
    assert page.find("input", {"name": "password"}) is not None


def test_with_single_sign_on_off_its_pages_are_not_found_and_there_is_no_button(client):
    assert client.get("/sign-in/sso").status_code == 404
    assert client.get("/sign-in/sso/callback?code=x&state=y").status_code == 404
    page = client.get("/sign-in").get_data(as_text=True)
    assert "/sign-in/sso" not in page
    assert "Sign in with" not in page


def test_a_provider_that_cannot_be_reached_gets_a_clear_message(app, client, single_sign_on):
    app.config["OIDC_ISSUER"] = "http://127.0.0.1:9"  # the discard port: nothing listens

    response = client.get("/sign-in/sso")

    assert response.status_code == 503
    assert UNAVAILABLE in page_text(response)


def test_a_discovery_document_naming_another_issuer_is_not_trusted(app, client, single_sign_on):
    # The provider calls itself http://127.0.0.1:<port>; reached by another name, it is not that issuer.
    app.config["OIDC_ISSUER"] = single_sign_on.replace("127.0.0.1", "localhost")

    response = client.get("/sign-in/sso")

    assert response.status_code == 503
    assert UNAVAILABLE in page_text(response)


@pytest.mark.parametrize(
    ("environment", "problem"),
    [
        ({"OIDC_ISSUER": "http://login.example"}, "https://"),
        ({"OIDC_ISSUER": "https://login.example", "OIDC_CLIENT_ID": "service"}, "OIDC_CLIENT_SECRET"),
    ],
)
def test_production_refuses_single_sign_on_half_configured_or_over_http(monkeypatch, environment, problem):
    from supervision import create_app

    monkeypatch.setenv("SECRET_KEY", "x" * 40)
    for name in ("OIDC_CLIENT_ID", "OIDC_CLIENT_SECRET"):
        monkeypatch.delenv(name, raising=False)
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    with pytest.raises(RuntimeError, match=problem):
        create_app("production")
