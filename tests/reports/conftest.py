"""A small organisation whose supervision history has been worked out by hand.

Today is Monday 23 November 2026 (the `clock` fixture). The default report period is
1 September 2026 to today. Policy defaults: every 28 days, due soon within 5 working days,
escalated after 10 working days overdue, records signed within 5 working days.

Assessment service (head: Hana Head)
  Team A (manager and supervisor: Sam)
    Alice: agreed 1 Jun; held 22 Jun, 20 Jul, 7 Sep (late: 17 Aug was missed), 5 Oct; due 2 Nov,
           missed, so 21 days (15 working days) overdue: escalated. In the period: 1 of 3 intervals
           met on time (7 Sep ended a gap: met, but late); gaps 20 Jul→7 Sep 49 days,
           7 Sep→5 Oct 28 days, 5 Oct→today 49 days.
           Records: 7 Sep signed 10 Sep (on time, complete); 5 Oct signed 20 Oct (late, incomplete,
           disagreement). A session booked for 2 Nov was cancelled. Reason recorded for the gap
           due 2 Nov: workload. One open action due 10 Nov: overdue.
    Bob:   new starter, employed 1 Oct, agreed 5 Oct, held 26 Oct (met; 21 days' wait), record
           signed the same day and complete, audited "good" on 20 Nov. Due today: due soon.
    Cara:  no agreement.
    Dev:   agreed 6 Jul, held 3 Aug, on parental leave from 10 Aug to 28 Feb 2027: paused; his
           gap so far counts 6 days (4–9 August).
  Team B (manager and supervisor: Tess)
    Eve:   agreed 1 Sep, held 28 Sep and 26 Oct, both on time; due today.
Children in Care service (head: Olive), Team C (supervisor: Omar): Finn, overdue.
"""

from datetime import UTC, date, datetime
from types import SimpleNamespace

import pytest

from supervision.agreements.models import AbsenceKind
from supervision.compliance.models import GapReason
from supervision.extensions import db
from supervision.org.models import Role
from supervision.records.models import CancelledBy, SessionStatus
from supervision.reports.models import Grade
from tests.factories import (
    make_absence,
    make_action,
    make_agreement,
    make_overdue_explanation,
    make_quality_audit,
    make_record,
    make_service,
    make_session,
    make_staff,
    make_team,
)
from tests.replay import replayed

TODAY = date(2026, 11, 23)


def at(day: date, hour: int = 10) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=UTC)


def held(supervisor, person, on: date, signed_on: date | None = None, complete=True, disagrees=False):
    """A held session with its record; signed by the supervisor on `signed_on` if given."""
    record = make_record(person, supervisor, held_on=on, complete=complete)
    if signed_on is not None:
        record.supervisor_signed_at = at(signed_on, 16)
    record.supervisee_disagrees = disagrees
    db.session.commit()
    return record


def cancelled(supervisor, person, on: date):
    return make_session(
        supervisor,
        person,
        starts_at=at(on),
        status=SessionStatus.CANCELLED,
        cancelled_reason="Supervisor called to a child protection visit",
        cancelled_by=CancelledBy.SUPERVISOR,
    )


@pytest.fixture
@replayed
def org(app, clock):
    director = make_staff(Role.SERVICE_MANAGER, given_name="Dina", family_name="Director")
    hana = make_staff(Role.SERVICE_MANAGER, given_name="Hana", family_name="Head", line_manager=director)
    olive = make_staff(Role.SERVICE_MANAGER, given_name="Olive", family_name="Other-Head")
    assessment = make_service("Assessment", manager=hana)
    children_in_care = make_service("Children in Care", manager=olive)
    sam = make_staff(Role.SUPERVISOR, given_name="Sam", family_name="Supervisor", line_manager=hana)
    tess = make_staff(Role.SUPERVISOR, given_name="Tess", family_name="Teamlead", line_manager=hana)
    omar = make_staff(Role.SUPERVISOR, given_name="Omar", family_name="Other", line_manager=olive)
    team_a = make_team("Assessment A", service=assessment, manager=sam)
    team_b = make_team("Assessment B", service=assessment, manager=tess)
    team_c = make_team("Care C", service=children_in_care, manager=omar)

    alice = make_staff(given_name="Alice", family_name="Adams", team=team_a, line_manager=sam)
    bob = make_staff(
        given_name="Bob", family_name="Brown", team=team_a, line_manager=sam, start_date=date(2026, 10, 1)
    )
    cara = make_staff(given_name="Cara", family_name="Cole", team=team_a, line_manager=sam)
    dev = make_staff(given_name="Dev", family_name="Dutta", team=team_a, line_manager=sam)
    eve = make_staff(given_name="Eve", family_name="Evans", team=team_b, line_manager=tess)
    finn = make_staff(given_name="Finn", family_name="Fox", team=team_c, line_manager=omar)
    hr = make_staff(Role.HR, given_name="Harriet", family_name="Hr")
    admin = make_staff(Role.ADMIN, given_name="Ade", family_name="Admin")

    alice_agreement = make_agreement(alice, sam, agreed_on=date(2026, 6, 1))
    held(sam, alice, date(2026, 6, 22), signed_on=date(2026, 6, 23))
    held(sam, alice, date(2026, 7, 20), signed_on=date(2026, 7, 21))
    alice_september = held(sam, alice, date(2026, 9, 7), signed_on=date(2026, 9, 10))
    alice_october = held(
        sam, alice, date(2026, 10, 5), signed_on=date(2026, 10, 20), complete=False, disagrees=True
    )
    cancelled(sam, alice, date(2026, 11, 2))
    make_overdue_explanation(alice, sam, date(2026, 11, 2), GapReason.WORKLOAD)
    make_action(alice_october, due_on=date(2026, 11, 10))

    make_agreement(bob, sam, agreed_on=date(2026, 10, 5))
    bob_record = held(sam, bob, date(2026, 10, 26), signed_on=date(2026, 10, 26))
    make_quality_audit(bob_record, hana, Grade.GOOD, audited_at=at(date(2026, 11, 20)))

    make_agreement(dev, sam, agreed_on=date(2026, 7, 6))
    held(sam, dev, date(2026, 8, 3), signed_on=date(2026, 8, 4))
    make_absence(dev, date(2026, 8, 10), date(2027, 2, 28), AbsenceKind.PARENTAL)

    make_agreement(eve, tess, agreed_on=date(2026, 9, 1))
    held(tess, eve, date(2026, 9, 28), signed_on=date(2026, 9, 29))
    held(tess, eve, date(2026, 10, 26), signed_on=date(2026, 10, 27))

    make_agreement(finn, omar, agreed_on=date(2026, 6, 1))
    held(omar, finn, date(2026, 6, 15), signed_on=date(2026, 6, 16))

    return SimpleNamespace(**{name: value for name, value in locals().items() if name != "app"})
