"""History is not rewritten quietly (docs/metrics.md): a session or absence change that reaches a closed
month needs a reason, is written with its audit entry, and the oversight report marks every month
it changed, at every level and in every export, with a link to what changed.

Today is Monday 23 November 2026: October closed on 11 November, November is open.
"""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime, timedelta

import pytest
import sqlalchemy as sa

from supervision.agreements.models import AbsencePeriod
from supervision.audit.models import AuditEvent, ClosedMonthChange
from supervision.auth.tokens import create_token
from supervision.extensions import db
from supervision.jobs.runs import run_job
from supervision.records.models import SessionStatus, SupervisionSession
from tests.factories import make_session
from tests.html import parse_html
from tests.reports.helpers import table_rows, text

REASON = "The leave was approved in the HR system in August but never entered here"


def changes() -> list[ClosedMonthChange]:
    db.session.expire_all()
    return list(db.session.scalars(sa.select(ClosedMonthChange).order_by(ClosedMonthChange.id)))


def absences_of(person) -> list[AbsencePeriod]:
    db.session.expire_all()
    return list(db.session.scalars(sa.select(AbsencePeriod).where(AbsencePeriod.staff_id == person.id)))


def absence_form(starts: date, ends: date, reason: str | None = None) -> dict:
    data = {
        "kind": "annual_leave",
        "starts_on": [str(starts.day), str(starts.month), str(starts.year)],
        "ends_on": [str(ends.day), str(ends.month), str(ends.year)],
    }
    if reason is not None:
        data["closed_month_reason"] = reason
    return data


def reason_error(page) -> str:
    return text(page.find("p", id="closed_month_reason-error"))


def back_date_alices_absence(org, pages) -> None:
    """The issue's example, within bounds: leave over Alice's missed August interval."""
    pages.sign_in(org.sam)
    pages.post(
        "agreements.new_absence",
        absence_form(date(2026, 8, 24), date(2026, 9, 18), REASON),
        person_id=org.alice.id,
    )
    pages.client.post("/sign-out")


# --- the reason is needed, and written with the change ------------------------------------------


def test_an_absence_in_a_closed_month_is_refused_without_a_reason_and_nothing_is_saved(org, pages):
    pages.sign_in(org.sam)
    page = pages.post(
        "agreements.new_absence",
        absence_form(date(2026, 8, 24), date(2026, 9, 18)),
        _expected_status=200,
        person_id=org.alice.id,
    )
    assert "August 2026 has closed, so enter why you are making this change now" in reason_error(page)
    assert page.find("textarea", attrs={"name": "closed_month_reason"}) is not None
    assert page.find(class_="govuk-error-summary").find("a")["href"] == "#closed_month_reason"
    assert absences_of(org.alice) == []
    assert changes() == []


def test_an_absence_in_a_closed_month_with_a_reason_is_saved_with_its_change_and_audit_entry(org, pages):
    back_date_alices_absence(org, pages)

    [absence] = absences_of(org.alice)
    [change] = changes()
    assert (change.staff_id, change.actor_id, change.change, change.reason) == (
        org.alice.id,
        org.sam.id,
        "absence_recorded",
        REASON,
    )
    assert (change.object_type, change.object_id) == ("absence_period", absence.id)
    assert (change.first_day, change.last_day) == (date(2026, 8, 24), date(2026, 9, 18))
    # The clock carries forward: every closed month from August to October changed.
    assert (change.first_month, change.last_month) == (date(2026, 8, 1), date(2026, 10, 1))
    audited = db.session.scalars(
        sa.select(AuditEvent).where(AuditEvent.action == "closed_month_change")
    ).all()
    assert [(event.object_type, event.object_id, event.actor_id) for event in audited] == [
        ("closed_month_change", change.id, org.sam.id)
    ]


def test_an_absence_in_open_months_needs_no_reason(org, pages):
    pages.sign_in(org.sam)
    page = pages.get("agreements.new_absence", person_id=org.alice.id)
    assert page.find("textarea", attrs={"name": "closed_month_reason"}) is None
    pages.post(
        "agreements.new_absence", absence_form(date(2026, 11, 2), date(2026, 11, 6)), person_id=org.alice.id
    )
    assert len(absences_of(org.alice)) == 1
    assert changes() == []


def test_a_month_is_open_for_ten_days_after_it_ends(org, pages, clock):
    clock.at = datetime(2026, 11, 10, 9, tzinfo=UTC)  # October closes on 11 November
    pages.sign_in(org.sam)
    pages.post(
        "agreements.new_absence", absence_form(date(2026, 10, 26), date(2026, 10, 30)), person_id=org.alice.id
    )
    assert changes() == []

    clock.at = datetime(2026, 11, 11, 9, tzinfo=UTC)
    pages.client.post("/sign-out")
    pages.sign_in(org.sam)
    page = pages.post(
        "agreements.new_absence",
        absence_form(date(2026, 10, 19), date(2026, 10, 23)),
        _expected_status=200,
        person_id=org.alice.id,
    )
    assert "October 2026 has closed" in reason_error(page)


