"""Stored text made safe for the places it leaves the service: email headers, calendars, spreadsheets.

Names and other text may hold control characters (a line break, a NUL, an escape) stored before
input refused them, or arriving by a path that forgot to. Written out as they are, they split an
email header into two (header injection), break an iCalendar content line, or hide in a CSV cell.
Here, at output, every control character becomes a space. Unicode's own line and paragraph
separators count too: Python's `str.splitlines` (used in header folding) breaks lines at them.
"""

from __future__ import annotations

import re

# Unicode categories Cc (C0 controls, DEL, C1 controls), Zl and Zp: fixed by Unicode's stability policy.
CONTROL_CHARACTERS = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")
SPACES = re.compile(r"\s{2,}")
# A cell starting with one of these is run as a formula by Excel, LibreOffice or Google Sheets.
FORMULA_STARTS = ("=", "+", "-", "@")
ELLIPSIS = "…"


def has_control_characters(text: str) -> bool:
    return CONTROL_CHARACTERS.search(text) is not None


def one_line(text: str, limit: int | None = None) -> str:
    """`text` on one line with no control characters, cut to `limit` characters (with an ellipsis)."""
    line = SPACES.sub(" ", CONTROL_CHARACTERS.sub(" ", text)).strip()
    if limit is not None and len(line) > limit:
        line = line[: limit - len(ELLIPSIS)].rstrip() + ELLIPSIS
    return line


def spreadsheet_text(value: str) -> str:
    """A cell's text that no spreadsheet runs as a formula (OWASP CSV injection), with no control
    characters (tabs and line breaks become spaces; openpyxl refuses the others outright).

    Text starting with a formula character or a control character (a tab or carriage return
    before "=" still starts a formula) gets a leading apostrophe, so it stays text."""
    text = CONTROL_CHARACTERS.sub(" ", value)
    return "'" + text if value.startswith(FORMULA_STARTS) or CONTROL_CHARACTERS.match(value) else text


def sheet_title(title: str, used: set[str]) -> str:
    """Excel sheet names: one line, at most 31 characters, none of []:*?/\\, unique in the workbook."""
    cleaned = "".join("-" if char in "[]:*?/\\" else char for char in one_line(title))[:31]
    name, number = cleaned, 2
    while name.lower() in used:
        suffix = f" ({number})"
        name, number = cleaned[: 31 - len(suffix)] + suffix, number + 1
    used.add(name.lower())
    return name
