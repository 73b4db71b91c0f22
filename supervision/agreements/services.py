"""Agreement, absence and policy use cases: each one transaction, audited in the same commit."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from supervision import limits
from supervision.agreements import rules
from supervision.agreements.models import (
    AbsenceKind,
    AbsencePeriod,
    FrequencyKind,
    SupervisionAgreement,
    SupervisionPolicy,
    SupervisionType,
)
from supervision.audit.services import AuditAction, ChangeKind, audited_change, back_dating, note_back_dating
from supervision.clock import clock
from supervision.extensions import db
from supervision.org.models import Role, Staff, StaffRole
from supervision.permissions import (
    acts_as_supervisor,
    content_barred,
    may_manage_organisation,
    may_manage_supervision_of,
)
from supervision.record_sections import SECTION_BY_KEY
from supervision.service_errors import NotPermitted, ServiceError, check_version

# --- policy -----------------------------------------------------------------------------------


def get_policy(organisation_id: int) -> SupervisionPolicy:
    """The organisation's policy, created with the defaults when it has none yet.

    The new row joins the caller's transaction (a savepoint guards against two requests
    creating it at once); defaults are the same either way, so a read-only caller loses nothing.
    """
    query = sa.select(SupervisionPolicy).where(SupervisionPolicy.organisation_id == organisation_id)
    policy = db.session.scalar(query)
    if policy is not None:
        return policy
    try:
        with db.session.begin_nested():
            policy = SupervisionPolicy(organisation_id=organisation_id, updated_at=clock().now())
            db.session.add(policy)
    except IntegrityError:  # another request made it first
        policy = db.session.scalars(query).one()
    return policy


POLICY_SETTINGS = (
    "asye_weekly_weeks",
    "asye_fortnightly_until_months",
    "interval_days_social_worker",
    "interval_days_senior_practitioner",
    "interval_days_manager",
    "interval_days_other",
    "minimum_duration_minutes",
    "pro_rata_part_time",
    "due_soon_working_days",
    "escalation_working_days",
    "write_up_working_days",
    "agreement_review_months",
)
# (low, high) for every whole-number setting; None allowed only where listed.
POLICY_RANGES = {name: (number.low, number.high) for name, number in limits.POLICY.items()}
NULLABLE_SETTINGS = {"interval_days_manager", "interval_days_other"}


# What the policy page calls each whole-number setting; its messages name the setting.
POLICY_LABELS = {
    "asye_weekly_weeks": "ASYE weekly supervision, in weeks",
    "asye_fortnightly_until_months": "ASYE fortnightly supervision until, in months",
    "interval_days_social_worker": "Social workers: days between sessions",
    "interval_days_senior_practitioner": "Senior practitioners: days between sessions",
    "interval_days_manager": "Managers: days between sessions",
    "interval_days_other": "Other staff: days between sessions",
    "minimum_duration_minutes": "Minimum length of a session, in minutes",
    "due_soon_working_days": "Due soon: working days before the due date",
    "escalation_working_days": "Escalate after this many working days overdue",
    "write_up_working_days": "Supervisor signs the record within this many working days",
    "agreement_review_months": "Review agreements every this many months",
}


def policy_problems(optional_sections: set[str], settings: dict) -> list[tuple[str, str]]:
    """Every (field, message) wrong with a policy, each naming its setting, so all show at once."""
    problems = []
    for name, (low, high) in POLICY_RANGES.items():
        value = settings.get(name)
        if value is None and name in NULLABLE_SETTINGS:
            continue
        if value is None or not low <= value <= high:
            problems.append((name, f"{POLICY_LABELS[name]} must be a whole number between {low} and {high}"))
    if set(optional_sections) - set(SECTION_BY_KEY):
        problems.append(("optional_sections", "Choose sections from the list"))
    return problems


def update_policy(
    actor: Staff, organisation_id: int, expected_version: int | None, optional_sections: set[str], **settings
) -> SupervisionPolicy:
    if not may_manage_organisation(actor) or actor.organisation_id != organisation_id:
        raise NotPermitted()
    problems = policy_problems(optional_sections, settings)
    if problems:
        field, message = problems[0]
        raise ServiceError(message, field=field)
    policy = get_policy(organisation_id)
    check_version(policy.version, expected_version)
    with audited_change(actor, AuditAction.UPDATE, policy):
        for name in POLICY_SETTINGS:
            setattr(policy, name, settings[name] if name != "pro_rata_part_time" else bool(settings[name]))
        policy.optional_sections = rules.format_optional_sections(optional_sections)
        policy.updated_at = clock().now()
    return policy


# --- agreements -------------------------------------------------------------------------------


def current_agreement(person_id: int) -> SupervisionAgreement | None:
    return db.session.scalar(
        sa.select(SupervisionAgreement)
        .where(SupervisionAgreement.supervisee_id == person_id, SupervisionAgreement.ended_on.is_(None))
        .options(joinedload(SupervisionAgreement.supervisor))
    )


def current_supervisor_id(person_id: int) -> int | None:
    return db.session.scalar(
        sa.select(SupervisionAgreement.supervisor_id).where(
            SupervisionAgreement.supervisee_id == person_id, SupervisionAgreement.ended_on.is_(None)
        )
    )


def agreement_history(person_id: int) -> list[SupervisionAgreement]:
    return list(
        db.session.scalars(
            sa.select(SupervisionAgreement)
            .where(SupervisionAgreement.supervisee_id == person_id)
            .options(joinedload(SupervisionAgreement.supervisor))
            .order_by(SupervisionAgreement.agreed_on.desc(), SupervisionAgreement.id.desc())
        )
    )


def current_supervisees(supervisor_id: int) -> list[SupervisionAgreement]:
    """Current agreements in which this person is the supervisor, by supervisee's name."""
    return list(
        db.session.scalars(
            sa.select(SupervisionAgreement)
            .join(Staff, Staff.id == SupervisionAgreement.supervisee_id)
            .where(
                SupervisionAgreement.supervisor_id == supervisor_id, SupervisionAgreement.ended_on.is_(None)
            )
            .options(joinedload(SupervisionAgreement.supervisee))
            .order_by(Staff.family_name, Staff.given_name)
        )
    )


