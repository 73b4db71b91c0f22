"""Feeding the compliance engine from the database, set-based, and the use cases built on it.

`load_people` answers for any number of people in a fixed number of queries (one per kind of
fact, never one per person), so the team dashboard and the hourly sweep over 40,000 staff
cost the same handful of round trips.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import overload

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from supervision.agreements.defaults import DEFAULT_POLICY
from supervision.agreements.models import (
    AbsencePeriod,
    AsyeReview,
    FrequencyKind,
    SupervisionAgreement,
    SupervisionPolicy,
    SupervisionType,
)
from supervision.agreements.rules import effective_interval_days
from supervision.clock import clock
from supervision.compliance import rules
from supervision.compliance.models import GapReason, OverdueExplanation
from supervision.extensions import AnySession, db
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

    person: Staff | sa.Row  # a row of PERSON_COLUMNS where the caller needs no more (the sweep)
    agreement: SupervisionAgreement | sa.Row | None
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
    settings = policy or DEFAULT_POLICY
    return rules.Thresholds(
        due_soon_working_days=settings.due_soon_working_days,
        escalation_working_days=settings.escalation_working_days,
        write_up_working_days=settings.write_up_working_days,
        renewal_notice_days=config["RENEWAL_NOTICE_DAYS"],
        dbs_renewal_months=config["DBS_RENEWAL_MONTHS"],
    )


def frequency_rule(
    agreement: SupervisionAgreement | sa.Row,
    policy: SupervisionPolicy | None,
    stage: CareerStage,
    fte: Decimal,
) -> rules.FrequencyRule:
    """The engine's rule for an agreement; the interval is agreements/rules.py's."""
    interval = effective_interval_days(agreement.interval_days, agreement.frequency_kind, stage, policy, fte)
    if agreement.frequency_kind is FrequencyKind.ASYE_STAGED:
        settings = policy or DEFAULT_POLICY
        if agreement.asye_started_on is None or interval is None:  # asye_staged_has_start
            raise ValueError("an ASYE agreement has a start date and a monthly interval")
        return rules.AsyeStagedRule(
            started_on=agreement.asye_started_on,
            weekly_weeks=settings.asye_weekly_weeks,
            fortnightly_until_months=settings.asye_fortnightly_until_months,
            monthly_interval_days=interval,
        )
    return rules.IntervalRule(interval) if interval else None


@overload
def agreement_terms(
    agreement: SupervisionAgreement | sa.Row,
    policy: SupervisionPolicy | None,
    stage: CareerStage,
    fte: Decimal,
) -> rules.Agreement: ...
@overload
def agreement_terms(
    agreement: SupervisionAgreement | sa.Row | None,
    policy: SupervisionPolicy | None,
    stage: CareerStage,
    fte: Decimal,
) -> rules.Agreement | None: ...
def agreement_terms(
    agreement: SupervisionAgreement | sa.Row | None,
    policy: SupervisionPolicy | None,
    stage: CareerStage,
    fte: Decimal,
) -> rules.Agreement | None:
    """`stage` and `fte` are the supervisee's (Staff.career_stage, Staff.fte)."""
    if agreement is None:
        return None
    return rules.Agreement(
        agreed_on=agreement.agreed_on,
        rule=frequency_rule(agreement, policy, stage, fte),
        review_due_on=agreement.review_due_on,
        counts_group_sessions=agreement.supervision_type in (SupervisionType.GROUP, SupervisionType.MIX),
    )


# ------------------------------------------------------------------- set-based loading

# The status loader first looks this far back for each person's last counted session. Almost
# everyone was supervised more recently than that, so one range of the sessions index answers
# for the whole organisation; the few who were not are looked up over their whole history.
# Any value gives the same answers: it only moves work between the two queries.
RECENT_SESSION_DAYS = 90


def in_post_scope(today: date) -> sa.Select:
    """Everyone in post on `today`: the people the sweep looks after."""
    return sa.select(Staff.id).where(
        Staff.active.is_(True), sa.or_(Staff.end_date.is_(None), Staff.end_date >= today)
    )


# The organisation's supervision policy by organisation id (None where it has none yet), as a
# page that has already read it passes it on, so a request reads it once.
Policies = Mapping[int, SupervisionPolicy | None]