def test_removing_an_absence_that_started_in_a_closed_month_asks_for_a_reason_first(org, pages):
    [leave] = absences_of(org.dev)  # parental leave from 10 August 2026
    leave_id = leave.id
    pages.sign_in(org.sam)
    page = pages.get("agreements.remove_absence", absence_id=leave.id)
    assert page.find("textarea", attrs={"name": "closed_month_reason"}) is not None
    assert page.find(id="closed-month-notice") is not None

    page = pages.post("agreements.remove_absence", {}, _expected_status=200, absence_id=leave.id)
    assert "August 2026 has closed" in reason_error(page)
    assert len(absences_of(org.dev)) == 1

    pages.post(
        "agreements.remove_absence",
        {"closed_month_reason": "Entered for the wrong person"},
        absence_id=leave.id,
    )
    assert absences_of(org.dev) == []
    [change] = changes()
    assert (change.staff_id, change.change, change.object_id) == (org.dev.id, "absence_removed", leave_id)
    assert change.first_month == date(2026, 8, 1)


def test_a_reason_longer_than_its_limit_is_refused(org, pages):
    pages.sign_in(org.sam)
    page = pages.post(
        "agreements.new_absence",
        absence_form(date(2026, 8, 24), date(2026, 9, 18), "x" * 501),
        _expected_status=200,
        person_id=org.alice.id,
    )
    assert "500 characters or fewer" in reason_error(page)
    assert absences_of(org.alice) == [] and changes() == []


BOOKING = {"start_time": "10:00", "duration_minutes": "90", "meeting": "in_person", "location": "Room 4"}


def test_booking_a_session_dated_in_a_closed_month_needs_a_reason(org, pages):
    pages.sign_in(org.sam)
    booking = {**BOOKING, "date": ["14", "10", "2026"], "supervisee_ids": [str(org.alice.id)]}
    before = db.session.scalar(sa.select(sa.func.count()).select_from(SupervisionSession))
    page = pages.post("sessions.schedule_session", booking, _expected_status=200)
    assert "October 2026 has closed" in reason_error(page)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(SupervisionSession)) == before

    pages.post("sessions.schedule_session", {**booking, "closed_month_reason": "Session held, never booked"})
    [change] = changes()
    assert (change.staff_id, change.change, change.first_day) == (
        org.alice.id,
        "session_booked",
        date(2026, 10, 14),
    )


def test_booking_a_session_in_an_open_month_needs_no_reason(org, pages):
    pages.sign_in(org.sam)
    pages.post(
        "sessions.schedule_session",
        {**BOOKING, "date": ["30", "11", "2026"], "supervisee_ids": [str(org.alice.id)]},
    )
    assert changes() == []


def test_marking_a_session_held_in_a_closed_month_needs_a_reason(org, pages):
    session = make_session(org.sam, org.alice, starts_at=datetime(2026, 10, 19, 10, tzinfo=UTC))
    pages.sign_in(org.sam)
    page = pages.get("sessions.mark_held", session_id=session.id)
    assert page.find("textarea", attrs={"name": "closed_month_reason"}) is not None
    form = {"version": str(session.version), "held_on": ["19", "10", "2026"], "duration_minutes": "90"}
    page = pages.post("sessions.mark_held", form, _expected_status=200, session_id=session.id)
    assert "October 2026 has closed" in reason_error(page)
    db.session.expire_all()
    assert db.session.get(SupervisionSession, session.id).status is SessionStatus.SCHEDULED

    pages.post(
        "sessions.mark_held", {**form, "closed_month_reason": "Written up late"}, session_id=session.id
    )
    db.session.expire_all()
    assert db.session.get(SupervisionSession, session.id).status is SessionStatus.HELD
    [change] = changes()
    assert (change.change, change.first_month, change.last_month) == (
        "session_held",
        date(2026, 10, 1),
        date(2026, 10, 1),
    )


def test_moving_a_session_into_a_closed_month_by_its_date_held_needs_a_reason(org, pages):
    session = make_session(org.sam, org.alice, starts_at=datetime(2026, 11, 16, 10, tzinfo=UTC))
    pages.sign_in(org.sam)
    page = pages.get("sessions.mark_held", session_id=session.id)
    assert page.find("textarea", attrs={"name": "closed_month_reason"}) is None  # booked in November
    form = {"version": str(session.version), "held_on": ["30", "9", "2026"], "duration_minutes": "90"}
    page = pages.post("sessions.mark_held", form, _expected_status=200, session_id=session.id)
    assert "September 2026 has closed" in reason_error(page)


