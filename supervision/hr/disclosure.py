"""The small-numbers rule and how each figure is written, for pages and exports alike.

In team-level tables any count of people below 5, and any figure worked out from such a count
(an FTE total, a rate, an average), is shown as "fewer than 5", so nobody can be picked out of
a small team. Service and organisation rows are shown in full (DESIGN section 8). The rule is
written out for HR in docs/metrics.md; pages, CSV and XLSX all go through `shown()` so they
can never disagree.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

SMALL_NUMBER_THRESHOLD = 5
SUPPRESSED_TEXT = "fewer than 5"
NOT_APPLICABLE_TEXT = "not applicable"
ONE_PLACE = Decimal("0.1")
TWO_PLACES = Decimal("0.01")


class Kind(enum.StrEnum):
    COUNT = "count"  # people: a whole number
    FTE = "fte"  # up to 2 decimal places, as entered
    RATE = "rate"  # a percentage, to 1 decimal place (as the DfE publishes)
    AVERAGE = "average"  # to 1 decimal place


@dataclass(frozen=True)
class Shown:
    """A figure as people may see it: its value, or the reason it is withheld."""

    value: Decimal | int | None
    kind: Kind
    suppressed: bool = False

    @property
    def text(self) -> str:
        if self.suppressed:
            return SUPPRESSED_TEXT
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


def shown(
    value: Decimal | int | None, kind: Kind, *, people: int | tuple[int, ...], team_level: bool
) -> Shown:
    """`value` as shown in a table row; `people` are the counts of people it is worked out from.

    A rate has two counts (the people in the numerator and in the denominator): if either is
    small, the rate is withheld. A figure about posts rather than people passes `()`.
    """
    counts = people if isinstance(people, tuple) else (people,)
    return Shown(value, kind, suppressed=team_level and any(is_small(count) for count in counts))


def rounded(value: Decimal | int, kind: Kind) -> Decimal:
    places = TWO_PLACES if kind is Kind.FTE else ONE_PLACE
    return Decimal(value).quantize(places, rounding=ROUND_HALF_UP)


def format_number(value: Decimal, grouped: bool = False) -> str:
    """No trailing zeros after the point: 4.5, 12, 3.75 (and 1,204.5 when `grouped`)."""
    text = format(value, ",f" if grouped else "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text
