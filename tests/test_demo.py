"""The demo organisation: five sign-ins, one role each, inside a realistic workforce."""

from datetime import timedelta
from decimal import Decimal

import pytest
import sqlalchemy as sa

from supervision import demo
from supervision.auth.views import FAILURE_MESSAGE
from supervision.demo import DEMO_ACCOUNTS, DEMO_PASSWORD, DatabaseNotEmpty, DemoRefused, seed_demo
from supervision.extensions import db
from supervision.org.models import (
    CareerStage,
    ContractType,
    Organisation,
    Role,
    Service,
    Staff,
    Team,
)
from tests.factories import make_organisation

pytestmark = pytest.mark.usefixtures("clock")


def everyone() -> list[Staff]:
    return list(db.session.scalars(sa.select(Staff).order_by(Staff.employee_number)))


def in_post() -> list[Staff]:
    return [person for person in everyone() if person.active]


def account(role: Role) -> Staff:
    email = next(account.email for account in DEMO_ACCOUNTS if account.role == role)
    return db.session.scalar(sa.select(Staff).where(Staff.email == email))


def count(model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def test_each_demo_account_holds_exactly_its_one_role():
    seeded = seed_demo()
    assert {account.role for account in DEMO_ACCOUNTS} == set(Role)
    for demo_account in DEMO_ACCOUNTS:
        assert account(demo_account.role).roles == {demo_account.role}
        assert seeded.accounts[demo_account.role] == account(demo_account.role)


def test_the_demo_accounts_fit_the_line_management_hierarchy():
    seed_demo()
    worker, team_manager, service_manager = (
        account(Role.SOCIAL_WORKER),
        account(Role.SUPERVISOR),
        account(Role.SERVICE_MANAGER),
    )
    assert worker.line_manager == team_manager
    assert worker.team.manager == team_manager
    assert team_manager.team == worker.team
    assert team_manager.line_manager == service_manager
    assert worker.team.service.manager == service_manager

    director = service_manager.line_manager
    assert director.job_title == "Director of Children's Services"
    assert director.line_manager is None
    assert director.password_hash is None


def test_the_organisation_has_two_services_four_teams_and_about_forty_staff():
    seed_demo()
    assert [o.name for o in db.session.scalars(sa.select(Organisation))] == ["Demoshire County Council"]
    services = list(db.session.scalars(sa.select(Service)))
    teams = list(db.session.scalars(sa.select(Team)))
    assert len(services) == 2
    assert len(teams) == 4
    assert 35 <= len(in_post()) <= 45
    for service in services:
        assert service.manager.has_role(Role.SERVICE_MANAGER)
        assert len(service.teams) == 2
    for team in teams:
        assert team.manager is not None
        assert team.manager.team == team
        assert team.manager.has_role(Role.SUPERVISOR)
        assert team.manager.line_manager == team.service.manager


def test_everyone_in_a_team_reports_to_its_manager_or_a_practice_supervisor_in_it():
    seed_demo()
    reporting_to_practice_supervisors = 0
    for person in in_post():
        if person.team is None or person == person.team.manager:
            continue
        assert person.line_manager.team == person.team
        assert person.line_manager.has_role(Role.SUPERVISOR)
        if person.line_manager != person.team.manager:
            assert person.career_stage is CareerStage.ASYE
            reporting_to_practice_supervisors += 1
    assert reporting_to_practice_supervisors >= 1


def test_the_workforce_is_as_varied_as_a_real_one(clock):
    seed_demo()
    today = clock.today()
    staff = in_post()
    stages = [person.career_stage for person in staff]
    assert stages.count(CareerStage.ASYE) >= 3
    assert stages.count(CareerStage.SENIOR_PRACTITIONER) >= 3
    assert stages.count(CareerStage.MANAGER) >= 5
    contracts = [person.contract_type for person in staff]
    assert contracts.count(ContractType.AGENCY) >= 3
    assert contracts.count(ContractType.FIXED_TERM) >= 1
    assert sum(person.fte < 1 for person in staff) >= 3
    assert len({person.start_date.year for person in staff}) >= 6
    assert len({person.family_name for person in staff}) == len(staff)

    for person in staff:
        assert person.start_date <= today
        assert person.dbs_check_date <= today
        if person.career_stage is CareerStage.ASYE:
            assert person.start_date > today - timedelta(days=366)
        if person.registered_social_worker:
            assert person.swe_registration_number.startswith("SW")
            assert person.swe_renewal_date > today
        else:
            assert person.swe_registration_number is None
    numbers = [person.swe_registration_number for person in staff if person.swe_registration_number]
    assert len(numbers) == len(set(numbers))
    caseholders = [person for person in staff if person.caseload]
    assert len(caseholders) >= 25
    assert all(0 < person.caseload <= 25 for person in caseholders)


def test_some_teams_have_vacancies_and_none_is_over_establishment():
    seed_demo()
    vacancies = {}
    for team in db.session.scalars(sa.select(Team)):
        filled = sum((person.fte for person in team.members if person.active), Decimal(0))
        assert filled <= team.establishment_fte
        vacancies[team.name] = team.establishment_fte - filled
    assert sum(vacancy > 0 for vacancy in vacancies.values()) >= 3


def test_leavers_in_the_past_year_are_inactive_with_a_reason_and_destination(clock):
    seed_demo()
    leavers = [person for person in everyone() if not person.active]
    assert len(leavers) >= 3
    assert len({person.leaving_destination for person in leavers}) >= 3
    for person in leavers:
        assert clock.today() - timedelta(days=365) <= person.end_date < clock.today()
        assert person.start_date < person.end_date
        assert person.leaving_reason
        assert person.team is not None
        assert person.password_hash is None
    assert all(person.end_date is None and person.leaving_destination is None for person in in_post())


def test_only_the_five_demo_accounts_have_a_password():
    seed_demo()
    with_password = {person.email for person in everyone() if person.password_hash}
    assert with_password == {account.email for account in DEMO_ACCOUNTS}


def test_the_five_demo_accounts_sign_in_with_the_demo_password(client):
    seed_demo()
    for demo_account in DEMO_ACCOUNTS:
        response = client.post("/sign-in", data={"email": demo_account.email, "password": DEMO_PASSWORD})
        assert response.status_code == 302, demo_account.email
        assert response.headers["Location"] == "/"
        assert f"{demo_account.given_name} {demo_account.family_name}" in client.get("/").get_data(
            as_text=True
        )
        client.post("/sign-out")


def test_other_staff_cannot_sign_in_with_the_demo_password(client):
    seed_demo()
    others = [person for person in everyone() if person.email not in {a.email for a in DEMO_ACCOUNTS}]
    assert len(others) >= 35
    for person in others[:: len(others) // 5]:
        response = client.post("/sign-in", data={"email": person.email, "password": DEMO_PASSWORD})
        assert response.status_code == 200
        assert FAILURE_MESSAGE in response.get_data(as_text=True)


def snapshot() -> list[tuple]:
    return [
        (
            p.employee_number, p.email, p.given_name, p.family_name, p.job_title, p.career_stage,
            p.contract_type, p.fte, p.caseload, p.start_date, p.end_date, p.dbs_check_date,
            p.swe_registration_number, p.swe_renewal_date, p.team.name if p.team else None,
            p.line_manager.email if p.line_manager else None, sorted(p.roles), p.leaving_destination,
        )
        for p in everyone()
    ]  # fmt: skip


def shifted(row: tuple, days: int) -> tuple:
    return tuple(value + timedelta(days=days) if hasattr(value, "isoformat") else value for value in row)


def delete_everything() -> None:
    db.session.rollback()
    tables = ", ".join(table.name for table in db.metadata.sorted_tables)
    with db.engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            connection.execute(sa.text(f"TRUNCATE {tables} CASCADE"))
        else:
            for table in reversed(db.metadata.sorted_tables):
                connection.execute(table.delete())
    db.session.remove()


def test_the_same_organisation_comes_back_with_its_dates_counted_from_today(clock):
    seed_demo()
    first = snapshot()
    delete_everything()

    clock.advance(days=30)
    seed_demo()
    assert snapshot() == [shifted(row, 30) for row in first]


def test_a_database_with_an_organisation_is_refused_and_nothing_is_written():
    make_organisation("Northshire Council")
    with pytest.raises(DatabaseNotEmpty, match="already has an organisation"):
        seed_demo()
    assert count(Organisation) == 1
    assert count(Staff) == 0


def test_production_settings_refuse_the_demo_and_nothing_is_written(app, monkeypatch):
    monkeypatch.setitem(app.config, "DEMO_ALLOWED", False)
    with pytest.raises(DemoRefused, match="production settings"):
        seed_demo()
    assert count(Organisation) == 0
    assert count(Staff) == 0


def test_a_failure_part_way_leaves_nothing_behind(monkeypatch):
    def fail(seeding):
        raise RuntimeError("disk full")

    monkeypatch.setattr(demo, "add_leavers", fail)
    with pytest.raises(RuntimeError):
        seed_demo()
    assert count(Organisation) == 0
    assert count(Team) == 0
    assert count(Staff) == 0


def test_the_demo_password_is_hashed_once_for_every_account(monkeypatch):
    hashed = []
    real_hash = demo.hash_password

    def counting_hash(password):
        hashed.append(password)
        return real_hash(password)

    monkeypatch.setattr(demo, "hash_password", counting_hash)
    seed_demo()
    assert hashed == [DEMO_PASSWORD]
    assert len({person.password_hash for person in everyone() if person.password_hash}) == 1
