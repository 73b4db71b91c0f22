import pytest

from config import Config
from supervision.extensions import limiter


@pytest.fixture
def production_rate_limits(app):
    """The limits the service runs with (the test config raises them), on an empty counter store."""
    saved = {key: app.config[key] for key in ("SIGN_IN_RATE_LIMIT", "API_RATE_LIMIT")}
    app.config.update(SIGN_IN_RATE_LIMIT=Config.SIGN_IN_RATE_LIMIT, API_RATE_LIMIT=Config.API_RATE_LIMIT)
    limiter.reset()
    yield
    app.config.update(saved)
    limiter.reset()
