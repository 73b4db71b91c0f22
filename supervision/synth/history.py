"""The one supervision history generator: the demo's year and a national organisation's years.

For each person supervised it writes agreements renewed every year, sessions held at about the
agreed frequency (a few early, a few late, the odd one cancelled or not attended and rebooked),
a record of each with case discussions and actions, signed by both (the last few days' still in
draft) and reviewing the actions of the one before, leave between sessions, a session booked
ahead, and an ASYE's progress reviews. Where the person stands on the day is their `Plan`,
worked back from the day: the demo names whose plan is which (supervision/demo.py), a national
organisation draws them at random. How tidy the rest is comes from a `Style`: the demo's is
tidy, so every status the compliance engine finds is one it planned; a national one is as untidy
as real life.

Rows are plain tuples in the column order of `COLUMNS`, so the loader (load.py) can stream
millions of them. Ids are handed out here, in an order that keeps every foreign key pointing at
a row written earlier. Every choice comes from one seeded generator and every date counts back
from the clock's today, so the same seed on the same day gives the same history.
"""

from __future__ import annotations

import enum
import random
from bisect import bisect
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from functools import cache
from itertools import pairwise

from supervision.agreements.asye import AsyeStage
from supervision.agreements.defaults import DEFAULT_POLICY
from supervision.agreements.models import AbsenceKind, FrequencyKind, SupervisionType
from supervision.agreements.rules import stage_interval_days
from supervision.audit.services import AuditAction
from supervision.clock import LONDON
from supervision.compliance import rules
from supervision.compliance.models import GapReason
from supervision.compliance.working_days import add_working_days, is_working_day
from supervision.dates import add_months
from supervision.org.models import CareerStage
from supervision.records.models import ActionStatus, CancelledBy, SessionKind, SessionStatus
from supervision.reports.models import Answer, Grade
from supervision.synth.plan import Person, PlannedOrganisation, Team

ONE_DAY, WEEK, HOURS_2 = timedelta(days=1), timedelta(days=7), timedelta(hours=2)
COLUMNS: dict[str, tuple[str, ...]] = {
    "organisation": ("id", "name"),
    "supervision_policy": (
        "id", "organisation_id", "asye_weekly_weeks", "asye_fortnightly_until_months",
        "interval_days_social_worker", "interval_days_senior_practitioner", "interval_days_manager",
        "interval_days_other", "minimum_duration_minutes", "pro_rata_part_time", "due_soon_working_days",
        "escalation_working_days", "write_up_working_days", "agreement_review_months", "optional_sections",
        "version", "updated_at",
    ),
    "service": ("id", "organisation_id", "name", "manager_id"),
    "team": ("id", "service_id", "name", "establishment_fte", "manager_id"),
    "staff": (
        "id", "organisation_id", "email", "employee_number", "given_name", "family_name", "job_title",
        "career_stage", "registered_social_worker", "swe_registration_number", "swe_renewal_date",
        "dbs_check_date", "contract_type", "fte", "caseload", "start_date", "end_date", "leaving_reason",
        "leaving_destination", "team_id", "line_manager_id", "active",
        "created_at", "updated_at",
    ),
    "staff_role": ("staff_id", "role"),
    "supervision_agreement": (
        "id", "supervisee_id", "supervisor_id", "frequency_kind", "interval_days", "asye_started_on",
        "minimum_duration_minutes", "supervision_type", "notes", "agreed_on", "review_due_on",
        "supervisor_signed_at", "supervisee_signed_at", "ended_on", "created_by_id", "version",
        "created_at", "updated_at",
    ),
    "absence_period": ("id", "staff_id", "kind", "starts_on", "ends_on", "recorded_by_id", "created_at"),
    "asye_review": (
        "id", "supervisee_id", "stage", "held_on", "outcome", "participants", "notes", "recorded_by_id",
        "created_at",
    ),
    "supervision_session": (
        "id", "supervisor_id", "kind", "scheduled_start", "duration_minutes", "location", "online",
        "status", "held_on", "cancelled_reason", "cancelled_by", "cancelled_by_id", "rebooked_from_id",
        "version", "created_at", "updated_at",
    ),
    "session_attendee": ("id", "session_id", "supervisee_id"),
    "supervision_record": (
        "id", "session_id", "supervisee_id", "agenda", "wellbeing", "workload", "learning", "reflection",
        "health_and_leave", "supervisor_signed_at", "supervisee_signed_at", "supervisee_comment",
        "supervisee_disagrees", "locked_at", "rating_helpful", "rating_reflective",
        "rating_safe_to_challenge", "rated_at", "version", "created_at", "updated_at",
    ),
    "case_discussion": (
        "id", "record_id", "case_reference", "held_on", "summary", "analysis", "decision", "created_at",
        "updated_at",
    ),
    "supervision_action": (
        "id", "record_id", "case_discussion_id", "owner_id", "description", "due_on", "status",
        "completed_on", "carried_from_id", "created_at", "updated_at",
    ),
    "action_review": ("id", "record_id", "action_id", "outcome", "comment", "new_due_on"),
    "record_addendum": ("id", "record_id", "author_id", "reason", "body", "created_at"),
    "quality_audit": (
        "id", "record_id", "auditor_id", "audited_at", "agreement_on_file", "frequency_met", "agenda_set",
        "previous_actions_reviewed", "reflection_evident", "decisions_recorded", "both_signed", "grade",
        "comments",
    ),
    "overdue_explanation": (
        "id", "supervisee_id", "due_on", "reason", "details", "cover_arranged", "recorded_by_id",
        "recorded_at",
    ),
    "audit_event": ("id", "occurred_at", "actor_id", "action", "object_type", "object_id"),
}  # fmt: skip
HISTORY_TABLES = tuple(COLUMNS)[6:]
# The organisation gets the default policy (agreements/defaults.py); the sessions try to meet it.
POLICY_ROW = (
    1, 1, *(getattr(DEFAULT_POLICY, name) for name in COLUMNS["supervision_policy"][2:-2]), 1,
)  # fmt: skip


