"""Adding and editing staff: every rule refuses with its message and writes nothing."""

from datetime import date
from decimal import Decimal

import pytest
import sqlalchemy as sa

from supervision.extensions import db
from supervision.org.models import CareerStage, ContractType, LeavingDestination, Role, Staff
from tests.factories import make_staff, make_team
from tests.org.conftest import (
    date_parts,
    error_links,
    error_messages,
    other_organisation_service,
    row_counts,
    staff_form,
)


def find(email: str) -> Staff | None:
    db.session.expire_all()
    return db.session.scalar(sa.select(Staff).where(Staff.email == email))


def test_an_admin_adds_a_person_with_every_employment_field_and_two_roles(pages, admin, clock):
    team = make_team("Family Support")
    manager = make_staff(Role.SUPERVISOR)
    data = staff_form(
        email="  Amara.Osei@Example.TEST ",
        team_id=str(team.id),
        line_manager_id=str(manager.id),
        swe_registration_number="sw12345",
        roles=["social_worker", "supervisor"],
    )
    response = pages.post("org.create_staff", data=data)
    person = find("amara.osei@example.test")
    assert response.headers["Location"] == f"/staff/{person.id}"
    assert (person.given_name, person.family_name, person.employee_number, person.job_title) == (
        "Amara",
        "Osei",
        "E90001",
        "Senior social worker",
    )
    assert person.career_stage is CareerStage.SENIOR_PRACTITIONER
    assert person.registered_social_worker is True
    assert person.swe_registration_number == "SW12345"
    assert (person.swe_renewal_date, person.dbs_check_date) == (date(2027, 11, 30), date(2025, 3, 4))
    assert person.contract_type is ContractType.PERMANENT
    assert (person.fte, person.caseload) == (Decimal("0.8"), 14)
    assert (person.start_date, person.end_date) == (date(2020, 1, 6), None)
    assert (person.team_id, person.line_manager_id) == (team.id, manager.id)
    assert person.roles == {Role.SOCIAL_WORKER, Role.SUPERVISOR}
    assert person.organisation_id == admin.organisation_id
    assert person.created_at == person.updated_at == clock.now()
    assert person.password_hash is None
    assert person.active is True


def test_the_form_says_passwords_are_not_set_here(pages, admin):
    text = pages.get("org.create_staff").get_text(" ", strip=True)
    assert "Passwords are not set on this page" in text


def test_the_detail_page_shows_what_was_entered(pages, admin):
    team = make_team("Family Support")
    pages.post("org.create_staff", data=staff_form(team_id=str(team.id), roles=["social_worker", "hr"]))
    person = find("amara.osei@example.test")
    text = pages.get("org.staff_detail", staff_id=person.id).get_text(" ", strip=True)
    for expected in (
        "Amara Osei",
        "amara.osei@example.test",
        "E90001",
        "HR, Social worker",
        "Senior or advanced practitioner",
        f"{team.service.name}: Family Support",
        "0.8",
        "6 January 2020",
        "SW12345",
        "30 November 2027",
        "4 March 2025",
    ):
        assert expected in text


