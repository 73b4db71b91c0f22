"""Every input's limit holds the same on the pages, the API and the staff import (issue 20, item 4):
text lengths, control characters in names and other single-line text, dates per field and
numbers in ASCII digits. Each refusal names the field (the row and column in the import) and
writes nothing."""

from __future__ import annotations

import io
from datetime import date

import pytest
import sqlalchemy as sa

from supervision.agreements.models import AbsencePeriod
from supervision.extensions import db
from supervision.hr.import_rules import COLUMNS
from supervision.org.models import Role, Staff, Team
from supervision.records.models import Action, SupervisionRecord, SupervisionSession
from tests.factories import make_record, make_service, make_session, make_staff, make_team
from tests.org.conftest import error_messages, staff_form

pytestmark = pytest.mark.usefixtures("clock")  # today is Monday 23 November 2026

BOOKING = {
    "date": ["1", "12", "2026"],
    "start_time": "14:30",
    "duration_minutes": "90",
    "meeting": "in_person",
    "location": "Room 4",
}


def count(model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def errors_on(soup) -> dict[str, str]:
    """Error summary message by the field its link points at (a date's link points at its day box)."""
    summary = soup.select_one(".govuk-error-summary")
    if not summary:
        return {}
    return {a["href"].lstrip("#").removesuffix("-day"): a.get_text(strip=True) for a in summary.select("a")}


# --- sessions: page and API --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"date": ["1", "1", "1800"]}, "date", "Date must be on or after 23 August 2026"),
        ({"date": ["1", "1", "2999"]}, "date", "Date must be on or before 23 November 2027"),
        ({"location": "x" * 201}, "location", "Place must be 200 characters or fewer"),
        ({"location": "x" * 5000}, "location", "Place must be 200 characters or fewer"),
        (
            {"location": "Room 4\r\nX-Injected: yes"},
            "location",
            "Place must not contain a line break (it must be on one line)",
        ),
        ({"duration_minutes": "٩٠"}, "duration_minutes", "Length must be a whole number of minutes, like 90"),
        ({"date": ["١", "١٢", "٢٠٢٦"]}, "date", "Date must be a real date"),
        ({"start_time": "١٤:٣٠"}, "start_time", "Start time must be a time in 24-hour format, like 14:30"),
    ],
)
def test_a_session_outside_its_limits_is_refused_on_the_page(people, pages, changes, field, message):
    pages.sign_in(people.supervisor)
    data = {**BOOKING, "supervisee_ids": [str(people.worker.id)], **changes}
    soup = pages.post("sessions.schedule_session", data, _expected_status=200)
    assert errors_on(soup).get(field) == message
    assert count(SupervisionSession) == 0


def test_the_longest_place_and_the_furthest_dates_are_accepted_on_the_page(people, pages):
    pages.sign_in(people.supervisor)
    for day in (["23", "8", "2026"], ["23", "11", "2027"]):
        data = {**BOOKING, "supervisee_ids": [str(people.worker.id)], "date": day, "location": "x" * 200}
        data["closed_month_reason"] = "Written up late"  # August has closed (docs/metrics.md)
        pages.post("sessions.schedule_session", data)
    assert count(SupervisionSession) == 2


