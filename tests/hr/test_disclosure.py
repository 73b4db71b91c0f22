"""The small-numbers rule: team-level counts below 5, and figures worked out from them, are withheld."""

from datetime import date
from decimal import Decimal

import pytest

from supervision.hr.disclosure import Equation, Kind, Shown, is_small, protect, snapshot_problem
from supervision.hr.metrics import retention
from supervision.hr.tables import format_date, retention_tables, trend_tables
from tests.hr.test_metrics import YEAR, units, workers


@pytest.mark.parametrize("people", [0, 1, 4])
def test_a_count_below_5_is_small(people):
    assert is_small(people)


def test_a_count_of_5_is_not_small():
    assert not is_small(5)


def test_a_withheld_figure_says_why_and_has_no_number():
    small = Shown(3, Kind.COUNT, suppressed=True)
    protecting = Shown(9, Kind.COUNT, suppressed=True, secondary=True)
    assert (small.text, small.reason, small.number) == ("fewer than 5", "small", None)
    assert (protecting.text, protecting.reason, protecting.number) == ("withheld", "secondary", None)
    assert Shown(9, Kind.COUNT).reason is None


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
    # 1 agency worker: withheld with its FTE and the agency rate. 5 employed in post, but
    # Assessment's 6 minus North's would give South's 1: North's headcount, FTE and caseload are
    # withheld too ("withheld", not "fewer than 5").
    assert north == {
        "Headcount": "withheld",
        "FTE": "withheld",
        "Agency workers": "fewer than 5",
        "Agency FTE": "fewer than 5",
        "Agency rate": "fewer than 5",
        "Average caseload": "withheld",
    }
    assert tables["vacancies"]["North"] == {
        "Establishment FTE": "6",
        "Employed FTE in post": "withheld",
        "Vacant FTE": "withheld",
        "Vacancy rate": "withheld",
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


def test_service_and_organisation_rows_withhold_what_would_give_a_small_figure_away(tables):
    # Care has one team, Care Leavers, whose figures are small: Care's would be the same.
    assert set(tables["in-post"]["Care"].values()) == {"withheld"}
    # "Not in a team" (1 person) would be the organisation minus Assessment and Care: Care's
    # figures, withheld already, protect it; Assessment's are shown.
    assert tables["in-post"]["Assessment"]["Headcount"] == "6"
    assert tables["starters-and-leavers"]["Assessment"]["Starters"] == "withheld"
    assert tables["in-post"]["Test Council"] == {
        "Headcount": "8",
        "FTE": "7.4",
        "Agency workers": "2",
        "Agency FTE": "1.5",
        "Agency rate": "16.9%",
        "Average caseload": "15.1",
    }
    assert tables["starters-and-leavers"]["Test Council"] == {
        "Starters": "3",
        "Starters FTE": "2.1",
        "Leavers": "5",
        "Leavers FTE": "4",
        "Turnover rate": "54.1%",
    }
    # Counts of leavers: the small-numbers rule at every level (1, 2, 1 and 1 of 5 leavers).
    assert set(tables["length-of-service"]["Test Council"].values()) == {"fewer than 5"}
    assert set(tables["destination"]["Assessment"].values()) == {"fewer than 5"}


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


# --- secondary suppression: protect() on hand-made sums ------------------------------------------


def cells(**values):
    return {(name, "headcount"): value for name, value in values.items()}


def sum_of(total, *parts):
    return Equation((total, "headcount"), tuple((part, "headcount") for part in parts))


def test_a_service_minus_its_other_team_would_give_the_small_team_so_that_team_is_withheld_too():
    # The example: a service of 12, one team of 9, the suppressed team of 3.
    values = cells(service=12, big=9, small=3)
    withheld = protect(values, {("small", "headcount")}, [sum_of("service", "big", "small")])
    assert withheld == {("big", "headcount")}


def test_withheld_parts_that_add_up_to_0_would_each_be_0_so_a_part_above_0_is_withheld():
    values = cells(service=9, big=9, empty=0, other=0)
    withheld = protect(values, {("empty", "headcount")}, [sum_of("service", "big", "empty", "other")])
    assert withheld == {("big", "headcount")}


def test_not_in_a_team_is_protected_by_a_service_and_one_of_its_teams():
    values = cells(organisation=30, one=12, two=15, none=3, a=6, b=6, c=10, d=5)
    sums = [sum_of("organisation", "one", "two", "none"), sum_of("one", "a", "b"), sum_of("two", "c", "d")]
    withheld = protect(values, {("none", "headcount")}, sums)
    assert withheld == {("one", "headcount"), ("a", "headcount")}


def test_two_small_cells_that_can_only_be_4_each_are_protected_by_a_third():
    # 20 = 12 + two "fewer than 5" teams: both must be 4, unless the 12 is withheld too.
    values = cells(service=20, big=12, x=4, y=4)
    small = {("x", "headcount"), ("y", "headcount")}
    withheld = protect(values, small, [sum_of("service", "big", "x", "y")], known_below=lambda cell: 4)
    assert withheld == {("big", "headcount")}


def test_cells_withheld_together_follow_each_other():
    values = {("a", "count"): 3, ("a", "fte"): Decimal("2.5"), ("b", "count"): 7, ("b", "fte"): Decimal(6)}
    values |= {("s", "count"): 10, ("s", "fte"): Decimal("8.5")}
    sums = [Equation(("s", m), (("a", m), ("b", m))) for m in ("count", "fte")]
    withheld = protect(
        values, {("a", "count")}, sums, together=lambda cell: [(cell[0], "count"), (cell[0], "fte")]
    )
    assert withheld == {("a", "fte"), ("b", "count"), ("b", "fte")}


@pytest.mark.parametrize(
    ("day", "problem"),
    [
        (date(2026, 9, 30), None),
        (date(2026, 10, 31), None),
        (date(2026, 9, 27), "Snapshot date must be the last day of a month"),
        (date(2026, 11, 30), "Snapshot date must be today or in the past"),
        (date(1999, 12, 31), "Snapshot date must be on or after 31 January 2000"),
    ],
)
def test_snapshot_dates_are_month_ends_up_to_today(day, problem):
    found = snapshot_problem(day, date(2026, 11, 23), format_date)
    assert (found or "").startswith(problem or "")
    assert (found is None) == (problem is None)
