"""Everything the service holds about one person, for them to download (UK GDPR right of access).

Supervision records are exported in full where the person is the supervisee. Records they wrote
as a supervisor are about other people, so only their dates and ids are listed.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from supervision.agreements.models import AbsencePeriod, AsyeReview, SupervisionAgreement
from supervision.audit.services import AuditAction, audited_change
from supervision.auth.tokens import ApiToken
from supervision.clock import clock
from supervision.extensions import db
from supervision.notifications.models import Notification
from supervision.org.models import Staff
from supervision.records.models import Action, SupervisionRecord, SupervisionSession

STAFF_FIELDS = (
    "id", "email", "employee_number", "given_name", "family_name", "job_title", "career_stage",
    "registered_social_worker", "swe_registration_number", "swe_renewal_date", "dbs_check_date",
    "contract_type", "fte", "caseload", "start_date", "end_date", "leaving_reason", "leaving_destination",
    "team_id", "line_manager_id", "active", "last_signed_in_at", "created_at", "updated_at",
)  # fmt: skip
RECORD_FIELDS = (
    "id", "session_id", "agenda", "wellbeing", "workload", "learning", "reflection", "health_and_leave",
    "supervisor_signed_at", "supervisee_signed_at", "supervisee_comment", "supervisee_disagrees", "locked_at",
    "rating_helpful", "rating_reflective", "rating_safe_to_challenge", "rated_at",
)  # fmt: skip


def plain(value: Any) -> Any:
    """JSON-ready: dates as ISO text, decimals as text, enums as their value."""
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if hasattr(value, "value"):
        return value.value
    return value


def fields_of(obj, names) -> dict[str, Any]:
    return {name: plain(getattr(obj, name)) for name in names}


def personal_data(person: Staff) -> dict[str, Any]:
    """The person's own data, gathered in a handful of set-based queries."""
    records = db.session.scalars(
        sa.select(SupervisionRecord)
        .where(SupervisionRecord.supervisee_id == person.id)
        .options(
            selectinload(SupervisionRecord.case_discussions),
            selectinload(SupervisionRecord.actions),
            selectinload(SupervisionRecord.addenda),
        )
        .order_by(SupervisionRecord.id)
    ).all()
    sessions_run = db.session.execute(
        sa.select(SupervisionSession.id, SupervisionSession.scheduled_start, SupervisionSession.status)
        .where(SupervisionSession.supervisor_id == person.id)
        .order_by(SupervisionSession.scheduled_start)
    ).all()
    return {
        "generated_at": plain(clock().now()),
        "person": {**fields_of(person, STAFF_FIELDS), "roles": sorted(person.roles)},
        "agreements": [
            fields_of(
                a,
                (
                    "id",
                    "supervisor_id",
                    "frequency_kind",
                    "interval_days",
                    "minimum_duration_minutes",
                    "supervision_type",
                    "notes",
                    "agreed_on",
                    "review_due_on",
                    "ended_on",
                    "supervisor_signed_at",
                    "supervisee_signed_at",
                ),
            )
            for a in db.session.scalars(
                sa.select(SupervisionAgreement)
                .where(SupervisionAgreement.supervisee_id == person.id)
                .order_by(SupervisionAgreement.agreed_on)
            )
        ],
        "absences": [
            fields_of(a, ("id", "kind", "starts_on", "ends_on"))
            for a in db.session.scalars(
                sa.select(AbsencePeriod)
                .where(AbsencePeriod.staff_id == person.id)
                .order_by(AbsencePeriod.starts_on)
            )
        ],
        "asye_reviews": [
            fields_of(r, ("id", "stage", "held_on", "outcome", "participants", "notes", "created_at"))
            for r in db.session.scalars(
                sa.select(AsyeReview)
                .where(AsyeReview.supervisee_id == person.id)
                .order_by(AsyeReview.held_on)
            )
        ],
        "supervision_records": [
            {
                **fields_of(record, RECORD_FIELDS),
                "case_discussions": [
                    fields_of(c, ("case_reference", "summary", "analysis", "decision"))
                    for c in record.case_discussions
                ],
                "actions": [fields_of(a, ("id", "description", "due_on", "status")) for a in record.actions],
                "addenda": [
                    fields_of(a, ("author_id", "reason", "body", "created_at")) for a in record.addenda
                ],
            }
            for record in records
        ],
        "actions_owned": [
            fields_of(a, ("id", "record_id", "description", "due_on", "status"))
            for a in db.session.scalars(
                sa.select(Action).where(Action.owner_id == person.id).order_by(Action.id)
            )
        ],
        "sessions_run_as_supervisor": [
            {"id": sid, "scheduled_start": plain(start), "status": plain(status)}
            for sid, start, status in sessions_run
        ],
        "notifications": [
            fields_of(n, ("title", "body", "created_at", "read_at"))
            for n in db.session.scalars(
                sa.select(Notification)
                .where(Notification.recipient_id == person.id)
                .order_by(Notification.id)
            )
        ],
        "api_tokens": [
            fields_of(t, ("name", "hint", "scopes", "created_at", "expires_at", "last_used_at", "revoked_at"))
            for t in db.session.scalars(sa.select(ApiToken).where(ApiToken.staff_id == person.id))
        ],
    }


def export_own_data(person: Staff) -> dict[str, Any]:
    """Gather the person's data and write the export to the audit log in the same transaction."""
    with audited_change(person, AuditAction.EXPORT, person):
        data = personal_data(person)
    return data
