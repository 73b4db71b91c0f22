"""Every report table as CSV (streamed) and XLSX (openpyxl), with the period and generation time.

Text a spreadsheet would run as a formula (starting = + - @, a tab or a carriage return) gets a
leading apostrophe, so a team called "=HYPERLINK(...)" stays text (OWASP CSV injection), and no
control character reaches a cell (supervision.plain_text). Shares
are numbers (a percentage with one decimal in CSV, a fraction formatted as a percentage in XLSX);
an empty cell means there was nothing to count.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import Cell as SheetCell
from openpyxl.styles import Font

from supervision.plain_text import sheet_title
from supervision.plain_text import spreadsheet_text as safe_text
from supervision.reports.changes import ChangeMarks
from supervision.reports.figures import Tally
from supervision.reports.services import Dashboard, OversightReport, UnitFigures
from supervision.reports.tables import (
    GRADES,
    METRICS,
    TREND_METRICS,
    Kind,
    Metric,
    gap_reason_rows,
    generated_text,
    grade_counts,
    month_text,
    period_text,
)
from supervision.stored_figures.freshness import as_at_text

EMPTY_MEANS = "An empty cell means there was nothing to count (for example, no sessions were due)."
XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass(frozen=True)
class Share:
    """A share between 0 and 1, or None."""

    value: float | None


Cell = str | int | float | date | Share | None


@dataclass(frozen=True)
class Section:
    title: str
    header: list[str]
    rows: list[list[Cell]]


# ------------------------------------------------------------------------------ sections


def metric_header(metric: Metric) -> list[str]:
    if metric.kind is Kind.SHARE:
        return [f"{metric.label} (%)", f"{metric.label}: count", f"{metric.label}: out of"]
    return [metric.label]


def metric_cells(metric: Metric, tally: Tally) -> list[Cell]:
    if metric.kind is Kind.SHARE:
        return [Share(metric.value(tally)), *metric.counts(tally)]
    return [metric.value(tally)]


def _figures_row(unit: UnitFigures) -> list[Cell]:
    cells: list[Cell] = [unit.level.label, unit.name, unit.parent_name]
    for metric in METRICS:
        cells += metric_cells(metric, unit.period)
    return cells


CHANGED = "Changed after it closed"


def _changed(flag: bool) -> str:
    return "Yes" if flag else ""


def report_sections(report: OversightReport, marks: ChangeMarks | None = None) -> list[Section]:
    """The report's tables; with `marks`, each figure that changed after its month closed says so."""
    marks = marks or ChangeMarks()
    header = ["Level", "Name", "Part of", *(h for metric in METRICS for h in metric_header(metric)), CHANGED]
    sections = [
        Section(
            "Figures for the period",
            header,
            [
                [*_figures_row(report.unit), _changed(marks.period_changed)],
                *(
                    [*_figures_row(child), _changed(marks.child_changed(child.id))]
                    for child in report.children
                ),
            ],
        )
    ]
    trend_header = ["Month", *(h for metric in TREND_METRICS for h in metric_header(metric)), CHANGED]
    sections.append(
        Section(
            "Monthly trend",
            trend_header,
            [
                [
                    month_text(month),
                    *(c for metric in TREND_METRICS for c in metric_cells(metric, tally)),
                    _changed(marks.unit_month(month)),
                ]
                for month, tally in zip(report.months, report.unit.months, strict=True)
            ],
        )
    )
    sections.append(
        Section(
            "Reasons for gaps",
            ["Reason", "Gaps"],
            [[label, count] for label, count in gap_reason_rows(report.unit.period)],
        )
    )
    sections.append(
        Section(
            "Quality audit grades",
            ["Level", "Name", *(grade.label for grade in GRADES), "Audits"],
            [
                [unit.level.label, unit.name, *grade_counts(unit.period), unit.period.audits]
                for unit in [report.unit, *report.children]
            ],
        )
    )
    if report.grid:
        sections.append(
            Section(
                "Staff by month",
                ["Name", *(month_text(month) for month in report.months)],
                [
                    [
                        row.person.name,
                        *(
                            f"{state.label} ({CHANGED.lower()})"
                            if marks.person_month(row.person.id, month)
                            else state.label
                            for state, month in zip(row.states, report.months, strict=True)
                        ),
                    ]
                    for row in report.grid
                ],
            )
        )
    return sections


