"""The demo organisation, Demoshire County Council (docs/rules.md).

`seed_demo()` builds a realistic children's social care workforce around five sign-in accounts,
one per role, so people can try the service and tests can rely on its shape. Every choice comes
from a seeded random generator and every date counts back from the clock's today, so the same
day always gives the same organisation.

Each part of the organisation is one function that takes the `Demo` being built (people by role
in `demo.accounts`, everyone in `demo.staff`) and adds rows without committing; `seed_demo`
calls them in order and commits once. The last part is a year of supervision history from the
one history generator (supervision/synth/history.py, which also writes `synth`'s national
organisations), in its tidy demo style, with each team's people who are behind named in `TEAMS`
and every second ASYE's latest progress review not yet held; the compliance sweep then runs
once, so the alerts the history calls for are there from the start.
Last come the caseloads (supervision/cases/examples.py), derived from the people and the case
discussions the history wrote, so the references discussed are in the case register.
"""

from __future__ import annotations

import random
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal

import sqlalchemy as sa
from flask import current_app

from supervision.agreements.models import SupervisionPolicy
from supervision.auth.passwords import hash_password
from supervision.cases.examples import add_caseloads
from supervision.clock import clock
from supervision.extensions import db
from supervision.jobs.catalogue import compliance_sweep
from supervision.org.models import (
    CareerStage,
    ContractType,
    LeavingDestination,
    Organisation,
    Role,
    Service,
    Staff,
    StaffRole,
    Team,
)
from supervision.synth.history import DEMO, History, Ids, Plan, Supervisee, always
from supervision.synth.load import load_history

ORGANISATION_NAME = "Demoshire County Council"
# Published in README.md on purpose; seeding is refused under production settings.
DEMO_PASSWORD = "supervision-demo"  # noqa: S105
# Everyone without a sign-in gets an address on a reserved domain that can never receive mail.
STAFF_EMAIL_DOMAIN = "demoshire.test"
RANDOM_SEED = 1989  # the Children Act: any fixed number gives the same organisation every time
YEAR = 365.25


@dataclass(frozen=True)
class DemoAccount:
    email: str
    role: Role
    given_name: str
    family_name: str


DEMO_ACCOUNTS = (
    DemoAccount("social.worker@demo.test", Role.SOCIAL_WORKER, "Priya", "Sharma"),
    DemoAccount("team.manager@demo.test", Role.SUPERVISOR, "Daniel", "Hughes"),
    DemoAccount("service.manager@demo.test", Role.SERVICE_MANAGER, "Helen", "Okafor"),
    DemoAccount("hr@demo.test", Role.HR, "Gareth", "Lloyd"),
    DemoAccount("admin@demo.test", Role.ADMIN, "Zofia", "Nowak"),
)


class DemoRefused(Exception):
    """The demo was not seeded; the message says why."""


class DatabaseNotEmpty(DemoRefused):
    """The database already has an organisation: the demo only goes into an empty one."""


@dataclass(frozen=True)
class Profile:
    """What a kind of post looks like: title, stage, registration, usual service and caseload."""

    job_title: str
    career_stage: CareerStage
    registered: bool
    years_in_post: tuple[float, float]
    caseload: tuple[int, int] | None
    roles: tuple[Role, ...] = (Role.SOCIAL_WORKER,)


PROFILES = {
    "director": Profile("Director of Children's Services", CareerStage.MANAGER, True, (2, 9), None,
                        (Role.SERVICE_MANAGER,)),
    "head_of_service": Profile("Head of Service", CareerStage.MANAGER, True, (4, 15), None,
                               (Role.SERVICE_MANAGER,)),
    "principal_social_worker": Profile("Principal social worker", CareerStage.SENIOR_PRACTITIONER, True,
                                       (5, 14), None),
    "team_manager": Profile("Team manager", CareerStage.MANAGER, True, (3, 16), None, (Role.SUPERVISOR,)),
    "practice_supervisor": Profile("Practice supervisor", CareerStage.SENIOR_PRACTITIONER, True, (4, 12),
                                   (6, 10), (Role.SOCIAL_WORKER, Role.SUPERVISOR)),
    "senior_practitioner": Profile("Senior practitioner", CareerStage.SENIOR_PRACTITIONER, True, (3, 14),
                                   (11, 16)),
    "social_worker": Profile("Social worker", CareerStage.SOCIAL_WORKER, True, (1, 9), (15, 21)),
    "asye": Profile("Newly qualified social worker (ASYE)", CareerStage.ASYE, True, (0.2, 0.9), (8, 12)),
    "personal_adviser": Profile("Personal adviser", CareerStage.OTHER, False, (1, 10), (18, 25)),
    "hr_business_partner": Profile("HR business partner", CareerStage.OTHER, False, (2, 8), None, (Role.HR,)),
    "systems_administrator": Profile("Systems administrator", CareerStage.OTHER, False, (1, 6), None,
                                     (Role.ADMIN,)),
}  # fmt: skip
AGENCY_YEARS_IN_POST = (0.1, 1.5)


