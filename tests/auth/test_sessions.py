"""Server-side sessions: the cookie carries only an id, and the server ends sessions when it should.

Through the real pages (and the API for tokens), with the injected clock for time travel.
"""

from __future__ import annotations

import hashlib
from contextlib import contextmanager
from datetime import timedelta

import pytest
import sqlalchemy as sa

from config import Config
from supervision.auth.sessions import SESSION_ID_PREFIX, UserSession
from supervision.auth.tokens import create_token
from supervision.extensions import db
from supervision.hr import import_services
from supervision.jobs.runs import run_job
from supervision.org.models import Role
from tests.factories import PASSWORD, make_organisation, make_service, make_staff, make_team
from tests.hr.test_import import person_line, staff_file
from tests.html import parse_html
from tests.org.test_staff_forms import edit_data

COOKIE = Config.SESSION_COOKIE_NAME


def sign_in(client, person):
    response = client.post("/sign-in", data={"email": person.email, "password": PASSWORD})
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    return response


def session_cookie(client) -> str | None:
    cookie = client.get_cookie(COOKIE)
    return cookie.value if cookie else None


def opens_pages(client) -> bool:
    """True when the client's session still opens a signed-in page."""
    return client.get("/my-data").status_code == 200


def session_rows(staff_id=None) -> int:
    query = sa.select(sa.func.count()).select_from(UserSession)
    if staff_id is not None:
        query = query.where(UserSession.staff_id == staff_id)
    db.session.expire_all()
    return db.session.scalar(query)


