"""The oversight report's case oversight (docs/cases.md, "Share in time"): per service and team,
by category, with the 12-month trend, the drill-down to the cases counted, the exports and the
evidence pack; the table, the trend and the export give the same figures."""

# ruff: noqa: F811 (the fixture imported below is a pytest fixture, named as an argument)

import csv
import io
from datetime import date

import pytest
from flask import url_for
from openpyxl import load_workbook

from supervision.cases.rules import CaseCategory
from supervision.reports.figures import Period
from supervision.reports.forms import period_args
from tests.cases.report_factories import case_people, make_case, make_oversight  # noqa: F401
from tests.replay import replayed
from tests.reports.helpers import rows_by_name, table_rows

OCTOBER = Period(date(2026, 10, 1), date(2026, 10, 31))
CP, CIN, EH = CaseCategory.CHILD_PROTECTION, CaseCategory.CHILD_IN_NEED, CaseCategory.EARLY_HELP


@pytest.fixture
@replayed
def caseload(case_people):
    """Limits: child protection 28 days, child in need 42, early help 91. Today: 23 November."""
    p = case_people
    # On 31 October: overseen 15 October, due 12 November: in time. On 30 September: never
    # discussed, due 29 September: not in time. Today: overdue since 12 November.
    make_case(p.wren, "A-1", CP, opened_on=date(2026, 9, 1))
    make_oversight(p.sam, p.wren, "A-1", date(2026, 10, 15))
    # Never discussed, due 13 October: in time on 30 September, not on 31 October.
    make_case(p.cal, "A-2", CIN, opened_on=date(2026, 9, 1))
    # Open only from 1 to 19 October: counted on no month's last day.
    make_case(p.wren, "A-3", EH, opened_on=date(2026, 10, 1), closed_on=date(2026, 10, 20))
    # Opened in November: counted today only (due 3 December).
    make_case(p.wren, "A-4", CP, opened_on=date(2026, 11, 5))
    # A draft the supervisor has not signed is not oversight: B-1 rests on 20 October's alone.
    make_case(p.bea, "B-1", CP, opened_on=date(2026, 9, 1))
    make_oversight(p.tess, p.bea, "B-1", date(2026, 10, 20))
    make_oversight(p.tess, p.bea, "B-1", date(2026, 10, 30), signed=False)
    # Another service's case: not Hana's to see.
    make_case(p.sol, "O-1", CP, opened_on=date(2026, 9, 1))
    return p


ALL = "All cases"


def test_a_teams_table_gives_each_categorys_share_on_the_periods_last_day(pages, caseload):
    pages.sign_in(caseload.hana)

    page = pages.get("reports.oversight_team", team_id=caseload.team_a.id, **period_args(OCTOBER))

    row = rows_by_name(page, "case-shares")["Team A"]
    assert row["Child protection plan"] == "100% (1 of 1)"
    assert row["Child in need"] == "0% (0 of 1)"
    assert row["Early help"] == "No open cases"
    assert row[ALL] == "50% (1 of 2)"


def test_the_trend_asks_the_same_question_of_each_month_end(pages, caseload):
    pages.sign_in(caseload.hana)

    page = pages.get("reports.oversight_team", team_id=caseload.team_a.id, **period_args(OCTOBER))

    trend = rows_by_name(page, "case-trend")
    assert len(trend) == 12
    assert trend["September 2026"][ALL] == "50% (1 of 2)"  # A-1 not yet discussed, A-2 in time
    assert trend["October 2026"][ALL] == "50% (1 of 2)"  # A-1 in time, A-2 not
    assert trend["August 2026"][ALL] == "No open cases"