def load_people(
    session: AnySession,
    scope: sa.Select | Iterable[int],
    today: date,
    *,
    people: Mapping[int, Staff] | None = None,
    policies: Policies | None = None,
) -> list[PersonCompliance]:
    """Compliance for everyone in `scope` (a list of staff ids or a select of them), by id, with
    their Staff (team and service loaded) and current agreement, for pages and messages.

    A page that has already read the people (`people`, by id, with their team and service) or
    their organisation's policy (`policies`) passes them, and they are not read again."""
    found = _normalised(scope)
    if found is None:
        return []
    scope = found
    if people is None:
        people = {
            person.id: person
            for person in session.scalars(
                sa.select(Staff)
                .where(Staff.id.in_(scope))
                .options(joinedload(Staff.team).joinedload(Team.service))
                .order_by(Staff.id)
            )
        }
    agreements = {
        agreement.supervisee_id: agreement
        for agreement in session.scalars(
            sa.select(SupervisionAgreement).where(
                SupervisionAgreement.ended_on.is_(None), SupervisionAgreement.supervisee_id.in_(scope)
            )
        )
    }
    return list(assess_people(session, scope, today, people, agreements, policies))


PERSON_COLUMNS = (
    Staff.id,
    Staff.organisation_id,
    Staff.career_stage,
    Staff.fte,
    Staff.swe_renewal_date,
    Staff.dbs_check_date,
)
# What agreement_terms reads; a row of these columns serves it as well as the ORM object.
AGREEMENT_TERMS_COLUMNS = (
    SupervisionAgreement.agreed_on,
    SupervisionAgreement.review_due_on,
    SupervisionAgreement.frequency_kind,
    SupervisionAgreement.interval_days,
    SupervisionAgreement.asye_started_on,
    SupervisionAgreement.supervision_type,
)
AGREEMENT_COLUMNS = (
    SupervisionAgreement.id,
    SupervisionAgreement.supervisee_id,
    SupervisionAgreement.supervisor_id,
    *AGREEMENT_TERMS_COLUMNS,
)


def assess_people(
    session: AnySession,
    scope: sa.Select | Iterable[int],
    today: date,
    people: Mapping[int, Staff | sa.Row] | None = None,
    agreements: Mapping[int, SupervisionAgreement | sa.Row] | None = None,
    policies: Policies | None = None,
) -> Iterator[PersonCompliance]:
    """Compliance for everyone in `scope` by id, in a fixed number of statements whatever its size.

    `people` and `agreements` may come as ORM objects (pages show them); the sweep, which only
    needs their dates, lets this read them as plain rows, which is several times cheaper. The
    statements run at once; each person is assessed as the caller gets to them, so a caller
    working in batches never holds every assessment at the same time.
    """
    found = _normalised(scope)
    if found is None:
        return iter(())
    scope = found
    if people is None:
        people = {
            row.id: row for row in session.execute(sa.select(*PERSON_COLUMNS).where(Staff.id.in_(scope)))
        }
    if agreements is None:
        agreements = {
            row.supervisee_id: row
            for row in session.execute(
                sa.select(*AGREEMENT_COLUMNS).where(
                    SupervisionAgreement.ended_on.is_(None), SupervisionAgreement.supervisee_id.in_(scope)
                )
            )
        }
    if not people:
        return iter(())
    if policies is None:
        policies = _policies(session, {person.organisation_id for person in people.values()})
    thresholds = {organisation_id: thresholds_for(policy) for organisation_id, policy in policies.items()}
    default_thresholds = thresholds_for(None)
    terms = {
        staff_id: agreement_terms(
            agreements.get(staff_id), policies.get(person.organisation_id), person.career_stage, person.fte
        )
        for staff_id, person in people.items()
    }
    earlier = _earlier_agreements(session, scope, people, policies)
    timelines = {
        staff_id: rules.SupervisionFacts(terms[staff_id], earlier=tuple(earlier.get(staff_id, ()))).timeline
        for staff_id in people
        if terms[staff_id] is not None  # without a current agreement no session counts
    }
    held, looked_back = _last_held(session, scope, today, timelines)
    asye_starts = {
        staff_id: agreement.asye_started_on
        for staff_id, agreement in agreements.items()
        if staff_id in people
        and agreement.frequency_kind is FrequencyKind.ASYE_STAGED
        and agreement.asye_started_on is not None  # always, by asye_staged_has_start
    }
    # The ASYE reviews' due dates count absences from the ASYE's start: theirs are read in full.
    absences = _absences(
        session, scope, today - timedelta(days=RECENT_SESSION_DAYS), sorted({*looked_back, *asye_starts})
    )
    asye = _asye_facts(session, asye_starts)
    write_ups = _pending_write_ups(session, scope)
    overdue_actions = _overdue_action_dates(session, scope, today)

    return (
        _assessed(
            person,
            agreements.get(staff_id),
            thresholds.get(person.organisation_id, default_thresholds),
            rules.PersonFacts(
                supervision=rules.SupervisionFacts(
                    agreement=terms[staff_id],
                    held=tuple(held.get(staff_id, ())),
                    absences=tuple(absences.get(staff_id, ())),
                    earlier=tuple(earlier.get(staff_id, ())),
                ),
                write_ups=tuple(rules.WriteUp(w.held_on, None) for w in write_ups.get(staff_id, ())),
                open_action_due_dates=tuple(overdue_actions.get(staff_id, ())),
                registration_renewal_on=person.swe_renewal_date,
                dbs_checked_on=person.dbs_check_date,
                asye=asye.get(staff_id),
            ),
            write_ups.get(staff_id, []),
            today,
        )
        for staff_id, person in sorted(people.items())
    )


