"""What HR's figures may show: the small-numbers rule, secondary suppression, snapshot dates.

In team-level tables any count of people below 5, and any figure worked out from such a count
(an FTE total, a rate, an average), is shown as "fewer than 5", so nobody can be picked out of
a small team; figures about leavers (length of service, destination, supervision before leaving)
follow the rule at every level. `protect()` then withholds more cells ("withheld") until no
withheld figure can be worked out from the others (a service minus its other teams, the
organisation minus its services and "Not in a team", a row total minus its other cells).
Snapshot dates are month ends only, and figures about a year's flows only census dates, so
two views never differ by one person's leaving (`snapshot_problem`, `shows_flows`).
The rules are written out for HR in docs/metrics.md and the reasoning and what remains in
docs/data-protection.md; pages, CSV, XLSX, the API and the CLI all go through here.
"""

from __future__ import annotations

import enum
import heapq
from collections import defaultdict
from collections.abc import Callable, Hashable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import NamedTuple

from supervision import limits

SMALL_NUMBER_THRESHOLD = 5
SUPPRESSED_TEXT = "fewer than 5"
WITHHELD_TEXT = "withheld"
NOT_APPLICABLE_TEXT = "not applicable"
ONE_PLACE = Decimal("0.1")
TWO_PLACES = Decimal("0.01")


class Kind(enum.StrEnum):
    COUNT = "count"  # people: a whole number
    FTE = "fte"  # up to 2 decimal places, as entered
    RATE = "rate"  # a percentage, to 1 decimal place (as the DfE publishes)
    AVERAGE = "average"  # to 1 decimal place


class Shown(NamedTuple):
    """A figure as people may see it: its value, or the reason it is withheld.

    A named tuple: the retention CSV makes one for each of some 150,000 figures at national
    scale, and a frozen dataclass took about twice as long to build (docs/performance.md)."""

    value: Decimal | int | None
    kind: Kind
    suppressed: bool = False  # withheld, for either reason
    secondary: bool = False  # withheld only so that another withheld figure cannot be worked out

    @property
    def reason(self) -> str | None:
        """Why the figure is not shown: "small" (fewer than 5), "secondary", or None when shown."""
        if not self.suppressed:
            return None
        return "secondary" if self.secondary else "small"

    @property
    def text(self) -> str:
        if self.suppressed:
            return WITHHELD_TEXT if self.secondary else SUPPRESSED_TEXT
        if self.value is None:
            return NOT_APPLICABLE_TEXT
        if self.kind is Kind.COUNT:
            return f"{self.value:,}"
        number = format_number(rounded(self.value, self.kind), grouped=True)
        return f"{number}%" if self.kind is Kind.RATE else number

    @property
    def number(self) -> Decimal | int | None:
        """The rounded value for a spreadsheet cell; None when suppressed or not applicable."""
        if self.suppressed or self.value is None:
            return None
        return self.value if self.kind is Kind.COUNT else rounded(self.value, self.kind)


def is_small(people: int) -> bool:
    """Below the threshold; zero counts as small too, as the rule is written."""
    return people < SMALL_NUMBER_THRESHOLD


def rounded(value: Decimal | int, kind: Kind) -> Decimal:
    places = TWO_PLACES if kind is Kind.FTE else ONE_PLACE
    return Decimal(value).quantize(places, rounding=ROUND_HALF_UP)


