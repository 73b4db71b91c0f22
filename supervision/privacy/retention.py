"""The retention purge (docs/data-protection.md): a leaver's supervision data goes a
set number of years after their last day.

The monthly job works in two steps, so nothing is purged that administrators could not see coming:
1. purge: each person a dry run reported at least RETENTION_PURGE_NOTICE_DAYS ago is purged,
   if they are still past the retention period with the end date that was reported (a
   corrected end date, or someone who came back, withdraws the report instead);
2. dry run: each leaver now past the retention period and not yet reported gets a
   RetentionReview with counts of what would go (numbers, never content), and nothing else
   is written. Administrators see the report at /admin/retention-purge.
So a person first reported this month is purged by next month's run. Each person is purged in
one transaction together with their audit entry: a run that dies half-way leaves every person
either purged or untouched, and the next run finishes the rest.

The staff row stays, anonymised: the HR figures count it (team, contract, FTE, dates, leaving
destination), and other people's records and the audit log point at it.
"""

from __future__ import annotations

import logging
from collections import Counter
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import aliased

from supervision.agreements.models import AbsencePeriod, AsyeReview, SupervisionAgreement
from supervision.audit.models import ClosedMonthChange
from supervision.audit.services import AuditAction, record_event
from supervision.auth.tokens import ApiToken
from supervision.bulk import NO_SYNC, rowcount
from supervision.cases.models import CaseAllocation, ChildCase
from supervision.clock import SystemClock
from supervision.compliance.models import ComplianceAlert, OverdueExplanation
from supervision.extensions import AnySession, db
from supervision.notifications.models import CalendarFeed, Notification, OutboxEmail
from supervision.org.models import Staff, StaffRole
from supervision.privacy import rules
from supervision.privacy.models import RetentionReview
from supervision.records.models import (
    Action,
    ActionReview,
    CaseDiscussion,
    RecordAddendum,
    RecordReturn,
    SessionAttendee,
    SupervisionRecord,
    SupervisionSession,
)
from supervision.reports.models import QualityAudit

log = logging.getLogger(__name__)

ANONYMOUS_GIVEN_NAME = "Former"
ANONYMOUS_FAMILY_NAME = "member of staff"


@dataclass(frozen=True)
class Settings:
    years_after_leaving: int
    notice_days: int

    @classmethod
    def from_config(cls, config) -> Settings:
        return cls(config["RETENTION_YEARS_AFTER_LEAVING"], config["RETENTION_PURGE_NOTICE_DAYS"])


def personal_rows(session: AnySession, person_id: int) -> list[tuple[str, type, sa.ColumnElement[bool]]]:
    """What purging a person removes, children before parents: (name in the counts, table, rows).

    Their own records and everything in them, the sessions only they attended, their
    agreements, absences, alerts, explanations of their gaps, notifications and emails to or
    about them, tokens and calendar feeds. Other people's records stay, even where this person
    was the supervisor or owns an action: those are about someone else.
    """
    record_ids = list(
        session.scalars(sa.select(SupervisionRecord.id).where(SupervisionRecord.supervisee_id == person_id))
    )
    action_ids = list(session.scalars(sa.select(Action.id).where(Action.record_id.in_(record_ids))))
    other = aliased(SessionAttendee)
    others = sa.select(other.id).where(
        other.session_id == SupervisionSession.id, other.supervisee_id != person_id
    )
    session_ids = list(
        session.scalars(
            sa.select(SupervisionSession.id)
            .join(SessionAttendee, SessionAttendee.session_id == SupervisionSession.id)
            .where(SessionAttendee.supervisee_id == person_id, ~others.exists())
        )
    )
    # The cases still allocated to them (docs/cases.md): a case moved on to a colleague stays.
    case_ids = list(session.scalars(sa.select(ChildCase.id).where(ChildCase.worker_id == person_id)))
    return [
        (
            "action_reviews",
            ActionReview,
            sa.or_(ActionReview.record_id.in_(record_ids), ActionReview.action_id.in_(action_ids)),
        ),
        ("actions", Action, Action.id.in_(action_ids)),
        ("case_discussions", CaseDiscussion, CaseDiscussion.record_id.in_(record_ids)),
        ("addenda", RecordAddendum, RecordAddendum.record_id.in_(record_ids)),
        ("returns", RecordReturn, RecordReturn.record_id.in_(record_ids)),
        ("quality_audits", QualityAudit, QualityAudit.record_id.in_(record_ids)),
        ("records", SupervisionRecord, SupervisionRecord.id.in_(record_ids)),
        ("session_places", SessionAttendee, SessionAttendee.supervisee_id == person_id),
        ("sessions", SupervisionSession, SupervisionSession.id.in_(session_ids)),
        ("agreements", SupervisionAgreement, SupervisionAgreement.supervisee_id == person_id),
        ("absences", AbsencePeriod, AbsencePeriod.staff_id == person_id),
        ("asye_reviews", AsyeReview, AsyeReview.supervisee_id == person_id),
        ("alerts", ComplianceAlert, ComplianceAlert.subject_id == person_id),
        ("gap_explanations", OverdueExplanation, OverdueExplanation.supervisee_id == person_id),
        (
            "notifications",
            Notification,
            sa.or_(Notification.recipient_id == person_id, Notification.subject_id == person_id),
        ),
        (
            "emails",
            OutboxEmail,
            sa.or_(OutboxEmail.recipient_id == person_id, OutboxEmail.subject_id == person_id),
        ),
        # The reasons given for changing their closed months may say anything about them.
        ("closed_month_changes", ClosedMonthChange, ClosedMonthChange.staff_id == person_id),
        ("api_tokens", ApiToken, ApiToken.staff_id == person_id),
        ("calendar_feeds", CalendarFeed, CalendarFeed.staff_id == person_id),
        ("case_allocations", CaseAllocation, CaseAllocation.case_id.in_(case_ids)),
        ("cases", ChildCase, ChildCase.id.in_(case_ids)),
    ]


