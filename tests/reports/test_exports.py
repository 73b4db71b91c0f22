"""CSV and XLSX exports: the same figures as the page, the period and time made, no formulas."""

import csv
import io
from datetime import date

import pytest
from flask import url_for
from openpyxl import load_workbook

from supervision.extensions import db
from supervision.reports.exports import Section, csv_lines, safe_text, xlsx_bytes
from supervision.reports.figures import Period
from supervision.reports.forms import period_args
from tests.factories import make_agreement, make_staff

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def download(client, endpoint, **values):
    response = client.get(url_for(endpoint, **values))
    assert response.status_code == 200, response.status_code
    return response


def csv_rows(response) -> list[list[str]]:
    body = response.get_data(as_text=True)
    assert body.startswith("\ufeff")
    return list(csv.reader(io.StringIO(body[1:])))


def section(rows: list[list[str]], title: str) -> list[list[str]]:
    """The rows of one titled section: header first, up to the next blank line."""
    start = rows.index([title]) + 1
    end = next((i for i in range(start, len(rows)) if rows[i] == []), len(rows))
    return rows[start:end]


def test_team_report_as_csv_has_the_period_generation_time_and_the_pages_figures(pages, client, org):
    pages.sign_in(org.hana)

    response = download(client, "reports.export_oversight_team", team_id=org.team_a.id, file_format="csv")

    assert response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"] == (
        f'attachment; filename="oversight-team-{org.team_a.id}-2026-09-01-to-2026-11-23.csv"'
    )
    rows = csv_rows(response)
    about = {row[0]: row[1] for row in rows[: rows.index([])]}
    assert about["Period"] == "1 September 2026 to 23 November 2026"
    assert about["Generated"] == "23 November 2026 at 09:00 (UK time)"
    assert about["Team"] == "Assessment A"
    figures = section(rows, "Figures for the period")
    header, team = figures[0], dict(zip(figures[0], figures[1], strict=True))
    assert header[:3] == ["Level", "Name", "Part of"]
    assert team["Name"] == "Assessment A"
    assert (team["Sessions held on time (%)"], team["Sessions held on time: count"]) == ("50.0", "2")
    assert team["Sessions held on time: out of"] == "4"
    assert team["Median days between sessions"] == "38.5"
    assert team["Records signed on time (%)"] == "66.7"
    assert [row[1] for row in figures[2:]] == ["Alice Adams", "Bob Brown", "Cara Cole", "Dev Dutta"]
    cara = dict(zip(header, figures[4], strict=True))
    assert cara["Sessions held on time (%)"] == ""  # nothing was due: an empty cell, not 0
    trend = section(rows, "Monthly trend")
    assert trend[1][0] == "December 2025" and trend[-1][0] == "November 2026"
    assert section(rows, "Reasons for gaps")[1:] == [
        ["Supervisor absent", "0"],
        ["Supervisee absent", "0"],
        ["Supervisor post vacant", "0"],
        ["Reallocation to a new supervisor", "0"],
        ["Workload pressures", "1"],
        ["Another reason", "0"],
        ["No reason recorded", "0"],
    ]
    grid = section(rows, "Staff by month")
    assert grid[1][0] == "Alice Adams" and grid[1][-1] == "Missed"


def test_team_report_as_xlsx_has_numbers_as_numbers(pages, client, org):
    pages.sign_in(org.hana)

    response = download(client, "reports.export_oversight_team", team_id=org.team_a.id, file_format="xlsx")

    assert response.mimetype == XLSX
    workbook = load_workbook(io.BytesIO(response.get_data()))
    about = {row[0]: row[1] for row in workbook["About"].iter_rows(values_only=True)}
    assert about["Period"] == "1 September 2026 to 23 November 2026"
    assert about["Generated"] == "23 November 2026 at 09:00 (UK time)"
    sheet = workbook["Figures for the period"]
    header = [cell.value for cell in sheet[2]]
    team = {heading: cell for heading, cell in zip(header, sheet[3], strict=True)}
    share = team["Sessions held on time (%)"]
    assert share.value == 0.5 and share.number_format == "0.0%"
    assert team["Staff in scope"].value == 4
    assert workbook.sheetnames == [
        "About",
        "Figures for the period",
        "Monthly trend",
        "Reasons for gaps",
        "Quality audit grades",
        "Staff by month",
        "Case oversight",
        "Case oversight trend",
        "Cases counted",
    ]


