"""supervision/limits.py: the document lists every limit, every form field has one, and the
rules read text, dates and numbers as people mean them."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest
from wtforms.fields import DateField, StringField
from wtforms.fields.core import UnboundField

from supervision import limits
from supervision.forms import Form

DOC = Path(__file__).resolve().parents[2] / "docs" / "limits.md"
TODAY = date(2026, 11, 23)


def every_form_class(app) -> list[type]:
    found, waiting = [], [Form]
    while waiting:
        cls = waiting.pop()
        found.append(cls)
        waiting.extend(cls.__subclasses__())
    return [cls for cls in found if cls is not Form]


def unbound_fields(cls) -> dict[str, UnboundField]:
    return {name: getattr(cls, name) for name in dir(cls) if isinstance(getattr(cls, name), UnboundField)}


def test_the_document_lists_exactly_the_limits_in_the_module():
    rows_in_doc = [line for line in DOC.read_text().splitlines() if re.match(r"^\| `", line)]
    assert rows_in_doc == limits.limit_rows()


def test_every_text_and_date_field_of_every_form_has_a_limit(app):
    classes = every_form_class(app)
    assert len(classes) > 20, "the forms were found"
    missing = []
    for cls in classes:
        for name, unbound in unbound_fields(cls).items():
            text = limits.TEXT.get(f"{cls.__name__}.{name}") or limits.TEXT.get(name)
            if issubclass(unbound.field_class, StringField) and text is None:
                missing.append(f"{cls.__name__}.{name} (text)")
            if issubclass(unbound.field_class, DateField) and name not in limits.DATES:
                missing.append(f"{cls.__name__}.{name} (date)")
    assert missing == []


# Columns whose names a typed field shares, though they hold something else.
NOT_TYPED = {"version", "token", "reason"}  # a hidden value, a token's hash, a gap reason's code
TOKEN_NAME_COLUMN = 100


def test_every_limit_fits_its_database_column(app):
    from supervision.extensions import db

    too_long = []
    for table in db.metadata.tables.values():
        for column in table.columns:
            length = getattr(column.type, "length", None)
            limit = limits.TEXT.get(column.name)
            if length and limit and limit.max_length > length and column.name not in NOT_TYPED:
                too_long.append(f"{table.name}.{column.name}: {limit.max_length} > {length}")
    assert too_long == ["api_token.name: 200 > 100"]  # the token form's own limit is 100:
    assert limits.TEXT["TokenForm.name"].max_length == TOKEN_NAME_COLUMN


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("Evil\r\nBcc: x@y", "Given name must not contain a line break (it must be on one line)"),
        ("Ann\tLee", "Given name must not contain a tab"),
        ("Ann\u2028Lee", "Given name must not contain a line break"),
        ("\u202eeeL nnA", "Given name must not contain an invisible control character (U+202E)"),
        ("Ann\x00", "Given name must not contain an invisible control character (U+0000)"),
        ("Ann\ufeff", "Given name must not contain an invisible control character (U+FEFF)"),
        ("x" * 101, "Given name must be 100 characters or fewer"),
        ("Siân O’Neill-Ng", None),
        ("مهرداد\u200cزاده", None),  # the zero-width non-joiner shapes Persian names
        ("x" * 100, None),
    ],
)
def test_single_line_text_refuses_control_characters(value, message):
    assert limits.text_problem(value, "Given name", limits.TEXT["given_name"]) == message


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("First line\r\nSecond line\n\tIndented", None),
        (
            "Pasted\x0bfrom a word processor",
            "Wellbeing must not contain an invisible control character (U+000B)",
        ),
        ("\x1b[31mred", "Wellbeing must not contain an invisible control character (U+001B)"),
        ("x" * 20_001, "Wellbeing must be 20,000 characters or fewer"),
    ],
)
def test_multi_line_text_keeps_line_breaks_and_tabs_only(value, message):
    assert limits.text_problem(value, "Wellbeing", limits.TEXT["wellbeing"]) == message


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("date", date(1800, 1, 1), "Date must be on or after 23 August 2026"),
        ("date", date(2999, 1, 1), "Date must be on or before 23 November 2027"),
        ("date", date(2026, 8, 23), None),
        ("date", date(2027, 11, 23), None),
        ("held_on", date(2026, 11, 24), "Date must be today or in the past"),
        ("starts_on", date(1800, 1, 1), "Date must be on or after 23 August 2026"),
        ("ends_on", date(2029, 1, 1), "Date must be on or before 23 November 2028"),
        ("start_date", date(1966, 11, 23), None),
        ("start_date", date(1966, 11, 22), "Date must be on or after 23 November 1966"),
        ("dbs_check_date", date(2026, 11, 24), "Date must be today or in the past"),
        ("period_start", date(1999, 12, 31), "Date must be on or after 1 January 2000"),
    ],
)
def test_dates_are_bounded_by_their_fields_range_from_today(field, value, message):
    assert limits.date_problem(value, "Date", limits.DATES[field], TODAY) == message


@pytest.mark.parametrize(
    ("text", "number"),
    [
        ("12", 12),
        (" 7 ", 7),
        ("١٢", None),
        ("１２", None),
        ("²", None),
        ("-1", None),
        ("1e3", None),
        ("2147483647", 2**31 - 1),
        ("2147483648", None),
        ("9" * 400, None),
        ("", None),
    ],
)
def test_whole_numbers_are_ascii_digits_up_to_the_largest_id(text, number):
    assert limits.ascii_whole_number(text) == number


def test_a_choice_value_in_another_scripts_digits_is_not_an_id():
    assert limits.whole_number("12") == 12
    for bad in ("١٢", "2147483648", "-3", None, True):
        with pytest.raises(ValueError):
            limits.whole_number(bad)


@pytest.mark.parametrize("maximum", [0, 7, 10, 99, 100, 1_000, 2_047, limits.MAX_ID])
def test_the_url_pattern_matches_exactly_the_numbers_up_to_its_maximum(maximum):
    pattern = re.compile(limits.pattern_up_to(maximum))
    edges = {0, 1, 9, 10, 99, 100, maximum - 1, maximum, maximum + 1, maximum * 10, maximum + 10}
    for number in sorted(n for n in edges if n >= 0) + list(range(0, 3_000)):
        assert bool(pattern.fullmatch(str(number))) == (number <= maximum), number
    assert pattern.fullmatch("١٢") is None
