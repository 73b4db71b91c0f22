"""The rules the code cites are in the repository (docs/development.md): comments, docstrings and
templates cite docs/ pages, never the product design document outside it, and every docs/ file
they cite exists, so a reader of a fresh clone can follow each citation."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

# Run once, by `make lint`, not again in each database's suite run (Makefile).
pytestmark = pytest.mark.lint

ROOT = Path(__file__).resolve().parent.parent
# Everything a developer reads: code, templates, migrations, benchmarks and the docs themselves.
SOURCES = ("supervision", "tests", "templates", "migrations", "bench", "docs")
TOP_LEVEL = ("config.py", "wsgi.py", "Makefile", "README.md")
SUFFIXES = {".py", ".html", ".md", ".txt", ".js", ".css"}

# The design document's name in capitals, as it was cited ("... section 4"); "Design" as in
# "the GOV.UK Design System" is not a citation. Built from parts so this file does not cite it.
OUTSIDE_DOCUMENT = re.compile(r"\b" + "DES" + r"IGN\b")
DOCS_PATH = re.compile(r"\bdocs/[A-Za-z0-9_-]+(?:/[A-Za-z0-9_-]+)*\.(?:md|json|csv)\b")


def readable_files() -> list[Path]:
    files = [ROOT / name for name in TOP_LEVEL]
    for folder in SOURCES:
        files.extend(
            path
            for path in sorted((ROOT / folder).rglob("*"))
            if path.is_file() and path.suffix in SUFFIXES and "__pycache__" not in path.parts
        )
    return files


def occurrences(pattern: re.Pattern[str]) -> list[tuple[str, str]]:
    found = []
    for path in readable_files():
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            found.extend((f"{path.relative_to(ROOT)}:{number}", match) for match in pattern.findall(line))
    return found


def test_nothing_cites_the_design_document_outside_the_repository():
    assert occurrences(OUTSIDE_DOCUMENT) == [], "cite the docs/ page that states the rule"


def test_every_docs_file_cited_exists():
    missing = [(where, cited) for where, cited in occurrences(DOCS_PATH) if not (ROOT / cited).is_file()]
    assert missing == []


def test_the_citations_are_found_at_all():
    """The check above is not vacuous: the code does cite docs/ pages."""
    cited = {cited for _, cited in occurrences(DOCS_PATH)}
    assert {"docs/rules.md", "docs/roles.md", "docs/metrics.md"} <= cited
