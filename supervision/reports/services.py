"""What the reports may show to whom, and the set-based loading that feeds the figures.

Every query takes the people in scope as a sub-select, never one query per person or team, so
a page costs the same number of SQL statements for 5 staff or 40,000 (tests/reports assert
it). Statuses "now" come from the compliance engine's own loader (`load_people`), so the
dashboard, the report and the person's compliance page always agree.
"""

from __future__ import annotations

import enum
import gc
import math
from collections import defaultdict
from collections.abc import Sequence, Sized
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

import sqlalchemy as sa
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import joinedload, lazyload
from sqlalchemy.sql.functions import FunctionElement

from supervision.agreements.models import AbsencePeriod, SupervisionAgreement, SupervisionPolicy
from supervision.cases.services import WORKERS_BY_ID_LIMIT
from supervision.clock import LONDON
from supervision.compliance import rules
from supervision.compliance.models import OverdueExplanation
from supervision.compliance.services import Policies, agreement_terms, load_people, thresholds_for
from supervision.extensions import AnySession, db
from supervision.memory import collector_paused
from supervision.org.models import Role, Service, Staff, Team
from supervision.permissions import (
    StaffIds,
    headed_teams_query,
    supervision_circle_query,
    supervision_pages_query,
)
from supervision.record_sections import TEXT_SECTIONS
from supervision.records.models import (
    CaseDiscussion,
    SessionAttendee,
    SessionKind,
    SessionStatus,
    SupervisionRecord,
    SupervisionSession,
)
from supervision.records.signoff import BLANK_CHARACTERS
from supervision.reports import figures, stored
from supervision.reports.dashboard import DashboardFigures
from supervision.reports.figures import MonthState, Period, PersonHistory, Tally
from supervision.reports.models import QualityAudit
from supervision.stored_figures.models import StoredFiguresRun

# Up to this many people, a page's scope is passed to the loaders as ids (see team_dashboard).
SCOPE_BY_ID_LIMIT = 2_000
# A live service or organisation report works out at most this many teams' people at a time
# (about 11,000 people at the generated organisation's team sizes; 30 KB each): see _live_figures.
# Each batch also costs its loaders a pass over the session tables (about 3 s at national scale),
# so batches are as large as memory allows, not small.
LIVE_TEAMS_PER_BATCH = 1_000


class Level(enum.StrEnum):
    ORGANISATION = "organisation"
    SERVICE = "service"
    TEAM = "team"
    PERSON = "person"

    @property
    def label(self) -> str:
        return {"organisation": "Organisation", "service": "Service", "team": "Team", "person": "Worker"}[
            self.value
        ]

    @property
    def child(self) -> Level | None:
        return {
            Level.ORGANISATION: Level.SERVICE,
            Level.SERVICE: Level.TEAM,
            Level.TEAM: Level.PERSON,
            Level.PERSON: None,
        }[self]


# ------------------------------------------------------------------------------------- scope


def report_people(user: Staff) -> StaffIds:
    """The people an oversight report counts and lists for `user`: themselves and everyone they
    oversee (`permissions.supervision_circle_query`, the one scope); nobody for anyone without
    the service manager role or holding the HR role."""
    if not user.has_role(Role.SERVICE_MANAGER):
        return sa.select(Staff.id).where(sa.false())
    return supervision_circle_query(user)


@dataclass
class Units:
    """The services and teams of a report: those with someone in `report_people` now in them,
    and the (perhaps empty) teams the viewer manages or whose service they head."""

    services: list[Service]
    teams: dict[int, list[Team]]
    # Everyone now in the listed services' teams is counted, so the stored unit figures
    # (which count everyone in a unit) are the viewer's figures too.
    whole: bool

    @property
    def team_list(self) -> list[Team]:
        return [team for service in self.services for team in self.teams[service.id]]


def overseen_units(user: Staff, among: sa.ColumnElement[bool] | None = None) -> Units:
    """The services and teams `user`'s report covers, narrowed by `among` (a condition on Team):
    one statement counting, per team, its people inside and outside `report_people`."""
    people = report_people(user)
    headed = (
        headed_teams_query(user)
        if user.has_role(Role.SERVICE_MANAGER)
        else sa.select(Team.id).where(sa.false())
    )
    rows = db.session.execute(
        sa.select(
            Team.id,
            Team.service_id,
            sa.func.sum(sa.case((Staff.id.in_(people), 1), else_=0))
            + sa.case((Team.id.in_(headed), 1), else_=0),
            sa.func.count(Staff.id),
        )
        .join(Service, Service.id == Team.service_id)
        .outerjoin(Staff, Staff.team_id == Team.id)
        .where(Service.organisation_id == user.organisation_id, sa.true() if among is None else among)
        .group_by(Team.id, Team.service_id)
    ).all()
    listed = [team_id for team_id, _, counted, _ in rows if counted]
    teams = list(
        db.session.scalars(
            sa.select(Team).where(Team.id.in_(listed)).options(joinedload(Team.service)).order_by(Team.name)
        )
    )
    by_service: dict[int, list[Team]] = defaultdict(list)
    for team in teams:
        by_service[team.service_id].append(team)
    services = sorted({team.service for team in teams}, key=lambda service: (service.name, service.id))
    whole = all(counted >= everyone for _, service_id, counted, everyone in rows if service_id in by_service)
    return Units(services, dict(by_service), whole)


