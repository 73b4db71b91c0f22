"""A year of supervision history for the demo organisation (docs/rules.md).

Everyone in post with a line manager has a signed agreement with them, sessions held at about
the agreed frequency (a few early, a few late, the odd one cancelled or not attended and
rebooked), a complete record of each with its case discussions and actions, signed by both
(those of the last few days still in draft), and each record reviewing the actions of the one
before. Leavers have the same, up to their last day. A few people are deliberately behind
(`Plan`), so every status the compliance engine knows shows up on the first day: due soon,
overdue, escalated, paused by an absence, a write-up overdue, no agreement.

Rows are built through the models rather than the record services: each service commits its
own transaction and stamps today's time, while the demo is one transaction and a year long.
The domain rules still hold because the seed asks them: intervals come from the policy and
the ASYE stages, and a record is signed only when the sign-off rule finds nothing missing.
Every date counts back from the clock's today, and every choice comes from the demo's seeded
random generator, so the same day always gives the same history.
"""

from __future__ import annotations

import enum
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import TYPE_CHECKING

import sqlalchemy as sa

from supervision.agreements.models import (
    AbsenceKind,
    AbsencePeriod,
    FrequencyKind,
    SupervisionAgreement,
    SupervisionPolicy,
    SupervisionType,
)
from supervision.agreements.rules import stage_interval_days
from supervision.audit.models import AuditEvent
from supervision.audit.services import AuditAction
from supervision.clock import LONDON
from supervision.compliance.models import GapReason, OverdueExplanation
from supervision.compliance.rules import AsyeStagedRule
from supervision.compliance.working_days import add_working_days, is_working_day
from supervision.dates import add_months
from supervision.extensions import db
from supervision.org.models import CareerStage, Role, Staff
from supervision.records.models import (
    Action,
    ActionReview,
    ActionStatus,
    CancelledBy,
    CaseDiscussion,
    RecordAddendum,
    SessionAttendee,
    SessionKind,
    SessionStatus,
    SupervisionRecord,
    SupervisionSession,
)
from supervision.records.services import draft_of
from supervision.records.signoff import missing_for_sign_off

if TYPE_CHECKING:
    from supervision.demo import Demo

HISTORY_DAYS = 365


class Plan(enum.StrEnum):
    """Where a supervisee's supervision stands on the day the demo is seeded."""

    ON_TRACK = "on_track"
    DUE_SOON = "due_soon"  # due in three days
    OVERDUE = "overdue"  # due five days ago
    ESCALATED = "escalated"  # due thirty days ago: well past ten working days
    PAUSED = "paused"  # off sick, from ten days ago for a month
    WRITE_UP_OVERDUE = "write_up_overdue"  # on track, but the last session's record is unsigned
    NO_AGREEMENT = "no_agreement"  # the agreement lapsed three weeks ago; no new one made yet


# Days from the last session to today, beyond the interval, for the people who are behind.
DAYS_PAST_DUE = {Plan.DUE_SOON: -3, Plan.OVERDUE: 5, Plan.ESCALATED: 30}
WRITE_UP_HELD_DAYS_AGO = 15
SICKNESS = (-10, 20)  # the paused person's absence, in days from today
NO_AGREEMENT_ENDED_DAYS_AGO = 20
# An on-track person's next session is due at least this many days ahead: 13 calendar days
# always hold at least six working days, even across Christmas, so it is never "due soon".
ON_TRACK_MARGIN_DAYS = 13
LATE_SIGNING_CHANCE = 0.1
CANCELLED_CHANCE = 0.08
DID_NOT_ATTEND_CHANCE = 0.04
BOOKED_AHEAD_CHANCE = 0.7
LATE_SESSION_CHANCE = 0.1
LEAVER_LATE_SESSION_CHANCE = 0.35


# --- what records say: plausible, fictional, and never a child's name -------------------------

