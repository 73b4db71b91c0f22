"""Reading, checking and planning a staff import file, as pure functions: every kind of error."""

from datetime import date
from decimal import Decimal

import pytest

from supervision.csv_import import FileRefused, RowError, group_errors, row_ranges
from supervision.hr.import_rules import (
    COLUMNS,
    Directory,
    ExistingStaff,
    ImportActor,
    TeamRef,
    decode,
    plan_import,
)
from supervision.org.models import CareerStage, ContractType, LeavingDestination, Role

HEADER = (
    "employee_number,email,given_name,family_name,career_stage,registered_social_worker,"
    "contract_type,fte,start_date"
)
TEAMS = (
    TeamRef(11, "North", "Assessment"),
    TeamRef(12, "South", "Assessment"),
    TeamRef(21, "Duty", "Care"),
    TeamRef(22, "North", "Care"),
)


def existing(staff_id, number, email, **values):
    base = {
        "employee_number": number,
        "email": email,
        "given_name": "Ada",
        "family_name": "Lovelace",
        "job_title": "",
        "career_stage": CareerStage.SOCIAL_WORKER,
        "registered_social_worker": True,
        "contract_type": ContractType.PERMANENT,
        "fte": Decimal("1.00"),
        "caseload": None,
        "start_date": date(2020, 1, 6),
        "end_date": None,
        "leaving_reason": None,
        "leaving_destination": None,
        "team_id": None,
        "line_manager_id": None,
        "swe_registration_number": None,
        "swe_renewal_date": None,
        "dbs_check_date": None,
    }
    base.update(values)
    return ExistingStaff(staff_id, base)


def directory(*people, elsewhere=(), other_emails=None, unnumbered=()):
    staff = {person.values["employee_number"].casefold(): person for person in people}
    owners = {person.values["email"]: person.id for person in (*people, *unnumbered)}
    owners.update(other_emails or {})
    return Directory(
        staff=staff,
        line_managers={p.id: p.values["line_manager_id"] for p in (*people, *unnumbered)},
        employee_numbers_elsewhere=frozenset(number.casefold() for number in elsewhere),
        email_owners=owners,
        teams=TEAMS,
        unnumbered_by_email={p.values["email"]: p for p in unnumbered},
        employee_number_of={p.id: p.values["employee_number"] for p in people},
    )


def row(number="E1", email="ada@example.test", given="Ada", family="Lovelace", stage="social_worker",
        registered="yes", contract="permanent", fte="1", start="2020-01-06"):  # fmt: skip
    return ",".join([number, email, given, family, stage, registered, contract, fte, start])


def csv_text(*rows, header=HEADER):
    return "\r\n".join([header, *rows]) + "\r\n"


def errors_of(text, directory_=None):
    plan = plan_import(text, directory_ or directory())
    return [(error.row, error.column, error.message) for error in plan.errors]


def refusal(text):
    with pytest.raises(FileRefused) as caught:
        plan_import(text, directory())
    return caught.value.messages


# Encoding -------------------------------------------------------------------------------------


def test_utf8_with_or_without_a_byte_order_mark_is_read():
    text = csv_text(row(given="Zoë"))
    assert decode(text.encode("utf-8")) == text
    assert decode(b"\xef\xbb\xbf" + text.encode("utf-8")) == text


def test_another_encoding_is_refused_naming_the_line():
    data = csv_text(row(), row(number="E2", email="b@example.test", given="Zoë")).encode("latin-1")
    with pytest.raises(FileRefused) as caught:
        decode(data)
    assert caught.value.messages == [
        "The file is not UTF-8 text: the first character that is not is on line 3. "
        "Save it as ‘CSV UTF-8 (Comma delimited)’ and upload it again."
    ]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "The file is empty."),
        (b"  \r\n", "The file is empty."),
        ("employee_number".encode("utf-16"), "The file is saved as UTF-16"),
        (b"PK\x03\x04\x14\x00", "The file is an Excel workbook, not a CSV file."),
        (b"employee_number\x00,email", "The file is not a text CSV file."),
    ],
)
def test_files_that_are_not_utf8_csv_are_refused_with_the_reason(data, message):
    with pytest.raises(FileRefused) as caught:
        decode(data)
    assert caught.value.messages[0].startswith(message)


