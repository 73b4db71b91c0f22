"""The sign-off rule as a pure function: every combination of blank sections is refused."""

from itertools import combinations

import pytest

from supervision.record_sections import SECTIONS, TEXT_SECTIONS
from supervision.records.signoff import (
    CASE_DISCUSSIONS_FIELD_ID,
    ActionReviewDraft,
    CaseDiscussionDraft,
    MissingItem,
    RecordDraft,
    missing_for_sign_off,
)

COMPLETE = {section.key: f"Something about {section.label.lower()}." for section in TEXT_SECTIONS}
DECIDED_CASE = CaseDiscussionDraft(1, "CH-1", "Strategy discussion this week.")
SECTION_KEYS = [section.key for section in SECTIONS]
ALL_BLANK_COMBINATIONS = [
    combination
    for size in range(1, len(SECTION_KEYS) + 1)
    for combination in combinations(SECTION_KEYS, size)
]


def draft(blank=(), blank_text="", cases=(DECIDED_CASE,), reviews=()):
    sections = {key: (blank_text if key in blank else text) for key, text in COMPLETE.items()}
    return RecordDraft(
        sections=sections,
        case_discussions=() if "case_discussions" in blank else cases,
        action_reviews=reviews,
    )


def test_a_complete_record_may_be_signed_off():
    assert missing_for_sign_off(draft()) == []


@pytest.mark.parametrize("blank_text", ["", "   ", " \n\t \r\n "], ids=["empty", "spaces", "whitespace"])
@pytest.mark.parametrize("blank", ALL_BLANK_COMBINATIONS, ids="+".join)
def test_every_combination_of_blank_sections_is_refused_naming_each_one(blank, blank_text):
    missing = missing_for_sign_off(draft(blank, blank_text))
    expected_ids = [
        CASE_DISCUSSIONS_FIELD_ID if key == "case_discussions" else key
        for key in SECTION_KEYS
        if key in blank
    ]
    assert [item.field_id for item in missing] == expected_ids
    assert all(item.message for item in missing)


def test_messages_name_the_section():
    missing = missing_for_sign_off(draft(("reflection", "case_discussions")))
    assert missing == [
        MissingItem(CASE_DISCUSSIONS_FIELD_ID, "Add at least one case discussion"),
        MissingItem("reflection", "Enter reflection"),
    ]


@pytest.mark.parametrize("decision", ["", "  ", "\n"])
def test_a_case_discussion_without_a_decision_is_refused(decision):
    cases = (DECIDED_CASE, CaseDiscussionDraft(7, "CH-7", decision))
    assert missing_for_sign_off(draft(cases=cases)) == [
        MissingItem("case-7-decision", "Enter the decision for case CH-7")
    ]


def test_an_unreviewed_carried_forward_action_is_refused():
    reviews = (ActionReviewDraft(3, "Update the chronology", None, ""),)
    [item] = missing_for_sign_off(draft(reviews=reviews))
    assert item.field_id == "action-review-3"
    assert "“Update the chronology”" in item.message
    assert "done, carried forward or no longer needed" in item.message


@pytest.mark.parametrize("comment", ["", "   "])
def test_a_review_without_a_comment_is_refused(comment):
    reviews = (ActionReviewDraft(3, "Update the chronology", "done", comment),)
    [item] = missing_for_sign_off(draft(reviews=reviews))
    assert item.field_id == "action-review-3"
    assert item.message.startswith("Add a comment")


@pytest.mark.parametrize("outcome", ["done", "carried_forward", "no_longer_needed"])
def test_each_review_outcome_with_a_comment_is_enough(outcome):
    reviews = (ActionReviewDraft(3, "Update the chronology", outcome, "Agreed in supervision."),)
    assert missing_for_sign_off(draft(reviews=reviews)) == []


def test_an_open_outcome_is_not_a_review():
    reviews = (ActionReviewDraft(3, "Update the chronology", "open", "Still going"),)
    assert [item.field_id for item in missing_for_sign_off(draft(reviews=reviews))] == ["action-review-3"]


def test_every_missing_item_is_listed_together_in_page_order():
    reviews = (ActionReviewDraft(4, "Book training", None, ""),)
    cases = (CaseDiscussionDraft(9, "CH-9", ""),)
    missing = missing_for_sign_off(draft(("wellbeing", "learning"), "  ", cases=cases, reviews=reviews))
    assert [item.field_id for item in missing] == [
        "wellbeing",
        "case-9-decision",
        "learning",
        "action-review-4",
    ]


def test_the_policy_can_make_sections_optional():
    assert (
        missing_for_sign_off(
            draft(("learning", "case_discussions")), optional_sections={"learning", "case_discussions"}
        )
        == []
    )


def test_optional_case_discussions_still_need_their_decisions():
    cases = (CaseDiscussionDraft(2, "CH-2", " "),)
    missing = missing_for_sign_off(draft(cases=cases), optional_sections={"case_discussions"})
    assert [item.field_id for item in missing] == ["case-2-decision"]


def test_a_missing_section_key_counts_as_blank():
    assert [
        item.field_id
        for item in missing_for_sign_off(RecordDraft(sections={}, case_discussions=(DECIDED_CASE,)))
    ] == [section.key for section in TEXT_SECTIONS]