def _assessed(
    person: Staff | sa.Row,
    agreement: SupervisionAgreement | sa.Row | None,
    thresholds: rules.Thresholds,
    facts: rules.PersonFacts,
    pending: list[PendingWriteUp],
    today: date,
) -> PersonCompliance:
    return PersonCompliance(
        person=person,
        agreement=agreement,
        thresholds=thresholds,
        facts=facts,
        assessment=rules.assess(facts, today, thresholds),
        pending_write_ups=pending,
    )


def _policies(session: AnySession, organisation_ids: set[int]) -> dict[int, SupervisionPolicy | None]:
    """The supervision policy of each organisation that has one, in one statement."""
    return {
        policy.organisation_id: policy
        for policy in session.scalars(
            sa.select(SupervisionPolicy).where(SupervisionPolicy.organisation_id.in_(organisation_ids))
        )
    }


def _normalised(scope: sa.Select | Iterable[int]) -> sa.Select | list[int] | None:
    """A select stays a select; ids become a sorted list; None when there is nobody."""
    if isinstance(scope, sa.Select):
        return scope
    ids = sorted(set(scope))
    return ids or None


def _earlier_agreements(
    session: AnySession,
    scope: sa.Select | list[int],
    people: Mapping[int, Staff | sa.Row],
    policies: Policies,
) -> dict[int, list[rules.AgreementPeriod]]:
    """Each person's ended agreements: renewing or replacing an agreement never restarts the
    clock, so when it started and the frequency of the running interval may be theirs."""
    earlier: dict[int, list[rules.AgreementPeriod]] = defaultdict(list)
    for row in session.execute(
        sa.select(SupervisionAgreement.supervisee_id, SupervisionAgreement.ended_on, *AGREEMENT_TERMS_COLUMNS)
        .where(SupervisionAgreement.ended_on.is_not(None), SupervisionAgreement.supervisee_id.in_(scope))
        .order_by(SupervisionAgreement.agreed_on, SupervisionAgreement.id)
    ):
        person = people.get(row.supervisee_id)
        if person is not None:
            terms = agreement_terms(
                row, policies.get(person.organisation_id), person.career_stage, person.fte
            )
            earlier[row.supervisee_id].append(rules.AgreementPeriod(terms, row.ended_on))
    return earlier


def _last_of_each_kind(scope: sa.Select | list[int], today: date) -> sa.Select:
    """The last session held of each kind, per person: which kinds count is the agreement's."""
    return (
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
    )


