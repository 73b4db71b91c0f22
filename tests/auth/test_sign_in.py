import pytest
from flask import url_for

from supervision.auth.views import FAILURE_MESSAGE, safe_next
from supervision.org.models import Role
from tests.factories import PASSWORD, make_staff


def post_sign_in(client, email, password, next_=None):
    url = "/sign-in" + (f"?next={next_}" if next_ else "")
    return client.post(url, data={"email": email, "password": password})


def test_sign_in_with_the_right_password_goes_to_the_home_page(client):
    worker = make_staff(Role.SOCIAL_WORKER, email="worker@example.test")
    response = post_sign_in(client, "Worker@Example.test ", PASSWORD)
    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    home = client.get("/")
    assert home.status_code == 200
    assert worker.name in home.get_data(as_text=True)


def test_wrong_password_shows_the_generic_message_and_no_session(client):
    make_staff(email="worker@example.test")
    response = post_sign_in(client, "worker@example.test", "wrong password")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert FAILURE_MESSAGE in page
    assert "There is a problem" in page
    assert client.get("/").status_code == 302


def test_unknown_email_shows_the_same_message_as_a_wrong_password(client):
    response = post_sign_in(client, "nobody@example.test", "anything at all")
    assert FAILURE_MESSAGE in response.get_data(as_text=True)


def test_blank_fields_are_named_in_the_error_summary(client):
    response = post_sign_in(client, "  ", "")
    page = response.get_data(as_text=True)
    assert "Enter your email address" in page
    assert "Enter your password" in page
    assert 'href="#email"' in page


def test_a_deactivated_person_cannot_sign_in(client):
    worker = make_staff(email="gone@example.test", active=False)
    assert post_sign_in(client, worker.email, PASSWORD).status_code == 200


def test_next_takes_you_back_to_a_local_page(client):
    make_staff(Role.ADMIN, email="admin@example.test")
    response = post_sign_in(client, "admin@example.test", PASSWORD, next_="/staff")
    assert response.headers["Location"] == "/staff"


@pytest.mark.parametrize(
    "target",
    ["https://evil.example/", "//evil.example/", "/\\evil.example", "http:/evil", "javascript:alert(1)", ""],
)
def test_an_unsafe_next_is_ignored(client, target):
    make_staff(email="worker@example.test")
    response = post_sign_in(client, "worker@example.test", PASSWORD, next_=target)
    assert response.headers["Location"] == "/"
    assert safe_next(target) is None


def test_pages_need_sign_in_and_remember_where_you_were_going(client):
    response = client.get("/staff")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/sign-in?next=")


def test_sign_out_ends_the_session(client):
    make_staff(email="worker@example.test")
    post_sign_in(client, "worker@example.test", PASSWORD)
    assert client.post("/sign-out").status_code == 302
    assert client.get("/").status_code == 302


def test_sign_out_by_get_is_not_allowed(client):
    assert client.get("/sign-out").status_code == 405


def test_forms_without_a_csrf_token_are_refused(app, client):
    make_staff(email="worker@example.test")
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        response = post_sign_in(client, "worker@example.test", PASSWORD)
    finally:
        app.config["WTF_CSRF_ENABLED"] = False
    assert response.status_code == 400
    assert "expired or was sent from another site" in response.get_data(as_text=True)


def test_the_session_cookie_is_http_only_and_same_site(app, client):
    make_staff(email="worker@example.test")
    response = post_sign_in(client, "worker@example.test", PASSWORD)
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie
    with app.test_request_context():
        assert url_for("auth.sign_in") == "/sign-in"