def test_a_supervisee_id_in_another_scripts_digits_is_not_read_as_that_id(people, pages):
    pages.sign_in(people.supervisor)
    arabic = str(people.worker.id).translate(str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩"))
    soup = pages.post(
        "sessions.schedule_session", {**BOOKING, "supervisee_ids": [arabic]}, _expected_status=200
    )
    assert errors_on(soup)["supervisee_ids"] == "Choose people you supervise from the list"
    assert count(SupervisionSession) == 0


def api_booking(people, **changes) -> dict:
    return {
        "supervisee_ids": [people.worker.id],
        "starts_at": "2026-12-01T10:00:00+00:00",
        "duration_minutes": 90,
        "location": "Room 2",
        **changes,
    }


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        (
            {"starts_at": "1800-01-01T10:00:00+00:00"},
            "starts_at",
            "starts_at must be on or after 23 August 2026",
        ),
        (
            {"starts_at": "2999-01-01T10:00:00+00:00"},
            "starts_at",
            "starts_at must be on or before 23 November 2027",
        ),
        ({"location": "x" * 201}, "location", "location must be 200 characters or fewer"),
        (
            {"location": "Room\n2"},
            "location",
            "location must not contain a line break (it must be on one line)",
        ),
        (
            {"location": "Room\u202e2"},
            "location",
            "location must not contain an invisible control character (U+202E)",
        ),
    ],
)
def test_a_session_outside_the_same_limits_is_refused_by_the_api(people, api_as, changes, field, message):
    response = api_as(people.supervisor).post("/sessions", json=api_booking(people, **changes))
    assert response.status_code == 400
    assert response.json["errors"] == {field: [message]}
    assert count(SupervisionSession) == 0


def test_the_api_accepts_what_the_page_accepts(people, api_as):
    api = api_as(people.supervisor)
    for starts_at in ("2026-08-23T10:00:00+01:00", "2027-11-23T10:00:00+00:00"):
        booking = api_booking(people, starts_at=starts_at, location="x" * 200)
        booking["closed_month_reason"] = "Written up late"  # needed for August only (docs/metrics.md)
        response = api.post("/sessions", json=booking)
        assert response.status_code == 201, response.json
    assert count(SupervisionSession) == 2


def test_a_session_held_more_than_three_months_ago_is_refused(people, pages):
    session = make_session(people.supervisor, people.worker)
    pages.sign_in(people.supervisor)
    data = {"version": session.version, "held_on": ["22", "8", "2026"], "duration_minutes": "90"}
    data["present_ids"] = [str(people.worker.id)]
    soup = pages.post("sessions.mark_held", data, _expected_status=200, session_id=session.id)
    assert errors_on(soup)["held_on"] == "Date held must be on or after 23 August 2026"
    assert count(SupervisionRecord) == 0


# --- records: page and API ---------------------------------------------------------------------


def record_form(record, **overrides) -> dict:
    return {"version": str(record.version), "agenda": "", "intent": "save", **overrides}


def test_a_record_section_over_20000_characters_is_refused_on_the_page_as_in_the_api(people, pages, api_as):
    record = make_record(people.worker, people.supervisor)
    pages.sign_in(people.supervisor)
    soup = pages.post(
        "records.record",
        record_form(record, wellbeing="x" * 20_001),
        _expected_status=200,
        record_id=record.id,
    )
    assert errors_on(soup)["wellbeing"] == "Wellbeing and staff care must be 20,000 characters or fewer"
    response = api_as(people.supervisor).patch(
        f"/records/{record.id}", json={"version": record.version, "wellbeing": "x" * 20_001}
    )
    assert response.status_code == 400
    assert response.json["errors"] == {"wellbeing": ["wellbeing must be 20,000 characters or fewer"]}
    db.session.expire_all()
    assert db.session.get(SupervisionRecord, record.id).wellbeing == ""

    pages.post("records.record", record_form(record, wellbeing="x" * 20_000), record_id=record.id)
    db.session.expire_all()
    assert len(db.session.get(SupervisionRecord, record.id).wellbeing) == 20_000


def test_a_record_with_every_section_full_of_a_four_byte_script_is_saved_not_refused_as_too_large(
    people, pages
):
    """Percent-encoded, 20,000 four-byte characters are 240 KB a section and 1.9 MB a form: the
    request limits (werkzeug's MAX_FORM_MEMORY_SIZE, per field) must hold every section at its
    longest, or the save is a 413."""
    from supervision.records.services import EDITABLE_TEXT

    record = make_record(people.worker, people.supervisor)
    pages.sign_in(people.supervisor)
    full = {key: "\U0001d49c" * 20_000 for key in EDITABLE_TEXT}  # MATHEMATICAL SCRIPT CAPITAL A
    pages.post("records.record", record_form(record, **full), record_id=record.id)
    db.session.expire_all()
    saved = db.session.get(SupervisionRecord, record.id)
    assert all(getattr(saved, key) == full[key] for key in EDITABLE_TEXT)


