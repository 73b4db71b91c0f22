"""The demo organisation: five sign-ins, one role each, inside a realistic workforce with a year
of supervision history in which every status the compliance engine knows shows up."""

import re
from collections import Counter
from datetime import timedelta
from decimal import Decimal
from itertools import pairwise

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import joinedload, selectinload

from supervision import demo
from supervision.agreements.models import AbsencePeriod, SupervisionAgreement
from supervision.auth.views import FAILURE_MESSAGE
from supervision.clock import FixedClock, SystemClock
from supervision.compliance.models import AlertKind, ComplianceAlert, OverdueExplanation
from supervision.compliance.rules import ReviewState, Status
from supervision.compliance.services import asye_progress_for, compliance_for
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
from supervision.records.models import (
    Action,
    ActionReview,
    ActionStatus,
    CaseDiscussion,
    SessionAttendee,
    SessionStatus,
    SupervisionRecord,
    SupervisionSession,
)
from supervision.records.services import sign_off_problems
from supervision.synth.history import Plan
from tests.conftest import FIXED_NOW, empty_database
from tests.factories import discussions_dated_unlike_their_session, make_organisation

pytestmark = pytest.mark.usefixtures("clock")


@pytest.fixture(scope="class")
def shared_demo(app):
    """The demo seeded once, at the `clock` fixture's time, for tests that only read it."""
    app.extensions["clock"] = FixedClock(FIXED_NOW)
    seeded = seed_demo()
    yield seeded
    app.extensions["clock"] = SystemClock()
    empty_database()


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


def test_the_same_organisation_comes_back_with_its_dates_counted_from_today(clock):
    seed_demo()
    first = snapshot()
    empty_database()

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


def test_a_failure_after_the_history_is_written_leaves_nothing_behind(monkeypatch):
    write_history = demo.add_supervision_history

    def fail_after_writing(seeding, plans):
        write_history(seeding, plans)
        db.session.flush()
        raise RuntimeError("disk full")

    monkeypatch.setattr(demo, "add_supervision_history", fail_after_writing)
    with pytest.raises(RuntimeError):
        seed_demo()
    for model in (
        Organisation,
        Staff,
        SupervisionAgreement,
        SupervisionSession,
        SupervisionRecord,
        ComplianceAlert,
    ):
        assert count(model) == 0, model


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


# --- a year of supervision history ------------------------------------------------------------

# What each plan looks like to the compliance engine on the day the demo is seeded.
STATUS_OF_PLAN = {
    Plan.ON_TRACK: Status.ON_TRACK,
    Plan.DUE_SOON: Status.DUE_SOON,
    Plan.OVERDUE: Status.OVERDUE,
    Plan.ESCALATED: Status.ESCALATED,
    Plan.PAUSED: Status.PAUSED,
    Plan.WRITE_UP_OVERDUE: Status.ON_TRACK,
    Plan.NO_AGREEMENT: Status.NO_AGREEMENT,
}


def supervised() -> list[Staff]:
    """Everyone in post with a line manager: the people the demo gives a history."""
    return [person for person in in_post() if person.line_manager is not None]


def held_sessions_of(person: Staff) -> list[SupervisionSession]:
    """Held sessions, oldest first, with everything the sign-off rule reads from their records."""
    return list(
        db.session.scalars(
            sa.select(SupervisionSession)
            .join(SessionAttendee)
            .where(
                SessionAttendee.supervisee_id == person.id, SupervisionSession.status == SessionStatus.HELD
            )
            .options(
                selectinload(SupervisionSession.records).options(
                    joinedload(SupervisionRecord.supervisee),
                    selectinload(SupervisionRecord.case_discussions),
                    selectinload(SupervisionRecord.action_reviews).joinedload(ActionReview.action),
                )
            )
            .order_by(SupervisionSession.held_on)
        )
    )


def test_the_seed_plans_a_handful_due_soon_several_overdue_and_a_few_escalated():
    planned = Counter(plan for team in demo.TEAMS for plan in team.behind)
    assert planned == {
        Plan.DUE_SOON: 4,
        Plan.OVERDUE: 4,
        Plan.ESCALATED: 3,
        Plan.PAUSED: 1,
        Plan.WRITE_UP_OVERDUE: 1,
        Plan.NO_AGREEMENT: 1,
    }


