"""The caseload import (docs/cases.md "Importing caseloads"): checked whole, every error by row and
column, all or nothing, re-import changes nothing, reallocation keeps the history, audited."""

from __future__ import annotations

import logging
from datetime import date
from pathlib import Path

import pytest
import sqlalchemy as sa

from supervision.audit.models import AuditEvent
from supervision.cases import import_services
from supervision.cases.import_services import ImportRefused
from supervision.cases.models import CaseAllocation, ChildCase
from supervision.cases.rules import CaseCategory
from supervision.csv_import import FileRefused, RowError
from supervision.extensions import db
from supervision.org.models import Role
from tests.cases.import_factories import cases_file, make_case, register
from tests.factories import make_staff
from tests.replay import replayed

pytestmark = pytest.mark.usefixtures("clock")  # today is Monday 23 November 2026

EXAMPLE = Path(__file__).resolve().parents[2] / "docs" / "examples" / "cases.csv"


@pytest.fixture
@replayed
def workers(app):
    ann = make_staff(employee_number="E100", email="ann@example.test")
    bob = make_staff(employee_number="E200", email="bob@example.test")
    return ann, bob


def organisation_id(workers) -> int:
    return workers[0].organisation_id


def count(model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def test_a_file_adds_cases_with_their_first_allocation(workers):
    ann, bob = workers
    data = cases_file(
        "CP-1,E100,child_protection,2026-09-01,",
        "CIN-2,bob@example.test,Child in need,2026-10-05,",
        "LAC-3,e100,CHILD IN CARE,2026-01-10,2026-11-02",
        " EH-4 ,BOB@EXAMPLE.TEST,early help,2026-03-01,",
    )
    plan = import_services.import_cases(organisation_id(workers), data)
    assert plan.counts() == {
        "rows": 4,
        "cases_added": 4,
        "cases_changed": 0,
        "cases_reallocated": 0,
        "cases_closed": 1,
        "cases_unchanged": 0,
    }
    assert register() == {
        "CIN-2": (
            CaseCategory.CHILD_IN_NEED,
            bob.id,
            date(2026, 10, 5),
            None,
            ((bob.id, date(2026, 10, 5), None),),
        ),
        "CP-1": (
            CaseCategory.CHILD_PROTECTION,
            ann.id,
            date(2026, 9, 1),
            None,
            ((ann.id, date(2026, 9, 1), None),),
        ),
        "EH-4": (
            CaseCategory.EARLY_HELP,
            bob.id,
            date(2026, 3, 1),
            None,
            ((bob.id, date(2026, 3, 1), None),),
        ),
        "LAC-3": (
            CaseCategory.CHILD_IN_CARE,
            ann.id,
            date(2026, 1, 10),
            date(2026, 11, 2),
            ((ann.id, date(2026, 1, 10), date(2026, 11, 2)),),
        ),
    }


def test_importing_the_same_file_again_changes_nothing(workers):
    data = cases_file(
        "CP-1,E100,child_protection,2026-09-01,", "LAC-3,E200,child_in_care,2026-01-10,2026-11-02"
    )
    import_services.import_cases(organisation_id(workers), data)
    before = register()
    plan = import_services.import_cases(organisation_id(workers), data)
    assert not plan.changed and plan.unchanged == 2
    assert register() == before
    assert count(AuditEvent) == 1  # only the first import changed anything


def test_a_case_that_moves_worker_gets_a_new_allocation_and_keeps_its_history(workers):
    ann, bob = workers
    make_case("CP-1", ann, date(2026, 6, 1), CaseCategory.CHILD_PROTECTION)
    plan = import_services.import_cases(
        organisation_id(workers), cases_file("CP-1,E200,child_protection,2026-10-12,")
    )
    assert plan.count("reallocated") == 1
    assert register()["CP-1"] == (
        CaseCategory.CHILD_PROTECTION,
        bob.id,
        date(2026, 6, 1),  # the oversight clock keeps the first allocation's day
        None,
        ((ann.id, date(2026, 6, 1), date(2026, 10, 11)), (bob.id, date(2026, 10, 12), None)),
    )


def test_a_closed_date_closes_the_case_and_its_allocation_and_a_blank_one_reopens_it(workers):
    ann, _ = workers
    make_case("CP-1", ann, date(2026, 6, 1))
    import_services.import_cases(
        organisation_id(workers), cases_file("CP-1,E100,child_in_need,2026-06-01,2026-11-20")
    )
    assert register()["CP-1"][3:] == (date(2026, 11, 20), ((ann.id, date(2026, 6, 1), date(2026, 11, 20)),))
    import_services.import_cases(organisation_id(workers), cases_file("CP-1,E100,child_in_need,2026-06-01,"))
    assert register()["CP-1"][3:] == (None, ((ann.id, date(2026, 6, 1), None),))


def test_a_case_not_in_the_file_is_left_as_it_is(workers):
    ann, _ = workers
    make_case("OLD-1", ann, date(2025, 1, 6))
    import_services.import_cases(
        organisation_id(workers), cases_file("CP-1,E100,child_protection,2026-09-01,")
    )
    assert register()["OLD-1"][3] is None
    assert set(register()) == {"OLD-1", "CP-1"}


def test_the_same_worker_with_another_allocated_date_corrects_the_allocation(workers):
    ann, bob = workers
    case = make_case("CP-1", ann, date(2026, 6, 1))
    import_services.import_cases(organisation_id(workers), cases_file("CP-1,E200,child_in_need,2026-09-01,"))
    import_services.import_cases(organisation_id(workers), cases_file("CP-1,E200,child_in_need,2026-09-08,"))
    assert register()["CP-1"][4] == (
        (ann.id, date(2026, 6, 1), date(2026, 9, 7)),
        (bob.id, date(2026, 9, 8), None),
    )
    # The only allocation's day is the day the case opened.
    make_case("CP-2", ann, date(2026, 6, 1))
    import_services.import_cases(organisation_id(workers), cases_file("CP-2,E100,child_in_need,2026-05-04,"))
    assert register()["CP-2"][2] == date(2026, 5, 4)
    assert case.id


def test_every_problem_is_listed_by_row_and_column_and_nothing_is_written(workers):
    ann, _ = workers
    make_case("CP-1", ann, date(2026, 6, 1))
    data = cases_file(
        "NEW-1,E100,child_protection,2026-09-01,",  # fine on its own
        ",,,,2026-01-01",
        "NEW-2,E999,fostering,2026-13-01,yesterday",
        "NEW-3,nobody@example.test,other,1990-01-01,2026-12-01",
        "NEW-1,E100,other,2026-09-01,2026-08-01",
        "CP-1,E200,other,2026-05-01,",
        "Bad\tref,E100,other,2026-01-01,",
        "X" * 101 + ",E100,other,2026-01-01,",
        "TOO,MANY,VALUES,2026-01-01,,",
    )
    with pytest.raises(ImportRefused) as refused:
        import_services.import_cases(organisation_id(workers), data)
    assert list(refused.value.plan.errors) == [
        RowError(3, "case_reference", "Enter the case reference"),
        RowError(3, "worker", "Enter the allocated worker’s employee number or email address"),
        RowError(3, "category", "Enter the category"),
        RowError(3, "allocated_date", "Enter the date the case was allocated to the worker"),
        RowError(4, "worker", "Nobody in the organisation has the employee number E999"),
        RowError(
            4,
            "category",
            "Category must be one of: child_protection, child_in_need, child_in_care, care_leaver, "
            "early_help, other",
        ),
        RowError(4, "allocated_date", "The allocated date must be a real date"),
        RowError(4, "closed_date", "Enter the closed date as year-month-day, like 2024-09-02"),
        RowError(5, "worker", "Nobody in the organisation has the email address nobody@example.test"),
        RowError(5, "allocated_date", "Allocated date must be on or after 23 November 2001"),
        RowError(5, "closed_date", "Closed date must be today or in the past"),
        RowError(6, "case_reference", "Case reference NEW-1 is also on row 2"),
        RowError(6, "closed_date", "The closed date must be on or after the allocated date"),
        RowError(
            7,
            "allocated_date",
            "The case moves to another worker, so the allocated date must be after 1 June 2026, "
            "when its current worker was allocated it",
        ),
        RowError(8, "case_reference", "Case reference must not contain a tab"),
        RowError(9, "case_reference", "Case reference must be 100 characters or fewer"),
        RowError(
            10,
            "(whole row)",
            "The row has 6 values but the header has 5 columns. "
            "A value with a comma in it must be inside double quotes.",
        ),
    ]
    assert set(register()) == {"CP-1"}
    assert count(CaseAllocation) == 1
    assert count(AuditEvent) == 0


def test_a_file_that_cannot_be_read_is_refused_with_the_reason(workers):
    with pytest.raises(FileRefused) as refused:
        import_services.import_cases(organisation_id(workers), b"case_reference,worker\r\nCP-1,E100\r\n")
    assert refused.value.messages == [
        "The header row is missing the columns category, allocated_date. "
        "The first row must name the columns, as in docs/cases.md."
    ]
    with pytest.raises(FileRefused, match="one row per case"):
        import_services.import_cases(organisation_id(workers), b"  \r\n")
    limit = import_services.MAX_FILE_BYTES
    assert import_services.too_big_problem(limit) is None
    assert import_services.too_big_problem(limit + 1) == "The file must be smaller than 64 MB"


def test_a_file_of_more_rows_than_the_limit_is_refused(workers, monkeypatch):
    from supervision.cases import import_rules

    monkeypatch.setattr(
        import_rules, "SHAPE", import_rules.SHAPE.__class__(**{**import_rules.SHAPE.__dict__, "max_rows": 2})
    )
    with pytest.raises(FileRefused, match="more than 2 rows"):
        import_services.import_cases(
            organisation_id(workers),
            cases_file(*(f"C-{n},E100,other,2026-01-01," for n in range(3))),
        )


def test_a_worker_of_another_organisation_is_not_found(workers):
    from tests.factories import make_organisation

    other = make_organisation("Elsewhere Council")
    outsider = make_staff(employee_number="X1", email="x@elsewhere.test")
    outsider.organisation_id = other.id
    db.session.commit()
    with pytest.raises(ImportRefused) as refused:
        import_services.import_cases(organisation_id(workers), cases_file("C-1,X1,other,2026-01-01,"))
    assert refused.value.plan.errors[0].message == "Nobody in the organisation has the employee number X1"


def test_a_dry_run_writes_nothing(workers):
    plan = import_services.import_cases(
        organisation_id(workers), cases_file("CP-1,E100,child_protection,2026-09-01,"), dry_run=True
    )
    assert len(plan.creates) == 1
    assert count(ChildCase) == 0


def test_the_import_is_audited_with_counts_and_logged_without_references(workers, caplog):
    admin = make_staff(Role.ADMIN)
    caplog.set_level(logging.INFO, logger="supervision.cases.import_services")
    import_services.import_cases(
        organisation_id(workers),
        cases_file("SECRET-REF-1,E100,child_protection,2026-09-01,"),
        actor_id=admin.id,
    )
    event = db.session.scalar(sa.select(AuditEvent))
    assert (event.actor_id, event.action, event.object_type, event.object_id) == (
        admin.id,
        "import",
        "case_import",
        organisation_id(workers),
    )
    assert event.changes["cases_added"] == [None, 1]
    assert "SECRET-REF-1" not in str(event.changes)
    assert "caseload import applied" in caplog.text
    assert all("SECRET-REF-1" not in str(record.__dict__) for record in caplog.records)


def test_the_command_line_imports_a_file_and_lists_every_problem(app, workers, tmp_path):
    runner = app.test_cli_runner()
    path = tmp_path / "cases.csv"
    path.write_bytes(cases_file("CP-1,E100,child_protection,2026-09-01,", "CP-2,E999,other,2026-09-01,"))
    result = runner.invoke(args=["import-cases", str(path)])
    assert result.exit_code == 1
    assert "Row 3, column worker: Nobody in the organisation has the employee number E999" in result.output
    assert "Nothing was imported." in result.output
    assert count(ChildCase) == 0

    path.write_bytes(cases_file("CP-1,E100,child_protection,2026-09-01,"))
    result = runner.invoke(args=["import-cases", str(path), "--dry-run"])
    assert result.exit_code == 0, result.output
    assert "1 case to add" in result.output and "Dry run" in result.output
    assert count(ChildCase) == 0
    result = runner.invoke(args=["import-cases", str(path)])
    assert result.exit_code == 0, result.output
    assert count(ChildCase) == 1
    result = runner.invoke(args=["import-cases", str(path)])
    assert "already up to date: nothing was changed" in result.output


def test_the_example_file_imports_into_the_demo(app, clock):
    from supervision import demo

    demo.seed_demo()
    plan = import_services.import_cases(demo_organisation_id(), EXAMPLE.read_bytes(), dry_run=True)
    assert plan.ok and plan.rows >= 5


def demo_organisation_id() -> int:
    from supervision.org.models import Organisation

    return db.session.scalar(sa.select(Organisation.id))


def test_a_reference_added_by_someone_else_while_importing_rolls_everything_back(workers, monkeypatch):
    ann, _ = workers
    original = import_services.apply_plan

    def someone_else_first(plan, organisation_id):
        make_case("CP-1", ann, date(2026, 9, 1))  # committed by "another import" after the checks
        original(plan, organisation_id)

    monkeypatch.setattr(import_services, "apply_plan", someone_else_first)
    with pytest.raises(import_services.ImportInterrupted):
        import_services.import_cases(
            organisation_id(workers),
            cases_file("CP-0,E100,other,2026-09-01,", "CP-1,E100,child_protection,2026-09-01,"),
        )
    assert set(register()) == {"CP-1"}
    assert count(AuditEvent) == 0