def format_number(value: Decimal, grouped: bool = False) -> str:
    """No trailing zeros after the point: 4.5, 12, 3.75 (and 1,204.5 when `grouped`)."""
    text = format(value, ",f" if grouped else "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


# ------------------------------------------------------------------- secondary suppression

Cell = tuple[Hashable, str]  # (the row's unit, the measure): one figure of one table row
Value = int | Decimal


@dataclass(frozen=True)
class Equation:
    """A sum anyone can check on the published figures: `total` = the sum of `parts`.

    A service's figure is the sum of its teams'; the organisation's, of its services' and
    "Not in a team"; a row's leavers, of its length-of-service (or destination) cells.
    """

    total: Cell
    parts: tuple[Cell, ...]

    @property
    def cells(self) -> tuple[Cell, ...]:
        return (self.total, *self.parts)


def protect(
    values: Mapping[Cell, Value],
    small: Iterable[Cell],
    equations: Iterable[Equation],
    together: Callable[[Cell], Iterable[Cell]] = lambda cell: (),
    known_below: Callable[[Cell], Value | None] = lambda cell: None,
) -> set[Cell]:
    """The cells to withhold besides the `small` ones, so that none of them can be worked out.

    Figures are counts or FTE, never negative. A withheld cell is safe when no combination of
    the published figures pins it down, which `protect` secures in two steps:

    1. every sum that has a withheld cell has at least two, and when its total is published the
       withheld parts do not add up to 0 (if they did, each would be 0); the cell chosen to
       complete it is the smallest published part above 0, else the total;
    2. an audit solves the published sums exactly (linear algebra over the withheld cells) and
       by bounds (no figure below 0, none of the `small` counts above `known_below`), and
       withholds one more cell next to any cell it can still pin down, until none.

    `together(cell)` names cells withheld whenever `cell` is (a count and its FTE).

    Each group of cells joined by sums or by `together` is decided on its own: a cell of one group
    is never chosen because of another's, and the sums are taken in the same order either way, so
    deciding one group alone gives the same cells (`tables.withheld_cells` with `asked` relies on it).
    """
    equations = [eq for eq in equations if eq.parts]
    by_cell: dict[Cell, list[int]] = defaultdict(list)
    for index, eq in enumerate(equations):
        for cell in (eq.total, *eq.parts):
            by_cell[cell].append(index)
    hidden: set[Cell] = set()
    joined = _Joined(len(equations))
    queue: list[int] = []  # sums to look at again, in a fixed order
    queued: set[int] = set()
    dirty: set[int] = set()  # sums with a cell withheld since the last audit
    rows: dict[int, Row] = {}  # each sum over its withheld cells, until another is withheld
    cancelled: set[int] = set()  # sums where a withheld cell is both the total and a part

    def hide(cell: Cell) -> None:
        waiting = [cell]
        while waiting:
            current = waiting.pop()
            if current in hidden or current not in values:
                continue
            hidden.add(current)
            indexes = by_cell.get(current, ())
            joined.join(indexes)
            for index in indexes:
                rows.pop(index, None)
                if index not in queued:
                    queued.add(index)
                    heapq.heappush(queue, index)
                dirty.add(index)
            waiting.extend(together(current))

    small_cells = set(small)
    # In any order: what they leave (the cells withheld, the sums queued) is the same.
    for cell in small_cells:
        hide(cell)
    while True:
        while queue:
            index = heapq.heappop(queue)
            queued.discard(index)
            eq = equations[index]
            if _needs_another(eq, hidden, values):
                chosen = _complement(eq, hidden, values)
                if chosen is not None:
                    hide(chosen)
        # Audit the groups of sums joined (through withheld cells) to one that changed; the rest
        # had no cell pinned down last time, and still have none.
        pinned: set[Cell] = set()
        for group in {joined.root(index) for index in dirty}:
            region = []
            members = joined.members(group)
            for index in members:
                if index not in rows:
                    rows[index] = _row(equations[index], hidden, values)
                    if len(rows[index][0]) < sum(cell in hidden for cell in equations[index].cells):
                        cancelled.add(index)
                if rows[index][0]:
                    region.append(rows[index])
            # Joined through withheld cells, the group's sums are one set to solve, unless a cell
            # cancelled out of a sum (it is then no link): `pinned_down` splits them.
            pinned |= pinned_down(region, small_cells, known_below, connected=cancelled.isdisjoint(members))
        dirty.clear()
        if not pinned:
            return hidden - small_cells
        touched: set[int] = set()
        progress = False
        for cell in sorted(pinned, key=repr):
            if touched.intersection(by_cell[cell]):
                continue  # a cell next to it was just withheld: audit again first
            # Its own sums first, then those joined to them through withheld cells (it is withheld,
            # so its sums are in one group).
            nearby = [*by_cell[cell], *joined.members(joined.root(by_cell[cell][0]))]
            for index in nearby:
                chosen = _complement(equations[index], hidden, values)
                if chosen is not None:
                    hide(chosen)
                    touched.update(by_cell[chosen])
                    progress = True
                    break
        if not progress:  # nothing left to withhold beside them: they cannot be protected further
            return hidden - small_cells


class _Joined:
    """The sums in groups joined through withheld cells (a union-find): a sum with a withheld cell
    is in the group of every other sum with that cell. Cells are only ever withheld, never shown
    again, so groups only ever merge, and each merge costs the smaller group's size."""

    def __init__(self, count: int):
        self.parent = list(range(count))
        self.groups: dict[int, list[int]] = {}  # a group's root -> its sums, when more than one

    def root(self, index: int) -> int:
        parent = self.parent
        while parent[index] != index:
            parent[index] = parent[parent[index]]
            index = parent[index]
        return index

    def join(self, indexes: Iterable[int]) -> None:
        roots = {self.root(index) for index in indexes}
        if len(roots) < 2:
            return
        groups = sorted(roots, key=lambda root: len(self.groups.get(root, ())), reverse=True)
        largest = groups[0]
        members = self.groups.setdefault(largest, [largest])
        for other in groups[1:]:
            self.parent[other] = largest
            members.extend(self.groups.pop(other, [other]))
        members.sort()

    def members(self, root: int) -> list[int]:
        """The group's sums in their order."""
        return self.groups.get(root, [root])


def _needs_another(eq: Equation, hidden: set[Cell], values: Mapping[Cell, Value]) -> bool:
    cells = (eq.total, *eq.parts)
    withheld = [cell for cell in cells if cell in hidden]
    if not withheld:
        return False
    if len(withheld) == 1:
        return True
    return eq.total not in hidden and sum(values[cell] for cell in withheld) == 0


def _complement(eq: Equation, hidden: set[Cell], values: Mapping[Cell, Value]) -> Cell | None:
    """The cell to withhold next in `eq`: the smallest published part above 0, else the total,
    else any published part."""
    visible = [cell for cell in eq.parts if cell not in hidden]
    positive = [cell for cell in visible if values[cell] > 0]
    if positive:
        return min(positive, key=lambda cell: values[cell])
    if eq.total not in hidden:
        return eq.total
    return visible[0] if visible else None


Row = tuple[dict[Cell, int], int]  # a sum as sum(coefficient * withheld cell) = constant


def _row(eq: Equation, hidden: set[Cell], values: Mapping[Cell, Value]) -> Row:
    """`eq` over its withheld cells, the published ones moved to the constant, in hundredths
    (figures have at most 2 decimal places, so they are worked with as integers)."""
    coefficients: dict[Cell, int] = defaultdict(int)
    constant = 0
    for cell, sign in ((eq.total, 1), *((part, -1) for part in eq.parts)):
        if cell in hidden:
            coefficients[cell] += sign
        else:
            constant -= sign * _hundredths(values[cell])
    return {cell: c for cell, c in coefficients.items() if c}, constant


def pinned_down(
    rows: list[Row], small: set[Cell], known_below: Callable[[Cell], Value | None], connected: bool = False
) -> set[Cell]:
    """Withheld cells whose value follows from the published ones (`rows`): exactly, or by bounds.
    Rows that share no cell are solved apart, unless they are known to be `connected`."""
    found: set[Cell] = set()
    for component in [rows] if connected and rows else _components(rows):
        cells = {cell for coefficients, _ in component for cell in coefficients}
        found |= _solved_exactly([coefficients for coefficients, _ in component])
        found |= _solved_by_bounds(component, cells, small, known_below)
    return found


def _hundredths(value: Value) -> int:
    return int(Decimal(value) * 100)


def _components(rows: list[Row]) -> list[list[Row]]:
    """The rows in groups that share no withheld cell: each is solved on its own."""
    parent: dict[Cell, Cell] = {}

    def root(cell: Cell) -> Cell:
        while parent.setdefault(cell, cell) != cell:
            parent[cell] = parent[parent[cell]]
            cell = parent[cell]
        return cell

    for coefficients, _ in rows:
        cells = list(coefficients)
        for cell in cells[1:]:
            parent[root(cell)] = root(cells[0])
    groups: dict[Cell, list[Row]] = defaultdict(list)
    for coefficients, constant in rows:
        if coefficients:
            groups[root(next(iter(coefficients)))].append((coefficients, constant))
    return list(groups.values())


PRIME = 2**61 - 1  # ranks over the rationals, worked out modulo a large prime


def _solved_exactly(rows: list[dict[Cell, int]]) -> set[Cell]:
    """Cells fixed by the equations alone: a row of the reduced echelon form with one unknown.

    A cell is fixed when its unit row is a combination of the rows, which does not depend on how
    they are eliminated, so the pivots are chosen to keep the rows short: a cell in the fewest
    reduced rows. Each cell's reduced rows are indexed, so a new pivot is cleared from those only.

    When the rows and their cells form a tree (each row shares at most one cell with the rest,
    with no cycle) and every row has two cells or more, nothing is fixed: any cell can move by 1
    with a neighbour moving the other way, and so on to the leaves. That is the usual case (the
    sums of one figure from teams to services to the organisation), solved without elimination.
    """
    cells = {cell for row in rows for cell in row}
    incidences = sum(len(row) for row in rows)
    if incidences == len(cells) + len(rows) - 1 and all(len(row) >= 2 for row in rows):
        return set()
    reduced: dict[Cell, dict[Cell, int]] = {}  # pivot -> its row, pivot coefficient 1
    holding: dict[Cell, set[Cell]] = defaultdict(set)  # cell -> the pivots whose rows have it
    for coefficients in sorted(rows, key=len):
        row = {cell: c % PRIME for cell, c in coefficients.items()}
        for pivot in [cell for cell in row if cell in reduced]:
            factor = row[pivot]
            for cell, c in reduced[pivot].items():
                row[cell] = (row.get(cell, 0) - factor * c) % PRIME
        row = {cell: c for cell, c in row.items() if c}
        if not row:
            continue
        pivot = min(row, key=lambda cell: len(holding.get(cell, ())))
        if row[pivot] != 1:
            inverse = PRIME - 1 if row[pivot] == PRIME - 1 else pow(row[pivot], PRIME - 2, PRIME)
            row = {cell: c * inverse % PRIME for cell, c in row.items()}
        for other_pivot in holding.pop(pivot, ()):
            other = reduced[other_pivot]
            factor = other[pivot]
            for cell, c in row.items():
                value = (other.get(cell, 0) - factor * c) % PRIME
                if value:
                    if cell not in other:
                        holding[cell].add(other_pivot)
                    other[cell] = value
                elif cell in other:
                    del other[cell]
                    if cell != pivot:
                        holding[cell].discard(other_pivot)
        reduced[pivot] = row
        for cell in row:
            if cell != pivot:
                holding[cell].add(pivot)
    return {pivot for pivot, row in reduced.items() if len(row) == 1}


MOST_PASSES = 50


def _solved_by_bounds(
    rows: list[Row],
    hidden: set[Cell],
    small: set[Cell],
    known_below: Callable[[Cell], Value | None],
) -> set[Cell]:
    """Cells squeezed to one value by bounds: nothing is below 0, a "fewer than 5" count is at most 4."""
    low = dict.fromkeys(hidden, 0)
    high: dict[Cell, int | None] = {}
    for cell in hidden:
        bound = known_below(cell) if cell in small else None
        high[cell] = None if bound is None else _hundredths(bound)
    for _ in range(MOST_PASSES):
        changed = False
        for coefficients, constant in rows:
            # The range of sum(sign * cell) over the row, and how many cells leave it open-ended.
            least, most, open_most, open_least = 0, 0, 0, 0
            for cell, sign in coefficients.items():
                top = high[cell]
                if sign > 0:
                    least += low[cell]
                    if top is None:
                        open_most += 1
                    else:
                        most += top
                else:
                    most -= low[cell]
                    if top is None:
                        open_least += 1
                    else:
                        least -= top
            for cell, sign in coefficients.items():
                # sign * cell = constant - (the rest), the rest's range being the row's without it
                rest_least: int | None
                rest_most: int | None
                if sign > 0:
                    rest_least = least - low[cell]
                    rest_most = None if open_most - (high[cell] is None) else most - (high[cell] or 0)
                    cell_low = None if rest_most is None else constant - rest_most
                    cell_high = constant - rest_least if not open_least else None
                else:
                    # -cell = constant - rest, so cell lies in [rest_least - constant, rest_most - constant]
                    rest_most = None if open_most else most + low[cell]
                    rest_least = None if open_least - (high[cell] is None) else least + (high[cell] or 0)
                    cell_low = None if rest_least is None else rest_least - constant
                    cell_high = None if rest_most is None else rest_most - constant
                if cell_low is not None and cell_low > low[cell]:
                    low[cell], changed = cell_low, True
                top = high[cell]
                if cell_high is not None and (top is None or cell_high < top):
                    high[cell], changed = cell_high, True
        if not changed:
            break
    return {cell for cell in hidden if (top := high[cell]) is not None and top <= low[cell]}


# ---------------------------------------------------------------------------- snapshot dates

EARLIEST_SNAPSHOT = limits.SNAPSHOT_FIRST_DAY
CENSUS_MONTH, CENSUS_DAY = 9, 30


def is_month_end(day: date) -> bool:
    return (day + timedelta(days=1)).day == 1


def latest_snapshot(today: date) -> date:
    """The last month end on or before today: the latest snapshot date HR can choose."""
    return today if is_month_end(today) else today.replace(day=1) - timedelta(days=1)


def is_census_date(day: date) -> bool:
    """30 September: the DfE census date. Figures about a year's flows are shown on these only."""
    return (day.month, day.day) == (CENSUS_MONTH, CENSUS_DAY)


def shows_flows(snapshot: date) -> bool:
    """Starters, leavers, turnover, leavers' length of service, destination and supervision are
    for census years only: the years of two census dates never overlap, so comparing them never
    shows the people who left in the month between two month ends."""
    return is_census_date(snapshot)


def snapshot_problem(day: date, today: date, long_date: Callable[[date], str]) -> str | None:
    """Why `day` cannot be a snapshot date, or None: month ends only, 2000 to the latest."""
    latest = latest_snapshot(today)
    if day > today:
        return f"Snapshot date must be today or in the past: the latest is {long_date(latest)}"
    if day < EARLIEST_SNAPSHOT:
        return f"Snapshot date must be on or after {long_date(EARLIEST_SNAPSHOT)}"
    if not is_month_end(day):
        return (
            "Snapshot date must be the last day of a month, for example 30 9 2026 or 31 8 2026 "
            f"(the latest is {long_date(latest)})"
        )
    return None


def recent_snapshots(today: date, count: int) -> list[date]:
    """The latest `count` snapshot dates HR can choose, newest first."""
    found: list[date] = []
    day = latest_snapshot(today)
    while len(found) < count and day >= EARLIEST_SNAPSHOT:
        found.append(day)
        day = day.replace(day=1) - timedelta(days=1)
    return found


def census_dates(today: date, count: int) -> list[date]:
    """The latest `count` census dates (30 September) HR can choose, newest first."""
    latest = latest_snapshot(today)
    year = latest.year if (latest.month, latest.day) >= (CENSUS_MONTH, CENSUS_DAY) else latest.year - 1
    return [date(year - back, CENSUS_MONTH, CENSUS_DAY) for back in range(count) if year - back >= 2000]