def team_ids_of(user: Staff, level: Level, unit_id: int | None) -> list[int] | None:
    """The teams of a unit the user's report covers, or None when it covers none of it (404)."""
    if level is Level.ORGANISATION:
        return [team.id for team in overseen_units(user).team_list]
    if level is Level.SERVICE:
        teams = overseen_units(user, Team.service_id == unit_id).team_list
    elif level is Level.TEAM:
        teams = overseen_units(user, Team.id == unit_id).team_list
    else:
        if not counts_person(user, unit_id):
            return None
        teams = overseen_units(user, Team.members.any(Staff.id == unit_id)).team_list
    return [team.id for team in teams] or None


def counts_person(user: Staff, person_id: int | None) -> bool:
    """The person is one of those `user`'s report counts."""
    return bool(
        db.session.scalar(
            sa.select(sa.exists().where(Staff.id == person_id, Staff.id.in_(report_people(user))))
        )
    )


def oversees(user: Staff, level: Level, unit_id: int | None) -> bool:
    return team_ids_of(user, level, unit_id) is not None


def dashboard_scope(user: Staff, today: date) -> sa.Select:
    """The people on a person's team dashboard: everyone whose supervision page they may open
    (`permissions.supervision_pages_query`: the people they oversee and their supervisees),
    in post today."""
    return in_post(sa.select(Staff.id).where(Staff.id.in_(supervision_pages_query(user))), today)


def in_post(query: sa.Select, today: date) -> sa.Select:
    return query.where(in_post_on(today))


def in_post_on(today: date) -> sa.ColumnElement[bool]:
    """The person is in post on `today`: active, started and not yet left."""
    return sa.and_(
        Staff.active.is_(True),
        Staff.start_date <= today,
        sa.or_(Staff.end_date.is_(None), Staff.end_date >= today),
    )


@dataclass(frozen=True)
class DashboardPeople:
    """Who a person's team dashboard covers, read once a request and passed to every part of the
    page (the rows, the ASYE reviews, the cases overdue oversight) and of the home page."""

    # The dashboard's rows (`dashboard_scope`): named ids, or the sub-select for a very wide scope.
    in_post: sa.Select | list[int]
    # Everyone whose supervision page the person may open (`permissions.supervision_pages_query`),
    # in post or not, whose cases they see; None when too many to name (cases.services reads them).
    pages: list[int] | None


def dashboard_people(user: Staff, today: date) -> DashboardPeople:
    """The people of `dashboard_scope` and of `supervision_pages_query` in one statement."""
    found = db.session.execute(
        sa.select(Staff.id, in_post_on(today))
        .where(Staff.id.in_(supervision_pages_query(user)))
        .order_by(Staff.id)
    ).all()
    # A supervisor's scope is a handful of people, but hidden in a sub-select with ORs the
    # planner guesses thousands and hashes whole tables (docs/performance.md). Named ids let
    # it use the per-person indexes; a very wide scope stays a sub-select.
    staff_ids = [staff_id for staff_id, now in found if now]
    pages = [staff_id for staff_id, _ in found]
    return DashboardPeople(
        in_post=staff_ids if len(staff_ids) <= SCOPE_BY_ID_LIMIT else dashboard_scope(user, today),
        pages=pages if len(pages) <= WORKERS_BY_ID_LIMIT else None,
    )


# ----------------------------------------------------------------------------------- loading


class _first_code_point(FunctionElement):
    """The Unicode code point of a text's first character (SQLite `unicode`, PostgreSQL `ascii`)."""

    type = sa.Integer()
    inherit_cache = True


@compiles(_first_code_point)
def _first_code_point_sqlite(element, compiler, **kw) -> str:
    return f"unicode({compiler.process(element.clauses, **kw)})"


@compiles(_first_code_point, "postgresql")
def _first_code_point_postgresql(element, compiler, **kw) -> str:
    return f"ascii({compiler.process(element.clauses, **kw)})"