@dataclass(frozen=True)
class Post:
    profile: str
    fte: str = "1"
    contract: ContractType = ContractType.PERMANENT


@dataclass(frozen=True)
class TeamPlan:
    """A team and its posts; every team also has a team manager, and the demo team the demo worker.

    `behind` is where the team's practitioners who are not newly qualified stand on the day,
    in staff order, when it is not on track (`Plan`, supervision/synth/history.py).
    """

    service: str
    name: str
    establishment_fte: str
    posts: tuple[Post, ...]
    behind: tuple[Plan, ...] = ()


AGENCY = ContractType.AGENCY
SERVICES = ("Assessment and Intervention", "Children in Care")
# The demo accounts' team and service: social.worker@demo.test works in the team,
# team.manager@demo.test runs it and service.manager@demo.test heads its service.
DEMO_SERVICE = "Assessment and Intervention"
DEMO_TEAM = "Assessment Team"
# Funded posts exceed the people in post in most teams, so vacancy rates are not all zero.
TEAMS = (
    TeamPlan(DEMO_SERVICE, DEMO_TEAM, "10", (
        Post("senior_practitioner"), Post("social_worker"), Post("social_worker", "0.8"),
        Post("social_worker"), Post("asye"), Post("asye"), Post("social_worker", contract=AGENCY),
    ), behind=(Plan.ESCALATED, Plan.OVERDUE, Plan.DUE_SOON, Plan.WRITE_UP_OVERDUE)),
    TeamPlan("Assessment and Intervention", "Child Protection Team", "10", (
        Post("senior_practitioner"), Post("social_worker"), Post("social_worker"),
        Post("social_worker", "0.6"), Post("asye"), Post("social_worker", contract=AGENCY),
        Post("social_worker", contract=AGENCY),
    ), behind=(Plan.ESCALATED, Plan.OVERDUE, Plan.DUE_SOON, Plan.NO_AGREEMENT)),
    TeamPlan("Children in Care", "Children in Care Team", "11", (
        Post("practice_supervisor"), Post("senior_practitioner"),
        Post("social_worker"), Post("social_worker"), Post("social_worker", "0.6"),
        Post("social_worker", contract=ContractType.FIXED_TERM), Post("asye"), Post("asye"),
        Post("social_worker", contract=AGENCY),
    ), behind=(Plan.ESCALATED, Plan.OVERDUE, Plan.DUE_SOON, Plan.PAUSED)),
    TeamPlan("Children in Care", "Care Leavers Team", "7", (
        Post("senior_practitioner"), Post("social_worker"),
        Post("personal_adviser"), Post("personal_adviser", "0.5"), Post("personal_adviser"),
        Post("personal_adviser", contract=ContractType.FIXED_TERM),
    ), behind=(Plan.OVERDUE, Plan.DUE_SOON)),
)  # fmt: skip


@dataclass(frozen=True)
class Leaver:
    team: str
    profile: str
    reason: str
    destination: LeavingDestination


LEAVERS = (
    Leaver("Child Protection Team", "social_worker", "Moved closer to family",
           LeavingDestination.OTHER_LOCAL_AUTHORITY),
    Leaver(DEMO_TEAM, "senior_practitioner", "Higher pay as a locum", LeavingDestination.AGENCY),
    Leaver("Children in Care Team", "social_worker", "Retired", LeavingDestination.RETIRED),
    Leaver("Care Leavers Team", "social_worker", "Retrained as a teacher",
           LeavingDestination.LEFT_SOCIAL_WORK),
    Leaver("Child Protection Team", "asye", "Workload and stress", LeavingDestination.OTHER),
)  # fmt: skip

