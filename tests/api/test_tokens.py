"""Personal access tokens: created and revoked by their owner, shown once, stored hashed, scoped."""

import hashlib
from datetime import timedelta

import sqlalchemy as sa

from supervision.auth.tokens import ApiToken, create_token
from supervision.extensions import db
from supervision.org.models import Role
from tests.factories import make_record, make_staff


def test_a_token_page_shows_the_new_token_once_and_stores_only_its_hash(pages, clock):
    worker = make_staff(Role.SOCIAL_WORKER)
    pages.sign_in(worker)
    page = pages.post("api_tokens.tokens", data={"name": "Case system", "write": "y"}, _expected_status=200)
    secret = page.select_one("#new-token").text
    assert secret.startswith("sup_") and len(secret) > 40
    stored = db.session.scalar(sa.select(ApiToken))
    assert stored.token_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert stored.scopes == "read write"
    assert secret not in repr([getattr(stored, c.key) for c in ApiToken.__table__.columns])
    again = pages.get("api_tokens.tokens")
    assert again.select_one("#new-token") is None
    assert "Case system" in again.text


def test_a_token_name_is_required(pages, clock):
    pages.sign_in(make_staff())
    page = pages.post("api_tokens.tokens", data={"name": "  "}, _expected_status=200)
    assert "Enter a name, so you can tell your tokens apart" in page.text
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ApiToken)) == 0


def test_a_revoked_token_no_longer_reaches_the_api(pages, client, clock):
    worker = make_staff()
    new = create_token(worker, "laptop", False, timedelta(days=30))
    headers = {"Authorization": f"Bearer {new.secret}"}
    assert client.get("/api/v1/staff", headers=headers).status_code == 200
    pages.sign_in(worker)
    pages.post("api_tokens.revoke", token_id=new.token.id)
    response = client.get("/api/v1/staff", headers=headers)
    assert response.status_code == 401
    assert response.json["status"] == 401


def test_nobody_revokes_someone_elses_token(pages, client, clock):
    owner = make_staff()
    new = create_token(owner, "laptop", False, timedelta(days=30))
    pages.sign_in(make_staff(Role.ADMIN))
    pages.post("api_tokens.revoke", token_id=new.token.id, _expected_status=404)
    assert client.get("/api/v1/staff", headers={"Authorization": f"Bearer {new.secret}"}).status_code == 200


def test_an_expired_token_is_refused(client, clock):
    new = create_token(make_staff(), "short", False, timedelta(days=1))
    clock.advance(days=1, seconds=1)
    assert client.get("/api/v1/staff", headers={"Authorization": f"Bearer {new.secret}"}).status_code == 401


def test_a_read_token_cannot_write(api_as, clock):
    supervisor = make_staff(Role.SUPERVISOR)
    record = make_record(make_staff(line_manager=supervisor), supervisor)
    response = api_as(supervisor, write=False).patch(
        f"/records/{record.id}", json={"version": 1, "agenda": "x"}
    )
    assert response.status_code == 403
    assert response.json == {"status": 403, "message": "This token does not have the write scope"}
    db.session.refresh(record)
    assert record.agenda == ""


def test_the_api_ignores_the_browser_session(pages, client, clock):
    pages.sign_in(make_staff(Role.ADMIN))
    response = client.get("/api/v1/staff")
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert response.json["message"].startswith("Send a valid personal access token")


def test_a_deactivated_persons_token_is_refused(api_as, clock):
    person = make_staff()
    api = api_as(person)
    person.active = False
    db.session.commit()
    assert api.get("/staff").status_code == 401
