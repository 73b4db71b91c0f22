"""The staff import pages: upload, preview of creates, updates and leavers, confirm or cancel."""

from __future__ import annotations

import io
import logging

import pytest
import sqlalchemy as sa

from supervision.extensions import db
from supervision.hr.models import StaffImport
from supervision.org.models import Role, Staff
from tests.factories import make_organisation, make_service, make_staff, make_team
from tests.hr.test_import import person_line, row_counts, staff_file, staff_rows


@pytest.fixture
def teams(app):
    north = make_team("North", service=make_service("Assessment"))
    make_team("South", service=north.service)
    return make_organisation()


@pytest.fixture
def importer(pages, teams):
    person = make_staff(Role.HR, email="hr@example.test", employee_number="HR1")
    pages.sign_in(person)
    return person


def upload(pages, data: bytes, filename: str = "staff.csv", expected=302):
    response = pages.client.post(
        "/staff-import",
        data={"staff_file": (io.BytesIO(data), filename)},
        content_type="multipart/form-data",
    )
    assert response.status_code == expected, response.get_data(as_text=True)[:3000]
    return response


def pending_token() -> str:
    return db.session.scalar(sa.select(StaffImport.token))


def soup_of(response):
    from tests.html import parse_html

    return parse_html(response.get_data(as_text=True))


def error_summary(soup) -> list[tuple[str, str]]:
    summary = soup.select_one(".govuk-error-summary")
    return [(a.get_text(strip=True), a["href"]) for a in summary.select("a")] if summary else []


def test_upload_preview_and_confirm_imports_the_file(pages, importer, clock):
    make_staff(employee_number="P00002", email="person.2@example.test", given_name="Old", family_name="Name")
    make_staff(
        employee_number="P00003", email="person.3@example.test", given_name="Given", family_name="Family 3"
    )
    data = staff_file(
        [
            person_line(1),
            person_line(2),
            person_line(3, end_date="2026-10-31", leaving_destination="retired", leaving_reason="Retirement"),
        ]
    )
    response = upload(pages, data)
    assert response.headers["Location"] == "/staff-import/preview"
    assert db.session.scalar(sa.select(sa.func.count()).select_from(StaffImport)) == 1
    assert staff_rows()["P00002"].given_name == "Old"  # nothing changes before the confirm

    soup = pages.get("hr.staff_import_preview")
    summary = {
        row.dt.get_text(strip=True): row.dd.get_text(strip=True)
        for row in soup.select(".govuk-summary-list__row")
    }
    assert summary == {
        "Rows in the file": "3 rows",
        "People to add": "1 person",
        "People to update": "1 person",
        "Leavers to record": "1 person",
        "People already up to date": "0 people",
    }
    assert [td.get_text(strip=True) for td in soup.select("#creates tbody td")] == [
        "2",
        "P00001",
        "Given Family 1",
        "Social worker",
    ]
    assert soup.select("#updates tbody td")[3].get_text(strip=True) == (
        "given_name, family_name, registered_social_worker, start_date, caseload, team"
    )
    assert [td.get_text(strip=True) for td in soup.select("#leavers tbody td")][3:] == [
        "2026-10-31",
        "Retired",
    ]
    token = soup.select_one("input[name=token]")["value"]
    assert token == pending_token()

    response = pages.post("hr.confirm_staff_import", data={"token": token})
    assert response.headers["Location"] == "/staff-import"
    message = pages.get("hr.staff_import").select_one(".govuk-notification-banner").get_text(" ", strip=True)
    assert (
        "Staff imported: 1 person added, 1 person updated, 1 person recorded as leavers, 0 people unchanged."
        in (message)
    )
    people = staff_rows()
    assert people["P00001"].team.name == "North"
    assert people["P00002"].given_name == "Given"
    assert people["P00003"].end_date.isoformat() == "2026-10-31"
    assert db.session.scalar(sa.select(sa.func.count()).select_from(StaffImport)) == 0


