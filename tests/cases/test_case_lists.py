"""Cases needing oversight (the cases page, the team dashboard's section) and a worker's cases
due discussion (My supervision): the one list, its scope, its filters and its sorting."""

from datetime import date

import pytest
import sqlalchemy as sa
from flask import url_for

from supervision.agreements.models import SupervisionAgreement
from supervision.cases import lists
from supervision.cases.models import ChildCase
from supervision.cases.rules import CaseCategory, CaseStatus
from supervision.cases.services import may_view_case, overseen_cases
from supervision.extensions import db
from supervision.org.models import Role
from tests.cases.oversight_factories import discuss, make_case
from tests.factories import make_absence, make_agreement
from tests.replay import replayed
from tests.reports.test_query_counts import statements_for

TODAY = date(2026, 11, 23)


@pytest.fixture
@replayed
def caseload(people):
    """Wren's cases: one overdue, one never discussed, one due soon, one on track, one closed;
    Sol's (another team) one overdue."""
    overdue = make_case(people.worker, "CP-OVERDUE", opened_on=date(2026, 6, 1))
    discuss("CP-OVERDUE", people.worker, people.supervisor, date(2026, 10, 1))
    never = make_case(people.worker, "CIN-NEVER", CaseCategory.CHILD_IN_NEED, opened_on=date(2026, 9, 1))
    soon = make_case(people.worker, "CP-SOON", opened_on=date(2026, 10, 1))
    discuss("CP-SOON", people.worker, people.supervisor, date(2026, 10, 28))
    fine = make_case(people.worker, "EH-FINE", CaseCategory.EARLY_HELP, opened_on=date(2026, 11, 1))
    make_case(people.worker, "CP-CLOSED", opened_on=date(2026, 1, 1), closed_on=date(2026, 11, 1))
    stranger = make_case(people.stranger, "CP-STRANGER", opened_on=date(2026, 6, 1))
    return {"overdue": overdue, "never": never, "soon": soon, "fine": fine, "stranger": stranger}


def references(found):
    return [line.reference for line in found]


def test_the_supervisor_sees_their_supervisees_cases_past_due_longest_overdue_first(people, caseload):
    found = lists.needing_oversight(people.supervisor, TODAY)
    assert references(found) == ["CIN-NEVER", "CP-OVERDUE"]
    assert [line.oversight.status for line in found] == [CaseStatus.NOT_DISCUSSED, CaseStatus.OVERDUE]
    assert found[1].oversight.last_oversight_on == date(2026, 10, 1)
    assert found[1].oversight.due_on == date(2026, 10, 29)
    assert found[1].oversight.days_overdue == 25
    assert found[1].worker_name == "Wren Worker"


def test_the_head_of_service_sees_every_team_under_them_and_others_see_none(people, caseload):
    assert references(lists.needing_oversight(people.head, TODAY)) == ["CIN-NEVER", "CP-OVERDUE"]
    assert references(lists.needing_oversight(people.other_supervisor, TODAY)) == ["CP-STRANGER"]
    assert lists.needing_oversight(people.colleague, TODAY) == []
    assert lists.needing_oversight(people.admin, TODAY) == []


def test_a_supervisor_by_agreement_alone_sees_the_supervisees_cases_but_does_not_report_them(
    people, caseload, clock
):
    """A colleague named as Wren's supervisor in her current agreement (a senior practitioner
    supervising an ASYE) manages nobody: they see her cases due, as their dashboard lists her,
    and may open each case's history; their report counts only the people they oversee."""
    current = db.session.scalar(
        sa.select(SupervisionAgreement).where(
            SupervisionAgreement.supervisee_id == people.worker.id, SupervisionAgreement.ended_on.is_(None)
        )
    )
    if current is not None:
        current.ended_on = date(2026, 11, 1)
        db.session.commit()
    make_agreement(people.worker, people.colleague, agreed_on=date(2026, 11, 1))
    assert references(lists.needing_oversight(people.colleague, TODAY)) == ["CIN-NEVER", "CP-OVERDUE"]
    assert may_view_case(people.colleague, caseload["overdue"])
    assert not may_view_case(people.colleague, caseload["stranger"])
    # The report's scope is the people they oversee: nobody's but their own cases.
    counted = db.session.scalar(
        sa.select(sa.func.count()).select_from(ChildCase).where(overseen_cases(people.colleague))
    )
    assert counted == 0
    # The line manager still sees them.
    assert references(lists.needing_oversight(people.supervisor, TODAY)) == ["CIN-NEVER", "CP-OVERDUE"]