def _blank_free(column) -> sa.ColumnElement[bool]:
    """SQL for "has some text", by the sign-off rule's definition of blank (signoff.is_blank):
    something is left once every character of BLANK_CHARACTERS is trimmed from both ends.

    Text that starts with a printable ASCII character (none of them blank) is answered without
    the trim, which would otherwise compare each end with every blank character.
    """
    return sa.case(
        (_first_code_point(column).between(0x21, 0x7E), sa.true()),
        else_=sa.func.length(sa.func.trim(column, BLANK_CHARACTERS)) > 0,
    )


def _complete_record() -> sa.ColumnElement[bool]:
    """Every section written (optional ones too) and at least one case, each with a decision.

    One look at the record's cases rather than two EXISTS: the smallest "decided" mark is 1
    when every case has a decision, 0 when one has none, and NULL when there are no cases.
    """
    decided = sa.case((_blank_free(CaseDiscussion.decision), 1), else_=0)
    every_case_decided = (
        sa.select(sa.func.min(decided))
        .where(CaseDiscussion.record_id == SupervisionRecord.id)
        .scalar_subquery()
    )
    return sa.and_(
        *(_blank_free(getattr(SupervisionRecord, section.key)) for section in TEXT_SECTIONS),
        every_case_decided == 1,
    )


def london_date(moment: datetime) -> date:
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(LONDON).date()


def london_midnight(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=LONDON)


def policy_for(organisation_id: int) -> SupervisionPolicy | None:
    return db.session.scalar(
        sa.select(SupervisionPolicy).where(SupervisionPolicy.organisation_id == organisation_id)
    )


def load_histories(
    scope: sa.Select | list[int],
    window: Period,
    today: date,
    policy: SupervisionPolicy | None,
    *,
    people: list[Staff] | None = None,
    with_counts: bool = True,
) -> tuple[list[Staff], dict[int, PersonHistory]]:
    """The people in `scope` and their supervision history from `window.starts_on` to its end.

    Eight statements whatever the number of people. Callers that already hold the people pass
    them; `with_counts=False` leaves out what only the report's counts read (records, planned
    sessions, explanations, audits): the month grid and the intervals need sessions held,
    agreements and absences, three statements.
    """
    if people is None:
        # Roles are not needed here, and their eager load is one more statement per 500 people.
        people = list(
            db.session.scalars(
                sa.select(Staff)
                .where(Staff.id.in_(scope))
                .options(lazyload(Staff.role_rows))
                .order_by(Staff.id)
            )
        )
    # Plain rows through the session's connection (same transaction): the ORM's result
    # handling cost more than the SQL for tens of thousands of date tuples.
    connection = db.session.connection()

    def rows(query: sa.Select) -> Sequence[sa.Row]:
        return connection.execute(query).all()  # one fetch, not one driver call per row

    last_day = min(window.ends_on, today)
    # The intervals restart at a session, so before the window only the last session of each
    # kind matters. One pass over the attendances: sessions before the window fall into one
    # group per person and kind (their latest), each session in it into a group of its own.
    before_window = SupervisionSession.held_on < window.starts_on
    held: dict[int, list[rules.HeldSession]] = defaultdict(list)
    floor: dict[int, date] = {}
    for supervisee_id, is_group, held_on in rows(
        sa.select(
            SessionAttendee.supervisee_id,
            SupervisionSession.kind == SessionKind.GROUP,
            sa.func.max(SupervisionSession.held_on),
        )
        .join(SupervisionSession, SupervisionSession.id == SessionAttendee.session_id)
        .where(
            SessionAttendee.supervisee_id.in_(scope),
            SupervisionSession.status == SessionStatus.HELD,
            SupervisionSession.held_on <= last_day,
        )
        .group_by(
            SessionAttendee.supervisee_id,
            SupervisionSession.kind,
            sa.case((before_window, None), else_=SupervisionSession.id),
        )
    ):
        held[supervisee_id].append(rules.HeldSession(held_on, group=bool(is_group)))
        if held_on < window.starts_on:
            floor[supervisee_id] = min(held_on, floor.get(supervisee_id, held_on))

    # Agreements in force from the earliest session carried in from before the window: whether
    # a group session counts depends on the agreement in force on its day, so the answers for
    # days in the window never depend on where the window starts. Someone with no session
    # before the window has all theirs: renewals never restart the clock, so it started with
    # the first agreement of the unbroken run in force (docs/metrics.md).
    agreements: dict[int, list[figures.AgreementSpan]] = defaultdict(list)
    people_by_id = {person.id: person for person in people}
    for agreement in db.session.scalars(
        sa.select(SupervisionAgreement)
        .where(SupervisionAgreement.supervisee_id.in_(scope), SupervisionAgreement.agreed_on <= last_day)
        .order_by(SupervisionAgreement.agreed_on, SupervisionAgreement.id)
    ):
        person_from = floor.get(agreement.supervisee_id)
        if person_from is not None and agreement.ended_on is not None and agreement.ended_on < person_from:
            continue
        supervisee = people_by_id[agreement.supervisee_id]
        terms = agreement_terms(agreement, policy, supervisee.career_stage, supervisee.fte)
        agreements[agreement.supervisee_id].append(figures.AgreementSpan(terms, agreement.ended_on))

    # Absences matter from the earliest session an interval can restart at, not before.
    absences: dict[int, list[rules.AbsenceSpan]] = defaultdict(list)
    for staff_id, starts_on, ends_on in rows(
        sa.select(AbsencePeriod.staff_id, AbsencePeriod.starts_on, AbsencePeriod.ends_on).where(
            AbsencePeriod.staff_id.in_(scope), AbsencePeriod.starts_on <= last_day
        )
    ):
        if staff_id not in floor or ends_on >= floor[staff_id]:
            absences[staff_id].append(rules.AbsenceSpan(starts_on, ends_on))

    counted = _counted_facts(rows, scope, window, last_day) if with_counts else CountedFacts()
    histories = {
        person.id: PersonHistory(
            staff_id=person.id,
            employed_from=person.start_date,
            employed_until=person.end_date,
            agreements=tuple(agreements[person.id]),
            held=tuple(held[person.id]),
            absences=tuple(absences[person.id]),
            records=tuple(counted.records[person.id]),
            planned=tuple(counted.planned[person.id]),
            explanations=tuple(counted.explanations[person.id]),
            audits=tuple(counted.audits[person.id]),
            history_from=window.starts_on,
        )
        for person in people
    }
    return people, histories