@pytest.mark.parametrize("endpoint", ["sessions.cancel_session", "sessions.did_not_attend"])
def test_cancelling_or_marking_a_session_in_a_closed_month_did_not_attend_needs_a_reason(
    org, pages, endpoint
):
    session = make_session(org.sam, org.alice, starts_at=datetime(2026, 9, 21, 10, tzinfo=UTC))
    pages.sign_in(org.sam)
    page = pages.get(endpoint, session_id=session.id)
    assert page.find("textarea", attrs={"name": "closed_month_reason"}) is not None
    form = {"version": str(session.version), "cancelled_by": "supervisee", "reason": "Off sick"}
    page = pages.post(endpoint, form, _expected_status=200, session_id=session.id)
    assert "September 2026 has closed" in reason_error(page)
    db.session.expire_all()
    assert db.session.get(SupervisionSession, session.id).status is SessionStatus.SCHEDULED

    pages.post(endpoint, {**form, "closed_month_reason": "Never updated at the time"}, session_id=session.id)
    db.session.expire_all()
    assert db.session.get(SupervisionSession, session.id).status is not SessionStatus.SCHEDULED
    [change] = changes()
    assert change.change == {"sessions.cancel_session": "session_cancelled"}.get(
        endpoint, "session_did_not_attend"
    )


# --- the oversight report marks the months ------------------------------------------------------


def trend_marks(page) -> dict[str, bool]:
    return {
        text(row.th).split(" Changed")[0]: row.th.find("a", class_="app-changed-after-close") is not None
        for row in page.find("table", id="trend").tbody.find_all("tr")
    }


def test_every_level_of_the_report_marks_the_months_that_changed_after_they_closed(org, pages):
    back_date_alices_absence(org, pages)
    pages.sign_in(org.hana)

    organisation = pages.get("reports.oversight")
    marked = [month for month, flag in trend_marks(organisation).items() if flag]
    assert marked == ["August 2026", "September 2026", "October 2026"]
    assert organisation.find(id="changed-after-close") is not None
    by_service = {
        text(row.th): row.th.find("a", class_="app-changed-after-close")
        for row in organisation.find("table", id="by-service").tbody.find_all("tr")
    }
    assert [name.split(" Changed")[0] for name, link in by_service.items() if link] == ["Assessment"]

    service = pages.get("reports.oversight_service", service_id=org.assessment.id)
    teams = {
        text(r.th).split(" Changed")[0]: r.th.find("a", class_="app-changed-after-close")
        for r in service.find("table", id="by-team").tbody.find_all("tr")
    }
    assert teams["Assessment A"] is not None and teams["Assessment B"] is None

    team = pages.get("reports.oversight_team", team_id=org.team_a.id)
    people = {
        text(r.th).split(" Changed")[0]: r.th.find("a", class_="app-changed-after-close")
        for r in team.find("table", id="by-worker").tbody.find_all("tr")
    }
    assert people["Alice Adams"] is not None and people["Bob Brown"] is None
    grid = {
        text(row.th): [bool(cell.find("a", class_="app-month-grid__changed")) for cell in row.find_all("td")]
        for row in team.find("table", id="month-grid").tbody.find_all("tr")
    }
    # Trend months December 2025 to November 2026: August, September, October are marked.
    assert grid["Alice Adams"] == [False] * 8 + [True, True, True, False]
    assert not any(grid["Bob Brown"])

    person = pages.get("reports.oversight_person", person_id=org.alice.id)
    assert [m for m, flag in trend_marks(person).items() if flag] == [
        "August 2026",
        "September 2026",
        "October 2026",
    ]
    pack = pages.get("reports.evidence_pack_team", team_id=org.team_a.id)
    assert pack.find(id="changed-after-close") is not None
    assert next(m for m, flag in trend_marks(pack).items() if flag) == "August 2026"


def test_units_without_changes_are_not_marked(org, pages):
    back_date_alices_absence(org, pages)
    pages.sign_in(org.hana)
    team_b = pages.get("reports.oversight_team", team_id=org.team_b.id)
    assert team_b.find(id="changed-after-close") is None
    assert not any(trend_marks(team_b).values())
    pages.client.post("/sign-out")
    pages.sign_in(org.olive)  # Children in Care: none of Alice's figures
    assert not any(trend_marks(pages.get("reports.oversight")).values())


def test_figures_from_the_stored_figures_carry_the_marks(org, pages, clock):
    run_job("stored-figures", db.session, clock)
    back_date_alices_absence(org, pages)
    pages.sign_in(org.hana)
    page = pages.get("reports.oversight")
    assert page.find(id="figures-as-at") is not None  # the stored figures answered
    assert trend_marks(page)["September 2026"]
    service = pages.get("reports.oversight_service", service_id=org.assessment.id)
    assert service.find(id="figures-as-at") is not None
    assert trend_marks(service)["October 2026"]


