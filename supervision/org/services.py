"""Organisation use cases: services, teams and staff. Each use case is one transaction.

Checks that need the database (unique email and employee number, a line-management loop,
ids that belong to the organisation) live here; the rest are the pure rules in `rules.py`.
Bad input raises `OrgValidationError` before anything is written.
"""

from __future__ import annotations

import dataclasses
import logging
import math
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload, selectinload

from supervision import limits
from supervision.audit.services import AuditAction, record_event
from supervision.clock import clock
from supervision.extensions import db
from supervision.org import rules
from supervision.org.changes import AccessChange, AccessState, record_changes
from supervision.org.models import CareerStage, Role, Service, Staff, StaffRole, Team
from supervision.org.rules import StaffDetails
from supervision.permissions import head_ids_of, overseer_ids, oversight_gained

log = logging.getLogger(__name__)

STAFF_PER_PAGE = 50
MAX_SEARCH_WORDS = 10  # each word adds a condition; more than this is not a search anyone types


def email_is(email: str) -> sa.ColumnElement[bool]:
    """The person's email address, compared as people type it: case and surrounding spaces aside."""
    return sa.func.lower(Staff.email) == email.strip().lower()


def employee_number_is(number: str) -> sa.ColumnElement[bool]:
    """The person's employee number, compared as the uniqueness check compares it: case aside."""
    return sa.func.lower(Staff.employee_number) == number.strip().lower()


def find_by_email(email: str) -> Staff | None:
    return db.session.scalar(sa.select(Staff).where(email_is(email)))


class OrgValidationError(Exception):
    """Input refused by a use case: form field name -> message, for the view to show on the form."""

    def __init__(self, errors: Mapping[str, str]):
        super().__init__("refused: " + ", ".join(sorted(errors)))
        self.errors = dict(errors)


def _refuse_if(problems: Mapping[str, str | None]) -> None:
    """Raise with every problem found; a None message means that field is fine."""
    found = {field: message for field, message in problems.items() if message}
    if found:
        raise OrgValidationError(found)


def commit_or_explain(
    recheck: Callable[[], Mapping[str, str | None]], write: Callable[[], object] | None = None
) -> None:
    """Write (`write`, then commit); if a unique constraint was beaten by a concurrent request,
    say which field clashed.

    After the rollback the other request's row is visible, so running the checks again finds it.
    """
    try:
        if write is not None:
            write()
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        _refuse_if(recheck())
        raise


# Look-ups ---------------------------------------------------------------------------------


def get_service(organisation_id: int, service_id: int) -> Service | None:
    return db.session.scalar(
        sa.select(Service).where(Service.id == service_id, Service.organisation_id == organisation_id)
    )


def get_team(organisation_id: int, team_id: int) -> Team | None:
    return db.session.scalar(
        sa.select(Team)
        .join(Team.service)
        .where(Team.id == team_id, Service.organisation_id == organisation_id)
        .options(joinedload(Team.service))
    )


def get_staff(organisation_id: int, staff_id: int) -> Staff | None:
    return db.session.scalar(
        sa.select(Staff)
        .where(Staff.id == staff_id, Staff.organisation_id == organisation_id)
        .options(joinedload(Staff.team).joinedload(Team.service), joinedload(Staff.line_manager))
    )


def services_with_teams(organisation_id: int) -> list[Service]:
    """Every service with its head, teams and team managers, in three queries whatever the size."""
    return list(
        db.session.scalars(
            sa.select(Service)
            .where(Service.organisation_id == organisation_id)
            .options(
                joinedload(Service.manager),
                selectinload(Service.teams).joinedload(Team.manager),
            )
            .order_by(Service.name)
        ).unique()
    )


def _offered_as_manager(organisation_id: int, keep_id: int | None) -> sa.ColumnElement[bool]:
    """Who may be chosen as a manager: active staff of the organisation, plus the one currently
    chosen even if deactivated."""
    condition: sa.ColumnElement[bool] = Staff.active.is_(True)
    if keep_id is not None:
        condition = sa.or_(condition, Staff.id == keep_id)
    return sa.and_(Staff.organisation_id == organisation_id, condition)


