"""One scope (issue 21): who a person oversees is one query (permissions.overseen_staff_query),
and every page that lists people derives from it, so a person listed is a person whose links
open, and a person not listed is a person whose pages answer 404.

Proven on the demo organisation and on a small generated one (three teams), each with awkward
cases added: a director whose head of service reports to them (and a worker with no line
manager in that service), a worker with neither team nor line manager, a leaver, and a mover
whose line manager stayed in their old service.

Every pair of viewer and person listed or not is decided by the pages' own checks (the ones
whose False is their 404), and the first test proves the scope query equals the pure walk for
every pair. Real requests, counted so the module stays cheap: every listing page and export of
each viewer; each person's pages once across the viewers, and again for every viewer for the
awkward people; of those a viewer may not open, the awkward ones and a sample.
"""

from __future__ import annotations

import csv
import io
import re
from collections import Counter
from datetime import timedelta

import pytest
import sqlalchemy as sa

from supervision import synth
from supervision.agreements.services import current_supervisor_id
from supervision.clock import FixedClock, SystemClock
from supervision.demo import seed_demo
from supervision.extensions import db
from supervision.org.models import Role, Service, Staff, StaffRole, Team
from supervision.permissions import (
    is_in_oversight_line,
    may_view_supervision_page,
    overseen_ids,
    overseen_staff_query,
)
from supervision.reports.services import Level, oversees
from tests.conftest import FIXED_NOW, empty_database
from tests.factories import PASSWORD, make_staff, password_hash

# Of the people a viewer may not open, every awkward one and every REFUSAL_SAMPLE-th of the rest
# are asked for by real requests; the route's own check refuses each of them.
REFUSAL_SAMPLE = 8

SUPERVISION = re.compile(r"/people/(\d+)/supervision")
COMPLIANCE = re.compile(r"/people/(\d+)/compliance")
REPORT_LINK = re.compile(r'href="(/oversight/(?:services|teams|people)/\d+(?:\?[^"]*)?)"')
REPORT_PERSON = re.compile(r"/oversight/people/(\d+)")


@pytest.fixture(scope="module", params=["demo", "synth"])
def shared_organisation(request, app):
    app.extensions["clock"] = FixedClock(FIXED_NOW)
    if request.param == "demo":
        seed_demo()
    else:
        synth.generate(staff=30, years=1, seed=21)
    awkward = add_awkward_cases()
    yield awkward
    app.extensions["clock"] = SystemClock()
    empty_database()


def add_awkward_cases() -> dict[str, int]:
    today = FIXED_NOW.date()
    service = db.session.scalars(
        sa.select(Service).where(Service.manager_id.is_not(None), Service.teams.any()).order_by(Service.id)
    ).first()
    team, target = sorted(service.teams, key=lambda t: t.id)[0], sorted(service.teams, key=lambda t: t.id)[-1]
    # A team outside the head's service where there is one (the generated one has one service).
    other = db.session.scalars(
        sa.select(Team).where(Team.id != team.id).order_by(Team.service_id == service.id, Team.id)
    ).first()
    director = make_staff(Role.SERVICE_MANAGER, Role.SUPERVISOR, given_name="Dana", family_name="Director")
    # The director above the head of service: they oversee the head and the head's line, but
    # not a worker in the head's service with no line manager.
    service.manager.line_manager = director
    orphan = make_staff(team=team, given_name="Orla", family_name="Orphan")
    loner = make_staff(given_name="Lone", family_name="Nobody")  # no team, no line manager
    direct = make_staff(team=other, line_manager=director, given_name="Dora", family_name="Direct")
    leaver = make_staff(
        team=team,
        line_manager=team.manager,
        given_name="Lee",
        family_name="Leaver",
        end_date=today - timedelta(days=20),
        active=False,
    )
    # A mover: now in the last team of the head's service, line-managed still from their old team.
    mover = db.session.scalars(
        sa.select(Staff)
        .join(Team, Team.id == Staff.team_id)
        .where(
            Team.id != target.id,
            Staff.line_manager_id.is_not(None),
            Staff.end_date.is_(None),
            Staff.id.not_in(sa.select(Team.manager_id).where(Team.manager_id.is_not(None))),
            Staff.id.not_in(sa.select(Service.manager_id).where(Service.manager_id.is_not(None))),
        )
        .order_by(Staff.id)
    ).first()
    mover.team = target
    # Everyone may sign in with the factories' password.
    hashed = password_hash()
    db.session.execute(sa.update(Staff).values(password_hash=hashed))
    db.session.commit()
    return {
        "director": director.id,
        "head": service.manager_id,
        "orphan": orphan.id,
        "loner": loner.id,
        "direct": direct.id,
        "leaver": leaver.id,
        "mover": mover.id,
        "mover_manager": mover.line_manager_id,
    }


