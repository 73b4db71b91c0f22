"""The shape of a synthetic organisation: services, teams, posts and the people who held them.

Each post is held by a chain of people over the years: someone leaves (with a reason and a
destination), the post stays vacant for a while, somebody new starts (often newly qualified,
sometimes from an agency). What happened in supervision is history.py's business.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal

from supervision.org.models import CareerStage, ContractType, LeavingDestination, Role

YEAR_DAYS = 365.25
TEAM_SIZE = (7, 13)  # people per team, the team manager included
TEAMS_PER_SERVICE = 20
SERVICE_KINDS = (
    "Early Help",
    "Assessment and Intervention",
    "Child Protection",
    "Children in Care",
    "Care Leavers",
    "Fostering",
    "Disabled Children",
)
AREAS = ("North", "South", "East", "West", "Central", "Coastal", "City", "Rural")
# Yearly chance of leaving: agency staff move on much faster (DfE census: ~16% turnover).
LEAVING_RATE = {ContractType.PERMANENT: 0.14, ContractType.FIXED_TERM: 0.3, ContractType.AGENCY: 0.45}
LEAVING = (
    ("Moved to another local authority", LeavingDestination.OTHER_LOCAL_AUTHORITY, 36),
    ("Higher pay as a locum", LeavingDestination.AGENCY, 18),
    ("Workload and stress", LeavingDestination.LEFT_SOCIAL_WORK, 16),
    ("Retired", LeavingDestination.RETIRED, 10),
    ("Relocated", LeavingDestination.OTHER, 12),
    ("Not recorded in the exit interview", None, 8),
)
GIVEN_NAMES = (
    "Aisha", "Ben", "Chloe", "Chidi", "Dafydd", "Eleanor", "Farah", "Grace", "Hamza", "Imogen",
    "Jamal", "Katarzyna", "Liam", "Mei", "Niamh", "Oluwaseun", "Patrick", "Rachel", "Sanjay",
    "Tomasz", "Uzma", "Victoria", "Wei", "Yasmin", "Zainab", "Callum", "Bethany", "Kwame",
    "Rhiannon", "Ibrahim", "Siobhan", "Harriet", "Ravi", "Leah", "Connor", "Fatima", "Georgia",
)  # fmt: skip
FAMILY_NAMES = (
    "Begum", "Usman", "Wright", "Okonkwo", "Evans", "Fitzgerald", "Hussain", "Mensah", "Iqbal",
    "Taylor", "Campbell", "Lewandowska", "Murphy", "Nguyen", "O'Brien", "Adeyemi", "Quinn",
    "Roberts", "Patel", "Kowalski", "Khan", "Thompson", "Xu", "Ahmed", "Osman", "Reid", "Price",
    "Asante", "Davies", "Chowdhury", "Gallagher", "Sutherland", "Shah", "Edwards", "Doherty",
)  # fmt: skip


@dataclass(frozen=True)
class PostKind:
    job_title: str
    career_stage: CareerStage
    registered: bool
    roles: tuple[Role, ...]
    caseload: tuple[int, int] | None


MANAGER = PostKind("Team manager", CareerStage.MANAGER, True, (Role.SUPERVISOR,), None)
SENIOR = PostKind(
    "Senior practitioner",
    CareerStage.SENIOR_PRACTITIONER,
    True,
    (Role.SOCIAL_WORKER, Role.SUPERVISOR),
    (8, 14),
)
SOCIAL_WORKER = PostKind("Social worker", CareerStage.SOCIAL_WORKER, True, (Role.SOCIAL_WORKER,), (14, 22))
ASYE = PostKind(
    "Newly qualified social worker (ASYE)", CareerStage.ASYE, True, (Role.SOCIAL_WORKER,), (8, 12)
)
PERSONAL_ADVISER = PostKind("Personal adviser", CareerStage.OTHER, False, (Role.SOCIAL_WORKER,), (18, 25))
HEAD_OF_SERVICE = PostKind("Head of Service", CareerStage.MANAGER, True, (Role.SERVICE_MANAGER,), None)
DIRECTOR = PostKind(
    "Director of Children's Services", CareerStage.MANAGER, True, (Role.SERVICE_MANAGER,), None
)
HR = PostKind("HR business partner", CareerStage.OTHER, False, (Role.HR,), None)
ADMIN = PostKind("Systems administrator", CareerStage.OTHER, False, (Role.ADMIN,), None)


@dataclass(slots=True)
class Person:
    id: int
    kind: PostKind
    given_name: str
    family_name: str
    contract: ContractType
    fte: Decimal
    start_date: date
    end_date: date | None = None
    leaving_reason: str | None = None
    leaving_destination: LeavingDestination | None = None
    team_id: int | None = None
    line_manager_id: int | None = None
    newly_qualified: bool = False  # started as an ASYE: the first year is ASYE-staged

    @property
    def career_stage(self) -> CareerStage:
        return self.kind.career_stage

    def in_post_on(self, day: date) -> bool:
        return self.start_date <= day and (self.end_date is None or day <= self.end_date)


@dataclass(slots=True)
class Post:
    """One funded post and everyone who held it, in order."""

    kind: PostKind
    holders: list[Person] = field(default_factory=list)

    def holder_on(self, day: date) -> Person | None:
        for person in reversed(self.holders):
            if person.in_post_on(day):
                return person
        return None


@dataclass(slots=True)
class Team:
    id: int
    service_id: int
    name: str
    establishment_fte: Decimal
    manager_post: Post
    senior_post: Post
    posts: list[Post]  # the practitioners' posts

    @property
    def manager_id(self) -> int | None:
        return self.manager_post.holders[-1].id if self.manager_post.holders else None

    def people(self) -> list[Person]:
        return [
            person for post in (self.manager_post, self.senior_post, *self.posts) for person in post.holders
        ]


@dataclass(slots=True)
class ServiceUnit:
    id: int
    name: str
    head_post: Post
    team_ids: list[int] = field(default_factory=list)


@dataclass
class PlannedOrganisation:
    name: str
    today: date
    now: datetime
    history_from: date
    seed: int
    services: list[ServiceUnit]
    teams: list[Team]
    people: list[Person]
    director: Person


class Planner:
    def __init__(self, history_from: date, today: date, seed: int):
        self.rng = random.Random(seed)  # noqa: S311 (made-up people, not secrets)
        self.history_from = history_from
        self.today = today
        self.people: list[Person] = []

    def person(self, kind: PostKind, start_date: date, contract=ContractType.PERMANENT, **values) -> Person:
        rng = self.rng
        fte = (
            Decimal("1")
            if rng.random() < 0.8
            else rng.choice((Decimal("0.8"), Decimal("0.6"), Decimal("0.5")))
        )
        person = Person(
            id=len(self.people) + 1,
            kind=kind,
            given_name=rng.choice(GIVEN_NAMES),
            family_name=rng.choice(FAMILY_NAMES),
            contract=contract,
            fte=fte if kind.caseload else Decimal("1"),
            start_date=start_date,
            **values,
        )
        self.people.append(person)
        return person

    def years_before(self, day: date, low: float, high: float) -> date:
        return day - timedelta(days=round(self.rng.uniform(low, high) * YEAR_DAYS))

    def fill(self, kind: PostKind, team_id: int | None, practitioner: bool = False) -> Post:
        """The chain of people in one post from before the history starts until today."""
        rng, post = self.rng, Post(kind)
        contract = ContractType.AGENCY if practitioner and rng.random() < 0.1 else ContractType.PERMANENT
        start = self.years_before(self.history_from, 0.2, 12)
        newly_qualified = False
        while True:
            person = self.person(
                ASYE if newly_qualified and self.today - start < timedelta(days=365) else kind,
                start,
                contract,
                team_id=team_id,
                newly_qualified=newly_qualified,
            )
            post.holders.append(person)
            stays = timedelta(days=round(rng.expovariate(LEAVING_RATE[contract]) * YEAR_DAYS))
            leaves = max(start, self.history_from) + stays
            if leaves >= self.today:
                return post
            reason, destination, _ = rng.choices(LEAVING, weights=[w for *_, w in LEAVING])[0]
            person.end_date, person.leaving_reason, person.leaving_destination = leaves, reason, destination
            start = leaves + timedelta(days=rng.randint(14, 120))  # the post stands vacant a while
            if start >= self.today:
                return post
            newly_qualified = practitioner and rng.random() < 0.3
            contract = (
                ContractType.AGENCY
                if practitioner and rng.random() < 0.12
                else rng.choice((ContractType.PERMANENT,) * 5 + (ContractType.FIXED_TERM,))
            )


def team_name(service_name: str, number: int) -> str:
    return f"{service_name.split(' – ')[0]} Team {number}"


def plan_organisation(
    staff: int, history_from: date, today: date, now: datetime, seed: int
) -> PlannedOrganisation:
    """About `staff` people in post today, in teams of 7 to 13, 20 teams to a service."""
    planner = Planner(history_from, today, seed)
    rng = planner.rng
    director = planner.person(DIRECTOR, planner.years_before(history_from, 1, 4))
    for kind in (HR, ADMIN):
        planner.person(kind, planner.years_before(today, 1, 6))
    sizes: list[int] = []
    while sum(sizes) < staff - 4:
        sizes.append(rng.randint(*TEAM_SIZE))
    services: list[ServiceUnit] = []
    teams: list[Team] = []
    for index, size in enumerate(sizes):
        if index % TEAMS_PER_SERVICE == 0:
            number = len(services)
            area = AREAS[number // len(SERVICE_KINDS) % len(AREAS)]
            name = f"{SERVICE_KINDS[number % len(SERVICE_KINDS)]} – {area}"
            if number >= len(SERVICE_KINDS) * len(AREAS):
                name += f" {number // (len(SERVICE_KINDS) * len(AREAS)) + 1}"
            head = planner.fill(HEAD_OF_SERVICE, None)
            for person in head.holders:
                person.line_manager_id = director.id
            services.append(ServiceUnit(len(services) + 1, name, head))
        service = services[-1]
        team_id = len(teams) + 1
        manager = planner.fill(MANAGER, team_id)
        senior = planner.fill(SENIOR, team_id, practitioner=True)
        practice = PERSONAL_ADVISER if "Care Leavers" in service.name else SOCIAL_WORKER
        posts = [planner.fill(practice, team_id, practitioner=True) for _ in range(max(size - 2, 1))]
        # Funded posts: one per post, and in most teams one or two more that stand unfilled.
        team = Team(
            team_id,
            service.id,
            team_name(service.name, len(service.team_ids) + 1),
            Decimal(len(posts) + 2 + rng.choice((0, 0, 1, 1, 2))),
            manager,
            senior,
            posts,
        )
        head_now = service.head_post.holders[-1].id
        for person in manager.holders:
            person.line_manager_id = head_now
        for person in (p for post in (senior, *posts) for p in post.holders):
            person.line_manager_id = team.manager_id
        service.team_ids.append(team_id)
        teams.append(team)
    return PlannedOrganisation(
        name="Synthshire Children's Services",
        today=today,
        now=now,
        history_from=history_from,
        seed=seed,
        services=services,
        teams=teams,
        people=planner.people,
        director=director,
    )
