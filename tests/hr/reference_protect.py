"""The secondary suppression as first written (issue 20), kept as the reference that
`supervision.hr.disclosure.protect` must agree with exactly (tests/hr/test_protect_properties.py).

It audits every group of sums joined to a change afresh each round, by full elimination: slow at
national scale, simple to check. Not used by the service.
"""

from __future__ import annotations

import heapq
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from decimal import Decimal

from supervision.hr.disclosure import Cell, Equation, Value


def reference_protect(
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
    queue: list[int] = []  # sums to look at again, in a fixed order
    queued: set[int] = set()
    dirty: set[int] = set()  # sums with a cell withheld since the last audit

    def hide(cell: Cell) -> None:
        waiting = [cell]
        while waiting:
            current = waiting.pop()
            if current in hidden or current not in values:
                continue
            hidden.add(current)
            for index in by_cell.get(current, ()):
                if index not in queued:
                    queued.add(index)
                    heapq.heappush(queue, index)
                dirty.add(index)
            waiting.extend(together(current))

    solved: dict[frozenset[tuple[frozenset[tuple[Cell, int]], int]], set[Cell]] = {}
    small_cells = set(small)
    for cell in sorted(small_cells, key=repr):  # a fixed order: the page and every export agree
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
        # Audit the sums joined (through withheld cells) to one that changed; the rest had no
        # cell pinned down last time, and still have none.
        region = _joined(dirty, equations, by_cell, hidden)
        dirty.clear()
        pinned = pinned_down(
            hidden, [equations[index] for index in sorted(region)], values, small_cells, known_below, solved
        )
        if not pinned:
            return hidden - small_cells
        touched: set[int] = set()
        progress = False
        for cell in sorted(pinned, key=repr):
            if touched.intersection(by_cell[cell]):
                continue  # a cell next to it was just withheld: audit again first
            # Its own sums first, then those joined to them through withheld cells.
            nearby = [*by_cell[cell], *sorted(_joined(set(by_cell[cell]), equations, by_cell, hidden))]
            for index in nearby:
                chosen = _complement(equations[index], hidden, values)
                if chosen is not None:
                    hide(chosen)
                    touched.update(by_cell[chosen])
                    progress = True
                    break
        if not progress:  # nothing left to withhold beside them: they cannot be protected further
            return hidden - small_cells


def _joined(
    start: set[int], equations: list[Equation], by_cell: Mapping[Cell, list[int]], hidden: set[Cell]
) -> set[int]:
    """The sums reachable from `start` through withheld cells they share."""
    found, waiting = set(start), list(start)
    while waiting:
        eq = equations[waiting.pop()]
        for cell in (eq.total, *eq.parts):
            if cell in hidden:
                for index in by_cell[cell]:
                    if index not in found:
                        found.add(index)
                        waiting.append(index)
    return found


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


def pinned_down(
    hidden: set[Cell],
    equations: list[Equation],
    values: Mapping[Cell, Value],
    small: set[Cell],
    known_below: Callable[[Cell], Value | None],
    solved: dict[frozenset[tuple[frozenset[tuple[Cell, int]], int]], set[Cell]] | None = None,
) -> set[Cell]:
    """Withheld cells whose value follows from the published ones: exactly, or by bounds.

    Figures have at most 2 decimal places, so they are worked with in hundredths, as integers.
    """
    solved = {} if solved is None else solved
    rows: list[tuple[dict[Cell, int], int]] = []
    for eq in equations:
        if not any(cell in hidden for cell in (eq.total, *eq.parts)):
            continue
        coefficients: dict[Cell, int] = defaultdict(int)
        constant = 0
        for cell, sign in ((eq.total, 1), *((part, -1) for part in eq.parts)):
            if cell in hidden:
                coefficients[cell] += sign
            else:
                constant -= sign * _hundredths(values[cell])
        rows.append(({cell: c for cell, c in coefficients.items() if c}, constant))
    found: set[Cell] = set()
    for component in _components(rows):
        if len(component) == 1:  # one sum on its own (most of them): quicker solved than looked up
            (coefficients, constant), cells = component[0], set(component[0][0])
            found |= _solved_exactly([coefficients]) | _solved_by_bounds(component, cells, small, known_below)
            continue
        key = frozenset((frozenset(coefficients.items()), constant) for coefficients, constant in component)
        if key not in solved:  # a group of sums untouched since the last round has the same answer
            cells = {cell for coefficients, _ in component for cell in coefficients}
            solved[key] = _solved_exactly(
                [coefficients for coefficients, _ in component]
            ) | _solved_by_bounds(component, cells, small, known_below)
        found |= solved[key]
    return found


def _hundredths(value: Value) -> int:
    return int(Decimal(value) * 100)


def _components(rows: list[tuple[dict[Cell, int], int]]) -> list[list[tuple[dict[Cell, int], int]]]:
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
    groups: dict[Cell, list[tuple[dict[Cell, int], int]]] = defaultdict(list)
    for coefficients, constant in rows:
        if coefficients:
            groups[root(next(iter(coefficients)))].append((coefficients, constant))
    return list(groups.values())


PRIME = 2**61 - 1  # ranks over the rationals, worked out modulo a large prime


def _solved_exactly(rows: list[dict[Cell, int]]) -> set[Cell]:
    """Cells fixed by the equations alone: a row of the reduced echelon form with one unknown.

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
    for coefficients in sorted(rows, key=len):
        row = {cell: c % PRIME for cell, c in coefficients.items()}
        for pivot in [cell for cell in row if cell in reduced]:
            factor = row.get(pivot)
            if factor:
                for cell, c in reduced[pivot].items():
                    row[cell] = (row.get(cell, 0) - factor * c) % PRIME
        row = {cell: c for cell, c in row.items() if c}
        if not row:
            continue
        pivot = min(row, key=lambda cell: (len(repr(cell)), repr(cell)))
        inverse = pow(row[pivot], PRIME - 2, PRIME)
        row = {cell: c * inverse % PRIME for cell, c in row.items()}
        for other_pivot, other in reduced.items():
            factor = other.get(pivot)
            if factor:
                for cell, c in row.items():
                    other[cell] = (other.get(cell, 0) - factor * c) % PRIME
                reduced[other_pivot] = {cell: c for cell, c in other.items() if c}
        reduced[pivot] = row
    return {pivot for pivot, row in reduced.items() if len(row) == 1}


MOST_PASSES = 50


def _solved_by_bounds(
    rows: list[tuple[dict[Cell, int], int]],
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
