"""The reports' small organisation (tests/reports/conftest.py), worked out by hand."""

from tests.reports.conftest import org  # noqa: F401