def test_a_file_with_problems_is_refused_with_every_problem_listed_and_nothing_kept(pages, importer, clock):
    counts = row_counts()
    data = staff_file([person_line(1, fte="2"), person_line(2), person_line(3, team="Nowhere", email="bad")])
    soup = soup_of(upload(pages, data, expected=200))
    assert soup.title.get_text().startswith("Error: Import staff")
    assert error_summary(soup) == [
        (
            "The file has 3 problems in 2 rows. Nothing was imported. "
            "Fix every problem listed below and upload the file again.",
            "#staff_file",
        )
    ]
    rows = [
        [td.get_text(strip=True) for td in tr.find_all("td")] for tr in soup.select("#import-errors tbody tr")
    ]
    assert rows == [
        ["2", "fte", "FTE must be 1 or less (1 is full time)"],
        ["4", "email", "Enter an email address in the correct format, like name@example.com"],
        ["4", "team", "There is no team called Nowhere"],
    ]
    assert row_counts() == counts


def test_hundreds_of_errors_are_grouped_so_every_row_is_still_named(pages, importer, clock):
    data = staff_file([person_line(number, fte="full") for number in range(1, 602)])
    soup = soup_of(upload(pages, data, expected=200))
    rows = [
        [td.get_text(strip=True) for td in tr.find_all("td")] for tr in soup.select("#import-errors tbody tr")
    ]
    assert rows == [["fte", "FTE must be a number, like 0.6", "2 to 602"]]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"employee_number;email\r\n", "The columns are separated by semicolons (;), not commas."),
        (
            b"given_name,email\r\nAda,a@x.test\r\n",
            "The header row is missing the columns employee_number,",
        ),
        (
            "employee_number,email,given_name\r\nE1,a@x.test,Zoë\r\n".encode("cp1252"),
            "The file is not UTF-8 text",
        ),
        (b"", "The file is empty."),
    ],
)
def test_a_file_that_cannot_be_read_is_explained(pages, importer, data, message):
    soup = soup_of(upload(pages, data, expected=200))
    messages = [text for text, href in error_summary(soup)]
    assert messages[0].startswith(message)
    assert error_summary(soup)[0][1] == "#staff_file"
    assert db.session.scalar(sa.select(sa.func.count()).select_from(StaffImport)) == 0


def test_no_file_chosen_is_explained(pages, importer):
    response = pages.client.post("/staff-import", data={}, content_type="multipart/form-data")
    assert error_summary(soup_of(response)) == [("Select a CSV file to upload", "#staff_file")]


def test_cancelling_forgets_the_file_and_changes_nothing(pages, importer, clock):
    upload(pages, staff_file([person_line(1)]))
    pages.post("hr.cancel_staff_import", data={"token": pending_token()})
    assert db.session.scalar(sa.select(sa.func.count()).select_from(StaffImport)) == 0
    assert "P00001" not in staff_rows()
    response = pages.client.get("/staff-import/preview")
    assert response.headers["Location"] == "/staff-import"


def test_a_confirm_after_staff_details_changed_shows_the_new_preview_first(pages, importer, clock):
    upload(pages, staff_file([person_line(1), person_line(2)]))
    token = pending_token()
    # Someone adds P00002 by hand between the preview and the confirm.
    make_staff(
        employee_number="P00002", email="person.2@example.test", given_name="Given", family_name="Family 2"
    )
    response = pages.post("hr.confirm_staff_import", data={"token": token})
    assert response.headers["Location"] == "/staff-import/preview"
    assert "P00001" not in staff_rows()
    soup = pages.get("hr.staff_import_preview")
    assert (
        "Staff details changed since you checked this file"
        in soup.select_one(".govuk-notification-banner").text
    )
    assert [td.get_text(strip=True) for td in soup.select("#creates tbody td")][1] == "P00001"
    pages.post("hr.confirm_staff_import", data={"token": token})
    assert "P00001" in staff_rows()


