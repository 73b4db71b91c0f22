"""The "Your data" page reads like the rest of the service: labels, names, dates in words and the
values in effect, not the raw field names, ids and ISO timestamps of the JSON download."""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa

from supervision.agreements import rules as agreement_rules
from supervision.agreements.asye import AsyeOutcome, AsyeStage
from supervision.agreements.models import AbsenceKind, FrequencyKind, SupervisionType
from supervision.agreements.services import get_policy
from supervision.extensions import db
from supervision.org.models import CareerStage, ContractType, LeavingDestination, Role, Staff, Team
from supervision.records.formatting import date_and_time, long_date
from supervision.records.models import ActionStatus, SessionStatus

LABELS = {
    "id": "Reference",
    "fte": "FTE (full-time equivalent)",
    "team_id": "Team",
    "line_manager_id": "Line manager",
    "supervisor_id": "Supervisor",
    "author_id": "Written by",
    "session_id": "Session reference",
    "record_id": "Record reference",
    "swe_registration_number": "Social Work England registration number",
    "swe_renewal_date": "Social Work England renewal date",
    "dbs_check_date": "Date of the last DBS check",
    "registered_social_worker": "Registered social worker",
    "kind": "Type",
    "frequency_kind": "How often",
    "interval_days": "Days between sessions",
    "minimum_duration_minutes": "Minimum length, in minutes",
    "supervision_type": "Type of supervision",
    "starts_on": "First day",
    "ends_on": "Last day",
    "agreed_on": "Date agreed",
    "review_due_on": "Review due",
    "ended_on": "Ended",
    "due_on": "Due",
    "scheduled_start": "Booked for",
    "last_signed_in_at": "Last signed in",
    "created_at": "Created",
    "updated_at": "Last changed",
    "read_at": "Read",
    "stage": "Review",
    "held_on": "Date held",
    "participants": "Who took part",
}
ENUMS = {
    "career_stage": (CareerStage,),
    "contract_type": (ContractType,),
    "leaving_destination": (LeavingDestination,),
    "kind": (AbsenceKind,),
    "frequency_kind": (FrequencyKind,),
    "supervision_type": (SupervisionType,),
    "status": (ActionStatus, SessionStatus),
    "roles": (Role,),
    "stage": (AsyeStage,),
    "outcome": (AsyeOutcome,),
}
ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
ISO_DATETIME = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}")


def label(key: str) -> str:
    return LABELS.get(key) or key.replace("_", " ").capitalize()


def enum_label(key: str, value: str) -> str:
    for enum_cls in ENUMS[key]:
        try:
            member = enum_cls(value)
        except ValueError:
            continue
        return getattr(member, "label", value)
    return value


def text(key: str, value: Any, names: dict[str, dict[int, str]]) -> str:
    if value is None or value == "":
        return "Not recorded"
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if key in names and isinstance(value, int):
        return names[key].get(value, str(value))
    if isinstance(value, list):
        return ", ".join(text(key, item, names) for item in value) or "None"
    if isinstance(value, dict):
        return "; ".join(f"{label(k)}: {text(k, v, names)}" for k, v in value.items())
    if key in ENUMS and isinstance(value, str):
        return enum_label(key, value)
    if isinstance(value, str) and ISO_DATETIME.fullmatch(value[:16]):
        return date_and_time(datetime.fromisoformat(value))
    if isinstance(value, str) and ISO_DATE.fullmatch(value):
        return long_date(date.fromisoformat(value))
    return str(value)


def readable(person: Staff, data: dict[str, Any]) -> dict[str, Any]:
    """The export's sections as lists of rows of (label, text), with names and values in effect."""
    staff_ids = {person.line_manager_id} | {a["supervisor_id"] for a in data["agreements"]}
    staff_ids |= {a["author_id"] for r in data["supervision_records"] for a in r["addenda"]}
    staff_names = dict(
        db.session.execute(
            sa.select(Staff.id, Staff.given_name + " " + Staff.family_name).where(
                Staff.id.in_(staff_ids - {None})
            )
        ).all()
    )
    team_names = dict(
        db.session.execute(sa.select(Team.id, Team.name).where(Team.id == person.team_id)).all()
    )
    names = {"team_id": team_names, "line_manager_id": staff_names, "supervisor_id": staff_names,
             "author_id": staff_names}  # fmt: skip
    policy = get_policy(person.organisation_id)

    def agreement(row: dict) -> dict:
        in_effect = agreement_rules.effective_interval_days(
            row["interval_days"],
            FrequencyKind(row["frequency_kind"]),
            person.career_stage,
            policy,
            person.fte,
        )
        return {**row, "interval_days": in_effect}

    def rows(items: list[dict]) -> list[list[tuple[str, str]]]:
        return [[(label(key), text(key, value, names)) for key, value in item.items()] for item in items]

    return {
        "generated_on": text("generated_at", data["generated_at"], names),
        "sections": [
            ("About you", rows([data["person"]])),
            ("Supervision agreements", rows([agreement(row) for row in data["agreements"]])),
            ("Absences", rows(data["absences"])),
            ("ASYE progress reviews", rows(data["asye_reviews"])),
            ("Your supervision records", rows(data["supervision_records"])),
            ("Actions you own", rows(data["actions_owned"])),
            ("Sessions you ran as a supervisor", rows(data["sessions_run_as_supervisor"])),
            ("Notifications", rows(data["notifications"])),
            ("API tokens", rows(data["api_tokens"])),
        ],
    }