class Plan(enum.StrEnum):
    """Where a supervisee's supervision stands on the day the history ends (today)."""

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


@dataclass(frozen=True)
class Style:
    """How untidy a history is, as chances; the demo's plans say who is behind, a national one draws."""

    plans: dict[Plan, float] = field(default_factory=dict)  # for people in post; the rest are on track
    late_session: float = 0.1  # later than agreed (the rest a little early)
    leaver_late_session: float = 0.35  # supervision tends to slip for people who go on to leave
    cancelled: float = 0.08
    did_not_attend: float = 0.04
    booked_ahead: float = 0.7
    late_signing: float = 0.1  # six to nine working days after the session
    never_written_up: float = 0.0
    leave_between_sessions: float = 0.02
    mixed_supervision: float = 0.0  # individual and group sessions agreed
    shorter_interval: float = 0.0  # an agreement asks for supervision every three weeks
    review_overdue: float = 0.0  # the agreement's yearly review has not happened
    quality_audit: float = 0.0
    explained: float = 0.5  # an overdue person's supervisor has recorded why
    asye_review_late: float = 0.0  # an ASYE progress review held after it was due
    asye_review_missed: float = 0.0  # one fallen due and never recorded: overdue today
    new_actions: tuple[int, int] = (1, 2)  # agreed at each session (the showcase: three)
    audit_trail: bool = False  # the audit log's entries for what was created and signed


DEMO = Style(audit_trail=True)
NATIONAL = Style(
    plans={Plan.DUE_SOON: 0.03, Plan.OVERDUE: 0.04, Plan.ESCALATED: 0.04, Plan.PAUSED: 0.01,
           Plan.WRITE_UP_OVERDUE: 0.01, Plan.NO_AGREEMENT: 0.01},
    late_session=0.12, booked_ahead=0.9, late_signing=0.12, never_written_up=0.003,
    leave_between_sessions=0.12, mixed_supervision=0.25, shorter_interval=0.05, review_overdue=0.05,
    quality_audit=0.015, new_actions=(0, 2), asye_review_late=0.15, asye_review_missed=0.05,
)  # fmt: skip


# --- what records say: plausible, fictional, and never a child's name -------------------------

AGENDA = "Wellbeing, caseload, cases for decision, learning, actions from last time."
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
GROUP_WELLBEING = "Group supervision: shared learning from a recent case."
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
REVIEW_OUTCOMES = (ActionStatus.DONE, ActionStatus.CARRIED_FORWARD, ActionStatus.NO_LONGER_NEEDED)
REVIEW_COMMENTS = {
    ActionStatus.DONE: ("Done and recorded on the case file.", "Completed before the deadline."),
    ActionStatus.CARRIED_FORWARD: ("Started; waiting for the other agency.",
                                   "Not done yet: court work took priority."),
    ActionStatus.NO_LONGER_NEEDED: ("No longer needed: the case closed.",
                                    "Overtaken by the strategy discussion."),
}  # fmt: skip
ASYE_NOTES = "ASYE: weekly for six weeks, fortnightly to six months, then monthly; reviews every 3 months."
# Held this many days before its due date, when on time (the demo's: a week).
ASYE_REVIEW_DAYS_EARLY = (0, 14)
ASYE_PARTICIPANTS = "Supervisor, ASYE assessor\nNewly qualified social worker\nPractice educator"
# Cumulative weights of each stage's outcomes, in the order of `AsyeStage.outcomes`.
ASYE_OUTCOME_WEIGHTS = {AsyeStage.THREE_MONTH: (80, 95, 100), AsyeStage.SIX_MONTH: (75, 93, 100),
                        AsyeStage.FINAL: (90, 93, 100)}  # fmt: skip