def test_the_csv_export_says_which_figures_changed_after_their_month_closed(org, pages):
    back_date_alices_absence(org, pages)
    pages.sign_in(org.hana)
    response = pages.client.get(f"/oversight/teams/{org.team_a.id}/export.csv")
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    trend_at = rows.index(next(row for row in rows if row and row[0] == "Month"))
    header = rows[trend_at]
    changed = header.index("Changed after it closed")
    trend = {row[0]: row[changed] for row in rows[trend_at + 1 : trend_at + 13]}
    assert [month for month, flag in trend.items() if flag == "Yes"] == [
        "August 2026",
        "September 2026",
        "October 2026",
    ]
    alice = next(row for row in rows if row and row[0] == "Alice Adams" and len(row) == 13)
    assert alice[9].endswith("(changed after it closed)") and not alice[12].endswith("closed)")


# --- the list of what changed ---------------------------------------------------------------------


def test_the_link_from_a_marked_month_lists_the_change_without_supervision_content(org, pages):
    back_date_alices_absence(org, pages)
    pages.sign_in(org.hana)
    page = pages.get("reports.oversight_team", team_id=org.team_a.id)
    september = next(
        row
        for row in page.find("table", id="trend").tbody.find_all("tr")
        if text(row.th).startswith("September")
    )
    href = september.th.find("a", class_="app-changed-after-close")["href"]
    listing = pages.client.get(href)
    assert listing.status_code == 200
    listed = parse_html(listing.get_data(as_text=True))
    [row] = table_rows(listed, "changes")
    assert row[1:] == [
        "Alice Adams",
        "Absence recorded",
        "24 August 2026 to 18 September 2026",
        "August 2026 to October 2026",
        "Sam Supervisor",
        REASON,
    ]
    assert "Annual leave" not in listed.get_text()  # the kind of absence is the person's own business


def test_the_list_shows_only_people_the_viewer_oversees(org, pages):
    back_date_alices_absence(org, pages)
    pages.sign_in(org.olive)
    assert pages.get("reports.changes_after_close").find(id="no-changes") is not None
    pages.get("reports.changes_after_close_team", _expected_status=404, team_id=org.team_a.id)
    pages.get("reports.changes_after_close_person", _expected_status=404, person_id=org.alice.id)
    pages.client.post("/sign-out")
    pages.sign_in(org.hana)
    assert len(table_rows(pages.get("reports.changes_after_close"), "changes")) == 1
    assert (
        len(table_rows(pages.get("reports.changes_after_close_person", person_id=org.alice.id), "changes"))
        == 1
    )
    assert pages.get("reports.changes_after_close_team", team_id=org.team_b.id).find(id="no-changes")


@pytest.mark.parametrize(
    "query", ["from=2026-13", "from=26-01", "from=2026-1", "to=٢٠٢٦-01", "from=2026-10&to=2026-09"]
)
def test_a_month_that_is_not_a_month_is_a_bad_request(org, pages, query):
    pages.sign_in(org.hana)
    assert pages.client.get(f"/oversight/changes-after-close?{query}").status_code == 400


def test_months_outside_the_asked_window_are_left_out(org, pages):
    back_date_alices_absence(org, pages)
    pages.sign_in(org.hana)
    inside = pages.client.get("/oversight/changes-after-close?from=2026-10&to=2026-10")
    outside = pages.client.get("/oversight/changes-after-close?from=2026-06&to=2026-07")
    assert REASON in inside.get_data(as_text=True)
    assert REASON not in outside.get_data(as_text=True)


def test_the_api_report_marks_the_same_months_as_the_page(org, pages):
    back_date_alices_absence(org, pages)
    secret = create_token(org.hana, "test", False, timedelta(days=30)).secret
    response = pages.client.get(
        f"/api/v1/oversight/teams/{org.team_a.id}", headers={"Authorization": f"Bearer {secret}"}
    )
    assert response.status_code == 200
    body = response.get_json()
    assert [month["month"] for month in body["trend"] if month["changed_after_close"]] == [
        "2026-08-01",
        "2026-09-01",
        "2026-10-01",
    ]
    assert body["unit"]["changed_after_close"] is True
    children = {child["name"]: child["changed_after_close"] for child in body["children"]}
    assert children["Alice Adams"] is True and children["Bob Brown"] is False
    grid = {row["name"]: row["changed_after_close"] for row in body["staff_by_month"]}
    assert grid["Alice Adams"] == [False] * 8 + [True, True, True, False]