WELLBEING = (
    "Feeling settled in the team. Talked about the emotional impact of a difficult home visit and "
    "agreed to use the team's reflective space next week.",
    "Tired after a run of late visits. Discussed boundaries around working hours and taking time back.",
    "Managing well. Finds peer support in the duty rota helpful.",
    "Some anxiety about giving evidence in court; agreed a practice session with the senior practitioner.",
    "Good energy this month. Enjoying the direct work with young people.",
    "Found a disclosure last week upsetting; offered the employee assistance programme and a "
    "debrief with the team manager.",
)
WORKLOAD = (
    "{caseload} children allocated. Two new allocations agreed; one case to close after the review.",
    "{caseload} children. Capacity is tight with two reports due for conference; duty cover swapped.",
    "{caseload} children, within the agreed range. No new allocations until the assessment is done.",
    "{caseload} children. Agreed to transfer one case to the Children in Care Team after the review.",
)
LEARNING = (
    "Booked onto the court skills course. Reading on contextual safeguarding.",
    "Completed the neglect toolkit training; will use the graded care profile on one case.",
    "Shadowing a senior practitioner at an initial child protection conference.",
    "Working towards the practice educator award; first observation planned.",
    "Attended the trauma-informed practice workshop and shared learning at the team meeting.",
)
REFLECTION = (
    "Reflected on how a family's past experience of services shapes their trust in us, and how to "
    "build a working relationship without losing focus on the child.",
    "Thought about the risk of optimism when a parent engages well in meetings but little changes at home.",
    "Considered whose voice was missing from the plan and how to hear from the child directly.",
    "Discussed the tension between the timescales of the court and the pace of change for the family.",
    "Reflected on a decision made on duty and what would be done differently with hindsight.",
)
HEALTH_AND_LEAVE = (
    "Leave booked for the school holidays. No health concerns.",
    "One day's sickness this month. Lone working plan reviewed for evening visits.",
    "No leave planned. Workstation assessment done.",
    "Annual leave taken last month. Reminded to log visits on the lone working app.",
)
CASE_NOTES = (
    (
        "Referral from school about repeated absence and a younger sibling's bruising.",
        "Pattern of missed health appointments alongside the school's concerns; risk rising.",
        "Hold a strategy discussion this week and see the children at school.",
    ),
    (
        "Child in need plan reviewed; parent engaging with the parenting programme.",
        "Progress is real but recent; the home conditions have improved twice before.",
        "Continue the child in need plan for three months and review at the next meeting.",
    ),
    (
        "Young person missing from home twice this month, returning late at night.",
        "Indicators of possible exploitation; peers not known to services.",
        "Refer to the exploitation panel and complete a return home interview.",
    ),
    (
        "Care proceedings: final evidence due in four weeks.",
        "The parenting assessment is positive about one parent only.",
        "Draft the final statement and discuss the care plan with the legal team.",
    ),
    (
        "Placement stable; the child's contact with their grandparents has restarted.",
        "Contact is going well and the child asks for more.",
        "Increase contact to fortnightly and update the care plan.",
    ),
    (
        "Care leaver struggling with the tenancy and rent arrears.",
        "Budgeting support has not been taken up; the young person feels judged.",
        "Arrange a joint visit with housing and offer a setting-up-home grant.",
    ),
    (
        "Domestic abuse notification from the police; parents separated.",
        "Safety planning with the mother is in place; the father's contact is unsupervised.",
        "Update the safety plan and refer the father to the perpetrator programme.",
    ),
)
ACTIONS = (
    "Update the chronology",
    "Complete the assessment and share it with the family",
    "Book a visit to see the child alone",
    "Write the report for the review child protection conference",
    "Refer to the family support service",
    "Arrange a professionals meeting with school and health",
    "Read the research summary on neglect and bring reflections",
    "Complete the return home interview",
    "Update the pathway plan with the young person",
    "Request the health assessment",
)
CANCELLED_REASONS = (
    ("Supervisor covering duty after a sickness absence in the team", CancelledBy.SUPERVISOR),
    ("Supervisee called to an urgent visit", CancelledBy.SUPERVISEE),
    ("Supervisee giving evidence in court that day", CancelledBy.SUPERVISEE),
    ("Supervisor at an emergency strategy meeting", CancelledBy.SUPERVISOR),
    ("Room double-booked and the video link failed", CancelledBy.OTHER),
)
REVIEW_COMMENTS = {
    ActionStatus.DONE: ("Done and recorded on the case file.", "Completed before the deadline."),
    ActionStatus.CARRIED_FORWARD: ("Started; waiting for the other agency.",
                                   "Not done yet: court work took priority."),
    ActionStatus.NO_LONGER_NEEDED: ("No longer needed: the case closed.",
                                    "Overtaken by the strategy discussion."),
}  # fmt: skip
PRACTITIONER_STAGES = (CareerStage.SOCIAL_WORKER, CareerStage.SENIOR_PRACTITIONER, CareerStage.OTHER)
ASYE_NOTES = "ASYE: weekly for six weeks, fortnightly to six months, then monthly; reviews every 3 months."
PLACES = ("Room 2, County Hall", "Team room, Eastgate Centre", "Quiet room, Riverside Office")


