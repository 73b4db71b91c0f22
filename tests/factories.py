"""Test data, made through the models with sensible defaults: override only what a test is about."""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime
from decimal import Decimal
from functools import cache

from supervision.auth.passwords import hash_password
from supervision.extensions import db
from supervision.org.models import (
    CareerStage,
    ContractType,
    Organisation,
    Role,
    Service,
    Staff,
    StaffRole,
    Team,
)

PASSWORD = "correct horse battery staple"
_sequence = itertools.count(1)


@cache
def password_hash(password: str = PASSWORD) -> str:
    """Hashing is deliberately slow: hash each test password once per run."""
    return hash_password(password)


def make_organisation(name: str | None = None) -> Organisation:
    organisation = db.session.scalar(db.select(Organisation).limit(1))
    if organisation is None or name is not None:
        organisation = Organisation(name=name or "Test Council")
        db.session.add(organisation)
        db.session.commit()
    return organisation


def make_service(name: str | None = None, manager: Staff | None = None) -> Service:
    service = Service(
        organisation=make_organisation(), name=name or f"Service {next(_sequence)}", manager=manager
    )
    db.session.add(service)
    db.session.commit()
    return service


def make_team(
    name: str | None = None,
    service: Service | None = None,
    manager: Staff | None = None,
    establishment_fte: str = "5",
) -> Team:
    team = Team(
        service=service or make_service(),
        name=name or f"Team {next(_sequence)}",
        manager=manager,
        establishment_fte=Decimal(establishment_fte),
    )
    db.session.add(team)
    db.session.commit()
    return team


def make_staff(
    *roles: Role,
    email: str | None = None,
    team: Team | None = None,
    line_manager: Staff | None = None,
    password: str | None = PASSWORD,
    **fields,
) -> Staff:
    number = next(_sequence)
    now = datetime.now(UTC)
    staff = Staff(
        organisation=make_organisation(),
        email=email or f"person{number}@example.test",
        employee_number=fields.pop("employee_number", f"E{number:05d}"),
        given_name=fields.pop("given_name", "Person"),
        family_name=fields.pop("family_name", f"Number {number}"),
        job_title=fields.pop("job_title", "Social worker"),
        career_stage=fields.pop("career_stage", CareerStage.SOCIAL_WORKER),
        contract_type=fields.pop("contract_type", ContractType.PERMANENT),
        fte=Decimal(str(fields.pop("fte", "1"))),
        start_date=fields.pop("start_date", date(2020, 1, 6)),
        team=team,
        line_manager=line_manager,
        password_hash=password_hash(password) if password else None,
        created_at=now,
        updated_at=now,
        **fields,
    )
    staff.role_rows = [StaffRole(role=role) for role in (roles or (Role.SOCIAL_WORKER,))]
    db.session.add(staff)
    db.session.commit()
    return staff


# --- supervision agreements, sessions and records (issue 4) -----------------------------------

from supervision.agreements.models import (  # noqa: E402
    AbsenceKind,
    AbsencePeriod,
    FrequencyKind,
    SupervisionAgreement,
    SupervisionType,
)
from supervision.records.models import (  # noqa: E402
    Action,
    ActionStatus,
    CaseDiscussion,
    SessionAttendee,
    SessionKind,
    SessionStatus,
    SupervisionRecord,
    SupervisionSession,
)

COMPLETE_SECTIONS = {
    "wellbeing": "Feeling settled; discussed the impact of a difficult home visit.",
    "workload": "Eighteen children; two new allocations agreed.",
    "learning": "Booked onto the court skills course.",
    "reflection": "Reflected on how the family's history shapes their trust in us.",
    "health_and_leave": "Two days' leave booked for December. No health concerns.",
}