def possible_supervisors(organisation_id: int, excluding_id: int) -> list[Staff]:
    """Active staff who hold a supervising role in the organisation, and not the HR role."""
    return list(
        db.session.scalars(
            sa.select(Staff)
            .where(
                Staff.organisation_id == organisation_id,
                Staff.active.is_(True),
                Staff.id != excluding_id,
                Staff.id.in_(
                    sa.select(StaffRole.staff_id).where(
                        StaffRole.role.in_([Role.SUPERVISOR, Role.SERVICE_MANAGER])
                    )
                ),
                Staff.id.not_in(sa.select(StaffRole.staff_id).where(StaffRole.role == Role.HR)),
            )
            .order_by(Staff.family_name, Staff.given_name)
        )
    )


@dataclass(frozen=True)
class AgreementTerms:
    supervisor_id: int
    frequency_kind: FrequencyKind
    supervision_type: SupervisionType
    agreed_on: date
    interval_days: int | None = None
    asye_started_on: date | None = None
    minimum_duration_minutes: int | None = None
    review_due_on: date | None = None
    notes: str = ""


def _checked_terms(person: Staff, terms: AgreementTerms) -> tuple[Staff, int, date]:
    """Refuse terms that do not make sense; return the supervisor, duration and review date to store."""
    supervisor = db.session.get(Staff, terms.supervisor_id)
    if supervisor is None or supervisor.organisation_id != person.organisation_id or not supervisor.active:
        raise ServiceError("Choose a supervisor from the list", field="supervisor_id")
    if supervisor.id == person.id:
        raise ServiceError("A person cannot supervise themselves", field="supervisor_id")
    if content_barred(supervisor):
        raise ServiceError(
            "Choose a supervisor who does not hold the HR role: HR never sees supervision records",
            field="supervisor_id",
        )
    policy = get_policy(person.organisation_id)
    duration = terms.minimum_duration_minutes or policy.minimum_duration_minutes
    problems = rules.agreement_problems(
        frequency_kind=terms.frequency_kind,
        interval_days=terms.interval_days,
        asye_started_on=terms.asye_started_on,
        minimum_duration_minutes=duration,
        agreed_on=terms.agreed_on,
        review_due_on=terms.review_due_on,
    )
    if problems:
        field, message = problems[0]
        raise ServiceError(message, field=field)
    review_due_on = terms.review_due_on or rules.default_review_date(
        terms.agreed_on, policy.agreement_review_months
    )
    return supervisor, duration, review_due_on