def test_a_file_that_no_longer_passes_the_checks_is_refused_at_confirm(pages, importer, clock):
    upload(pages, staff_file([person_line(1)]))
    token = pending_token()
    make_staff(employee_number="OTHER", email="person.1@example.test")
    soup = pages.post("hr.confirm_staff_import", data={"token": token}, _expected_status=200)
    assert soup.select("#import-errors tbody td")[2].get_text(strip=True) == (
        "The email address person.1@example.test belongs to another member of staff"
    )
    assert "P00001" not in staff_rows()


def test_nobody_can_confirm_someone_elses_file(pages, importer, clock):
    upload(pages, staff_file([person_line(1)]))
    token = pending_token()
    pages.client.post("/sign-out")
    pages.sign_in(make_staff(Role.ADMIN, email="admin@example.test"))
    response = pages.post("hr.confirm_staff_import", data={"token": token})
    assert response.headers["Location"] == "/staff-import"
    assert "P00001" not in staff_rows()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(StaffImport)) == 1


def test_a_held_file_expires_after_a_day(pages, importer, clock):
    upload(pages, staff_file([person_line(1)]))
    token = pending_token()
    clock.advance(days=1, seconds=1)
    pages.client.get("/")  # idle for a day: signed out, so sign in again
    pages.sign_in(importer)
    with pages.client.session_transaction() as session:
        session["staff_import_token"] = token
    assert pages.client.get("/staff-import/preview").headers["Location"] == "/staff-import"
    pages.post("hr.confirm_staff_import", data={"token": token})
    assert "P00001" not in staff_rows()
    upload(pages, staff_file([person_line(2)]))  # the next upload clears the expired one away
    assert db.session.scalar(sa.select(sa.func.count()).select_from(StaffImport)) == 1


def test_a_file_already_up_to_date_says_so(pages, importer, clock):
    upload(pages, staff_file([person_line(1)]))
    pages.post("hr.confirm_staff_import", data={"token": pending_token()})
    upload(pages, staff_file([person_line(1)]))
    soup = pages.get("hr.staff_import_preview")
    assert "Everyone in the file is already up to date" in soup.text


def test_the_example_file_can_be_downloaded(pages, importer):
    response = pages.client.get("/staff-import/example.csv")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"] == 'attachment; filename="staff-import.csv"'
    assert response.get_data(as_text=True).startswith("employee_number,email,given_name,family_name,")


@pytest.mark.parametrize("role", [Role.HR, Role.ADMIN])
def test_hr_and_administrators_may_import(pages, teams, role):
    pages.sign_in(make_staff(role))
    pages.get("hr.staff_import")


@pytest.mark.parametrize("role", [Role.SOCIAL_WORKER, Role.SUPERVISOR, Role.SERVICE_MANAGER])
def test_nobody_else_may_import(pages, teams, role):
    pages.sign_in(make_staff(role))
    pages.get("hr.staff_import", _expected_status=403)
    pages.get("hr.staff_import_preview", _expected_status=403)
    pages.get("hr.staff_import_example", _expected_status=403)
    pages.post("hr.confirm_staff_import", data={"token": "x"}, _expected_status=403)
    pages.post("hr.cancel_staff_import", data={"token": "x"}, _expected_status=403)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Staff)) == 1


def test_confirming_an_import_shows_the_success_page_when_the_service_logs_at_info(
    pages, importer, clock, caplog
):
    # Production logs at INFO; the import's log line once raised after the commit, and the page
    # then said the import had "already been applied, cancelled or has expired".
    caplog.set_level(logging.INFO, logger="supervision.hr.import_services")
    upload(pages, staff_file([person_line(1)]))
    token = pages.get("hr.staff_import_preview").select_one("input[name=token]")["value"]

    response = pages.post("hr.confirm_staff_import", data={"token": token})

    assert response.headers["Location"] == "/staff-import"
    page = pages.get("hr.staff_import")
    message = page.select_one(".govuk-notification-banner").get_text(" ", strip=True)
    assert "Staff imported: 1 person added" in message
    assert "already been applied" not in page.get_text()
    assert staff_rows()["P00001"].given_name == "Given"
    [line] = [record for record in caplog.records if record.getMessage() == "staff import applied"]
    assert line.people_created == 1 and line.people_updated == 0