# Delimiters and headers -----------------------------------------------------------------------


@pytest.mark.parametrize(("delimiter", "described"), [(";", "semicolons (;)"), ("\t", "tabs")])
def test_a_file_separated_by_something_other_than_commas_is_refused(delimiter, described):
    text = csv_text(row().replace(",", delimiter), header=HEADER.replace(",", delimiter))
    assert refusal(text) == [
        f"The columns are separated by {described}, not commas. Save the file as "
        "‘CSV UTF-8 (Comma delimited)’ and upload it again."
    ]


def test_missing_unknown_and_repeated_headers_are_all_named():
    header = HEADER.replace("contract_type,", "").replace("fte,", "") + ",favourite_colour,email, "
    messages = refusal(csv_text(header=header))
    assert messages[0] == (
        "The header row is missing the columns contract_type, fte. "
        "The first row must name the columns, as in docs/import.md."
    )
    assert messages[1].startswith(
        "The header row has columns this import does not know: favourite_colour, (blank)."
    )
    assert messages[2] == "The header row names a column more than once: email."


def test_headers_are_matched_whatever_their_case_and_spacing():
    header = HEADER.replace("employee_number", " Employee Number ").replace("given_name", "given-name")
    plan = plan_import(csv_text(row(), header=header), directory())
    assert plan.ok and len(plan.creates) == 1


def test_a_header_only_file_plans_nothing():
    plan = plan_import(csv_text(), directory())
    assert (plan.ok, plan.rows, plan.changed) == (True, 0, False)


def test_an_unclosed_quote_is_refused_with_advice_on_quoting():
    text = csv_text(row(), 'E2,b@example.test,"Bob,Smith,social_worker,yes,permanent,1,2020-01-06')
    assert refusal(text)[0].startswith("Row 3 could not be read: a quotation mark")


def test_a_row_with_too_many_or_too_few_values_is_an_error_for_the_whole_row():
    text = csv_text(row(), row(number="E2", email="b@x.test", given="Smith, Bob"), "E3,c@x.test")
    assert errors_of(text) == [
        (3, "(whole row)", "The row has 10 values but the header has 9 columns. "
         "A value with a comma in it must be inside double quotes."),
        (4, "(whole row)", "The row has 2 values but the header has 9 columns. "
         "A value with a comma in it must be inside double quotes."),
    ]  # fmt: skip


def test_quoted_values_may_hold_commas_and_blank_lines_are_skipped():
    text = csv_text(row(family='"Lovelace, Countess"'), ",,,,,,,,", "")
    plan = plan_import(text, directory())
    assert plan.ok
    assert plan.creates[0].values["family_name"] == "Lovelace, Countess"


# Values ---------------------------------------------------------------------------------------


def test_every_required_value_missing_is_listed():
    text = csv_text(row(number=" "), "E9, ,,,,,,,")
    assert errors_of(text) == [
        (2, "employee_number", "Enter the employee number"),
        (3, "email", "Enter the email address"),
        (3, "given_name", "Enter the given name"),
        (3, "family_name", "Enter the family name"),
        (3, "career_stage", "Enter the career stage"),
        (3, "registered_social_worker", "Enter yes or no for registered social worker"),
        (3, "contract_type", "Enter the contract type"),
        (3, "fte", "Enter the FTE, like 1 for full time or 0.6 for 3 days a week"),
        (3, "start_date", "Enter the start date"),
    ]


def test_a_row_of_blank_values_is_skipped_as_spreadsheets_leave_them():
    assert plan_import(csv_text(row(), ",,, ,,,,,"), directory()).rows == 1