def test_the_same_day_gives_the_same_history(clock):
    def history() -> list[tuple]:
        return list(
            db.session.execute(
                sa.select(Staff.email, SupervisionSession.status, SupervisionSession.scheduled_start)
                .join(SessionAttendee, SessionAttendee.supervisee_id == Staff.id)
                .join(SupervisionSession)
                .order_by(Staff.email, SupervisionSession.scheduled_start)
            )
        )

    seed_demo()
    first = history()
    empty_database()
    seed_demo()
    assert history() == first


MAIN_PAGES = {
    Role.SOCIAL_WORKER: ["home.index", "sessions.my_supervision", "notifications.index"],
    Role.SUPERVISOR: ["sessions.my_supervision", "sessions.supervisees", "reports.team_dashboard"],
    Role.SERVICE_MANAGER: ["sessions.supervisees", "reports.team_dashboard", "reports.oversight"],
    Role.HR: ["hr.retention"],
    Role.ADMIN: ["jobs.scheduled_jobs", "audit.audit_log"],
}


def test_each_demo_users_main_pages_show_the_history(pages, client):
    seeded = seed_demo()
    for role, endpoints in MAIN_PAGES.items():
        pages.sign_in(account(role), DEMO_PASSWORD)
        for endpoint in endpoints:
            assert pages.get(endpoint).find("h1"), endpoint
        client.post("/sign-out")

    pages.sign_in(account(Role.SUPERVISOR), DEMO_PASSWORD)
    dashboard = pages.get("reports.team_dashboard").get_text()
    behind = [
        person
        for person in db.session.scalars(sa.select(Staff).where(Staff.email.in_(seeded.plans)))
        if person.line_manager == account(Role.SUPERVISOR)
    ]
    assert len(behind) == len(demo.TEAMS[0].behind)
    assert all(person.name in dashboard for person in behind)
    assert "Escalated" in dashboard and "Overdue" in dashboard and "Due soon" in dashboard
    client.post("/sign-out")

    pages.sign_in(account(Role.SOCIAL_WORKER), DEMO_PASSWORD)
    mine = pages.get("sessions.my_supervision").get_text()
    assert "No open actions" not in mine
    assert mine.count(", due ") >= 3


def test_seeding_with_if_empty_twice_does_nothing_the_second_time(app):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["demo", "--if-empty"])
    assert first.exit_code == 0, first.output
    tables = [table for table in db.metadata.sorted_tables]
    before = {table.name: count(table) for table in tables}
    assert before["supervision_record"] > 0 and before["compliance_alert"] > 0

    second = runner.invoke(args=["demo", "--if-empty"])
    assert second.exit_code == 0, second.output
    assert "Nothing to do" in second.output
    assert {table.name: count(table) for table in tables} == before