def test_a_person_can_have_no_roles_yet(pages, admin):
    pages.post("org.create_staff", data=staff_form())
    assert find("amara.osei@example.test").roles == frozenset()


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"given_name": "   "}, "given_name", "Enter the given name"),
        ({"family_name": "\t "}, "family_name", "Enter the family name"),
        ({"email": "  "}, "email", "Enter the email address"),
        (
            {"email": "not-an-email"},
            "email",
            "Enter an email address in the correct format, like name@example.com",
        ),
        ({"fte": "0"}, "fte", "FTE must be more than 0"),
        ({"fte": "1.01"}, "fte", "FTE must be 1 or less (1 is full time)"),
        ({"fte": "abc"}, "fte", "FTE must be a number, like 0.6"),
        ({"fte": ""}, "fte", "Enter the FTE, like 1 for full time or 0.6 for 3 days a week"),
        ({"caseload": "lots"}, "caseload", "Caseload must be a whole number, like 12"),
        ({"caseload": "-2"}, "caseload", "Caseload must be 0 or more"),
        ({"career_stage": ""}, "career_stage", "Choose a career stage"),
        ({"career_stage": "wizard"}, "career_stage", "Choose a career stage"),
        ({"contract_type": ""}, "contract_type", "Choose a contract type"),
        ({"start_date": date_parts()}, "start_date", "Enter the start date"),
        ({"start_date": date_parts("6", "", "2020")}, "start_date", "Start date must include a month"),
        ({"start_date": date_parts("31", "2", "2020")}, "start_date", "Start date must be a real date"),
        (
            {"start_date": date_parts("6", "1", "20")},
            "start_date",
            "Start date must include a year with 4 numbers, like 2026",
        ),
        (
            {"end_date": date_parts("5", "1", "2020")},
            "end_date",
            "End date must be the same as or after the start date",
        ),
        (
            {"leaving_destination": "retired"},
            "leaving_destination",
            "Enter an end date, or choose ‘Not left’ as the leaving destination",
        ),
        (
            {"leaving_reason": "Moved away"},
            "leaving_reason",
            "Enter an end date, or leave the leaving reason blank",
        ),
        (
            {"leaving_destination": "the moon"},
            "leaving_destination",
            "Choose a leaving destination from the list",
        ),
        (
            {"swe_registration_number": "12345"},
            "swe_registration_number",
            "Enter a Social Work England registration number in the correct format, like SW12345",
        ),
        ({"team_id": "999999"}, "team_id", "Choose a team from the list"),
        ({"team_id": "abc"}, "team_id", "Choose an option from the list"),
        ({"line_manager_id": "999999"}, "line_manager_id", "Choose a member of staff from the list"),
        ({"roles": ["emperor"]}, "roles", "Choose roles from the list"),
        ({"given_name": "x" * 101}, "given_name", "Given name must be 100 characters or fewer"),
    ],
)
def test_each_rule_refuses_a_new_person_with_its_message_and_writes_nothing(
    pages, admin, fields, field, message
):
    before = row_counts()
    soup = pages.post("org.create_staff", data=staff_form(**fields), _expected_status=200)
    first_input = f"{field}-day" if field.endswith("_date") else field  # a date's day box
    assert error_links(soup) == {message: f"#{first_input}"}
    assert soup.select_one(f"#{first_input}") is not None, "the error summary links to a field on the page"
    assert row_counts() == before


def test_a_duplicate_email_in_a_different_case_is_refused(pages, admin):
    make_staff(email="amara.osei@example.test")
    before = row_counts()
    soup = pages.post(
        "org.create_staff", data=staff_form(email="AMARA.Osei@example.TEST"), _expected_status=200
    )
    assert error_messages(soup) == ["There is already a member of staff with this email address"]
    assert row_counts() == before


def test_a_duplicate_employee_number_is_refused_whatever_the_case(pages, admin):
    make_staff(employee_number="E90001")
    before = row_counts()
    soup = pages.post("org.create_staff", data=staff_form(employee_number="e90001"), _expected_status=200)
    assert error_messages(soup) == ["There is already a member of staff with this employee number"]
    assert row_counts() == before


def test_several_problems_are_listed_together(pages, admin):
    make_staff(email="amara.osei@example.test", employee_number="E90001")
    soup = pages.post(
        "org.create_staff",
        data=staff_form(fte="1.5", end_date=date_parts("1", "1", "2019")),
        _expected_status=200,
    )
    assert error_messages(soup) == [
        "There is already a member of staff with this email address",
        "There is already a member of staff with this employee number",
        "FTE must be 1 or less (1 is full time)",
        "End date must be the same as or after the start date",
    ]


def test_a_refused_form_keeps_what_was_typed(pages, admin):
    soup = pages.post(
        "org.create_staff",
        data=staff_form(fte="abc", start_date=date_parts("6", "", "2020")),
        _expected_status=200,
    )
    assert soup.select_one("#fte")["value"] == "abc"
    assert soup.select_one("#given_name")["value"] == "Amara"
    assert soup.select_one("#start_date-day")["value"] == "6"
    assert soup.select_one("#start_date-year")["value"] == "2020"


def test_a_leaver_is_recorded_with_end_date_reason_and_destination(pages, admin):
    pages.post(
        "org.create_staff",
        data=staff_form(
            end_date=date_parts("31", "8", "2026"),
            leaving_reason="Relocation",
            leaving_destination="other_local_authority",
        ),
    )
    person = find("amara.osei@example.test")
    assert (person.end_date, person.leaving_reason, person.leaving_destination) == (
        date(2026, 8, 31),
        "Relocation",
        LeavingDestination.OTHER_LOCAL_AUTHORITY,
    )


