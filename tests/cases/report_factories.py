"""Cases and their oversight, for the report, case history and case-note tests (issue 19, part 3).

Today is Monday 23 November 2026 (the `clock` fixture).

Assessment service (head: Hana Head, service manager)
  Team A (supervisor: Sam Supervisor): Wren Worker, Cal Colleague
  Team B (supervisor: Tess Teamlead): Bea Bystander
Other service, Team O (supervisor: Olu Other): Sol Stranger
Harriet Hr (HR), Ade Admin (administrator)
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from types import SimpleNamespace

import pytest

from supervision.cases.models import CaseAllocation, ChildCase
from supervision.cases.rules import CaseCategory
from supervision.extensions import db
from supervision.org.models import Role, Staff
from supervision.records.models import CaseDiscussion, SupervisionRecord
from tests.factories import make_action, make_agreement, make_record, make_service, make_staff, make_team
from tests.replay import replayed

TODAY = date(2026, 11, 23)
PERSONAL_TEXT = "PERSONAL-WELLBEING-TEXT"


def make_case(
    worker: Staff,
    reference: str,
    category: CaseCategory = CaseCategory.CHILD_PROTECTION,
    opened_on: date = date(2026, 9, 1),
    closed_on: date | None = None,
    moved_to: tuple[tuple[Staff, date], ...] = (),
) -> ChildCase:
    """A case first allocated to `worker`, then moved to each (worker, day) of `moved_to` in turn."""
    now = datetime.now(UTC)
    holders = [(worker, opened_on), *moved_to]
    allocations = [
        CaseAllocation(
            worker_id=holder.id,
            allocated_on=start,
            ended_on=holders[index + 1][1] - timedelta(days=1) if index + 1 < len(holders) else closed_on,
        )
        for index, (holder, start) in enumerate(holders)
    ]
    case = ChildCase(
        organisation_id=worker.organisation_id,
        reference=reference,
        category=category,
        worker_id=holders[-1][0].id,
        opened_on=opened_on,
        closed_on=closed_on,
        created_at=now,
        updated_at=now,
        allocations=allocations,
    )
    db.session.add(case)
    db.session.commit()
    return case


def make_oversight(
    supervisor: Staff,
    worker: Staff,
    reference: str,
    on: date,
    decision: str = "Hold a strategy discussion.",
    signed: bool = True,
    actions: tuple[str, ...] = (),
) -> SupervisionRecord:
    """A held session's record discussing `reference` (signed by the supervisor unless `signed` is
    False), whose personal sections hold PERSONAL_TEXT."""
    record = make_record(
        worker,
        supervisor,
        held_on=on,
        signed_by_supervisor=signed,
        wellbeing=PERSONAL_TEXT,
        health_and_leave=PERSONAL_TEXT,
        reflection=PERSONAL_TEXT,
        learning=PERSONAL_TEXT,
    )
    now = datetime.now(UTC)
    discussion = CaseDiscussion(
        record_id=record.id,
        case_reference=reference,
        summary=f"Summary of {reference} on {on.isoformat()}",
        analysis=f"Analysis of {reference}",
        decision=decision,
        created_at=now,
        updated_at=now,
    )
    db.session.add(discussion)
    db.session.commit()
    for description in actions:
        make_action(record, owner=worker, description=description, case_discussion_id=discussion.id)
    return record


@pytest.fixture
@replayed
def case_people(app, clock):
    hana = make_staff(Role.SERVICE_MANAGER, Role.SUPERVISOR, given_name="Hana", family_name="Head")
    assessment = make_service("Assessment", manager=hana)
    sam = make_staff(Role.SUPERVISOR, given_name="Sam", family_name="Supervisor", line_manager=hana)
    tess = make_staff(Role.SUPERVISOR, given_name="Tess", family_name="Teamlead", line_manager=hana)
    team_a = make_team("Team A", service=assessment, manager=sam)
    team_b = make_team("Team B", service=assessment, manager=tess)
    wren = make_staff(given_name="Wren", family_name="Worker", team=team_a, line_manager=sam)
    cal = make_staff(given_name="Cal", family_name="Colleague", team=team_a, line_manager=sam)
    bea = make_staff(given_name="Bea", family_name="Bystander", team=team_b, line_manager=tess)
    olu = make_staff(Role.SUPERVISOR, given_name="Olu", family_name="Other")
    other = make_service("Other service")
    team_o = make_team("Team O", service=other, manager=olu)
    sol = make_staff(given_name="Sol", family_name="Stranger", team=team_o, line_manager=olu)
    hr = make_staff(Role.HR, given_name="Harriet", family_name="Hr")
    admin = make_staff(Role.ADMIN, given_name="Ade", family_name="Admin")
    for person, supervisor in ((wren, sam), (cal, sam), (bea, tess), (sol, olu)):
        make_agreement(person, supervisor)
    return SimpleNamespace(
        **{name: value for name, value in locals().items() if name not in {"app", "clock"}}
    )
