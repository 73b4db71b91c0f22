"""Organisation → services → teams → staff (docs/rules.md)."""

from __future__ import annotations

import enum
from datetime import date, datetime
from decimal import Decimal

import sqlalchemy as sa
from flask_login import UserMixin
from sqlalchemy.orm import Mapped, mapped_column, relationship

from supervision.db_types import UTCDateTime
from supervision.extensions import Model


def enum_column(enum_cls: type[enum.Enum], name: str) -> sa.Enum:
    """Enums stored as plain text with a CHECK constraint, identical on SQLite and PostgreSQL."""
    return sa.Enum(
        enum_cls,
        name=name,
        native_enum=False,
        create_constraint=True,
        length=32,
        values_callable=lambda members: [m.value for m in members],
        validate_strings=True,
    )


class Role(enum.StrEnum):
    SOCIAL_WORKER = "social_worker"
    SUPERVISOR = "supervisor"
    SERVICE_MANAGER = "service_manager"
    HR = "hr"
    ADMIN = "admin"

    @property
    def label(self) -> str:
        return ROLE_LABELS[self]


ROLE_LABELS = {
    Role.SOCIAL_WORKER: "Social worker",
    Role.SUPERVISOR: "Supervisor",
    Role.SERVICE_MANAGER: "Service manager",
    Role.HR: "HR",
    Role.ADMIN: "Administrator",
}


class CareerStage(enum.StrEnum):
    ASYE = "asye"
    SOCIAL_WORKER = "social_worker"
    SENIOR_PRACTITIONER = "senior_practitioner"
    MANAGER = "manager"
    OTHER = "other"

    @property
    def label(self) -> str:
        return {
            "asye": "ASYE / newly qualified",
            "social_worker": "Social worker",
            "senior_practitioner": "Senior or advanced practitioner",
            "manager": "Manager",
            "other": "Other",
        }[self.value]


class ContractType(enum.StrEnum):
    PERMANENT = "permanent"
    FIXED_TERM = "fixed_term"
    AGENCY = "agency"

    @property
    def label(self) -> str:
        return {"permanent": "Permanent", "fixed_term": "Fixed term", "agency": "Agency"}[self.value]


class LeavingDestination(enum.StrEnum):
    OTHER_LOCAL_AUTHORITY = "other_local_authority"
    AGENCY = "agency"
    LEFT_SOCIAL_WORK = "left_social_work"
    RETIRED = "retired"
    OTHER = "other"

    @property
    def label(self) -> str:
        return {
            "other_local_authority": "Another local authority",
            "agency": "Agency work",
            "left_social_work": "Left social work",
            "retired": "Retired",
            "other": "Other",
        }[self.value]


class Organisation(Model):
    __tablename__ = "organisation"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(200), unique=True)

    services: Mapped[list[Service]] = relationship(back_populates="organisation", order_by="Service.name")


