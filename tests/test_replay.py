"""tests/replay.py puts back exactly what a fixture built, and builds again whenever it cannot know."""

import itertools
from datetime import date
from types import SimpleNamespace

import pytest
import sqlalchemy as sa

from supervision.extensions import db
from supervision.org.models import Role
from tests.conftest import empty_database
from tests.factories import make_agreement, make_staff, make_team
from tests.replay import NotReplayable, _contents, _digest, replayed

_builds = itertools.count()


def _fresh_builders():
    """Three fixture-like functions, named apart from every earlier call's (recordings last a process)."""
    built = []

    def team(app, clock):
        built.append("team")
        manager = make_staff(Role.SUPERVISOR, given_name="Sam")
        team = make_team(manager=manager)
        worker = make_staff(team=team, line_manager=manager, given_name="Wren")
        clock.advance(days=1)
        return SimpleNamespace(
            manager=manager, team=team, members=[worker], named={"worker": worker}, clock=clock
        )

    def agreement(people):
        built.append("agreement")
        return make_agreement(people.members[0], people.manager, agreed_on=date(2026, 6, 1))

    def unrecordable(app, client):
        built.append("unrecordable")
        return make_staff()

    number = next(_builds)
    for build in (team, agreement, unrecordable):
        build.__qualname__ += f"#{number}"
    return built, replayed(team), replayed(agreement), replayed(unrecordable)


def test_a_replay_writes_the_same_rows_and_gives_the_same_objects(app, clock):
    built, team, agreement, _ = _fresh_builders()
    first = team(app=app, clock=clock)
    first_agreement = agreement(people=first)
    rows_built, clock_built = _digest(_contents()), clock.now()
    names = (first.manager.given_name, first.named["worker"].line_manager_id, first_agreement.supervisee_id)

    empty_database()
    clock.advance(days=-1)
    again = team(app=app, clock=clock)
    again_agreement = agreement(people=again)

    assert built == ["team", "agreement"]
    assert _digest(_contents()) == rows_built
    assert clock.now() == clock_built
    worker = again.named["worker"]
    assert (again.manager.given_name, worker.line_manager_id, again_agreement.supervisee_id) == names
    assert again.members[0] is again.named["worker"]
    assert again.team.manager is again.manager
    assert again.clock is clock


def test_it_builds_again_from_other_rows_or_another_time(app, clock):
    built, team, _, _ = _fresh_builders()
    team(app=app, clock=clock)
    empty_database()
    team(app=app, clock=clock)  # the clock now reads a day later: another key
    make_staff()
    team(app=app, clock=clock)  # other rows to start from
    assert built == ["team", "team", "team"]


def test_a_fixture_it_cannot_record_faithfully_is_refused(app, client):
    _, _, _, unrecordable = _fresh_builders()
    with pytest.raises(NotReplayable, match="IsolatedClient"):
        unrecordable(app=app, client=client)


def test_rows_put_back_are_never_drawn_again_as_new_ids(app, clock):
    _, team, _, _ = _fresh_builders()
    first = team(app=app, clock=clock)
    drawn = sorted(person.id for person in (first.manager, *first.members))
    empty_database()
    if db.engine.dialect.name == "postgresql":
        # As the synthetic-history loader does: the staff sequence set back below the ids drawn.
        below = sa.text("SELECT setval(pg_get_serial_sequence('staff', 'id'), :below, false)")
        db.session.execute(below, {"below": drawn[0]})
        db.session.commit()
    clock.advance(days=-1)
    team(app=app, clock=clock)

    newcomer = make_staff()  # would draw the manager's id again, had the replay left the sequence

    assert newcomer.id > drawn[-1]