def viewers(awkward: dict[str, int], *roles: Role) -> list[Staff]:
    """Those holding one of `roles` whose scopes differ in kind: the awkward ones (the director
    above the head, the head, the mover's line manager), every other holder of the service
    manager role (each organisation's own director and heads of service) and one more team
    manager. Others (the remaining team managers and supervisors) see a team or their
    supervisees as these do; `test_the_scope_query_is_the_object_check_for_every_pair` covers
    every viewer."""
    holders = list(
        db.session.scalars(
            sa.select(Staff)
            .where(Staff.active.is_(True), Staff.role_rows.any(StaffRole.role.in_(roles)))
            .order_by(Staff.id)
        )
    )
    awkward_ids = (awkward["director"], awkward["head"], awkward["mover_manager"])
    managers = set(db.session.scalars(sa.select(Team.manager_id).where(Team.manager_id.is_not(None))))
    chosen = [p for p in holders if p.id in awkward_ids]
    chosen += [p for p in holders if p not in chosen and p.has_role(Role.SERVICE_MANAGER)]
    chosen += [p for p in holders if p not in chosen and p.id in managers][:1]
    return chosen


def signed_in(app, viewer: Staff):
    client = app.test_client()
    response = client.post("/sign-in", data={"email": viewer.email, "password": PASSWORD})
    assert response.status_code == 302, viewer.email
    return client


def status(client, path: str) -> int:
    return client.get(path).status_code


def in_post_ids() -> set[int]:
    today = FIXED_NOW.date()
    return set(
        db.session.scalars(
            sa.select(Staff.id).where(
                Staff.active.is_(True),
                Staff.start_date <= today,
                sa.or_(Staff.end_date.is_(None), Staff.end_date >= today),
            )
        )
    )


def test_the_scope_query_is_the_object_check_for_every_pair(shared_organisation):
    """`overseen_staff_query` (one statement) and `is_in_oversight_line` (the pure walk) agree
    for every viewer and every person of the organisation."""
    people = list(db.session.scalars(sa.select(Staff).order_by(Staff.id)))
    for viewer in people:
        expected = {person.id for person in people if is_in_oversight_line(viewer, person)}
        assert overseen_ids(viewer) == expected, viewer.name


def test_the_awkward_cases_are_in_the_scope_they_should_be(shared_organisation):
    awkward = shared_organisation
    director = db.session.get(Staff, awkward["director"])
    scope = set(db.session.scalars(overseen_staff_query(director)))
    assert awkward["head"] in scope
    assert awkward["direct"] in scope
    assert awkward["orphan"] not in scope  # no line manager: the director is not above them
    assert awkward["loner"] not in scope
    head = db.session.get(Staff, awkward["head"])
    head_scope = set(db.session.scalars(overseen_staff_query(head)))
    assert {awkward["orphan"], awkward["mover"], awkward["leaver"]} <= head_scope
    mover_manager = db.session.get(Staff, awkward["mover_manager"])
    assert awkward["mover"] in set(db.session.scalars(overseen_staff_query(mover_manager)))


