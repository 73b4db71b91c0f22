"""Feeding the compliance engine from the database, set-based, and the use cases built on it.

`load_people` answers for any number of people in a fixed number of queries (one per kind of
fact, never one per person), so the team dashboard and the hourly sweep over 40,000 staff
cost the same handful of round trips.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, joinedload

from supervision.agreements.models import (
    AbsencePeriod,
    FrequencyKind,
    SupervisionAgreement,
    SupervisionPolicy,
    SupervisionType,
)
from supervision.clock import clock
from supervision.compliance import rules
from supervision.compliance.models import GapReason, OverdueExplanation
from supervision.extensions import db
from supervision.org.models import CareerStage, Staff, Team
from supervision.records.models import (
    Action,
    ActionStatus,
    SessionAttendee,
    SessionKind,
    SessionStatus,
    SupervisionRecord,
    SupervisionSession,
)

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class PendingWriteUp:
    record_id: int
    supervisor_id: int
    held_on: date


@dataclass
class PersonCompliance:
    """One person's compliance today, with the ids the jobs need to tell the right people."""

    person: Staff
    agreement: SupervisionAgreement | None
    thresholds: rules.Thresholds
    facts: rules.PersonFacts
    assessment: rules.Assessment
    pending_write_ups: list[PendingWriteUp] = field(default_factory=list)

    @property
    def status(self) -> rules.Status:
        return self.assessment.supervision.status

    @property
    def supervision(self) -> rules.SupervisionStatus:
        return self.assessment.supervision

    @property
    def supervisor_id(self) -> int | None:
        return self.agreement.supervisor_id if self.agreement else None

    @property
    def head_of_service_id(self) -> int | None:
        team = self.person.team
        return team.service.manager_id if team is not None else None


# ------------------------------------------------------------------- policy to rules


def thresholds_for(policy: SupervisionPolicy | None) -> rules.Thresholds:
    """The organisation's policy (defaults where it has none yet) plus the renewal settings."""
    config = current_app.config
    renewal = {
        "renewal_notice_days": config["RENEWAL_NOTICE_DAYS"],
        "dbs_renewal_months": config["DBS_RENEWAL_MONTHS"],
    }
    if policy is None:
        return rules.Thresholds(**renewal)
    return rules.Thresholds(
        due_soon_working_days=policy.due_soon_working_days,
        escalation_working_days=policy.escalation_working_days,
        write_up_working_days=policy.write_up_working_days,
        **renewal,
    )


POLICY_DEFAULTS = {
    column.name: column.default.arg
    for column in SupervisionPolicy.__table__.columns
    if column.default is not None and not callable(column.default.arg)
}


def _policy_value(policy: SupervisionPolicy | None, name: str):
    return getattr(policy, name) if policy is not None else POLICY_DEFAULTS[name]


def policy_interval(policy: SupervisionPolicy | None, stage: CareerStage) -> int | None:
    """The policy's interval for a career stage; None means no requirement."""
    setting = {
        CareerStage.ASYE: "interval_days_social_worker",
        CareerStage.SOCIAL_WORKER: "interval_days_social_worker",
        CareerStage.SENIOR_PRACTITIONER: "interval_days_senior_practitioner",
        CareerStage.MANAGER: "interval_days_manager",
        CareerStage.OTHER: "interval_days_other",
    }[stage]
    return _policy_value(policy, setting)


def frequency_rule(
    agreement: SupervisionAgreement, policy: SupervisionPolicy | None, stage: CareerStage
) -> rules.FrequencyRule:
    if agreement.frequency_kind is FrequencyKind.NONE:
        return None
    interval = agreement.interval_days or policy_interval(policy, stage)
    if agreement.frequency_kind is FrequencyKind.ASYE_STAGED:
        return rules.AsyeStagedRule(
            started_on=agreement.asye_started_on,
            weekly_weeks=_policy_value(policy, "asye_weekly_weeks"),
            fortnightly_until_months=_policy_value(policy, "asye_fortnightly_until_months"),
            monthly_interval_days=agreement.interval_days
            or policy_interval(policy, CareerStage.SOCIAL_WORKER),
        )
    return rules.IntervalRule(interval) if interval else None


def agreement_terms(
    agreement: SupervisionAgreement | None, policy: SupervisionPolicy | None, stage: CareerStage
) -> rules.Agreement | None:
    if agreement is None:
        return None
    return rules.Agreement(
        agreed_on=agreement.agreed_on,
        rule=frequency_rule(agreement, policy, stage),
        review_due_on=agreement.review_due_on,
        counts_group_sessions=agreement.supervision_type in (SupervisionType.GROUP, SupervisionType.MIX),
    )


# ------------------------------------------------------------------- set-based loading


def in_post_scope(today: date) -> sa.Select:
    """Everyone in post on `today`: the people the sweep looks after."""
    return sa.select(Staff.id).where(
        Staff.active.is_(True), sa.or_(Staff.end_date.is_(None), Staff.end_date >= today)
    )