# Whole names, so pairings stay plausible; shuffled by the seeded generator.
NAMES = (
    ("Aisha", "Begum"), ("Ben", "Usman"), ("Chloe", "Wright"), ("Chidi", "Okonkwo"), ("Dafydd", "Evans"),
    ("Eleanor", "Fitzgerald"), ("Farah", "Hussain"), ("Grace", "Mensah"), ("Hamza", "Iqbal"),
    ("Imogen", "Taylor"), ("Jamal", "Campbell"), ("Katarzyna", "Lewandowska"), ("Liam", "Murphy"),
    ("Mei", "Nguyen"), ("Niamh", "O'Brien"), ("Oluwaseun", "Adeyemi"), ("Patrick", "Quinn"),
    ("Rachel", "Roberts"), ("Sanjay", "Patel"), ("Tomasz", "Kowalski"), ("Uzma", "Khan"),
    ("Victoria", "Thompson"), ("Wei", "Xu"), ("Yasmin", "Ahmed"), ("Zainab", "Osman"),
    ("Callum", "Reid"), ("Bethany", "Price"), ("Kwame", "Asante"), ("Rhiannon", "Davies"),
    ("Ibrahim", "Chowdhury"), ("Siobhan", "Gallagher"), ("Harriet", "Sutherland"), ("Ravi", "Shah"),
    ("Leah", "Edwards"), ("Connor", "Doherty"), ("Fatima", "Malik"), ("Georgia", "Foster"),
    ("Mohammed", "Rahman"), ("Sophie", "Baker"), ("Joel", "Jackson"), ("Nadia", "Kaur"), ("Owen", "Harris"),
    ("Lucy", "Brennan"), ("Femi", "Nwosu"), ("Hannah", "Green"), ("Marek", "Zielinski"), ("Ellie", "Walsh"),
    ("Tariq", "Hassan"), ("Abigail", "Young"), ("Gurpreet", "Singh"),
)  # fmt: skip


@dataclass
class Demo:
    """The organisation being built, handed from one part to the next."""

    today: date
    now: datetime
    rng: random.Random
    password_hash: str
    organisation: Organisation
    names: Iterator[tuple[str, str]]
    services: dict[str, Service] = field(default_factory=dict)
    teams: dict[str, Team] = field(default_factory=dict)
    accounts: dict[Role, Staff] = field(default_factory=dict)
    staff: list[Staff] = field(default_factory=list)
    registration_numbers: set[str] = field(default_factory=set)
    # Where each supervisee who is not on track stands on the day, by email.
    plans: dict[str, Plan] = field(default_factory=dict)

    def years_ago(self, years: float, before: date | None = None) -> date:
        return (before or self.today) - timedelta(days=round(years * YEAR))


def organisation_exists() -> bool:
    return db.session.scalar(sa.select(Organisation.id).limit(1)) is not None


def seed_demo() -> Demo:
    """Create the demo organisation in one transaction; refused in production or on a used database."""
    if not current_app.config["DEMO_ALLOWED"]:
        raise DemoRefused(
            "The demo organisation is refused with production settings: "
            "its published password would let anyone sign in."
        )
    if organisation_exists():
        raise DatabaseNotEmpty("The database already has an organisation, so the demo was not seeded.")
    try:
        demo = start_demo()
        add_services_and_teams(demo)
        add_leadership(demo)
        add_team_staff(demo)
        add_leavers(demo)
        add_supervision_history(demo, {plan.name: plan.behind for plan in TEAMS})
        add_caseloads(
            db.session, demo.organisation.id, demo.today, demo.now, RANDOM_SEED, discussed_within=400
        )
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise
    compliance_sweep(db.session, clock())
    return demo


def start_demo() -> Demo:
    rng = random.Random(RANDOM_SEED)  # noqa: S311 (made-up people, not secrets)
    names = list(NAMES)
    rng.shuffle(names)
    organisation = Organisation(name=ORGANISATION_NAME)
    db.session.add(organisation)
    return Demo(
        today=clock().today(),
        now=clock().now(),
        rng=rng,
        # Hashing is deliberately slow: every demo account shares one hash of the one password.
        password_hash=hash_password(DEMO_PASSWORD),
        organisation=organisation,
        names=iter(names),
    )


