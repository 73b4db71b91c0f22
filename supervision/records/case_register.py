"""The case register as a record sees it: the supervisee's open cases to pick from, and which
references the register does not know (flagged on the record page).

`records` must not import `cases` (cases reads the records for oversight), so the register is a
provider that `cases` installs at app start (`register_subscribers` in supervision/__init__.py,
`supervision.cases.register_hook`). An app without one has "no register": nothing to pick from
and nothing flagged (docs/cases.md, "Linking a discussion to a case").
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Protocol

from flask import Flask, current_app

EXTENSION_KEY = "case_register"


@dataclass(frozen=True)
class OpenCase:
    """A case a supervisee holds: offered when a case discussion is added."""

    reference: str
    category_label: str


class CaseRegister(Protocol):
    def open_cases_of(self, worker_id: int, today: date) -> list[OpenCase]:
        """The worker's cases open on `today`, by reference."""
        ...

    def unknown_references(self, organisation_id: int, references: Iterable[str]) -> set[str]:
        """Which of `references` the organisation's register does not hold."""
        ...


class NoRegister:
    """Before (or without) the case register: no cases to offer, nothing to flag."""

    def open_cases_of(self, worker_id: int, today: date) -> list[OpenCase]:
        return []

    def unknown_references(self, organisation_id: int, references: Iterable[str]) -> set[str]:
        return set()


def install(app: Flask, register: CaseRegister) -> None:
    app.extensions[EXTENSION_KEY] = register


def case_register() -> CaseRegister:
    return current_app.extensions.get(EXTENSION_KEY, NoRegister())