@dataclass
class CountedFacts:
    """What the oversight counts read beyond the intervals, per person id."""

    records: dict[int, list[figures.RecordFacts]] = field(default_factory=lambda: defaultdict(list))
    planned: dict[int, list[figures.PlannedSession]] = field(default_factory=lambda: defaultdict(list))
    explanations: dict[int, list[figures.Explanation]] = field(default_factory=lambda: defaultdict(list))
    audits: dict[int, list[figures.AuditGrade]] = field(default_factory=lambda: defaultdict(list))


def _counted_facts(rows, scope: sa.Select | list[int], window: Period, last_day: date) -> CountedFacts:
    counted = CountedFacts()
    records = counted.records
    for supervisee_id, held_on, signed_at, disagrees, complete in rows(
        sa.select(
            SupervisionRecord.supervisee_id,
            SupervisionSession.held_on,
            SupervisionRecord.supervisor_signed_at,
            SupervisionRecord.supervisee_disagrees,
            _complete_record(),
        )
        .join(SupervisionSession, SupervisionSession.id == SupervisionRecord.session_id)
        .where(
            SupervisionRecord.supervisee_id.in_(scope),
            SupervisionSession.status == SessionStatus.HELD,
            SupervisionSession.held_on.between(window.starts_on, last_day),
        )
    ):
        records[supervisee_id].append(
            figures.RecordFacts(
                held_on=held_on,
                supervisor_signed_on=london_date(signed_at) if signed_at else None,
                complete=bool(complete),
                supervisee_disagrees=disagrees,
            )
        )

    planned = counted.planned
    first_moment = datetime.combine(window.starts_on - timedelta(days=1), time.min, tzinfo=UTC)
    last_moment = datetime.combine(last_day + timedelta(days=2), time.min, tzinfo=UTC)
    for supervisee_id, starts_at, status in rows(
        sa.select(
            SessionAttendee.supervisee_id, SupervisionSession.scheduled_start, SupervisionSession.status
        )
        .join(SupervisionSession, SupervisionSession.id == SessionAttendee.session_id)
        .where(
            SessionAttendee.supervisee_id.in_(scope),
            SupervisionSession.status != SessionStatus.SCHEDULED,
            SupervisionSession.scheduled_start >= first_moment,
            SupervisionSession.scheduled_start < last_moment,
        )
    ):
        day = london_date(starts_at)
        if window.starts_on <= day <= last_day:
            planned[supervisee_id].append(figures.PlannedSession(day, status == SessionStatus.CANCELLED))

    explanations = counted.explanations
    for supervisee_id, due_on, reason in rows(
        sa.select(
            OverdueExplanation.supervisee_id, OverdueExplanation.due_on, OverdueExplanation.reason
        ).where(
            OverdueExplanation.supervisee_id.in_(scope),
            OverdueExplanation.due_on.between(window.starts_on, last_day),
        )
    ):
        explanations[supervisee_id].append(figures.Explanation(due_on, reason.value))

    audits = counted.audits
    for supervisee_id, audited_at, grade in rows(
        sa.select(SupervisionRecord.supervisee_id, QualityAudit.audited_at, QualityAudit.grade)
        .join(SupervisionRecord, SupervisionRecord.id == QualityAudit.record_id)
        .where(
            SupervisionRecord.supervisee_id.in_(scope),
            QualityAudit.audited_at >= first_moment,
            QualityAudit.audited_at < last_moment,
        )
    ):
        audits[supervisee_id].append(figures.AuditGrade(london_date(audited_at), grade.value))
    return counted


