"""`flask --app wsgi export-report ...`: the pages' own exports, as a named person with the pages'
permissions; a refusal exits non-zero, says why and writes nothing.

The organisation is the hand-worked one of conftest.py (today is 23 November 2026); retention uses
the hand-worked workforce of tests/hr/workforce.py.
"""

import csv
import io

import pytest
from openpyxl import load_workbook

from supervision.extensions import db
from supervision.org.models import Role
from tests.factories import make_staff
from tests.hr.conftest import seed_workforce
from tests.replay import replayed


@pytest.fixture
def cli(app):
    return app.test_cli_runner()


def export(cli, *args):
    return cli.invoke(args=["export-report", *args])


def csv_cells(content: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))


def page_download(pages, person, path: str) -> bytes:
    pages.sign_in(person)
    response = pages.client.get(path)
    assert response.status_code == 200
    return response.get_data()


# --- oversight -----------------------------------------------------------------------------------


def test_a_team_report_on_standard_output_is_the_pages_csv_export(cli, pages, org):
    result = export(cli, "oversight", "--as", org.hana.email, "--team", "Assessment A")

    assert result.exit_code == 0, result.output
    assert result.stdout_bytes == page_download(
        pages, org.hana, f"/oversight/teams/{org.team_a.id}/export.csv"
    )
    cells = csv_cells(result.stdout_bytes)
    assert ["Team", "Assessment A"] in cells
    assert ["Period", "1 September 2026 to 23 November 2026"] in cells


def test_a_team_is_found_by_id_or_by_name_whatever_its_case(cli, org):
    by_name = export(cli, "oversight", "--as", org.hana.email, "--team", "assessment a")
    by_id = export(cli, "oversight", "--as", org.hana.email.upper(), "--team", str(org.team_a.id))

    assert by_name.exit_code == by_id.exit_code == 0
    assert by_name.stdout_bytes == by_id.stdout_bytes


def test_a_service_report_for_a_chosen_period_is_written_as_xlsx(cli, org, tmp_path):
    output = tmp_path / "assessment.xlsx"

    result = export(
        cli,
        "oversight",
        "--as",
        org.hana.email,
        "--service",
        "Assessment",
        "--period-start",
        "2026-06-01",
        "--period-end",
        "2026-08-31",
        "--format",
        "xlsx",
        "--output",
        str(output),
    )

    assert result.exit_code == 0, result.output
    assert f"to {output}" in result.stderr
    workbook = load_workbook(output)
    assert workbook.sheetnames[:2] == ["About", "Figures for the period"]
    about = {row[0]: row[1] for row in workbook["About"].iter_rows(values_only=True)}
    assert about["Service"] == "Assessment"
    assert about["Period"] == "1 June 2026 to 31 August 2026"


def test_the_organisation_report_covers_only_the_services_the_person_oversees(cli, pages, org, tmp_path):
    output = tmp_path / "organisation.csv"

    result = export(cli, "oversight", "--as", org.hana.email, "--output", str(output))

    assert result.exit_code == 0, result.output
    assert output.read_bytes() == page_download(pages, org.hana, "/oversight/export.csv")
    names = {row[1] for row in csv_cells(output.read_bytes()) if row and row[0] == "Service"}
    assert names == {"Assessment"}


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--team", "Nowhere"], "There is no team called Nowhere in Test Council."),
        (["--service", "999999"], "There is no service called 999999 in Test Council."),
        (["--team", "Care C"], "Hana Head does not oversee the team Care C, so cannot export its report."),
        (["--team", "Assessment A", "--service", "Assessment"], "Give --service or --team, not both."),
        (["--period-end", "2026-11-01"], "--period-start: Enter a start date"),
        (
            ["--period-start", "2026-09-01", "--period-end", "2026-11-24"],
            "--period-end: The end date must be today or in the past",
        ),
        (
            ["--period-start", "2026-08-20", "--period-end", "2026-10-31"],
            "--period-start: The start date must be the first day of a month",
        ),
        (
            ["--period-start", "2026-08-01", "--period-end", "2026-10-04"],
            "--period-end: The end date must be the last day of a month, or today",
        ),
        (["--format", "xlsx"], "An XLSX file cannot go to the terminal: give --output FILE."),
    ],
)
def test_a_refused_oversight_export_says_why_and_writes_nothing(cli, org, args, message):
    result = export(cli, "oversight", "--as", org.hana.email, *args)

    assert result.exit_code == 1
    assert message in result.output
    assert result.stdout_bytes == b""