def may_open(viewer: Staff, person_id: int) -> bool:
    """The check the supervision and compliance pages make (a 404 when it is False)."""
    person = db.session.get(Staff, person_id)
    return may_view_supervision_page(viewer, person, current_supervisor_id(person_id))


def in_report(viewer: Staff, person_id: int) -> bool:
    """The check the oversight report makes of a person (a 404 when it is False)."""
    return oversees(viewer, Level.PERSON, person_id)


def assert_opens(
    client, viewer: Staff, people: set[int], page: str, opened: set[str], awkward: set[int]
) -> None:
    """`viewer` may open each person's `page` ("supervision" or "compliance") by the page's own
    check, and a real request opens it the first time any viewer lists the person (`opened`
    keeps count), for every awkward person and for the viewer's first."""
    for index, person_id in enumerate(sorted(people)):
        assert may_open(viewer, person_id), (viewer.name, person_id)
        path = f"/people/{person_id}/{page}"
        if path not in opened or person_id in awkward or index == 0:
            opened.add(path)
            assert status(client, path) == 200, (viewer.name, path)


def assert_refused(client, viewer: Staff, people: set[int], allowed, paths, awkward: set[int]) -> None:
    """`allowed` (the pages' own check) refuses `viewer` every one of `people`, and so do real
    requests for each of their `paths` for the awkward ones and every REFUSAL_SAMPLE-th other."""
    ordered = sorted(people)
    sample = set(ordered[::REFUSAL_SAMPLE]) | (people & awkward)
    for person_id in ordered:
        assert not allowed(viewer, person_id), (viewer.name, person_id)
        if person_id in sample:
            for path in paths(person_id):
                assert status(client, path) == 404, (viewer.name, path)


def test_everyone_on_a_dashboard_and_its_export_opens_and_nobody_else_does(shared_organisation, app):
    """Each viewer's dashboard lists exactly the people in post whose supervision page the page's
    own check (`may_view_supervision_page`) opens, its compliance links are among them, and its
    export names the same people. Which pairs are also real requests: `assert_opens` and
    `assert_refused` say."""
    awkward = shared_organisation
    awkward_ids = set(awkward.values())
    in_post = in_post_ids()
    opened: set[str] = set()
    supervisees_listed = False
    for viewer in viewers(awkward, Role.SUPERVISOR, Role.SERVICE_MANAGER):
        client = signed_in(app, viewer)
        page = client.get("/team-dashboard")
        assert page.status_code == 200, viewer.name
        html = page.get_data(as_text=True)
        listed = {int(i) for i in SUPERVISION.findall(html)}
        with_compliance = {int(i) for i in COMPLIANCE.findall(html)}
        assert with_compliance <= listed, viewer.name
        assert_opens(client, viewer, listed, "supervision", opened, awkward_ids)
        assert_opens(client, viewer, with_compliance, "compliance", opened, awkward_ids)
        assert_refused(
            client,
            viewer,
            in_post - listed - {viewer.id},
            may_open,
            lambda i: (f"/people/{i}/supervision", f"/people/{i}/compliance"),
            awkward_ids,
        )
        # The export names exactly the people the page lists.
        export = client.get("/team-dashboard/export.csv").get_data(as_text=True)
        names = Counter(db.session.get(Staff, person_id).name for person_id in listed)
        exported = _names_in_first_table(export)
        assert exported == names, viewer.name
        supervisees_listed |= bool(listed - overseen_ids(viewer))
        if viewer.id == awkward["director"]:
            assert awkward["orphan"] not in listed and awkward["direct"] in listed
    # Some viewer's dashboard lists a supervisee they do not oversee: that way in is covered too.
    assert supervisees_listed


def _names_in_first_table(text: str) -> Counter:
    """The first column of the CSV's first table after its header row (the people)."""
    rows = list(csv.reader(io.StringIO(text)))
    start = next(i for i, row in enumerate(rows) if row and row[0] == "Name") + 1
    found = Counter()
    for row in rows[start:]:
        if not row or not row[0]:
            break
        found[row[0]] += 1
    return found