def edit_data(person: Staff, **overrides) -> dict:
    """The edit form as the browser would post it back unchanged, plus overrides."""
    current = {
        "given_name": person.given_name,
        "family_name": person.family_name,
        "email": person.email,
        "employee_number": person.employee_number or "",
        "career_stage": person.career_stage.value,
        "contract_type": person.contract_type.value,
        "fte": str(person.fte),
        "start_date": date_parts(
            str(person.start_date.day), str(person.start_date.month), str(person.start_date.year)
        ),
        "team_id": str(person.team_id or ""),
        "line_manager_id": str(person.line_manager_id or ""),
        "roles": [role.value for role in person.roles],
    }
    return staff_form(**{**current, **overrides})


def test_the_edit_form_shows_the_persons_current_details(pages, admin):
    team = make_team()
    person = make_staff(
        Role.SUPERVISOR, Role.SOCIAL_WORKER, team=team, fte="0.6", start_date=date(2019, 9, 2)
    )
    soup = pages.get("org.edit_staff", staff_id=person.id)
    assert soup.select_one("#email")["value"] == person.email
    assert soup.select_one("#fte")["value"] == "0.6"
    assert soup.select_one("#start_date-day")["value"] == "02"
    assert soup.select_one("#start_date-month")["value"] == "09"
    assert soup.select_one("#team_id option[selected]")["value"] == str(team.id)
    checked = {box["value"] for box in soup.select("input[name=roles][checked]")}
    assert checked == {"supervisor", "social_worker"}


def test_an_admin_edits_employment_details_and_roles(pages, admin, clock):
    person = make_staff(Role.SOCIAL_WORKER)
    team = make_team()
    clock.advance(days=1)
    pages.post(
        "org.edit_staff",
        staff_id=person.id,
        data=edit_data(
            person, job_title="Team manager", fte="0.5", team_id=str(team.id), roles=["supervisor", "hr"]
        ),
    )
    db.session.expire_all()
    assert (person.job_title, person.fte, person.team_id) == ("Team manager", Decimal("0.5"), team.id)
    assert person.roles == {Role.SUPERVISOR, Role.HR}
    assert person.updated_at == clock.now()


def test_an_edit_to_a_duplicate_email_is_refused_and_changes_nothing(pages, admin):
    make_staff(email="taken@example.test")
    person = make_staff(email="mine@example.test", job_title="Social worker")
    soup = pages.post(
        "org.edit_staff",
        staff_id=person.id,
        data=edit_data(person, email="Taken@Example.test", job_title="Changed"),
        _expected_status=200,
    )
    assert error_messages(soup) == ["There is already a member of staff with this email address"]
    db.session.expire_all()
    assert (person.email, person.job_title) == ("mine@example.test", "Social worker")


def test_keeping_your_own_email_and_employee_number_is_not_a_duplicate(pages, admin):
    person = make_staff(email="mine@example.test", employee_number="E777")
    pages.post("org.edit_staff", staff_id=person.id, data=edit_data(person, email="MINE@example.test"))
    assert find("mine@example.test").employee_number == "E777"


def test_a_person_cannot_be_their_own_line_manager(pages, admin):
    person = make_staff()
    soup = pages.post(
        "org.edit_staff",
        staff_id=person.id,
        data=edit_data(person, line_manager_id=str(person.id)),
        _expected_status=200,
    )
    assert error_links(soup) == {"A person cannot be their own line manager": "#line_manager_id"}
    db.session.expire_all()
    assert person.line_manager_id is None


def test_a_three_person_management_loop_is_refused(pages, admin):
    top = make_staff(Role.SERVICE_MANAGER)
    middle = make_staff(Role.SUPERVISOR, line_manager=top)
    worker = make_staff(Role.SOCIAL_WORKER, line_manager=middle)
    soup = pages.post(
        "org.edit_staff",
        staff_id=top.id,
        data=edit_data(top, line_manager_id=str(worker.id)),
        _expected_status=200,
    )
    [message] = error_messages(soup)
    assert message.startswith("Choose a different line manager: the person you chose reports to this person")
    db.session.expire_all()
    assert top.line_manager_id is None