def _last_held(
    session: AnySession,
    scope: sa.Select | list[int],
    today: date,
    timelines: Mapping[int, tuple[rules.AgreementPeriod, ...]],
) -> tuple[dict[int, list[rules.HeldSession]], list[int]]:
    """Each person's last session of each kind, and the ids of those looked up over all history.

    The status only needs the last counted session. Where one was held in the last
    RECENT_SESSION_DAYS it is the last of all, and the recent range of the sessions index finds it
    for everyone at once; anyone else with an agreement is looked up over their whole history,
    by id (without an agreement no session counts). A page's list of ids goes straight to the
    look-up: for a handful of people it is the smaller read. One statement for a list, two for
    a select, whatever the number of people.
    """
    held: dict[int, list[rules.HeldSession]] = defaultdict(list)
    if isinstance(scope, sa.Select):
        since = today - timedelta(days=RECENT_SESSION_DAYS)
        for supervisee_id, kind, held_on in session.execute(
            _last_of_each_kind(scope, today).where(SupervisionSession.held_on >= since)
        ):
            held[supervisee_id].append(rules.HeldSession(held_on, group=kind == SessionKind.GROUP))
    looked_back = sorted(
        staff_id
        for staff_id, timeline in timelines.items()
        if timeline and not rules.counted_dates(timeline, held.get(staff_id, ()), today)
    )
    for staff_id in looked_back:
        held.pop(staff_id, None)

    def last_of_kind(kind: SessionKind) -> sa.ScalarSelect:
        # Correlated per person, so each is a walk of one person's sessions by index; a join
        # over the same people makes PostgreSQL hash every session in the organisation.
        return (
            sa.select(sa.func.max(SupervisionSession.held_on))
            .join(SessionAttendee, SessionAttendee.session_id == SupervisionSession.id)
            .where(
                SessionAttendee.supervisee_id == Staff.id,
                SupervisionSession.status == SessionStatus.HELD,
                SupervisionSession.kind == kind,
                SupervisionSession.held_on <= today,
            )
            .scalar_subquery()
        )

    for staff_id, individual, group in session.execute(
        sa.select(Staff.id, last_of_kind(SessionKind.INDIVIDUAL), last_of_kind(SessionKind.GROUP)).where(
            Staff.id.in_(looked_back)
        )
    ):
        for held_on, is_group in ((individual, False), (group, True)):
            if held_on is not None:
                held[staff_id].append(rules.HeldSession(held_on, group=is_group))
    return held, looked_back


def _asye_facts(session: AnySession, asye_starts: Mapping[int, date]) -> dict[int, rules.AsyeFacts]:
    """Each ASYE's start and the reviews held since, in one statement (none without an ASYE)."""
    if not asye_starts:
        return {}
    held: dict[int, list[tuple]] = defaultdict(list)
    for supervisee_id, stage, held_on in session.execute(
        sa.select(AsyeReview.supervisee_id, AsyeReview.stage, AsyeReview.held_on).where(
            AsyeReview.supervisee_id.in_(sorted(asye_starts))
        )
    ):
        if held_on >= asye_starts[supervisee_id]:
            held[supervisee_id].append((stage, held_on))
    return {
        staff_id: rules.AsyeFacts(started_on, tuple(held.get(staff_id, ())))
        for staff_id, started_on in asye_starts.items()
    }


def _absences(
    session: AnySession, scope: sa.Select | list[int], since: date, looked_back: list[int]
) -> dict[int, list[rules.AbsenceSpan]]:
    """Absences that can still move a due date: those ending on or after `since` (every
    interval still open started at a session after it), and all of the people looked up
    over their whole history (and of those in their ASYE, whose reviews count from its start)."""
    absences: dict[int, list[rules.AbsenceSpan]] = defaultdict(list)
    for staff_id, starts_on, ends_on in session.execute(
        sa.select(AbsencePeriod.staff_id, AbsencePeriod.starts_on, AbsencePeriod.ends_on).where(
            AbsencePeriod.staff_id.in_(scope),
            sa.or_(AbsencePeriod.ends_on >= since, AbsencePeriod.staff_id.in_(looked_back)),
        )
    ):
        absences[staff_id].append(rules.AbsenceSpan(starts_on, ends_on))
    return absences


