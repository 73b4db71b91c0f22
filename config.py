"""Settings, chosen by one variable (FLASK_CONFIG or the factory's argument).

Every value can be set from the environment; development defaults are safe to run locally
and production refuses to start with anything missing that matters.
"""

import os
from datetime import timedelta
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent
DEFAULT_SECRET = "development-only-secret-do-not-use-in-production"


def database_url(raw: str | None, default: str) -> str:
    """Accept the usual `postgres://` / `postgresql://` forms and use the psycopg 3 driver."""
    url = raw or default
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


class Config:
    SERVICE_NAME = "Supervision"
    # The header and every page's title name the organisation that runs the service: this name,
    # or (unset) the organisation in the database. ORGANISATION_LOGO is an image file under
    # supervision/static/ (e.g. "organisation/logo.svg"), shown beside the name; none when unset.
    ORGANISATION_NAME = os.environ.get("ORGANISATION_NAME") or None
    ORGANISATION_LOGO = os.environ.get("ORGANISATION_LOGO") or None
    SECRET_KEY = os.environ.get("SECRET_KEY", DEFAULT_SECRET)
    SQLALCHEMY_DATABASE_URI = database_url(
        os.environ.get("DATABASE_URL"), f"sqlite:///{BASE_DIR / 'instance' / 'supervision.sqlite3'}"
    )
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}
    GOVUK_FRONTEND_DIR = os.environ.get(
        "GOVUK_FRONTEND_DIR", str(BASE_DIR / "node_modules" / "govuk-frontend" / "dist" / "govuk")
    )

    # Session cookies: HttpOnly always, SameSite=Lax against cross-site form posts,
    # Secure wherever the service is served over HTTPS (production).
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", False)
    SESSION_COOKIE_NAME = "supervision_session"
    # A signed-in session lives in the database (supervision/auth/sessions.py) and ends on the
    # server 8 hours after sign-in however busy, or after SESSION_IDLE_MINUTES unused (give or take
    # the minute "last seen" is written to). This also bounds a visitor's signed cookie.
    PERMANENT_SESSION_LIFETIME = timedelta(hours=8)
    SESSION_IDLE_TIMEOUT = timedelta(minutes=int(os.environ.get("SESSION_IDLE_MINUTES", "60")))
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SECURE = SESSION_COOKIE_SECURE
    WTF_CSRF_TIME_LIMIT = None  # the token lives as long as the session

    # argon2id parameters (supervision/auth/passwords.py): only tests choose cheaper ones.
    PASSWORD_HASH_PROFILE = "recommended"
    # Sign-in throttling (supervision/auth/throttle.py), in the database so every instance shares
    # it: after SIGN_IN_FREE_FAILURES wrong passwords for an account from one address (or one known
    # device), and after SIGN_IN_ACCOUNT_FREE_FAILURES for the account from anywhere else, each
    # attempt waits SIGN_IN_BASE_DELAY, doubling per failure up to SIGN_IN_MAX_DELAY; counts are
    # forgotten a day after their last failure. A browser that has signed in to the account holds
    # a known-device cookie for KNOWN_DEVICE_DAYS and is exempt from the count across addresses.
    SIGN_IN_FREE_FAILURES = int(os.environ.get("SIGN_IN_FREE_FAILURES", "5"))
    SIGN_IN_ACCOUNT_FREE_FAILURES = int(os.environ.get("SIGN_IN_ACCOUNT_FREE_FAILURES", "20"))
    SIGN_IN_BASE_DELAY = timedelta(minutes=1)
    SIGN_IN_MAX_DELAY = timedelta(hours=1)
    SIGN_IN_FORGET_AFTER = timedelta(days=1)
    KNOWN_DEVICE_LIFETIME = timedelta(days=int(os.environ.get("KNOWN_DEVICE_DAYS", "90")))
    # Rate limits (Flask-Limiter), on top of the throttle: sign-in attempts per address and email,
    # and API requests per token. Several instances need a shared store, e.g. redis://host:6379.
    RATELIMIT_STORAGE_URI = os.environ.get("RATELIMIT_STORAGE_URI", "memory://")
    RATELIMIT_HEADERS_ENABLED = True
    RATELIMIT_ENABLED = env_bool("RATELIMIT_ENABLED", True)
    SIGN_IN_RATE_LIMIT = os.environ.get("SIGN_IN_RATE_LIMIT", "10 per minute")
    API_RATE_LIMIT = os.environ.get("API_RATE_LIMIT", "300 per minute")
    # "Forgot your password?": requests per address and email; however many addresses ask, a
    # person gets at most 3 reset emails an hour (supervision/auth/links.py). Every answer takes at
    # least PASSWORD_RESET_ANSWER_SECONDS, so its timing does not say whether the email is known.
    PASSWORD_RESET_RATE_LIMIT = os.environ.get("PASSWORD_RESET_RATE_LIMIT", "5 per hour")
    PASSWORD_RESET_ANSWER_SECONDS = 0.5
    # Personal access tokens: how long a new token lives unless its owner chooses otherwise.
    API_TOKEN_LIFETIME_DAYS = int(os.environ.get("API_TOKEN_LIFETIME_DAYS", "90"))

    MAIL_SERVER = os.environ.get("MAIL_SERVER", "127.0.0.1")
    MAIL_PORT = int(os.environ.get("MAIL_PORT", "25"))
    MAIL_USERNAME = os.environ.get("MAIL_USERNAME")
    MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD")
    MAIL_USE_TLS = env_bool("MAIL_USE_TLS", False)
    MAIL_DEFAULT_SENDER = os.environ.get("MAIL_DEFAULT_SENDER", "supervision@localhost")
    MAIL_TIMEOUT_SECONDS = float(os.environ.get("MAIL_TIMEOUT_SECONDS", "10"))
    # The outbox tries an email this many times, waiting base, 2 x base, 4 x base... (capped)
    # seconds between attempts, then marks it failed for administrators to see.
    OUTBOX_MAX_ATTEMPTS = int(os.environ.get("OUTBOX_MAX_ATTEMPTS", "8"))
    OUTBOX_RETRY_BASE_SECONDS = int(os.environ.get("OUTBOX_RETRY_BASE_SECONDS", "60"))
    OUTBOX_RETRY_MAX_SECONDS = int(os.environ.get("OUTBOX_RETRY_MAX_SECONDS", "3600"))
    # How long the record of scheduled job runs is kept.
    JOB_RUN_RETENTION_DAYS = int(os.environ.get("JOB_RUN_RETENTION_DAYS", "30"))
    # The scheduler's process and `run-job` work at this Unix niceness (0 to 19; 0: as started), so
    # a job that works for minutes (the stored figures at national scale: about four) leaves the
    # processor to the pages people are waiting for (docs/deployment.md, "Jobs and pages").
    JOB_NICENESS = int(os.environ.get("JOB_NICENESS", "10"))
    # Testing only (tests/reliability): a pause after each batch a job commits, so a test can
    # kill the scheduler mid-run deterministically. Never set it in production.
    JOB_BATCH_PAUSE_SECONDS = float(os.environ.get("JOB_BATCH_PAUSE_SECONDS", "0"))
    # Data protection (docs/data-protection.md): a leaver's supervision records are purged this
    # many years after their last day, and only after a dry-run report has listed them for at
    # least RETENTION_PURGE_NOTICE_DAYS (the monthly job reports one month and purges the next).
    RETENTION_YEARS_AFTER_LEAVING = int(os.environ.get("RETENTION_YEARS_AFTER_LEAVING", "6"))
    RETENTION_PURGE_NOTICE_DAYS = int(os.environ.get("RETENTION_PURGE_NOTICE_DAYS", "14"))
    # Compliance prompts not in the organisation's supervision policy: how far ahead an
    # agreement review, registration or DBS renewal is flagged, and how often DBS is renewed.
    RENEWAL_NOTICE_DAYS = int(os.environ.get("RENEWAL_NOTICE_DAYS", "28"))
    DBS_RENEWAL_MONTHS = int(os.environ.get("DBS_RENEWAL_MONTHS", "36"))

    # Where links in emails and calendar feeds point (and the SSO redirect URI's base).
    BASE_URL = os.environ.get("BASE_URL", "http://127.0.0.1:5000")

    # Single sign-on with OpenID Connect, alongside passwords (docs/security.md). Off unless
    # OIDC_ISSUER is set: the issuer's URL, whose /.well-known/openid-configuration describes it.
    # Register BASE_URL + /sign-in/sso/callback as the redirect URI. Secrets from the environment only.
    OIDC_ISSUER = os.environ.get("OIDC_ISSUER") or None
    OIDC_CLIENT_ID = os.environ.get("OIDC_CLIENT_ID")
    OIDC_CLIENT_SECRET = os.environ.get("OIDC_CLIENT_SECRET")
    OIDC_DISPLAY_NAME = os.environ.get("OIDC_DISPLAY_NAME", "Sign in with your organisation account")
    # A person is matched by an email the provider says it has verified. Turn this off only for a
    # provider that sends no `email_verified` claim and issues every email itself (one tenant).
    OIDC_REQUIRE_VERIFIED_EMAIL = env_bool("OIDC_REQUIRE_VERIFIED_EMAIL", True)

    # `make run` embeds a scheduler in the serving process; production runs its own process.
    EMBEDDED_SCHEDULER = env_bool("EMBEDDED_SCHEDULER", False)
    DEMO_ALLOWED = True


