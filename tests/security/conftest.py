import pytest

from config import Config
from supervision.extensions import limiter


@pytest.fixture
def production_rate_limits(app):
    """The limits the service runs with (the test config raises them), on an empty counter store."""
    keys = ("SIGN_IN_RATE_LIMIT", "API_RATE_LIMIT", "PASSWORD_RESET_RATE_LIMIT")
    saved = {key: app.config[key] for key in keys}
    app.config.update({key: getattr(Config, key) for key in keys})
    limiter.reset()
    yield
    app.config.update(saved)
    limiter.reset()