def count_personal_rows(session: AnySession, person_id: int) -> dict[str, int]:
    """How many rows of each kind a purge of the person would remove: the dry-run report."""
    return {
        name: session.scalar(sa.select(sa.func.count()).select_from(model).where(rows)) or 0
        for name, model, rows in personal_rows(session, person_id)
    }


def _unlink(session: AnySession, rows: list[tuple[str, type, sa.ColumnElement[bool]]]) -> None:
    """Other rows may point at what is going (a rebooked session, a carried-forward action)."""
    by_name = {name: condition for name, _, condition in rows}
    going_sessions = sa.select(SupervisionSession.id).where(by_name["sessions"]).scalar_subquery()
    session.execute(
        sa.update(SupervisionSession)
        .where(SupervisionSession.rebooked_from_id.in_(going_sessions), ~by_name["sessions"])
        .values(rebooked_from_id=None)
    )
    going_actions = sa.select(Action.id).where(by_name["actions"]).scalar_subquery()
    session.execute(
        sa.update(Action)
        .where(Action.carried_from_id.in_(going_actions), ~by_name["actions"])
        .values(carried_from_id=None)
    )


def anonymise(person: Staff, now: datetime) -> None:
    """Keep what the HR figures count; drop who the person was and any way to sign in as them."""
    person.given_name = ANONYMOUS_GIVEN_NAME
    person.family_name = ANONYMOUS_FAMILY_NAME
    person.email = f"purged-{person.id}@purged.invalid"
    person.employee_number = None
    person.job_title = ""
    person.swe_registration_number = None
    person.swe_renewal_date = None
    person.dbs_check_date = None
    person.leaving_reason = None  # free text: may say anything about the person
    person.line_manager_id = None
    person.active = False
    person.password_hash = None
    person.last_signed_in_at = None
    person.updated_at = now


def purge_person(session: AnySession, review: RetentionReview, now: datetime) -> dict[str, int]:
    """Remove the person's supervision data, anonymise their staff row and write the audit entry.

    The caller commits: all of it is one transaction.
    """
    person_id = review.staff_id
    rows = personal_rows(session, person_id)
    _unlink(session, rows)
    removed = {}
    for name, model, condition in rows:
        result = session.execute(
            sa.delete(model).where(condition).execution_options(synchronize_session=False)
        )
        removed[name] = max(rowcount(result), 0)
    session.execute(sa.delete(StaffRole).where(StaffRole.staff_id == person_id))
    person = session.get_one(Staff, person_id)
    anonymise(person, now)
    review.purged_at = now
    record_event(None, AuditAction.PURGE, Staff.__tablename__, person_id, occurred_at=now)
    return removed


def leavers_past_retention(clock: SystemClock, settings: Settings) -> sa.Select:
    """Staff whose last day is far enough back, and who no dry run has reported yet."""
    last_end_date = rules.last_end_date_to_purge(clock.today(), settings.years_after_leaving)
    reported = sa.select(RetentionReview.id).where(RetentionReview.staff_id == Staff.id)
    return (
        sa.select(Staff.id, Staff.end_date)
        .where(Staff.end_date.is_not(None), Staff.end_date <= last_end_date, ~reported.exists())
        .order_by(Staff.id)
    )