def test_the_table_the_trend_and_the_exports_give_the_same_figures_for_a_team_and_month(
    client, pages, caseload
):
    pages.sign_in(caseload.hana)
    team_id = caseload.team_a.id

    table = rows_by_name(
        pages.get("reports.oversight_team", team_id=team_id, **period_args(OCTOBER)), "case-shares"
    )
    later = Period(date(2026, 11, 1), date(2026, 11, 23))
    trend = rows_by_name(
        pages.get("reports.oversight_team", team_id=team_id, **period_args(later)), "case-trend"
    )
    assert trend["October 2026"] == table["Team A"]

    lines = list(
        csv.reader(
            io.StringIO(
                client.get(
                    url_for(
                        "reports.export_oversight_team",
                        team_id=team_id,
                        file_format="csv",
                        **period_args(OCTOBER),
                    )
                )
                .get_data(as_text=True)
                .lstrip("\ufeff")
            )
        )
    )
    start = lines.index(["Case oversight"])
    header, team_row = lines[start + 1], lines[start + 2]
    assert team_row[:3] == ["Team", "Team A", "2026-10-31"]
    trend_start = lines.index(["Case oversight trend"])
    trend_header = lines[trend_start + 1]
    trend_row = next(line for line in lines[trend_start:] if line[:2] == ["October 2026", "2026-10-31"])
    for label in ("Child protection plan", "Child in need", ALL):
        at, trend_at = header.index(f"{label}: in time (%)"), trend_header.index(f"{label}: in time (%)")
        assert team_row[at : at + 3] == trend_row[trend_at : trend_at + 3]
    at = header.index(f"{ALL}: in time (%)")
    assert team_row[at : at + 3] == ["50.0", "1", "2"]

    workbook = load_workbook(
        io.BytesIO(
            client.get(
                url_for(
                    "reports.export_oversight_team",
                    team_id=team_id,
                    file_format="xlsx",
                    **period_args(OCTOBER),
                )
            ).data
        )
    )
    sheet_rows = list(workbook["Case oversight"].iter_rows(min_row=3, values_only=True))
    assert sheet_rows[0][:2] == ("Team", "Team A")
    assert sheet_rows[0][-3:] == (0.5, 1, 2)


def test_the_drill_down_lists_exactly_the_cases_counted(pages, caseload):
    pages.sign_in(caseload.hana)

    page = pages.get("reports.oversight_team", team_id=caseload.team_a.id, **period_args(OCTOBER))

    cases = table_rows(page, "case-list")
    assert [row[0] for row in cases] == ["A-2", "A-1"]  # most overdue first; A-3 closed, A-4 not yet open
    assert cases[0] == [
        "A-2",
        "Child in need",
        "Cal Colleague",
        "Not discussed since allocation",
        "None",
        "13 October 2026",
    ]
    assert cases[1] == [
        "A-1",
        "Child protection plan",
        "Wren Worker",
        "On track",
        "15 October 2026",
        "12 November 2026",
    ]
    counted = rows_by_name(page, "case-shares")["Team A"][ALL]
    assert counted.endswith(f"of {len(cases)})")
    links = [link["href"] for link in page.select("#case-list a")]
    assert links == [
        url_for("case_history.case_history", case_id=case_id) for case_id in case_ids("A-2", "A-1")
    ]


def case_ids(*references: str) -> list[int]:
    from supervision.cases.models import ChildCase
    from supervision.extensions import db

    found = dict(db.session.execute(db.select(ChildCase.reference, ChildCase.id)).all())
    return [found[reference] for reference in references]


def test_a_service_compares_its_teams_and_the_organisation_its_services(pages, caseload):
    pages.sign_in(caseload.hana)

    service = rows_by_name(
        pages.get("reports.oversight_service", service_id=caseload.assessment.id, **period_args(OCTOBER)),
        "case-shares",
    )
    organisation = rows_by_name(pages.get("reports.oversight", **period_args(OCTOBER)), "case-shares")

    assert {name: row[ALL] for name, row in service.items()} == {
        "Assessment": "67% (2 of 3)",
        "Team A": "50% (1 of 2)",
        "Team B": "100% (1 of 1)",
    }
    # The other service's case is not Hana's to see, so it is counted nowhere on her report.
    assert {name: row[ALL] for name, row in organisation.items()} == {
        "Test Council": "67% (2 of 3)",
        "Assessment": "67% (2 of 3)",
    }


def test_a_workers_page_lists_their_cases_only(pages, caseload):
    pages.sign_in(caseload.hana)

    page = pages.get("reports.oversight_person", person_id=caseload.wren.id, **period_args(OCTOBER))

    assert [row[0] for row in table_rows(page, "case-list")] == ["A-1"]


def test_the_evidence_pack_includes_case_oversight_without_links(pages, caseload):
    pages.sign_in(caseload.hana)

    page = pages.get("reports.evidence_pack_team", team_id=caseload.team_a.id, **period_args(OCTOBER))

    assert rows_by_name(page, "case-shares")["Team A"][ALL] == "50% (1 of 2)"
    assert [row[0] for row in table_rows(page, "case-list")] == ["A-2", "A-1"]
    assert page.select("#case-list a") == []


def test_hr_sees_no_case_figures_or_references(pages, caseload):
    pages.sign_in(caseload.hr)

    for endpoint, values in (
        ("reports.oversight", {}),
        ("reports.oversight_team", {"team_id": caseload.team_a.id}),
        ("reports.evidence_pack_team", {"team_id": caseload.team_a.id}),
        ("reports.export_oversight_team", {"team_id": caseload.team_a.id, "file_format": "csv"}),
    ):
        response = pages.client.get(url_for(endpoint, **values, **period_args(OCTOBER)))
        assert response.status_code == 403
        assert "A-1" not in response.get_data(as_text=True)