# --- the plan ---------------------------------------------------------------------------------


@dataclass
class Supervisee:
    """One person's history as it is built: their cases, and the actions still open."""

    person: Staff
    supervisor: Staff
    plan: Plan
    until: date  # today, or the last day of a leaver
    showcase: bool = False  # the demo social worker: more actions, and leave booked at Christmas
    last_held_on: date | None = None
    cases: list[str] = field(default_factory=list)
    open_actions: list[Action] = field(default_factory=list)


@dataclass
class History:
    """The demo being built, and what can only be written once every row has its id."""

    demo: Demo
    events: list[tuple[Staff, AuditAction, object, datetime]] = field(default_factory=list)
    # (row, foreign key column, row it points at) for references without a relationship.
    links: list[tuple[object, str, object]] = field(default_factory=list)

    @property
    def rng(self) -> random.Random:
        return self.demo.rng

    def audit(self, actor: Staff, action: AuditAction, subject, at: datetime) -> None:
        self.events.append((actor, action, subject, at))

    def link(self, row, column: str, target) -> None:
        self.links.append((row, column, target))


def add_supervision_history(demo: Demo, plans: dict[str, tuple[Plan, ...]]) -> None:
    """Agreements, sessions, records and absences for everyone supervised, plus the policy.

    `plans` names, by team, the plans of the people who are behind, given in turn to the team's
    practitioners who are not newly qualified (in staff order); everyone else is on track.
    """
    db.session.add(SupervisionPolicy(organisation_id=demo.organisation.id, updated_at=demo.now))
    history = History(demo)
    demo.plans.update(assign_plans(demo, plans))
    showcase = demo.accounts.get(Role.SOCIAL_WORKER)
    for person in demo.staff:
        if person.line_manager is None:
            continue
        until = person.end_date or demo.today
        plan = demo.plans.get(person.email, Plan.ON_TRACK)
        add_person_history(
            history, Supervisee(person, person.line_manager, plan, until, showcase=person is showcase)
        )
    db.session.flush()
    for row, column, target in history.links:
        setattr(row, column, target.id)
    db.session.execute(
        sa.insert(AuditEvent),
        [
            {
                "occurred_at": at,
                "actor_id": actor.id,
                "action": str(action),
                "object_type": subject.__tablename__,
                "object_id": subject.id,
            }
            for actor, action, subject, at in sorted(history.events, key=lambda event: event[3])
        ],
    )


def assign_plans(demo: Demo, plans: dict[str, tuple[Plan, ...]]) -> dict[str, Plan]:
    assigned = {}
    for team_name, team_plans in plans.items():
        team = demo.teams[team_name]
        candidates = [
            person
            for person in demo.staff
            if person.team is team
            and person.active
            and person is not team.manager
            and person.password_hash is None
            and person.career_stage in PRACTITIONER_STAGES
        ]
        if len(candidates) < len(team_plans):
            raise ValueError(f"{team_name} has too few practitioners for its plans")
        for person, plan in zip(candidates, team_plans, strict=False):
            assigned[person.email] = plan
    return assigned


# --- one person -------------------------------------------------------------------------------


def interval_rule(person: Staff) -> Callable[[date], int]:
    """Days between sessions for a clock starting on a day: the default policy's, by career stage."""
    if person.career_stage is CareerStage.ASYE:
        return AsyeStagedRule(started_on=person.start_date).interval_on  # the defaults are the policy's
    days = stage_interval_days(person.career_stage, None)
    return lambda day: days


