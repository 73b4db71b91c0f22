"""Set-based reads for the API: what a person may see, as SQL filters, never a row-by-row check.

Who oversees whom comes from `permissions.supervision_circle_query` /
`supervisor_circle_query`, sub-selects of the one scope (`permissions.overseen_staff_query`).
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import joinedload, selectinload

from supervision.agreements.models import SupervisionAgreement
from supervision.extensions import db
from supervision.org.models import Role, Service, Staff, Team
from supervision.permissions import supervision_circle_query, supervisor_circle_query
from supervision.records.models import SessionAttendee, SupervisionRecord, SupervisionSession


def page_of(query: sa.Select, page: int, per_page: int) -> tuple[list[Any], int]:
    total = db.session.scalar(sa.select(sa.func.count()).select_from(query.order_by(None).subquery()))
    items = list(db.session.scalars(query.limit(per_page).offset((page - 1) * per_page)).unique())
    return items, total or 0


def staff_query(user: Staff) -> sa.Select:
    query = (
        sa.select(Staff)
        .where(Staff.organisation_id == user.organisation_id)
        .order_by(Staff.family_name, Staff.id)
    )
    if not user.has_role(Role.ADMIN, Role.HR):
        query = query.where(Staff.id.in_(supervision_circle_query(user)))
    return query


def team_query(user: Staff) -> sa.Select:
    query = (
        sa.select(Team)
        .join(Service, Team.service_id == Service.id)
        .where(Service.organisation_id == user.organisation_id)
        .options(joinedload(Team.service))
        .order_by(Team.name, Team.id)
    )
    if not user.has_role(Role.ADMIN, Role.HR):
        query = query.where(
            sa.or_(Team.id == user.team_id, Team.manager_id == user.id, Service.manager_id == user.id)
        )
    return query


def agreement_query(user: Staff) -> sa.Select:
    circle, supervisors = supervision_circle_query(user), supervisor_circle_query(user)
    return (
        sa.select(SupervisionAgreement)
        .where(
            sa.or_(
                SupervisionAgreement.supervisee_id.in_(circle),
                SupervisionAgreement.supervisor_id.in_(supervisors),
            )
        )
        .order_by(SupervisionAgreement.agreed_on.desc(), SupervisionAgreement.id)
    )


def session_query(user: Staff) -> sa.Select:
    circle, supervisors = supervision_circle_query(user), supervisor_circle_query(user)
    attended = sa.select(SessionAttendee.session_id).where(SessionAttendee.supervisee_id.in_(circle))
    return (
        sa.select(SupervisionSession)
        .where(sa.or_(SupervisionSession.supervisor_id.in_(supervisors), SupervisionSession.id.in_(attended)))
        .options(selectinload(SupervisionSession.attendees))
        .order_by(SupervisionSession.scheduled_start.desc(), SupervisionSession.id)
    )


def record_query(user: Staff) -> sa.Select:
    circle, supervisors = supervision_circle_query(user), supervisor_circle_query(user)
    return (
        sa.select(SupervisionRecord)
        .join(SupervisionSession, SupervisionRecord.session_id == SupervisionSession.id)
        .where(
            sa.or_(
                SupervisionRecord.supervisee_id.in_(circle), SupervisionSession.supervisor_id.in_(supervisors)
            )
        )
        .options(joinedload(SupervisionRecord.session))
        .order_by(SupervisionRecord.id.desc())
    )
