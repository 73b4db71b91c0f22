"""The sign-off rule, the heart of the product (docs/rules.md), as a pure function.

A record cannot be signed off while any required section is blank (whitespace counts as
blank: see BLANK_CHARACTERS), any carried-forward action is unreviewed, or any case discussion
has no decision.
The rule names every missing item with the id of the field to fix, so pages can link to
it from the GOV.UK error summary and the API can return the same list.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass

from supervision.record_sections import SECTIONS

REVIEW_OUTCOMES = ("done", "carried_forward", "no_longer_needed")


@dataclass(frozen=True)
class CaseDiscussionDraft:
    id: int
    case_reference: str
    decision: str


@dataclass(frozen=True)
class ActionReviewDraft:
    id: int
    description: str
    outcome: str | None
    comment: str


@dataclass(frozen=True)
class RecordDraft:
    """What the rule needs to know about a record, and nothing else."""

    sections: Mapping[str, str]
    case_discussions: Sequence[CaseDiscussionDraft] = ()
    action_reviews: Sequence[ActionReviewDraft] = ()


@dataclass(frozen=True)
class MissingItem:
    field_id: str
    message: str


# Characters that print nothing: Unicode White_Space (all that str.strip() removes, such as the
# no-break, ideographic and line-separator spaces) and the invisible format characters (general
# category Cf: zero-width space and joiners, word joiner, byte-order mark, soft hyphen, direction
# marks, tags), but not the prepended concatenation marks (U+0600-0605 and kin), which print.
# A text made only of these is blank. This one string is the definition: the sign-off rule
# strips it here and the reports' completeness figure trims it in SQL (reports/services.py), so
# both always agree (tests/records/test_blank.py checks it against Python's Unicode tables).
BLANK_RANGES = (
    (0x0009, 0x000D), (0x001C, 0x0020), (0x0085, 0x0085), (0x00A0, 0x00A0), (0x00AD, 0x00AD),
    (0x061C, 0x061C), (0x1680, 0x1680), (0x180E, 0x180E), (0x2000, 0x200F), (0x2028, 0x202F),
    (0x205F, 0x2064), (0x2066, 0x206F), (0x3000, 0x3000), (0xFEFF, 0xFEFF), (0xFFF9, 0xFFFB),
    (0x13430, 0x13438), (0x1BCA0, 0x1BCA3), (0x1D173, 0x1D17A), (0xE0001, 0xE0001), (0xE0020, 0xE007F),
)  # fmt: skip
BLANK_CHARACTERS = "".join(chr(code) for low, high in BLANK_RANGES for code in range(low, high + 1))


def is_blank(text: str | None) -> bool:
    """Nothing written: no text, or only characters that print nothing (BLANK_CHARACTERS)."""
    return text is None or not text.strip(BLANK_CHARACTERS)


def case_decision_field_id(case_discussion_id: int) -> str:
    return f"case-{case_discussion_id}-decision"


def action_review_field_id(action_review_id: int) -> str:
    return f"action-review-{action_review_id}"


CASE_DISCUSSIONS_FIELD_ID = "case-discussions"


def quoted(text: str, limit: int = 60) -> str:
    text = " ".join(text.split())
    return f"“{text if len(text) <= limit else text[: limit - 1] + '…'}”"


def _common_prefix(first: str, second: str) -> int:
    length = 0
    for a, b in zip(first, second, strict=False):
        if a != b:
            break
        length += 1
    return length


def distinct_quotes(texts: Sequence[str], limit: int = 60) -> list[str]:
    """Each text quoted short, but never two alike for texts that differ: where shortening would
    make two read the same (long texts that differ only near the end, such as a case
    reference), the quote runs on past the first difference. Texts with the same words are
    numbered so each message still names one item."""
    clean = [" ".join(text.split()) for text in texts]
    short = [quoted(text, limit) for text in clean]
    quotes = []
    for index, text in enumerate(clean):
        clashing = [other for i, other in enumerate(clean) if i != index and short[i] == short[index]]
        different = [other for other in clashing if other != text]
        quote = short[index]
        if different:
            reach = max(_common_prefix(text, other) for other in different) + 20
            quote = quoted(text, max(limit, reach))
        same = [i for i, other in enumerate(clean) if other == text]
        if len(same) > 1:
            quote += f" ({same.index(index) + 1} of {len(same)} with these words)"
        quotes.append(quote)
    return quotes


def missing_for_sign_off(draft: RecordDraft, optional_sections: Collection[str] = ()) -> list[MissingItem]:
    """Every item that stops the record being signed off, in the order the record shows them.

    An empty list means the record may be signed. `optional_sections` holds the section keys
    the organisation's policy does not require; a case discussion still needs its decision
    and a carried-forward action still needs its review whatever the policy says.
    """
    missing: list[MissingItem] = []
    for section in SECTIONS:
        required = section.key not in optional_sections
        if section.is_text:
            if required and is_blank(draft.sections.get(section.key)):
                missing.append(MissingItem(section.key, f"Enter {section.label.lower()}"))
            continue
        if required and not draft.case_discussions:
            missing.append(MissingItem(CASE_DISCUSSIONS_FIELD_ID, "Add at least one case discussion"))
        for case in draft.case_discussions:
            if is_blank(case.decision):
                missing.append(
                    MissingItem(
                        case_decision_field_id(case.id),
                        f"Enter the decision for case {case.case_reference.strip() or 'without a reference'}",
                    )
                )
    descriptions = dict(
        zip(
            (review.id for review in draft.action_reviews),
            distinct_quotes([review.description for review in draft.action_reviews]),
            strict=True,
        )
    )
    for review in draft.action_reviews:
        if review.outcome not in REVIEW_OUTCOMES:
            missing.append(
                MissingItem(
                    action_review_field_id(review.id),
                    f"Review the action {descriptions[review.id]}: "
                    "say whether it is done, carried forward or no longer needed",
                )
            )
        elif is_blank(review.comment):
            missing.append(
                MissingItem(
                    action_review_field_id(review.id),
                    f"Add a comment to the review of the action {descriptions[review.id]}",
                )
            )
    return missing
