"""Rows for a synthetic organisation: its people, and each team's years of supervision.

Rows are plain tuples in the column order of `COLUMNS`, so the loader can stream millions of
them. Ids are handed out here (the database is empty), in an order that keeps every foreign
key pointing at a row loaded earlier.
"""

from __future__ import annotations

import random
from collections import defaultdict
from datetime import UTC, date, datetime, time, timedelta
from functools import cache

from supervision.agreements.defaults import DEFAULT_POLICY
from supervision.agreements.models import AbsenceKind, FrequencyKind, SupervisionType
from supervision.agreements.rules import stage_interval_days
from supervision.compliance import rules
from supervision.compliance.models import GapReason
from supervision.dates import add_months
from supervision.records.models import ActionStatus, CancelledBy, SessionKind, SessionStatus
from supervision.reports.models import Answer, Grade
from supervision.synth.plan import Person, PlannedOrganisation, Team

ONE_DAY = timedelta(days=1)
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
        "id", "record_id", "case_reference", "summary", "analysis", "decision", "created_at", "updated_at",
    ),
    "supervision_action": (
        "id", "record_id", "case_discussion_id", "owner_id", "description", "due_on", "status",
        "completed_on", "carried_from_id", "created_at", "updated_at",
    ),
    "action_review": ("id", "record_id", "action_id", "outcome", "comment", "new_due_on"),
    "quality_audit": (
        "id", "record_id", "auditor_id", "audited_at", "agreement_on_file", "frequency_met", "agenda_set",
        "previous_actions_reviewed", "reflection_evident", "decisions_recorded", "both_signed", "grade",
        "comments",
    ),
    "overdue_explanation": (
        "id", "supervisee_id", "due_on", "reason", "details", "cover_arranged", "recorded_by_id",
        "recorded_at",
    ),
}  # fmt: skip
HISTORY_TABLES = tuple(COLUMNS)[6:]
# The organisation gets the default policy (agreements/defaults.py); the sessions try to meet it.
POLICY_ROW = (
    1, 1, *(getattr(DEFAULT_POLICY, name) for name in COLUMNS["supervision_policy"][2:-2]), 1,
)  # fmt: skip

AGENDA = ("Caseload review; wellbeing; training", "Complex cases and court work", "Workload and leave")
WELLBEING = (
    "Feeling settled and supported by the team.",
    "Tired after a run of late visits; agreed to protect Friday afternoons.",
    "Some stress from a court case; offered the staff support line.",
)
WORKLOAD = ("Caseload manageable; two cases to close.", "Caseload high; one case reallocated.")
LEARNING = ("Booked onto the court skills course.", "Reading on contextual safeguarding.")
REFLECTION = (
    "Reflected on how the family's history shapes their response to us.",
    "Thought about bias in the first assessment and what evidence would change the view.",
)
HEALTH = ("No sickness; annual leave booked for next month.", "Back after sickness; phased return agreed.")
SUMMARY = (
    "Neglect concerns; school attendance poor.",
    "Child protection plan reviewed.",
    "Placement stable.",
)
ANALYSIS = ("Risk remains medium; parents engaging.", "Risk reduced since the last visit.")
DECISION = ("Continue the plan; visit fortnightly.", "Step down to child in need.", "Seek legal advice.")
ACTIONS = ("Update the chronology", "Visit the school", "Book the core group", "Complete the assessment")
CANCELLED = ("Court hearing moved", "Supervisor off sick", "Urgent child protection visit", "Training day")
GROUP_TEXT = "Group supervision: shared learning from a recent case."


class QuickRandom(random.Random):
    """`randint` and `choice` from one float each: several times faster than the exact methods,
    and random enough for made-up data at millions of rows."""

    def randint(self, a: int, b: int) -> int:
        return a + int(self.random() * (b - a + 1))

    def choice(self, seq):
        return seq[int(self.random() * len(seq))]


