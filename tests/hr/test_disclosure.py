"""The small-numbers rule: team-level counts below 5, and figures worked out from them, are withheld."""

from decimal import Decimal

import pytest

from supervision.hr.disclosure import Kind, Shown, shown
from supervision.hr.metrics import retention
from supervision.hr.tables import retention_tables, trend_tables
from tests.hr.test_metrics import YEAR, units, workers


@pytest.mark.parametrize("people", [0, 1, 4])
def test_a_team_count_below_5_is_shown_as_fewer_than_5(people):
    cell = shown(people, Kind.COUNT, people=people, team_level=True)
    assert (cell.suppressed, cell.text, cell.number) == (True, "fewer than 5", None)


def test_a_team_count_of_5_is_shown():
    assert shown(5, Kind.COUNT, people=5, team_level=True).text == "5"


def test_service_and_organisation_counts_are_never_withheld():
    assert shown(1, Kind.COUNT, people=1, team_level=False).text == "1"


def test_a_rate_is_withheld_when_either_count_it_comes_from_is_small():
    assert shown(Decimal("20"), Kind.RATE, people=(4, 30), team_level=True).suppressed
    assert shown(Decimal("20"), Kind.RATE, people=(30, 4), team_level=True).suppressed
    assert shown(Decimal("20"), Kind.RATE, people=(5, 30), team_level=True).text == "20%"


def test_a_figure_about_posts_rather_than_people_is_never_withheld():
    assert shown(Decimal("3"), Kind.FTE, people=(), team_level=True).text == "3"


@pytest.mark.parametrize(
    ("value", "kind", "text", "number"),
    [
        (Decimal("54.05405"), Kind.RATE, "54.1%", Decimal("54.1")),
        (Decimal("100"), Kind.RATE, "100%", Decimal("100.0")),
        (Decimal("4.40"), Kind.FTE, "4.4", Decimal("4.40")),
        (Decimal("1204.5"), Kind.FTE, "1,204.5", Decimal("1204.50")),
        (Decimal("0.125"), Kind.FTE, "0.13", Decimal("0.13")),
        (Decimal("15.0633"), Kind.AVERAGE, "15.1", Decimal("15.1")),
        (12345, Kind.COUNT, "12,345", 12345),
        (None, Kind.RATE, "not applicable", None),
    ],
)
def test_how_figures_are_written(value, kind, text, number):
    cell = Shown(value, kind)
    assert (cell.text, cell.number) == (text, number)


def figures(table):
    return {
        row.name: dict(zip(table.columns, (cell.text for cell in row.cells), strict=True))
        for row in table.rows
    }


@pytest.fixture(scope="module")
def tables():
    organisation, services, teams = units()
    return {
        table.key: figures(table)
        for table in retention_tables(retention(YEAR, organisation, services, teams, workers()))
    }


def test_the_team_tables_withhold_small_counts_and_what_is_worked_out_from_them(tables):
    north = tables["in-post"]["North"]
    # 5 employed in post: shown; 1 agency worker: withheld with its FTE and the agency rate.
    assert north == {
        "Headcount": "5",
        "FTE": "4.4",
        "Agency workers": "fewer than 5",
        "Agency FTE": "fewer than 5",
        "Agency rate": "fewer than 5",
        "Average caseload": "13.5",
    }
    assert tables["vacancies"]["North"] == {
        "Establishment FTE": "6",
        "Employed FTE in post": "4.4",
        "Vacant FTE": "1.6",
        "Vacancy rate": "26.7%",
    }
    # 2 starters and 2 leavers: withheld, and so is the turnover rate worked out from the leavers.
    assert set(tables["starters-and-leavers"]["North"].values()) == {"fewer than 5"}
    assert set(tables["length-of-service"]["North"].values()) == {"fewer than 5"}
    assert set(tables["destination"]["North"].values()) == {"fewer than 5"}


def test_a_team_of_one_shows_nothing_but_its_establishment(tables):
    south = tables["vacancies"]["South"]
    assert south == {
        "Establishment FTE": "4",
        "Employed FTE in post": "fewer than 5",
        "Vacant FTE": "fewer than 5",
        "Vacancy rate": "fewer than 5",
    }
    assert set(tables["in-post"]["South"].values()) == {"fewer than 5"}
    assert set(tables["in-post"]["Not in a team"].values()) == {"fewer than 5"}


def test_service_and_organisation_rows_show_every_figure(tables):
    assert tables["in-post"]["Care"] == {
        "Headcount": "1",
        "FTE": "1",
        "Agency workers": "1",
        "Agency FTE": "0.5",
        "Agency rate": "33.3%",
        "Average caseload": "18.7",
    }
    assert tables["starters-and-leavers"]["Test Council"] == {
        "Starters": "3",
        "Starters FTE": "2.1",
        "Leavers": "5",
        "Leavers FTE": "4",
        "Turnover rate": "54.1%",
    }
    assert tables["length-of-service"]["Test Council"] == {
        "Less than 2 years": "1",
        "2 to less than 5 years": "2",
        "5 to less than 10 years": "1",
        "10 years or more": "1",
    }
    assert tables["destination"]["Assessment"] == {
        "Another local authority": "1",
        "Agency work": "1",
        "Left social work": "1",
        "Retired": "1",
        "Other": "0",
        "Not recorded": "0",
    }


def test_rows_come_organisation_first_then_each_service_followed_by_its_teams(tables):
    assert list(tables["in-post"]) == [
        "Test Council",
        "Assessment",
        "North",
        "South",
        "Care",
        "Care Leavers",
        "Not in a team",
    ]


def test_trend_tables_cover_the_organisation_and_each_service_only():
    organisation, services, teams = units()
    trends = trend_tables(retention(YEAR, organisation, services, teams, workers()))
    assert [trend.unit.name for trend in trends] == ["Test Council", "Assessment", "Care"]
    assert len(trends[0].months) == 12
