"""The record tests' small organisation and the API client, for the limits' tests."""

from tests.api.conftest import api_as  # noqa: F401
from tests.records.conftest import people  # noqa: F401