def carry_out_reported_purges(session: AnySession, clock: SystemClock, settings: Settings, counts: Counter):
    """Step 1: purge (one transaction each) the people reported long enough ago and still due."""
    now = clock.now()
    last_end_date = rules.last_end_date_to_purge(clock.today(), settings.years_after_leaving)
    pending = list(
        session.scalars(
            sa.select(RetentionReview).where(RetentionReview.purged_at.is_(None)).order_by(RetentionReview.id)
        )
    )
    for review in pending:
        if not rules.purge_is_due(review.reported_at, now, settings.notice_days):
            counts["waiting"] += 1
            continue
        end_date = session.scalar(sa.select(Staff.end_date).where(Staff.id == review.staff_id))
        if end_date != review.end_date or end_date is None or end_date > last_end_date:
            # Their end date changed since the report: report them again if and when they are due.
            person_id = review.staff_id
            session.delete(review)
            session.commit()
            counts["withdrawn"] += 1
            log.info("retention purge withdrawn: end date changed", extra={"staff_id": person_id})
            continue
        removed = purge_person(session, review, now)
        session.commit()
        counts["purged"] += 1
        counts["records_purged"] += removed["records"]
        log.info(
            "retention purge: staff %s purged",
            review.staff_id,
            extra={"staff_id": review.staff_id, "removed": removed},
        )


def report_leavers_due(session: AnySession, clock: SystemClock, settings: Settings, counts: Counter):
    """Step 2, the dry run: list who would be purged and how much, changing nothing else."""
    now = clock.now()
    for person_id, end_date in session.execute(leavers_past_retention(clock, settings)).all():
        session.add(
            RetentionReview(
                staff_id=person_id,
                end_date=end_date,
                reported_at=now,
                counts=count_personal_rows(session, person_id),
            )
        )
        session.commit()
        counts["reported"] += 1
        counts["waiting"] += 1


def purge_closed_cases(session: AnySession, clock: SystemClock, settings: Settings, counts: Counter) -> None:
    """Cases closed on or before the retention period's start go, with their allocations, in one
    transaction with an audit entry each (the case's id; never its reference): docs/cases.md."""
    now = clock.now()
    last_closed_on = rules.last_end_date_to_purge(clock.today(), settings.years_after_leaving)
    case_ids = list(
        session.scalars(
            sa.select(ChildCase.id)
            .where(ChildCase.closed_on.is_not(None), ChildCase.closed_on <= last_closed_on)
            .order_by(ChildCase.id)
        )
    )
    for start in range(0, len(case_ids), 5_000):
        chunk = case_ids[start : start + 5_000]
        session.execute(
            sa.delete(CaseAllocation).where(CaseAllocation.case_id.in_(chunk)).execution_options(**NO_SYNC)
        )
        session.execute(sa.delete(ChildCase).where(ChildCase.id.in_(chunk)).execution_options(**NO_SYNC))
        for case_id in chunk:
            record_event(None, AuditAction.PURGE, ChildCase.__tablename__, case_id, occurred_at=now)
    session.commit()
    counts["closed_cases_purged"] += len(case_ids)
    if case_ids:
        log.info(
            "retention purge: %s closed cases purged", len(case_ids), extra={"cases_purged": len(case_ids)}
        )


def retention_purge(session: AnySession, clock: SystemClock) -> dict[str, int]:
    """The monthly job: purge what an earlier dry run reported, then report who is due next, then
    remove the cases closed longer ago than the retention period."""
    settings = Settings.from_config(current_app.config)
    counts: Counter = Counter(
        purged=0, records_purged=0, withdrawn=0, reported=0, waiting=0, closed_cases_purged=0
    )
    carry_out_reported_purges(session, clock, settings, counts)
    report_leavers_due(session, clock, settings, counts)
    purge_closed_cases(session, clock, settings, counts)
    return dict(counts)


@dataclass(frozen=True)
class ReviewRow:
    review: RetentionReview
    name: str
    purge_from: datetime


def retention_report() -> tuple[list[ReviewRow], int]:
    """For administrators: who is waiting to be purged (with counts), and how many have been."""
    settings = Settings.from_config(current_app.config)
    waiting = db.session.execute(
        sa.select(RetentionReview, Staff.given_name, Staff.family_name)
        .join(Staff, Staff.id == RetentionReview.staff_id)
        .where(RetentionReview.purged_at.is_(None))
        .order_by(RetentionReview.reported_at, RetentionReview.id)
    ).all()
    purged = db.session.execute(
        sa.select(sa.func.count()).select_from(RetentionReview).where(RetentionReview.purged_at.is_not(None))
    ).scalar_one()
    rows = [
        ReviewRow(review, f"{given} {family}", rules.purge_from(review.reported_at, settings.notice_days))
        for review, given, family in waiting
    ]
    return rows, purged or 0