class DevelopmentConfig(Config):
    DEBUG = False


class TestConfig(Config):
    TESTING = True
    SQLALCHEMY_DATABASE_URI = database_url(
        os.environ.get("TEST_DATABASE_URL"), "sqlite:///" + str(BASE_DIR / "instance" / "test.sqlite3")
    )
    SERVER_NAME = None
    # Tests sign the same emails in many times a minute; tests/security sets the real limits.
    SIGN_IN_RATE_LIMIT = "10000 per minute"
    API_RATE_LIMIT = "10000 per minute"
    PASSWORD_RESET_RATE_LIMIT = "10000 per minute"
    PASSWORD_RESET_ANSWER_SECONDS = 0.05
    # Single sign-on stays off whatever the environment says; tests/auth/test_sso.py turns it on.
    OIDC_ISSUER = None
    # argon2's cheapest parameters: sign-in stays real, without seconds of hashing per test.
    PASSWORD_HASH_PROFILE = "cheapest-for-tests"
    # `run-job` also runs inside test processes (the CLI runner): they keep their own priority.
    # Commands a test starts as processes of their own use the development settings' niceness.
    JOB_NICENESS = 0


class ProductionConfig(Config):
    SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", True)
    REMEMBER_COOKIE_SECURE = SESSION_COOKIE_SECURE
    DEMO_ALLOWED = False

    @classmethod
    def check(cls) -> None:
        """Refuse to start without a real secret (a default key lets anyone forge sessions), or
        with single sign-on half configured or over plain HTTP."""
        secret = os.environ.get("SECRET_KEY")
        if not secret or secret == DEFAULT_SECRET or len(secret) < 32:
            raise RuntimeError(
                "SECRET_KEY must be set to a random value of at least 32 characters in production"
            )
        issuer = os.environ.get("OIDC_ISSUER")
        if issuer and not issuer.startswith("https://"):
            raise RuntimeError("OIDC_ISSUER must be an https:// URL in production")
        if issuer and not (os.environ.get("OIDC_CLIENT_ID") and os.environ.get("OIDC_CLIENT_SECRET")):
            raise RuntimeError("OIDC_CLIENT_ID and OIDC_CLIENT_SECRET must be set when OIDC_ISSUER is")


CONFIGS = {
    "development": DevelopmentConfig,
    "test": TestConfig,
    "production": ProductionConfig,
}
