"""The oversight limits page's use cases: the organisation's limit per category and each team's
overrides (docs/cases.md "The limit"). Administrators only; every change is audited with its old
and new values in the same transaction."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import sqlalchemy as sa

from supervision import limits
from supervision.audit.services import AuditAction, record_event
from supervision.cases.models import CaseOversightLimit
from supervision.cases.rules import DEFAULT_LIMIT_DAYS, CaseCategory
from supervision.clock import clock
from supervision.extensions import db
from supervision.org.models import Service, Staff, Team
from supervision.permissions import content_barred, may_manage_organisation
from supervision.service_errors import NotPermitted, ServiceError

DAYS = limits.CASE_OVERSIGHT_DAYS


@dataclass(frozen=True)
class CategoryLimit:
    category: CaseCategory
    default_days: int
    organisation_days: int | None  # None: the default applies

    @property
    def days(self) -> int:
        return self.organisation_days if self.organisation_days is not None else self.default_days


@dataclass(frozen=True)
class TeamOverride:
    id: int
    team_id: int
    team_name: str
    service_name: str
    category: CaseCategory
    days: int
    organisation_days: int  # what the team would have without the override


def may_manage_limits(actor: Staff) -> bool:
    """Administrators; not someone who also holds the HR role (HR never sees cases)."""
    return may_manage_organisation(actor) and not content_barred(actor)


def days_problem(days: int | None, label: str, required: bool = True) -> str | None:
    if days is None:
        return f"Enter {label[0].lower()}{label[1:]}" if required else None
    if not DAYS.low <= days <= DAYS.high:
        return f"{label} must be a whole number of days between {DAYS.low} and {DAYS.high}"
    return None


def organisation_limits(organisation_id: int) -> list[CategoryLimit]:
    set_days = dict(
        db.session.execute(
            sa.select(CaseOversightLimit.category, CaseOversightLimit.days).where(
                CaseOversightLimit.organisation_id == organisation_id, CaseOversightLimit.team_id.is_(None)
            )
        ).all()
    )
    return [
        CategoryLimit(category, DEFAULT_LIMIT_DAYS[category], set_days.get(category))
        for category in CaseCategory
    ]


def team_overrides(organisation_id: int) -> list[TeamOverride]:
    organisation = {row.category: row.days for row in organisation_limits(organisation_id)}
    rows = db.session.execute(
        sa.select(CaseOversightLimit, Team.id, Team.name, Service.name)
        .join(Team, Team.id == CaseOversightLimit.team_id)
        .join(Service, Service.id == Team.service_id)
        .where(CaseOversightLimit.organisation_id == organisation_id)
        .order_by(Service.name, Team.name)
    ).all()
    overrides = [
        TeamOverride(
            limit.id, team_id, team, service, limit.category, limit.days, organisation[limit.category]
        )
        for limit, team_id, team, service in rows
    ]
    order = list(CaseCategory)
    return sorted(overrides, key=lambda o: (o.service_name, o.team_name, order.index(o.category)))


def teams_of(organisation_id: int) -> list[tuple[int, str]]:
    """(team id, "Service: Team") for the team picker."""
    return [
        (team_id, f"{service}: {team}")
        for team_id, team, service in db.session.execute(
            sa.select(Team.id, Team.name, Service.name)
            .join(Service, Service.id == Team.service_id)
            .where(Service.organisation_id == organisation_id)
            .order_by(Service.name, Team.name)
        )
    ]


def _check(actor: Staff) -> None:
    if not may_manage_limits(actor):
        raise NotPermitted()


def _audit(
    actor: Staff, action: AuditAction, limit: CaseOversightLimit, before: int | None, after: int | None
) -> None:
    changes: dict[str, list[int | str | None]] = {"days": [before, after]}
    if action is not AuditAction.UPDATE:
        changes["category"] = [None, str(limit.category)] if before is None else [str(limit.category), None]
        if limit.team_id is not None:
            changes["team_id"] = [None, limit.team_id] if before is None else [limit.team_id, None]
    record_event(actor, action, limit.__tablename__, limit.id, changes=changes)


def set_organisation_limits(actor: Staff, days: Mapping[CaseCategory, int | None]) -> int:
    """The organisation's limit per category (None: back to the default); how many changed."""
    _check(actor)
    for category, value in days.items():
        if problem := days_problem(value, category.label, required=False):
            raise ServiceError(problem, field=category.value)
    existing = {
        limit.category: limit
        for limit in db.session.scalars(
            sa.select(CaseOversightLimit).where(
                CaseOversightLimit.organisation_id == actor.organisation_id,
                CaseOversightLimit.team_id.is_(None),
            )
        )
    }
    now, changed = clock().now(), 0
    try:
        for category, value in days.items():
            limit = existing.get(category)
            if limit is not None and value is None:
                _audit(actor, AuditAction.DELETE, limit, limit.days, None)
                db.session.delete(limit)
            elif limit is not None and value is not None and limit.days != value:
                _audit(actor, AuditAction.UPDATE, limit, limit.days, value)
                limit.days, limit.updated_at = value, now
            elif limit is None and value is not None:
                limit = CaseOversightLimit(
                    organisation_id=actor.organisation_id, category=category, days=value, updated_at=now
                )
                db.session.add(limit)
                db.session.flush()
                _audit(actor, AuditAction.CREATE, limit, None, value)
            else:
                continue
            changed += 1
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise
    return changed