def test_every_level_exports_in_both_formats(pages, client, org):
    pages.sign_in(org.hana)
    summer = period_args(Period(date(2026, 6, 1), date(2026, 8, 31)))
    for endpoint, values in [
        ("reports.export_oversight", {}),
        ("reports.export_oversight_service", {"service_id": org.assessment.id}),
        ("reports.export_oversight_team", {"team_id": org.team_b.id}),
        ("reports.export_oversight_person", {"person_id": org.alice.id}),
    ]:
        for file_format in ("csv", "xlsx"):
            response = download(client, endpoint, file_format=file_format, **values, **summer)
            assert "2026-06-01-to-2026-08-31" in response.headers["Content-Disposition"]


def test_text_that_could_run_as_a_formula_stays_text(pages, client, org):
    org.team_a.name = '=HYPERLINK("http://evil.example","click")'
    org.alice.given_name, org.alice.family_name = "+cmd|' /C calc'!A0", "-Adams"
    db.session.commit()
    pages.sign_in(org.hana)

    rows = csv_rows(
        download(client, "reports.export_oversight_team", team_id=org.team_a.id, file_format="csv")
    )
    workbook = load_workbook(
        io.BytesIO(
            download(client, "reports.export_oversight_team", team_id=org.team_a.id, file_format="xlsx").data
        )
    )

    about = {row[0]: row[1] for row in rows[: rows.index([])]}
    assert about["Team"] == "'" + '=HYPERLINK("http://evil.example","click")'
    figures = section(rows, "Figures for the period")
    assert figures[1][1].startswith("'=HYPERLINK")
    assert figures[2][1] == "'+cmd|' /C calc'!A0 -Adams"
    sheet = workbook["Figures for the period"]
    assert sheet["B3"].value.startswith("'=HYPERLINK") and sheet["B3"].data_type == "s"
    assert sheet["B4"].value.startswith("'+cmd")


def test_no_control_character_reaches_a_cell(pages, client, org):
    """Names stored before input refused control characters: the CSV holds none, and the XLSX,
    which openpyxl would refuse to write with them, still downloads."""
    org.team_a.name = "Assessment\r\nA\x1b"
    org.alice.given_name = "Alice\x01\u2028"
    db.session.commit()
    pages.sign_in(org.hana)

    body = download(client, "reports.export_oversight_team", team_id=org.team_a.id, file_format="csv")
    rows = csv_rows(body)
    workbook = load_workbook(
        io.BytesIO(
            download(client, "reports.export_oversight_team", team_id=org.team_a.id, file_format="xlsx").data
        )
    )

    text = body.get_data(as_text=True)
    assert not any(char in text.replace("\r\n", "") for char in "\r\n\x1b\x01\u2028")
    about = {row[0]: row[1] for row in rows[: rows.index([])]}
    assert about["Team"] == "Assessment  A "
    figures = section(rows, "Figures for the period")
    assert figures[1][1] == "Assessment  A " and figures[2][1] == "Alice   Adams"
    sheet = workbook["Figures for the period"]
    assert (sheet["B3"].value, sheet["B4"].value) == ("Assessment  A ", "Alice   Adams")


def test_a_sheet_name_holds_no_control_character():
    from supervision.plain_text import sheet_title

    used = set()
    assert sheet_title("Trend\r\nTeam\x1b: A/B", used) == "Trend Team - A-B"
    assert sheet_title("Trend Team - A-B", used) == "Trend Team - A-B (2)"