@cache
def stamp(day: date, hour: int) -> datetime:
    """A moment on `day` in UTC; daytime hours keep London's date the same."""
    return datetime.combine(day, time(hour), tzinfo=UTC)


def weekday_on_or_after(day: date) -> date:
    weekday = day.weekday()
    return day + timedelta(days=7 - weekday) if weekday >= 5 else day


class Ids:
    """The next id for each table; the database is empty, so ids start at 1."""

    def __init__(self):
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


class TeamHistory:
    """Builds one team's rows (or the heads of service's, as a team of their own)."""

    def __init__(self, org: PlannedOrganisation, ids: Ids, seed: int, auditor_on):
        self.org, self.ids, self.auditor_on = org, ids, auditor_on
        self.rng = QuickRandom(seed)
        self.today, self.now = org.today, org.now
        self.rows: dict[str, list] = {table: [] for table in HISTORY_TABLES}
        self.stalled: dict[int, date] = {}
        self.absences: dict[int, list[tuple[date, date]]] = {}
        self.mix: set[int] = set()

    # ---------------------------------------------------------------- one person

    def supervise(self, person: Person, supervisor_on) -> None:
        rng, today = self.rng, self.today
        first = max(person.start_date, self.org.history_from)
        last = min(person.end_date or today, today)
        if first > last:
            return
        in_post = person.end_date is None
        self.add_absences(person, first, last)
        agreements = self.add_agreements(person, first, last, supervisor_on)
        if in_post and rng.random() < 0.08:  # stalled: overdue or escalated today
            self.stalled[person.id] = today - timedelta(days=rng.randint(25, 110))
        stop = min(last, self.stalled.get(person.id, last))
        on_time = 0.93 if rng.random() < 0.85 else 0.6
        cursor, open_actions, last_held = first, [], None
        while True:
            interval = self.interval_on(person, agreements, cursor)
            late = rng.random() > on_time
            gap = interval + rng.randint(2, 25) if late else interval - rng.randint(0, interval // 4)
            day = self.available(person.id, cursor + timedelta(days=max(gap, 3)))
            rebooked_from, held_on = None, None
            while held_on is None:
                if day > stop:
                    if in_post and person.id not in self.stalled:
                        self.add_session(
                            supervisor_on(day), person, day, SessionStatus.SCHEDULED, rebooked_from
                        )
                    break
                draw = rng.random()
                supervisor = supervisor_on(day)
                if draw < 0.1 and rebooked_from is None:
                    rebooked_from = self.add_session(supervisor, person, day, SessionStatus.CANCELLED)
                    day = weekday_on_or_after(day + timedelta(days=rng.randint(2, 9)))
                elif draw < 0.135:
                    self.add_session(supervisor, person, day, SessionStatus.DID_NOT_ATTEND, rebooked_from)
                    rebooked_from = None
                    day = weekday_on_or_after(day + timedelta(days=rng.randint(5, 10)))
                else:
                    session_id = self.add_session(supervisor, person, day, SessionStatus.HELD, rebooked_from)
                    open_actions = self.add_record(session_id, person.id, supervisor, day, open_actions)
                    held_on = last_held = day
            if held_on is None:
                break
            cursor = held_on
        if person.id in self.stalled and last_held is not None:
            self.explain_gap(person, agreements[-1], last_held, supervisor_on(today))

    def add_absences(self, person: Person, first: date, last: date) -> None:
        rng, spans = self.rng, []
        day = first
        while day <= last:
            for _ in range(2):
                starts = day + timedelta(days=rng.randint(0, 330))
                spans.append((AbsenceKind.ANNUAL_LEAVE, starts, starts + timedelta(days=rng.randint(4, 13))))
            if rng.random() < 0.4:
                starts = day + timedelta(days=rng.randint(0, 350))
                spans.append((AbsenceKind.SICKNESS, starts, starts + timedelta(days=rng.randint(0, 9))))
            if rng.random() < 0.015:
                starts = day + timedelta(days=rng.randint(0, 300))
                spans.append((AbsenceKind.PARENTAL, starts, starts + timedelta(days=rng.randint(180, 300))))
            day += timedelta(days=365)
        kept = sorted((s for s in spans if s[1] <= last), key=lambda s: s[1])
        self.absences[person.id] = [(starts, ends) for _, starts, ends in kept]
        for kind, starts, ends in kept:
            self.rows["absence_period"].append(
                (self.ids("absence_period"), person.id, kind.value, starts, ends, person.line_manager_id,
                 stamp(starts, 8) if starts <= self.today else self.now)
            )  # fmt: skip

    def available(self, staff_id: int, day: date) -> date:
        """The first weekday on or after `day` that the person is not away."""
        day = weekday_on_or_after(day)
        for starts, ends in self.absences.get(staff_id, ()):
            if starts <= day <= ends:
                day = weekday_on_or_after(ends + ONE_DAY)
        return day

    def add_agreements(self, person: Person, first: date, last: date, supervisor_on) -> list[tuple]:
        """Agreed when the person starts (or the history does), renewed every year; some reviews slip."""
        rng, made = self.rng, []
        starts = [first]
        while starts[-1] + timedelta(days=365) <= last:
            starts.append(starts[-1] + timedelta(days=365))
        if person.end_date is None and len(starts) > 1 and rng.random() < 0.05:
            starts.pop()  # the review is overdue
        supervision_type = SupervisionType.MIX if rng.random() < 0.25 else SupervisionType.INDIVIDUAL
        if supervision_type is SupervisionType.MIX:
            self.mix.add(person.id)
        override = 21 if rng.random() < 0.05 else None
        for index, agreed_on in enumerate(starts):
            asye = person.newly_qualified and agreed_on < person.start_date + timedelta(days=365)
            ended_on = starts[index + 1] if index + 1 < len(starts) else person.end_date
            supervisor = supervisor_on(agreed_on)
            signed = stamp(min(agreed_on + timedelta(days=rng.randint(0, 3)), self.today), 15)
            agreement = (
                self.ids("supervision_agreement"), person.id, supervisor,
                (FrequencyKind.ASYE_STAGED if asye else FrequencyKind.INTERVAL).value,
                None if asye else override, person.start_date if asye else None, 90, supervision_type.value,
                "", agreed_on, add_months(agreed_on, 12), signed, signed, ended_on, supervisor, 1,
                stamp(agreed_on, 9), signed,
            )  # fmt: skip
            self.rows["supervision_agreement"].append(agreement)
            made.append(agreement)
        return made

    def interval_on(self, person: Person, agreements: list[tuple], day: date) -> int:
        agreement = next((a for a in reversed(agreements) if a[9] <= day), agreements[0])
        if agreement[3] == FrequencyKind.ASYE_STAGED.value:
            return rules.AsyeStagedRule(agreement[5]).interval_on(day)
        return agreement[4] or stage_interval_days(person.career_stage, DEFAULT_POLICY)

    def add_session(
        self, supervisor: int, person: Person | None, day: date, status: SessionStatus,
        rebooked_from: int | None = None, kind: SessionKind = SessionKind.INDIVIDUAL,
    ) -> int:  # fmt: skip
        rng = self.rng
        session_id = self.ids("supervision_session")
        start = stamp(day, rng.choice((9, 10, 13, 14)))
        cancelled = status is SessionStatus.CANCELLED
        online = rng.random() < 0.3
        self.rows["supervision_session"].append(
            (session_id, supervisor, kind.value, start,
             90 if kind is SessionKind.GROUP else rng.choice((60, 90, 90)),
             "" if online else "Office, meeting room", online, status.value,
             day if status is SessionStatus.HELD else None, rng.choice(CANCELLED) if cancelled else None,
             rng.choice((CancelledBy.SUPERVISOR, CancelledBy.SUPERVISEE)).value if cancelled else None,
             supervisor if cancelled else None, rebooked_from, 1, start - timedelta(days=14),
             min(start, self.now))
        )  # fmt: skip
        if person is not None:
            self.rows["session_attendee"].append((self.ids("session_attendee"), session_id, person.id))
        return session_id

    def add_record(
        self,
        session_id: int,
        supervisee: int,
        supervisor: int,
        day: date,
        open_actions: list,
        group: bool = False,
    ) -> list:
        """The record of a held session, its cases and actions, and the review of the last actions."""
        rng, rows, today = self.rng, self.rows, self.today
        record_id = self.ids("supervision_record")
        delay = rng.randint(0, 6) if rng.random() < 0.88 else rng.randint(8, 30)
        if rng.random() < 0.003:
            delay = 100_000  # never written up: an overdue write-up years on
        supervisor_signed = day + timedelta(days=delay)
        supervisor_signed = supervisor_signed if supervisor_signed <= today else None
        supervisee_signed = supervisor_signed and supervisor_signed + timedelta(days=rng.randint(0, 4))
        supervisee_signed = supervisee_signed if supervisee_signed and supervisee_signed <= today else None
        locked = stamp(supervisee_signed, 16) if supervisee_signed else None
        disagrees = supervisee_signed is not None and rng.random() < 0.02
        rated = supervisee_signed is not None and rng.random() < 0.6
        created = stamp(day, 11)
        rows["supervision_record"].append(
            (record_id, session_id, supervisee, rng.choice(AGENDA),
             GROUP_TEXT if group else rng.choice(WELLBEING), rng.choice(WORKLOAD), rng.choice(LEARNING),
             rng.choice(REFLECTION), rng.choice(HEALTH),
             stamp(supervisor_signed, 15) if supervisor_signed else None, locked,
             "I disagree with the decision on one case." if disagrees else "", disagrees, locked,
             rng.randint(3, 5) if rated else None, rng.randint(2, 5) if rated else None,
             rng.randint(2, 5) if rated else None, locked if rated else None, 1, created, locked or created)
        )  # fmt: skip
        case_ids = []
        cases = 1 if group or rng.random() < 0.5 else 2 if rng.random() < 0.7 else 3
        for _ in range(cases):
            case_ids.append(self.ids("case_discussion"))
            rows["case_discussion"].append(
                (case_ids[-1], record_id, f"CR-{rng.randint(100000, 999999)}", rng.choice(SUMMARY),
                 rng.choice(ANALYSIS), rng.choice(DECISION), created, created)
            )  # fmt: skip
        if locked and rng.random() < 0.015 and (audited := day + timedelta(days=rng.randint(20, 70))) < today:
            rows["quality_audit"].append(
                (self.ids("quality_audit"), record_id, self.auditor_on(audited), stamp(audited, 12),
                 *(Answer.YES.value,) * 3, rng.choice((Answer.YES, Answer.YES, Answer.NO)).value,
                 *(Answer.YES.value,) * 3,
                 rng.choices(list(Grade), (15, 60, 20, 5))[0].value, "Clear analysis; actions specific.")
            )  # fmt: skip
        if group:
            return open_actions
        still_open = []
        for action in open_actions:
            outcome = None
            if locked:
                outcome = rng.choices(
                    (ActionStatus.DONE, ActionStatus.CARRIED_FORWARD, ActionStatus.NO_LONGER_NEEDED),
                    (80, 12, 8),
                )[0]
                action[6] = outcome.value
                action[7] = day if outcome is ActionStatus.DONE else None
                action[10] = locked
            else:
                still_open.append(action)
            new_due = day + timedelta(days=28) if outcome is ActionStatus.CARRIED_FORWARD else None
            rows["action_review"].append(
                (self.ids("action_review"), record_id, action[0], outcome and outcome.value,
                 "Reviewed in supervision." if outcome else "", new_due)
            )  # fmt: skip
            if outcome is ActionStatus.CARRIED_FORWARD:
                still_open.append(
                    self.add_action(record_id, None, action[3], action[4], new_due, created, action[0])
                )
        draw = rng.random()
        for _ in range(0 if draw < 0.1 else 1 if draw < 0.8 else 2):
            owner = supervisee if rng.random() < 0.9 else supervisor
            due = day + timedelta(days=rng.randint(14, 42))
            case_id = case_ids[0] if rng.random() < 0.5 else None
            still_open.append(self.add_action(record_id, case_id, owner, rng.choice(ACTIONS), due, created))
        return still_open

    def add_action(self, record_id, case_id, owner, description, due_on, created, carried_from=None) -> list:
        action = [self.ids("supervision_action"), record_id, case_id, owner, description, due_on,
                  ActionStatus.OPEN.value, None, carried_from, created, created]  # fmt: skip
        self.rows["supervision_action"].append(action)
        return action

    def explain_gap(self, person: Person, agreement: tuple, last_held: date, supervisor: int) -> None:
        """Half the supervisors of people now overdue have recorded why, against the missed due date."""
        if person.id in self.mix or agreement[3] != FrequencyKind.INTERVAL.value or self.rng.random() < 0.5:
            return
        facts = rules.SupervisionFacts(
            rules.Agreement(
                agreement[9], rules.IntervalRule(self.interval_on(person, [agreement], self.today))
            ),
            held=(rules.HeldSession(last_held),),
            absences=tuple(rules.AbsenceSpan(*span) for span in self.absences[person.id]),
        )
        due = rules.next_due_date(facts, self.today)
        if due is None or due >= self.today:
            return
        reason = self.rng.choice(list(GapReason))
        self.rows["overdue_explanation"].append(
            (self.ids("overdue_explanation"), person.id, due, reason.value,
             "Supervisor covering two teams" if reason is GapReason.OTHER else "",
             "Weekly check-ins with the senior practitioner", supervisor, self.now)
        )  # fmt: skip

    # ------------------------------------------------------------------ the team

    def group_sessions(self, team: Team) -> None:
        """A monthly group session for the practitioners in post and not away that day."""
        practitioners = [p for post in (team.senior_post, *team.posts) for p in post.holders]
        month = self.org.history_from.replace(day=1)
        while True:
            month = add_months(month, 1)
            day = weekday_on_or_after(month + timedelta(days=9))
            if day > self.today:
                return
            manager = team.manager_post.holder_on(day)
            attendees = [
                p for p in practitioners
                if p.in_post_on(day) and day >= self.org.history_from and self.available(p.id, day) == day
                and day <= self.stalled.get(p.id, day)
            ]  # fmt: skip
            if manager is None or len(attendees) < 2:
                continue
            session_id = self.add_session(manager.id, None, day, SessionStatus.HELD, kind=SessionKind.GROUP)
            for person in attendees:
                self.rows["session_attendee"].append((self.ids("session_attendee"), session_id, person.id))
                self.add_record(session_id, person.id, manager.id, day, [], group=True)


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
    if team is None:
        history = TeamHistory(org, ids, seed, supervisor_chain(org.director))
        for service in org.services:
            for person in service.head_post.holders:
                history.supervise(person, supervisor_chain(org.director))
    else:
        head = org.services[team.service_id - 1].head_post
        history = TeamHistory(org, ids, seed, supervisor_chain(head, org.director))
        for person in team.manager_post.holders:
            history.supervise(person, supervisor_chain(head, org.director))
        for person in team.senior_post.holders:
            history.supervise(person, supervisor_chain(team.manager_post, head, org.director))
        for post in team.posts:
            for person in post.holders:
                chain = (team.manager_post, head, org.director)
                if person.newly_qualified:
                    chain = (team.senior_post, *chain)
                history.supervise(person, supervisor_chain(*chain))
        history.group_sessions(team)
    return {
        table: [tuple(row) for row in rows] if table == "supervision_action" else rows
        for table, rows in history.rows.items()
    }
