"""ASYE progress reviews in the oversight report's downloads and the evidence pack: the same table
as the page (docs/metrics.md, "ASYE progress reviews"). Today is Monday 23 November 2026."""

from __future__ import annotations

import io
from datetime import date, datetime

import pytest
from openpyxl import load_workbook

from supervision.agreements.asye import AsyeStage
from supervision.org.models import Role
from tests.factories import make_agreement, make_asye, make_asye_review, make_service, make_staff, make_team
from tests.replay import replayed
from tests.reports.helpers import table_rows
from tests.reports.test_exports import csv_rows, download, section

TITLE = "ASYE progress reviews today"
HEADER = ["As at", "Team", "In their ASYE", "Review due soon", "Review overdue"]


@pytest.fixture
@replayed
def people(clock):
    head = make_staff(Role.SERVICE_MANAGER, given_name="Helen", family_name="Okafor")
    supervisor = make_staff(Role.SUPERVISOR, given_name="Dana", family_name="Reid", line_manager=head)
    service = make_service(name="Assessment", manager=head)
    team = make_team(name="Assessment Team", service=service, manager=supervisor)
    quiet = make_team(name="Quiet Team", service=service, manager=supervisor)

    def asye(given_name: str, started_on: date, in_team=team):
        return make_asye(
            supervisor,
            started_on,
            given_name=given_name,
            family_name="Newman",
            team=in_team,
            start_date=started_on,
        )

    # 3-month review held; the 6-month was due on 4 November and is overdue.
    late = asye("Lee", date(2026, 5, 4))
    make_asye_review(late, AsyeStage.THREE_MONTH, date(2026, 8, 3))
    # The 3-month review is due on 1 December, within the 28 days' notice: due soon.
    asye("Sol", date(2026, 9, 1))
    # The 3-month review is due on 2 February 2027: nothing to do yet.
    asye("Nia", date(2026, 11, 2))
    colleague = make_staff(given_name="Kit", family_name="Stone", team=quiet, line_manager=supervisor)
    make_agreement(colleague, supervisor, agreed_on=date(2026, 5, 4))
    return {"head": head, "service": service, "team": team, "quiet": quiet, "late": late}


@pytest.mark.parametrize(
    "endpoint, unit",
    [("reports.export_oversight", None), ("reports.export_oversight_service", "service_id")],
)
def test_the_csv_carries_the_pages_asye_table_with_its_day(pages, client, people, endpoint, unit):
    pages.sign_in(people["head"])
    values = {unit: people["service"].id} if unit else {}

    rows = csv_rows(download(client, endpoint, file_format="csv", **values))

    assert section(rows, TITLE) == [HEADER, ["2026-11-23", "Assessment Team", "3", "1", "1"]]


def test_the_xlsx_has_a_sheet_of_it_with_numbers_as_numbers(pages, client, people):
    pages.sign_in(people["head"])

    response = download(
        client, "reports.export_oversight_team", team_id=people["team"].id, file_format="xlsx"
    )

    workbook = load_workbook(io.BytesIO(response.get_data()))
    sheet = workbook[TITLE]
    values = list(sheet.iter_rows(values_only=True))
    assert values[0][0] == TITLE
    assert list(values[1]) == HEADER
    assert list(values[2]) == [datetime(2026, 11, 23), "Assessment Team", 3, 1, 1]
    assert sheet.cell(row=3, column=1).number_format == "yyyy-mm-dd"


def test_a_team_without_asyes_and_a_persons_report_have_no_asye_table(pages, client, people):
    pages.sign_in(people["head"])

    quiet = csv_rows(
        download(client, "reports.export_oversight_team", team_id=people["quiet"].id, file_format="csv")
    )
    person = csv_rows(
        download(client, "reports.export_oversight_person", person_id=people["late"].id, file_format="csv")
    )

    assert [TITLE] not in quiet
    assert [TITLE] not in person


def test_the_evidence_pack_numbers_the_asye_section_with_the_others(pages, people):
    pages.sign_in(people["head"])

    page = pages.get("reports.evidence_pack_service", service_id=people["service"].id)

    headings = [
        heading.get_text(strip=True) for heading in page.find(class_="app-evidence-pack").find_all("h2")
    ]
    assert headings[5:] == ["6. ASYE progress reviews today", "7. How the figures are worked out"]
    assert table_rows(page, "asye-reviews-by-team") == [["Assessment Team", "3", "1", "1"]]
    assert (
        "as at 23 November 2026 (not the period above)"
        in page.find(id="asye-reviews").find_next("p").get_text()
    )


def test_the_evidence_pack_of_a_team_without_asyes_says_so(pages, people):
    pages.sign_in(people["head"])

    page = pages.get("reports.evidence_pack_team", team_id=people["quiet"].id)

    assert page.find(id="asye-reviews").get_text(strip=True) == "6. ASYE progress reviews today"
    assert page.find(id="asye-reviews-by-team") is None
    assert page.find(id="asye-reviews-none").get_text(strip=True) == "Nobody in these teams is in their ASYE."


def test_the_oversight_page_and_its_download_agree(pages, client, people):
    pages.sign_in(people["head"])

    page = pages.get("reports.oversight_service", service_id=people["service"].id)
    rows = csv_rows(
        download(
            client, "reports.export_oversight_service", service_id=people["service"].id, file_format="csv"
        )
    )

    assert [row[1:] for row in section(rows, TITLE)[1:]] == table_rows(page, "asye-reviews-by-team")
    assert "not in the downloads" not in page.get_text()