def make_agreement(
    supervisee: Staff, supervisor: Staff, agreed_on: date = date(2026, 1, 5), **fields
) -> SupervisionAgreement:
    now = datetime.now(UTC)
    agreement = SupervisionAgreement(
        supervisee_id=supervisee.id,
        supervisor_id=supervisor.id,
        frequency_kind=fields.pop("frequency_kind", FrequencyKind.INTERVAL),
        minimum_duration_minutes=fields.pop("minimum_duration_minutes", 90),
        supervision_type=fields.pop("supervision_type", SupervisionType.INDIVIDUAL),
        agreed_on=agreed_on,
        review_due_on=fields.pop("review_due_on", date(agreed_on.year + 1, agreed_on.month, agreed_on.day)),
        created_at=now,
        updated_at=now,
        **fields,
    )
    db.session.add(agreement)
    db.session.commit()
    return agreement


def make_absence(staff: Staff, starts_on: date, ends_on: date, kind: AbsenceKind = AbsenceKind.ANNUAL_LEAVE):
    absence = AbsencePeriod(
        staff_id=staff.id, kind=kind, starts_on=starts_on, ends_on=ends_on, created_at=datetime.now(UTC)
    )
    db.session.add(absence)
    db.session.commit()
    return absence


def make_session(
    supervisor: Staff,
    *supervisees: Staff,
    starts_at: datetime = datetime(2026, 11, 20, 10, 0, tzinfo=UTC),
    status: SessionStatus = SessionStatus.SCHEDULED,
    held_on: date | None = None,
    **fields,
) -> SupervisionSession:
    now = datetime.now(UTC)
    session = SupervisionSession(
        supervisor_id=supervisor.id,
        kind=SessionKind.INDIVIDUAL if len(supervisees) == 1 else SessionKind.GROUP,
        scheduled_start=starts_at,
        duration_minutes=fields.pop("duration_minutes", 90),
        location=fields.pop("location", "Room 2, Civic Centre"),
        online=fields.pop("online", False),
        status=status,
        held_on=held_on if held_on or status is not SessionStatus.HELD else starts_at.date(),
        attendees=[SessionAttendee(supervisee_id=supervisee.id) for supervisee in supervisees],
        created_at=now,
        updated_at=now,
        **fields,
    )
    db.session.add(session)
    db.session.commit()
    return session


def make_held_session(supervisor: Staff, *supervisees: Staff, on: date) -> SupervisionSession:
    """A session held at midnight (UTC) on `on`, individual or, with several people, group."""
    return make_session(
        supervisor,
        *supervisees,
        starts_at=datetime.combine(on, datetime.min.time(), UTC),
        status=SessionStatus.HELD,
    )


def make_record(
    supervisee: Staff,
    supervisor: Staff,
    held_on: date = date(2026, 11, 20),
    complete: bool = False,
    session: SupervisionSession | None = None,
    signed_by_supervisor: bool = False,
    locked: bool = False,
    **sections,
) -> SupervisionRecord:
    """A draft record of a held session; `complete=True` fills every section and adds a decided case,
    `signed_by_supervisor` and `locked` give it the signatures of one party or both."""
    now = datetime.now(UTC)
    session = session or make_session(
        supervisor,
        supervisee,
        starts_at=datetime.combine(held_on, datetime.min.time(), tzinfo=UTC).replace(hour=10),
        status=SessionStatus.HELD,
        held_on=held_on,
    )
    record = SupervisionRecord(
        session_id=session.id,
        supervisee_id=supervisee.id,
        created_at=now,
        updated_at=now,
        supervisor_signed_at=now if signed_by_supervisor or locked else None,
        supervisee_signed_at=now if locked else None,
        locked_at=now if locked else None,
        **({**COMPLETE_SECTIONS, **sections} if complete else sections),
    )
    if complete:
        record.case_discussions = [
            CaseDiscussion(
                case_reference="CH-1001",
                summary="Neglect concerns after school referral.",
                analysis="Pattern of missed health appointments.",
                decision="Convene a strategy discussion this week.",
                created_at=now,
                updated_at=now,
            )
        ]
    db.session.add(record)
    db.session.commit()
    return record


def make_action(record: SupervisionRecord, owner: Staff | None = None, **fields) -> Action:
    now = datetime.now(UTC)
    action = Action(
        record_id=record.id,
        owner_id=(owner or record.supervisee).id,
        description=fields.pop("description", "Update the chronology"),
        due_on=fields.pop("due_on", date(2026, 12, 4)),
        status=fields.pop("status", ActionStatus.OPEN),
        created_at=now,
        updated_at=now,
        **fields,
    )
    db.session.add(action)
    db.session.commit()
    return action