def test_hr_never_sees_a_case_even_when_also_a_line_manager(people, caseload):
    people.supervisor.role_rows.append(type(people.supervisor.role_rows[0])(role=Role.HR))
    from supervision.extensions import db

    db.session.commit()
    assert lists.needing_oversight(people.supervisor, TODAY) == []
    assert lists.case_teams(people.supervisor, TODAY) == []


def test_filters_by_category_team_and_status(people, caseload):
    only_cin = lists.CaseFilter(category=CaseCategory.CHILD_IN_NEED, statuses=frozenset(CaseStatus))
    assert references(lists.case_lines(people.head, TODAY, lists.Whose.OVERSEEN, only_cin)) == ["CIN-NEVER"]
    every = lists.case_lines(people.head, TODAY, lists.Whose.OVERSEEN, lists.CaseFilter())
    assert sorted(references(every)) == ["CIN-NEVER", "CP-OVERDUE", "CP-SOON", "EH-FINE"]
    other_team = lists.CaseFilter(team_id=people.other_team.id)
    assert lists.case_lines(people.head, TODAY, lists.Whose.OVERSEEN, other_team) == []
    soon = lists.CaseFilter(statuses=frozenset({CaseStatus.DUE_SOON}))
    assert references(lists.case_lines(people.supervisor, TODAY, lists.Whose.OVERSEEN, soon)) == ["CP-SOON"]


def test_the_worker_brings_their_cases_due_soon_overdue_or_not_discussed(people, caseload):
    assert references(lists.due_discussion(people.worker, TODAY)) == ["CIN-NEVER", "CP-OVERDUE", "CP-SOON"]
    assert lists.due_discussion(people.colleague, TODAY) == []
    # Their own cases are never in their "people I oversee" list.
    assert lists.needing_oversight(people.worker, TODAY) == []


def test_an_absent_worker_is_noted_and_the_clock_does_not_pause(people, caseload):
    make_absence(people.worker, date(2026, 11, 16), date(2026, 11, 27))
    found = lists.needing_oversight(people.supervisor, TODAY)
    assert references(found) == ["CIN-NEVER", "CP-OVERDUE"]
    assert all(line.worker_absent for line in found)
    assert not any(
        line.worker_absent for line in lists.needing_oversight(people.supervisor, date(2026, 11, 30))
    )


def test_sorting_by_any_column_falls_back_to_due_date(people, caseload):
    every = lists.case_lines(people.head, TODAY, lists.Whose.OVERSEEN)
    by_status = lists.sorted_lines(every, lists.sorting("status", None))
    assert references(by_status)[:1] == ["CIN-NEVER"]
    by_reference = lists.sorted_lines(every, lists.sorting("reference", "descending"))
    assert references(by_reference) == ["EH-FINE", "CP-SOON", "CP-OVERDUE", "CIN-NEVER"]
    fallback = lists.sorting("nonsense", "sideways")
    assert (fallback.key, fallback.descending) == ("due", False)
    assert references(lists.sorted_lines(every, fallback)) == [
        "CIN-NEVER",
        "CP-OVERDUE",
        "CP-SOON",
        "EH-FINE",
    ]


def test_the_cases_page_and_dashboard_cost_the_same_for_5_and_40_cases(people, pages, client, clock):
    def add_cases(start, count):
        for number in range(start, start + count):
            worker = people.worker if number % 2 else people.colleague
            make_case(worker, f"CASE-{number:03d}", opened_on=date(2026, 6, 1))
            if number % 3 == 0:
                discuss(f"CASE-{number:03d}", worker, people.supervisor, date(2026, 10, 1))

    make_absence(people.worker, date(2026, 11, 16), date(2026, 11, 27))
    add_cases(0, 5)
    pages.sign_in(people.supervisor)
    for endpoint in ("case_oversight.cases", "reports.team_dashboard"):
        statements_for(client, url_for(endpoint))  # the policy row is made on first use
    with_five = [
        statements_for(client, url_for(e)) for e in ("case_oversight.cases", "reports.team_dashboard")
    ]
    add_cases(5, 35)
    with_forty = [
        statements_for(client, url_for(e)) for e in ("case_oversight.cases", "reports.team_dashboard")
    ]
    assert with_forty == with_five
