"""Every input's limit, defined once: text lengths, characters, date ranges, numbers and ids.

The pages (WTForms, through `supervision.forms.Form`), the JSON API (`supervision/api/schemas.py`)
and the imports (`supervision/hr/import_rules.py`, `supervision/cases/import_rules.py`) all read
their limits from here, so a value one of them accepts the others accept too. docs/limits.md
lists them for people, with the reasons; tests/test_limits.py checks the document and this
module agree.

Everything here is pure: a date range is worked out from the `today` it is given (the injected
clock's, in the callers), never from the system clock.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from supervision.dates import add_months

# ------------------------------------------------------------------------------------ ids

# Ids are PostgreSQL `integer` columns: anything larger cannot name a row. The same bound holds
# on SQLite (whose integers go to 2**63 - 1) so both databases answer the same: 404.
MAX_ID = 2**31 - 1
# `?page=` and other whole numbers in an address: the same bound, for the same reason.
MAX_QUERY_NUMBER = MAX_ID

ASCII_WHOLE_NUMBER = re.compile(r"[0-9]+")


def pattern_up_to(maximum: int) -> str:
    """A regular expression matching the ASCII numbers from 0 to `maximum` and nothing else.

    For the URL converter: a larger number then matches no route at all (404), where a check
    after matching would let another method's route of the same path answer 405.
    """
    digits = str(maximum)
    shorter = [f"[0-9]{{1,{len(digits) - 1}}}"] if len(digits) > 1 else []
    same_length = [
        f"{digits[:i]}[0-{int(digit) - 1}][0-9]{{{len(digits) - i - 1}}}"
        for i, digit in enumerate(digits)
        if digit != "0"
    ]
    return "(?:" + "|".join([*shorter, *same_length, digits]) + ")"


def ascii_whole_number(text: str, maximum: int = MAX_ID) -> int | None:
    """A whole number of 0 or more written in ASCII digits, at most `maximum`; None otherwise.

    Python's int() reads other scripts' digits ("١٢" is 12); people and programs that send
    them mean something else, so they are refused rather than guessed at.
    """
    text = text.strip()
    if not ASCII_WHOLE_NUMBER.fullmatch(text) or len(text) > len(str(maximum)):
        return None
    value = int(text)
    return value if value <= maximum else None


# ----------------------------------------------------------------------------------- text


@dataclass(frozen=True)
class Text:
    """A kind of text: how long it may be and whether it may span lines."""

    kind: str
    max_length: int
    multiline: bool = False
    # Passwords are never shown, sent or exported: any character may be part of one.
    any_characters: bool = False


NAME = Text("Person's name", 100)
EMAIL = Text("Email address", 254)
EMPLOYEE_NUMBER = Text("Employee number", 50)
SWE_NUMBER = Text("Social Work England registration number", 20)
SHORT_TEXT = Text("Short single-line text", 200)
CASE_REFERENCE = Text("Case reference", 100)
# An inspector's list of cases for case notes: at most CASE_NOTE_REFERENCES.high references of
# CASE_REFERENCE's length, one a line (docs/cases.md).
CASE_REFERENCE_LIST = Text("List of case references", 50 * 102, multiline=True)
HIDDEN_VALUE = Text("Hidden form value", 200)
PASSWORD = Text("Password", 1_000, any_characters=True)
RECORD_TEXT = Text("Record text", 20_000, multiline=True)
NOTE = Text("Note or reason", 5_000, multiline=True)
CLOSED_MONTH_REASON = Text("Reason for changing a closed month", 500, multiline=True)
# Names, one a line (supervision.agreements.asye.MAX_PARTICIPANTS of them at most).
PARTICIPANTS = Text("People who took part, one a line", 1_000, multiline=True)

# Every text input by its field name (form field, API property and import column alike); a
# "FormClass.field" key is that form's field, where the same name means something else.
TEXT: dict[str, Text] = {
    # people and the organisation: these can reach email headers, CSV cells and calendar lines
    "given_name": NAME,
    "family_name": NAME,
    "email": EMAIL,
    "person": EMAIL,  # the audit log search
    "employee_number": EMPLOYEE_NUMBER,
    "job_title": SHORT_TEXT,
    "swe_registration_number": SWE_NUMBER,
    "leaving_reason": SHORT_TEXT,
    "name": SHORT_TEXT,  # service and team names
    "TokenForm.name": Text("API token name", 100),  # a form's own field, where the name is shared
    "search": SHORT_TEXT,  # the staff list search
    "location": SHORT_TEXT,  # a session's place: it goes into calendar invitations
    "case_reference": CASE_REFERENCE,
    "case_references": CASE_REFERENCE_LIST,
    "worker": Text("Allocated worker (caseload import: employee number or email address)", 254),
    # the staff form's line manager where the organisation is too large to list (MAX_LISTED_MANAGERS)
    "LargeOrganisationStaffForm.line_manager_id": Text(
        "Line manager (email address or employee number)", 254
    ),
    "password": PASSWORD,
    "current_password": PASSWORD,
    "new_password": PASSWORD,
    "confirm_password": PASSWORD,
    "version": HIDDEN_VALUE,
    "token": HIDDEN_VALUE,
    # the supervision record, its case discussions and its sign-off
    "agenda": RECORD_TEXT,
    "wellbeing": RECORD_TEXT,
    "workload": RECORD_TEXT,
    "learning": RECORD_TEXT,
    "reflection": RECORD_TEXT,
    "health_and_leave": RECORD_TEXT,
    "summary": RECORD_TEXT,
    "analysis": RECORD_TEXT,
    "decision": RECORD_TEXT,
    "supervisee_comment": RECORD_TEXT,
    "body": RECORD_TEXT,  # an addendum
    # shorter notes and reasons
    "description": NOTE,  # an action
    "comment": NOTE,  # reviewing an action
    "note": NOTE,  # returning a record for revision
    "reason": NOTE,  # cancelling a session, an addendum
    "closed_month_reason": CLOSED_MONTH_REASON,  # shown beside the figures it changed
    "notes": NOTE,  # an agreement
    "details": NOTE,  # explaining a gap in supervision
    "cover_arranged": NOTE,
    "comments": NOTE,  # a quality audit's feedback
    "participants": PARTICIPANTS,  # an ASYE progress review
    "AsyeReviewForm.notes": Text("ASYE review notes", 1_000, multiline=True),  # kept short
}

LINE_BREAKS = "\n\r"
ALLOWED_IN_MULTILINE = "\n\r\t"
# Joiners shape letters in Persian, Arabic and Indic names and in emoji; they break no format.
ALLOWED_FORMAT_CHARACTERS = "\u200c\u200d"


def forbidden_character(value: str, multiline: bool) -> str | None:
    """The first character that may not appear in this kind of text, or None.

    Refused: control characters (Unicode Cc: CR, LF, tab, NUL, escape ...), format characters
    (Cf: bidirectional overrides, byte order marks, invisible separators; the two joiners are
    allowed) and the line and paragraph separators (Zl, Zp). Multi-line text keeps line breaks
    and tabs.
    """
    for char in value:
        if multiline and char in ALLOWED_IN_MULTILINE:
            continue
        category = unicodedata.category(char)
        if category in ("Cc", "Zl", "Zp") or (category == "Cf" and char not in ALLOWED_FORMAT_CHARACTERS):
            return char
    return None


def describe_character(char: str) -> str:
    if char in LINE_BREAKS or unicodedata.category(char) in ("Zl", "Zp"):
        return "a line break"
    if char == "\t":
        return "a tab"
    return f"an invisible control character (U+{ord(char):04X})"


def character_problem(value: str | None, label: str, limit: Text) -> str | None:
    """A character this kind of text may not hold, in words; None if there is none."""
    if not value or limit.any_characters:
        return None
    char = forbidden_character(value, limit.multiline)
    if char is None:
        return None
    where = "" if limit.multiline or char not in LINE_BREAKS else " (it must be on one line)"
    return f"{label} must not contain {describe_character(char)}{where}"


def length_message(label: str, limit: Text) -> str:
    return f"{label} must be {limit.max_length:,} characters or fewer"


def text_problem(value: str | None, label: str, limit: Text) -> str | None:
    """Why this text cannot be accepted, in words for the person who typed it; None if it can."""
    if problem := character_problem(value, label, limit):
        return problem
    if value and len(value) > limit.max_length:
        return length_message(label, limit)
    return None


# ---------------------------------------------------------------------------------- dates


@dataclass(frozen=True)
class DateRange:
    """The dates a field accepts, counted from today: `months_back` before it (or a fixed first
    day) to `months_ahead` after it (0: today at the latest)."""

    kind: str
    months_ahead: int
    months_back: int | None = None
    first_day: date | None = None
    # Checked by a rule of its own that also compares it with another field, with the same
    # messages for the page, the API and the command line; forms leave it to that rule.
    checked_by: str | None = None

    def bounds(self, today: date) -> tuple[date, date]:
        earliest = self.first_day if self.first_day is not None else add_months(today, -self._months_back())
        return earliest, add_months(today, self.months_ahead)

    def _months_back(self) -> int:
        if self.months_back is None:
            raise ValueError(f"{self.kind}: a date range needs months_back or a first_day")
        return self.months_back

    def described(self) -> str:
        back = (
            f"from {long_date(self.first_day)}"
            if self.first_day is not None
            else f"from {span(self._months_back())} ago"
        )
        ahead = "to today" if self.months_ahead == 0 else f"to {span(self.months_ahead)} ahead"
        return f"{back} {ahead}"


def span(months: int) -> str:
    if months % 12 == 0:
        years = months // 12
        return f"{years} year" + ("s" if years != 1 else "")
    return f"{months} month" + ("s" if months != 1 else "")


def long_date(day: date) -> str:
    return f"{day.day} {day:%B %Y}"


SESSION_DATE = DateRange("Session date", months_back=3, months_ahead=12)
HELD_ON = DateRange("Date a session was held", months_back=3, months_ahead=0)
ABSENCE_DATE = DateRange("Absence day", months_back=3, months_ahead=24)
ACTION_DUE = DateRange("Action due date", months_back=3, months_ahead=24)
AGREEMENT_DATE = DateRange("Agreement date", months_back=24, months_ahead=3)
AGREEMENT_REVIEW = DateRange("Agreement review date", months_back=24, months_ahead=36)
ASYE_START = DateRange("ASYE start date", months_back=24, months_ahead=12)
ASYE_REVIEW = DateRange("Date an ASYE review was held", months_back=24, months_ahead=0)
EMPLOYMENT_START = DateRange("Employment start date", months_back=12 * 60, months_ahead=12)
EMPLOYMENT_END = DateRange("Employment end date", months_back=12 * 60, months_ahead=12 * 5)
REGISTRATION_RENEWAL = DateRange("Registration renewal date", months_back=12 * 10, months_ahead=12 * 5)
DBS_CHECK = DateRange("DBS check date", months_back=12 * 30, months_ahead=0)
# A child's case lasts at most until the care leaver is 25 (docs/cases.md).
CASE_DATE = DateRange("Case allocated or closed date (caseload import)", months_back=12 * 25, months_ahead=0)
# Reports, the HR snapshot and the audit search look back to the service's earliest data.
REPORT_FIRST_DAY = date(2000, 1, 1)
REPORT_DATE = DateRange("Snapshot or search date", months_ahead=0, first_day=REPORT_FIRST_DAY)
SNAPSHOT_FIRST_DAY = date(2000, 1, 31)
SNAPSHOT_DATE = DateRange(
    "HR snapshot date (a month's last day)",
    months_ahead=0,
    first_day=SNAPSHOT_FIRST_DAY,
    checked_by="supervision.hr.disclosure.snapshot_problem",
)
REPORT_PERIOD = DateRange(
    "Report period (whole months whose figures are kept: docs/metrics.md)",
    months_ahead=0,
    first_day=REPORT_FIRST_DAY,
    checked_by="supervision.reports.forms.period_problems",
)

# Every date input by its field name (form field, API property and import column alike).
DATES: dict[str, DateRange] = {
    "date": SESSION_DATE,  # scheduling a session
    "starts_at": SESSION_DATE,  # the API's session start
    "held_on": HELD_ON,
    "starts_on": ABSENCE_DATE,
    "ends_on": ABSENCE_DATE,
    "due_on": ACTION_DUE,
    "new_due_on": ACTION_DUE,
    "agreed_on": AGREEMENT_DATE,
    "review_due_on": AGREEMENT_REVIEW,
    "asye_started_on": ASYE_START,
    "reviewed_on": ASYE_REVIEW,
    "start_date": EMPLOYMENT_START,
    "end_date": EMPLOYMENT_END,
    "swe_renewal_date": REGISTRATION_RENEWAL,
    "dbs_check_date": DBS_CHECK,
    "allocated_date": CASE_DATE,
    "closed_date": CASE_DATE,
    "snapshot_date": SNAPSHOT_DATE,
    "period_start": REPORT_PERIOD,
    "period_end": REPORT_PERIOD,
    "from_date": REPORT_DATE,
    "to_date": REPORT_DATE,
}


def date_problem(value: date | datetime | None, label: str, allowed: DateRange, today: date) -> str | None:
    """Why this date is outside its field's range, naming the nearest day allowed; None if inside."""
    if value is None:
        return None
    day = value.date() if isinstance(value, datetime) else value
    earliest, latest = allowed.bounds(today)
    if day < earliest:
        return f"{label} must be on or after {long_date(earliest)}"
    if day > latest:
        if latest == today:
            return f"{label} must be today or in the past"
        return f"{label} must be on or before {long_date(latest)}"
    return None