def staff_options(organisation_id: int, keep_id: int | None = None) -> list[tuple[int, str]]:
    """Active staff to choose from as a manager, plus the one currently chosen even if deactivated."""
    rows = db.session.execute(
        sa.select(Staff.id, Staff.given_name, Staff.family_name, Staff.job_title)
        .where(_offered_as_manager(organisation_id, keep_id))
        .order_by(Staff.family_name, Staff.given_name, Staff.id)
    )
    return [
        (row.id, f"{row.given_name} {row.family_name}" + (f" ({row.job_title})" if row.job_title else ""))
        for row in rows
    ]


def too_many_to_list(organisation_id: int) -> bool:
    """More active staff than a select can offer (limits.MAX_LISTED_MANAGERS): the staff form
    then asks for the line manager's email address or employee number (docs/roles.md).

    Counts no further than one past the limit, so a national organisation costs no more than a
    council."""
    first_few = (
        sa.select(Staff.id)
        .where(Staff.organisation_id == organisation_id, Staff.active.is_(True))
        .limit(limits.MAX_LISTED_MANAGERS + 1)
        .subquery()
    )
    counted = db.session.scalar(sa.select(sa.func.count()).select_from(first_few)) or 0
    return counted > limits.MAX_LISTED_MANAGERS


def find_manager(organisation_id: int, text: str, keep_id: int | None = None) -> int | None:
    """The id of the one person `staff_options` would offer whose email address or employee
    number this is (case aside); None if there is no such person, or more than one."""
    ids = db.session.scalars(
        sa.select(Staff.id)
        .where(
            _offered_as_manager(organisation_id, keep_id),
            sa.or_(email_is(text), employee_number_is(text)),
        )
        .limit(2)
    ).all()
    return ids[0] if len(ids) == 1 else None


def team_options(organisation_id: int) -> list[tuple[int, str]]:
    rows = db.session.execute(
        sa.select(Team.id, Team.name, Service.name.label("service_name"))
        .join(Team.service)
        .where(Service.organisation_id == organisation_id)
        .order_by(Service.name, Team.name)
    )
    return [(row.id, f"{row.service_name}: {row.name}") for row in rows]


def service_options(organisation_id: int) -> list[tuple[int, str]]:
    rows = db.session.execute(
        sa.select(Service.id, Service.name)
        .where(Service.organisation_id == organisation_id)
        .order_by(Service.name)
    )
    return [(row.id, row.name) for row in rows]


# Shared checks ----------------------------------------------------------------------------


def _staff_in_organisation(organisation_id: int, staff_id: int) -> Staff | None:
    return db.session.scalar(
        sa.select(Staff).where(Staff.id == staff_id, Staff.organisation_id == organisation_id)
    )


def _manager_problem(organisation_id: int, manager_id: int | None, current_id: int | None) -> str | None:
    """A chosen manager must be active staff of this organisation (the current choice may stay)."""
    if manager_id is None:
        return None
    manager = _staff_in_organisation(organisation_id, manager_id)
    if manager is None or (not manager.active and manager_id != current_id):
        return "Choose a member of staff from the list"
    return None


def _name_taken(query: sa.Select) -> bool:
    return db.session.scalar(sa.select(query.exists())) is True


# Services -----------------------------------------------------------------------------------


def _service_problems(
    organisation_id: int, name: str, manager_id: int | None, service: Service | None
) -> dict[str, str | None]:
    problems = {"name": rules.name_problem(name, "service")}
    same_name = sa.select(Service.id).where(
        Service.organisation_id == organisation_id, sa.func.lower(Service.name) == name.strip().lower()
    )
    if service is not None:
        same_name = same_name.where(Service.id != service.id)
    if not problems["name"] and _name_taken(same_name):
        problems["name"] = f"There is already a service called {name.strip()}"
    problems["manager_id"] = _manager_problem(
        organisation_id, manager_id, service.manager_id if service else None
    )
    return problems


def _head_problem(actor_id: int | None, manager_id: int | None, current_id: int | None) -> str | None:
    """Separation of duties: nobody makes themselves a team's manager or a service's head."""
    if actor_id is not None and manager_id == actor_id and current_id != actor_id:
        return rules.OWN_TEAM_OR_SERVICE
    return None