def add_services_and_teams(demo: Demo) -> None:
    for name in SERVICES:
        demo.services[name] = Service(organisation=demo.organisation, name=name)
    for plan in TEAMS:
        demo.teams[plan.name] = Team(
            service=demo.services[plan.service],
            name=plan.name,
            establishment_fte=Decimal(plan.establishment_fte),
        )
    db.session.add_all(demo.teams.values())
    # Teams exist before their managers, so the team <-> manager references never form a cycle.
    db.session.flush()


def add_leadership(demo: Demo) -> None:
    """The director (no sign-in), a head for each service, the principal social worker, HR and admin."""
    director = add_person(demo, "director")
    for name, service in demo.services.items():
        account = demo_account(Role.SERVICE_MANAGER) if name == DEMO_SERVICE else None
        service.manager = add_person(
            demo,
            "head_of_service",
            line_manager=director,
            account=account,
            job_title=f"Head of Service, {name}",
        )
    add_person(demo, "principal_social_worker", line_manager=director)
    add_person(demo, "hr_business_partner", account=demo_account(Role.HR))
    add_person(demo, "systems_administrator", account=demo_account(Role.ADMIN))


def add_team_staff(demo: Demo) -> None:
    """Each team's manager reports to the head of service; workers report to the team manager.

    Where a team has a practice supervisor (listed before its ASYEs), the newly qualified workers
    report to them, as ASYE support is often organised.
    """
    managers: dict[Team, Staff] = {}
    for plan in TEAMS:
        team = demo.teams[plan.name]
        is_demo_team = plan.name == DEMO_TEAM
        manager = add_person(
            demo,
            "team_manager",
            team=team,
            line_manager=team.service.manager,
            account=demo_account(Role.SUPERVISOR) if is_demo_team else None,
        )
        if is_demo_team:
            add_person(demo, "social_worker", team=team, line_manager=manager,
                       account=demo_account(Role.SOCIAL_WORKER))  # fmt: skip
        practice_supervisor = None
        for post in plan.posts:
            line_manager = practice_supervisor if post.profile == "asye" and practice_supervisor else manager
            person = add_person(
                demo, post.profile, team=team, line_manager=line_manager, fte=post.fte, contract=post.contract
            )
            if post.profile == "practice_supervisor":
                practice_supervisor = person
        managers[team] = manager
    # Staff rows first, then each team points at its manager: a flush apiece, never a cycle.
    db.session.flush()
    for team, manager in managers.items():
        team.manager = manager
    db.session.flush()


def add_leavers(demo: Demo) -> None:
    """People who left in the past year, for turnover and leaving-destination figures."""
    for leaver in LEAVERS:
        team = demo.teams[leaver.team]
        end_date = demo.today - timedelta(days=demo.rng.randint(14, 350))
        person = add_person(demo, leaver.profile, team=team, line_manager=team.manager, end_date=end_date)
        person.leaving_reason = leaver.reason
        person.leaving_destination = leaver.destination


def demo_account(role: Role) -> DemoAccount:
    return next(account for account in DEMO_ACCOUNTS if account.role == role)