@pytest.mark.parametrize(
    ("overrides", "column", "message"),
    [
        ({"email": "not-an-email"}, "email",
         "Enter an email address in the correct format, like name@example.com"),
        ({"given": "x" * 101}, "given_name", "Given name must be 100 characters or fewer"),
        ({"number": "E" * 51}, "employee_number", "Employee number must be 50 characters or fewer"),
        ({"stage": "wizard"}, "career_stage",
         "Career stage must be one of: asye, social_worker, senior_practitioner, manager, other"),
        ({"registered": "maybe"}, "registered_social_worker", "Registered social worker must be yes or no"),
        ({"contract": "zero hours"}, "contract_type",
         "Contract type must be one of: permanent, fixed_term, agency"),
        ({"fte": "full"}, "fte", "FTE must be a number, like 0.6"),
        ({"fte": "1.5"}, "fte", "FTE must be 1 or less (1 is full time)"),
        ({"fte": "0"}, "fte", "FTE must be more than 0"),
        ({"fte": "0.333"}, "fte", "FTE must have no more than 2 decimal places, like 0.75"),
        ({"start": "06/01/2020"}, "start_date", "Enter the start date as year-month-day, like 2024-09-02"),
        ({"start": "2020-02-30"}, "start_date", "The start date must be a real date"),
    ],
)  # fmt: skip
def test_each_bad_value_is_named_by_row_and_column(overrides, column, message):
    second = row(**{"number": "E2", "email": "b@example.test", **overrides})
    assert errors_of(csv_text(row(), second)) == [(3, column, message)]


OPTIONAL_HEADER = (
    HEADER + ",caseload,end_date,leaving_reason,leaving_destination,swe_registration_number,dbs_check_date"
)


@pytest.mark.parametrize(
    ("optional", "column", "message"),
    [
        ("twelve,,,,,", "caseload", "Caseload must be a whole number, like 12"),
        ("-1,,,,,", "caseload", "Caseload must be 0 or more"),
        ("1001,,,,,", "caseload", "Caseload must be 1,000 or fewer"),
        (",2019-12-31,,,,", "end_date", "End date must be the same as or after the start date"),
        (",,Moved away,,,", "leaving_reason", "Enter an end date, or leave the leaving reason blank"),
        (",,,retired,,", "leaving_destination",
         "Enter an end date, or choose ‘Not left’ as the leaving destination"),
        (",2026-01-01,,emigrated,,", "leaving_destination",
         "Leaving destination must be one of: "
         "other_local_authority, agency, left_social_work, retired, other"),
        (",,,,12345,", "swe_registration_number",
         "Enter a Social Work England registration number in the correct format, like SW12345"),
        (",,,,,2024-13-01", "dbs_check_date", "The DBS check date must be a real date"),
    ],
)  # fmt: skip
def test_optional_values_are_checked_too(optional, column, message):
    text = csv_text(row() + "," + optional, header=OPTIONAL_HEADER)
    assert errors_of(text) == [(2, column, message)]


def test_every_error_in_every_row_is_listed_in_row_and_column_order():
    text = csv_text(
        row(fte="2", start="yesterday"),
        row(number="E2", email="b@example.test"),
        row(number="E3", email="nope", registered="perhaps"),
    )
    assert errors_of(text) == [
        (2, "fte", "FTE must be 1 or less (1 is full time)"),
        (2, "start_date", "Enter the start date as year-month-day, like 2024-09-02"),
        (4, "email", "Enter an email address in the correct format, like name@example.com"),
        (4, "registered_social_worker", "Registered social worker must be yes or no"),
    ]


def test_choices_may_be_written_as_their_labels_in_any_case():
    plan = plan_import(
        csv_text(row(stage="Senior or advanced practitioner", contract="Fixed term", registered="No")),
        directory(),
    )
    values = plan.creates[0].values
    assert values["career_stage"] is CareerStage.SENIOR_PRACTITIONER
    assert values["contract_type"] is ContractType.FIXED_TERM
    assert values["registered_social_worker"] is False


# Keys and uniqueness ---------------------------------------------------------------------------


def test_an_employee_number_twice_in_the_file_is_refused_on_the_later_row():
    text = csv_text(row(), row(number="e1", email="b@example.test"))
    assert errors_of(text) == [(3, "employee_number", "Employee number e1 is also on row 2")]


def test_an_employee_number_from_another_organisation_is_refused():
    assert errors_of(csv_text(row(number="X9")), directory(elsewhere=["x9"])) == [
        (2, "employee_number", "Employee number X9 belongs to someone in another organisation")
    ]