# ---------------------------------------------------------------------------- team dashboard


@dataclass
class DashboardRow:
    person: Staff
    figures: DashboardFigures

    @property
    def months(self) -> tuple[MonthState, ...]:
        return self.figures.months

    @property
    def team_name(self) -> str:
        return self.person.team.name if self.person.team else ""


@dataclass
class Dashboard:
    rows: list[DashboardRow]
    months: list[Period]
    # What the page read to work the rows out, for its other parts (asye.dashboard_asye_reviews,
    # the cases overdue oversight) and the home page, so none reads them again.
    people: DashboardPeople
    policy: SupervisionPolicy | None


def team_dashboard(
    user: Staff, today: date, policies: Policies | None = None, *, with_grid: bool = True
) -> Dashboard:
    """Each person on the user's dashboard: today's status from the compliance engine and a
    12-month grid of how their supervision went, worked out now from their facts, so a status
    is never stale (docs/metrics.md, "Stored figures"). `policies`: the organisation's policy by
    its id, when the page has already read it. `with_grid=False` leaves each row's months empty:
    the home page counts today's statuses and shows no grid (about half a head of service's
    dashboard's work is the grid: docs/performance.md, "Home pages without the grid")."""
    scope = dashboard_people(user, today)
    policy = policy_for(user.organisation_id) if policies is None else policies.get(user.organisation_id)
    # Their roles are not shown (their eager load would be one more statement).
    people = list(
        db.session.scalars(
            sa.select(Staff)
            .where(Staff.id.in_(scope.in_post))
            .options(joinedload(Staff.team).joinedload(Team.service), lazyload(Staff.role_rows))
            .order_by(Staff.id)
        )
    )
    shown = (
        live_dashboard_figures(
            db.session,
            scope.in_post,
            user.organisation_id,
            today,
            people=people,
            policies={user.organisation_id: policy},
            with_grid=with_grid,
        )
        if people
        else {}
    )
    rows = [DashboardRow(person, shown[person.id]) for person in people]
    return Dashboard(rows, figures.months_ending(today, figures.TREND_MONTHS), scope, policy)


def live_dashboard_figures(
    session: AnySession,
    scope: sa.Select | list[int],
    organisation_id: int,
    today: date,
    *,
    people: list[Staff] | None = None,
    policies: Policies | None = None,
    with_grid: bool = True,
) -> dict[int, DashboardFigures]:
    """The dashboard's figures worked out now from each person's facts (all of one organisation).

    A page that has already read the people of `scope` (with their team and service) or the
    organisation's policy (`policies`, by organisation id) passes them, and they are not read again.
    Without the grid (`with_grid=False`) each person's months are empty and their histories are not
    read: every other figure is the same.
    """
    months = figures.months_ending(today, figures.TREND_MONTHS)
    if policies is None:
        policies = {organisation_id: policy_for(organisation_id)}
    results = {
        result.person.id: result
        for result in load_people(
            session,
            scope,
            today,
            people=None if people is None else {person.id: person for person in people},
            policies=policies,
        )
    }
    histories: dict[int, PersonHistory] = {}
    if with_grid:
        _, histories = load_histories(
            scope,
            Period(months[0].starts_on, today),
            today,
            policies.get(organisation_id),
            # load_people loads the people themselves (not rows of their dates).
            people=[result.person for result in results.values() if isinstance(result.person, Staff)],
            with_counts=False,  # the grid's month states need the intervals only
        )
    return {
        person_id: DashboardFigures(
            status=result.status,
            last_held_on=result.supervision.last_held_on,
            next_due_on=result.supervision.next_due_on,
            days_overdue=result.supervision.days_overdue,
            has_agreement=result.agreement is not None,
            write_ups_pending=result.assessment.write_ups_pending,
            write_ups_overdue=result.assessment.write_ups_overdue,
            actions_overdue=result.assessment.actions_overdue,
            working_days_overdue=result.supervision.working_days_overdue,
            months=tuple(figures.month_states(histories[person_id], months, today)) if with_grid else (),
        )
        for person_id, result in results.items()
    }


# --------------------------------------------------------------------------- oversight report


@dataclass
class UnitFigures:
    """One organisation, service, team or worker: figures for the period and each trend month."""

    level: Level
    id: int | None
    name: str
    period: Tally
    months: list[Tally]
    parent_name: str = ""