def test_record_text_keeps_line_breaks_and_tabs_but_no_other_control_characters(people, pages, api_as):
    record = make_record(people.worker, people.supervisor)
    pages.sign_in(people.supervisor)
    soup = pages.post(
        "records.record",
        record_form(record, workload="One\x0btwo"),
        _expected_status=200,
        record_id=record.id,
    )
    assert (
        errors_on(soup)["workload"]
        == "Workload and caseload must not contain an invisible control character (U+000B)"
    )
    response = api_as(people.supervisor).patch(
        f"/records/{record.id}", json={"version": record.version, "workload": "One\x0btwo"}
    )
    assert response.status_code == 400 and set(response.json["errors"]) == {"workload"}

    pages.post("records.record", record_form(record, workload="One\r\n\ttwo"), record_id=record.id)
    db.session.expire_all()
    assert db.session.get(SupervisionRecord, record.id).workload == "One\r\n\ttwo"


def test_an_action_due_in_2099_is_refused(people, pages):
    record = make_record(people.worker, people.supervisor)
    pages.sign_in(people.supervisor)
    data = {"version": record.version, "description": "Book training", "owner_id": people.worker.id}
    soup = pages.post(
        "records.add_action",
        {**data, "due_on": ["1", "1", "2099"]},
        _expected_status=200,
        record_id=record.id,
    )
    assert errors_on(soup)["due_on"] == "Due date must be on or before 23 November 2028"
    soup = pages.post(
        "records.add_action",
        {**data, "due_on": ["1", "1", "1800"]},
        _expected_status=200,
        record_id=record.id,
    )
    assert errors_on(soup)["due_on"] == "Due date must be on or after 23 August 2026"
    assert count(Action) == 0


def test_a_case_reference_is_one_line_of_at_most_100_characters(people, pages):
    record = make_record(people.worker, people.supervisor)
    pages.sign_in(people.supervisor)
    for reference, message in (
        ("C" * 101, "Case reference must be 100 characters or fewer"),
        ("C1\nC2", "Case reference must not contain a line break (it must be on one line)"),
    ):
        soup = pages.post(
            "records.add_case_discussion",
            {"version": record.version, "case_reference": reference},
            _expected_status=200,
            record_id=record.id,
        )
        assert errors_on(soup)["case_reference"] == message


# --- absences ----------------------------------------------------------------------------------


def test_an_absence_from_1800_to_2027_is_refused_and_a_recent_one_is_kept(people, pages):
    pages.sign_in(people.supervisor)
    soup = pages.post(
        "agreements.new_absence",
        {"kind": "sickness", "starts_on": ["1", "1", "1800"], "ends_on": ["31", "12", "2027"]},
        _expected_status=200,
        person_id=people.worker.id,
    )
    assert errors_on(soup)["starts_on"] == "First day must be on or after 23 August 2026"
    soup = pages.post(
        "agreements.new_absence",
        {"kind": "sickness", "starts_on": ["1", "9", "2026"], "ends_on": ["1", "1", "2029"]},
        _expected_status=200,
        person_id=people.worker.id,
    )
    assert errors_on(soup)["ends_on"] == "Last day must be on or before 23 November 2028"
    assert count(AbsencePeriod) == 0
    pages.post(
        "agreements.new_absence",
        {
            "kind": "sickness",
            "starts_on": ["23", "8", "2026"],
            "ends_on": ["4", "9", "2026"],
            "closed_month_reason": "Sickness reported late",  # August has closed (docs/metrics.md)
        },
        person_id=people.worker.id,
    )
    assert count(AbsencePeriod) == 1