def _pending_write_ups(session: AnySession, scope: sa.Select | list[int]) -> dict[int, list[PendingWriteUp]]:
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
        if held_on is not None:  # a held session has its date (held_has_date)
            write_ups[supervisee_id].append(PendingWriteUp(record_id, supervisor_id, held_on))
    return write_ups


def _overdue_action_dates(
    session: AnySession, scope: sa.Select | list[int], today: date
) -> dict[int, list[date]]:
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
    return overdue_actions


@dataclass(frozen=True)
class AsyeProgress:
    """Where one person's ASYE reviews stand: for the pages that list ASYEs, not whole compliance."""

    person_id: int
    team_id: int | None
    supervisor_id: int
    reviews: tuple[rules.AsyeReviewDue, ...]

    @property
    def next_review(self) -> rules.AsyeReviewDue | None:
        return next((review for review in self.reviews if review.held_on is None), None)

    @property
    def needs_attention(self) -> bool:
        return self.next_review is not None and self.next_review.state.needs_attention

    @property
    def overdue(self) -> bool:
        return self.next_review is not None and self.next_review.state is rules.ReviewState.OVERDUE


def asye_progress_for(
    session: AnySession, scope: sa.Select | Iterable[int], today: date, policies: Policies | None = None
) -> dict[int, AsyeProgress]:
    """Each person in `scope` whose current agreement is the ASYE's, with their reviews' due dates
    and states: the same rule and facts as the compliance engine's assessment (`rules.asye_reviews`),
    in four statements whatever the number of people (three when the caller passes the
    organisation's `policies`, already read)."""
    found = _normalised(scope)
    if found is None:
        return {}
    scope = found
    agreements = session.execute(
        sa.select(
            SupervisionAgreement.supervisee_id,
            SupervisionAgreement.supervisor_id,
            SupervisionAgreement.asye_started_on,
            Staff.team_id,
            Staff.organisation_id,
        )
        .join(Staff, Staff.id == SupervisionAgreement.supervisee_id)
        .where(
            SupervisionAgreement.ended_on.is_(None),
            SupervisionAgreement.frequency_kind == FrequencyKind.ASYE_STAGED,
            SupervisionAgreement.supervisee_id.in_(scope),
        )
    ).all()
    if not agreements:
        return {}
    starts = {row.supervisee_id: row.asye_started_on for row in agreements}
    facts = _asye_facts(session, starts)
    absences: dict[int, list[rules.AbsenceSpan]] = defaultdict(list)
    add_absences(
        absences,
        session.execute(
            sa.select(AbsencePeriod.staff_id, AbsencePeriod.starts_on, AbsencePeriod.ends_on).where(
                AbsencePeriod.staff_id.in_(sorted(starts))
            )
        ),
    )
    if policies is None:
        policies = _policies(session, {row.organisation_id for row in agreements})
    return {
        row.supervisee_id: AsyeProgress(
            row.supervisee_id,
            row.team_id,
            row.supervisor_id,
            rules.asye_reviews(
                facts[row.supervisee_id],
                absences.get(row.supervisee_id, ()),
                today,
                thresholds_for(policies.get(row.organisation_id)),
            ),
        )
        for row in agreements
    }


def compliance_for(
    staff_ids: Iterable[int], today: date, policies: Policies | None = None
) -> dict[int, PersonCompliance]:
    """For pages: each person's compliance by staff id, so every page shows the same status
    (`policies`: their organisation's, when the page has already read it)."""
    return {
        result.person.id: result for result in load_people(db.session, staff_ids, today, policies=policies)
    }


PERIOD_BATCH = 500


