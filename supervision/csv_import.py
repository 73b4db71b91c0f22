"""Reading a CSV import file, for every import (staff: hr/import_rules.py; caseloads:
cases/import_rules.py): one way to decode it, read its header and rows, refuse what cannot be
read, and report every problem by row and column (docs/import.md, docs/cases.md).

Pure functions. Row numbers are the ones a spreadsheet shows: the header is row 1.
"""

from __future__ import annotations

import csv
import io
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

UTF8_BOM = b"\xef\xbb\xbf"
SAVE_AS_CSV = "save it as ‘CSV UTF-8 (Comma delimited)’"
ISO_DATE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")
OTHER_DELIMITERS = {";": "semicolons (;)", "\t": "tabs", "|": "vertical bars (|)"}
WHOLE_ROW = "(whole row)"


class FileRefused(Exception):
    """The file cannot be read as an import at all (size, encoding, delimiter, header)."""

    def __init__(self, messages: list[str]):
        super().__init__("; ".join(messages))
        self.messages = messages


class ImportRefused(Exception):
    """The file was not imported; nothing was written. `plan.errors` lists each problem (RowError)."""

    def __init__(self, plan: Any):
        super().__init__(f"{len(plan.errors)} errors")
        self.plan = plan


class ImportInterrupted(Exception):
    """What the file changes was changed by someone else while it was being written: rolled back,
    nothing changed. Each import says what was changed in `message`."""

    message = (
        "Something was changed by someone else while the file was being imported. "
        "Nothing was imported: try again."
    )

    def __init__(self) -> None:
        super().__init__(self.message)


@dataclass(frozen=True, order=True)
class RowError:
    row: int
    column: str
    message: str


class CellProblem(ValueError):
    """A value that cannot be read; the message says what was expected."""


def too_big_problem(size: int, maximum: int) -> str | None:
    if size > maximum:
        return f"The file must be smaller than {maximum // (1024 * 1024)} MB"
    return None


def empty_file(one_row_per: str) -> FileRefused:
    return FileRefused(
        [f"The file is empty. Choose a CSV file with a header row and one row per {one_row_per}."]
    )


def decode(data: bytes, one_row_per: str = "person") -> str:
    """UTF-8 text, with or without a byte order mark; anything else is refused with the reason."""
    if not data.strip():
        raise empty_file(one_row_per)
    if data.startswith(b"PK\x03\x04"):
        raise FileRefused([f"The file is an Excel workbook, not a CSV file. In Excel, {SAVE_AS_CSV}."])
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise FileRefused([f"The file is saved as UTF-16 (‘Unicode text’). In Excel, {SAVE_AS_CSV} instead."])
    if data.startswith(UTF8_BOM):
        data = data[len(UTF8_BOM) :]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise FileRefused(
            [
                f"The file is not UTF-8 text: the first character that is not is on line {line}. "
                "Save it as ‘CSV UTF-8 (Comma delimited)’ and upload it again."
            ]
        ) from None
    if "\x00" in text:
        raise FileRefused(["The file is not a text CSV file. Save it as ‘CSV UTF-8 (Comma delimited)’."])
    return text


def header_name(cell: str) -> str:
    return re.sub(r"[\s\-]+", "_", cell.strip().lower())


@dataclass(frozen=True)
class FileShape:
    """The columns one import reads, and where people find them described."""

    required: tuple[str, ...]
    columns: tuple[str, ...]  # the required ones first, then the optional ones
    guide: str  # "docs/import.md"
    one_row_per: str  # "person", "case"
    max_rows: int | None = None


def read_rows(text: str, shape: FileShape) -> tuple[list[str], list[tuple[int, list[str]]]]:
    """The header and each non-blank row with its spreadsheet row number."""
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    rows: list[tuple[int, list[str]]] = []
    number = 0
    try:
        for cells in reader:
            number += 1
            rows.append((number, cells))
            if shape.max_rows is not None and number > shape.max_rows + 1:
                raise FileRefused(
                    [
                        f"The file has more than {shape.max_rows:,} rows. "
                        f"Split it into files of at most {shape.max_rows:,} rows."
                    ]
                )
    except csv.Error:
        raise FileRefused(
            [
                f'Row {number + 1} could not be read: a quotation mark (") is not closed or is in the '
                "middle of a value. Put values that contain commas or quotes inside double quotes, "
                'and write a quote inside a value as two quotes ("").'
            ]
        ) from None
    rows = [(n, cells) for n, cells in rows if any(cell.strip() for cell in cells)]
    if not rows:
        raise empty_file(shape.one_row_per)
    (_, header), body = rows[0], rows[1:]
    check_header(header, shape)
    return [header_name(cell) for cell in header], body


