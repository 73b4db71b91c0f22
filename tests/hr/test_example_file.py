"""The example import file in docs/examples imports into the demo organisation as it stands."""

from pathlib import Path

import pytest

from supervision.demo import seed_demo

EXAMPLE = Path(__file__).resolve().parents[2] / "docs" / "examples" / "staff-import.csv"

pytestmark = pytest.mark.usefixtures("clock")


def test_the_documented_example_file_checks_clean_against_the_demo(app):
    seed_demo()
    result = app.test_cli_runner().invoke(args=["import-staff", str(EXAMPLE), "--dry-run"])
    assert result.exit_code == 0, result.output
    assert "Row " not in result.output, result.output
