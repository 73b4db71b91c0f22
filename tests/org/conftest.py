"""Helpers for the organisation pages: row counts, a valid staff form, a signed-in admin."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from supervision.extensions import db
from supervision.org.models import Organisation, Role, Service, Staff, StaffRole, Team
from tests.factories import make_service, make_staff


def count(model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def row_counts() -> dict[str, int]:
    """Rows in every organisation table, to prove a refused form wrote nothing."""
    return {model.__tablename__: count(model) for model in (Organisation, Service, Team, Staff, StaffRole)}


def date_parts(day: str = "", month: str = "", year: str = "") -> list[str]:
    return [day, month, year]


def staff_form(**overrides) -> dict:
    """A complete, valid staff form as the browser posts it; override only what the test is about."""
    data = {
        "given_name": "Amara",
        "family_name": "Osei",
        "email": "amara.osei@example.test",
        "employee_number": "E90001",
        "job_title": "Senior social worker",
        "career_stage": "senior_practitioner",
        "registered_social_worker": "y",
        "swe_registration_number": "SW12345",
        "swe_renewal_date": date_parts("30", "11", "2027"),
        "dbs_check_date": date_parts("4", "3", "2025"),
        "contract_type": "permanent",
        "fte": "0.8",
        "caseload": "14",
        "start_date": date_parts("6", "1", "2020"),
        "end_date": date_parts(),
        "leaving_reason": "",
        "leaving_destination": "",
        "team_id": "",
        "line_manager_id": "",
    }
    data.update(overrides)
    return data


def other_organisation_service() -> Service:
    """A service that belongs to another organisation: its ids must answer 404 here."""
    service = make_service()
    service.organisation = Organisation(name="Another Council")
    db.session.commit()
    return service


def move_to_other_organisation(person: Staff) -> Staff:
    person.organisation = db.session.scalar(
        sa.select(Organisation).where(Organisation.name == "Another Council")
    ) or Organisation(name="Another Council")
    db.session.commit()
    return person


def error_messages(soup) -> list[str]:
    summary = soup.select_one(".govuk-error-summary")
    return [link.get_text(strip=True) for link in summary.select("a")] if summary else []


def error_links(soup) -> dict[str, str]:
    """Message -> the field id its error summary link points at."""
    summary = soup.select_one(".govuk-error-summary")
    return {link.get_text(strip=True): link["href"] for link in summary.select("a")}


@pytest.fixture
def admin(pages):
    person = make_staff(Role.ADMIN, given_name="Ada", family_name="Admin", email="admin@example.test")
    pages.sign_in(person)
    return person


@pytest.fixture
def hr(pages):
    person = make_staff(Role.HR, given_name="Harriet", family_name="Hr", email="hr@example.test")
    pages.sign_in(person)
    return person