def test_an_email_twice_in_the_file_or_belonging_to_someone_else_is_refused():
    people = directory(existing(1, "E7", "taken@example.test"), other_emails={"other@example.test": 99})
    text = csv_text(
        row(),
        row(number="E2", email="ADA@example.test"),
        row(number="E3", email="taken@example.test"),
        row(number="E4", email="other@example.test"),
    )
    assert errors_of(text, people) == [
        (3, "email", "The email address ada@example.test is also on row 2"),
        (4, "email", "The email address taken@example.test belongs to another member of staff"),
        (5, "email", "The email address other@example.test belongs to another member of staff"),
    ]


def test_an_email_freed_by_another_row_of_the_same_file_may_be_taken():
    people = directory(existing(1, "E1", "old@example.test"), existing(2, "E2", "b@example.test"))
    text = csv_text(row(email="new@example.test"), row(number="E2", email="old@example.test"))
    plan = plan_import(text, people)
    assert plan.ok
    assert [p.changes for p in plan.updates] == [("email",), ("email",)]


# Teams ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("team", "team_id"),
    [("11", 11), ("Assessment/South", 12), ("assessment / south", 12), ("Duty", 21), ("", None)],
)
def test_a_team_is_found_by_id_by_service_and_name_or_by_a_name_only_one_service_uses(team, team_id):
    plan = plan_import(csv_text(row() + f",{team}", header=HEADER + ",team"), directory())
    assert plan.creates[0].values["team_id"] == team_id


@pytest.mark.parametrize(
    ("team", "message"),
    [
        ("99", "There is no team with the id 99"),
        ("Fostering/North", "There is no service called Fostering"),
        ("Care/South", "The service Care has no team called South"),
        ("East", "There is no team called East"),
        (
            "North",
            "More than one service has a team called North: write the service too, like Assessment/North",
        ),
    ],
)
def test_a_team_that_cannot_be_found_is_explained(team, message):
    assert errors_of(csv_text(row() + f",{team}", header=HEADER + ",team")) == [(2, "team", message)]


# Line managers --------------------------------------------------------------------------------

MANAGER_HEADER = HEADER + ",line_manager_employee_number"


def test_a_line_manager_may_be_a_later_row_of_the_same_file():
    text = csv_text(row() + ",M1", row(number="M1", email="m@example.test") + ",", header=MANAGER_HEADER)
    plan = plan_import(text, directory())
    assert plan.ok
    assert (plan.creates[0].line_manager_id, plan.creates[0].line_manager_row) == (None, "m1")
    assert plan.creates[1].line_manager_row is None


def test_a_line_manager_already_in_the_service_is_resolved_to_their_id():
    plan = plan_import(
        csv_text(row() + ",e7", header=MANAGER_HEADER), directory(existing(7, "E7", "m@x.test"))
    )
    assert (plan.creates[0].line_manager_id, plan.creates[0].line_manager_row) == (7, None)


def test_unknown_and_own_line_managers_are_refused():
    text = csv_text(row() + ",NOBODY", row(number="E2", email="b@x.test") + ",e2", header=MANAGER_HEADER)
    assert errors_of(text) == [
        (2, "line_manager_employee_number",
         "Nobody has the employee number NOBODY, in this file or already in the service"),
        (3, "line_manager_employee_number", "A person cannot be their own line manager"),
    ]  # fmt: skip


def test_a_loop_of_line_managers_within_the_file_is_refused_on_every_row_in_it():
    text = csv_text(
        row(number="A") + ",B",
        row(number="B", email="b@x.test") + ",C",
        row(number="C", email="c@x.test") + ",A",
        row(number="D", email="d@x.test") + ",A",
        header=MANAGER_HEADER,
    )
    loop = "Line managers would go round in a loop: A → B → C → A"
    assert errors_of(text) == [
        (2, "line_manager_employee_number", loop),
        (3, "line_manager_employee_number", loop),
        (4, "line_manager_employee_number", loop),
    ]


def test_a_loop_through_people_already_in_the_service_is_refused():
    # E1 manages E2 today; the file makes E2 manage E1.
    people = directory(existing(1, "E1", "a@x.test"), existing(2, "E2", "b@x.test", line_manager_id=1))
    text = csv_text(row(number="E1", email="a@x.test") + ",E2", header=MANAGER_HEADER)
    assert errors_of(text, people) == [
        (2, "line_manager_employee_number", "Line managers would go round in a loop: E1 → E2 → E1")
    ]


