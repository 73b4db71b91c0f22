"""Sign-in throttling: password guessing is refused with growing waits, and nobody can use it to
lock someone else out (per account and address, per account across addresses, known devices)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import sqlalchemy as sa

from config import Config
from supervision.auth.throttle import (
    DEVICE_COOKIE,
    Failures,
    SignInThrottle,
    ThrottlePolicy,
    live,
    may_attempt,
    next_attempt_at,
)
from supervision.auth.views import FAILURE_MESSAGE
from supervision.extensions import db
from supervision.jobs.runs import run_job
from tests.factories import PASSWORD, make_staff

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
POLICY = ThrottlePolicy(
    free=5,
    account_free=20,
    base_delay=timedelta(minutes=1),
    max_delay=timedelta(hours=1),
    forget_after=timedelta(days=1),
)
STRANGER = "198.51.100.7"
OWNER = "192.0.2.20"


def attempt(client, email, password="wrong password", address=STRANGER):  # noqa: S107
    response = client.post(
        "/sign-in", data={"email": email, "password": password}, environ_base={"REMOTE_ADDR": address}
    )
    assert response.status_code in (200, 302), response.status_code
    return response


def signed_in(response) -> bool:
    return response.status_code == 302


def throttle_rows() -> int:
    db.session.expire_all()
    return db.session.scalar(sa.select(sa.func.count()).select_from(SignInThrottle))


# The rule --------------------------------------------------------------------------------------


def test_the_configured_policy_is_the_documented_one(app):
    assert ThrottlePolicy.from_config(app.config) == POLICY
    assert timedelta(days=90) == Config.KNOWN_DEVICE_LIFETIME


def test_no_wait_before_the_free_failures_are_used():
    assert next_attempt_at(Failures(4, NOW), 5, POLICY) is None
    assert may_attempt(Failures(4, NOW), 5, NOW, POLICY)


def test_waits_double_with_each_failure_up_to_the_cap():
    waits = [next_attempt_at(Failures(count, NOW), 5, POLICY) - NOW for count in range(5, 14)]
    assert waits == [timedelta(minutes=m) for m in (1, 2, 4, 8, 16, 32, 60, 60, 60)]
    assert next_attempt_at(Failures(10_000, NOW), 5, POLICY) - NOW == timedelta(hours=1)


def test_a_count_is_forgotten_a_day_after_its_last_failure():
    assert live(Failures(9, NOW), NOW + timedelta(hours=23, minutes=59), POLICY.forget_after) == Failures(
        9, NOW
    )
    assert live(Failures(9, NOW), NOW + timedelta(days=1), POLICY.forget_after) == Failures(0, None)


# Guessing from one address -------------------------------------------------------------------


def test_guessing_from_one_address_is_refused_after_five_tries_with_growing_waits(client, clock):
    owner = make_staff(email="owner@example.test")
    for _ in range(5):
        assert FAILURE_MESSAGE in attempt(client, owner.email).get_data(as_text=True)

    # Held back: even the right password is refused, with the same message, and nothing is counted.
    refused = attempt(client, owner.email, PASSWORD)
    assert not signed_in(refused)
    assert FAILURE_MESSAGE in refused.get_data(as_text=True)
    clock.advance(seconds=59)
    assert not signed_in(attempt(client, owner.email, PASSWORD))

    clock.advance(seconds=1)  # a minute after the fifth failure: one more try
    attempt(client, owner.email)
    clock.advance(minutes=1, seconds=59)  # the sixth failure makes the wait two minutes
    assert not signed_in(attempt(client, owner.email, PASSWORD))
    clock.advance(seconds=1)
    attempt(client, owner.email)
    clock.advance(minutes=3, seconds=59)  # and the seventh, four
    assert not signed_in(attempt(client, owner.email, PASSWORD))
    clock.advance(seconds=1)
    assert signed_in(attempt(client, owner.email, PASSWORD))


def test_an_unknown_email_is_held_back_exactly_like_a_real_one(app, clock):
    """Nothing on the page tells a stranger whether the account exists."""
    make_staff(email="owner@example.test")
    pages = {}
    for email in ("owner@example.test", "nobody@example.test"):
        client = app.test_client()
        answers = [attempt(client, email) for _ in range(7)]
        pages[email] = [(a.status_code, FAILURE_MESSAGE in a.get_data(as_text=True)) for a in answers]
    assert pages["owner@example.test"] == pages["nobody@example.test"] == [(200, True)] * 7


def test_a_strangers_wrong_passwords_do_not_stop_the_owner_signing_in_from_elsewhere(app, client, clock):
    owner = make_staff(email="owner@example.test")
    for _ in range(12):
        attempt(client, owner.email, address=STRANGER)
    assert not signed_in(attempt(client, owner.email, PASSWORD, address=STRANGER))

    assert signed_in(attempt(app.test_client(), owner.email, PASSWORD, address=OWNER))


def test_a_success_clears_the_count_for_that_address(client, clock):
    owner = make_staff(email="owner@example.test")
    for _ in range(4):
        attempt(client, owner.email, address=OWNER)
    assert signed_in(attempt(client, owner.email, PASSWORD, address=OWNER))
    client.post("/sign-out")
    for _ in range(4):
        attempt(client, owner.email, address=OWNER)
    assert signed_in(attempt(client, owner.email, PASSWORD, address=OWNER))


# Distributed guessing and known devices ------------------------------------------------------


def guess_from_many_addresses(client, email, count):
    for number in range(count):
        attempt(client, email, address=f"203.0.113.{number + 1}")


def test_distributed_guessing_is_throttled_across_addresses(app, client, clock):
    owner = make_staff(email="owner@example.test")
    guess_from_many_addresses(client, owner.email, 20)

    fresh = app.test_client()
    assert not signed_in(attempt(fresh, owner.email, PASSWORD, address="203.0.113.200"))
    clock.advance(minutes=1)
    attempt(fresh, owner.email, address="203.0.113.201")  # the 21st failure: the wait doubles
    clock.advance(minutes=1, seconds=59)
    assert not signed_in(attempt(fresh, owner.email, PASSWORD, address="203.0.113.202"))
    clock.advance(seconds=1)
    assert signed_in(attempt(fresh, owner.email, PASSWORD, address="203.0.113.203"))


def test_the_owner_signs_in_at_once_from_a_known_device_during_distributed_guessing(app, client, clock):
    owner = make_staff(email="owner@example.test")
    laptop = app.test_client()
    signed = attempt(laptop, owner.email, PASSWORD, address=OWNER)
    cookie = next(c for c in signed.headers.getlist("Set-Cookie") if c.startswith(DEVICE_COOKIE + "="))
    assert "HttpOnly" in cookie and "Path=/sign-in" in cookie and "SameSite=Lax" in cookie
    laptop.post("/sign-out")

    guess_from_many_addresses(client, owner.email, 30)
    # The same stranger's address as the owner's (one office behind one router) does not matter either.
    for _ in range(6):
        attempt(client, owner.email, address=OWNER)
    assert not signed_in(attempt(app.test_client(), owner.email, PASSWORD, address="203.0.113.250"))

    assert signed_in(attempt(laptop, owner.email, PASSWORD, address=OWNER))


def test_a_known_device_has_its_own_count(app, clock):
    owner = make_staff(email="owner@example.test")
    laptop = app.test_client()
    attempt(laptop, owner.email, PASSWORD, address=OWNER)
    laptop.post("/sign-out")
    for _ in range(5):
        attempt(laptop, owner.email, address=OWNER)
    assert not signed_in(attempt(laptop, owner.email, PASSWORD, address=OWNER))
    # ...which holds back only that browser.
    assert signed_in(attempt(app.test_client(), owner.email, PASSWORD, address="192.0.2.21"))


def test_a_device_cookie_for_another_account_or_tampered_with_does_not_exempt(app, client, clock):
    owner = make_staff(email="owner@example.test")
    other = make_staff(email="other@example.test")
    shared = app.test_client()
    attempt(shared, other.email, PASSWORD, address=OWNER)
    shared.post("/sign-out")
    laptop = app.test_client()
    attempt(laptop, owner.email, PASSWORD, address=OWNER)
    laptop.post("/sign-out")
    guess_from_many_addresses(client, owner.email, 20)

    assert not signed_in(attempt(shared, owner.email, PASSWORD, address=OWNER))
    genuine = laptop.get_cookie(DEVICE_COOKIE, path="/sign-in").value
    tampered = app.test_client()
    tampered.set_cookie(
        DEVICE_COOKIE, genuine[:-4] + ("AAAA" if not genuine.endswith("AAAA") else "BBBB"), path="/sign-in"
    )
    assert not signed_in(attempt(tampered, owner.email, PASSWORD, address=OWNER))
    assert signed_in(attempt(laptop, owner.email, PASSWORD, address=OWNER))


def test_a_known_device_cookie_expires_after_ninety_days(app, client, clock):
    owner = make_staff(email="owner@example.test")
    laptop = app.test_client()
    attempt(laptop, owner.email, PASSWORD, address=OWNER)
    laptop.post("/sign-out")
    clock.advance(days=80)
    guess_from_many_addresses(client, owner.email, 20)
    assert signed_in(attempt(laptop, owner.email, PASSWORD, address=OWNER))
    laptop.post("/sign-out")
    # The cookie is renewed at each sign-in: 91 days after that one, it no longer counts.
    old_cookie = laptop.get_cookie(DEVICE_COOKIE, path="/sign-in").value
    clock.advance(days=91)
    guess_from_many_addresses(client, owner.email, 20)
    stale = app.test_client()
    stale.set_cookie(DEVICE_COOKIE, old_cookie, path="/sign-in")
    assert not signed_in(attempt(stale, owner.email, PASSWORD, address=OWNER))


# What is stored, and the purge --------------------------------------------------------------


def test_counts_are_kept_under_keys_that_reveal_no_email_or_address(client, clock):
    owner = make_staff(email="owner@example.test")
    attempt(client, owner.email)
    rows = db.session.scalars(sa.select(SignInThrottle)).all()
    assert len(rows) == 2  # this account from this address, and this account from anywhere
    stored = " ".join(f"{row.key_hash} {row.failures}" for row in rows)
    assert "owner" not in stored and STRANGER not in stored


def test_the_purge_job_forgets_counts_a_day_old(client, clock):
    owner = make_staff(email="owner@example.test")
    attempt(client, owner.email)
    clock.advance(hours=12)
    attempt(client, "someone@example.test")
    clock.advance(hours=12)
    run = run_job("purge-sign-ins", db.session, clock)
    assert run.counts == {"sessions": 0, "throttle_counts": 2}
    assert throttle_rows() == 2
