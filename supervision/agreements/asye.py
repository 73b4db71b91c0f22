"""The ASYE's progress reviews: which there are, when, and the outcomes each may have.

Pure: no database, request or clock. The compliance engine (supervision/compliance/rules.py,
`asye_reviews`) works out each review's due date and state from these; the model
(`AsyeReview`), the form and the API read the stages and outcomes from here (docs/metrics.md,
"ASYE progress reviews").
"""

from __future__ import annotations

import enum


class AsyeStage(enum.StrEnum):
    """The reviews of the Assessed and Supported Year in Employment, in the order they fall."""

    THREE_MONTH = "three_month"
    SIX_MONTH = "six_month"
    FINAL = "final"

    @property
    def label(self) -> str:
        return {
            "three_month": "3-month progress review",
            "six_month": "6-month progress review",
            "final": "12-month final assessment",
        }[self.value]

    @property
    def months(self) -> int:
        """Months after the ASYE started that the review is due (before absences move it)."""
        return {"three_month": 3, "six_month": 6, "final": 12}[self.value]

    @property
    def outcomes(self) -> tuple[AsyeOutcome, ...]:
        """The outcomes this stage may record: progress for a review, a decision for the final."""
        return FINAL_OUTCOMES if self is AsyeStage.FINAL else PROGRESS_OUTCOMES


class AsyeOutcome(enum.StrEnum):
    ON_TRACK = "on_track"
    SOME_CONCERNS = "some_concerns"
    SERIOUS_CONCERNS = "serious_concerns"
    PASS = "pass"  # noqa: S105  # nosec B105 (an outcome, not a password)
    FAIL = "fail"
    EXTENDED = "extended"

    @property
    def label(self) -> str:
        return {
            "on_track": "On track",
            "some_concerns": "Some concerns",
            "serious_concerns": "Serious concerns: action plan agreed",
            "pass": "Pass",  # nosec B105 (an outcome's label)
            "fail": "Fail",
            "extended": "Extended",
        }[self.value]


PROGRESS_OUTCOMES = (AsyeOutcome.ON_TRACK, AsyeOutcome.SOME_CONCERNS, AsyeOutcome.SERIOUS_CONCERNS)
FINAL_OUTCOMES = (AsyeOutcome.PASS, AsyeOutcome.FAIL, AsyeOutcome.EXTENDED)

# At most this many people named as taking part in one review (supervision/limits.py's
# `participants` text limit bounds each name).
MAX_PARTICIPANTS = 10


def parse_participants(text: str) -> list[str]:
    """The people who took part, one a line as typed (blank lines dropped)."""
    return [line.strip() for line in text.splitlines() if line.strip()]


def review_problems(
    stage: AsyeStage | None, outcome: AsyeOutcome | None, participants: list[str]
) -> list[tuple[str, str]]:
    """(field, message) for every way a review's details do not fit together."""
    problems = []
    if stage is not None and outcome is not None and outcome not in stage.outcomes:
        allowed = ", ".join(member.label.lower() for member in stage.outcomes)
        problems.append(("outcome", f"The outcome of a {stage.label} must be one of: {allowed}"))
    if not participants:
        problems.append(("participants", "Enter who took part in the review"))
    elif len(participants) > MAX_PARTICIPANTS:
        problems.append(("participants", f"Name at most {MAX_PARTICIPANTS} people who took part"))
    return problems
