"""Flask-Limiter on sign-in (per address and email, on top of the lockout) and on the API."""

from config import Config
from supervision.org.models import Role
from tests.factories import PASSWORD, make_staff


def attempt(client, email, password="wrong password", address="192.0.2.10"):  # noqa: S107
    return client.post(
        "/sign-in", data={"email": email, "password": password}, environ_base={"REMOTE_ADDR": address}
    )


def test_the_eleventh_sign_in_attempt_in_a_minute_is_refused(client, production_rate_limits):
    assert Config.SIGN_IN_RATE_LIMIT == "10 per minute"
    for _ in range(10):
        assert attempt(client, "nobody@example.test").status_code == 200
    refused = attempt(client, "nobody@example.test")
    assert refused.status_code == 429
    assert "Too many requests" in refused.get_data(as_text=True)
    assert "Retry-After" in refused.headers


def test_the_limit_counts_each_email_from_each_address_separately(client, production_rate_limits):
    worker = make_staff(Role.SOCIAL_WORKER, email="worker@example.test")
    for _ in range(10):
        attempt(client, "someone-else@example.test")
    assert attempt(client, "someone-else@example.test").status_code == 429
    assert attempt(client, "someone-else@example.test", address="192.0.2.99").status_code == 200
    signed_in = attempt(client, worker.email, password=PASSWORD)
    assert signed_in.status_code == 302


def test_looking_at_the_sign_in_page_is_not_limited(client, production_rate_limits):
    for _ in range(15):
        assert client.get("/sign-in").status_code == 200


def ask_for_reset(client, email, address="192.0.2.10"):
    return client.post("/forgot-password", data={"email": email}, environ_base={"REMOTE_ADDR": address})


def test_the_sixth_reset_request_in_an_hour_for_one_email_from_one_address_is_refused(
    client, production_rate_limits
):
    assert Config.PASSWORD_RESET_RATE_LIMIT == "5 per hour"
    for _ in range(5):
        assert ask_for_reset(client, "nobody@example.test").status_code == 200
    refused = ask_for_reset(client, "Nobody@example.test ")
    assert refused.status_code == 429
    assert "Retry-After" in refused.headers
    # Another email, or the same email from another address, is counted on its own.
    assert ask_for_reset(client, "somebody@example.test").status_code == 200
    assert ask_for_reset(client, "nobody@example.test", address="192.0.2.99").status_code == 200
    assert client.get("/forgot-password").status_code == 200
