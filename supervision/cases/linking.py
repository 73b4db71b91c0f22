"""The case register that records offer and flag case discussions by (records/case_register.py):
installed at app start by `register_subscribers` in supervision/__init__.py, so records never
import cases (docs/cases.md, "Linking a discussion to a case")."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from flask import Flask

from supervision.cases import lists, services
from supervision.cases.rules import normalised_reference
from supervision.org.models import Staff
from supervision.records import case_register
from supervision.records.case_register import CaseDue, OpenCase


class CaseRegisterFromCases:
    """The records' view of the register, read through cases/services.py."""

    def open_cases_of(self, worker_id: int, today: date) -> list[OpenCase]:
        return [
            OpenCase(reference, category.label)
            for reference, category in services.open_cases_of(worker_id, today)
        ]

    def unknown_references(self, organisation_id: int, references: Iterable[str]) -> set[str]:
        wanted = {normalised_reference(reference) for reference in references}
        return wanted - services.known_references(organisation_id, wanted)

    def due_discussion(self, worker: Staff, today: date) -> list[CaseDue]:
        return [
            CaseDue(
                line.reference,
                line.category.label,
                line.oversight.status.label,
                line.oversight.status.tag_class,
                line.oversight.due_on,
                line.oversight.last_oversight_on,
            )
            for line in lists.due_discussion(worker, today)
        ]


def install(app: Flask) -> None:
    case_register.install(app, CaseRegisterFromCases())
