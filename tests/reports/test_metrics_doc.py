"""docs/metrics.md defines every figure in the same words as the page."""

from config import BASE_DIR
from supervision.reports.tables import (
    AUDIT_GRADES_DEFINITION,
    GAP_REASONS_DEFINITION,
    METRICS,
    MONTH_GRID_DEFINITION,
)


def words(text: str) -> str:
    return " ".join(text.split())


def test_every_definition_on_the_page_is_in_docs_metrics():
    document = words((BASE_DIR / "docs" / "metrics.md").read_text(encoding="utf-8"))
    section = document[document.index("# Oversight report") :]

    for metric in METRICS:
        assert f"**{metric.label}**" in section
        assert words(metric.definition) in section
    for definition in (GAP_REASONS_DEFINITION, AUDIT_GRADES_DEFINITION, MONTH_GRID_DEFINITION):
        assert words(definition) in section