# -------------------------------------------------------------------------------- numbers


@dataclass(frozen=True)
class Number:
    kind: str
    low: int | Decimal
    high: int | Decimal
    unit: str = ""
    above_low: bool = False  # the low end itself is not allowed


SESSION_MINUTES = Number("Session length", 1, 8 * 60, "minutes")
AGREEMENT_MINIMUM_MINUTES = Number("Minimum session length", 1, 8 * 60, "minutes")
INTERVAL_DAYS = Number("Interval between sessions", 1, 366, "days")
GROUP_SIZE = Number("People in one session", 1, 50, "people")
FTE = Number("Full-time equivalent (FTE), in hundredths", 0, 1, above_low=True)
ESTABLISHMENT_FTE = Number("Team establishment (FTE), in hundredths", 0, Decimal("99999.99"))
CASELOAD = Number("Caseload", 0, 1000, "children")
CASE_NOTE_REFERENCES = Number("Cases in one case-note export", 1, 50, "references")
# The caseload import (docs/cases.md): 15 cases a worker is 600,000 rows at 40,000 staff.
CASE_IMPORT_ROWS = Number("Cases in one caseload import file", 1, 1_000_000, "rows")
CASE_OVERSIGHT_DAYS = Number("Longest a case may go without oversight", 1, 366, "days")
# A select of more active staff than this is too long to use (and, at 40,000 staff, 3 MB of
# HTML): the staff form asks for the line manager's email address or employee number instead
# (docs/roles.md). A council's children's social care workforce fits under it.
MAX_LISTED_MANAGERS = 300
PER_PAGE = Number("Items in one page of the API", 1, 100)
PAGE = Number("Page number", 1, MAX_QUERY_NUMBER)
ID = Number("Id (of any record, in an address, a query or a request)", 1, MAX_ID)
# The organisation's supervision policy (the policy page).
POLICY: dict[str, Number] = {
    "asye_weekly_weeks": Number("Policy: ASYE weekly supervision", 0, 52, "weeks"),
    "asye_fortnightly_until_months": Number("Policy: ASYE fortnightly supervision until", 0, 24, "months"),
    "interval_days_social_worker": INTERVAL_DAYS,
    "interval_days_senior_practitioner": INTERVAL_DAYS,
    "interval_days_manager": INTERVAL_DAYS,
    "interval_days_other": INTERVAL_DAYS,
    "minimum_duration_minutes": AGREEMENT_MINIMUM_MINUTES,
    "due_soon_working_days": Number("Policy: due soon", 0, 60, "working days"),
    "escalation_working_days": Number("Policy: escalate after", 0, 120, "working days"),
    "write_up_working_days": Number("Policy: supervisor signs within", 0, 60, "working days"),
    "agreement_review_months": Number("Policy: review agreements every", 1, 36, "months"),
}
# Whole numbers typed into a form box are at most this many digits (the largest limit above
# that is typed, 99999.99, has five before the point); longer is "not a number", not an error.
MAX_TYPED_DIGITS = 6