def _audit_head(actor_id: int | None, subject, old_id: int | None, new_id: int | None, created: bool):
    if old_id != new_id:
        db.session.flush()
        record_event(
            db.session.get(Staff, actor_id) if actor_id is not None else None,
            AuditAction.CREATE if created else AuditAction.UPDATE,
            subject.__tablename__,
            subject.id,
            changes={"manager_id": [old_id, new_id]},
        )


def create_service(
    organisation_id: int, name: str, manager_id: int | None, actor_id: int | None = None
) -> Service:
    problems = _service_problems(organisation_id, name, manager_id, None)
    problems["manager_id"] = problems["manager_id"] or _head_problem(actor_id, manager_id, None)
    _refuse_if(problems)
    service = Service(organisation_id=organisation_id, name=name.strip(), manager_id=manager_id)
    db.session.add(service)
    _audit_head(actor_id, service, None, manager_id, created=True)
    commit_or_explain(lambda: _service_problems(organisation_id, name, manager_id, None))
    log.info("service created", extra={"service_id": service.id})
    return service


def update_service(
    organisation_id: int, service_id: int, name: str, manager_id: int | None, actor_id: int | None = None
) -> Service:
    service = get_service(organisation_id, service_id)
    if service is None:
        raise LookupError(service_id)
    problems = _service_problems(organisation_id, name, manager_id, service)
    problems["manager_id"] = problems["manager_id"] or _head_problem(actor_id, manager_id, service.manager_id)
    _refuse_if(problems)
    old_manager_id = service.manager_id
    service.name, service.manager_id = name.strip(), manager_id
    _audit_head(actor_id, service, old_manager_id, manager_id, created=False)
    commit_or_explain(
        lambda: _service_problems(organisation_id, name, manager_id, get_service(organisation_id, service_id))
    )
    log.info("service updated", extra={"service_id": service.id})
    return service


# Teams --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TeamDetails:
    name: str
    service_id: int | None
    establishment_fte: Decimal
    manager_id: int | None


def _team_problems(organisation_id: int, details: TeamDetails, team: Team | None) -> dict[str, str | None]:
    problems: dict[str, str | None] = {
        "name": rules.name_problem(details.name, "team"),
        "establishment_fte": rules.establishment_fte_problem(details.establishment_fte),
        "manager_id": _manager_problem(
            organisation_id, details.manager_id, team.manager_id if team else None
        ),
    }
    service = get_service(organisation_id, details.service_id) if details.service_id else None
    if service is None:
        problems["service_id"] = "Choose a service from the list"
    elif not problems["name"]:
        same_name = sa.select(Team.id).where(
            Team.service_id == service.id, sa.func.lower(Team.name) == details.name.strip().lower()
        )
        if team is not None:
            same_name = same_name.where(Team.id != team.id)
        if _name_taken(same_name):
            problems["name"] = f"{service.name} already has a team called {details.name.strip()}"
    return problems


def create_team(organisation_id: int, details: TeamDetails, actor_id: int | None = None) -> Team:
    problems = _team_problems(organisation_id, details, None)
    problems["manager_id"] = problems["manager_id"] or _head_problem(actor_id, details.manager_id, None)
    _refuse_if(problems)
    team = Team(
        service_id=details.service_id,
        name=details.name.strip(),
        establishment_fte=details.establishment_fte,
        manager_id=details.manager_id,
    )
    db.session.add(team)
    _audit_head(actor_id, team, None, details.manager_id, created=True)
    commit_or_explain(lambda: _team_problems(organisation_id, details, None))
    log.info("team created", extra={"team_id": team.id})
    return team


