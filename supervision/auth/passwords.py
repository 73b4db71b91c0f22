"""Password hashing with argon2id, and the one rule for a new password (NCSC guidance).

A new password must be at least MIN_PASSWORD_LENGTH characters (the most is limits.PASSWORD),
not one of the commonly used passwords in common-passwords.txt.gz (docs/decisions.md says where
the list comes from), and not the person's own email address or name. There are no composition
rules (no "one capital, one digit"): NCSC advise against them, as they lead to predictable
passwords. The same rule applies to setting a first password, a reset and a change.

Production uses argon2-cffi's recommended parameters (RFC 9106, low memory). The test
configuration asks for the cheapest parameters instead (as Django's test settings swap in a fast
hasher): a hash records its own parameters, so verifying is exactly as correct, only faster.
"""

import gzip
import re
from collections.abc import Iterable
from functools import cache
from pathlib import Path

from argon2 import PasswordHasher, profiles
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app, has_app_context

MIN_PASSWORD_LENGTH = 12
HASH_PROFILES = {"recommended": profiles.RFC_9106_LOW_MEMORY, "cheapest-for-tests": profiles.CHEAPEST}


@cache
def _hasher(profile: str) -> PasswordHasher:
    return PasswordHasher.from_parameters(HASH_PROFILES[profile])


@cache
def _dummy_hash(profile: str) -> str:
    """Verified against when the email is unknown, so a wrong email costs as long as a wrong password."""
    return _hasher(profile).hash("not-a-real-password")


def _profile() -> str:
    if not has_app_context():
        return "recommended"
    return current_app.config.get("PASSWORD_HASH_PROFILE", "recommended")


def hash_password(password: str) -> str:
    return _hasher(_profile()).hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    profile = _profile()
    try:
        return _hasher(profile).verify(password_hash or _dummy_hash(profile), password) and (
            password_hash is not None
        )
    except (VerificationError, InvalidHashError):
        return False


COMMON_PASSWORDS_FILE = Path(__file__).with_name("common-passwords.txt.gz")
TOO_SHORT = f"Password must be {MIN_PASSWORD_LENGTH} characters or more"
TOO_COMMON = "This is one of the most commonly used passwords: choose one that is harder to guess"
OWN_DETAILS = "Your password must not be your email address or your name"


@cache
def common_passwords() -> frozenset[str]:
    with gzip.open(COMMON_PASSWORDS_FILE, "rt", encoding="utf-8") as lines:
        return frozenset(line.strip() for line in lines if line.strip())


def _folded(text: str) -> str:
    """Lower case, letters and digits only: "Ann.Bee-2024" and "ann bee 2024" are the same."""
    return re.sub(r"[\W_]+", "", text.casefold())


def _own_details(email: str | None, names: Iterable[str]) -> set[str]:
    details = {_folded(name) for name in names if name}
    if email:
        details |= {_folded(email), _folded(email.partition("@")[0])}
    return {detail for detail in details if len(detail) >= 3}


def password_problem(password: str, email: str | None = None, names: Iterable[str] = ()) -> str | None:
    """Why a new password is not acceptable, or None: too short, commonly used, or the person's own
    email address or name (alone, or with only digits after it, as "annbee2024")."""
    if len(password) < MIN_PASSWORD_LENGTH:
        return TOO_SHORT
    if password.casefold() in common_passwords() or _folded(password) in common_passwords():
        return TOO_COMMON
    folded = _folded(password)
    if folded.rstrip("0123456789") in _own_details(email, names) or folded in _own_details(email, names):
        return OWN_DETAILS
    return None


def problem_for(person, password: str) -> str | None:
    """`password_problem` for this person (a Staff): their email and names are refused."""
    names = (person.given_name, person.family_name, f"{person.given_name} {person.family_name}")
    return password_problem(password, person.email, names)