@pytest.mark.usefixtures("shared_demo")
class TestTheSeededDemo:
    """Tests that only read the demo share one seeding (seeding takes seconds)."""

    def test_the_demo_accounts_fit_the_line_management_hierarchy(self):
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

    def test_the_organisation_has_two_services_four_teams_and_about_forty_staff(self):
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

    def test_everyone_in_a_team_reports_to_its_manager_or_a_practice_supervisor_in_it(self):
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

    def test_the_workforce_is_as_varied_as_a_real_one(self, clock):
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

    def test_some_teams_have_vacancies_and_none_is_over_establishment(self):
        vacancies = {}
        for team in db.session.scalars(sa.select(Team)):
            filled = sum((person.fte for person in team.members if person.active), Decimal(0))
            assert filled <= team.establishment_fte
            vacancies[team.name] = team.establishment_fte - filled
        assert sum(vacancy > 0 for vacancy in vacancies.values()) >= 3

    def test_leavers_in_the_past_year_are_inactive_with_a_reason_and_destination(self, clock):
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

    def test_only_the_five_demo_accounts_have_a_password(self):
        with_password = {person.email for person in everyone() if person.password_hash}
        assert with_password == {account.email for account in DEMO_ACCOUNTS}

    def test_the_compliance_engine_finds_exactly_the_statuses_the_seed_plans(self, clock, shared_demo):
        seeded = shared_demo
        people = supervised()
        results = compliance_for([person.id for person in people], clock.today())

        planned = Counter(plan for team in demo.TEAMS for plan in team.behind)
        expected = Counter(
            {
                STATUS_OF_PLAN[plan]: count
                for plan, count in planned.items()
                if plan is not Plan.WRITE_UP_OVERDUE
            }
        )
        expected[Status.ON_TRACK] = len(people) - sum(expected.values())
        assert Counter(result.status for result in results.values()) == expected

        for person in people:
            plan = seeded.plans.get(person.email, Plan.ON_TRACK)
            result = results[person.id]
            assert result.status is STATUS_OF_PLAN[plan], (person.name, plan)
            assert result.assessment.write_ups_overdue == (1 if plan is Plan.WRITE_UP_OVERDUE else 0), (
                person.name
            )
        assert {plan for plan in seeded.plans.values()} == set(Plan) - {Plan.ON_TRACK}

        # Nobody without a line manager is supervised: the director, HR and the administrator.
        others = [person for person in in_post() if person.line_manager is None]
        assert {
            result.status for result in compliance_for([p.id for p in others], clock.today()).values()
        } == {Status.NO_AGREEMENT}

    def test_every_case_discussion_carries_the_day_its_session_was_held(self):
        assert count(CaseDiscussion) > 100
        assert discussions_dated_unlike_their_session() == []

    def test_the_sweep_ran_once_so_the_alerts_are_there_from_the_start(self, shared_demo):
        seeded = shared_demo
        alerts = Counter(alert.kind for alert in db.session.scalars(sa.select(ComplianceAlert)))
        behind = Counter(seeded.plans.values())
        assert alerts[AlertKind.DUE_SOON] == behind[Plan.DUE_SOON]
        assert alerts[AlertKind.ESCALATED] == behind[Plan.ESCALATED]
        assert alerts[AlertKind.OVERDUE] == behind[Plan.OVERDUE] + behind[Plan.ESCALATED]
        assert alerts[AlertKind.WRITE_UP_OVERDUE] == 1

    def test_everyone_supervised_has_a_signed_agreement_with_their_line_manager(self, clock, shared_demo):
        seeded = shared_demo
        for person in supervised():
            agreements = list(
                db.session.scalars(
                    sa.select(SupervisionAgreement)
                    .where(SupervisionAgreement.supervisee_id == person.id)
                    .order_by(SupervisionAgreement.agreed_on)
                )
            )
            current = [agreement for agreement in agreements if agreement.ended_on is None]
            if seeded.plans.get(person.email) is Plan.NO_AGREEMENT:
                assert current == [] and agreements, person.name
                continue
            assert len(current) == 1, person.name
            agreement = current[0]
            assert agreement.supervisor == person.line_manager
            assert agreement.fully_signed
            assert person.start_date <= agreement.agreed_on <= clock.today() < agreement.review_due_on
            for earlier, later in pairwise(agreements):
                assert earlier.ended_on == later.agreed_on - timedelta(days=1)

    def test_a_year_of_sessions_held_at_about_the_agreed_frequency_with_complete_signed_records(self, clock):
        today, a_year_ago = clock.today(), clock.today() - timedelta(days=365)
        for person in supervised():
            held = held_sessions_of(person)
            if not held:
                continue
            assert a_year_ago <= held[0].held_on and held[-1].held_on < today
            assert all(session.held_on.weekday() < 5 for session in held)
            gaps = [(later.held_on - earlier.held_on).days for earlier, later in pairwise(held)]
            assert max(gaps, default=0) <= 60, person.name
            if person.career_stage is not CareerStage.ASYE and person.start_date < a_year_ago:
                interval = 42 if person.career_stage in (CareerStage.MANAGER, CareerStage.OTHER) else 28
                assert 0.75 * 365 / interval <= len(held) <= 1.3 * 365 / interval, (person.name, len(held))
            for session in held:
                (record,) = session.records
                if record.is_locked:
                    assert sign_off_problems(record) == []
                    assert (
                        session.held_on
                        <= record.supervisor_signed_at.date()
                        <= record.supervisee_signed_at.date()
                    )
                    assert record.supervisee_signed_at <= clock.now()
                else:
                    # Only the last session or two can still be waiting for signatures.
                    assert session in held[-2:], (person.name, session.held_on)

        held_per_person = [len(held_sessions_of(person)) for person in supervised()]
        assert sum(held_per_person) >= 400
        statuses = Counter(db.session.scalars(sa.select(SupervisionSession.status)))
        assert statuses[SessionStatus.CANCELLED] >= 10
        assert statuses[SessionStatus.DID_NOT_ATTEND] >= 5
        assert statuses[SessionStatus.SCHEDULED] >= 10
        assert count(AbsencePeriod) >= 2
        assert count(OverdueExplanation) >= 1

    def test_case_discussions_use_case_references_and_never_a_childs_name(self):
        references = list(db.session.scalars(sa.select(CaseDiscussion.case_reference)))
        assert len(references) >= 400
        assert all(re.fullmatch(r"C-\d{5}", reference) for reference in references)
        decisions = list(db.session.scalars(sa.select(CaseDiscussion.decision)))
        assert all(decision.strip() for decision in decisions)

    def test_actions_are_reviewed_at_the_next_session_and_the_latest_are_open(self):
        statuses = Counter(db.session.scalars(sa.select(Action.status)))
        assert statuses[ActionStatus.DONE] >= 200
        assert statuses[ActionStatus.CARRIED_FORWARD] >= 20
        assert statuses[ActionStatus.NO_LONGER_NEEDED] >= 10
        assert statuses[ActionStatus.OPEN] >= 40
        carried = db.session.scalars(sa.select(Action).where(Action.carried_from_id.is_not(None))).all()
        assert len(carried) == statuses[ActionStatus.CARRIED_FORWARD]
        for action in db.session.scalars(sa.select(Action).where(Action.status == ActionStatus.DONE)):
            assert action.completed_on is not None

    def test_the_demo_social_worker_has_a_rich_history_with_open_actions(self, clock):
        worker = account(Role.SOCIAL_WORKER)
        assert len(held_sessions_of(worker)) >= 10
        open_actions = db.session.scalars(
            sa.select(Action)
            .join(SupervisionRecord, SupervisionRecord.id == Action.record_id)
            .where(SupervisionRecord.supervisee_id == worker.id, Action.status == ActionStatus.OPEN)
        ).all()
        assert len(open_actions) >= 3
        assert compliance_for([worker.id], clock.today())[worker.id].status is Status.ON_TRACK

    def test_the_team_manager_supervises_people_who_are_overdue_and_escalated(self, clock):
        manager = account(Role.SUPERVISOR)
        supervisees = db.session.scalars(
            sa.select(SupervisionAgreement.supervisee_id).where(
                SupervisionAgreement.supervisor_id == manager.id, SupervisionAgreement.ended_on.is_(None)
            )
        ).all()
        statuses = Counter(result.status for result in compliance_for(supervisees, clock.today()).values())
        assert statuses[Status.ESCALATED] >= 1
        assert statuses[Status.OVERDUE] >= 1
        assert statuses[Status.DUE_SOON] >= 1

    def test_every_second_asye_has_not_had_their_latest_review_and_the_rest_had_each_on_time(self, clock):
        asyes = sorted(
            (person for person in in_post() if person.career_stage is CareerStage.ASYE),
            key=lambda person: (person.start_date, person.id),
        )
        progress = asye_progress_for(db.session, [person.id for person in asyes], clock.today())
        assert len(progress) == len(asyes) >= 3
        for index, person in enumerate(asyes):
            reviews = progress[person.id].reviews
            fallen_due = [review for review in reviews if review.due_on < clock.today()]
            held = [review for review in reviews if review.held_on is not None]
            assert all(review.state is ReviewState.DONE_ON_TIME for review in held), person.name
            if index % 2 and fallen_due:
                assert fallen_due[-1].state is ReviewState.OVERDUE, person.name
                assert held == fallen_due[:-1], person.name
            else:
                assert held == fallen_due, person.name
        assert any(found.overdue for found in progress.values())