@contextmanager
def statements_run():
    statements: list[str] = []

    def record(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    sa.event.listen(db.engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", record)


# The cookie ---------------------------------------------------------------------------------


def test_the_cookie_carries_only_a_random_id_whose_hash_the_server_keeps(app, client, clock):
    worker = make_staff(email="worker@example.test")
    sign_in(client, worker)
    value = session_cookie(client)
    assert value.startswith(SESSION_ID_PREFIX) and "." not in value and len(value) > 40
    row = db.session.scalar(sa.select(UserSession))
    assert row.token_hash == hashlib.sha256(value.encode()).hexdigest()
    assert row.staff_id == worker.id
    assert value not in repr([getattr(row, c.key) for c in UserSession.__table__.columns])
    assert (row.created_at, row.expires_at) == (clock.now(), clock.now() + timedelta(hours=8))


def test_visitors_who_are_not_signed_in_write_no_session_rows(app, client, clock):
    make_staff(email="worker@example.test")
    for _ in range(30):
        assert client.get("/sign-in").status_code == 200
        client.post("/sign-in", data={"email": "worker@example.test", "password": "wrong password"})
        client.get("/my-data")
    assert session_rows() == 0
    # Their small session (the CSRF token here) stays in a signed cookie.
    assert "." in session_cookie(client)


def test_a_signed_cookie_claiming_a_person_signs_nobody_in(app, client, clock):
    """Only a server-side session signs anyone in: not an old-style cookie, even one signed with the key."""
    from flask_login.utils import _create_identifier

    worker = make_staff(email="worker@example.test")
    with app.test_request_context():
        identifier = _create_identifier()
        forged = app.session_interface.get_signing_serializer(app).dumps(
            {"_user_id": str(worker.id), "_fresh": True, "_id": identifier}
        )
    client.set_cookie(COOKIE, forged)
    assert client.get("/my-data").status_code == 302
    assert session_rows() == 0


def test_a_remember_me_cookie_signs_nobody_in(app, client, clock):
    """Flask-Login honours a "remember me" cookie; the service issues none and refuses one."""
    from flask_login.utils import encode_cookie

    worker = make_staff(email="worker@example.test")
    with app.test_request_context():
        client.set_cookie("remember_token", encode_cookie(str(worker.id)))
    assert client.get("/my-data").status_code == 302
    assert session_rows() == 0
    assert not (session_cookie(client) or "").startswith(SESSION_ID_PREFIX)


def test_an_unknown_id_opens_nothing_and_the_cookie_is_removed(client, clock):
    client.set_cookie(COOKIE, SESSION_ID_PREFIX + "x" * 43)
    response = client.get("/my-data")
    assert response.status_code == 302
    assert not session_cookie(client).startswith(SESSION_ID_PREFIX)


# Sign-out and a copied cookie --------------------------------------------------------------


def test_a_copied_cookie_opens_nothing_after_sign_out(app, client, clock):
    worker = make_staff(email="worker@example.test")
    sign_in(client, worker)
    thief = app.test_client()
    thief.set_cookie(COOKIE, session_cookie(client))
    assert opens_pages(thief)

    assert client.post("/sign-out").status_code == 302

    assert not opens_pages(thief)
    assert not opens_pages(client)
    assert session_rows() == 0


def test_signing_in_always_starts_a_new_session_id(app, client, clock):
    worker = make_staff(email="worker@example.test")
    client.get("/sign-in")
    before = session_cookie(client)
    sign_in(client, worker)
    first = session_cookie(client)
    assert first != before and first.startswith(SESSION_ID_PREFIX)
    client.post("/sign-out")
    sign_in(client, worker)
    second = session_cookie(client)
    assert second not in (first, before)
    # The first id is gone from the server, not just from this browser.
    old = app.test_client()
    old.set_cookie(COOKIE, first)
    assert not opens_pages(old)


# Lifetime and idle time, held by the server ------------------------------------------------


def test_the_absolute_lifetime_holds_however_busy_the_session(client, clock):
    """Used every 30 minutes for 12 hours: the session still ends 8 hours after sign-in."""
    worker = make_staff(Role.SOCIAL_WORKER, email="worker@example.test")
    signed_in_at = clock.now()
    sign_in(client, worker)
    still_open = []
    for _ in range(24):
        clock.advance(minutes=30)
        still_open.append((clock.now() - signed_in_at, opens_pages(client)))
    assert all(ok for elapsed, ok in still_open if elapsed < timedelta(hours=8))
    assert not any(ok for elapsed, ok in still_open if elapsed >= timedelta(hours=8))


def test_the_lifetime_ending_is_explained_on_the_sign_in_page(client, clock):
    worker = make_staff(email="worker@example.test")
    sign_in(client, worker)
    clock.advance(hours=8)
    response = client.get("/my-data")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/sign-in?next=/my-data")
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "You were signed out because you signed in more than 8 hours ago" in page
    assert session_rows() == 0


def test_an_idle_session_ends_on_the_server_even_for_a_copy_of_the_cookie(app, client, clock):
    worker = make_staff(email="worker@example.test")
    sign_in(client, worker)
    copy = session_cookie(client)
    clock.advance(minutes=61)
    assert not opens_pages(client)
    thief = app.test_client()
    thief.set_cookie(COOKIE, copy)
    assert not opens_pages(thief)


def test_last_seen_is_written_at_most_once_a_minute_and_each_request_reads_the_session_once(client, clock):
    worker = make_staff(email="worker@example.test")
    sign_in(client, worker)  # the forms' CSRF token is stored with the new session: pages write nothing
    with statements_run() as statements:
        for _ in range(5):
            clock.advance(seconds=10)
            assert client.get("/").status_code == 200
    touching = [s for s in statements if "user_session" in s]
    assert len(touching) == 5  # one indexed look-up a request, no writes
    assert all(s.lstrip().upper().startswith("SELECT") for s in touching)
    # The person and their roles come with the session: the user loader reads nothing more.
    person_by_id = [s for s in statements if "FROM staff LEFT OUTER JOIN staff_role" in s]
    assert person_by_id == []

    clock.advance(seconds=15)  # a minute since last seen was written
    with statements_run() as statements:
        assert client.get("/").status_code == 200
    assert len([s for s in statements if s.lstrip().upper().startswith("UPDATE USER_SESSION")]) == 1


# Sign out everywhere ------------------------------------------------------------------------


def test_sign_out_everywhere_ends_every_session_of_that_person_only(app, client, clock):
    worker = make_staff(email="worker@example.test")
    colleague = make_staff(email="colleague@example.test")
    laptop, phone, theirs = app.test_client(), app.test_client(), app.test_client()
    for browser in (client, laptop, phone):
        sign_in(browser, worker)
    sign_in(theirs, colleague)

    account = parse_html(client.get("/").get_data(as_text=True))
    link = next(a for a in account.select("nav a") if a.get_text(strip=True) == "Your account")
    page = parse_html(client.get(link["href"]).get_data(as_text=True))
    assert page.select_one("#open-sessions").get_text(strip=True) == "3 browsers"
    form = page.find("button", string="Sign out everywhere").find_parent("form")

    response = client.post(form["action"])
    assert response.status_code == 302
    assert "You have signed out on every device and browser" in client.get("/sign-in").get_data(as_text=True)
    assert not any(opens_pages(browser) for browser in (client, laptop, phone))
    assert opens_pages(theirs)
    assert session_rows(worker.id) == 0


def test_sign_out_everywhere_needs_a_csrf_token(app, client, clock):
    worker = make_staff(email="worker@example.test")
    sign_in(client, worker)
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        assert client.post("/account/sign-out-everywhere").status_code == 400
    finally:
        app.config["WTF_CSRF_ENABLED"] = False
    assert opens_pages(client)


# Changes that end sessions (and tokens) -------------------------------------------------------


@pytest.fixture
def admin_browser(app, clock):
    admin = make_staff(Role.ADMIN, email="admin@example.test")
    browser = app.test_client()
    sign_in(browser, admin)
    return browser


def edit(admin_browser, person, **changes):
    response = admin_browser.post(f"/staff/{person.id}/edit", data=edit_data(person, **changes))
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]


def signed_in_with_token(app, client, person):
    sign_in(client, person)
    other_browser = app.test_client()
    sign_in(other_browser, person)
    token = create_token(person, "laptop", False, timedelta(days=30)).secret
    assert client.get("/api/v1/staff", headers={"Authorization": f"Bearer {token}"}).status_code == 200
    return other_browser, token


def api_status(client, token) -> int:
    return client.get("/api/v1/staff", headers={"Authorization": f"Bearer {token}"}).status_code


@pytest.mark.parametrize(
    "change",
    [{"email": "new.address@example.test"}, {"roles": ["social_worker", "supervisor"]}, {"roles": []}],
    ids=["email", "roles added", "roles removed"],
)
def test_an_email_or_role_change_ends_every_session_and_token_at_once(
    app, client, clock, admin_browser, change
):
    worker = make_staff(Role.SOCIAL_WORKER, email="worker@example.test")
    other_browser, token = signed_in_with_token(app, client, worker)

    edit(admin_browser, worker, **change)

    assert not opens_pages(client)
    assert not opens_pages(other_browser)
    assert api_status(client, token) == 401
    assert opens_pages(admin_browser)  # the administrator's own session is not touched


def test_other_changes_leave_sessions_and_tokens_alone(app, client, clock, admin_browser):
    worker = make_staff(Role.SOCIAL_WORKER, email="worker@example.test")
    other_browser, token = signed_in_with_token(app, client, worker)

    edit(admin_browser, worker, job_title="Senior social worker", email="WORKER@example.test")

    assert opens_pages(client) and opens_pages(other_browser)
    assert api_status(client, token) == 200


def test_a_refused_edit_ends_nothing(app, client, clock, admin_browser):
    worker = make_staff(Role.SOCIAL_WORKER, email="worker@example.test")
    make_staff(email="taken@example.test")
    _, token = signed_in_with_token(app, client, worker)

    response = admin_browser.post(
        f"/staff/{worker.id}/edit", data=edit_data(worker, email="taken@example.test", roles=["hr"])
    )

    assert response.status_code == 200
    assert opens_pages(client)
    assert api_status(client, token) == 200


def test_deactivation_ends_every_session_and_token(app, client, clock, admin_browser):
    worker = make_staff(Role.SOCIAL_WORKER, email="worker@example.test")
    other_browser, token = signed_in_with_token(app, client, worker)

    response = admin_browser.post(f"/staff/{worker.id}/deactivate", data={"confirm": "y"})

    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    assert not opens_pages(client) and not opens_pages(other_browser)
    assert api_status(client, token) == 401


def test_an_email_changed_by_the_staff_import_ends_that_persons_sessions_and_tokens(app, client, clock):
    organisation = make_organisation()
    make_team("North", service=make_service("Assessment"))
    import_services.import_staff(organisation.id, staff_file([person_line(1), person_line(2)]))
    moved, kept = (make_staff_lookup(f"person.{n}@example.test", with_password=True) for n in (1, 2))
    _, moved_token = signed_in_with_token(app, client, moved)
    kept_browser = app.test_client()
    sign_in(kept_browser, kept)

    import_services.import_staff(
        organisation.id, staff_file([person_line(1, email="person.one@example.test"), person_line(2)])
    )

    assert not opens_pages(client)
    assert api_status(client, moved_token) == 401
    assert opens_pages(kept_browser)


def make_staff_lookup(email: str, with_password: bool = False):
    from supervision.org.services import find_by_email
    from tests.factories import password_hash

    person = find_by_email(email)
    if with_password:
        person.password_hash = password_hash(PASSWORD)
        db.session.commit()
    return person


# The purge ----------------------------------------------------------------------------------


def test_the_purge_job_deletes_ended_sessions_and_keeps_live_ones(app, clock):
    early, late = app.test_client(), app.test_client()
    sign_in(early, make_staff(email="early@example.test"))
    clock.advance(hours=7, minutes=30)
    sign_in(late, make_staff(email="late@example.test"))
    idle = app.test_client()
    sign_in(idle, make_staff(email="idle@example.test"))
    clock.advance(minutes=30)
    assert opens_pages(late)  # seen now; `idle` last seen 30 minutes ago, `early` is 8 hours old

    assert run_job("purge-sign-ins", db.session, clock).counts == {"sessions": 1, "throttle_counts": 0}
    assert session_rows() == 2

    clock.advance(minutes=31)
    assert run_job("purge-sign-ins", db.session, clock).counts == {"sessions": 1, "throttle_counts": 0}
    assert opens_pages(late)


def test_a_database_that_cannot_be_reached_gets_the_error_page_and_keeps_the_cookie():
    """Opening a session happens before Flask's error handlers: the failure is raised where they answer."""
    from supervision import create_app
    from tests.conftest import make_test_config

    unreachable = "postgresql+psycopg://postgres@127.0.0.1:9/nowhere?connect_timeout=2"
    app = create_app(make_test_config(unreachable, PROPAGATE_EXCEPTIONS=False))
    client = app.test_client()
    session_id = SESSION_ID_PREFIX + "x" * 43
    client.set_cookie(COOKIE, session_id)
    response = client.get("/my-data")
    assert response.status_code == 503
    assert "Sorry, the service is unavailable" in response.get_data(as_text=True)
    assert session_cookie(client) == session_id  # a database blip signs nobody out
    with app.app_context():
        db.engine.dispose()
