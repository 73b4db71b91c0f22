"""GET /api/v1/cases: the open cases the token's person may see, with the pages' statuses."""

from datetime import date

import pytest

from supervision.cases import lists
from supervision.cases.rules import CaseCategory
from supervision.extensions import db
from supervision.org.models import Role, StaffRole
from tests.cases.oversight_factories import discuss, make_case
from tests.records.conftest import people  # noqa: F401 -- the records tests' small organisation
from tests.replay import replayed

TODAY = date(2026, 11, 23)


@pytest.fixture
@replayed
def caseload(people, clock):  # noqa: F811
    make_case(people.worker, "CP-OVERDUE", opened_on=date(2026, 6, 1))
    discuss("CP-OVERDUE", people.worker, people.supervisor, date(2026, 10, 1))
    make_case(people.worker, "CIN-NEVER", CaseCategory.CHILD_IN_NEED, opened_on=date(2026, 9, 1))
    make_case(people.worker, "EH-FINE", CaseCategory.EARLY_HELP, opened_on=date(2026, 11, 1))
    make_case(people.stranger, "CP-STRANGER", opened_on=date(2026, 6, 1))
    return people


def references(body):
    return [item["reference"] for item in body["items"]]


def test_the_supervisor_gets_the_statuses_of_their_supervisees_cases(api_as, caseload):
    response = api_as(caseload.supervisor, write=False).get("/cases")
    assert response.status_code == 200
    body = response.json
    assert body["total"] == 3 and references(body) == ["CIN-NEVER", "CP-OVERDUE", "EH-FINE"]
    overdue = body["items"][1]
    assert overdue == {
        "case_id": overdue["case_id"],
        "reference": "CP-OVERDUE",
        "category": "child_protection",
        "worker_id": caseload.worker.id,
        "worker_name": "Wren Worker",
        "team_id": caseload.team.id,
        "team_name": caseload.team.name,
        "status": "overdue",
        "last_oversight_on": "2026-10-01",
        "due_on": "2026-10-29",
        "days_overdue": 25,
        "worker_absent": False,
    }
    page_statuses = {
        line.reference: line.oversight.status.value
        for line in lists.case_lines(caseload.supervisor, TODAY, lists.Whose.VISIBLE)
    }
    assert {item["reference"]: item["status"] for item in body["items"]} == page_statuses


def test_filters_and_pages(api_as, caseload):
    api = api_as(caseload.head)
    assert references(api.get("/cases?status=not_discussed").json) == ["CIN-NEVER"]
    assert references(api.get("/cases?category=early_help").json) == ["EH-FINE"]
    assert api.get(f"/cases?team_id={caseload.other_team.id}").json["total"] == 0
    second = api.get("/cases?per_page=1&page=2").json
    assert (second["total"], references(second)) == (3, ["CP-OVERDUE"])


def test_the_worker_sees_their_own_cases_and_strangers_see_none(api_as, caseload):
    assert api_as(caseload.worker).get("/cases").json["total"] == 3
    assert api_as(caseload.colleague).get("/cases").json["total"] == 0
    assert references(api_as(caseload.other_supervisor).get("/cases").json) == ["CP-STRANGER"]
    assert api_as(caseload.admin).get("/cases").json["total"] == 0


def test_hr_never_sees_a_case(api_as, caseload):
    caseload.head.role_rows.append(StaffRole(role=Role.HR))
    db.session.commit()
    for person in (caseload.hr, caseload.head):
        assert api_as(person).get("/cases").json == {"items": [], "page": 1, "per_page": 25, "total": 0}


@pytest.mark.parametrize(
    "query", ["status=late", "category=child", "team_id=١٢", "page=0", "per_page=1000", "colour=red"]
)
def test_bad_filters_are_refused_by_name(api_as, caseload, query):
    response = api_as(caseload.supervisor).get(f"/cases?{query}")
    assert response.status_code == 400
    assert query.split("=")[0] in response.json["errors"]
