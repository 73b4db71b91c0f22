"""The organisation rules on their own: no database, no request, no clock."""

from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest

from supervision.org.models import CareerStage, ContractType, LeavingDestination, Role
from supervision.org.rules import (
    StaffDetails,
    caseload_problem,
    deactivation_problem,
    email_problem,
    end_date_problem,
    establishment_fte_problem,
    fte_problem,
    leaving_problems,
    line_manager_problem,
    name_problem,
    normalised,
    own_roles_problem,
    parse_decimal,
    parse_whole_number,
    staff_details_problems,
    swe_number_problem,
)

DETAILS = StaffDetails(
    given_name="Amara",
    family_name="Osei",
    email="amara.osei@example.test",
    employee_number="E1",
    job_title="Social worker",
    career_stage=CareerStage.SOCIAL_WORKER,
    registered_social_worker=True,
    swe_registration_number="SW12345",
    swe_renewal_date=None,
    dbs_check_date=None,
    contract_type=ContractType.PERMANENT,
    fte=Decimal("1"),
    caseload=12,
    start_date=date(2020, 1, 6),
    end_date=None,
    leaving_reason=None,
    leaving_destination=None,
    team_id=None,
    line_manager_id=None,
)


def test_good_details_have_no_problems():
    assert staff_details_problems(DETAILS) == {}


@pytest.mark.parametrize(
    ("fte", "message"),
    [
        ("0", "FTE must be more than 0"),
        ("-0.5", "FTE must be more than 0"),
        ("1.01", "FTE must be 1 or less (1 is full time)"),
        ("0.555", "FTE must have no more than 2 decimal places, like 0.75"),
    ],
)
def test_fte_outside_0_to_1_is_refused(fte, message):
    assert fte_problem(Decimal(fte)) == message


@pytest.mark.parametrize("fte", ["0.01", "0.6", "1", "1.00"])
def test_fte_from_just_above_0_to_1_is_accepted(fte):
    assert fte_problem(Decimal(fte)) is None


@pytest.mark.parametrize("text", ["abc", "NaN", "Infinity", "1e3", "", "1,5", "0.5.1"])
def test_only_plain_decimal_numbers_parse(text):
    assert parse_decimal(text) is None


def test_a_plain_decimal_parses_exactly():
    assert parse_decimal(" 0.75 ") == Decimal("0.75")
    assert parse_decimal(".5") == Decimal("0.5")


def test_whole_numbers_parse_and_others_do_not():
    assert parse_whole_number("12") == 12
    assert parse_whole_number("-3") == -3
    assert parse_whole_number("1.5") is None
    assert parse_whole_number("twelve") is None
    assert parse_whole_number("9" * 12) is None


def test_establishment_may_be_zero_but_not_negative_or_in_thousandths():
    assert establishment_fte_problem(Decimal("0")) is None
    assert establishment_fte_problem(Decimal("6.5")) is None
    assert establishment_fte_problem(Decimal("-1")) == "Establishment must be 0 or more"
    assert establishment_fte_problem(Decimal("1.125")) == (
        "Establishment must have no more than 2 decimal places, like 6.5"
    )
    assert establishment_fte_problem(Decimal("100000")) == "Establishment must be less than 100,000 FTE"


def test_caseload_is_optional_and_from_0_to_1000():
    assert caseload_problem(None) is None
    assert caseload_problem(0) is None
    assert caseload_problem(-1) == "Caseload must be 0 or more"
    assert caseload_problem(1001) == "Caseload must be 1,000 or fewer"


def test_end_date_before_start_date_is_refused_and_the_same_day_is_not():
    assert end_date_problem(date(2024, 5, 1), date(2024, 4, 30)) == (
        "End date must be the same as or after the start date"
    )
    assert end_date_problem(date(2024, 5, 1), date(2024, 5, 1)) is None
    assert end_date_problem(date(2024, 5, 1), None) is None


def test_leaving_reason_and_destination_need_an_end_date():
    assert leaving_problems(None, "Moved away", LeavingDestination.RETIRED) == {
        "leaving_reason": "Enter an end date, or leave the leaving reason blank",
        "leaving_destination": "Enter an end date, or choose ‘Not left’ as the leaving destination",
    }
    assert leaving_problems(date(2025, 1, 1), "Moved away", LeavingDestination.RETIRED) == {}


def test_a_person_cannot_be_their_own_line_manager():
    assert line_manager_problem(7, 7, {}) == "A person cannot be their own line manager"