def check_header(header: list[str], shape: FileShape) -> None:
    names = [header_name(cell) for cell in header]
    if len(header) == 1:
        for delimiter, described in OTHER_DELIMITERS.items():
            if delimiter in header[0]:
                raise FileRefused(
                    [
                        f"The columns are separated by {described}, not commas. Save the file as "
                        "‘CSV UTF-8 (Comma delimited)’ and upload it again."
                    ]
                )
    messages = []
    missing = [column for column in shape.required if column not in names]
    if missing:
        messages.append(
            "The header row is missing "
            + ("the column " if len(missing) == 1 else "the columns ")
            + ", ".join(missing)
            + f". The first row must name the columns, as in {shape.guide}."
        )
    unknown = [
        cell.strip() or "(blank)"
        for cell, name in zip(header, names, strict=True)
        if name not in shape.columns
    ]
    if unknown:
        messages.append(
            "The header row has "
            + ("a column" if len(unknown) == 1 else "columns")
            + " this import does not know: "
            + ", ".join(unknown)
            + ". The columns are: "
            + ", ".join(shape.columns)
            + "."
        )
    repeated = sorted(name for name, count in Counter(names).items() if count > 1 and name in shape.columns)
    if repeated:
        messages.append("The header row names a column more than once: " + ", ".join(repeated) + ".")
    if messages:
        raise FileRefused(messages)


def wrong_width(number: int, cells: Sequence[str], header: Sequence[str]) -> RowError | None:
    """A row with more or fewer values than the header has columns."""
    if len(cells) == len(header):
        return None
    return RowError(
        number,
        WHOLE_ROW,
        f"The row has {len(cells)} values but the header has {len(header)} columns. "
        "A value with a comma in it must be inside double quotes.",
    )


def parse_date(text: str, label: str) -> date | None:
    if not text:
        return None
    if not ISO_DATE.match(text):
        raise CellProblem(f"Enter the {label} as year-month-day, like 2024-09-02")
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise CellProblem(f"The {label} must be a real date") from None


def sorted_errors(errors: Iterable[RowError], columns: Sequence[str]) -> tuple[RowError, ...]:
    """By row, then in the file's column order (whole-row problems first)."""
    order = {column: position for position, column in enumerate((WHOLE_ROW, *columns))}
    return tuple(sorted(errors, key=lambda e: (e.row, order.get(e.column, len(order)), e.message)))


# ------------------------------------------------------------------ reporting errors


@dataclass(frozen=True)
class ErrorGroup:
    column: str
    message: str
    rows: tuple[int, ...]

    @property
    def rows_text(self) -> str:
        return row_ranges(self.rows)


def row_ranges(rows: Iterable[int]) -> str:
    """2, 3, 4, 7 -> "2 to 4, 7": every row named, however long the list."""
    parts: list[str] = []
    run: list[int] = []
    for row in sorted(set(rows)):
        if run and row == run[-1] + 1:
            run.append(row)
            continue
        if run:
            parts.append(_run_text(run))
        run = [row]
    if run:
        parts.append(_run_text(run))
    return ", ".join(parts)


def _run_text(run: list[int]) -> str:
    return str(run[0]) if len(run) == 1 else f"{run[0]} to {run[-1]}"


def group_errors(errors: Iterable[RowError]) -> list[ErrorGroup]:
    """The same problem in the same column on many rows, listed once with all its rows."""
    rows: dict[tuple[str, str], list[int]] = defaultdict(list)
    for error in errors:
        rows[(error.column, error.message)].append(error.row)
    return sorted(
        (ErrorGroup(column, message, tuple(found)) for (column, message), found in rows.items()),
        key=lambda group: (group.rows[0], group.column),
    )