# --- staff: page and import --------------------------------------------------------------------


@pytest.fixture
def admin(app):
    return make_staff(Role.ADMIN, email="admin@example.test")


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        (
            {"given_name": "Evil\r\nBcc: x@y"},
            "given_name",
            "Given name must not contain a line break (it must be on one line)",
        ),
        ({"family_name": "Osei\tX"}, "family_name", "Family name must not contain a tab"),
        ({"job_title": "Lead\u2028Bcc: x@y"}, "job_title", "Job title must not contain a line break"),
        (
            {"email": "a@b.test\r\nBcc: x@y"},
            "email",
            "Email address must not contain a line break (it must be on one line)",
        ),
        ({"start_date": ["1", "1", "1800"]}, "start_date", "Start date must be on or after 23 November 1966"),
        (
            {"start_date": ["1", "1", "2099"]},
            "start_date",
            "Start date must be on or before 23 November 2027",
        ),
        (
            {"dbs_check_date": ["1", "1", "2027"]},
            "dbs_check_date",
            "Date of the last DBS check must be today or in the past",
        ),
        ({"fte": "٠.٥"}, "fte", "FTE must be a number, like 0.6"),
        ({"caseload": "١٢"}, "caseload", "Caseload must be a whole number, like 12"),
    ],
)
def test_staff_details_outside_their_limits_are_refused_on_the_page(pages, admin, changes, field, message):
    pages.sign_in(admin)
    before = count(Staff)
    soup = pages.post("org.create_staff", data=staff_form(**changes), _expected_status=200)
    assert errors_on(soup).get(field) == message
    assert count(Staff) == before


def test_a_start_date_kept_as_it_was_does_not_stop_an_edit(pages, admin):
    person = make_staff(start_date=date(1960, 3, 1), given_name="Long", family_name="Serving")
    pages.sign_in(admin)
    edit = staff_form(
        given_name="Long",
        family_name="Serving",
        email=person.email,
        employee_number=person.employee_number,
        start_date=["1", "3", "1960"],
        job_title="Principal social worker",
    )
    pages.post("org.edit_staff", data=edit, staff_id=person.id)
    db.session.expire_all()
    assert db.session.get(Staff, person.id).job_title == "Principal social worker"
    soup = pages.post(
        "org.edit_staff",
        data={**edit, "start_date": ["1", "2", "1960"]},
        _expected_status=200,
        staff_id=person.id,
    )
    assert errors_on(soup)["start_date"] == "Start date must be on or after 23 November 1966"


def test_a_team_name_is_one_line(pages, admin):
    service = make_service()
    pages.sign_in(admin)
    soup = pages.post(
        "org.create_team",
        data={"name": "North\r\nBcc: x@y", "service_id": str(service.id), "establishment_fte": "6"},
        _expected_status=200,
        service_id=service.id,
    )
    assert "Team name must not contain a line break (it must be on one line)" in error_messages(soup)
    assert count(Team) == 0


def csv_line(**values) -> str:
    def quoted(text: str) -> str:
        return '"' + text.replace('"', '""') + '"'

    return ",".join(quoted(str(values.get(column, ""))) for column in COLUMNS)


def person(number: int, **overrides) -> str:
    values = {
        "employee_number": f"P{number:05d}",
        "email": f"person.{number}@example.test",
        "given_name": "Given",
        "family_name": f"Family {number}",
        "career_stage": "social_worker",
        "registered_social_worker": "yes",
        "contract_type": "permanent",
        "fte": "1",
        "start_date": "2021-04-06",
    }
    return csv_line(**{**values, **overrides})


def staff_file(*lines: str) -> bytes:
    return ("\r\n".join([",".join(COLUMNS), *lines]) + "\r\n").encode("utf-8")


@pytest.fixture
def cli(app):
    make_team("North", service=make_service("Assessment"))
    return app.test_cli_runner()