def test_a_three_person_loop_is_refused():
    # 1 is managed by 3, 3 by 2; making 2 report to 1 would close the loop 1 -> 2 -> 3 -> 1.
    managers = {1: 3, 3: 2, 2: None}
    message = line_manager_problem(2, 1, managers)
    assert message is not None
    assert message.startswith("Choose a different line manager")


def test_a_manager_outside_the_persons_own_chain_is_accepted():
    managers = {1: 3, 3: None, 4: 3}
    assert line_manager_problem(4, 1, managers) is None
    assert line_manager_problem(None, 1, managers) is None
    assert line_manager_problem(4, None, managers) is None


def test_a_loop_already_in_the_data_does_not_hang_the_check():
    assert line_manager_problem(9, 1, {1: 2, 2: 1}) is None


@pytest.mark.parametrize("email", ["name", "name@", "@example.test", "a b@example.test", "name@example"])
def test_malformed_email_addresses_are_refused(email):
    assert email_problem(email) == "Enter an email address in the correct format, like name@example.com"


def test_registration_numbers_look_like_social_work_england_ones():
    assert swe_number_problem("SW12345") is None
    assert swe_number_problem(None) is None
    assert swe_number_problem("12345").startswith("Enter a Social Work England registration number")


def test_normalising_trims_text_lowers_the_email_and_raises_the_registration_number():
    messy = replace(
        DETAILS,
        given_name="  Amara ",
        email=" Amara.Osei@Example.TEST ",
        employee_number="  ",
        swe_registration_number=" sw123 ",
        leaving_reason=" ",
    )
    clean = normalised(messy)
    assert clean.given_name == "Amara"
    assert clean.email == "amara.osei@example.test"
    assert clean.employee_number is None
    assert clean.swe_registration_number == "SW123"
    assert clean.leaving_reason is None


def test_whitespace_only_names_count_as_blank():
    problems = staff_details_problems(replace(DETAILS, given_name="   ", family_name="\t"))
    assert problems == {"given_name": "Enter the given name", "family_name": "Enter the family name"}


def test_text_longer_than_its_column_is_refused():
    problems = staff_details_problems(replace(DETAILS, family_name="x" * 101, job_title="y" * 201))
    assert problems == {
        "family_name": "Family name must be 100 characters or fewer",
        "job_title": "Job title must be 200 characters or fewer",
    }


def test_service_and_team_names_must_be_present_and_short_enough():
    assert name_problem("  ", "service") == "Enter the service name"
    assert name_problem("x" * 201, "team") == "The team name must be 200 characters or fewer"
    assert name_problem("Early Help", "service") is None


def test_nobody_deactivates_themselves():
    assert deactivation_problem(1, 1).startswith("You cannot deactivate your own account")
    assert deactivation_problem(1, 2) is None


def test_an_administrator_cannot_change_their_own_roles():
    assert own_roles_problem(1, 1, {Role.ADMIN}, {Role.HR}).startswith("You cannot change your own roles")
    assert own_roles_problem(1, 2, {Role.ADMIN}, {Role.HR}) is None
    assert own_roles_problem(1, 1, {Role.ADMIN}, {Role.ADMIN, Role.HR}).startswith("You cannot change")
    assert own_roles_problem(1, 1, {Role.ADMIN}, {Role.ADMIN}) is None


def test_email_changes_follow_the_separation_of_duties():
    from supervision.org.rules import email_change_problem

    assert email_change_problem(1, {Role.ADMIN}, 1, {Role.ADMIN}).startswith("You cannot change your own")
    assert email_change_problem(1, {Role.HR}, 1, {Role.HR}).startswith("You cannot change your own")
    assert email_change_problem(2, {Role.HR}, 1, {Role.ADMIN}).startswith("Only another administrator")
    assert email_change_problem(2, {Role.HR}, 1, {Role.HR}).startswith("Only an administrator")
    assert email_change_problem(2, {Role.ADMIN}, 1, {Role.ADMIN}) is None
    assert email_change_problem(2, {Role.HR}, 1, {Role.SOCIAL_WORKER}) is None


def test_only_administrators_change_roles():
    from supervision.org.rules import roles_change_problem

    assert roles_change_problem({Role.HR}) == "Only an administrator can change a person’s roles"
    assert roles_change_problem({Role.ADMIN, Role.SUPERVISOR}) is None
