"""The staff form in an organisation of more active people than a select can offer
(limits.MAX_LISTED_MANAGERS): the line manager is typed as an email address or employee number,
found among the people the select would offer, and then checked by the same rules (docs/roles.md).
"""

import pytest
import sqlalchemy as sa

from supervision import limits
from supervision.extensions import db
from supervision.org.models import Role, Staff
from tests.factories import make_staff
from tests.org.conftest import error_links, error_messages, other_organisation_service, row_counts, staff_form
from tests.org.test_staff_forms import edit_data

NOT_FOUND = "No one in your organisation has that email address or employee number"


@pytest.fixture
def large(monkeypatch):
    """Every organisation in these tests counts as large: more active people than the limit."""
    monkeypatch.setattr(limits, "MAX_LISTED_MANAGERS", 0)


def active_people() -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(Staff).where(Staff.active.is_(True))) or 0


def line_manager_of(email: str) -> int | None:
    db.session.expire_all()
    return db.session.scalar(sa.select(Staff.line_manager_id).where(Staff.email == email))


def manager(**kwargs) -> Staff:
    return make_staff(
        Role.SUPERVISOR,
        given_name="Dana",
        family_name="Reid",
        email="dana.reid@example.test",
        employee_number="E4321",
        **kwargs,
    )


def test_over_the_limit_the_line_manager_is_a_text_input_and_not_a_select(pages, admin, large):
    make_staff()
    soup = pages.get("org.create_staff")
    field = soup.select_one("#line_manager_id")
    assert field.name == "input"
    assert field["name"] == "line_manager_id"
    assert field.get("value", "") == ""
    assert soup.select("select#line_manager_id") == []
    label = soup.select_one("label[for=line_manager_id]").get_text(strip=True)
    assert label == "Line manager's email address or employee number"
    hint = soup.select_one(f"#{field['aria-describedby']}").get_text(strip=True)
    assert hint == "Leave empty for no line manager."
    assert soup.select_one("#team_id").name == "select"  # the team select stays


def test_the_edit_page_names_the_current_line_manager_and_holds_their_email(pages, admin, large):
    dana = manager()
    person = make_staff(line_manager=dana)
    soup = pages.get("org.edit_staff", staff_id=person.id)
    field = soup.select_one("#line_manager_id")
    assert field["value"] == "dana.reid@example.test"
    hint = soup.select_one(f"#{field['aria-describedby']}").get_text(strip=True)
    assert hint == "Currently: Dana Reid (dana.reid@example.test). Leave empty for no line manager."


@pytest.mark.parametrize("typed", ["  Dana.Reid@EXAMPLE.test ", "dana.reid@example.test", "e4321", "E4321"])
def test_a_new_person_gets_the_line_manager_named_by_email_or_employee_number(pages, admin, large, typed):
    dana = manager()
    pages.post("org.create_staff", data=staff_form(line_manager_id=typed))
    assert line_manager_of("amara.osei@example.test") == dana.id


def test_an_edit_changes_the_line_manager_by_employee_number(pages, admin, large):
    dana = manager()
    person = make_staff(line_manager=make_staff(Role.SUPERVISOR))
    pages.post("org.edit_staff", staff_id=person.id, data=edit_data(person, line_manager_id="e4321"))
    assert line_manager_of(person.email) == dana.id


def test_an_unknown_line_manager_is_a_field_error_and_nothing_is_written(pages, admin, large):
    boss = make_staff(Role.SUPERVISOR)
    person = make_staff(line_manager=boss, job_title="Before")
    before = row_counts()
    soup = pages.post(
        "org.create_staff", data=staff_form(line_manager_id="nobody@example.test"), _expected_status=200
    )
    assert error_links(soup) == {NOT_FOUND: "#line_manager_id"}
    assert soup.select_one("#line_manager_id")["value"] == "nobody@example.test"  # kept as typed
    assert soup.select_one("#line_manager_id-error").get_text(" ", strip=True).endswith(NOT_FOUND)
    assert row_counts() == before
    soup = pages.post(
        "org.edit_staff",
        staff_id=person.id,
        data=edit_data(person, line_manager_id="X999", job_title="After"),
        _expected_status=200,
    )
    assert error_messages(soup) == [NOT_FOUND]
    db.session.expire_all()
    assert (person.job_title, person.line_manager_id) == ("Before", boss.id)


def test_an_empty_line_manager_means_none(pages, admin, large):
    person = make_staff(line_manager=manager())
    pages.post("org.edit_staff", staff_id=person.id, data=edit_data(person, line_manager_id=""))
    assert line_manager_of(person.email) is None
    pages.post("org.create_staff", data=staff_form(line_manager_id="   "))
    assert line_manager_of("amara.osei@example.test") is None


def test_a_deactivated_person_is_not_found_but_an_existing_line_manager_can_stay(pages, admin, large):
    gone = make_staff(email="gone@example.test", employee_number="G1", active=False)
    person = make_staff(line_manager=gone)
    pages.post(
        "org.edit_staff", staff_id=person.id, data=edit_data(person, line_manager_id="gone@example.test")
    )
    assert line_manager_of(person.email) == gone.id
    soup = pages.post("org.create_staff", data=staff_form(line_manager_id="G1"), _expected_status=200)
    assert error_messages(soup) == [NOT_FOUND]


def test_another_organisations_people_are_not_found(pages, admin, large):
    stranger = make_staff(email="stranger@example.test", employee_number="S1")
    stranger.organisation = other_organisation_service().organisation
    db.session.commit()
    for typed in ("stranger@example.test", "S1"):
        soup = pages.post("org.create_staff", data=staff_form(line_manager_id=typed), _expected_status=200)
        assert error_messages(soup) == [NOT_FOUND]


def test_the_line_management_rules_still_apply_to_a_typed_line_manager(pages, admin, large):
    top = make_staff(Role.SERVICE_MANAGER)
    worker = make_staff(Role.SOCIAL_WORKER, line_manager=top, email="worker@example.test")
    soup = pages.post(
        "org.edit_staff",
        staff_id=top.id,
        data=edit_data(top, line_manager_id="worker@example.test"),
        _expected_status=200,
    )
    [message] = error_messages(soup)
    assert message.startswith("Choose a different line manager: the person you chose reports to this person")
    assert error_links(soup)[message] == "#line_manager_id"
    assert line_manager_of(top.email) is None
    soup = pages.post(
        "org.edit_staff",
        staff_id=worker.id,
        data=edit_data(worker, line_manager_id="worker@example.test"),
        _expected_status=200,
    )
    assert error_messages(soup) == ["A person cannot be their own line manager"]


def test_the_select_stays_up_to_the_limit_and_the_text_input_starts_above_it(pages, admin, monkeypatch):
    make_staff()
    monkeypatch.setattr(limits, "MAX_LISTED_MANAGERS", active_people())
    assert pages.get("org.create_staff").select_one("#line_manager_id").name == "select"
    monkeypatch.setattr(limits, "MAX_LISTED_MANAGERS", active_people() - 1)
    assert pages.get("org.create_staff").select_one("#line_manager_id").name == "input"