def test_the_import_refuses_what_the_page_refuses_by_row_and_column(cli, tmp_path):
    path = tmp_path / "staff.csv"
    path.write_bytes(
        staff_file(
            person(1, given_name="Evil\r\nBcc: x@y"),
            person(2, family_name="Tab\there"),
            person(3, start_date="1800-01-01"),
            person(4, start_date="2099-01-01"),
            person(5, end_date="2099-01-01"),
            person(6, dbs_check_date="2027-01-01"),
            person(7, fte="١"),
            person(8, start_date="٢٠٢١-٠٤-٠٦"),
            person(9, swe_renewal_date="1800-01-01"),
            person(10, job_title="x" * 201),
            person(11, caseload="١٢"),
        )
    )
    result = cli.invoke(args=["import-staff", str(path)])
    assert result.exit_code == 1
    expected = [
        "Row 2, column given_name: Given name must not contain a line break (it must be on one line)",
        "Row 3, column family_name: Family name must not contain a tab",
        "Row 4, column start_date: Start date must be on or after 23 November 1966",
        "Row 5, column start_date: Start date must be on or before 23 November 2027",
        "Row 6, column end_date: End date must be on or before 23 November 2031",
        "Row 7, column dbs_check_date: DBS check date must be today or in the past",
        "Row 8, column fte: FTE must be a number, like 0.6",
        "Row 9, column start_date: Enter the start date as year-month-day, like 2024-09-02",
        "Row 10, column swe_renewal_date: "
        "Social Work England renewal date must be on or after 23 November 2016",
        "Row 11, column job_title: Job title must be 200 characters or fewer",
        "Row 12, column caseload: Caseload must be a whole number, like 12",
    ]
    for line in expected:
        assert line in result.output
    assert count(Staff) == 0


def test_the_import_page_names_the_row_and_column_too(pages, cli):
    pages.sign_in(make_staff(Role.HR, email="hr@example.test"))
    response = pages.client.post(
        "/staff-import",
        data={"staff_file": (io.BytesIO(staff_file(person(1, given_name="Evil\nBcc: x@y"))), "staff.csv")},
        content_type="multipart/form-data",
    )
    text = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Given name must not contain a line break (it must be on one line)" in text
    assert count(Staff) == 1  # only the HR person


def test_a_re_imported_start_date_older_than_the_range_is_kept(cli, tmp_path):
    make_staff(employee_number="P00001", email="person.1@example.test", start_date=date(1960, 3, 1))
    path = tmp_path / "staff.csv"
    path.write_bytes(staff_file(person(1, start_date="1960-03-01", job_title="Principal social worker")))
    result = cli.invoke(args=["import-staff", str(path)])
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    assert db.session.scalar(sa.select(Staff.job_title).where(Staff.employee_number == "P00001")) == (
        "Principal social worker"
    )


def arabic_digits(number: int) -> str:
    return str(number).translate(str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩"))


def test_a_chosen_id_beyond_the_database_or_in_other_digits_is_a_field_error(people, pages):
    record = make_record(people.worker, people.supervisor)
    pages.sign_in(people.supervisor)
    data = {"version": record.version, "description": "Book training", "due_on": ["1", "12", "2026"]}
    for owner in ("2147483648", "99999999999999999999", arabic_digits(people.worker.id)):
        soup = pages.post(
            "records.add_action", {**data, "owner_id": owner}, _expected_status=200, record_id=record.id
        )
        assert errors_on(soup)["owner_id"] == "Choose who owns the action", owner
    assert count(Action) == 0


def test_a_team_or_line_manager_id_beyond_the_database_is_a_field_error(pages, admin):
    pages.sign_in(admin)
    for field in ("team_id", "line_manager_id"):
        soup = pages.post("org.create_staff", data=staff_form(**{field: "2147483648"}), _expected_status=200)
        assert errors_on(soup)[field] == "Choose an option from the list"