def period_compliance_for(
    windows: Mapping[int, tuple[date, date]], today: date
) -> dict[int, rules.PeriodCompliance]:
    """Share of intervals met on time by each person in their own window (first day, last day).

    The compliance engine's intervals of every agreement the person had by the window's end,
    each while in force (rules.outcomes_over), so leavers count too. Intervals restart at every
    session, so the last counted session before a window is all of the past that matters:
    sessions are read from a short lead before each window, and only people with none in the
    lead have the last of each kind before it looked up. A fixed number of statements for
    everyone (the windows go into a temporary table), plus two per `PERIOD_BATCH` people who
    had no session in the lead.
    """
    if not windows:
        return {}
    # The windows table lives on a connection of its own, closed (so rolled back) when done:
    # on SQLite writing even a temporary table opens a transaction that would otherwise stay
    # open in the caller's session and keep other writers out.
    with db.engine.connect() as connection:
        fill_period_windows(connection, windows)
        timelines = timelines_in_windows(connection)
        held: dict[int, list[rules.HeldSession]] = defaultdict(list)
        absences: dict[int, list[rules.AbsenceSpan]] = defaultdict(list)
        first_read = min(first_day for first_day, _ in windows.values()) - SESSIONS_LEAD
        last_read = min(today, max(last_day for _, last_day in windows.values()))
        add_held(held, connection.execute(sessions_held_in_windows(first_read, last_read)))
        add_absences(
            absences,
            connection.execute(absences_in_windows(AbsencePeriod.ends_on >= PERIOD_WINDOW.c.read_from)),
        )

        def needs_earlier(staff_id: int) -> bool:
            # A run of agreements that began before the lead, with no session counted in the lead.
            first_day = windows[staff_id][0]
            timeline = timelines[staff_id]
            return any(
                run.starts_on < first_day - SESSIONS_LEAD for run in rules.requirement_runs(timeline)
            ) and not rules.counted_dates(timeline, held[staff_id], first_day - rules.ONE_DAY)

        unsupervised_in_lead = sorted(staff_id for staff_id in timelines if needs_earlier(staff_id))
        for start in range(0, len(unsupervised_in_lead), PERIOD_BATCH):
            batch = unsupervised_in_lead[start : start + PERIOD_BATCH]
            add_held(held, connection.execute(last_sessions_before_lead(batch, today)))
            add_absences(
                absences,
                connection.execute(
                    absences_in_windows(
                        PERIOD_WINDOW.c.staff_id.in_(batch), AbsencePeriod.ends_on < PERIOD_WINDOW.c.read_from
                    )
                ),
            )

    no_agreement = rules.PeriodCompliance(met=0, missed=0)
    return {
        staff_id: rules.period_compliance(
            rules.SupervisionFacts(
                None, tuple(held[staff_id]), tuple(absences[staff_id]), earlier=timelines[staff_id]
            ),
            first_day,
            last_day,
            today,
        )
        if staff_id in timelines
        else no_agreement
        for staff_id, (first_day, last_day) in windows.items()
    }


# How long before each window its sessions are read: most people have one in that time.
SESSIONS_LEAD = 62 * rules.ONE_DAY

# Each person's window and the day their sessions and absences are read from, for one statement.
PERIOD_WINDOW = sa.Table(
    "period_window",
    sa.MetaData(),
    sa.Column("staff_id", sa.Integer, primary_key=True),
    sa.Column("read_from", sa.Date, nullable=False),
    sa.Column("first_day", sa.Date, nullable=False),
    sa.Column("last_day", sa.Date, nullable=False),
    prefixes=["TEMPORARY"],
)


def fill_period_windows(connection: sa.Connection, windows: Mapping[int, tuple[date, date]]) -> None:
    """The windows, in a temporary table of this connection's own (dropped once read).

    A temporary table rather than a VALUES list, which SQLite cannot join by column names. On
    SQLite one left behind by a failed request outlives the rollback: it is emptied first.
    """
    PERIOD_WINDOW.create(connection, checkfirst=True)
    connection.execute(PERIOD_WINDOW.delete())
    connection.execute(
        PERIOD_WINDOW.insert(),
        [
            {"staff_id": staff_id, "read_from": first - SESSIONS_LEAD, "first_day": first, "last_day": last}
            for staff_id, (first, last) in windows.items()
        ],
    )
    # Statistics, so that the planner knows how many people it joins (the same words on both).
    if connection.dialect.name == "postgresql":
        connection.execute(sa.text("ANALYZE period_window"))


