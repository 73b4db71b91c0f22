"""Reading report pages back: tables as dictionaries of the text people see."""

from __future__ import annotations

import sqlalchemy as sa
from bs4 import BeautifulSoup

from supervision.extensions import db


def text(cell) -> str:
    return cell.get_text(" ", strip=True)


def summary_figures(page: BeautifulSoup) -> dict[str, str]:
    """The "Figures for ..." table: figure label → value as shown."""
    table = page.find("table", id="figures")
    return {text(row.th): text(row.td) for row in table.tbody.find_all("tr")}


def table_rows(page: BeautifulSoup, table_id: str) -> list[list[str]]:
    table = page.find("table", id=table_id)
    return [[text(cell) for cell in row.find_all(["th", "td"])] for row in table.tbody.find_all("tr")]


def visible_text(cell) -> str:
    """The words on screen, without the extra words only screen readers hear."""
    return " ".join(
        piece.strip()
        for piece in cell.find_all(string=True)
        if piece.strip() and not any("govuk-visually-hidden" in (p.get("class") or []) for p in piece.parents)
    )


def table_header(page: BeautifulSoup, table_id: str) -> list[str]:
    table = page.find("table", id=table_id)
    return [visible_text(cell) for cell in table.thead.find_all("th")]


def rows_by_name(page: BeautifulSoup, table_id: str) -> dict[str, dict[str, str]]:
    header = table_header(page, table_id)
    return {row[0]: dict(zip(header[1:], row[1:], strict=True)) for row in table_rows(page, table_id)}


class StatementCounter:
    """Counts SQL statements sent to the database while active (a before_cursor_execute listener)."""

    def __init__(self):
        self.statements: list[str] = []

    def _count(self, conn, cursor, statement, *args):
        self.statements.append(statement)

    def __enter__(self):
        sa.event.listen(db.engine, "before_cursor_execute", self._count)
        return self

    def __exit__(self, *exc):
        sa.event.remove(db.engine, "before_cursor_execute", self._count)

    def __len__(self) -> int:
        return len(self.statements)