def update_team(
    organisation_id: int, team_id: int, details: TeamDetails, actor_id: int | None = None
) -> Team:
    team = get_team(organisation_id, team_id)
    if team is None:
        raise LookupError(team_id)
    problems = _team_problems(organisation_id, details, team)
    problems["manager_id"] = problems["manager_id"] or _head_problem(
        actor_id, details.manager_id, team.manager_id
    )
    _refuse_if(problems)
    if details.service_id is None:  # _team_problems refuses a team with no service
        raise ValueError("a team is in a service")
    _audit_head(actor_id, team, team.manager_id, details.manager_id, created=False)
    team.name = details.name.strip()
    team.service_id = details.service_id
    team.establishment_fte = details.establishment_fte
    team.manager_id = details.manager_id
    commit_or_explain(lambda: _team_problems(organisation_id, details, get_team(organisation_id, team_id)))
    log.info("team updated", extra={"team_id": team.id})
    return team


# Staff --------------------------------------------------------------------------------------


def management_chain(start_id: int) -> dict[int, int | None]:
    """person id -> line manager id for `start_id` and everyone above them, in one query.

    UNION (not UNION ALL) drops repeated rows, so even a loop already in the data ends.
    """
    chain = (
        sa.select(Staff.id, Staff.line_manager_id).where(Staff.id == start_id).cte("chain", recursive=True)
    )
    above = sa.select(Staff.id, Staff.line_manager_id).join(chain, Staff.id == chain.c.line_manager_id)
    chain = chain.union(above)
    return {
        row.id: row.line_manager_id
        for row in db.session.execute(sa.select(chain.c.id, chain.c.line_manager_id))
    }


def _staff_problems(organisation_id: int, details: StaffDetails, person: Staff | None) -> dict[str, str]:
    """Every reason to refuse these details for this person (None: a new person)."""
    problems = rules.staff_details_problems(details)
    person_id = person.id if person else None

    def taken(column, value) -> bool:
        query = sa.select(Staff.id).where(sa.func.lower(column) == value.lower())
        if person_id is not None:
            query = query.where(Staff.id != person_id)
        return _name_taken(query)

    if "email" not in problems and taken(Staff.email, details.email):
        problems["email"] = "There is already a member of staff with this email address"
    if (
        details.employee_number
        and "employee_number" not in problems
        and taken(Staff.employee_number, details.employee_number)
    ):
        problems["employee_number"] = "There is already a member of staff with this employee number"
    if details.team_id is not None and get_team(organisation_id, details.team_id) is None:
        problems["team_id"] = "Choose a team from the list"
    manager_problem = _manager_problem(
        organisation_id, details.line_manager_id, person.line_manager_id if person else None
    ) or rules.line_manager_problem(
        person_id,
        details.line_manager_id,
        management_chain(details.line_manager_id) if details.line_manager_id else {},
    )
    if manager_problem:
        problems["line_manager_id"] = manager_problem
    return problems


def overseers_after(
    organisation_id: int, person_id: int | None, line_manager_id: int | None, team_id: int | None
) -> tuple[set[int], set[int]]:
    """(everyone who would oversee the person, those of them through the line-management chain)."""
    chain = management_chain(line_manager_id) if line_manager_id is not None else {}
    team = get_team(organisation_id, team_id) if team_id is not None else None
    in_line = overseer_ids(person_id, line_manager_id, (), chain)
    return in_line | overseer_ids(person_id, None, head_ids_of(team), {}), in_line


def _duty_problems(
    organisation_id: int,
    actor: Staff | None,
    person: Staff | None,
    details: StaffDetails,
    roles: set[Role] | None,
) -> dict[str, str]:
    """Separation of duties (docs/roles.md): what the person making a change may not change.

    Nobody puts themselves above someone they were not above before (as line manager, further
    up the line, or as the manager of their team or head of its service); email addresses and
    roles follow `rules.email_change_problem` and `rules.roles_change_problem`.
    """
    if actor is None:
        return {}
    problems: dict[str, str] = {}
    person_id = person.id if person else None
    before = (
        overseers_after(organisation_id, person_id, person.line_manager_id, person.team_id)[0]
        if person is not None
        else set()
    )
    after, in_line = overseers_after(organisation_id, person_id, details.line_manager_id, details.team_id)
    if person_id != actor.id and oversight_gained(actor.id, before, after):
        if actor.id in in_line:
            problems["line_manager_id"] = rules.LINE_MANAGER_GAINED
        else:
            problems["team_id"] = rules.TEAM_GAINED
    if person is not None and details.email != person.email:
        message = rules.email_change_problem(actor.id, actor.roles, person.id, person.roles)
        if message:
            problems["email"] = message
    if roles is not None and roles != (person.roles if person else frozenset()):
        message = rules.roles_change_problem(actor.roles) or (
            rules.own_roles_problem(actor.id, person.id, person.roles, roles) if person else None
        )
        if message:
            problems["roles"] = message
    return problems