def timelines_in_windows(connection: sa.Connection) -> dict[int, tuple[rules.AgreementPeriod, ...]]:
    """Every agreement each person had made by their window's end, in the order made."""
    rows = connection.execute(
        sa.select(
            SupervisionAgreement.supervisee_id,
            SupervisionAgreement.ended_on,
            *AGREEMENT_TERMS_COLUMNS,
            Staff.organisation_id,
            Staff.career_stage,
            Staff.fte,
        )
        .join(
            PERIOD_WINDOW,
            sa.and_(
                PERIOD_WINDOW.c.staff_id == SupervisionAgreement.supervisee_id,
                SupervisionAgreement.agreed_on <= PERIOD_WINDOW.c.last_day,
            ),
        )
        .join(Staff, Staff.id == SupervisionAgreement.supervisee_id)
        .order_by(SupervisionAgreement.supervisee_id, SupervisionAgreement.agreed_on, SupervisionAgreement.id)
    ).all()
    policies = _policies(db.session, {row.organisation_id for row in rows})
    timelines: dict[int, list[rules.AgreementPeriod]] = defaultdict(list)
    # A row has the agreement's columns by name, which is all agreement_terms reads.
    for row in rows:
        terms = agreement_terms(row, policies.get(row.organisation_id), row.career_stage, row.fte)
        timelines[row.supervisee_id].append(rules.AgreementPeriod(terms, row.ended_on))
    return {staff_id: tuple(timeline) for staff_id, timeline in timelines.items()}


def _held_sessions() -> sa.Select:
    """Held sessions of the people in the windows table, by their attendance."""
    return (
        sa.select(PERIOD_WINDOW.c.staff_id)
        .select_from(SupervisionSession)
        .join(SessionAttendee, SessionAttendee.session_id == SupervisionSession.id)
        .join(PERIOD_WINDOW, PERIOD_WINDOW.c.staff_id == SessionAttendee.supervisee_id)
        .where(SupervisionSession.status == SessionStatus.HELD)
    )


def sessions_held_in_windows(first_read: date, last_read: date) -> sa.Select:
    """Sessions held from each person's `read_from` to their window's end (and today)."""
    return (
        _held_sessions()
        .add_columns(SupervisionSession.held_on, SupervisionSession.kind == SessionKind.GROUP)
        .where(
            # The bounds of everyone's, as constants, let the database use its index on held_on.
            SupervisionSession.held_on.between(first_read, last_read),
            SupervisionSession.held_on.between(PERIOD_WINDOW.c.read_from, PERIOD_WINDOW.c.last_day),
        )
    )


def last_sessions_before_lead(staff_ids: list[int], today: date) -> sa.Select:
    """The last session of each kind each person held before their `read_from`."""
    return (
        _held_sessions()
        .add_columns(sa.func.max(SupervisionSession.held_on), SupervisionSession.kind == SessionKind.GROUP)
        .where(
            PERIOD_WINDOW.c.staff_id.in_(staff_ids),
            SupervisionSession.held_on < PERIOD_WINDOW.c.read_from,
            SupervisionSession.held_on <= today,
        )
        .group_by(PERIOD_WINDOW.c.staff_id, SupervisionSession.kind)
    )


def absences_in_windows(*conditions: sa.ColumnElement[bool]) -> sa.Select:
    """Absences that start by the end of each person's window and meet `conditions`."""
    return (
        sa.select(PERIOD_WINDOW.c.staff_id, AbsencePeriod.starts_on, AbsencePeriod.ends_on)
        .join(PERIOD_WINDOW, PERIOD_WINDOW.c.staff_id == AbsencePeriod.staff_id)
        .where(AbsencePeriod.starts_on <= PERIOD_WINDOW.c.last_day, *conditions)
    )


def add_held(held: dict[int, list[rules.HeldSession]], result: sa.Result) -> None:
    """Sessions by person, fetched all at once: row by row, half a million rows cost seconds.

    Thousands of people share each date, so they share one (immutable) HeldSession too.
    """
    shared: dict[tuple[date, bool], rules.HeldSession] = {}
    for staff_id, held_on, group in result.all():
        key = (held_on, bool(group))
        session = shared.get(key)
        if session is None:
            session = shared[key] = rules.HeldSession(held_on, group=key[1])
        held[staff_id].append(session)


def add_absences(absences: dict[int, list[rules.AbsenceSpan]], result: sa.Result) -> None:
    for staff_id, starts_on, ends_on in result.all():
        absences[staff_id].append(rules.AbsenceSpan(starts_on, ends_on))


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
    if due_on is None:  # overdue, so it has a due date
        raise ValueError("an overdue status with no due date")
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
