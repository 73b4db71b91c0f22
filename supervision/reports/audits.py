"""Quality audits: offering signed records to audit and recording an audit (one transaction).

A service manager audits records from the teams of the services they oversee; a record from
anywhere else is treated as if it did not exist.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload, selectinload

from supervision.agreements.models import SupervisionAgreement
from supervision.audit.services import AuditAction, audited_change
from supervision.clock import clock
from supervision.dates import add_months
from supervision.extensions import db
from supervision.org.models import Staff, Team
from supervision.permissions import overseen_staff_query
from supervision.records.models import SupervisionRecord, SupervisionSession
from supervision.records.signoff import is_blank
from supervision.reports import figures
from supervision.reports.checklist import CHECKLIST, Evidence
from supervision.reports.models import Answer, Grade, QualityAudit
from supervision.reports.services import (
    load_histories,
    london_midnight,
    overseen_units,
    policy_for,
    report_people,
)

SAMPLE_FROM_MONTHS = 6
LATEST_SHOWN = 50
AUDITS_SHOWN = 100


class AuditRefused(Exception):
    """Nothing was saved; `field` names the form field the message belongs to."""

    def __init__(self, message: str, field: str = "grade"):
        super().__init__(message)
        self.message = message
        self.field = field


def overseen_teams(user: Staff) -> list[Team]:
    """The teams with someone in them whose records `user` may audit."""
    return overseen_units(user).team_list


def _audited_by(user: Staff):
    """Records of the people `user` oversees (never their own), in the teams their report covers."""
    return sa.and_(
        Staff.id.in_(overseen_staff_query(user)),
        Staff.id.in_(report_people(user)),
    )


def _with_people(query: sa.Select) -> sa.Select:
    return query.options(
        joinedload(SupervisionRecord.supervisee).joinedload(Staff.team),
        joinedload(SupervisionRecord.session).joinedload(SupervisionSession.supervisor),
    )


def records_to_audit(user: Staff, team_id: int | None, sample_size: int | None, today: date):
    """Signed, not yet audited records of sessions held in the last six months, from the user's
    teams (or one of them): the latest, or a random sample of `sample_size`."""
    not_audited = ~sa.exists().where(QualityAudit.record_id == SupervisionRecord.id)
    query = (
        sa.select(SupervisionRecord)
        .join(SupervisionSession, SupervisionSession.id == SupervisionRecord.session_id)
        .join(Staff, Staff.id == SupervisionRecord.supervisee_id)
        .where(
            _audited_by(user),
            SupervisionRecord.supervisor_signed_at.is_not(None),
            SupervisionSession.held_on >= add_months(today, -SAMPLE_FROM_MONTHS),
            not_audited,
        )
    )
    if team_id is not None:
        query = query.where(Staff.team_id == team_id)
    if sample_size:
        query = query.order_by(sa.func.random()).limit(sample_size)
    else:
        query = query.order_by(SupervisionSession.held_on.desc(), SupervisionRecord.id.desc()).limit(
            LATEST_SHOWN
        )
    return list(db.session.scalars(_with_people(query)).unique())


def overseen_record(user: Staff, record_id: int) -> SupervisionRecord | None:
    query = (
        sa.select(SupervisionRecord)
        .join(Staff, Staff.id == SupervisionRecord.supervisee_id)
        .where(SupervisionRecord.id == record_id, _audited_by(user))
        .options(
            selectinload(SupervisionRecord.case_discussions),
            selectinload(SupervisionRecord.action_reviews),
        )
    )
    return db.session.scalar(_with_people(query))


def audit_of(record_id: int) -> QualityAudit | None:
    return db.session.scalar(sa.select(QualityAudit).where(QualityAudit.record_id == record_id))


def overseen_audit(user: Staff, audit_id: int) -> QualityAudit | None:
    return db.session.scalar(
        sa.select(QualityAudit)
        .join(SupervisionRecord, SupervisionRecord.id == QualityAudit.record_id)
        .join(Staff, Staff.id == SupervisionRecord.supervisee_id)
        .where(QualityAudit.id == audit_id, _audited_by(user))
        .options(
            joinedload(QualityAudit.auditor),
            joinedload(QualityAudit.record).joinedload(SupervisionRecord.supervisee),
        )
    )


def recent_audits(user: Staff) -> list[QualityAudit]:
    return list(
        db.session.scalars(
            sa.select(QualityAudit)
            .join(SupervisionRecord, SupervisionRecord.id == QualityAudit.record_id)
            .join(Staff, Staff.id == SupervisionRecord.supervisee_id)
            .where(_audited_by(user))
            .options(
                joinedload(QualityAudit.auditor),
                joinedload(QualityAudit.record)
                .joinedload(SupervisionRecord.supervisee)
                .joinedload(Staff.team),
                joinedload(QualityAudit.record).joinedload(SupervisionRecord.session),
            )
            .order_by(QualityAudit.audited_at.desc(), QualityAudit.id.desc())
            .limit(AUDITS_SHOWN)
        ).unique()
    )


def evidence_for(record: SupervisionRecord) -> Evidence:
    """What the system knows about the checklist items for this record."""
    held_on = record.session.held_date
    agreement = db.session.scalar(
        sa.select(SupervisionAgreement).where(
            SupervisionAgreement.supervisee_id == record.supervisee_id,
            SupervisionAgreement.agreed_on <= held_on,
            sa.or_(SupervisionAgreement.ended_on.is_(None), SupervisionAgreement.ended_on >= held_on),
        )
    )
    return Evidence(
        agreement_in_force=agreement is not None,
        agreement_signed_by_both=agreement is not None and agreement.fully_signed,
        interval_met=_interval_met(record, held_on),
        agenda_written=not is_blank(record.agenda),
        actions_reviewed=sum(1 for review in record.action_reviews if review.outcome is not None),
        actions_to_review=len(record.action_reviews),
        reflection_written=not is_blank(record.reflection),
        cases_decided=sum(1 for case in record.case_discussions if not is_blank(case.decision)),
        cases_discussed=len(record.case_discussions),
        both_signed=record.supervisor_signed_at is not None and record.supervisee_signed_at is not None,
    )


def _interval_met(record: SupervisionRecord, held_on: date) -> bool | None:
    """Whether the session met its interval on time, from the compliance engine's intervals."""
    today = clock().today()
    person = record.supervisee
    _, histories = load_histories(
        sa.select(Staff.id).where(Staff.id == person.id),
        figures.Period(held_on, max(held_on, today)),
        today,
        policy_for(person.organisation_id),
        with_counts=False,
    )
    for interval in figures.intervals(histories[person.id], today):
        if interval.met and interval.closed_on == held_on:
            return not interval.late
    return None