def _apply(person: Staff, details: StaffDetails) -> None:
    for field in dataclasses.fields(details):
        setattr(person, field.name, getattr(details, field.name))
    person.updated_at = clock().now()


def _set_roles(person: Staff, roles: Iterable[Role]) -> None:
    """Keep the rows for roles kept, drop the rest, add the new ones."""
    wanted = set(roles)
    person.role_rows = [row for row in person.role_rows if row.role in wanted] + [
        StaffRole(role=role) for role in sorted(wanted - person.roles)
    ]


def create_staff(
    organisation_id: int, details: StaffDetails, roles: Iterable[Role] = (), actor_id: int | None = None
) -> Staff:
    """Add a person. No password is set here: the create-admin command or an invitation does that.

    The line manager, team and roles given are audited, and the line manager told.
    """
    details = rules.normalised(details)
    roles = set(roles)
    actor = db.session.get(Staff, actor_id) if actor_id is not None else None
    _refuse_if(
        {
            **_duty_problems(organisation_id, actor, None, details, roles or None),
            **_staff_problems(organisation_id, details, None),
        }
    )
    person = Staff(organisation_id=organisation_id, created_at=clock().now())
    _apply(person, details)
    _set_roles(person, roles)
    db.session.add(person)

    def write() -> None:
        db.session.flush()  # the new person's id, for the audit entry
        record_changes(actor, [AccessChange(person.id, None, AccessState.of(person))], clock().now())

    commit_or_explain(lambda: _staff_problems(organisation_id, details, None), write)
    log.info("staff created", extra={"staff_id": person.id})
    return person


def update_staff(
    organisation_id: int,
    staff_id: int,
    details: StaffDetails,
    roles: Iterable[Role] | None,
    actor_id: int,
) -> Staff:
    """Change a person's employment details, and their roles unless `roles` is None (HR may not).

    Refused, writing nothing, when it breaks the separation of duties (`_duty_problems`).
    Changes to line manager, team, roles and email are audited with old and new values and
    the person and their old and new line managers told, in the same transaction.
    """
    details = rules.normalised(details)
    person = get_staff(organisation_id, staff_id)
    if person is None:
        raise LookupError(staff_id)
    actor = db.session.get(Staff, actor_id)
    roles = set(roles) if roles is not None else None
    problems = _staff_problems(organisation_id, details, person)
    for field, message in _duty_problems(organisation_id, actor, person, details, roles).items():
        problems.setdefault(field, message)
    _refuse_if(problems)
    before = AccessState.of(person)
    _apply(person, details)
    if roles is not None:
        _set_roles(person, roles)
    commit_or_explain(
        lambda: _staff_problems(organisation_id, details, get_staff(organisation_id, staff_id)),
        lambda: record_changes(
            actor, [AccessChange(person.id, before, AccessState.of(person))], clock().now()
        ),
    )
    log.info("staff updated", extra={"staff_id": person.id, "roles_changed": roles is not None})
    return person


def set_staff_active(organisation_id: int, staff_id: int, active: bool, actor_id: int) -> Staff:
    """Deactivate (cannot sign in; records stay) or reactivate a person."""
    person = get_staff(organisation_id, staff_id)
    if person is None:
        raise LookupError(staff_id)
    if not active:
        _refuse_if({"confirm": rules.deactivation_problem(actor_id, person.id)})
    before = AccessState.of(person)
    person.active = active
    person.updated_at = clock().now()
    record_changes(
        db.session.get(Staff, actor_id),
        [AccessChange(person.id, before, AccessState.of(person))],
        clock().now(),
    )
    db.session.commit()
    log.info("staff %s", "reactivated" if active else "deactivated", extra={"staff_id": person.id})
    return person


# The staff list -----------------------------------------------------------------------------


