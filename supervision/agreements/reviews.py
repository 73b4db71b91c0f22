"""Recording an ASYE's progress reviews and final assessment: one transaction, audited.

When each is due, and whether it was held in time, is the compliance engine's
(`supervision.compliance.rules.asye_reviews`, docs/metrics.md "ASYE progress reviews").
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from supervision.agreements.asye import AsyeOutcome, AsyeStage, parse_participants, review_problems
from supervision.agreements.models import AsyeReview, FrequencyKind, SupervisionAgreement
from supervision.agreements.services import current_agreement
from supervision.audit.services import AuditAction, audited_change
from supervision.clock import clock
from supervision.extensions import db
from supervision.org.models import Staff
from supervision.permissions import may_manage_supervision_of
from supervision.service_errors import NotPermitted


@dataclass(frozen=True)
class ReviewDetails:
    stage: AsyeStage | None
    held_on: date | None
    outcome: AsyeOutcome | None
    participants: str
    notes: str = ""


def asye_agreement(person_id: int) -> SupervisionAgreement | None:
    """The person's current agreement when it is the ASYE's staged one: their ASYE in progress."""
    agreement = current_agreement(person_id)
    if agreement is None or agreement.frequency_kind is not FrequencyKind.ASYE_STAGED:
        return None
    return agreement


def reviews_of(person_id: int) -> list[AsyeReview]:
    """Every ASYE review recorded for the person, latest first."""
    return list(
        db.session.scalars(
            sa.select(AsyeReview)
            .where(AsyeReview.supervisee_id == person_id)
            .options(joinedload(AsyeReview.recorded_by))
            .order_by(AsyeReview.held_on.desc(), AsyeReview.id.desc())
        )
    )


def recording_problems(person: Staff, details: ReviewDetails) -> list[tuple[str, str]]:
    """(field, message) for everything wrong with recording these details for the person now.

    Field names are the form's (`reviewed_on` is the day the review was held)."""
    agreement = asye_agreement(person.id)
    if agreement is None:
        return [("stage", f"{person.name} has no current ASYE agreement, so there is no review to record")]
    started_on = agreement.asye_started_on
    if started_on is None:  # asye_staged_has_start
        raise ValueError("an ASYE agreement has a start date")
    problems = review_problems(details.stage, details.outcome, parse_participants(details.participants))
    if details.held_on is not None and details.held_on < started_on:
        problems.append(
            ("reviewed_on", f"Date held must be on or after the ASYE started, {started_on:%-d %B %Y}")
        )
    if details.stage is not None:
        already = db.session.scalar(
            sa.select(AsyeReview.held_on).where(
                AsyeReview.supervisee_id == person.id,
                AsyeReview.stage == details.stage,
                AsyeReview.held_on >= started_on,
            )
        )
        if already is not None:
            problems.append(
                ("stage", f"The {details.stage.label} was already recorded, held on {already:%-d %B %Y}")
            )
    return problems


class ReviewRefused(Exception):
    """The review was not recorded: every problem, by form field."""

    def __init__(self, problems: list[tuple[str, str]]):
        super().__init__("; ".join(message for _, message in problems))
        self.problems = problems


def record_review(actor: Staff, person: Staff, details: ReviewDetails) -> AsyeReview:
    """Record a review held: the person's supervisor or a manager above them (as for absences)."""
    agreement = current_agreement(person.id)
    if not may_manage_supervision_of(actor, person, agreement.supervisor_id if agreement else None):
        raise NotPermitted()
    problems = recording_problems(person, details)
    if problems or details.stage is None or details.held_on is None or details.outcome is None:
        raise ReviewRefused(problems or [("stage", "Enter the review's stage, date and outcome")])
    review = AsyeReview(
        supervisee_id=person.id,
        stage=details.stage,
        held_on=details.held_on,
        outcome=details.outcome,
        participants="\n".join(parse_participants(details.participants)),
        notes=details.notes,
        recorded_by_id=actor.id,
        created_at=clock().now(),
    )
    with audited_change(actor, AuditAction.CREATE, review):
        db.session.add(review)
    return review
