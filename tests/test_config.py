import pytest

from config import DEFAULT_SECRET, ProductionConfig, database_url
from supervision import create_app


@pytest.mark.parametrize("secret", [None, "", DEFAULT_SECRET, "too-short"])
def test_production_refuses_to_start_without_a_real_secret(monkeypatch, secret):
    if secret is None:
        monkeypatch.delenv("SECRET_KEY", raising=False)
    else:
        monkeypatch.setenv("SECRET_KEY", secret)
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app("production")


def test_production_starts_with_a_real_secret_and_secure_cookies(monkeypatch):
    monkeypatch.setenv("SECRET_KEY", "x" * 40)
    app = create_app(ProductionConfig)
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.config["SESSION_COOKIE_HTTPONLY"] is True
    assert app.config["DEMO_ALLOWED"] is False


def test_an_unknown_config_name_is_a_clear_error():
    with pytest.raises(RuntimeError, match="Unknown FLASK_CONFIG 'staging'"):
        create_app("staging")


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("postgres://u@h/db", "postgresql+psycopg://u@h/db"),
        ("postgresql://u@h/db", "postgresql+psycopg://u@h/db"),
        ("postgresql+psycopg://u@h/db", "postgresql+psycopg://u@h/db"),
        ("sqlite:////tmp/x.sqlite3", "sqlite:////tmp/x.sqlite3"),
        (None, "sqlite:///default"),
    ],
)
def test_database_urls_use_the_psycopg_driver(given, expected):
    assert database_url(given, "sqlite:///default") == expected