@dataclass
class PersonGrid:
    person: Staff
    states: list[MonthState]


@dataclass
class OversightReport:
    level: Level
    unit: UnitFigures
    children: list[UnitFigures]
    period: Period
    months: list[Period]
    today: date
    organisation_name: str
    trail: list[tuple[Level, int | None, str]] = field(default_factory=list)
    grid: list[PersonGrid] = field(default_factory=list)
    person: Staff | None = None
    # When the figures come from the stored figures (supervision.stored_figures.freshness), the
    # time they were worked out; None when they were worked out for this page.
    figures_as_at: datetime | None = None
    # The people the report counts (`report_people` of its viewer), for what reads it later.
    people: StaffIds | None = None
    # On an organisation's or a service's page, the organisation's stored figures' run when they
    # may be used for the period (`stored.usable_run`), even if the viewer's figures above could
    # not use them: the case section's stored counts follow each viewer's scope.
    stored_run: StoredFiguresRun | None = None
    # The teams the report covers (`team_ids_of` for its viewer and unit), for the sections that
    # read it later (cases, ASYE reviews, audits) without asking for them again.
    team_ids: list[int] = field(default_factory=list)


def trend_months(period: Period) -> list[Period]:
    return figures.months_ending(period.ends_on, figures.TREND_MONTHS)


def oversight_report(user: Staff, level: Level, unit_id: int | None, period: Period, today: date):
    """The report for one unit the user oversees, or None when they do not oversee it (a 404)."""
    with collector_paused():  # every person's history as small objects: see supervision.memory
        return _oversight_report(user, level, unit_id, period, today)


def _oversight_report(user: Staff, level: Level, unit_id: int | None, period: Period, today: date):
    person: Staff | None = None
    if level is Level.ORGANISATION:
        units = overseen_units(user)
    elif level is Level.SERVICE:
        units = overseen_units(user, Team.service_id == unit_id)
    elif level is Level.TEAM:
        units = overseen_units(user, Team.id == unit_id)
    else:
        person = db.session.get(Staff, unit_id)
        if person is None or person.team_id is None or not counts_person(user, person.id):
            return None
        units = overseen_units(user, Team.id == person.team_id)
    services = units.services
    if not services and level is not Level.ORGANISATION:
        return None
    organisation_name = user.organisation.name
    trail: list[tuple[Level, int | None, str]] = [(Level.ORGANISATION, None, organisation_name)]
    if level is Level.ORGANISATION:
        teams = units.team_list
        name = organisation_name
    elif level is Level.SERVICE:
        service = services[0]
        teams, name = units.teams[service.id], service.name
        trail.append((Level.SERVICE, service.id, service.name))
    else:
        team = units.team_list[0]
        teams, name = [team], team.name
        trail += [(Level.SERVICE, team.service.id, team.service.name), (Level.TEAM, team.id, team.name)]
        if person is not None:
            name = person.name
            trail.append((Level.PERSON, person.id, person.name))

    months = trend_months(period)
    usable = None
    if level in (Level.ORGANISATION, Level.SERVICE):
        usable = stored.usable_run(db.session, user.organisation_id, period, months, today)
    # The stored figures count everyone in a unit: they answer only when the viewer's report
    # counts everyone in the units it lists.
    run = usable if units.whole else None
    if run is not None:
        found = _stored_unit_figures(user, level, unit_id, name, services, teams, period, months)
        if found is None and level is Level.ORGANISATION:
            found = _organisation_from_service_months(services, name, period, months)
        if found is not None:
            unit, children = found
            return OversightReport(
                level=level,
                unit=unit,
                children=children,
                period=period,
                months=months,
                today=today,
                organisation_name=organisation_name,
                trail=trail,
                figures_as_at=run.worked_out_at,
                people=report_people(user),
                stored_run=usable,
                team_ids=[team.id for team in teams],
            )
    teams_of_service: dict[int, list[Team]] = defaultdict(list)
    for team in teams:
        teams_of_service[team.service_id].append(team)
    team_units, live = _team_units(user, teams, person, level, period, months, today, run)

    grids: list[PersonGrid] = []
    if level is Level.ORGANISATION:
        children = [
            roll_up(
                Level.SERVICE,
                service.id,
                service.name,
                [team_units[team.id] for team in teams_of_service[service.id]],
                months,
            )
            for service in services
        ]
        unit = roll_up(level, None, name, children, months)
    elif level is Level.SERVICE:
        children = [team_units[team.id] for team in teams]
        unit = roll_up(level, unit_id, name, children, months)
    elif level is Level.TEAM:
        live = _worked_out(live)
        by_name = sorted(live.people, key=lambda staff: (staff.family_name, staff.given_name))
        children = [
            live.person_units[staff.id]
            for staff in by_name
            if live.person_units[staff.id].period.staff_in_scope or staff.id in live.in_post_now
        ]
        unit = team_units[teams[0].id]  # the team's own
        grids = live.grids
    else:
        live = _worked_out(live)
        if person is None:
            raise ValueError("a person's report names the person")
        children = []
        unit = live.person_units.get(person.id) or roll_up(level, person.id, name, [], months)
        grids = live.grids
    grids.sort(key=lambda grid: (grid.person.family_name, grid.person.given_name))
    return OversightReport(
        level=level,
        unit=unit,
        children=children,
        period=period,
        months=months,
        today=today,
        organisation_name=organisation_name,
        trail=trail,
        grid=grids,
        person=person,
        figures_as_at=run.worked_out_at if run is not None else None,
        people=report_people(user),
        stored_run=usable,
        team_ids=[team.id for team in teams],
    )