def test_a_deactivated_manager_is_not_offered_but_an_existing_one_can_stay(pages, admin):
    gone = make_staff(given_name="Gone", family_name="Manager", active=False)
    person = make_staff(line_manager=gone)
    newcomer_form = pages.get("org.create_staff")
    assert f'value="{gone.id}"' not in str(newcomer_form.select_one("#line_manager_id"))
    pages.post(
        "org.edit_staff", staff_id=person.id, data=edit_data(person, job_title="Still managed by Gone")
    )
    db.session.expire_all()
    assert person.job_title == "Still managed by Gone"
    soup = pages.post("org.create_staff", data=staff_form(line_manager_id=str(gone.id)), _expected_status=200)
    assert error_messages(soup) == ["Choose a member of staff from the list"]


def test_a_team_or_manager_from_another_organisation_is_refused(pages, admin):
    foreign_team = make_team(service=other_organisation_service())
    stranger = make_staff()
    stranger.organisation = foreign_team.service.organisation
    db.session.commit()
    before = row_counts()
    soup = pages.post(
        "org.create_staff",
        data=staff_form(team_id=str(foreign_team.id), line_manager_id=str(stranger.id)),
        _expected_status=200,
    )
    assert error_messages(soup) == ["Choose a team from the list", "Choose a member of staff from the list"]
    assert row_counts() == before


def test_another_organisations_staff_are_not_found(pages, admin):
    stranger = make_staff(job_title="Theirs")
    stranger.organisation = other_organisation_service().organisation
    db.session.commit()
    pages.get("org.staff_detail", staff_id=stranger.id, _expected_status=404)
    pages.get("org.edit_staff", staff_id=stranger.id, _expected_status=404)
    pages.post(
        "org.edit_staff",
        staff_id=stranger.id,
        data=edit_data(stranger, job_title="Mine"),
        _expected_status=404,
    )
    pages.post("org.deactivate_staff", staff_id=stranger.id, _expected_status=404)
    db.session.expire_all()
    assert (stranger.job_title, stranger.active) == ("Theirs", True)


def test_an_admin_cannot_change_their_own_roles(pages, admin):
    soup = pages.post(
        "org.edit_staff",
        staff_id=admin.id,
        data=edit_data(admin, roles=["social_worker"]),
        _expected_status=200,
    )
    assert error_links(soup) == {
        "You cannot change your own roles. Ask another administrator to do it.": "#roles"
    }
    db.session.expire_all()
    assert admin.roles == {Role.ADMIN}


class TestHR:
    """HR keep employment data but cannot give anyone roles, themselves included."""

    def test_hr_do_not_see_the_roles_field(self, pages, hr):
        person = make_staff(Role.SUPERVISOR)
        assert pages.get("org.create_staff").select("input[name=roles]") == []
        edit = pages.get("org.edit_staff", staff_id=person.id)
        assert edit.select("input[name=roles]") == []
        assert "only an administrator can change them" in edit.get_text(" ", strip=True)

    def test_hr_add_a_person_and_posted_roles_are_ignored(self, pages, hr):
        pages.post("org.create_staff", data=staff_form(roles=["admin", "hr"]))
        person = find("amara.osei@example.test")
        assert person.job_title == "Senior social worker"
        assert person.roles == frozenset()

    def test_hr_edit_employment_data_but_posted_roles_are_ignored(self, pages, hr):
        person = make_staff(Role.SOCIAL_WORKER)
        pages.post("org.edit_staff", staff_id=person.id, data=edit_data(person, fte="0.4", roles=["admin"]))
        db.session.expire_all()
        assert person.fte == Decimal("0.4")
        assert person.roles == {Role.SOCIAL_WORKER}

    def test_hr_cannot_give_themselves_admin(self, pages, hr):
        pages.post("org.edit_staff", staff_id=hr.id, data=edit_data(hr, roles=["admin", "hr"]))
        db.session.expire_all()
        assert hr.roles == {Role.HR}
        pages.get("org.services", _expected_status=403)

    def test_hr_see_the_same_validation(self, pages, hr):
        before = row_counts()
        soup = pages.post("org.create_staff", data=staff_form(fte="0"), _expected_status=200)
        assert error_messages(soup) == ["FTE must be more than 0"]
        assert row_counts() == before