@pytest.mark.parametrize("value", ["=1+1", "+1", "-1", "@SUM(A1)"])
def test_safe_text_prefixes_every_formula_start(value):
    assert safe_text(value) == "'" + value
    assert safe_text("Plain " + value) == "Plain " + value


@pytest.mark.parametrize("control", ["\t", "\r", "\n", "\x00", "\x1b", "\x7f", "\x85", "\u2028"])
def test_safe_text_writes_no_control_character_and_a_leading_one_still_cannot_start_a_formula(control):
    assert safe_text(control + "=1+1") == "' =1+1"
    assert safe_text("Plain" + control + "text") == "Plain text"


def test_csv_and_xlsx_writers_keep_dates_shares_and_empty_cells():
    from supervision.reports.exports import Share

    sections = [Section("Table", ["Day", "Share", "Missing"], [[date(2026, 3, 2), Share(2 / 3), None]])]

    lines = "".join(csv_lines([("Period", "March")], sections))
    workbook = load_workbook(io.BytesIO(xlsx_bytes([("Period", "March")], sections)))

    assert lines.splitlines()[-1] == "2026-03-02,66.7,"
    row = next(workbook["Table"].iter_rows(min_row=3, values_only=True))
    assert row[0].date() == date(2026, 3, 2)
    assert row[1] == pytest.approx(2 / 3)
    assert row[2] is None


def test_dashboard_exports_follow_the_filters_and_order(pages, client, org):
    pages.sign_in(org.hana)

    rows = csv_rows(
        download(
            client,
            "reports.export_team_dashboard",
            file_format="csv",
            team=org.team_a.id,
            sort="name",
            order="ascending",
        )
    )

    about = {row[0]: row[1] for row in rows[: rows.index([])]}
    assert about["Filters"] == "Team: Assessment A"
    assert about["Status as at"] == "23 November 2026"
    assert about["Generated"] == "23 November 2026 at 09:00 (UK time)"
    table = section(rows, "Team dashboard")
    assert table[0] == [
        "Name",
        "Team",
        "Status",
        "Last held",
        "Next due",
        "Days overdue",
        "Working days overdue",
        "Write-ups pending",
        "Overdue actions",
    ]
    assert table[1] == [
        "Alice Adams",
        "Assessment A",
        "Escalated",
        "2026-10-05",
        "2026-11-02",
        "21",
        "15",
        "0",
        "1",
    ]
    assert [row[0] for row in table[1:]] == ["Alice Adams", "Bob Brown", "Cara Cole", "Dev Dutta"]
    xlsx = download(client, "reports.export_team_dashboard", file_format="xlsx", status="paused")
    sheet = load_workbook(io.BytesIO(xlsx.data))["Team dashboard"]
    assert [row[0] for row in sheet.iter_rows(min_row=3, values_only=True)] == ["Dev Dutta"]


def test_a_bad_period_on_an_export_goes_back_to_the_page_to_explain(pages, client, org):
    pages.sign_in(org.hana)

    response = client.get(
        url_for(
            "reports.export_oversight",
            file_format="csv",
            period_start=["1", "10", "2026"],
            period_end=["1", "9", "2026"],
        )
    )

    assert response.status_code == 302
    assert response.location.startswith("/oversight?")


def test_a_large_team_streams_one_row_per_person(pages, client, org):
    for number in range(30):
        person = make_staff(given_name="Extra", family_name=f"Person {number:02d}", team=org.team_b)
        make_agreement(person, org.tess, agreed_on=date(2026, 9, 1))
    pages.sign_in(org.hana)

    response = client.get(url_for("reports.export_oversight_team", team_id=org.team_b.id, file_format="csv"))

    assert response.is_streamed
    rows = csv_rows(response)
    assert len(section(rows, "Figures for the period")) == 1 + 1 + 31
