"""A case's latest oversight on a day (cases.services.latest_oversight, what the lists, the home
counts, the reminders and the case history's status read): the latest discussion of its reference
on or before the day in a signed record of the organisation, the same day the full history of
its oversight dates gives."""

from datetime import date

import pytest

from supervision.cases.models import ChildCase
from supervision.cases.services import case_rows
from supervision.extensions import db
from supervision.org.models import Organisation, Role
from tests.cases.oversight_factories import discuss, make_case
from tests.factories import make_staff


@pytest.fixture
def discussed(people, clock):
    make_case(people.worker, "CP-A", opened_on=date(2026, 6, 1))
    discuss("CP-A", people.worker, people.supervisor, date(2026, 9, 1))
    discuss("CP-A", people.worker, people.supervisor, date(2026, 10, 1))
    discuss("CP-A", people.colleague, people.supervisor, date(2026, 10, 20))  # a colleague's record
    discuss("CP-A", people.worker, people.supervisor, date(2026, 11, 10), signed=False)
    elsewhere = Organisation(name="Elsewhere Council")
    db.session.add(elsewhere)
    outsider, their_supervisor = make_staff(Role.SOCIAL_WORKER), make_staff(Role.SUPERVISOR)
    outsider.organisation = their_supervisor.organisation = elsewhere
    db.session.commit()
    discuss("CP-A", outsider, their_supervisor, date(2026, 11, 15))  # the same reference elsewhere
    return people


def latest_on(organisation_id: int, day: date) -> tuple[date, ...]:
    [row] = case_rows(organisation_id, ChildCase.reference == "CP-A", as_of=day)
    return row.facts.oversight_dates


@pytest.mark.parametrize(
    ("day", "latest"),
    [
        (date(2026, 8, 31), ()),
        (date(2026, 9, 1), (date(2026, 9, 1),)),
        (date(2026, 10, 19), (date(2026, 10, 1),)),
        (date(2026, 10, 20), (date(2026, 10, 20),)),
        # Neither the later draft nor another organisation's discussion of the same reference.
        (date(2026, 11, 23), (date(2026, 10, 20),)),
    ],
)
def test_the_latest_oversight_is_the_latest_signed_discussion_of_the_organisation_on_or_before_the_day(
    discussed, day, latest
):
    organisation_id = discussed.worker.organisation_id
    assert latest_on(organisation_id, day) == latest
    [every] = case_rows(organisation_id, ChildCase.reference == "CP-A")
    assert every.facts.oversight_dates == (date(2026, 9, 1), date(2026, 10, 1), date(2026, 10, 20))
    assert latest == tuple(held_on for held_on in every.facts.oversight_dates if held_on <= day)[-1:]
