"""`disclosure.protect` withholds exactly the cells the first, slower way did (tests/hr/reference_protect.py),
on organisations made up by hypothesis: services of teams and people in no team, a count and its
FTE withheld together, and leavers split by band, with the same kinds of sums as the retention
tables (docs/metrics.md, "Small numbers")."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from supervision.hr.disclosure import Equation, is_small, protect
from tests.hr.reference_protect import reference_protect

BANDS = ("band:0", "band:1", "band:2")
# A team: its headcount, FTE in hundredths, and its leavers by band.
team = st.tuples(st.integers(0, 9), st.integers(0, 900), st.tuples(*(st.integers(0, 4) for _ in BANDS)))
organisation = st.tuples(
    st.lists(st.lists(team, max_size=5), min_size=1, max_size=4),  # services' teams
    st.lists(team, max_size=1),  # people in no team
)


def tables(services, no_team):
    """The cells, the small ones, the sums and the cells withheld together, as `tables._decide` makes them."""
    values: dict = {}
    small: set = set()
    equations: list[Equation] = []

    def add(unit, figures, team_level: bool) -> None:
        count, fte, bands = figures
        values[(unit, "count")] = count
        values[(unit, "fte")] = Decimal(fte) / 100
        if team_level and is_small(count):
            small.add((unit, "count"))
        if not team_level or unit == "no team":  # a team's leavers are never shown
            values[(unit, "leavers")] = sum(bands)
            for band, people in zip(BANDS, bands, strict=True):
                values[(unit, band)] = people
                if is_small(people):
                    small.add((unit, band))
            equations.append(Equation((unit, "leavers"), tuple((unit, band) for band in BANDS)))

    def total(rows):
        return (
            sum(r[0] for r in rows),
            sum(r[1] for r in rows),
            tuple(sum(r[2][i] for r in rows) for i in range(len(BANDS))),
        )

    filled = []
    for number, teams in enumerate(services):
        service = f"service {number}"
        for index, figures in enumerate(teams):
            add(f"{service} team {index}", figures, team_level=True)
        add(service, total(teams), team_level=False)
        if teams:
            filled.append(service)
            for name in ("count", "fte"):
                parts = tuple((f"{service} team {index}", name) for index in range(len(teams)))
                equations.append(Equation((service, name), parts))
    for figures in no_team:
        add("no team", figures, team_level=True)
    add("organisation", total([t for teams in services for t in teams] + no_team), team_level=False)
    parts_of = [*filled, *(["no team"] if no_team else [])]
    for name in ("count", "fte", "leavers", *BANDS):
        parts = tuple((unit, name) for unit in parts_of if (unit, name) in values)
        equations.append(Equation(("organisation", name), parts))
    return values, small, equations


def together(cell):
    unit, name = cell
    return [(unit, "count"), (unit, "fte")] if name in ("count", "fte") else []


def known_below(cell):
    return 4 if cell[1] != "fte" else None


@settings(max_examples=300, deadline=None)
@given(organisation)
def test_protect_withholds_exactly_the_cells_the_reference_does(made_up):
    values, small, equations = tables(*made_up)
    assert protect(values, small, equations, together, known_below) == reference_protect(
        values, small, equations, together, known_below
    )


# Any sums over shared cells: more cycles than the tables have, so the exact audit pins cells down
# that bounds alone do not.
sums_over_shared_cells = st.tuples(
    st.lists(st.integers(0, 9), min_size=3, max_size=9),  # the parts' values
    st.lists(st.lists(st.integers(0, 8), min_size=2, max_size=4, unique=True), min_size=1, max_size=6),
    st.sets(st.integers(0, 14), max_size=6),  # the cells below 5 that are small
    st.booleans(),  # whether a small count is known to be at most 4
)


@settings(max_examples=300, deadline=None)
@given(sums_over_shared_cells)
def test_protect_agrees_with_the_reference_on_any_sums_over_shared_cells(made_up):
    parts, chosen, small_indexes, bounded = made_up
    values: dict = {(f"part {index}", "count"): value for index, value in enumerate(parts)}
    equations = []
    for number, indexes in enumerate(chosen):
        cells = tuple((f"part {index}", "count") for index in indexes if index < len(parts))
        if cells:
            values[(f"total {number}", "count")] = sum(values[cell] for cell in cells)
            equations.append(Equation((f"total {number}", "count"), cells))
    cells = list(values)
    small = {cells[index] for index in small_indexes if index < len(cells) and is_small(values[cells[index]])}

    def below(cell):
        return 4 if bounded else None

    assert protect(values, small, equations, known_below=below) == reference_protect(
        values, small, equations, known_below=below
    )
