"""Database rules hold even if code forgets them: constraints on both SQLite and PostgreSQL."""

from datetime import date
from decimal import Decimal

import pytest
import sqlalchemy as sa

from supervision.extensions import db
from supervision.org.models import Role, Staff, StaffRole
from tests.factories import make_staff, make_team

pytestmark = pytest.mark.usefixtures("app")


def violates(change) -> bool:
    try:
        change()
        db.session.commit()
    except sa.exc.IntegrityError:
        db.session.rollback()
        return True
    return False


@pytest.mark.parametrize("fte", ["0", "-0.5", "1.01"])
def test_fte_must_be_above_zero_and_at_most_one(fte):
    assert violates(lambda: make_staff(fte=fte))


def test_fte_of_one_and_of_a_half_are_allowed():
    assert make_staff(fte="1").fte == Decimal("1")
    assert make_staff(fte="0.5").fte == Decimal("0.5")


def test_end_date_cannot_be_before_start_date():
    assert violates(lambda: make_staff(start_date=date(2024, 5, 1), end_date=date(2024, 4, 30)))
    assert make_staff(start_date=date(2024, 5, 1), end_date=date(2024, 5, 1)).end_date == date(2024, 5, 1)


def test_email_and_employee_number_are_unique():
    make_staff(email="a@example.test", employee_number="E1")
    assert violates(lambda: make_staff(email="a@example.test"))
    assert violates(lambda: make_staff(employee_number="E1"))


def test_a_person_cannot_be_their_own_line_manager():
    person = make_staff()

    def manage_self():
        person.line_manager_id = person.id

    assert violates(manage_self)


def test_a_person_can_hold_several_roles_but_each_only_once():
    manager = make_staff(Role.SUPERVISOR, Role.SOCIAL_WORKER)
    assert db.session.get(Staff, manager.id).roles == {Role.SUPERVISOR, Role.SOCIAL_WORKER}
    again = sa.insert(StaffRole).values(staff_id=manager.id, role=Role.SUPERVISOR)
    assert violates(lambda: db.session.execute(again))


def test_team_establishment_cannot_be_negative():
    team = make_team(establishment_fte="3.5")
    assert team.establishment_fte == Decimal("3.5")

    def negative():
        team.establishment_fte = Decimal("-1")

    assert violates(negative)


def test_an_unknown_role_is_refused_by_the_database():
    person = make_staff()
    statement = sa.text("INSERT INTO staff_role (staff_id, role) VALUES (:id, 'superuser')")
    assert violates(lambda: db.session.execute(statement, {"id": person.id}))


def test_timestamps_come_back_timezone_aware():
    person = make_staff()
    db.session.expire_all()
    assert db.session.get(Staff, person.id).created_at.tzinfo is not None