def _people_in_report_export(text: str) -> set[str]:
    """The names of the workers rows and of the staff-by-month grid of an oversight export."""
    names, title = set(), None
    rows = list(csv.reader(io.StringIO(text)))
    for previous, row in zip([[], *rows], rows, strict=False):
        if not previous and row:
            title = row[0]
        elif row and row[0] == "Worker":
            names.add(row[1])
        elif row and title == "Staff by month" and row[0] != "Name":
            names.add(row[0])
    return names


def test_everyone_in_an_oversight_drill_down_opens_and_nobody_else_does(shared_organisation, app):
    """Each service manager's report, walked from the top through every service and team page
    (each a real request), lists exactly the people in post or leaving whom the report's own
    check of a person counts; `may_view_supervision_page` opens the supervision and compliance
    pages of each of them, and each team's export names the people its page lists (fetched once
    for each different list a team's page shows). A person's report page is opened by a real
    request the first time any viewer's report lists them, and for every viewer listing an
    awkward person; its links lead to that person only. Which other pairs are real requests:
    `assert_opens` and `assert_refused` say."""
    awkward = shared_organisation
    awkward_ids = set(awkward.values())
    in_post = in_post_ids()
    everyone = set(db.session.scalars(sa.select(Staff.id)))
    opened: set[str] = set()
    exported: set[tuple[str, frozenset[int]]] = set()
    for viewer in viewers(awkward, Role.SERVICE_MANAGER):
        client = signed_in(app, viewer)
        top = client.get("/oversight")
        assert top.status_code == 200, viewer.name
        to_visit, seen = list(REPORT_LINK.findall(top.get_data(as_text=True))), set()
        people: dict[int, str] = {}  # each person listed, and the link to their report page
        while to_visit:
            # Without its fragment ("#case-oversight"): the server is sent the same request either way.
            path = to_visit.pop().replace("&amp;", "&").partition("#")[0]
            if path in seen:
                continue
            seen.add(path)
            if match := REPORT_PERSON.match(path):
                people.setdefault(int(match.group(1)), path)
                continue
            page = client.get(path)
            assert page.status_code == 200, (viewer.name, path)
            html = page.get_data(as_text=True)
            to_visit += REPORT_LINK.findall(html)
            listed_here = frozenset(int(i) for i in REPORT_PERSON.findall(html))
            if "/oversight/teams/" in path and (path, listed_here) not in exported:
                exported.add((path, listed_here))
                base, _, query = path.partition("?")
                team_export = client.get(f"{base}/export.csv?{query}")
                assert team_export.status_code == 200
                workers = _people_in_report_export(team_export.get_data(as_text=True))
                assert workers == {db.session.get(Staff, i).name for i in listed_here}, (viewer.name, path)
        for person_id, path in sorted(people.items()):
            assert in_report(viewer, person_id), (viewer.name, person_id)
            if path in opened and person_id not in awkward_ids:
                continue
            opened.add(path)
            page = client.get(path)
            assert page.status_code == 200, (viewer.name, path)
            html = page.get_data(as_text=True)
            for link in (*SUPERVISION.findall(html), *COMPLIANCE.findall(html)):
                assert int(link) == person_id
        others = set(people) - {viewer.id}
        assert_opens(client, viewer, others, "supervision", opened, awkward_ids)
        assert_opens(client, viewer, others, "compliance", opened, awkward_ids)
        assert_refused(
            client,
            viewer,
            (in_post | {awkward["leaver"]}) - set(people) - {viewer.id},
            in_report,
            lambda i: (f"/oversight/people/{i}",),
            awkward_ids,
        )
        if viewer.id == awkward["director"]:
            assert awkward["orphan"] not in people and awkward["direct"] in people
        if viewer.id == awkward["head"]:
            assert {awkward["orphan"], awkward["leaver"], awkward["mover"]} <= set(people)
        assert set(people) <= everyone
