"""Supervision records with a unique marker in every piece of free text, for the privacy tests.

If any marker shows up in something HR can see, supervision content has leaked.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

from supervision.agreements.models import (
    AbsenceKind,
    AbsencePeriod,
    FrequencyKind,
    SupervisionAgreement,
    SupervisionType,
)
from supervision.compliance.models import GapReason, OverdueExplanation
from supervision.extensions import db
from supervision.org.models import Staff
from supervision.records.models import (
    Action,
    ActionReview,
    CancelledBy,
    CaseDiscussion,
    RecordAddendum,
    RecordReturn,
    SessionAttendee,
    SessionKind,
    SessionStatus,
    SupervisionRecord,
    SupervisionSession,
)
from supervision.reports.models import Answer, Grade, QualityAudit

NOW = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)


@dataclass
class SeededSupervision:
    markers: list[str] = field(default_factory=list)
    ids: dict[type, int] = field(default_factory=dict)
    route_ids: dict[str, int] = field(default_factory=dict)  # URL parameter name -> an id to try

    def marker(self, where: str) -> str:
        text = f"PRIVATE-{where}-{uuid.uuid4().hex[:10]}"
        self.markers.append(text)
        return text


def _session(supervisor: Staff, supervisee: Staff, on: date, seeded: SeededSupervision, **fields):
    session = SupervisionSession(
        supervisor=supervisor,
        kind=SessionKind.INDIVIDUAL,
        scheduled_start=datetime.combine(on, datetime.min.time(), tzinfo=UTC),
        duration_minutes=90,
        location=seeded.marker("session-location"),
        created_at=NOW,
        updated_at=NOW,
        attendees=[SessionAttendee(supervisee=supervisee)],
        **fields,
    )
    db.session.add(session)
    return session


def seed_supervision(supervisee: Staff, supervisor: Staff) -> SeededSupervision:
    """An agreement, held and cancelled sessions, two records and everything hanging off them."""
    seeded = SeededSupervision()
    mark = seeded.marker
    agreement = SupervisionAgreement(
        supervisee=supervisee,
        supervisor=supervisor,
        frequency_kind=FrequencyKind.INTERVAL,
        interval_days=28,
        minimum_duration_minutes=90,
        supervision_type=SupervisionType.INDIVIDUAL,
        notes=mark("agreement-notes"),
        agreed_on=date(2026, 1, 5),
        review_due_on=date(2027, 1, 5),
        created_at=NOW,
        updated_at=NOW,
    )
    held = _session(
        supervisor, supervisee, date(2026, 2, 2), seeded, status=SessionStatus.HELD, held_on=date(2026, 2, 2)
    )
    later = _session(
        supervisor, supervisee, date(2026, 3, 2), seeded, status=SessionStatus.HELD, held_on=date(2026, 3, 2)
    )
    cancelled = _session(
        supervisor,
        supervisee,
        date(2026, 3, 30),
        seeded,
        status=SessionStatus.CANCELLED,
        cancelled_reason=mark("cancelled-reason"),
        cancelled_by=CancelledBy.SUPERVISOR,
    )
    texts = {
        name: mark(f"record-{name}")
        for name in ("agenda", "wellbeing", "workload", "learning", "reflection", "health_and_leave")
    }
    record = SupervisionRecord(
        session=held,
        supervisee=supervisee,
        supervisee_comment=mark("supervisee-comment"),
        created_at=NOW,
        updated_at=NOW,
        **texts,
    )
    case = CaseDiscussion(
        record=record,
        case_reference=mark("case-reference"),
        summary=mark("case-summary"),
        analysis=mark("case-analysis"),
        decision=mark("case-decision"),
        created_at=NOW,
        updated_at=NOW,
    )
    action = Action(
        record=record,
        case_discussion=case,
        owner=supervisee,
        description=mark("action-description"),
        due_on=date(2026, 2, 27),
        created_at=NOW,
        updated_at=NOW,
    )
    later_record = SupervisionRecord(
        session=later,
        supervisee=supervisee,
        reflection=mark("later-reflection"),
        created_at=NOW,
        updated_at=NOW,
    )
    review = ActionReview(record=later_record, action=action, comment=mark("action-review-comment"))
    addendum = RecordAddendum(
        record=record,
        author=supervisor,
        reason=mark("addendum-reason"),
        body=mark("addendum-body"),
        created_at=NOW,
    )
    returned = RecordReturn(
        record=later_record,
        returned_by=supervisor,
        returned_to=supervisee,
        note=mark("return-note"),
        created_at=NOW,
    )
    explanation = OverdueExplanation(
        supervisee=supervisee,
        due_on=date(2025, 12, 1),
        reason=GapReason.OTHER,
        details=mark("overdue-details"),
        cover_arranged=mark("overdue-cover"),
        recorded_by=supervisor,
        recorded_at=NOW,
    )
    absence = AbsencePeriod(
        staff=supervisee,
        kind=AbsenceKind.SICKNESS,
        starts_on=date(2026, 2, 9),
        ends_on=date(2026, 2, 13),
        created_at=NOW,
    )
    audit = QualityAudit(
        record=record,
        auditor=supervisor,
        audited_at=NOW,
        agreement_on_file=Answer.YES,
        frequency_met=Answer.YES,
        agenda_set=Answer.YES,
        previous_actions_reviewed=Answer.YES,
        reflection_evident=Answer.YES,
        decisions_recorded=Answer.YES,
        both_signed=Answer.NO,
        grade=Grade.GOOD,
        comments=mark("audit-comments"),
    )
    db.session.add_all(
        [
            agreement,
            record,
            case,
            action,
            later_record,
            review,
            addendum,
            returned,
            explanation,
            absence,
            audit,
        ]
    )
    db.session.commit()
    for thing in (
        agreement,
        held,
        record,
        case,
        action,
        review,
        addendum,
        returned,
        explanation,
        absence,
        audit,
    ):
        seeded.ids[type(thing)] = thing.id
    seeded.route_ids = {
        "agreement_id": agreement.id,
        "session_id": held.id,
        "record_id": record.id,
        "case_id": case.id,
        "action_id": action.id,
        "review_id": review.id,
        "absence_id": absence.id,
        "audit_id": audit.id,
        "person_id": supervisee.id,
        "staff_id": supervisee.id,
        "team_id": supervisee.team_id or 0,
        "service_id": supervisee.team.service_id if supervisee.team else 0,
    }
    seeded.route_ids["cancelled_session_id"] = cancelled.id
    return seeded