def add_person(
    demo: Demo,
    profile_name: str,
    *,
    team: Team | None = None,
    line_manager: Staff | None = None,
    fte: str = "1",
    contract: ContractType = ContractType.PERMANENT,
    account: DemoAccount | None = None,
    job_title: str | None = None,
    end_date: date | None = None,
) -> Staff:
    """One member of staff; only a demo account gets a password, so nobody else can sign in."""
    profile = PROFILES[profile_name]
    rng = demo.rng
    given_name, family_name = (account.given_name, account.family_name) if account else next(demo.names)
    last_day = end_date or demo.today
    years = AGENCY_YEARS_IN_POST if contract is ContractType.AGENCY else profile.years_in_post
    start_date = demo.years_ago(rng.uniform(*years), before=last_day)
    # A DBS check before starting, renewed about every three years (some renewals are overdue).
    dbs_check_date = max(
        start_date - timedelta(days=rng.randint(14, 60)), last_day - timedelta(days=rng.randint(30, 1150))
    )
    caseload = None
    if profile.caseload and end_date is None:
        caseload = round(rng.randint(*profile.caseload) * float(fte))
    person = Staff(
        organisation=demo.organisation,
        email=account.email if account else staff_email(given_name, family_name),
        employee_number=f"DCC{10001 + len(demo.staff):05d}",
        given_name=given_name,
        family_name=family_name,
        job_title=job_title or profile.job_title,
        career_stage=profile.career_stage,
        registered_social_worker=profile.registered,
        swe_registration_number=registration_number(demo) if profile.registered else None,
        swe_renewal_date=last_day + timedelta(days=rng.randint(7, 365)) if profile.registered else None,
        dbs_check_date=dbs_check_date,
        contract_type=contract,
        fte=Decimal(fte),
        caseload=caseload,
        start_date=start_date,
        end_date=end_date,
        team=team,
        line_manager=line_manager,
        active=end_date is None,
        password_hash=demo.password_hash if account else None,
        created_at=demo.now,
        updated_at=demo.now,
    )
    person.role_rows = [StaffRole(role=role) for role in ((account.role,) if account else profile.roles)]
    db.session.add(person)
    demo.staff.append(person)
    if account:
        demo.accounts[account.role] = person
    return person


def staff_email(given_name: str, family_name: str) -> str:
    local = ".".join(re.sub(r"[^a-z]", "", name.lower()) for name in (given_name, family_name))
    return f"{local}@{STAFF_EMAIL_DOMAIN}"


def registration_number(demo: Demo) -> str:
    """A Social Work England number in the register's style (SW followed by digits), unique here."""
    while (number := f"SW{demo.rng.randint(10000, 129999)}") in demo.registration_numbers:
        pass
    demo.registration_numbers.add(number)
    return number


# --- a year of supervision history ------------------------------------------------------------

PRACTITIONER_STAGES = (CareerStage.SOCIAL_WORKER, CareerStage.SENIOR_PRACTITIONER, CareerStage.OTHER)


def add_supervision_history(demo: Demo, plans: dict[str, tuple[Plan, ...]]) -> None:
    """The policy, and a year's supervision for everyone with a line manager, leavers included.

    `plans` names, by team, the plans of the people who are behind, given in turn to the team's
    practitioners who are not newly qualified (in staff order); everyone else is on track. The
    demo team manager has not yet explained their escalated supervisee's gap; other supervisors have.
    """
    db.session.add(SupervisionPolicy(organisation_id=demo.organisation.id, updated_at=demo.now))
    demo.plans.update(assign_plans(demo, plans))
    db.session.flush()  # everyone's id, for the rows
    history = History(demo.today, demo.now, demo.today - timedelta(days=365), Ids(), RANDOM_SEED, DEMO)
    # Every second ASYE in post (by start) has not had their latest review: one of each to show.
    asyes = sorted(
        (p for p in demo.staff if p.career_stage is CareerStage.ASYE and p.end_date is None),
        key=lambda person: (person.start_date, person.id),
    )
    latest_missed = {person.id for person in asyes[1::2]}
    for person in demo.staff:
        if person.line_manager is None:
            continue
        supervisor = person.line_manager
        history.supervise(
            Supervisee(
                person.id,
                person.career_stage,
                person.start_date,
                person.end_date,
                always(supervisor.id),
                demo.plans.get(person.email, Plan.ON_TRACK),
                caseload=person.caseload,
                showcase=person is demo.accounts.get(Role.SOCIAL_WORKER),
                explained=supervisor.password_hash is None,
                asye_latest_missed=person.id in latest_missed,
            )
        )
    load_history(db.session, history.finished_rows())


def assign_plans(demo: Demo, plans: dict[str, tuple[Plan, ...]]) -> dict[str, Plan]:
    assigned = {}
    for team_name, team_plans in plans.items():
        team = demo.teams[team_name]
        candidates = [
            person
            for person in demo.staff
            if person.team is team
            and person.active
            and person is not team.manager
            and person.password_hash is None
            and person.career_stage in PRACTITIONER_STAGES
        ]
        if len(candidates) < len(team_plans):
            raise ValueError(f"{team_name} has too few practitioners for its plans")
        for person, plan in zip(candidates, team_plans, strict=False):
            assigned[person.email] = plan
    return assigned
