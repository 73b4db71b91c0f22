"""The API refuses a session dated in a closed month without a reason (400 naming the field),
and with one writes the change to closed months with its audit entry (docs/metrics.md)."""

from datetime import date

import pytest
import sqlalchemy as sa

from supervision.audit.models import AuditEvent, ClosedMonthChange
from supervision.extensions import db
from supervision.org.models import Role
from supervision.records.models import SupervisionSession
from tests.factories import make_agreement, make_staff

pytestmark = pytest.mark.usefixtures("clock")  # today is 23 November 2026: October has closed


def booking(supervisee, starts_at: str, **extra) -> dict:
    return {
        "supervisee_ids": [supervisee.id],
        "starts_at": starts_at,
        "duration_minutes": 90,
        "location": "Room 4",
        **extra,
    }


@pytest.fixture
def pair(app):
    supervisor = make_staff(Role.SUPERVISOR)
    worker = make_staff(line_manager=supervisor)
    make_agreement(worker, supervisor, agreed_on=date(2026, 1, 5))
    return supervisor, worker


def count(model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def test_a_session_in_a_closed_month_without_a_reason_is_a_400_naming_the_field(api_as, pair):
    supervisor, worker = pair
    response = api_as(supervisor).post("/sessions", json=booking(worker, "2026-10-14T10:00:00+01:00"))
    assert response.status_code == 400
    body = response.get_json()
    assert body["errors"] == {
        "closed_month_reason": ["October 2026 has closed, so enter why you are making this change now"]
    }
    assert count(SupervisionSession) == 0 and count(ClosedMonthChange) == 0


def test_a_session_in_a_closed_month_with_a_reason_is_booked_and_the_change_recorded(api_as, pair):
    supervisor, worker = pair
    response = api_as(supervisor).post(
        "/sessions",
        json=booking(worker, "2026-10-14T10:00:00+01:00", closed_month_reason="Booked in the old system"),
    )
    assert response.status_code == 201, response.get_json()
    [change] = db.session.scalars(sa.select(ClosedMonthChange)).all()
    assert (change.staff_id, change.actor_id, change.change, change.object_id, change.reason) == (
        worker.id,
        supervisor.id,
        "session_booked",
        response.get_json()["id"],
        "Booked in the old system",
    )
    assert (
        db.session.scalar(
            sa.select(sa.func.count())
            .select_from(AuditEvent)
            .where(AuditEvent.action == "closed_month_change")
        )
        == 1
    )


def test_a_session_in_an_open_month_needs_no_reason(api_as, pair):
    supervisor, worker = pair
    response = api_as(supervisor).post("/sessions", json=booking(worker, "2026-11-30T10:00:00Z"))
    assert response.status_code == 201
    assert count(ClosedMonthChange) == 0


def test_a_reason_over_its_limit_is_a_400(api_as, pair):
    supervisor, worker = pair
    response = api_as(supervisor).post(
        "/sessions", json=booking(worker, "2026-10-14T10:00:00Z", closed_month_reason="x" * 501)
    )
    assert response.status_code == 400
    assert "closed_month_reason" in response.get_json()["errors"]
    assert count(SupervisionSession) == 0


def test_a_session_in_a_recorded_absence_is_a_422_until_confirmed(api_as, pair):
    from tests.factories import make_absence

    supervisor, worker = pair
    make_absence(worker, date(2026, 12, 1), date(2026, 12, 1))
    api = api_as(supervisor)
    response = api.post("/sessions", json=booking(worker, "2026-12-01T10:00:00+00:00"))
    assert response.status_code == 422, response.get_json()
    assert "recorded as away on 1 December 2026" in str(response.get_json())
    assert count(SupervisionSession) == 0
    response = api.post(
        "/sessions", json=booking(worker, "2026-12-01T10:00:00+00:00", absence_confirmed=True)
    )
    assert response.status_code == 201, response.get_json()
    assert count(SupervisionSession) == 1