class Service(Model):
    __tablename__ = "service"
    __table_args__ = (sa.UniqueConstraint("organisation_id", "name", name="uq_service_organisation_name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(sa.ForeignKey("organisation.id"), index=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    # The head of service: sees everything in the service's teams and receives escalations.
    manager_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("staff.id", use_alter=True, name="fk_service_manager_id_staff"), index=True
    )

    organisation: Mapped[Organisation] = relationship(back_populates="services")
    teams: Mapped[list[Team]] = relationship(back_populates="service", order_by="Team.name")
    manager: Mapped[Staff | None] = relationship(foreign_keys=[manager_id])


class Team(Model):
    __tablename__ = "team"
    __table_args__ = (
        sa.UniqueConstraint("service_id", "name", name="uq_team_service_name"),
        # Funded posts in FTE, for vacancy rates; zero is allowed for a team being set up.
        sa.CheckConstraint("establishment_fte >= 0", name="establishment_fte_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    service_id: Mapped[int] = mapped_column(sa.ForeignKey("service.id"), index=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    establishment_fte: Mapped[Decimal] = mapped_column(sa.Numeric(7, 2), default=Decimal("0"))
    manager_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("staff.id", use_alter=True, name="fk_team_manager_id_staff"), index=True
    )

    service: Mapped[Service] = relationship(back_populates="teams")
    manager: Mapped[Staff | None] = relationship(foreign_keys=[manager_id])
    members: Mapped[list[Staff]] = relationship(
        back_populates="team", foreign_keys="Staff.team_id", order_by="Staff.family_name"
    )


class Staff(UserMixin, Model):
    """A member of staff; a person who can sign in is a Staff row with a password or SSO identity."""

    __tablename__ = "staff"
    __table_args__ = (
        sa.CheckConstraint("fte > 0 AND fte <= 1", name="fte_between_0_and_1"),
        sa.CheckConstraint("end_date IS NULL OR end_date >= start_date", name="end_not_before_start"),
        sa.CheckConstraint("line_manager_id IS NULL OR line_manager_id <> id", name="not_own_manager"),
        sa.Index("ix_staff_family_name_given_name", "family_name", "given_name"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(sa.ForeignKey("organisation.id"), index=True)
    email: Mapped[str] = mapped_column(sa.String(254), unique=True)
    employee_number: Mapped[str | None] = mapped_column(sa.String(50), unique=True)
    given_name: Mapped[str] = mapped_column(sa.String(100))
    family_name: Mapped[str] = mapped_column(sa.String(100))
    job_title: Mapped[str] = mapped_column(sa.String(200), default="")
    career_stage: Mapped[CareerStage] = mapped_column(enum_column(CareerStage, "career_stage"))
    registered_social_worker: Mapped[bool] = mapped_column(default=False)
    swe_registration_number: Mapped[str | None] = mapped_column(sa.String(20))
    swe_renewal_date: Mapped[date | None]
    dbs_check_date: Mapped[date | None]
    contract_type: Mapped[ContractType] = mapped_column(enum_column(ContractType, "contract_type"))
    fte: Mapped[Decimal] = mapped_column(sa.Numeric(4, 2), default=Decimal("1"))
    caseload: Mapped[int | None]
    start_date: Mapped[date]
    end_date: Mapped[date | None] = mapped_column(index=True)
    leaving_reason: Mapped[str | None] = mapped_column(sa.String(200))
    leaving_destination: Mapped[LeavingDestination | None] = mapped_column(
        enum_column(LeavingDestination, "leaving_destination")
    )
    team_id: Mapped[int | None] = mapped_column(sa.ForeignKey("team.id"), index=True)
    line_manager_id: Mapped[int | None] = mapped_column(sa.ForeignKey("staff.id"), index=True)
    active: Mapped[bool] = mapped_column(default=True, index=True)

    password_hash: Mapped[str | None] = mapped_column(sa.String(255))
    last_signed_in_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)

    organisation: Mapped[Organisation] = relationship()
    team: Mapped[Team | None] = relationship(back_populates="members", foreign_keys=[team_id])
    line_manager: Mapped[Staff | None] = relationship(remote_side=[id], foreign_keys=[line_manager_id])
    role_rows: Mapped[list[StaffRole]] = relationship(
        back_populates="staff", cascade="all, delete-orphan", lazy="selectin"
    )

    @property
    def name(self) -> str:
        return f"{self.given_name} {self.family_name}"

    @property
    def roles(self) -> frozenset[Role]:
        return frozenset(row.role for row in self.role_rows)

    def has_role(self, *roles: Role) -> bool:
        return bool(self.roles.intersection(roles))

    @property
    def is_active(self) -> bool:  # Flask-Login: deactivated staff cannot sign in
        return self.active


class StaffRole(Model):
    """One row per role a person holds: a team manager is also somebody's supervisee."""

    __tablename__ = "staff_role"

    staff_id: Mapped[int] = mapped_column(sa.ForeignKey("staff.id", ondelete="CASCADE"), primary_key=True)
    role: Mapped[Role] = mapped_column(enum_column(Role, "role"), primary_key=True)

    staff: Mapped[Staff] = relationship(back_populates="role_rows")