def _team_units(
    user: Staff,
    teams: list[Team],
    person: Staff | None,
    level: Level,
    period: Period,
    months: list[Period],
    today: date,
    run,
) -> tuple[dict[int, UnitFigures], LiveFigures | None]:
    """Each team's figures: as stored when `run` can answer, otherwise worked out now."""
    if run is None:
        live = _live_figures(user, teams, person, level, period, months, today)
        return live.team_units, live
    found = stored.team_figures(db.session, teams, period, months)
    return {
        team.id: UnitFigures(
            Level.TEAM, team.id, team.name, found[team.id].period, found[team.id].months, team.service.name
        )
        for team in teams
    }, None


@dataclass
class TeamGaps:
    """The teams a service manager oversees with the most people overdue now, most first."""

    teams: list[UnitFigures]
    period: Period
    # When the figures were stored (supervision.stored_figures); None when worked out for this page.
    figures_as_at: datetime | None


def teams_with_largest_gaps(user: Staff, period: Period, today: date, limit: int) -> TeamGaps:
    """The oversight report's team figures (stored or live, as its pages choose), ranked by the
    people overdue now (escalated included), then escalated now: the home page's "largest gaps"."""
    units = overseen_units(user)
    months = trend_months(period)
    # Stored unit figures count everyone in a unit: used only when the viewer oversees them all.
    run = None
    if units.whole:
        run = stored.usable_run(db.session, user.organisation_id, period, months, today)
    team_units, _ = _team_units(user, units.team_list, None, Level.SERVICE, period, months, today, run)
    with_gaps = [unit for unit in team_units.values() if unit.period.overdue_now]
    with_gaps.sort(key=lambda unit: (-unit.period.overdue_now, -unit.period.escalated_now, unit.name.lower()))
    return TeamGaps(with_gaps[:limit], period, run.worked_out_at if run is not None else None)


def _organisation_from_service_months(
    services: list[Service], name: str, period: Period, months: list[Period]
) -> tuple[UnitFigures, list[UnitFigures]]:
    """The organisation and its services for a whole-month period other than the default, from
    the services' stored months: the organisation page needs no team rows."""
    found = stored.service_figures(db.session, [service.id for service in services], period, months)
    children = [
        UnitFigures(
            Level.SERVICE, service.id, service.name, found[service.id].period, found[service.id].months
        )
        for service in services
    ]
    return roll_up(Level.ORGANISATION, None, name, children, months), children


def _stored_unit_figures(
    user: Staff,
    level: Level,
    unit_id: int | None,
    name: str,
    services: list[Service],
    teams: list[Team],
    period: Period,
    months: list[Period],
) -> tuple[UnitFigures, list[UnitFigures]] | None:
    """The unit's and its children's figures as stored for the default period, if they were."""
    if level is Level.SERVICE:
        if unit_id is None:
            raise ValueError("a service's figures need its id")
        found = stored.unit_figures(
            db.session, user.organisation_id, period, {"service": [unit_id], "team": [t.id for t in teams]}
        )
        if found is None:
            return None
        service = found["service", unit_id]
        children = [
            UnitFigures(
                Level.TEAM,
                t.id,
                t.name,
                found["team", t.id].period,
                found["team", t.id].months,
                t.service.name,
            )
            for t in teams
        ]
        return UnitFigures(level, unit_id, name, service.period, service.months), children
    found = stored.unit_figures(
        db.session, user.organisation_id, period, {"organisation": [0], "service": [s.id for s in services]}
    )
    if found is None:
        return None
    children = [
        UnitFigures(Level.SERVICE, s.id, s.name, found["service", s.id].period, found["service", s.id].months)
        for s in services
    ]
    every_service = db.session.execute(
        sa.select(sa.func.count()).select_from(Service).where(Service.organisation_id == user.organisation_id)
    ).scalar_one()
    if len(services) == every_service:
        whole = found["organisation", 0]
        return UnitFigures(level, None, name, whole.period, whole.months), children
    return roll_up(
        level, None, name, children, [None] * len(children[0].months) if children else []
    ), children


