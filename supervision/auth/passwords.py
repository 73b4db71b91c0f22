"""Password hashing with argon2id.

Production uses argon2-cffi's recommended parameters (RFC 9106, low memory). The test
configuration asks for the cheapest parameters instead (as Django's test settings swap in a fast
hasher): a hash records its own parameters, so verifying is exactly as correct, only faster.
"""

from functools import cache

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


def password_problem(password: str) -> str | None:
    """Why a new password is not acceptable, or None."""
    if len(password) < MIN_PASSWORD_LENGTH:
        return f"Password must be {MIN_PASSWORD_LENGTH} characters or more"
    return None
