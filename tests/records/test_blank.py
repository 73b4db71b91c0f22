"""One definition of blank: the sign-off rule and the reports' "complete at sign-off" figure agree.

The sign-off rule runs in Python and the figure in SQL (SQLite and PostgreSQL); both read
signoff.BLANK_CHARACTERS, so text made only of no-break, zero-width, ideographic or other
Unicode spaces is blank to both, and text with a visible character is written to both.
"""

import sys
import unicodedata

import pytest

from supervision import limits
from supervision.agreements.services import get_policy
from supervision.extensions import db
from supervision.records import signoff
from supervision.records.models import SupervisionRecord
from tests.factories import COMPLETE_SECTIONS, make_record
from tests.reports.helpers import summary_figures

pytestmark = pytest.mark.usefixtures("clock")

# The prepended concatenation marks (PropList.txt) are format characters that print.
PREPENDED_CONCATENATION_MARKS = {0x600, 0x601, 0x602, 0x603, 0x604, 0x605, 0x6DD, 0x70F, 0x890, 0x891}
PREPENDED_CONCATENATION_MARKS |= {0x8E2, 0x110BD, 0x110CD}

BLANK_TEXTS = {
    "no-break spaces": "\u00a0\u00a0",
    "a zero-width space": "\u200b",
    "a byte-order mark and a word joiner": "\ufeff\u2060",
    "ideographic space and line separator": "\u3000\u2028",
    "a mix with ASCII whitespace": "\t \u00a0\u200b\u202f\u2009\n\u200d",
    "a soft hyphen": "\u00ad",
}
WRITTEN_TEXTS = {
    "a word between invisible characters": "\u00a0\u200bBooked onto court skills\u200b\u00a0",
    "a word after an ASCII space": " Reading on neglect",
    "a non-Latin word": "\u3000学习",
    "an emoji": "\U0001f44d",
}


def test_blank_characters_are_unicode_white_space_and_the_invisible_format_characters():
    expected = {
        chr(code)
        for code in range(sys.maxunicode + 1)
        if (chr(code).isspace() or unicodedata.category(chr(code)) == "Cf")
        and code not in PREPENDED_CONCATENATION_MARKS
    }
    assert set(signoff.BLANK_CHARACTERS) == expected
    # The SQL answers text starting with printable ASCII without trimming: none of it is blank.
    assert not set(signoff.BLANK_CHARACTERS) & {chr(code) for code in range(0x21, 0x7F)}


def typed(texts: dict[str, str]) -> dict[str, str]:
    """The texts the record page accepts: it refuses invisible control characters outright
    (docs/limits.md), so only the rest reach the sign-off rule through the page."""
    return {
        name: text for name, text in texts.items() if limits.forbidden_character(text, multiline=True) is None
    }


def refused_at_input(texts: dict[str, str]) -> dict[str, str]:
    return {name: text for name, text in texts.items() if name not in typed(texts)}


def form_data(record, intent, learning):
    return {
        "version": str(record.version),
        "agenda": "",
        **COMPLETE_SECTIONS,
        "learning": learning,
        "intent": intent,
    }


def reload(record):
    db.session.expire_all()
    return db.session.get(SupervisionRecord, record.id)


def complete_at_sign_off(pages, people) -> str:
    """The figure on the head of service's report of the team."""
    pages.client.post("/sign-out")
    pages.sign_in(people.head)
    return summary_figures(pages.get("reports.oversight_team", team_id=people.team.id))[
        "Records complete at sign-off"
    ]


def learning_optional(people):
    get_policy(people.worker.organisation_id).optional_sections = "learning"
    db.session.commit()


@pytest.mark.parametrize("text", typed(BLANK_TEXTS).values(), ids=typed(BLANK_TEXTS).keys())
def test_a_section_of_invisible_characters_is_blank_to_sign_off_and_to_the_report(people, pages, text):
    record = make_record(people.worker, people.supervisor, complete=True)
    pages.sign_in(people.supervisor)

    page = pages.post(
        "records.record", form_data(record, "sign", text), _expected_status=200, record_id=record.id
    )

    assert "Enter learning and development" in page.select_one(".govuk-error-summary").text
    assert reload(record).supervisor_signed_at is None

    # Optional, the same text may be signed off, and the report counts the record incomplete.
    learning_optional(people)
    pages.post("records.record", form_data(reload(record), "sign", text), record_id=record.id)
    assert reload(record).supervisor_signed_at is not None
    assert complete_at_sign_off(pages, people) == "0% 0 of 1"


@pytest.mark.parametrize(
    "text",
    [*refused_at_input(BLANK_TEXTS).values(), *refused_at_input(WRITTEN_TEXTS).values()],
    ids=[*refused_at_input(BLANK_TEXTS), *refused_at_input(WRITTEN_TEXTS)],
)
def test_a_section_holding_an_invisible_control_character_is_refused_by_the_page(people, pages, text):
    record = make_record(people.worker, people.supervisor, complete=True)
    pages.sign_in(people.supervisor)

    page = pages.post(
        "records.record", form_data(record, "sign", text), _expected_status=200, record_id=record.id
    )

    # Refused as holding a control character (or, stripped of whitespace first, as blank).
    assert [link["href"] for link in page.select(".govuk-error-summary a")] == ["#learning"]
    assert reload(record).supervisor_signed_at is None


@pytest.mark.parametrize("text", typed(WRITTEN_TEXTS).values(), ids=typed(WRITTEN_TEXTS).keys())
def test_a_section_with_a_visible_character_is_written_to_sign_off_and_to_the_report(people, pages, text):
    record = make_record(people.worker, people.supervisor, complete=True)
    pages.sign_in(people.supervisor)

    pages.post("records.record", form_data(record, "sign", text), record_id=record.id)

    assert reload(record).supervisor_signed_at is not None
    assert complete_at_sign_off(pages, people) == "100% 1 of 1"


@pytest.mark.parametrize(
    "text", [*BLANK_TEXTS.values(), *WRITTEN_TEXTS.values()], ids=[*BLANK_TEXTS, *WRITTEN_TEXTS]
)
def test_text_stored_as_it_came_gets_the_same_answer_from_the_rule_and_the_report(people, pages, text):
    """Text stored without the page's tidying (earlier versions, generators, direct loads)."""
    learning_optional(people)
    record = make_record(
        people.worker, people.supervisor, complete=True, signed_by_supervisor=True, learning=text
    )
    assert record.learning == text

    blank = signoff.is_blank(record.learning)
    decided = signoff.CaseDiscussionDraft(1, "CH-1001", "Convene a strategy discussion")
    refused = signoff.missing_for_sign_off(
        signoff.RecordDraft({**COMPLETE_SECTIONS, "learning": text}, case_discussions=[decided])
    )

    assert blank is (text in BLANK_TEXTS.values())
    assert bool(refused) is blank
    assert complete_at_sign_off(pages, people) == ("0% 0 of 1" if blank else "100% 1 of 1")
