"""Sortable tables: each column's sort key and which way its first click sorts (the most
worrying first), the next order its header link asks for and its `aria-sort`. The case lists
use it (supervision/cases/lists.py); the team dashboard's own copy is reports/dashboard.py."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    sort_key: Callable
    numeric: bool = False
    # The first click sorts this way: the most worrying first.
    starts_descending: bool = False


@dataclass(frozen=True)
class Sorting:
    columns: tuple[Column, ...]
    key: str
    descending: bool

    @classmethod
    def parse(cls, columns: tuple[Column, ...], default: str, key: str | None, order: str | None) -> Sorting:
        """Unknown columns or orders fall back: the default column, in its natural order."""
        by_key = {column.key: column for column in columns}
        if key not in by_key:
            return cls(columns, default, by_key[default].starts_descending)
        if order not in ("ascending", "descending"):
            return cls(columns, key, by_key[key].starts_descending)
        return cls(columns, key, order == "descending")

    def column(self, key: str) -> Column:
        return next(column for column in self.columns if column.key == key)

    @property
    def order(self) -> str:
        return "descending" if self.descending else "ascending"

    def is_default(self, default: str) -> bool:
        return self.key == default and self.descending == self.column(default).starts_descending

    def next_order_for(self, key: str) -> str:
        """Clicking the sorted column reverses it; another column starts in its natural order."""
        if key == self.key:
            return "ascending" if self.descending else "descending"
        return "descending" if self.column(key).starts_descending else "ascending"

    def aria_sort(self, key: str) -> str:
        if key != self.key:
            return "none"
        return self.order

    def sorted(self, rows: Sequence, tie_break: Callable) -> list:
        """Sorted by the chosen column, ties broken by `tie_break` (always ascending)."""
        return sorted(
            sorted(rows, key=tie_break), key=self.column(self.key).sort_key, reverse=self.descending
        )