def create_agreement(actor: Staff, person: Staff, terms: AgreementTerms) -> SupervisionAgreement:
    """A new current agreement; the one it replaces ends the day before (history is kept)."""
    current = current_agreement(person.id)
    if not may_manage_supervision_of(actor, person, current.supervisor_id if current else None):
        raise NotPermitted()
    supervisor, duration, review_due_on = _checked_terms(person, terms)
    if current is not None and terms.agreed_on <= current.agreed_on:
        raise ServiceError(
            f"The new agreement must start after the current one, agreed on {current.agreed_on:%-d %B %Y}",
            field="agreed_on",
        )
    now = clock().now()
    agreement = SupervisionAgreement(
        supervisee_id=person.id,
        supervisor_id=supervisor.id,
        frequency_kind=terms.frequency_kind,
        interval_days=terms.interval_days if terms.frequency_kind is not FrequencyKind.NONE else None,
        asye_started_on=terms.asye_started_on,
        minimum_duration_minutes=duration,
        supervision_type=terms.supervision_type,
        notes=terms.notes,
        agreed_on=terms.agreed_on,
        review_due_on=review_due_on,
        created_by_id=actor.id,
        created_at=now,
        updated_at=now,
    )
    with audited_change(actor, AuditAction.CREATE, agreement):
        if current is not None:
            current.ended_on = terms.agreed_on - timedelta(days=1)
            current.updated_at = now
            db.session.flush()  # end the old one before the new one takes the "current" slot
        db.session.add(agreement)
    return agreement


def update_agreement(
    actor: Staff, agreement: SupervisionAgreement, expected_version: int | None, terms: AgreementTerms
) -> SupervisionAgreement:
    """Terms change only before both have signed; any signature already given is withdrawn."""
    person = agreement.supervisee
    if not (
        acts_as_supervisor(actor, agreement.supervisor_id) or may_manage_supervision_of(actor, person, None)
    ):
        raise NotPermitted()
    if not agreement.is_current:
        raise ServiceError("This agreement has ended and cannot be changed.")
    if agreement.fully_signed:
        raise ServiceError("Both of you have signed this agreement. To change it, make a new agreement.")
    supervisor, duration, review_due_on = _checked_terms(person, terms)
    previous = db.session.scalar(
        sa.select(sa.func.max(SupervisionAgreement.agreed_on)).where(
            SupervisionAgreement.supervisee_id == person.id, SupervisionAgreement.id != agreement.id
        )
    )
    if previous is not None and terms.agreed_on <= previous:
        raise ServiceError(
            f"The agreement must start after the previous one, agreed on {previous:%-d %B %Y}",
            field="agreed_on",
        )
    check_version(agreement.version, expected_version)
    with audited_change(actor, AuditAction.UPDATE, agreement):
        agreement.supervisor_id = supervisor.id
        agreement.frequency_kind = terms.frequency_kind
        agreement.interval_days = (
            terms.interval_days if terms.frequency_kind is not FrequencyKind.NONE else None
        )
        agreement.asye_started_on = terms.asye_started_on
        agreement.minimum_duration_minutes = duration
        agreement.supervision_type = terms.supervision_type
        agreement.notes = terms.notes
        agreement.agreed_on = terms.agreed_on
        agreement.review_due_on = review_due_on
        agreement.supervisor_signed_at = None
        agreement.supervisee_signed_at = None
        agreement.updated_at = clock().now()
    return agreement


