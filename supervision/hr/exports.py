"""The retention report as CSV and XLSX, with the same withheld cells as the page.

Both files say which organisation and period they cover and when they were made. Text that a
spreadsheet would run as a formula (starting = + - @, or a tab or carriage return) is written
with a leading apostrophe, so a team called "=HYPERLINK(...)" stays text (OWASP CSV injection), and
no control character reaches a cell (supervision.plain_text).
"""

from __future__ import annotations

import csv
import hashlib
import io
from collections.abc import Iterator
from datetime import datetime
from decimal import Decimal
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.worksheet.worksheet import Worksheet

from supervision.clock import LONDON
from supervision.hr.disclosure import SUPPRESSED_TEXT, WITHHELD_TEXT, Kind, Shown, shows_flows
from supervision.hr.metrics import Level, Retention
from supervision.hr.tables import (
    RULES_DIGEST,
    Row,
    Withheld,
    format_date,
    period_text,
    retention_tables,
    trend_tables,
    withheld_cells,
)
from supervision.memory import collector_paused
from supervision.plain_text import sheet_title
from supervision.plain_text import spreadsheet_text as safe_text
from supervision.stored_figures.freshness import as_at_text

LEVEL_LABELS = {Level.ORGANISATION: "Organisation", Level.SERVICE: "Service", Level.TEAM: "Team"}
ROW_HEADINGS = ("Level", "Service", "Name")
SMALL_NUMBERS_NOTE = (
    f"Team-level counts below 5, counts of leavers below 5 at any level, and figures worked out from "
    f"them, are shown as '{SUPPRESSED_TEXT}'. Figures shown as '{WITHHELD_TEXT}' are not shown so that "
    "none of those can be worked out by subtracting the others."
)
FLOWS_NOTE = (
    "Starters, leavers, turnover, leavers by length of service and destination, and supervision "
    "before leaving are given for census dates (30 September) only."
)


def generated_text(generated_at: datetime) -> str:
    local = generated_at.astimezone(LONDON)
    return f"{format_date(local.date())} at {local:%H:%M} (UK time)"


def _about(report: Retention, organisation_name: str, generated_at: datetime) -> list[list[str]]:
    return [
        ["Retention summary", organisation_name],
        ["Period", period_text(report)],
        ["Snapshot date", format_date(report.year.snapshot)],
        ["Generated", generated_text(generated_at)],
        *(
            [
                [
                    "Figures" if report.stored_whole else "Supervision before leaving",
                    as_at_text(report.figures_as_at),
                ]
            ]
            if report.figures_as_at is not None
            else []
        ),
        ["Scope", "Registered social workers (DfE children's social work workforce census definitions)"],
        ["Small numbers", SMALL_NUMBERS_NOTE],
        *([] if shows_flows(report.year.snapshot) else [["Starters and leavers", FLOWS_NOTE]]),
    ]


def _row_labels(row: Row) -> list[str]:
    service = row.service if row.level is Level.TEAM else (row.name if row.level is Level.SERVICE else "")
    return [LEVEL_LABELS[row.level], service or "", row.name]


SHEET_NAMES = {
    "in-post": "In post",
    "vacancies": "Vacancies",
    "starters-and-leavers": "Starters and leavers",
    "length-of-service": "Length of service",
    "destination": "Destinations",
    "supervision": "Supervision",
}


def _sections(report: Retention, withheld: Withheld | None):
    """(sheet name, title, header, rows of cells) for every table, the trends last."""
    withheld = withheld or withheld_cells(report)
    for table in retention_tables(report, withheld=withheld):
        rows = [[*_row_labels(r), *r.cells] for r in table.rows]
        yield SHEET_NAMES[table.key], table.title, [*ROW_HEADINGS, *table.columns], rows
    for trend in trend_tables(report, withheld):
        rows = [[f"{first:%B %Y}", *cells] for first, cells in trend.months]
        title = f"Monthly trend: {trend.unit.name}"
        yield f"Trend {trend.unit.name}", title, ["Month", *trend.columns], rows


def retention_csv(
    report: Retention, organisation_name: str, generated_at: datetime, withheld: Withheld | None = None
) -> bytes:
    """UTF-8 with a byte order mark, so Excel opens the pound signs and dashes correctly.
    `withheld`: the report's `withheld_cells`, when the caller has them."""
    return b"".join(retention_csv_chunks(report, organisation_name, generated_at, withheld))