def report_about(report: OversightReport, generated_at: datetime) -> list[tuple[str, str]]:
    return [
        ("Report", "Supervision oversight report"),
        ("Organisation", report.organisation_name),
        (report.level.label, report.unit.name),
        ("Period", period_text(report.period)),
        ("Monthly trend", f"{month_text(report.months[0])} to {month_text(report.months[-1])}"),
        (
            ("Figures", as_at_text(report.figures_as_at))
            if report.figures_as_at is not None
            else ("Figures marked 'now'", f"As at {report.today.day} {report.today:%B %Y}")
        ),
        ("Generated", generated_text(generated_at)),
        ("Empty cells", EMPTY_MEANS),
    ]


def dashboard_sections(dashboard: Dashboard, rows) -> list[Section]:
    table = Section(
        "Team dashboard",
        [
            "Name",
            "Team",
            "Status",
            "Last held",
            "Next due",
            "Days overdue",
            "Working days overdue",
            "Write-ups pending",
            "Overdue actions",
        ],
        [
            [
                row.person.name,
                row.team_name,
                row.figures.status.label,
                row.figures.last_held_on,
                row.figures.next_due_on,
                row.figures.days_overdue,
                row.figures.working_days_overdue,
                row.figures.write_ups_pending,
                row.figures.actions_overdue,
            ]
            for row in rows
        ],
    )
    grid = Section(
        "Staff by month",
        ["Name", *(month_text(month) for month in dashboard.months)],
        [[row.person.name, *(state.label for state in row.months)] for row in rows],
    )
    return [table, grid]


def dashboard_about(
    owner_name: str, today: date, generated_at: datetime, filters: str
) -> list[tuple[str, str]]:
    return [
        ("Report", "Team dashboard"),
        ("For", owner_name),
        ("Status as at", f"{today.day} {today:%B %Y}"),
        ("Filters", filters),
        ("Generated", generated_text(generated_at)),
        ("Empty cells", EMPTY_MEANS),
    ]


# ------------------------------------------------------------------------------- writers


def _csv_cell(cell: Cell) -> str | int | float:
    if cell is None:
        return ""
    if isinstance(cell, Share):
        return "" if cell.value is None else round(cell.value * 100, 1)
    if isinstance(cell, date):
        return cell.isoformat()
    if isinstance(cell, str):
        return safe_text(cell)
    return cell


def csv_lines(about: Sequence[tuple[str, str]], sections: Sequence[Section]) -> Iterator[str]:
    """The file line by line (streamed), UTF-8 with a byte order mark so Excel reads it right."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")

    def line(cells) -> str:
        writer.writerow(cells)
        text = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        return text

    yield "\ufeff"
    for label, value in about:
        yield line([safe_text(label), safe_text(value)])
    for section in sections:
        yield line([])
        yield line([safe_text(section.title)])
        yield line([safe_text(heading) for heading in section.header])
        for row in section.rows:
            yield line([_csv_cell(cell) for cell in row])


def xlsx_bytes(about: Sequence[tuple[str, str]], sections: Sequence[Section]) -> bytes:
    """An About sheet, then one sheet per table; write-only, so large reports stay small in memory."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("About")
    bold = Font(bold=True)

    def text_cell(target, value: str, font: Font | None = None) -> SheetCell:
        cell = WriteOnlyCell(target, value=safe_text(value))
        if font is not None:
            cell.font = font
        return cell

    for label, value in about:
        sheet.append([text_cell(sheet, label, bold), text_cell(sheet, value)])
    used = {"about"}
    for section in sections:
        sheet = workbook.create_sheet(sheet_title(section.title, used))
        sheet.append([text_cell(sheet, section.title, Font(bold=True, size=14))])
        sheet.append([text_cell(sheet, heading, bold) for heading in section.header])
        for row in section.rows:
            sheet.append([_xlsx_cell(sheet, cell) for cell in row])
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()


def _xlsx_cell(sheet, cell: Cell):
    if isinstance(cell, Share):
        written = WriteOnlyCell(sheet, value=cell.value)
        written.number_format = "0.0%"
        return written
    if isinstance(cell, date):
        # openpyxl writes a date as a day number; its stubs list datetime only.
        written = WriteOnlyCell(sheet, value=cell)  # type: ignore[arg-type]
        written.number_format = "yyyy-mm-dd"
        return written
    if isinstance(cell, str):
        return WriteOnlyCell(sheet, value=safe_text(cell))
    return WriteOnlyCell(sheet, value=cell)