PLACES = ("Room 2, County Hall", "Team room, Eastgate Centre", "Quiet room, Riverside Office")


class QuickRandom(random.Random):
    """`randint` and `choice` from one float each: several times faster than the exact methods,
    and random enough for made-up data at millions of rows."""

    def randint(self, a: int, b: int) -> int:
        return a + int(self.random() * (b - a + 1))

    def choice(self, seq):
        return seq[int(self.random() * len(seq))]

    def weighted(self, seq, cumulative_weights):
        return seq[bisect(cumulative_weights, self.random() * cumulative_weights[-1])]

    def some(self, seq, k: int) -> list:
        """`k` different items (all of them when there are fewer), next to each other in `seq`."""
        start = int(self.random() * len(seq))
        return [seq[(start + index) % len(seq)] for index in range(min(k, len(seq)))]


@cache
def at_time(day: date, hour: int, minute: int = 0) -> datetime:
    """A moment on `day` at London's clock time, in UTC."""
    return datetime.combine(day, time(hour, minute), tzinfo=LONDON).astimezone(UTC)


def working_day_before(day: date) -> date:
    while not is_working_day(day):
        day -= ONE_DAY
    return day


def working_day_after(day: date) -> date:
    while not is_working_day(day):
        day += ONE_DAY
    return day


class Ids:
    """The next id for each table; the history's tables are empty, so ids start at 1."""

    def __init__(self) -> None:
        self.last: dict[str, int] = defaultdict(int)

    def __call__(self, table: str) -> int:
        self.last[table] += 1
        return self.last[table]


# ------------------------------------------------------------------------ the people


def organisation_rows(org: PlannedOrganisation) -> dict[str, list[tuple]]:
    """The organisation, its policy, services, teams (managers set once the staff exist) and staff."""
    rng = QuickRandom(org.seed)
    now, today = org.now, org.today
    rows: dict[str, list[tuple]] = {
        "organisation": [(1, org.name)],
        "supervision_policy": [(*POLICY_ROW, now)],
        "service": [(service.id, 1, service.name, None) for service in org.services],
        "team": [(team.id, team.service_id, team.name, team.establishment_fte, None) for team in org.teams],
        "staff": [],
        "staff_role": [],
    }
    for person in org.people:
        kind, in_post = person.kind, person.end_date is None
        caseload = None
        if kind.caseload and in_post:
            caseload = round(rng.randint(*kind.caseload) * float(person.fte))
        rows["staff"].append(
            (
                person.id, 1, email(person),
                f"S{person.id:07d}", person.given_name, person.family_name, kind.job_title,
                person.career_stage.value, kind.registered,
                f"SW{100000 + person.id}" if kind.registered else None,
                (today + timedelta(days=rng.randint(-20, 700))) if kind.registered and in_post else None,
                (person.end_date or today) - timedelta(days=rng.randint(30, 1150)),
                person.contract.value, person.fte, caseload, person.start_date, person.end_date,
                person.leaving_reason,
                person.leaving_destination.value if person.leaving_destination else None,
                person.team_id, person.line_manager_id, in_post, now, now,
            )
        )  # fmt: skip
        rows["staff_role"].extend((person.id, role.value) for role in kind.roles)
    return rows


def email(person: Person) -> str:
    """On a reserved domain that can never receive mail."""
    return f"{person.given_name}.{person.family_name}.{person.id}@synth.test".lower().replace("'", "")


def manager_rows(org: PlannedOrganisation) -> dict[str, list[tuple[int, int]]]:
    """(id, manager id) for services and teams, set once the staff rows exist."""
    return {
        "service": [(service.id, service.head_post.holders[-1].id) for service in org.services],
        "team": [(team.id, team.manager_id) for team in org.teams if team.manager_id is not None],
    }


# -------------------------------------------------------------------- supervision history


def always(supervisor: int) -> Callable[[date], int]:
    """A Supervisee's `supervisor_on` when the same person supervises them throughout."""

    def supervisor_on(day: date) -> int:
        return supervisor

    return supervisor_on


@dataclass
class Supervisee:
    """Who is supervised, by whom on a day, and where they stand today."""

    id: int
    career_stage: CareerStage
    start_date: date
    end_date: date | None
    supervisor_on: Callable[[date], int]
    plan: Plan = Plan.ON_TRACK
    newly_qualified: bool = False  # on the ASYE's staged frequency for their first year
    caseload: int | None = None
    showcase: bool = False  # the demo social worker: three actions a session, leave booked ahead
    explained: bool | None = None  # whether an overdue gap is explained; None: the style's chance
    asye_latest_missed: bool = False  # the latest ASYE review fallen due is not recorded: overdue