class StaffStatus:
    ACTIVE = "active"
    LEFT = "left"


class StaffNeed:
    """Something an administrator has still to set up for a person."""

    NO_AGREEMENT = "no-agreement"  # no current supervision agreement as supervisee
    # A filter's name, not a password: people who cannot sign in without single sign-on.
    NO_PASSWORD = "no-password"  # noqa: S105  # nosec B105


# The agreements table by name, for the "no current agreement" filter: org is the floor below
# agreements and never imports it (docs/development.md); tests/org's filter tests catch a rename.
AGREEMENTS = sa.table("supervision_agreement", sa.column("supervisee_id"), sa.column("ended_on"))


@dataclass(frozen=True)
class StaffFilters:
    search: str = ""
    service_id: int | None = None
    team_id: int | None = None
    role: Role | None = None
    career_stage: CareerStage | None = None
    status: str | None = None
    need: str | None = None


@dataclass(frozen=True)
class StaffPage:
    staff: list[Staff]
    total: int
    page: int
    pages: int

    @property
    def first_number(self) -> int:
        """Position in the whole list of the first person on this page, counting from 1."""
        return (self.page - 1) * STAFF_PER_PAGE + 1

    @property
    def last_number(self) -> int:
        return self.first_number + len(self.staff) - 1


def _filtered(query: sa.Select, filters: StaffFilters, today) -> sa.Select:
    for term in filters.search.lower().split()[:MAX_SEARCH_WORDS]:
        query = query.where(
            sa.or_(
                Staff.given_name.icontains(term, autoescape=True),
                Staff.family_name.icontains(term, autoescape=True),
                Staff.email.icontains(term, autoescape=True),
                Staff.employee_number.icontains(term, autoescape=True),
            )
        )
    if filters.service_id is not None:
        query = query.where(
            Staff.team_id.in_(sa.select(Team.id).where(Team.service_id == filters.service_id))
        )
    if filters.team_id is not None:
        query = query.where(Staff.team_id == filters.team_id)
    if filters.role is not None:
        query = query.where(Staff.role_rows.any(StaffRole.role == filters.role))
    if filters.career_stage is not None:
        query = query.where(Staff.career_stage == filters.career_stage)
    in_post = sa.and_(Staff.active.is_(True), sa.or_(Staff.end_date.is_(None), Staff.end_date >= today))
    if filters.status == StaffStatus.ACTIVE:
        query = query.where(in_post)
    elif filters.status == StaffStatus.LEFT:
        query = query.where(sa.not_(in_post))
    if filters.need == StaffNeed.NO_AGREEMENT:
        query = query.where(
            ~sa.exists().where(AGREEMENTS.c.supervisee_id == Staff.id, AGREEMENTS.c.ended_on.is_(None))
        )
    elif filters.need == StaffNeed.NO_PASSWORD:
        query = query.where(Staff.password_hash.is_(None))
    return query


def staff_count(organisation_id: int, filters: StaffFilters, today) -> int:
    """How many staff the staff list shows for `filters` (its "N people" line), one statement."""
    query = _filtered(sa.select(Staff.id).where(Staff.organisation_id == organisation_id), filters, today)
    return db.session.scalar(sa.select(sa.func.count()).select_from(query.subquery())) or 0


def staff_page(organisation_id: int, filters: StaffFilters, page: int, today) -> StaffPage:
    """One page of the staff list: a count and a page query, whatever the number of staff.

    Every search word must match the given name, family name, email or employee number.
    "Active" means in post today with an active account; "left" is everyone else.
    """
    query = _filtered(sa.select(Staff).where(Staff.organisation_id == organisation_id), filters, today)
    total = staff_count(organisation_id, filters, today)
    pages = max(1, math.ceil(total / STAFF_PER_PAGE))
    page = min(max(page, 1), pages)
    staff = db.session.scalars(
        query.options(joinedload(Staff.team).joinedload(Team.service))
        .order_by(Staff.family_name, Staff.given_name, Staff.id)
        .limit(STAFF_PER_PAGE)
        .offset((page - 1) * STAFF_PER_PAGE)
    ).unique()
    return StaffPage(staff=list(staff), total=total, page=page, pages=pages)