# --------------------------------------------------------------------------- the document


def limit_rows() -> list[str]:
    """One Markdown table row a limit, as docs/limits.md lists them."""
    rows = []
    for field_name, limit in TEXT.items():
        lines = "several lines" if limit.multiline else "one line"
        characters = "any characters" if limit.any_characters else lines
        rows.append(f"| `{field_name}` | {limit.kind} | {limit.max_length:,} characters, {characters} |")
    for field_name, allowed in DATES.items():
        rows.append(f"| `{field_name}` | {allowed.kind} | {allowed.described()} |")
    numbers = {
        "duration_minutes": SESSION_MINUTES,
        "interval_days": INTERVAL_DAYS,
        "supervisee_ids": GROUP_SIZE,
        "fte": FTE,
        "establishment_fte": ESTABLISHMENT_FTE,
        "caseload": CASELOAD,
        "case_references": CASE_NOTE_REFERENCES,
        "case_import_rows": CASE_IMPORT_ROWS,
        "days": CASE_OVERSIGHT_DAYS,
        "per_page": PER_PAGE,
        "page": PAGE,
        "id": ID,
        **POLICY,
    }
    for field_name, number in numbers.items():
        unit = f" {number.unit}" if number.unit else ""
        low = f"more than {number.low}, up" if number.above_low else number.low
        rows.append(f"| `{field_name}` | {number.kind} | {low} to {number.high}{unit} |")
    return rows


def whole_number(value: object) -> int:
    """A form's choice value (an id, a rating) as a whole number: ASCII digits, at most MAX_ID.

    For WTForms' `coerce`: it raises ValueError, which the field turns into its own message.
    """
    if isinstance(value, int) and not isinstance(value, bool):
        if 0 <= value <= MAX_ID:
            return value
        raise ValueError("Not a whole number in range")
    number = ascii_whole_number(str(value)) if value is not None else None
    if number is None:
        raise ValueError("Not a whole number in ASCII digits")
    return number