def retention_csv_chunks(
    report: Retention,
    organisation_name: str,
    generated_at: datetime,
    withheld: Withheld | None = None,
    body: str | None = None,
) -> Iterator[bytes]:
    """`retention_csv`'s bytes a table at a time, for a response to stream: at national scale
    the file is about 2 MB, written as it is sent rather than held whole (docs/performance.md).
    `body`: the tables as the `stored-figures` job wrote them for this report
    (`retention_csv_body`), when it did."""
    buffer = io.StringIO("\ufeff")
    buffer.seek(0, io.SEEK_END)
    writer = csv.writer(buffer, lineterminator="\r\n")
    for line in _about(report, organisation_name, generated_at):
        writer.writerow([safe_text(cell) for cell in line])
    yield buffer.getvalue().encode("utf-8")
    if body is not None:
        yield body.encode("utf-8")
        return
    for text in _table_texts(report, withheld):
        yield text.encode("utf-8")


def retention_csv_body(report: Retention, withheld: Withheld) -> str:
    """Every table of the CSV, after its opening lines: what the `stored-figures` job keeps for
    the report it stores, so that no download writes them again (docs/performance.md, "HR's
    figures stored whole")."""
    return "".join(_table_texts(report, withheld))


# What a kept CSV body was written by: the withholding rules and this file. A body written by
# other code (before a deployment) is never sent; the download writes its tables instead.
CSV_BODY_DIGEST = hashlib.sha256(
    (RULES_DIGEST + Path(__file__).read_text(encoding="utf-8")).encode()
).hexdigest()


def _table_texts(report: Retention, withheld: Withheld | None) -> Iterator[str]:
    """The CSV text of each table, in order."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")

    def taken() -> str:
        text = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        return text

    # A cell for every figure of every team: see supervision.memory. Paused between the chunks
    # only, never while one is being sent.
    with collector_paused():
        sections = list(_sections(report, withheld))
    labels: dict[str, str] = {}  # each team's and service's name made safe once, not once a table
    for _, title, header, rows in sections:
        with collector_paused():
            writer.writerow([])
            writer.writerow([safe_text(title)])
            writer.writerow([safe_text(cell) for cell in header])
            writer.writerows(
                [
                    cell.text
                    if isinstance(cell, Shown)
                    else labels.get(cell) or labels.setdefault(cell, safe_text(cell))
                    for cell in row
                ]
                for row in rows
            )
        yield taken()


NUMBER_FORMATS = {Kind.COUNT: "#,##0", Kind.FTE: "#,##0.0#", Kind.RATE: "0.0%", Kind.AVERAGE: "0.0"}


def _write_cell(sheet, row: int, column: int, cell) -> None:
    """Figures as numbers in the right format (a rate as a percentage), withheld ones as words."""
    target = sheet.cell(row=row, column=column)
    if not isinstance(cell, Shown):
        target.value = safe_text(str(cell))
        return
    number = cell.number
    if number is None:
        target.value = cell.text
        return
    value: Decimal | float = number / 100 if cell.kind is Kind.RATE else number
    target.value = float(value) if isinstance(value, Decimal) else value
    target.number_format = NUMBER_FORMATS[cell.kind]


def retention_xlsx(
    report: Retention, organisation_name: str, generated_at: datetime, withheld: Withheld | None = None
) -> bytes:
    """One sheet about the report, then one sheet per table; numbers are numbers."""
    workbook = Workbook()
    about = workbook.active
    if not isinstance(about, Worksheet):  # a new workbook has one worksheet, active
        raise TypeError("a new workbook's active sheet is a worksheet")
    about.title = "About"
    bold = Font(bold=True)
    for line in _about(report, organisation_name, generated_at):
        about.append([safe_text(cell) for cell in line])
        about.cell(row=about.max_row, column=1).font = bold
    about.column_dimensions["A"].width = 20
    about.column_dimensions["B"].width = 80
    used = {"about"}
    with collector_paused():  # a cell for every figure of every team: see supervision.memory
        _write_sections(workbook, report, withheld, used, bold)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _write_sections(
    workbook: Workbook, report: Retention, withheld: Withheld | None, used: set[str], bold: Font
) -> None:
    for sheet_name, title, header, rows in _sections(report, withheld):
        sheet = workbook.create_sheet(sheet_title(sheet_name, used))
        sheet.append([safe_text(title)])
        sheet.cell(row=1, column=1).font = Font(bold=True, size=14)
        sheet.append([safe_text(heading) for heading in header])
        for cell in sheet[2]:
            cell.font = bold
        for row_number, row in enumerate(rows, start=3):
            for column_number, cell in enumerate(row, start=1):
                _write_cell(sheet, row_number, column_number, cell)
        sheet.freeze_panes = "A3"
        for column in sheet.iter_cols(min_row=2, max_row=2):
            sheet.column_dimensions[column[0].column_letter].width = max(
                12, min(40, len(str(column[0].value)) + 2)
            )