def sign_agreement(
    actor: Staff, agreement: SupervisionAgreement, expected_version: int | None
) -> SupervisionAgreement:
    if actor.id not in (agreement.supervisor_id, agreement.supervisee_id):
        raise NotPermitted()
    if not agreement.is_current:
        raise ServiceError("This agreement has ended and cannot be signed.")
    as_supervisor = actor.id == agreement.supervisor_id
    if (agreement.supervisor_signed_at if as_supervisor else agreement.supervisee_signed_at) is not None:
        raise ServiceError("You have already signed this agreement.")
    check_version(agreement.version, expected_version)
    now = clock().now()
    with audited_change(actor, AuditAction.SIGN, agreement):
        if as_supervisor:
            agreement.supervisor_signed_at = now
        else:
            agreement.supervisee_signed_at = now
        agreement.updated_at = now
    return agreement


# --- absences ---------------------------------------------------------------------------------


def absences_of(person_id: int) -> list[AbsencePeriod]:
    return list(
        db.session.scalars(
            sa.select(AbsencePeriod)
            .where(AbsencePeriod.staff_id == person_id)
            .order_by(AbsencePeriod.starts_on.desc())
        )
    )


def record_absence(
    actor: Staff,
    person: Staff,
    kind: AbsenceKind,
    starts_on: date,
    ends_on: date,
    closed_month_reason: str = "",
) -> AbsencePeriod:
    """Absences pause the supervision clock; overlapping periods are refused so none counts twice.

    One that starts in a closed month changes that month's figures, so it needs a reason."""
    if not may_manage_supervision_of(actor, person, current_supervisor_id(person.id)):
        raise NotPermitted()
    if ends_on < starts_on:
        raise ServiceError("The end date must be the same as or after the start date", field="ends_on")
    overlapping = db.session.scalar(
        sa.select(AbsencePeriod).where(
            AbsencePeriod.staff_id == person.id,
            AbsencePeriod.starts_on <= ends_on,
            AbsencePeriod.ends_on >= starts_on,
        )
    )
    if overlapping is not None:
        raise ServiceError(
            f"These dates overlap an absence already recorded: {overlapping.kind.label}, "
            f"{overlapping.starts_on:%-d %B %Y} to {overlapping.ends_on:%-d %B %Y}",
            field="starts_on",
        )
    back_dated = back_dating([starts_on, ends_on], closed_month_reason)
    absence = AbsencePeriod(
        staff_id=person.id,
        kind=kind,
        starts_on=starts_on,
        ends_on=ends_on,
        recorded_by_id=actor.id,
        created_at=clock().now(),
    )
    with audited_change(actor, AuditAction.CREATE, absence):
        db.session.add(absence)
        note_back_dating(actor, back_dated, ChangeKind.ABSENCE_RECORDED, absence, [person.id])
    return absence


def remove_absence(actor: Staff, absence: AbsencePeriod, closed_month_reason: str = "") -> None:
    """Removing an absence that started in a closed month changes its figures: it needs a reason."""
    if not may_manage_supervision_of(actor, absence.staff, current_supervisor_id(absence.staff_id)):
        raise NotPermitted()
    back_dated = back_dating([absence.starts_on, absence.ends_on], closed_month_reason)
    with audited_change(actor, AuditAction.DELETE, absence):
        note_back_dating(actor, back_dated, ChangeKind.ABSENCE_REMOVED, absence, [absence.staff_id])
        db.session.delete(absence)