def team_in_organisation(actor: Staff, team_id: int | None) -> Team | None:
    team = db.session.get(Team, team_id) if team_id is not None else None
    return team if team is not None and team.service.organisation_id == actor.organisation_id else None


def override_of(actor: Staff, limit_id: int) -> CaseOversightLimit:
    """A team override in the actor's organisation; NotPermitted (404) for anything else."""
    _check(actor)
    limit = db.session.get(CaseOversightLimit, limit_id)
    if limit is None or limit.team_id is None or limit.organisation_id != actor.organisation_id:
        raise NotPermitted()
    return limit


def override_problems(
    actor: Staff, team_id: int | None, category: CaseCategory | None, days: int | None
) -> list[tuple[str, str]]:
    """Every (field, message) wrong with a new team override, so the page shows all at once."""
    team = team_in_organisation(actor, team_id)
    problems = []
    if team is None:
        problems.append(("team_id", "Choose a team from the list"))
    if category is None:
        problems.append(("category", "Choose a category from the list"))
    if problem := days_problem(days, "Longest time without oversight"):
        problems.append(("days", problem))
    if team is not None and category is not None:
        taken = db.session.scalar(
            sa.select(CaseOversightLimit.id).where(
                CaseOversightLimit.team_id == team.id, CaseOversightLimit.category == category
            )
        )
        if taken is not None:
            problems.append(
                (
                    "category",
                    f"{team.name} already has a limit for {category.label.lower()}: change that one instead",
                )
            )
    return problems


def add_team_override(actor: Staff, team_id: int, category: CaseCategory, days: int) -> CaseOversightLimit:
    _check(actor)
    if problems := override_problems(actor, team_id, category, days):
        field, message = problems[0]
        raise ServiceError(message, field=field)
    limit = CaseOversightLimit(
        organisation_id=actor.organisation_id,
        team_id=team_id,
        category=category,
        days=days,
        updated_at=clock().now(),
    )
    try:
        db.session.add(limit)
        db.session.flush()
        _audit(actor, AuditAction.CREATE, limit, None, days)
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise
    return limit


def change_team_override(actor: Staff, limit_id: int, days: int) -> None:
    limit = override_of(actor, limit_id)
    if problem := days_problem(days, "Longest time without oversight"):
        raise ServiceError(problem, field="days")
    if limit.days != days:
        _audit(actor, AuditAction.UPDATE, limit, limit.days, days)
        limit.days, limit.updated_at = days, clock().now()
        db.session.commit()


def remove_team_override(actor: Staff, limit_id: int) -> None:
    limit = override_of(actor, limit_id)
    _audit(actor, AuditAction.DELETE, limit, limit.days, None)
    db.session.delete(limit)
    db.session.commit()