def load_people(session: Session, scope: sa.Select | Iterable[int], today: date) -> list[PersonCompliance]:
    """Compliance for everyone in `scope` (a list of staff ids or a select of them), by id."""
    if not isinstance(scope, sa.Select):
        scope = sorted(set(scope))
        if not scope:
            return []
    people = list(
        session.scalars(
            sa.select(Staff)
            .where(Staff.id.in_(scope))
            .options(joinedload(Staff.team).joinedload(Team.service))
            .order_by(Staff.id)
        )
    )
    if not people:
        return []
    agreements = {
        agreement.supervisee_id: agreement
        for agreement in session.scalars(
            sa.select(SupervisionAgreement).where(
                SupervisionAgreement.ended_on.is_(None), SupervisionAgreement.supervisee_id.in_(scope)
            )
        )
    }
    organisation_ids = {person.organisation_id for person in people}
    policies = {
        policy.organisation_id: policy
        for policy in session.scalars(
            sa.select(SupervisionPolicy).where(SupervisionPolicy.organisation_id.in_(organisation_ids))
        )
    }

    # The last session of each kind is all the status needs: which kinds count is the agreement's.
    last_held: dict[int, list[rules.HeldSession]] = defaultdict(list)
    for supervisee_id, kind, held_on in session.execute(
        sa.select(
            SessionAttendee.supervisee_id, SupervisionSession.kind, sa.func.max(SupervisionSession.held_on)
        )
        .join(SupervisionSession, SupervisionSession.id == SessionAttendee.session_id)
        .where(
            SessionAttendee.supervisee_id.in_(scope),
            SupervisionSession.status == SessionStatus.HELD,
            SupervisionSession.held_on <= today,
        )
        .group_by(SessionAttendee.supervisee_id, SupervisionSession.kind)
    ):
        last_held[supervisee_id].append(rules.HeldSession(held_on, group=kind == SessionKind.GROUP))

    absences: dict[int, list[rules.AbsenceSpan]] = defaultdict(list)
    for staff_id, starts_on, ends_on in session.execute(
        sa.select(AbsencePeriod.staff_id, AbsencePeriod.starts_on, AbsencePeriod.ends_on).where(
            AbsencePeriod.staff_id.in_(scope)
        )
    ):
        absences[staff_id].append(rules.AbsenceSpan(starts_on, ends_on))

    write_ups: dict[int, list[PendingWriteUp]] = defaultdict(list)
    for record_id, supervisee_id, supervisor_id, held_on in session.execute(
        sa.select(
            SupervisionRecord.id,
            SupervisionRecord.supervisee_id,
            SupervisionSession.supervisor_id,
            SupervisionSession.held_on,
        )
        .join(SupervisionSession, SupervisionSession.id == SupervisionRecord.session_id)
        .where(
            SupervisionRecord.supervisee_id.in_(scope),
            SupervisionRecord.supervisor_signed_at.is_(None),
            SupervisionSession.status == SessionStatus.HELD,
        )
        .order_by(SupervisionRecord.id)
    ):
        write_ups[supervisee_id].append(PendingWriteUp(record_id, supervisor_id, held_on))

    overdue_actions: dict[int, list[date]] = defaultdict(list)
    for supervisee_id, due_on in session.execute(
        sa.select(SupervisionRecord.supervisee_id, Action.due_on)
        .join(SupervisionRecord, SupervisionRecord.id == Action.record_id)
        .where(
            SupervisionRecord.supervisee_id.in_(scope),
            Action.status == ActionStatus.OPEN,
            Action.due_on < today,
        )
    ):
        overdue_actions[supervisee_id].append(due_on)

    results = []
    for person in people:
        policy = policies.get(person.organisation_id)
        agreement = agreements.get(person.id)
        thresholds = thresholds_for(policy)
        facts = rules.PersonFacts(
            supervision=rules.SupervisionFacts(
                agreement=agreement_terms(agreement, policy, person.career_stage),
                held=tuple(last_held[person.id]),
                absences=tuple(absences[person.id]),
            ),
            write_ups=tuple(rules.WriteUp(w.held_on, None) for w in write_ups[person.id]),
            open_action_due_dates=tuple(overdue_actions[person.id]),
            registration_renewal_on=person.swe_renewal_date,
            dbs_checked_on=person.dbs_check_date,
        )
        results.append(
            PersonCompliance(
                person=person,
                agreement=agreement,
                thresholds=thresholds,
                facts=facts,
                assessment=rules.assess(facts, today, thresholds),
                pending_write_ups=write_ups[person.id],
            )
        )
    return results


def compliance_for(staff_ids: Iterable[int], today: date) -> dict[int, PersonCompliance]:
    """For pages: each person's compliance by staff id, so every page shows the same status."""
    return {result.person.id: result for result in load_people(db.session, staff_ids, today)}


PERIOD_BATCH = 500


