"""One scope (issue 21): who a person oversees is one query (permissions.overseen_staff_query),
and every page that lists people derives from it, so a person listed is a person whose links
open, and a person not listed is a person whose pages answer 404.

Proven on the demo organisation and on a generated one, each with awkward cases added: a
director whose head of service reports to them (and a worker with no line manager in that
service), a worker with neither team nor line manager, a leaver, and a mover whose line
manager stayed in their old service.
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
from tests.conftest import FIXED_NOW, empty_database
from tests.factories import PASSWORD, make_staff, password_hash

# Viewers signed in as, per organisation: the awkward ones and an even sample of the rest.
MAX_VIEWERS = 10

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
        synth.generate(staff=100, years=1, seed=21)
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
    """Every manager, head and director holding one of `roles`, sampled evenly, awkward ones first."""
    everyone = list(
        db.session.scalars(
            sa.select(Staff)
            .where(Staff.active.is_(True), Staff.role_rows.any(StaffRole.role.in_(roles)))
            .order_by(Staff.id)
        )
    )
    first = [p for p in everyone if p.id in (awkward["director"], awkward["head"], awkward["mover_manager"])]
    rest = [p for p in everyone if p not in first]
    step = max(1, len(rest) // (MAX_VIEWERS - len(first)))
    return first + rest[::step][: MAX_VIEWERS - len(first)]


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


def test_everyone_on_a_dashboard_and_its_export_opens_and_nobody_else_does(shared_organisation, app):
    awkward = shared_organisation
    in_post = in_post_ids()
    for viewer in viewers(awkward, Role.SUPERVISOR, Role.SERVICE_MANAGER):
        client = signed_in(app, viewer)
        page = client.get("/team-dashboard")
        assert page.status_code == 200, viewer.name
        html = page.get_data(as_text=True)
        listed = {int(i) for i in SUPERVISION.findall(html)}
        for person_id in listed:
            assert status(client, f"/people/{person_id}/supervision") == 200, (viewer.name, person_id)
        for person_id in {int(i) for i in COMPLIANCE.findall(html)}:
            assert person_id in listed
            assert status(client, f"/people/{person_id}/compliance") == 200, (viewer.name, person_id)
        for index, person_id in enumerate(sorted(in_post - listed - {viewer.id})):
            assert status(client, f"/people/{person_id}/supervision") == 404, (viewer.name, person_id)
            if index % 5 == 0:  # the same check refuses it, after the slower compliance read
                assert status(client, f"/people/{person_id}/compliance") == 404, (viewer.name, person_id)
        # The export names exactly the people the page lists.
        export = client.get("/team-dashboard/export.csv").get_data(as_text=True)
        names = Counter(db.session.get(Staff, person_id).name for person_id in listed)
        exported = _names_in_first_table(export)
        assert exported == names, viewer.name
        if viewer.id == awkward["director"]:
            assert awkward["orphan"] not in listed and awkward["direct"] in listed


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
    awkward = shared_organisation
    in_post = in_post_ids()
    everyone = set(db.session.scalars(sa.select(Staff.id)))
    for viewer in viewers(awkward, Role.SERVICE_MANAGER):
        client = signed_in(app, viewer)
        top = client.get("/oversight")
        assert top.status_code == 200, viewer.name
        to_visit, seen, people = list(REPORT_LINK.findall(top.get_data(as_text=True))), set(), set()
        while to_visit:
            path = to_visit.pop().replace("&amp;", "&")
            if path in seen:
                continue
            seen.add(path)
            page = client.get(path)
            assert page.status_code == 200, (viewer.name, path)
            html = page.get_data(as_text=True)
            if match := REPORT_PERSON.match(path):
                person_id = int(match.group(1))
                people.add(person_id)
                for link in (*SUPERVISION.findall(html), *COMPLIANCE.findall(html)):
                    assert int(link) == person_id
                if person_id != viewer.id:
                    assert status(client, f"/people/{person_id}/supervision") == 200, (viewer.name, person_id)
                    assert status(client, f"/people/{person_id}/compliance") == 200, (viewer.name, person_id)
                continue
            to_visit += REPORT_LINK.findall(html)
            if "/oversight/teams/" in path:
                base, _, query = path.partition("?")
                team_export = client.get(f"{base}/export.csv?{query}")
                assert team_export.status_code == 200
                workers = _people_in_report_export(team_export.get_data(as_text=True))
                listed_here = {db.session.get(Staff, int(i)).name for i in REPORT_PERSON.findall(html)}
                assert workers == listed_here, (viewer.name, path)
        # Everyone listed is someone the viewer may see; everyone in post not listed is refused.
        for person_id in people - {viewer.id}:
            assert may_view_supervision_page(
                viewer, db.session.get(Staff, person_id), current_supervisor_id(person_id)
            )
        for person_id in (in_post | {awkward["leaver"]}) - people - {viewer.id}:
            assert status(client, f"/oversight/people/{person_id}") == 404, (viewer.name, person_id)
        if viewer.id == awkward["director"]:
            assert awkward["orphan"] not in people and awkward["direct"] in people
        if viewer.id == awkward["head"]:
            assert {awkward["orphan"], awkward["leaver"], awkward["mover"]} <= people
        assert people <= everyone