# --- reports: reasons for gaps and quality audits (issue 6) -----------------------------------

from supervision.compliance.models import GapReason, OverdueExplanation  # noqa: E402
from supervision.reports.checklist import CHECKLIST_KEYS  # noqa: E402
from supervision.reports.models import Answer, Grade, QualityAudit  # noqa: E402


def make_overdue_explanation(
    supervisee: Staff, recorded_by: Staff, due_on: date, reason: GapReason = GapReason.WORKLOAD, **fields
) -> OverdueExplanation:
    explanation = OverdueExplanation(
        supervisee_id=supervisee.id,
        due_on=due_on,
        reason=reason,
        details=fields.pop("details", "Covering two vacant posts." if reason is GapReason.OTHER else ""),
        cover_arranged=fields.pop("cover_arranged", "Duty manager available for case decisions."),
        recorded_by_id=recorded_by.id,
        recorded_at=fields.pop("recorded_at", datetime.now(UTC)),
        **fields,
    )
    db.session.add(explanation)
    db.session.commit()
    return explanation


def make_quality_audit(
    record: SupervisionRecord,
    auditor: Staff,
    grade: Grade = Grade.GOOD,
    audited_at: datetime = datetime(2026, 11, 20, 12, 0, tzinfo=UTC),
    **answers: Answer,
) -> QualityAudit:
    audit = QualityAudit(
        record_id=record.id,
        auditor_id=auditor.id,
        audited_at=audited_at,
        grade=grade,
        comments="",
        **{key: answers.get(key, Answer.YES) for key in CHECKLIST_KEYS},
    )
    db.session.add(audit)
    db.session.commit()
    return audit


# --- ASYE progress reviews (issue 19) ----------------------------------------------------------

from supervision.agreements.asye import AsyeOutcome, AsyeStage  # noqa: E402
from supervision.agreements.models import AsyeReview  # noqa: E402


def make_asye_review(
    supervisee: Staff,
    stage: AsyeStage,
    held_on: date,
    outcome: AsyeOutcome | None = None,
    recorded_by: Staff | None = None,
    participants: str = "Dana Reid, ASYE assessor",
) -> AsyeReview:
    review = AsyeReview(
        supervisee_id=supervisee.id,
        stage=stage,
        held_on=held_on,
        outcome=outcome or stage.outcomes[0],
        participants=participants,
        notes="",
        recorded_by_id=recorded_by.id if recorded_by else None,
        created_at=datetime.now(UTC),
    )
    db.session.add(review)
    db.session.commit()
    return review


def make_asye(supervisor: Staff, started_on: date, **fields) -> Staff:
    """A newly qualified social worker whose ASYE started on `started_on`, line-managed and
    supervised by `supervisor` under the staged ASYE frequency from that day."""
    from supervision.agreements.models import FrequencyKind
    from supervision.org.models import CareerStage

    person = make_staff(line_manager=supervisor, career_stage=CareerStage.ASYE, **fields)
    make_agreement(
        person,
        supervisor,
        agreed_on=started_on,
        frequency_kind=FrequencyKind.ASYE_STAGED,
        asye_started_on=started_on,
    )
    return person


def discussions_dated_unlike_their_session() -> list[tuple[int, date, date | None]]:
    """(discussion id, its held date, its session's) of every case discussion whose copy of the
    date is not its session's: none, whichever code wrote them (records/models.py)."""
    return [
        (row.id, row.held_on, row.session_held_on)
        for row in db.session.execute(
            db.select(
                CaseDiscussion.id, CaseDiscussion.held_on, SupervisionSession.held_on.label("session_held_on")
            )
            .join(SupervisionRecord, SupervisionRecord.id == CaseDiscussion.record_id)
            .join(SupervisionSession, SupervisionSession.id == SupervisionRecord.session_id)
            .where(CaseDiscussion.held_on.is_distinct_from(SupervisionSession.held_on))
            .order_by(CaseDiscussion.id)
        )
    ]