def test_a_file_that_moves_a_manager_out_of_the_way_has_no_loop():
    people = directory(existing(1, "E1", "a@x.test"), existing(2, "E2", "b@x.test", line_manager_id=1))
    text = csv_text(
        row(number="E1", email="a@x.test") + ",E2",
        row(number="E2", email="b@x.test") + ",",
        header=MANAGER_HEADER,
    )
    assert plan_import(text, people).ok


# The plan -------------------------------------------------------------------------------------

FULL_HEADER = ",".join(COLUMNS)


def full_row(**values):
    defaults = {
        "employee_number": "E1",
        "email": "ada@example.test",
        "given_name": "Ada",
        "family_name": "Lovelace",
        "career_stage": "social_worker",
        "registered_social_worker": "yes",
        "contract_type": "permanent",
        "fte": "1",
        "start_date": "2020-01-06",
    }
    defaults.update(values)
    return ",".join(defaults.get(column, "") for column in COLUMNS)


def test_unchanged_people_are_left_alone_and_changes_are_listed_by_column():
    people = directory(
        existing(1, "E1", "ada@example.test"), existing(2, "E2", "bo@example.test", given_name="Bo")
    )
    text = csv_text(
        full_row(email="ADA@example.test", fte="1.0"),
        full_row(employee_number="e2", email="bo@example.test", given_name="Bo", fte="0.5", team="Duty"),
        header=FULL_HEADER,
    )
    plan = plan_import(text, people)
    assert plan.unchanged == 1
    assert [(p.existing_id, p.changes) for p in plan.updates] == [(2, ("employee_number", "fte", "team"))]


def test_an_existing_person_given_an_end_date_is_a_leaver():
    people = directory(existing(1, "E1", "ada@example.test"))
    text = csv_text(
        full_row(
            end_date="2026-08-31", leaving_reason="Promotion", leaving_destination="other_local_authority"
        ),
        header=FULL_HEADER,
    )
    plan = plan_import(text, people)
    assert (len(plan.leavers), len(plan.updates)) == (1, 0)
    assert plan.leavers[0].changes == ("end_date", "leaving_reason", "leaving_destination")
    assert plan.leavers[0].values["leaving_destination"] is LeavingDestination.OTHER_LOCAL_AUTHORITY


def test_a_column_left_out_keeps_its_value_but_a_blank_value_clears_it():
    person = existing(1, "E1", "ada@example.test", job_title="Senior practitioner", caseload=14, team_id=11)
    assert plan_import(csv_text(row()), directory(person)).unchanged == 1
    plan = plan_import(csv_text(row() + ",", header=HEADER + ",caseload"), directory(person))
    assert plan.updates[0].changes == ("caseload",)
    assert plan.updates[0].values["caseload"] is None
    assert plan.updates[0].values["team_id"] == 11


def test_an_end_date_kept_from_before_is_checked_against_a_new_start_date():
    person = existing(1, "E1", "ada@example.test", end_date=date(2021, 1, 1))
    assert errors_of(csv_text(row(start="2022-01-01")), directory(person)) == [
        (
            2,
            "(whole row)",
            "End date must be the same as or after the start date (the end_date column is not in the file)",
        )
    ]


def test_someone_without_an_employee_number_is_matched_by_email_and_given_theirs():
    person = ExistingStaff(5, {**existing(5, "", "ada@example.test").values, "employee_number": None})
    plan = plan_import(csv_text(row()), directory(unnumbered=[person]))
    assert plan.ok
    assert (plan.updates[0].existing_id, plan.updates[0].changes) == (5, ("employee_number",))


def test_a_new_person_gets_defaults_for_the_columns_left_out():
    plan = plan_import(csv_text(row(email=" Ada@Example.TEST ")), directory())
    values = plan.creates[0].values
    assert values["email"] == "ada@example.test"
    assert (values["job_title"], values["caseload"], values["team_id"], values["end_date"]) == (
        "",
        None,
        None,
        None,
    )
    assert plan.creates[0].existing_id is None