def test_a_date_that_is_not_a_date_is_refused_before_anything_is_written(cli, org, tmp_path):
    output = tmp_path / "report.csv"

    result = export(
        cli, "oversight", "--as", org.hana.email, "--period-start", "1/9/2026", "--output", str(output)
    )

    assert result.exit_code == 2
    assert "'1/9/2026' is not a date: write it as YYYY-MM-DD" in result.output
    assert not output.exists()


def test_the_person_must_exist_be_in_post_and_hold_the_role(cli, org, tmp_path):
    output = tmp_path / "report.csv"

    unknown = export(cli, "oversight", "--as", "nobody@example.test", "--output", str(output))
    assert unknown.exit_code == 1
    assert "There is no member of staff with the email address nobody@example.test." in unknown.output
    supervisor = export(cli, "oversight", "--as", org.sam.email, "--output", str(output))
    assert supervisor.exit_code == 1
    assert "The oversight report is only for service manager: Sam Supervisor does not have that role." in (
        supervisor.output
    )
    org.hana.active = False
    db.session.commit()
    deactivated = export(cli, "oversight", "--as", org.hana.email, "--output", str(output))
    assert deactivated.exit_code == 1
    assert "Hana Head has been deactivated, so cannot export reports." in deactivated.output
    assert not output.exists()


# --- team dashboard ------------------------------------------------------------------------------


def test_the_team_dashboard_is_the_pages_export_of_everyone_on_it(cli, pages, org):
    result = export(cli, "team-dashboard", "--as", org.sam.email)

    assert result.exit_code == 0, result.output
    assert result.stdout_bytes == page_download(pages, org.sam, "/team-dashboard/export.csv")
    assert export(cli, "team-dashboard", "--as", org.hr.email).exit_code == 1


# --- HR retention --------------------------------------------------------------------------------


@pytest.fixture
@replayed
def hr_person(app, clock):
    seed_workforce()
    return make_staff(Role.HR, given_name="Harriet", family_name="Hr")


def test_retention_is_the_pages_export_with_small_numbers_withheld(cli, pages, hr_person, tmp_path):
    output = tmp_path / "retention.csv"

    result = export(cli, "retention", "--as", hr_person.email, "--output", str(output))

    assert result.exit_code == 0, result.output
    assert "1 October 2025 to 30 September 2026" in result.stderr
    assert output.read_bytes() == page_download(pages, hr_person, "/retention/export.csv")
    north = next(row for row in csv_cells(output.read_bytes()) if row[:3] == ["Team", "Assessment", "North"])
    assert "fewer than 5" in north


def test_retention_for_a_snapshot_date_as_xlsx(cli, hr_person, tmp_path):
    output = tmp_path / "retention.xlsx"

    result = export(
        cli,
        "retention",
        "--as",
        hr_person.email,
        "--snapshot-date",
        "2026-03-31",
        "--format",
        "xlsx",
        "--output",
        str(output),
    )

    assert result.exit_code == 0, result.output
    about = {row[0]: row[1] for row in load_workbook(output)["About"].iter_rows(values_only=True)}
    assert about["Snapshot date"] == "31 March 2026"


@pytest.mark.parametrize(
    ("role", "args", "message"),
    [
        (Role.ADMIN, [], "The retention summary is only for HR: "),
        (Role.SERVICE_MANAGER, [], "The retention summary is only for HR: "),
        (
            Role.HR,
            ["--snapshot-date", "2026-11-24"],
            "--snapshot-date: Snapshot date must be today or in the past",
        ),
        (Role.HR, ["--snapshot-date", "1999-09-30"], "Snapshot date must be on or after 31 January 2000"),
    ],
)
def test_a_refused_retention_export_says_why_and_writes_nothing(cli, clock, tmp_path, role, args, message):
    person = make_staff(role)
    output = tmp_path / "retention.csv"

    result = export(cli, "retention", "--as", person.email, *args, "--output", str(output))

    assert result.exit_code == 1
    assert message in result.output
    assert not output.exists()