def roll_up(
    level: Level,
    unit_id: int | None,
    name: str,
    parts: list[UnitFigures],
    months: Sized,
    parent: str = "",
) -> UnitFigures:
    """A unit's figures as the sum of its parts' (people, teams or services), month by month
    for as many months as `months` has."""
    return UnitFigures(
        level,
        unit_id,
        name,
        figures.total(part.period for part in parts),
        [figures.total(part.months[index] for part in parts) for index in range(len(months))],
        parent,
    )


def _worked_out(live: LiveFigures | None) -> LiveFigures:
    """The live figures, which a team's or a person's report always works out."""
    if live is None:
        raise ValueError("a team's or a person's report works out its people's figures live")
    return live


@dataclass
class LiveFigures:
    people: list[Staff]
    person_units: dict[int, UnitFigures]
    team_units: dict[int, UnitFigures]
    in_post_now: set[int]
    grids: list[PersonGrid]


def _live_figures(
    user: Staff,
    teams: list[Team],
    person: Staff | None,
    level: Level,
    period: Period,
    months: list[Period],
    today: date,
) -> LiveFigures:
    """Every person's figures worked out from their history now, added up by team.

    A service or the organisation needs only its teams' figures: their people are worked out a
    batch of teams at a time, and each batch's histories are let go before the next is read, so
    memory stays that of one batch however large the organisation (docs/performance.md).
    """
    if level in (Level.TEAM, Level.PERSON):
        return _live_people(user, teams, person, level, period, months, today)
    team_units: dict[int, UnitFigures] = {}
    batches = math.ceil(len(teams) / LIVE_TEAMS_PER_BATCH)
    size = math.ceil(len(teams) / batches) if batches else 0
    for start in range(0, len(teams), size or 1):
        if start:
            gc.collect()  # the last batch's ORM objects hold reference cycles; the report runs paused
        batch = teams[start : start + size]
        team_units |= _live_people(user, batch, None, level, period, months, today).team_units
    return LiveFigures([], {}, team_units, set(), [])


def _live_people(
    user: Staff,
    teams: list[Team],
    person: Staff | None,
    level: Level,
    period: Period,
    months: list[Period],
    today: date,
) -> LiveFigures:
    """The figures of everyone in `teams` (or of `person`), one by one and added up by team."""
    window = Period(min(period.starts_on, months[0].starts_on), period.ends_on)
    team_ids = [team.id for team in teams]
    scope = sa.select(Staff.id).where(
        Staff.organisation_id == user.organisation_id,
        Staff.team_id.in_(team_ids),
        Staff.id.in_(report_people(user)),
        Staff.start_date <= window.ends_on,
        sa.or_(Staff.end_date.is_(None), Staff.end_date >= window.starts_on),
    )
    if person is not None:
        scope = scope.where(Staff.id == person.id)
    policy = policy_for(user.organisation_id)
    thresholds = thresholds_for(policy)
    people, histories = load_histories(scope, window, today, policy)
    # As in team_dashboard: up to SCOPE_BY_ID_LIMIT people, named ids let the planner count them.
    if len(people) <= SCOPE_BY_ID_LIMIT:
        scope = sa.select(Staff.id).where(Staff.id.in_([staff.id for staff in people]))
    now = {result.person.id: result for result in load_people(db.session, in_post(scope, today), today)}

    person_units: dict[int, UnitFigures] = {}
    grids: list[PersonGrid] = []
    for staff in people:
        history = histories[staff.id]
        found = figures.intervals(history, today)
        period_tally, *month_tallies = figures.tally_person_periods(
            history, [period, *months], today, thresholds, found
        )
        if staff.id in now:
            result = now[staff.id]
            period_tally += figures.tally_now(result.status, result.assessment.actions_overdue)
        person_units[staff.id] = UnitFigures(Level.PERSON, staff.id, staff.name, period_tally, month_tallies)
        if level in (Level.TEAM, Level.PERSON):
            grids.append(PersonGrid(staff, figures.month_states(history, months, today, found)))

    members: dict[int, list[UnitFigures]] = defaultdict(list)
    for staff in people:
        if staff.team_id is not None:  # the people of these teams
            members[staff.team_id].append(person_units[staff.id])
    team_units = {
        team.id: roll_up(Level.TEAM, team.id, team.name, members[team.id], months, team.service.name)
        for team in teams
    }
    return LiveFigures(people, person_units, team_units, set(now), grids)