def period_compliance_for(
    windows: Mapping[int, tuple[date, date]], today: date
) -> dict[int, rules.PeriodCompliance]:
    """Share of intervals met by each person in their own window (first day, last day).

    The rule is the agreement in force at the window's end (the latest made by then, ended or
    not, so leavers count too). Four queries per batch of people, never one per person.
    """
    results: dict[int, rules.PeriodCompliance] = {}
    ids = sorted(windows)
    for start in range(0, len(ids), PERIOD_BATCH):
        batch = ids[start : start + PERIOD_BATCH]
        last_day = max(windows[staff_id][1] for staff_id in batch)
        people = {p.id: p for p in db.session.scalars(sa.select(Staff).where(Staff.id.in_(batch)))}
        agreements: dict[int, list[SupervisionAgreement]] = defaultdict(list)
        for agreement in db.session.scalars(
            sa.select(SupervisionAgreement)
            .where(SupervisionAgreement.supervisee_id.in_(batch), SupervisionAgreement.agreed_on <= last_day)
            .order_by(SupervisionAgreement.agreed_on, SupervisionAgreement.id)
        ):
            agreements[agreement.supervisee_id].append(agreement)
        policies = {
            policy.organisation_id: policy
            for policy in db.session.scalars(
                sa.select(SupervisionPolicy).where(
                    SupervisionPolicy.organisation_id.in_({p.organisation_id for p in people.values()})
                )
            )
        }
        held: dict[int, list[rules.HeldSession]] = defaultdict(list)
        for supervisee_id, kind, held_on in db.session.execute(
            sa.select(SessionAttendee.supervisee_id, SupervisionSession.kind, SupervisionSession.held_on)
            .join(SupervisionSession, SupervisionSession.id == SessionAttendee.session_id)
            .where(
                SessionAttendee.supervisee_id.in_(batch),
                SupervisionSession.status == SessionStatus.HELD,
                SupervisionSession.held_on <= last_day,
            )
        ):
            held[supervisee_id].append(rules.HeldSession(held_on, group=kind == SessionKind.GROUP))
        absences: dict[int, list[rules.AbsenceSpan]] = defaultdict(list)
        for staff_id, starts_on, ends_on in db.session.execute(
            sa.select(AbsencePeriod.staff_id, AbsencePeriod.starts_on, AbsencePeriod.ends_on).where(
                AbsencePeriod.staff_id.in_(batch)
            )
        ):
            absences[staff_id].append(rules.AbsenceSpan(starts_on, ends_on))
        for staff_id in batch:
            person = people.get(staff_id)
            first_day, window_end = windows[staff_id]
            in_force = [a for a in agreements[staff_id] if a.agreed_on <= window_end]
            if person is None or not in_force:
                results[staff_id] = rules.PeriodCompliance(met=0, missed=0)
                continue
            facts = rules.SupervisionFacts(
                agreement=agreement_terms(
                    in_force[-1], policies.get(person.organisation_id), person.career_stage
                ),
                held=tuple(held[staff_id]),
                absences=tuple(absences[staff_id]),
            )
            results[staff_id] = rules.period_compliance(facts, first_day, window_end, today)
    return results


# ------------------------------------------------------------ overdue explanations


class ExplanationRefused(Exception):
    """The explanation was not recorded; `field` names the form field the message belongs to."""

    def __init__(self, message: str, field: str = "reason"):
        super().__init__(message)
        self.field = field


def explanations_of(supervisee_id: int) -> list[OverdueExplanation]:
    return list(
        db.session.scalars(
            sa.select(OverdueExplanation)
            .where(OverdueExplanation.supervisee_id == supervisee_id)
            .options(joinedload(OverdueExplanation.recorded_by))
            .order_by(OverdueExplanation.due_on.desc())
        )
    )


def explain_overdue(
    actor: Staff, supervisee: Staff, reason: GapReason, details: str, cover_arranged: str
) -> OverdueExplanation:
    """Record why supervision is overdue and what cover was arranged, once per missed due date."""
    current = compliance_for([supervisee.id], clock().today())[supervisee.id]
    if current.status not in (rules.Status.OVERDUE, rules.Status.ESCALATED):
        raise ExplanationRefused(
            f"{supervisee.name}'s supervision is not overdue, so there is no gap to explain"
        )
    if reason is GapReason.OTHER and not details:
        raise ExplanationRefused("Describe the reason", field="details")
    if not cover_arranged:
        raise ExplanationRefused(
            "Enter what cover was arranged, or say that none was", field="cover_arranged"
        )
    due_on = current.supervision.next_due_on
    already_explained = ExplanationRefused(
        f"A reason has already been recorded for the supervision due on {rules.format_date(due_on)}"
    )
    exists = sa.select(OverdueExplanation.id).where(
        OverdueExplanation.supervisee_id == supervisee.id, OverdueExplanation.due_on == due_on
    )
    if db.session.scalar(exists) is not None:
        raise already_explained
    explanation = OverdueExplanation(
        supervisee_id=supervisee.id,
        due_on=due_on,
        reason=reason,
        details=details,
        cover_arranged=cover_arranged,
        recorded_by_id=actor.id,
        recorded_at=clock().now(),
    )
    db.session.add(explanation)
    try:
        db.session.commit()
    except IntegrityError:
        # Someone else explained the same gap a moment ago.
        db.session.rollback()
        raise already_explained from None
    log.info(
        "overdue explanation recorded",
        extra={"supervisee_id": supervisee.id, "recorded_by_id": actor.id, "reason": reason.value},
    )
    return explanation