def last_held_on(history: History, who: Supervisee, interval_on: Callable[[date], int]) -> date:
    """The last session's date, chosen so the engine gives the person's plan on the day."""
    until, plan = who.until, who.plan
    if plan is Plan.WRITE_UP_OVERDUE:
        return working_day_before(until - timedelta(days=WRITE_UP_HELD_DAYS_AGO))
    if plan is Plan.PAUSED:
        return working_day_before(until + timedelta(days=SICKNESS[0] - 18))
    if plan is Plan.NO_AGREEMENT:
        return working_day_before(until - timedelta(days=NO_AGREEMENT_ENDED_DAYS_AGO + 12))
    interval = interval_on(until - timedelta(days=28))
    if plan in DAYS_PAST_DUE:
        held = until - timedelta(days=interval + DAYS_PAST_DUE[plan])
        return working_day_after(held) if plan is Plan.DUE_SOON else working_day_before(held)
    if who.person.end_date is not None:
        return working_day_before(until - timedelta(days=history.rng.randint(3, 20)))
    latest = max(1, interval - ON_TRACK_MARGIN_DAYS)
    held = working_day_after(until - timedelta(days=history.rng.randint(1, latest)))
    return held if held < until else working_day_before(until - timedelta(days=1))


def working_day_before(day: date) -> date:
    while not is_working_day(day):
        day -= timedelta(days=1)
    return day


def working_day_after(day: date) -> date:
    while not is_working_day(day):
        day += timedelta(days=1)
    return day