@dataclass
class Agreement:
    id: int
    agreed_on: date
    asye_started_on: date | None
    interval_days: int | None
    supervision_type: SupervisionType

    def interval_on(self, stage: CareerStage, day: date) -> int:
        if self.asye_started_on:
            return rules.AsyeStagedRule(self.asye_started_on).interval_on(day)
        days = self.interval_days or stage_interval_days(stage, DEFAULT_POLICY)
        if days is None:  # the default policy requires supervision at every career stage
            raise ValueError(f"The history needs an interval for {stage}")
        return days


class History:
    """Builds the rows of one group of people's supervision (a team, or the demo organisation)."""

    def __init__(
        self, today: date, now: datetime, history_from: date, ids: Ids, seed: int, style: Style,
        auditor_on: Callable[[date], int] | None = None,
    ):  # fmt: skip
        self.today, self.now, self.history_from = today, now, history_from
        self.ids, self.style, self.auditor_on = ids, style, auditor_on
        self.rng = QuickRandom(seed)
        self.rows: dict[str, list] = {table: [] for table in HISTORY_TABLES}
        self.events: list[tuple[datetime, int, AuditAction, str, int]] = []
        self.absences: dict[int, list[tuple[date, date]]] = defaultdict(list)
        self.last_held: dict[int, date] = {}

    def audit(self, at: datetime, actor: int, action: AuditAction, table: str, row_id: int) -> None:
        if self.style.audit_trail:
            self.events.append((at, actor, action, table, row_id))

    def draw_plan(self, person: Person) -> Plan:
        """A plan at the style's chances, for people in post long enough to be behind."""
        if person.end_date is not None or person.start_date > self.today - timedelta(days=120):
            return Plan.ON_TRACK
        draw = self.rng.random()
        for plan, chance in self.style.plans.items():
            if draw < chance:
                return plan
            draw -= chance
        return Plan.ON_TRACK

    # ---------------------------------------------------------------- one person

    def supervise(self, who: Supervisee) -> None:
        rng, style = self.rng, self.style
        until = who.end_date or self.today
        # Leavers keep the year before they left, even where it began before the history.
        first = max(who.start_date + WEEK, min(self.history_from, until - timedelta(days=365)))
        if first > until:
            return
        agreements = self.add_agreements(who, first, until)

        def interval_on(day: date) -> int:
            agreement = next((a for a in reversed(agreements) if a.agreed_on <= day), agreements[0])
            return agreement.interval_on(who.career_stage, day)

        last = self.last_held_on(who, until, interval_on)
        dates = self.held_dates(who, interval_on, first, last) if last >= first else []
        cases = [f"C-{rng.randint(10000, 99999)}" for _ in range(rng.randint(3, 6))]
        missed = style.cancelled + style.did_not_attend
        open_actions: list[list] = []
        for held_on in dates:
            rebooked_from = None
            if rng.random() < missed and held_on > first + WEEK:
                earlier = held_on - timedelta(days=rng.randint(2, 6))
                rebooked_from = self.add_missed_session(
                    who, earlier, rng.random() < style.did_not_attend / missed
                )
            session_id = self.add_session(who, held_on, SessionStatus.HELD, rebooked_from)
            open_actions = self.add_record(who, session_id, held_on, cases, open_actions, last)
        if dates:
            self.last_held[who.id] = dates[-1]
        self.add_absences(who, dates)
        due = (dates[-1] if dates else first) + timedelta(days=interval_on(dates[-1] if dates else first))
        if who.plan in (Plan.OVERDUE, Plan.ESCALATED):
            self.add_missed_session(who, due - ONE_DAY, who.plan is Plan.ESCALATED)
            explained = rng.random() < style.explained if who.explained is None else who.explained
            if explained and agreements[-1].supervision_type is SupervisionType.INDIVIDUAL:
                self.add_explanation(who, due)
        elif who.plan is not Plan.NO_AGREEMENT and who.end_date is None and rng.random() < style.booked_ahead:
            when = max(self.today + ONE_DAY, due - timedelta(days=rng.randint(0, 3)))
            self.add_session(who, working_day_after(when), SessionStatus.SCHEDULED)
        asye_started_on = next((a.asye_started_on for a in agreements if a.asye_started_on), None)
        if asye_started_on is not None:
            self.add_asye_reviews(who, asye_started_on, until)

    def last_held_on(self, who: Supervisee, until: date, interval_on: Callable[[date], int]) -> date:
        """The last session's date, chosen so the compliance engine finds the person's plan today."""
        plan = who.plan
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
        if who.end_date is not None:
            return working_day_before(until - timedelta(days=self.rng.randint(3, 20)))
        latest = max(1, interval - ON_TRACK_MARGIN_DAYS)
        held = working_day_after(until - timedelta(days=self.rng.randint(1, latest)))
        return held if held < until else working_day_before(until - ONE_DAY)

    def held_dates(
        self, who: Supervisee, interval_on: Callable[[date], int], first: date, last: date
    ) -> list[date]:
        """Back from the last session at about the agreed interval: mostly a little early, sometimes late."""
        rng = self.rng
        late_chance = self.style.late_session if who.end_date is None else self.style.leaver_late_session
        dates = [last]
        while True:
            later = dates[-1]
            gap = interval_on(later - timedelta(days=interval_on(later)))
            if rng.random() < late_chance:
                gap += rng.randint(2, 9)
            else:
                gap -= rng.randint(0, min(4, gap // 3))
            earlier = working_day_before(later - timedelta(days=gap))
            if earlier < first:
                return dates[::-1]
            dates.append(earlier)

    def add_agreements(self, who: Supervisee, first: date, until: date) -> list[Agreement]:
        """Renewed every year; the current one 45 to 330 days before today (or leaving)."""
        rng, style = self.rng, self.style
        ended_on = until if who.end_date else None
        if who.plan is Plan.NO_AGREEMENT:
            ended_on = until - timedelta(days=NO_AGREEMENT_ENDED_DAYS_AGO)
        starts = [first]
        renewed = until - timedelta(days=rng.randint(45, 330))
        if renewed > who.start_date + timedelta(days=30) and renewed > first:
            starts = [renewed]
            while starts[-1] > first:
                starts.append(max(add_months(starts[-1], -12), who.start_date))
            starts.reverse()
            if who.end_date is None and rng.random() < style.review_overdue:
                starts.pop()
        shape = SupervisionType.MIX if rng.random() < style.mixed_supervision else SupervisionType.INDIVIDUAL
        interval_days = 21 if rng.random() < style.shorter_interval else None
        made = []
        for index, agreed_on in enumerate(starts):
            asye = (who.career_stage is CareerStage.ASYE or who.newly_qualified) and agreed_on < (
                who.start_date + timedelta(days=365)
            )
            ends = starts[index + 1] - ONE_DAY if index + 1 < len(starts) else ended_on
            made.append(self.add_agreement(who, agreed_on, ends, asye, interval_days, shape))
        return made

    def add_agreement(
        self, who: Supervisee, agreed_on: date, ended_on: date | None, asye: bool, interval_days: int | None,
        shape: SupervisionType,
    ) -> Agreement:  # fmt: skip
        supervisor, at = who.supervisor_on(agreed_on), at_time(agreed_on, 11)
        agreement = Agreement(
            self.ids("supervision_agreement"), agreed_on, who.start_date if asye else None,
            None if asye else interval_days, shape,
        )  # fmt: skip
        self.rows["supervision_agreement"].append(
            (agreement.id, who.id, supervisor,
             (FrequencyKind.ASYE_STAGED if asye else FrequencyKind.INTERVAL).value, agreement.interval_days,
             agreement.asye_started_on, self.duration(who), shape.value,
             ASYE_NOTES if asye else "Agreed in supervision; both have a copy.",
             agreed_on, add_months(agreed_on, 12), at, at + timedelta(hours=2), ended_on, supervisor, 1,
             at, at + timedelta(hours=2))
        )  # fmt: skip
        self.audit(at, supervisor, AuditAction.CREATE, "supervision_agreement", agreement.id)
        self.audit(at, supervisor, AuditAction.SIGN, "supervision_agreement", agreement.id)
        self.audit(at + timedelta(hours=2), who.id, AuditAction.SIGN, "supervision_agreement", agreement.id)
        return agreement

    @staticmethod
    def duration(who: Supervisee) -> int:
        return 60 if who.career_stage is CareerStage.MANAGER else 90

    def add_session(
        self, who: Supervisee | None, day: date, status: SessionStatus, rebooked_from: int | None = None,
        cancelled: tuple[str, CancelledBy] | None = None, supervisor: int | None = None,
    ) -> int:  # fmt: skip
        """A session with `who` (None: a group session of `supervisor`'s, attendees added after)."""
        rng = self.rng
        session_id = self.ids("supervision_session")
        if who is not None:
            supervisor = who.supervisor_on(day)
        elif supervisor is None:
            raise ValueError("A group session needs its supervisor")
        starts_at = at_time(day, rng.choice((10, 14)))
        booked_at = min(starts_at - timedelta(days=rng.randint(7, 21)), self.now)
        online = rng.random() < 0.3
        reason, cancelled_by = cancelled or (None, None)
        changed = booked_at if status is SessionStatus.SCHEDULED else min(starts_at + HOURS_2, self.now)
        self.rows["supervision_session"].append(
            (session_id, supervisor, (SessionKind.GROUP if who is None else SessionKind.INDIVIDUAL).value,
             starts_at, 90 if who is None else self.duration(who), "" if online else rng.choice(PLACES),
             online, status.value, day if status is SessionStatus.HELD else None, reason,
             cancelled_by and cancelled_by.value, supervisor if cancelled else None, rebooked_from, 1,
             booked_at, changed)
        )  # fmt: skip
        if who is not None:
            self.rows["session_attendee"].append((self.ids("session_attendee"), session_id, who.id))
        self.audit(booked_at, supervisor, AuditAction.CREATE, "supervision_session", session_id)
        return session_id

    def add_missed_session(self, who: Supervisee, day: date, did_not_attend: bool) -> int:
        day = working_day_before(day)
        if did_not_attend:
            return self.add_session(who, day, SessionStatus.DID_NOT_ATTEND)
        return self.add_session(
            who, day, SessionStatus.CANCELLED, cancelled=self.rng.choice(CANCELLED_REASONS)
        )

    # ---------------------------------------------------------------- the record

    def add_record(
        self, who: Supervisee, session_id: int, held_on: date, cases: list[str], open_actions: list[list],
        last: date, supervisor: int | None = None,
    ) -> list[list]:  # fmt: skip
        """The record of a held session, signed (and its reviews applied) if that has happened by now.

        Returns the actions open after it. A group session's record (`supervisor` given) has no
        actions of its own.
        """
        rng, rows, style = self.rng, self.rows, self.style
        group = supervisor is not None
        if supervisor is None:
            supervisor = who.supervisor_on(held_on)
        record_id = self.ids("supervision_record")
        created = at_time(held_on, 17)
        self.audit(created, supervisor, AuditAction.CREATE, "supervision_record", record_id)
        reviews = [
            [self.ids("action_review"), record_id, action[0], None, "", None] for action in open_actions
        ]
        rows["action_review"].extend(reviews)
        caseload = who.caseload or rng.randint(8, 18)
        wellbeing, workload = rng.choice(WELLBEING), rng.choice(WORKLOAD).format(caseload=caseload)
        if (who.plan is Plan.WRITE_UP_OVERDUE and held_on == last) or rng.random() < style.never_written_up:
            # Written up in part and never finished: a late write-up.
            rows["supervision_record"].append(
                (record_id, session_id, who.id, AGENDA, wellbeing, workload, "", "", "", None, None, "",
                 False, None, None, None, None, None, 1, created, created)
            )  # fmt: skip
            return open_actions
        written = at_time(held_on, 17, 30)
        case_ids = []
        for reference in rng.some(cases, 1 if group else rng.randint(1, 3)):
            case_ids.append(self.ids("case_discussion"))
            rows["case_discussion"].append(
                # Its session's date, as the ORM gives every other discussion (records/models.py).
                (case_ids[-1], record_id, reference, held_on, *rng.choice(CASE_NOTES), written, written)
            )
        for review in reviews:
            outcome = rng.weighted(REVIEW_OUTCOMES, (7, 9, 10))
            review[3:] = [outcome, rng.choice(REVIEW_COMMENTS[outcome]), None]
            if outcome is ActionStatus.CARRIED_FORWARD:
                review[5] = held_on + timedelta(days=rng.randint(7, 21))
        new_actions = []
        for _ in range(0 if group else 3 if who.showcase else rng.randint(*style.new_actions)):
            case_id = rng.choice(case_ids) if rng.random() < 0.6 else None
            new_actions.append(
                self.add_action(record_id, case_id, rng.choice((who.id, who.id, who.id, supervisor)),
                                rng.choice(ACTIONS), held_on + timedelta(days=rng.randint(7, 28)), written)
            )  # fmt: skip

        late = rng.random() < style.late_signing and held_on < self.today - timedelta(days=30)
        supervisor_signs = at_time(
            add_working_days(held_on, rng.randint(6, 9) if late else rng.randint(0, 4)), 17, 45
        )
        supervisee_signs = supervisor_signs + timedelta(days=rng.randint(0, 3), hours=rng.randint(0, 2))
        signed = supervisor_signs if supervisor_signs <= self.now else None
        locked = supervisee_signs if signed and supervisee_signs <= self.now else None
        if signed:
            self.audit(signed, supervisor, AuditAction.SIGN, "supervision_record", record_id)
        comment, disagrees, rated = "", False, locked is not None and rng.random() < 0.6
        if locked:
            self.audit(locked, who.id, AuditAction.SIGN, "supervision_record", record_id)
            if rng.random() < 0.03:
                comment, disagrees = (
                    "I do not agree that the case is ready to step down: the school still has concerns.",
                    True,
                )
            elif rng.random() < 0.2:
                comment = "Helpful session, thank you."
            new_actions += self.apply_reviews(record_id, reviews, open_actions, held_on, locked, written)
            self.maybe_addendum(record_id, supervisor, locked)
            if self.auditor_on and rng.random() < style.quality_audit:
                self.add_quality_audit(record_id, held_on, self.auditor_on)
        for review in reviews:
            review[3] = review[3] and review[3].value
        ratings = [rng.weighted((2, 3, 4, 5), (1, 4, 10, 15)) if rated else None for _ in range(3)]
        rows["supervision_record"].append(
            (record_id, session_id, who.id, AGENDA, GROUP_WELLBEING if group else wellbeing, workload,
             rng.choice(LEARNING), rng.choice(REFLECTION), rng.choice(HEALTH_AND_LEAVE), signed, locked,
             comment, disagrees, locked, *ratings, locked if rated else None, 1, created,
             locked or signed or written)
        )  # fmt: skip
        return open_actions if group else new_actions

    def apply_reviews(self, record_id, reviews, open_actions, held_on, locked, written) -> list[list]:
        """Both have signed: last time's actions close or carry forward, as in the service."""
        carried = []
        for review, action in zip(reviews, open_actions, strict=True):
            outcome = review[3]
            action[6], action[10] = outcome.value, locked
            if outcome is ActionStatus.DONE:
                action[7] = held_on
            if outcome is ActionStatus.CARRIED_FORWARD:
                carried.append(
                    self.add_action(record_id, None, action[3], action[4], review[5], written, action[0])
                )
        return carried

    def add_action(self, record_id, case_id, owner, description, due_on, created, carried_from=None) -> list:
        action = [self.ids("supervision_action"), record_id, case_id, owner, description, due_on,
                  ActionStatus.OPEN.value, None, carried_from, created, created]  # fmt: skip
        self.rows["supervision_action"].append(action)
        return action

    def maybe_addendum(self, record_id: int, supervisor: int, locked: datetime) -> None:
        at = locked + timedelta(days=self.rng.randint(1, 5))
        if self.rng.random() < 0.02 and at < self.now:
            self.rows["record_addendum"].append(
                (self.ids("record_addendum"), record_id, supervisor,
                 "The date of the conference was recorded wrongly.",
                 "The review conference is on the 14th, not the 4th.", at)
            )  # fmt: skip
            self.audit(at, supervisor, AuditAction.ADDENDUM, "supervision_record", record_id)

    def add_quality_audit(self, record_id: int, held_on: date, auditor_on: Callable[[date], int]) -> None:
        rng = self.rng
        audited = held_on + timedelta(days=rng.randint(20, 70))
        if audited < self.today:
            self.rows["quality_audit"].append(
                (self.ids("quality_audit"), record_id, auditor_on(audited), at_time(audited, 12),
                 *(Answer.YES.value,) * 3, rng.choice((Answer.YES, Answer.YES, Answer.NO)).value,
                 *(Answer.YES.value,) * 3,
                 rng.choices(list(Grade), (15, 60, 20, 5))[0].value, "Clear analysis; actions specific.")
            )  # fmt: skip

    def add_asye_reviews(self, who: Supervisee, started_on: date, until: date) -> None:
        """The ASYE's progress reviews and final assessment fallen due by `until` (docs/metrics.md,
        "ASYE progress reviews"): due when the compliance engine says (absences move them), held
        a little before, or at the style's chances late or never; `who.asye_latest_missed`
        leaves the latest unrecorded, as the demo plans."""
        rng, style = self.rng, self.style
        absences = [rules.AbsenceSpan(starts, ends) for starts, ends in self.absences[who.id]]
        fallen_due = [
            (stage, due_on)
            for stage in AsyeStage
            if (due_on := rules.asye_review_due_on(started_on, stage, absences)) < until
        ]
        if who.asye_latest_missed:
            fallen_due = fallen_due[:-1]
        for stage, due_on in fallen_due:
            draw = rng.random()
            if draw < style.asye_review_missed:
                continue
            if draw < style.asye_review_missed + style.asye_review_late:
                held_on = working_day_after(due_on + timedelta(days=rng.randint(3, 30)))
            else:
                held_on = working_day_before(due_on - timedelta(days=rng.randint(*ASYE_REVIEW_DAYS_EARLY)))
            if held_on >= until:  # late, and not held yet: overdue today
                continue
            outcome = rng.weighted(stage.outcomes, ASYE_OUTCOME_WEIGHTS[stage])
            supervisor, at = who.supervisor_on(held_on), min(at_time(held_on, 16), self.now)
            review_id = self.ids("asye_review")
            self.rows["asye_review"].append(
                (
                    review_id,
                    who.id,
                    stage.value,
                    held_on,
                    outcome.value,
                    ASYE_PARTICIPANTS,
                    "",
                    supervisor,
                    at,
                )
            )
            self.audit(at, supervisor, AuditAction.CREATE, "asye_review", review_id)

    # ------------------------------------------------------- absences and explanations

    def add_absences(self, who: Supervisee, dates: list[date]) -> None:
        """The paused person's sickness, leave booked ahead for the showcase, and leave between
        sessions (never after the last, so nobody's clock is paused that their plan does not say)."""
        rng, today, spans = self.rng, self.today, []
        if who.plan is Plan.PAUSED:
            spans.append(
                (
                    AbsenceKind.SICKNESS,
                    today + timedelta(days=SICKNESS[0]),
                    today + timedelta(days=SICKNESS[1]),
                )
            )
        if who.showcase:
            spans.append((AbsenceKind.ANNUAL_LEAVE, today + timedelta(days=25), today + timedelta(days=36)))
        for earlier, later in pairwise(dates[2:-2]):
            if rng.random() < self.style.leave_between_sessions:
                starts = earlier + timedelta(days=2)
                ends = min(starts + timedelta(days=rng.randint(5, 13)), later - ONE_DAY)
                kind = AbsenceKind.ANNUAL_LEAVE if rng.random() < 0.8 else AbsenceKind.SICKNESS
                if ends >= starts:
                    spans.append((kind, starts, ends))
        for kind, starts, ends in spans:
            self.absences[who.id].append((starts, ends))
            self.rows["absence_period"].append(
                (self.ids("absence_period"), who.id, kind.value, starts, ends,
                 who.supervisor_on(min(starts, today)), min(at_time(starts, 9), self.now))
            )  # fmt: skip

    def add_explanation(self, who: Supervisee, due_on: date) -> None:
        self.rows["overdue_explanation"].append(
            (self.ids("overdue_explanation"), who.id, due_on, GapReason.SUPERVISOR_ABSENT.value,
             "The team manager has been off sick and the post is covered part-time.",
             "The senior practitioner makes case decisions meanwhile.", who.supervisor_on(due_on),
             min(at_time(due_on + WEEK, 12), self.now))
        )  # fmt: skip

    # ------------------------------------------------------------------ the team

    def group_sessions(self, team: Team) -> None:
        """A monthly group session for the practitioners in post, not away, and not behind that day."""
        practitioners = [p for post in (team.senior_post, *team.posts) for p in post.holders]
        month = self.history_from.replace(day=1)
        while True:
            month = add_months(month, 1)
            day = working_day_after(month + timedelta(days=9))
            if day > self.today:
                return
            manager = team.manager_post.holder_on(day)
            attendees = [
                p for p in practitioners
                if p.in_post_on(day) and day <= self.last_held.get(p.id, self.history_from)
                and not any(starts <= day <= ends for starts, ends in self.absences[p.id])
            ]  # fmt: skip
            if manager is None or len(attendees) < 2:
                continue
            session_id = self.add_session(None, day, SessionStatus.HELD, supervisor=manager.id)
            for person in attendees:
                self.rows["session_attendee"].append((self.ids("session_attendee"), session_id, person.id))
                who = Supervisee(
                    person.id, person.career_stage, person.start_date, person.end_date, always(manager.id)
                )
                self.add_record(
                    who, session_id, day, [f"C-{self.rng.randint(10000, 99999)}"], [], day, manager.id
                )

    def finished_rows(self) -> dict[str, list]:
        """The rows, with the audit trail in time order and every action a tuple."""
        self.rows["audit_event"] = [
            (self.ids("audit_event"), at, actor, str(action), table, row_id)
            for at, actor, action, table, row_id in sorted(self.events, key=lambda event: event[0])
        ]
        for table in ("supervision_action", "action_review"):
            self.rows[table] = [tuple(row) for row in self.rows[table]]
        return self.rows


def supervisor_chain(*posts_and_people):
    """Who supervises on a day: the first of these posts with somebody in it (or a fixed person)."""

    def on(day: date) -> int:
        for candidate in posts_and_people:
            if isinstance(candidate, Person):
                return candidate.id
            holder = candidate.holder_on(day)
            if holder is not None:
                return holder.id
        raise AssertionError("the chain ends with a person")

    return on


def team_rows(org: PlannedOrganisation, team: Team | None, ids: Ids) -> dict[str, list]:
    """One team's supervision history; `team` None: the heads of service, supervised by the director."""
    seed = org.seed * 100_003 + (team.id if team else 0)
    director = supervisor_chain(org.director)
    people: list[tuple[Person, Callable[[date], int]]] = []
    if team is None:
        history = History(org.today, org.now, org.history_from, ids, seed, NATIONAL, director)
        people += [(person, director) for service in org.services for person in service.head_post.holders]
    else:
        head = org.services[team.service_id - 1].head_post
        history = History(
            org.today, org.now, org.history_from, ids, seed, NATIONAL, supervisor_chain(head, org.director)
        )
        chain = (team.manager_post, head, org.director)
        people += [(person, supervisor_chain(head, org.director)) for person in team.manager_post.holders]
        people += [(person, supervisor_chain(*chain)) for person in team.senior_post.holders]
        for post in team.posts:
            for person in post.holders:
                people.append(
                    (
                        person,
                        supervisor_chain(*((team.senior_post,) if person.newly_qualified else ()), *chain),
                    )
                )
    for person, supervisor_on in people:
        history.supervise(
            Supervisee(person.id, person.career_stage, person.start_date, person.end_date, supervisor_on,
                       history.draw_plan(person), person.newly_qualified)
        )  # fmt: skip
    if team is not None:
        history.group_sessions(team)
    return history.finished_rows()
