"""Changing your password: it checks the current one under the throttle, and ends every other session."""

from __future__ import annotations

from datetime import timedelta

from supervision.auth.services import CURRENT_CREDENTIAL_REFUSED
from supervision.auth.tokens import create_token
from tests.auth.test_sessions import opens_pages, session_cookie, session_rows, sign_in
from tests.factories import PASSWORD, make_staff
from tests.html import parse_html

NEW_PASSWORD = "a brand new passphrase"


def change(client, current=PASSWORD, new=NEW_PASSWORD, confirm=None):
    return client.post(
        "/account/password",
        data={"current_password": current, "new_password": new, "confirm_password": confirm or new},
    )


def field_error(response, field) -> str:
    soup = parse_html(response.get_data(as_text=True))
    error = soup.select_one(f"#{field}-error")
    return error.get_text(" ", strip=True) if error else ""


def test_a_new_password_ends_every_other_session_and_keeps_this_one_on_a_new_id(app, client, clock):
    worker = make_staff(email="worker@example.test")
    sign_in(client, worker)
    laptop = app.test_client()
    sign_in(laptop, worker)
    token = create_token(worker, "laptop", False, timedelta(days=30)).secret
    before = session_cookie(client)
    account = parse_html(client.get("/account").get_data(as_text=True))
    assert account.find("a", string="Change your password")["href"] == "/account/password"

    response = change(client)

    assert response.status_code == 302
    assert opens_pages(client) and session_cookie(client) != before
    assert not opens_pages(laptop)
    assert session_rows(worker.id) == 1
    # API tokens do not rest on the password.
    assert client.get("/api/v1/staff", headers={"Authorization": f"Bearer {token}"}).status_code == 200
    client.post("/sign-out")
    refused = client.post("/sign-in", data={"email": worker.email, "password": PASSWORD})
    assert refused.status_code == 200
    assert client.post("/sign-in", data={"email": worker.email, "password": NEW_PASSWORD}).status_code == 302


def test_a_wrong_current_password_changes_nothing(app, client, clock):
    worker = make_staff(email="worker@example.test")
    sign_in(client, worker)
    laptop = app.test_client()
    sign_in(laptop, worker)

    response = change(client, current="not my password")

    assert response.status_code == 200
    assert field_error(response, "current_password").endswith(CURRENT_CREDENTIAL_REFUSED)
    assert opens_pages(laptop)
    client.post("/sign-out")
    assert client.post("/sign-in", data={"email": worker.email, "password": PASSWORD}).status_code == 302


def test_guessing_the_current_password_from_a_session_is_held_back(client, clock):
    worker = make_staff(email="worker@example.test")
    sign_in(client, worker)
    for _ in range(5):
        change(client, current="a guess at it")
    held_back = change(client)
    assert field_error(held_back, "current_password").endswith(CURRENT_CREDENTIAL_REFUSED)
    clock.advance(minutes=1)
    assert change(client).status_code == 302


def test_the_new_password_must_be_long_enough_and_typed_twice_the_same(client, clock):
    worker = make_staff(email="worker@example.test")
    sign_in(client, worker)
    assert "12 characters or more" in field_error(change(client, new="short"), "new_password")
    mismatch = change(client, confirm="a different passphrase")
    assert "do not match" in field_error(mismatch, "confirm_password")
    blank = client.post("/account/password", data={})
    assert "Enter your current password" in field_error(blank, "current_password")


def test_someone_who_signs_in_only_with_their_organisation_account_has_no_password_page(app, client, clock):
    worker = make_staff(email="worker@example.test", password=None)
    from flask_login.utils import _create_identifier

    with app.test_request_context(environ_base=client.environ_base):
        identifier = _create_identifier()
    with client.session_transaction() as session:
        session.update({"_user_id": str(worker.id), "_fresh": True, "_id": identifier})
    assert "no Supervision password to change" in client.get("/account").get_data(as_text=True)
    assert client.get("/account/password").status_code == 404