def test_the_plan_fingerprint_changes_when_the_plan_does():
    text = csv_text(row())
    assert plan_import(text, directory()).fingerprint() == plan_import(text, directory()).fingerprint()
    unchanged = plan_import(text, directory(existing(1, "E1", "ada@example.test")))
    assert unchanged.fingerprint() != plan_import(text, directory()).fingerprint()


# Reporting many errors ------------------------------------------------------------------------


def test_row_ranges_name_every_row():
    assert row_ranges([7, 2, 3, 4, 9, 10]) == "2 to 4, 7, 9 to 10"


def test_the_same_problem_on_many_rows_is_grouped():
    errors = [RowError(row, "fte", "FTE must be a number, like 0.6") for row in range(2, 600)]
    errors.append(RowError(3, "email", "Enter the email address"))
    groups = group_errors(errors)
    assert [(g.column, g.rows_text) for g in groups] == [("fte", "2 to 599"), ("email", "3")]


# Separation of duties (docs/roles.md) ---------------------------------------------------------

MANAGED_HEADER = HEADER + ",team,line_manager_employee_number"


def duty_directory():
    """Importer 1 (HR1); a manager 2 (TM1) managing worker 3 (SW1) in Assessment/North (team 11,
    managed by 2); administrator 4 (AD1); team 12 managed by the importer."""
    people = (
        existing(1, "HR1", "hr@example.test"),
        existing(2, "TM1", "tm@example.test"),
        existing(3, "SW1", "sw@example.test", team_id=11, line_manager_id=2),
        existing(4, "AD1", "ad@example.test"),
    )
    base = directory(*people)
    return Directory(
        **{
            **vars(base),
            "team_heads": {11: (2, None), 12: (1, None)},
            "roles_of": {1: frozenset({Role.HR}), 4: frozenset({Role.ADMIN})},
        }
    )


def duty_errors(*rows, actor=None):
    plan = plan_import(
        csv_text(*rows, header=MANAGED_HEADER),
        duty_directory(),
        actor if actor is not None else ImportActor(1, frozenset({Role.HR})),
    )
    return [(error.row, error.column, error.message[:40]) for error in plan.errors]


def test_the_importer_cannot_become_a_line_manager_directly_or_further_up():
    assert duty_errors(row(number="SW1", email="sw@example.test") + ",Assessment/North,HR1") == [
        (2, "line_manager_employee_number", "You cannot make yourself this person’s l")
    ]
    assert duty_errors(row(number="TM1", email="tm@example.test") + ",,HR1") == [
        (2, "line_manager_employee_number", "You cannot make yourself this person’s l")
    ]
    # A new person in the file, under someone the file puts under the importer: both refused.
    errors = duty_errors(
        row(number="NEW1", email="new1@example.test") + ",,NEW2",
        row(number="NEW2", email="new2@example.test") + ",,HR1",
    )
    assert [(r, c) for r, c, _ in errors] == [
        (2, "line_manager_employee_number"),
        (3, "line_manager_employee_number"),
    ]


def test_the_importer_cannot_move_someone_into_a_team_they_manage():
    assert duty_errors(row(number="SW1", email="sw@example.test") + ",Assessment/South,TM1") == [
        (2, "team", "You cannot move this person into a team ")
    ]


def test_a_change_that_gives_the_importer_nobody_new_is_accepted():
    assert duty_errors(row(number="SW1", email="sw@example.test") + ",Assessment/North,AD1") == []
    # On the command line there is nobody to hold to the rule.
    plan = plan_import(
        csv_text(row(number="SW1", email="sw@example.test") + ",Assessment/South,HR1", header=MANAGED_HEADER),
        duty_directory(),
    )
    assert plan.ok


def test_email_addresses_of_administrators_and_hr_change_only_by_an_administrator():
    assert duty_errors(row(number="AD1", email="evil@example.test") + ",,") == [
        (2, "email", "Only another administrator can change an")
    ]
    assert duty_errors(row(number="HR1", email="me@example.test") + ",,") == [
        (2, "email", "You cannot change your own email address")
    ]
    assert duty_errors(row(number="SW1", email="sw.new@example.test") + ",Assessment/North,TM1") == []
    admin = ImportActor(4, frozenset({Role.ADMIN}))
    assert duty_errors(row(number="HR1", email="hr.new@example.test") + ",,", actor=admin) == []
