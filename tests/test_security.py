import re
from datetime import timedelta

from supervision.org.models import Role
from tests.factories import PASSWORD, make_staff


def sign_in(client, email):
    return client.post("/sign-in", data={"email": email, "password": PASSWORD})


def test_every_page_sends_strict_security_headers(client):
    response = client.get("/sign-in")
    headers = response.headers
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["Referrer-Policy"] == "same-origin"
    csp = headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp
    assert "frame-ancestors 'none'" in csp
    assert "'unsafe-inline'" not in csp
    assert "Strict-Transport-Security" not in headers  # only where cookies are HTTPS-only


def test_the_only_inline_script_carries_the_policys_nonce(client):
    response = client.get("/sign-in")
    nonce = re.search(r"'nonce-([^']+)'", response.headers["Content-Security-Policy"]).group(1)
    page = response.get_data(as_text=True)
    inline_scripts = re.findall(r"<script(?![^>]*\bsrc=)([^>]*)>", page)
    assert inline_scripts, "the GOV.UK template's js-enabled script is expected"
    assert all(f'nonce="{nonce}"' in attributes for attributes in inline_scripts)
    assert (
        client.get("/sign-in").headers["Content-Security-Policy"]
        != response.headers["Content-Security-Policy"]
    )


def test_hsts_is_sent_when_cookies_are_https_only(app, client):
    app.config["SESSION_COOKIE_SECURE"] = True
    try:
        headers = client.get("/healthz").headers
    finally:
        app.config["SESSION_COOKIE_SECURE"] = False
    assert headers["Strict-Transport-Security"].startswith("max-age=31536000")


def test_signed_in_pages_are_not_cached(client):
    make_staff(Role.SOCIAL_WORKER, email="worker@example.test")
    sign_in(client, "worker@example.test")
    assert client.get("/").headers["Cache-Control"] == "no-store"


def test_an_idle_session_is_signed_out(app, client, clock):
    make_staff(Role.ADMIN, email="admin@example.test")
    sign_in(client, "admin@example.test")
    clock.advance(minutes=59)
    assert client.get("/").status_code == 200
    clock.advance(minutes=59)  # active a minute ago, so still signed in
    assert client.get("/").status_code == 200
    clock.advance(minutes=61)
    response = client.get("/staff")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/sign-in?next=/staff")
    assert client.get("/").status_code == 302
    assert app.config["SESSION_IDLE_TIMEOUT"] == timedelta(minutes=60)
