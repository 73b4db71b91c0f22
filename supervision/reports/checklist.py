"""The quality-audit checklist (docs/metrics.md) and what the system can see for each item, as pure code.

The auditor answers every item; the system's own findings are shown beside each question as
evidence to check, never as the answer, because judging a record is the auditor's job.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ChecklistItem:
    key: str
    question: str
    # Where an item cannot apply (no earlier actions, no case discussed), "not applicable" is offered.
    may_not_apply: bool = False


CHECKLIST: tuple[ChecklistItem, ...] = (
    ChecklistItem("agreement_on_file", "Was a signed supervision agreement on file?"),
    ChecklistItem("frequency_met", "Was the session held within the agreed frequency?"),
    ChecklistItem("agenda_set", "Was there an agenda?"),
    ChecklistItem(
        "previous_actions_reviewed",
        "Were the actions from the previous session reviewed?",
        may_not_apply=True,
    ),
    ChecklistItem("reflection_evident", "Is reflection evident in the record?"),
    ChecklistItem(
        "decisions_recorded", "Is a decision recorded for every case discussed?", may_not_apply=True
    ),
    ChecklistItem("both_signed", "Did the supervisor and the supervisee both sign the record?"),
)
CHECKLIST_KEYS = tuple(item.key for item in CHECKLIST)


@dataclass(frozen=True)
class Evidence:
    """Facts about a record, gathered by the audit service; no record content."""

    agreement_in_force: bool
    agreement_signed_by_both: bool
    interval_met: bool | None  # None: no frequency requirement applied
    agenda_written: bool
    actions_reviewed: int
    actions_to_review: int
    reflection_written: bool
    cases_decided: int
    cases_discussed: int
    both_signed: bool


def evidence_text(key: str, evidence: Evidence) -> str:
    """What the system found for one checklist item, in a sentence."""
    if key == "agreement_on_file":
        if not evidence.agreement_in_force:
            return "No supervision agreement was in force on the day of the session."
        if not evidence.agreement_signed_by_both:
            return "An agreement was in force, but it has not been signed by both people."
        return "A supervision agreement signed by both people was in force on the day of the session."
    if key == "frequency_met":
        if evidence.interval_met is None:
            return "No frequency requirement applied to this session."
        if evidence.interval_met:
            return "The session was held on or before its due date."
        return "The session was held after its due date had passed."
    if key == "agenda_set":
        return "An agenda was written." if evidence.agenda_written else "No agenda was written."
    if key == "previous_actions_reviewed":
        if not evidence.actions_to_review:
            return "There were no open actions from earlier sessions to review."
        return f"{evidence.actions_reviewed} of {evidence.actions_to_review} earlier actions were reviewed."
    if key == "reflection_evident":
        return (
            "The reflection section has content: read it to judge whether reflection is evident."
            if evidence.reflection_written
            else "The reflection section is blank."
        )
    if key == "decisions_recorded":
        if not evidence.cases_discussed:
            return "No cases were discussed."
        return f"{evidence.cases_decided} of {evidence.cases_discussed} cases discussed have a decision."
    if key == "both_signed":
        return "Both people have signed." if evidence.both_signed else "Only the supervisor has signed."
    raise KeyError(key)
