"""The staff import against the real database: all or nothing, idempotent, and the command line."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
import sqlalchemy as sa

from supervision.csv_import import FileRefused
from supervision.extensions import db
from supervision.hr import import_services
from supervision.hr.import_rules import COLUMNS
from supervision.hr.import_services import ImportInterrupted, ImportRefused
from supervision.org.models import CareerStage, ContractType, LeavingDestination, Organisation, Staff
from tests.factories import make_organisation, make_service, make_staff, make_team
from tests.hr.conftest import counting_statements
from tests.replay import replayed

HEADER = ",".join(COLUMNS)


def line(**values) -> str:
    return ",".join(str(values.get(column, "")) for column in COLUMNS)


def person_line(number: int, **overrides) -> str:
    values = {
        "employee_number": f"P{number:05d}",
        "email": f"person.{number}@example.test",
        "given_name": "Given",
        "family_name": f"Family {number}",
        "job_title": "Social worker",
        "career_stage": "social_worker",
        "registered_social_worker": "yes",
        "contract_type": "permanent",
        "fte": "1",
        "caseload": str(number % 20),
        "start_date": "2021-04-06",
        "team": "Assessment/North",
    }
    values.update(overrides)
    return line(**values)


def staff_file(lines: list[str]) -> bytes:
    return ("\r\n".join([HEADER, *lines]) + "\r\n").encode("utf-8")


def hundreds_of_people(count: int = 300) -> bytes:
    """People whose line managers are the first person of each ten, some of them later in the file."""
    lines = []
    for number in range(1, count + 1):
        manager = "" if number % 10 == 0 else f"P{(number // 10 + 1) * 10:05d}"
        lines.append(person_line(number, line_manager_employee_number=manager))
    return staff_file(lines)


def staff_rows() -> dict[str, Staff]:
    db.session.expire_all()
    return {person.employee_number: person for person in db.session.scalars(sa.select(Staff))}


def row_counts() -> dict[str, int]:
    return {
        table: db.session.scalar(sa.select(sa.func.count()).select_from(sa.table(table)))
        for table in ("staff", "staff_role", "staff_import", "team", "service")
    }


@pytest.fixture
@replayed
def organisation(app):
    team = make_team("North", service=make_service("Assessment"))
    make_team("South", service=team.service)
    return make_organisation()


def test_a_few_hundred_people_are_imported_with_their_teams_and_line_managers(organisation, clock):
    plan = import_services.import_staff(organisation.id, hundreds_of_people())
    assert (len(plan.creates), len(plan.updates), len(plan.leavers), plan.unchanged) == (300, 0, 0, 0)
    people = staff_rows()
    assert len(people) == 300
    first, manager = people["P00001"], people["P00010"]
    assert first.line_manager_id == manager.id
    assert people["P00299"].line_manager_id == people["P00300"].id  # a manager later in the file
    assert manager.line_manager_id is None
    assert first.team.name == "North" and first.team.service.name == "Assessment"
    assert (first.fte, first.caseload, first.start_date) == (Decimal("1.00"), 1, date(2021, 4, 6))
    assert first.career_stage is CareerStage.SOCIAL_WORKER
    assert first.registered_social_worker is True
    assert first.organisation_id == organisation.id
    assert first.created_at == first.updated_at == clock.now()
    assert first.active is True and first.password_hash is None and first.roles == frozenset()


def test_importing_the_same_file_again_changes_nothing(organisation, clock):
    data = hundreds_of_people()
    import_services.import_staff(organisation.id, data)
    before = {number: (p.updated_at, p.line_manager_id, p.email) for number, p in staff_rows().items()}
    clock.advance(days=1)

    with counting_statements() as statements:
        plan = import_services.import_staff(organisation.id, data)

    assert (len(plan.creates), len(plan.updates), len(plan.leavers), plan.unchanged) == (0, 0, 0, 300)
    writes = [s for s in statements if s.lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))]
    assert writes == []
    after = {number: (p.updated_at, p.line_manager_id, p.email) for number, p in staff_rows().items()}
    assert after == before


def test_a_changed_file_updates_only_the_people_who_changed(organisation, clock):
    import_services.import_staff(
        organisation.id, staff_file([person_line(1), person_line(2), person_line(3)])
    )
    clock.advance(days=1)
    plan = import_services.import_staff(
        organisation.id,
        staff_file(
            [person_line(1, fte="0.6", team="South"), person_line(2), person_line(3, job_title="Manager")]
        ),
    )
    assert [(p.employee_number, p.changes) for p in plan.updates] == [
        ("P00001", ("fte", "team")),
        ("P00003", ("job_title",)),
    ]
    people = staff_rows()
    assert (people["P00001"].fte, people["P00001"].team.name) == (Decimal("0.60"), "South")
    assert people["P00001"].updated_at == clock.now()
    assert people["P00002"].updated_at == datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
    assert people["P00003"].job_title == "Manager"


def test_a_leaver_in_the_file_is_recorded_and_keeps_everything_else(organisation, clock):
    import_services.import_staff(organisation.id, staff_file([person_line(1)]))
    plan = import_services.import_staff(
        organisation.id,
        staff_file(
            [
                person_line(
                    1,
                    end_date="2026-08-31",
                    leaving_reason="Promotion",
                    leaving_destination="other_local_authority",
                )
            ]
        ),
    )
    assert [p.employee_number for p in plan.leavers] == ["P00001"]
    person = staff_rows()["P00001"]
    assert (person.end_date, person.leaving_reason, person.leaving_destination) == (
        date(2026, 8, 31),
        "Promotion",
        LeavingDestination.OTHER_LOCAL_AUTHORITY,
    )


def test_a_dry_run_checks_and_plans_but_writes_nothing(organisation, clock):
    counts = row_counts()
    with counting_statements() as statements:
        plan = import_services.import_staff(organisation.id, hundreds_of_people(), dry_run=True)
    assert len(plan.creates) == 300
    assert [s for s in statements if s.lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))] == []
    assert row_counts() == counts


def test_a_file_with_one_bad_row_writes_nothing_at_all(organisation, clock):
    make_staff(employee_number="P00002", email="person.2@example.test", given_name="Kept")
    counts = row_counts()
    data = staff_file([person_line(number) for number in range(1, 200)] + [person_line(200, fte="2")])
    with pytest.raises(ImportRefused) as refused:
        import_services.import_staff(organisation.id, data)
    assert [(e.row, e.column) for e in refused.value.plan.errors] == [(201, "fte")]
    assert row_counts() == counts
    assert staff_rows()["P00002"].given_name == "Kept"


def test_email_addresses_can_pass_from_one_person_to_another_in_one_file(organisation, clock):
    make_staff(employee_number="A1", email="shared@example.test")
    make_staff(employee_number="B1", email="b@example.test")
    plan = import_services.import_staff(
        organisation.id,
        staff_file(
            [
                person_line(1, employee_number="B1", email="shared@example.test"),
                person_line(2, employee_number="A1", email="a@example.test"),
                person_line(3, employee_number="C1", email="b@example.test"),
            ]
        ),
    )
    assert (len(plan.updates), len(plan.creates)) == (2, 1)
    people = staff_rows()
    assert (people["A1"].email, people["B1"].email, people["C1"].email) == (
        "a@example.test",
        "shared@example.test",
        "b@example.test",
    )


def test_existing_people_may_be_given_a_line_manager_from_the_same_file(organisation, clock):
    make_staff(employee_number="P00001", email="person.1@example.test")
    import_services.import_staff(
        organisation.id,
        staff_file([person_line(1, line_manager_employee_number="M9"), person_line(9, employee_number="M9")]),
    )
    people = staff_rows()
    assert people["P00001"].line_manager_id == people["M9"].id


def test_a_clash_written_by_someone_else_mid_import_rolls_everything_back(organisation, clock):
    make_staff(employee_number="P00001", email="person.1@example.test", job_title="Before")
    counts = row_counts()

    def someone_else_takes_the_email(plan):
        with db.engine.begin() as connection:
            connection.execute(
                sa.insert(Staff).values(
                    organisation_id=organisation.id,
                    email="person.2@example.test",
                    given_name="Quick",
                    family_name="Fingers",
                    job_title="",
                    career_stage=CareerStage.OTHER,
                    registered_social_worker=False,
                    contract_type=ContractType.PERMANENT,
                    fte=Decimal(1),
                    start_date=date(2020, 1, 1),
                    active=True,
                    created_at=clock.now(),
                    updated_at=clock.now(),
                )
            )

    with pytest.raises(ImportInterrupted):
        import_services.import_staff(
            organisation.id,
            staff_file([person_line(1, job_title="After"), person_line(2)]),
            on_checked=someone_else_takes_the_email,
        )
    assert staff_rows()["P00001"].job_title == "Before"
    assert row_counts()["staff"] == counts["staff"] + 1  # only the other person's row


def test_a_file_with_the_wrong_delimiter_is_refused_with_the_reason(organisation):
    with pytest.raises(FileRefused) as refused:
        import_services.import_staff(organisation.id, b"employee_number;email\r\nE1;a@x.test")
    assert "separated by semicolons" in refused.value.messages[0]


def test_a_file_over_the_size_limit_is_refused(organisation):
    limit = import_services.MAX_FILE_BYTES
    assert import_services.too_big_problem(limit) is None
    assert import_services.too_big_problem(limit + 1) == "The file must be smaller than 20 MB"
    padded = hundreds_of_people(1) + b" " * limit
    with pytest.raises(FileRefused) as refused:
        import_services.import_staff(organisation.id, padded)
    assert refused.value.messages == ["The file must be smaller than 20 MB"]


def test_the_example_file_in_the_docs_imports_cleanly(app, clock):
    from config import BASE_DIR

    service = make_service("Assessment and Intervention")  # as in the demo
    make_team("Assessment Team", service=service)
    organisation = make_organisation()
    data = (BASE_DIR / "docs" / "examples" / "staff-import.csv").read_bytes()
    plan = import_services.import_staff(organisation.id, data)
    assert (len(plan.creates), len(plan.errors)) == (7, 0)
    assert import_services.import_staff(organisation.id, data).unchanged == 7


# The command line ------------------------------------------------------------------------------


@pytest.fixture
def cli(app):
    return app.test_cli_runner()


def test_the_command_imports_a_file_and_prints_its_progress(cli, organisation, clock, tmp_path):
    path = tmp_path / "staff.csv"
    path.write_bytes(hundreds_of_people(1200))
    result = cli.invoke(args=["import-staff", str(path)])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == "Checking staff.csv for Test Council…"
    assert lines[1] == (
        "Checked 1,200 rows: 1,200 people to add, 0 people to update, 0 leavers to record, "
        "0 people already up to date."
    )
    assert "  Creating: 1,000 of 1,200" in lines and "  Creating: 1,200 of 1,200" in lines
    assert "  Setting line managers: 1,080 of 1,080" in lines
    assert lines[-1].startswith("Imported in ")
    assert len(staff_rows()) == 1200

    again = cli.invoke(args=["import-staff", str(path)])
    assert again.exit_code == 0
    assert "1,200 people already up to date" in again.output
    assert again.output.splitlines()[-1] == "Everyone in the file is already up to date: nothing was changed."


def test_the_command_dry_run_writes_nothing(cli, organisation, clock, tmp_path):
    path = tmp_path / "staff.csv"
    path.write_bytes(hundreds_of_people(20))
    counts = row_counts()
    result = cli.invoke(args=["import-staff", str(path), "--dry-run"])
    assert result.exit_code == 0, result.output
    assert "20 people to add" in result.output
    assert "Dry run: nothing was written" in result.output
    assert row_counts() == counts


def test_the_command_lists_every_problem_by_row_and_column_and_exits_with_1(cli, organisation, tmp_path):
    path = tmp_path / "staff.csv"
    path.write_bytes(
        staff_file([person_line(1, fte="lots"), person_line(2, start_date="2021/04/06", email="x")])
    )
    result = cli.invoke(args=["import-staff", str(path)])
    assert result.exit_code == 1
    assert "Row 2, column fte: FTE must be a number, like 0.6" in result.output
    assert "Row 3, column email: Enter an email address in the correct format" in result.output
    assert (
        "Row 3, column start_date: Enter the start date as year-month-day, like 2024-09-02" in result.output
    )
    assert "Error: The file has 3 problems in 2 rows. Nothing was imported." in result.output
    assert row_counts()["staff"] == 0


def test_the_command_explains_an_encoding_problem(cli, organisation, tmp_path):
    path = tmp_path / "staff.csv"
    path.write_bytes(staff_file([person_line(1, given_name="Zoë")]).decode().encode("cp1252"))
    result = cli.invoke(args=["import-staff", str(path)])
    assert result.exit_code == 1
    assert "The file is not UTF-8 text: the first character that is not is on line 2." in result.output


def test_the_command_asks_which_organisation_when_there_are_several(cli, organisation, tmp_path):
    db.session.add(Organisation(name="Another Council"))
    db.session.commit()
    path = tmp_path / "staff.csv"
    path.write_bytes(staff_file([person_line(1)]))
    result = cli.invoke(args=["import-staff", str(path)])
    assert result.exit_code == 1
    assert "Name the organisation with --organisation: Another Council, Test Council" in result.output
    chosen = cli.invoke(args=["import-staff", str(path), "--organisation", "test council"])
    assert chosen.exit_code == 0, chosen.output
    assert staff_rows()["P00001"].organisation_id == organisation.id
