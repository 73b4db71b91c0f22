"""The case register as a record sees it: the supervisee's open cases to pick from, which
references the register does not know (flagged on the record page), and a worker's own cases
due discussion (My supervision and the record's agenda, so they bring them).

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

from supervision.org.models import Staff

EXTENSION_KEY = "case_register"


@dataclass(frozen=True)
class OpenCase:
    """A case a supervisee holds: offered when a case discussion is added."""

    reference: str
    category_label: str


@dataclass(frozen=True)
class CaseDue:
    """One of a worker's own cases due soon, overdue or not discussed since allocation."""

    reference: str
    category_label: str
    status_label: str
    status_tag_class: str
    due_on: date
    last_oversight_on: date | None


class CaseRegister(Protocol):
    def open_cases_of(self, worker_id: int, today: date) -> list[OpenCase]:
        """The worker's cases open on `today`, by reference."""
        ...

    def unknown_references(self, organisation_id: int, references: Iterable[str]) -> set[str]:
        """Which of `references` the organisation's register does not hold."""
        ...

    def due_discussion(self, worker: Staff, today: date) -> list[CaseDue]:
        """The worker's own open cases due soon, overdue or not discussed, the most overdue first."""
        ...


class NoRegister:
    """Before (or without) the case register: no cases to offer, nothing to flag."""

    def open_cases_of(self, worker_id: int, today: date) -> list[OpenCase]:
        return []

    def unknown_references(self, organisation_id: int, references: Iterable[str]) -> set[str]:
        return set()

    def due_discussion(self, worker: Staff, today: date) -> list[CaseDue]:
        return []


def install(app: Flask, register: CaseRegister) -> None:
    app.extensions[EXTENSION_KEY] = register


def case_register() -> CaseRegister:
    return current_app.extensions.get(EXTENSION_KEY, NoRegister())