def held_dates(
    history: History, who: Supervisee, interval_on: Callable[[date], int], first: date, last: date
) -> list[date]:
    """Back from the last session at about the agreed interval: mostly a little early, sometimes late."""
    rng = history.rng
    dates = [last]
    while True:
        later = dates[-1]
        gap = interval_on(later - timedelta(days=interval_on(later)))
        # Supervision tends to slip for people who go on to leave.
        late_chance = LATE_SESSION_CHANCE if who.person.end_date is None else LEAVER_LATE_SESSION_CHANCE
        if rng.random() < late_chance:
            gap += rng.randint(2, 9)
        else:
            gap -= rng.randint(0, min(4, gap // 3))
        earlier = working_day_before(later - timedelta(days=gap))
        if earlier < first:
            return dates[::-1]
        dates.append(earlier)


def add_person_history(history: History, who: Supervisee) -> None:
    demo, rng, person = history.demo, history.rng, who.person
    interval_on = interval_rule(person)
    first = max(person.start_date + timedelta(days=7), who.until - timedelta(days=HISTORY_DAYS))
    last = who.last_held_on = last_held_on(history, who, interval_on)
    dates = held_dates(history, who, interval_on, first, last) if last >= first else []
    who.cases = [f"C-{rng.randint(10000, 99999)}" for _ in range(rng.randint(3, 6))]
    add_agreements(history, who, dates, first)
    for held_on in dates:
        rebooked_from = None
        if rng.random() < CANCELLED_CHANCE + DID_NOT_ATTEND_CHANCE and held_on > first + timedelta(days=7):
            missed = rng.random() < DID_NOT_ATTEND_CHANCE / (CANCELLED_CHANCE + DID_NOT_ATTEND_CHANCE)
            rebooked_from = add_missed_session(
                history, who, held_on - timedelta(days=rng.randint(2, 6)), missed
            )
        add_held_session(history, who, held_on, rebooked_from)
    add_absences(history, who, dates)
    if who.plan in (Plan.OVERDUE, Plan.ESCALATED):
        due = last + timedelta(days=interval_on(last))
        add_missed_session(
            history, who, working_day_before(due - timedelta(days=1)), who.plan is Plan.ESCALATED
        )
        if who.plan is Plan.ESCALATED and who.supervisor.password_hash is None:
            # Explained by its supervisor; the demo team manager still has theirs to explain.
            add_explanation(history, who, due)
    elif who.plan is not Plan.NO_AGREEMENT and person.end_date is None and rng.random() < BOOKED_AHEAD_CHANCE:
        due = last + timedelta(days=interval_on(last))
        when = max(demo.today + timedelta(days=1), due - timedelta(days=rng.randint(0, 3)))
        add_session(history, who, working_day_after(when), SessionStatus.SCHEDULED)


def add_agreements(history: History, who: Supervisee, dates: list[date], first: date) -> None:
    """The current agreement; people here longer than a year also have the one it replaced."""
    person = who.person
    ended_on = who.until if person.end_date else None
    if who.plan is Plan.NO_AGREEMENT:
        ended_on = who.until - timedelta(days=NO_AGREEMENT_ENDED_DAYS_AGO)
    renewals = [
        day for day in dates if who.until - timedelta(days=330) <= day <= who.until - timedelta(days=45)
    ]
    if person.start_date < first - timedelta(days=7) and renewals:
        renewed_on = history.rng.choice(renewals)
        earlier = max(person.start_date, add_months(renewed_on, -12))
        add_agreement(history, who, earlier, renewed_on - timedelta(days=1))
        add_agreement(history, who, renewed_on, ended_on)
    else:
        add_agreement(history, who, min([first, *dates[:1]]), ended_on)


def add_agreement(history: History, who: Supervisee, agreed_on: date, ended_on: date | None) -> None:
    person, supervisor = who.person, who.supervisor
    asye = person.career_stage is CareerStage.ASYE
    at = at_time(agreed_on, 11)
    agreement = SupervisionAgreement(
        supervisee=person,
        supervisor=supervisor,
        frequency_kind=FrequencyKind.ASYE_STAGED if asye else FrequencyKind.INTERVAL,
        asye_started_on=person.start_date if asye else None,
        minimum_duration_minutes=90 if person.career_stage is not CareerStage.MANAGER else 60,
        supervision_type=SupervisionType.INDIVIDUAL,
        notes=ASYE_NOTES if asye else "Agreed in supervision; both have a copy.",
        agreed_on=agreed_on,
        review_due_on=add_months(agreed_on, 12),
        supervisor_signed_at=at,
        supervisee_signed_at=at + timedelta(hours=2),
        ended_on=ended_on,
        created_at=at,
        updated_at=at + timedelta(hours=2),
    )
    db.session.add(agreement)
    history.link(agreement, "created_by_id", supervisor)
    history.audit(supervisor, AuditAction.CREATE, agreement, at)
    history.audit(supervisor, AuditAction.SIGN, agreement, at)
    history.audit(person, AuditAction.SIGN, agreement, at + timedelta(hours=2))


def at_time(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=LONDON).astimezone(UTC)


def add_session(
    history: History, who: Supervisee, day: date, status: SessionStatus, **fields
) -> SupervisionSession:
    rng = history.rng
    starts_at = at_time(day, rng.choice((10, 14)))
    booked_at = min(starts_at - timedelta(days=rng.randint(7, 21)), history.demo.now)
    online = rng.random() < 0.3
    session = SupervisionSession(
        supervisor=who.supervisor,
        kind=SessionKind.INDIVIDUAL,
        scheduled_start=starts_at,
        duration_minutes=90 if who.person.career_stage is not CareerStage.MANAGER else 60,
        location="" if online else rng.choice(PLACES),
        online=online,
        status=status,
        attendees=[SessionAttendee(supervisee=who.person)],
        created_at=booked_at,
        updated_at=min(starts_at + timedelta(hours=2), history.demo.now)
        if status is not SessionStatus.SCHEDULED
        else booked_at,
        **fields,
    )
    db.session.add(session)
    history.audit(who.supervisor, AuditAction.CREATE, session, booked_at)
    return session


def add_missed_session(
    history: History, who: Supervisee, day: date, did_not_attend: bool
) -> SupervisionSession:
    day = working_day_before(day)
    if did_not_attend:
        return add_session(history, who, day, SessionStatus.DID_NOT_ATTEND)
    reason, cancelled_by = history.rng.choice(CANCELLED_REASONS)
    session = add_session(
        history, who, day, SessionStatus.CANCELLED, cancelled_reason=reason, cancelled_by=cancelled_by
    )
    history.link(session, "cancelled_by_id", who.supervisor)
    return session


def add_held_session(
    history: History, who: Supervisee, held_on: date, rebooked_from: SupervisionSession | None
) -> None:
    session = add_session(history, who, held_on, SessionStatus.HELD, held_on=held_on)
    if rebooked_from is not None:
        history.link(session, "rebooked_from_id", rebooked_from)
    add_record(history, who, session)


# --- the record -------------------------------------------------------------------------------


def add_record(history: History, who: Supervisee, session: SupervisionSession) -> None:
    """The record of a held session, signed (and its reviews applied) if that has happened by now."""
    demo, rng, person = history.demo, history.rng, who.person
    held_on = session.held_on
    written_at = session.scheduled_start + timedelta(hours=3)
    record = SupervisionRecord(
        session=session,
        supervisee=person,
        agenda="Wellbeing, caseload, cases for decision, learning, actions from last time.",
        created_at=session.scheduled_start + timedelta(hours=2),
        updated_at=written_at,
    )
    record.action_reviews = [ActionReview(action=action) for action in who.open_actions]
    db.session.add(record)
    history.audit(who.supervisor, AuditAction.CREATE, record, record.created_at)

    if who.plan is Plan.WRITE_UP_OVERDUE and held_on == who.last_held_on:
        # Written up in part and never finished: the one late write-up the demo shows.
        record.wellbeing = rng.choice(WELLBEING)
        record.workload = rng.choice(WORKLOAD).format(caseload=person.caseload or 12)
        return
    write_sections(history, who, record)

    late = rng.random() < LATE_SIGNING_CHANCE and held_on < demo.today - timedelta(days=30)
    supervisor_signs = at_time(
        add_working_days(held_on, rng.randint(6, 9) if late else rng.randint(0, 4)), 16, 30
    )
    supervisee_signs = supervisor_signs + timedelta(days=rng.randint(0, 3), hours=rng.randint(0, 2))
    if supervisor_signs > demo.now:
        return  # still a draft: held in the past few days
    missing = missing_for_sign_off(draft_of(record), frozenset())
    if missing:
        raise ValueError(f"the demo would sign a record the sign-off rule refuses: {missing}")
    record.supervisor_signed_at = supervisor_signs
    record.updated_at = supervisor_signs
    history.audit(who.supervisor, AuditAction.SIGN, record, supervisor_signs)
    if supervisee_signs > demo.now:
        return
    sign_as_supervisee(history, who, record, supervisee_signs)


def write_sections(history: History, who: Supervisee, record: SupervisionRecord) -> None:
    """Every section, case discussions with decisions, reviews of last time's actions, new actions."""
    rng, person = history.rng, who.person
    held_on, at = record.session.held_on, record.updated_at
    record.wellbeing = rng.choice(WELLBEING)
    record.workload = rng.choice(WORKLOAD).format(caseload=person.caseload or rng.randint(8, 18))
    record.learning = rng.choice(LEARNING)
    record.reflection = rng.choice(REFLECTION)
    record.health_and_leave = rng.choice(HEALTH_AND_LEAVE)
    cases = []
    for reference in rng.sample(who.cases, k=min(len(who.cases), rng.randint(1, 3))):
        summary, analysis, decision = rng.choice(CASE_NOTES)
        case = CaseDiscussion(
            case_reference=reference,
            summary=summary,
            analysis=analysis,
            decision=decision,
            created_at=at,
            updated_at=at,
        )
        record.case_discussions.append(case)
        cases.append(case)
    for review in record.action_reviews:
        outcome = rng.choices(
            (ActionStatus.DONE, ActionStatus.CARRIED_FORWARD, ActionStatus.NO_LONGER_NEEDED),
            weights=(7, 2, 1),
        )[0]
        review.outcome = outcome
        review.comment = rng.choice(REVIEW_COMMENTS[outcome])
        if outcome is ActionStatus.CARRIED_FORWARD:
            review.new_due_on = held_on + timedelta(days=rng.randint(7, 21))
    new_actions = 3 if who.showcase else rng.randint(1, 2)
    for _ in range(new_actions):
        case = rng.choice(cases) if cases and rng.random() < 0.6 else None
        action = Action(
            owner=rng.choice((person, person, person, who.supervisor)),
            description=rng.choice(ACTIONS) + (f" ({case.case_reference})" if case else ""),
            due_on=held_on + timedelta(days=rng.randint(7, 28)),
            status=ActionStatus.OPEN,
            case_discussion=case,
            created_at=at,
            updated_at=at,
        )
        record.actions.append(action)
    who.open_actions = list(record.actions)


def sign_as_supervisee(history: History, who: Supervisee, record: SupervisionRecord, at: datetime) -> None:
    """Both have signed: the record locks; last time's actions close or carry forward, as in the service."""
    rng = history.rng
    record.supervisee_signed_at = record.locked_at = record.updated_at = at
    if rng.random() < 0.03:
        record.supervisee_disagrees = True
        record.supervisee_comment = (
            "I do not agree that the case is ready to step down: the school still has concerns."
        )
    elif rng.random() < 0.2:
        record.supervisee_comment = "Helpful session, thank you."
    if rng.random() < 0.6:
        for name in ("rating_helpful", "rating_reflective", "rating_safe_to_challenge"):
            setattr(record, name, rng.choices((2, 3, 4, 5), weights=(1, 3, 6, 5))[0])
        record.rated_at = at
    history.audit(who.person, AuditAction.SIGN, record, at)
    held_on = record.session.held_on
    for review in record.action_reviews:
        action = review.action
        action.status = review.outcome
        action.updated_at = at
        if review.outcome is ActionStatus.DONE:
            action.completed_on = held_on
        if review.outcome is ActionStatus.CARRIED_FORWARD:
            carried = Action(
                owner=action.owner,
                description=action.description,
                due_on=review.new_due_on or action.due_on,
                status=ActionStatus.OPEN,
                created_at=at,
                updated_at=at,
            )
            history.link(carried, "carried_from_id", action)
            record.actions.append(carried)
            who.open_actions.append(carried)
    if rng.random() < 0.02:
        addendum_at = at + timedelta(days=rng.randint(1, 5))
        if addendum_at < history.demo.now:
            record.addenda.append(
                RecordAddendum(
                    author=who.supervisor,
                    reason="The date of the conference was recorded wrongly.",
                    body="The review conference is on the 14th, not the 4th.",
                    created_at=addendum_at,
                )
            )
            history.audit(who.supervisor, AuditAction.ADDENDUM, record, addendum_at)


# --- absences and explanations ----------------------------------------------------------------


def add_absences(history: History, who: Supervisee, dates: list[date]) -> None:
    """The paused person's sickness; a past fortnight's leave for some; the demo worker's Christmas."""
    demo, rng, person = history.demo, history.rng, who.person
    spans = []
    if who.plan is Plan.PAUSED:
        spans.append(
            (
                AbsenceKind.SICKNESS,
                demo.today + timedelta(days=SICKNESS[0]),
                demo.today + timedelta(days=SICKNESS[1]),
            )
        )
    if who.showcase:
        spans.append(
            (AbsenceKind.ANNUAL_LEAVE, demo.today + timedelta(days=25), demo.today + timedelta(days=36))
        )
    if len(dates) > 6 and rng.random() < 0.25:
        # Between two sessions in the middle of the year, so it shows in the history only.
        index = rng.randint(2, len(dates) - 4)
        starts_on = dates[index] + timedelta(days=2)
        ends_on = min(starts_on + timedelta(days=rng.randint(5, 13)), dates[index + 1] - timedelta(days=1))
        if ends_on >= starts_on:
            spans.append((AbsenceKind.ANNUAL_LEAVE, starts_on, ends_on))
    for kind, starts_on, ends_on in spans:
        absence = AbsencePeriod(
            staff=person,
            kind=kind,
            starts_on=starts_on,
            ends_on=ends_on,
            created_at=min(at_time(starts_on, 9), demo.now),
        )
        db.session.add(absence)
        history.link(absence, "recorded_by_id", who.supervisor)


def add_explanation(history: History, who: Supervisee, due_on: date) -> None:
    recorded_at = min(at_time(due_on + timedelta(days=7), 12), history.demo.now)
    db.session.add(
        OverdueExplanation(
            supervisee=who.person,
            due_on=due_on,
            reason=GapReason.SUPERVISOR_ABSENT,
            details="The team manager has been off sick and the post is covered part-time.",
            cover_arranged="The senior practitioner makes case decisions meanwhile.",
            recorded_by=who.supervisor,
            recorded_at=recorded_at,
        )
    )