def record_audit(
    auditor: Staff, record: SupervisionRecord, answers: dict[str, Answer], grade: Grade, comments: str
) -> QualityAudit:
    """Save one audit of a signed record, with its entry in the audit log, or nothing."""
    if record.supervisor_signed_at is None:
        raise AuditRefused("This record cannot be audited until the supervisor has signed it")
    for item in CHECKLIST:
        if item.key not in answers:
            raise AuditRefused(f"Answer the question: {item.question}", field=item.key)
        if answers[item.key] is Answer.NOT_APPLICABLE and not item.may_not_apply:
            raise AuditRefused(f"Answer yes or no: {item.question}", field=item.key)
    if audit_of(record.id) is not None:
        raise AuditRefused("This record has already been audited")
    audit = QualityAudit(
        record_id=record.id,
        auditor_id=auditor.id,
        audited_at=clock().now(),
        grade=grade,
        comments=comments or "",
        **answers,
    )
    try:
        with audited_change(auditor, AuditAction.CREATE, audit):
            db.session.add(audit)
    except IntegrityError:
        raise AuditRefused("This record has already been audited") from None
    return audit


@dataclass(frozen=True)
class ChecklistRate:
    question: str
    yes: int
    answered: int


def checklist_rates(audits: list[QualityAudit]) -> list[ChecklistRate]:
    """For each checklist item: how many audits answered yes, of those where it applied."""
    rates = []
    for item in CHECKLIST:
        answers = [getattr(audit, item.key) for audit in audits]
        applicable = [answer for answer in answers if answer is not Answer.NOT_APPLICABLE]
        rates.append(
            ChecklistRate(item.question, sum(1 for a in applicable if a is Answer.YES), len(applicable))
        )
    return rates


def audits_in(user: Staff, team_ids: list[int], starts_on: date, ends_on: date) -> list[QualityAudit]:
    """Audits completed in a period for records of people in the given (overseen) teams."""
    return list(
        db.session.scalars(
            sa.select(QualityAudit)
            .join(SupervisionRecord, SupervisionRecord.id == QualityAudit.record_id)
            .join(Staff, Staff.id == SupervisionRecord.supervisee_id)
            .where(
                _audited_by(user),
                Staff.team_id.in_(team_ids),
                QualityAudit.audited_at >= london_midnight(starts_on),
                QualityAudit.audited_at < london_midnight(ends_on + figures.ONE_DAY),
            )
        )
    )
