"""Report figures over the API: the same services, roles and suppression as the pages.

The oversight and dashboard tests use the hand-worked organisation of tests/reports/conftest.py
(today is 23 November 2026); the retention tests the hand-worked workforce of tests/hr/workforce.py.
"""

from datetime import date

import pytest

from supervision.hr import services as hr_services
from supervision.hr.tables import retention_tables
from supervision.org.models import Role
from supervision.reports import services
from supervision.reports.figures import Period
from supervision.reports.services import Level
from supervision.reports.tables import METRICS, Kind
from tests.factories import make_record, make_staff
from tests.hr.conftest import seed_workforce
from tests.replay import replayed
from tests.reports.conftest import TODAY, org  # noqa: F401 -- the fixture, shared with tests/reports

DEFAULT_PERIOD = Period(date(2026, 9, 1), TODAY)


def by_name(items, key="name"):
    return {item[key]: item for item in items}


# --- team dashboard ------------------------------------------------------------------------------


def test_the_team_dashboard_rows_are_the_pages_rows(api_as, org):  # noqa: F811
    response = api_as(org.sam).get("/team-dashboard")

    assert response.status_code == 200
    body = response.json
    page_rows = services.team_dashboard(org.sam, TODAY).rows
    assert body["total"] == len(page_rows) == 4
    assert len(body["months"]) == 12 and body["months"][-1] == "2026-11-01"
    rows = by_name(body["items"], "given_name")
    for row in page_rows:
        mine = rows[row.person.given_name]
        assert mine["status"] == row.figures.status.value
        assert mine["months"] == [state.value for state in row.months]
    alice = rows["Alice"]
    assert (alice["status"], alice["last_held_on"], alice["next_due_on"]) == (
        "escalated",
        "2026-10-05",
        "2026-11-02",
    )
    assert (alice["days_overdue"], alice["write_ups_pending"], alice["actions_overdue"]) == (21, 0, 1)
    assert alice["months"][-6:] == ["on_time", "on_time", "missed", "late", "on_time", "missed"]
    assert rows["Cara"]["next_due_on"] is None and rows["Cara"]["status"] == "no_agreement"
    assert body["items"][0]["given_name"] == "Alice"  # most worrying first, as on the page


def test_the_team_dashboard_filters_sorts_and_pages_as_asked(api_as, org):  # noqa: F811
    api = api_as(org.hana)

    paused = api.get("/team-dashboard?status=paused").json
    assert [row["given_name"] for row in paused["items"]] == ["Dev"]
    team_b = api.get(f"/team-dashboard?team_id={org.team_b.id}").json
    assert [row["given_name"] for row in team_b["items"]] == ["Eve"]
    second = api.get("/team-dashboard?sort=name&order=ascending&per_page=2&page=2").json
    assert second["total"] == 7 and [row["given_name"] for row in second["items"]] == ["Cara", "Dev"]
    bad = api.get("/team-dashboard?status=fine&sort=colour")
    assert bad.status_code == 400
    assert set(bad.json["errors"]) == {"status", "sort"}


@pytest.mark.parametrize("role", [Role.SOCIAL_WORKER, Role.HR, Role.ADMIN])
def test_the_team_dashboard_is_refused_to_roles_the_page_refuses(api_as, clock, role):
    response = api_as(make_staff(role)).get("/team-dashboard")

    assert response.status_code == 403
    assert response.json == {
        "status": 403,
        "message": "The team dashboard is for supervisors and service managers",
    }


# --- oversight report ----------------------------------------------------------------------------


def test_team_figures_are_the_reports_figures_and_match_the_hand_worked_history(api_as, org):  # noqa: F811
    response = api_as(org.hana).get(f"/oversight/teams/{org.team_a.id}")

    assert response.status_code == 200
    body = response.json
    assert body["period"] == {"starts_on": "2026-09-01", "ends_on": "2026-11-23"}
    assert body["as_at"] == "2026-11-23" and body["level"] == "team"
    report = services.oversight_report(org.hana, Level.TEAM, org.team_a.id, DEFAULT_PERIOD, TODAY)
    figures = body["unit"]["figures"]
    for metric in METRICS:
        value = metric.value(report.unit.period)
        if metric.kind is Kind.SHARE:
            assert figures[metric.key] == {
                "share": value,
                "count": metric.part(report.unit.period),
                "out_of": metric.whole(report.unit.period),
            }
        else:
            assert figures[metric.key] == value
    # The hand-worked team A of tests/reports (as tests/reports/test_oversight.py reads the page).
    assert figures["staff_in_scope"] == 4
    assert figures["on_time"] == {"share": 0.5, "count": 2, "out_of": 4}
    assert (figures["overdue_now"], figures["escalated_now"], figures["without_agreement_now"]) == (1, 1, 1)
    assert (figures["longest_gap"], figures["median_between"]) == (49, 38.5)
    assert figures["cancellation"] == {"share": 0.25, "count": 1, "out_of": 4}
    assert figures["audited_good"]["count"] == 1 and body["unit"]["audit_grades"]["good"] == 1
    assert by_name(body["gap_reasons"], "reason")["workload"]["gaps"] == 1
    workers = by_name(body["children"])
    assert set(workers) == {"Alice Adams", "Bob Brown", "Cara Cole", "Dev Dutta"}
    assert workers["Alice Adams"]["figures"]["on_time"]["out_of"] == 3
    assert len(body["trend"]) == 12 and body["trend"][-1]["month"] == "2026-11-01"
    assert by_name(body["staff_by_month"])["Alice Adams"]["months"][-3:] == ["late", "on_time", "missed"]


def test_a_service_pools_its_teams_and_the_organisation_shows_only_services_overseen(
    api_as,
    org,  # noqa: F811
):
    api = api_as(org.hana)

    service = api.get(f"/oversight/services/{org.assessment.id}").json
    assert service["unit"]["figures"]["on_time"] == {"share": 4 / 6, "count": 4, "out_of": 6}
    assert [team["name"] for team in service["children"]] == ["Assessment A", "Assessment B"]
    assert service["children"][1]["part_of"] == "Assessment"
    assert service["staff_by_month"] == []
    organisation = api.get("/oversight").json
    assert [child["name"] for child in organisation["children"]] == ["Assessment"]
    assert organisation["unit"]["figures"] == service["unit"]["figures"]


def test_a_period_is_asked_for_with_the_pages_parameter_names(api_as, org):  # noqa: F811
    api = api_as(org.hana)
    path = f"/oversight/teams/{org.team_a.id}"

    chosen = api.get(path + "?period_start=2026-06-01&period_end=2026-08-31").json

    assert chosen["period"] == {"starts_on": "2026-06-01", "ends_on": "2026-08-31"}
    report = services.oversight_report(
        org.hana, Level.TEAM, org.team_a.id, Period(date(2026, 6, 1), date(2026, 8, 31)), TODAY
    )
    assert chosen["unit"]["figures"]["on_time"]["out_of"] == report.unit.period.sessions_required
    assert api.get(path + "?period_start=2026-09-01&period_end=2026-11-23").json == api.get(path).json


@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        (
            "period_start=2026-09-01&period_end=2026-12-01",
            "period_end",
            "The end date must be today or in the past",
        ),
        (
            "period_start=2026-10-01&period_end=2026-09-01",
            "period_end",
            "The end date must be the same as or after",
        ),
        (
            "period_start=2026-09-02&period_end=2026-10-31",
            "period_start",
            "The start date must be the first day of a month",
        ),
        (
            "period_start=2026-09-01&period_end=2026-10-30",
            "period_end",
            "The end date must be the last day of a month, or today",
        ),
        (
            "period_start=2024-11-01&period_end=2026-10-31",
            "period_start",
            "The start date must be on or after 1 December 2024: figures are kept for each month",
        ),
        (
            "period_start=2025-01-01&period_end=2025-11-30",
            "period_end",
            "The end date must be on or after 1 December 2025: a period's 12-month trend",
        ),
        (
            "period_start=1999-12-31&period_end=2000-01-31",
            "period_start",
            "The start date must be on or after",
        ),
        ("period_start=2026-09-01", "period_end", "Enter an end date"),
        ("period_end=2026-09-01", "period_start", "Enter a start date"),
        ("period_start=1&period_start=9&period_start=2026", "period_start", "Not a valid date."),
    ],
)
def test_a_bad_period_is_a_json_400_naming_the_problem(api_as, org, query, field, message):  # noqa: F811
    response = api_as(org.hana).get(f"/oversight/teams/{org.team_a.id}?{query}")

    assert response.status_code == 400
    assert response.json["status"] == 400
    assert response.json["errors"][field][0].startswith(message)
    if field in ("period_start", "period_end") and "valid" not in message:
        assert response.json["message"].startswith(message)


def test_oversight_is_403_without_the_role_and_404_for_someone_elses_service_or_team(
    api_as,
    org,  # noqa: F811
):
    assert api_as(org.sam).get("/oversight").status_code == 403
    assert api_as(org.hr).get(f"/oversight/teams/{org.team_a.id}").status_code == 403
    olive = api_as(org.olive)
    for path in (f"/oversight/teams/{org.team_a.id}", f"/oversight/services/{org.assessment.id}"):
        assert olive.get(path).json == {"status": 404, "message": "Page not found"}
        # As on the page: a bad period does not reveal that someone else's team exists.
        assert olive.get(path + "?period_start=2026-09-01").status_code == 404
        assert olive.get(path + "?period_start=soon").status_code == 404
    assert olive.get(f"/oversight/teams/{org.team_c.id}").status_code == 200


# --- HR retention --------------------------------------------------------------------------------


@pytest.fixture
@replayed
def hr_person(app, clock):
    workforce = seed_workforce()
    person = make_staff(Role.HR, given_name="Harriet", family_name="Hr")
    return person, workforce


def shown_texts(body) -> dict[str, list[list[str]]]:
    return {
        table["key"]: [[row["name"], *(cell["text"] for cell in row["cells"])] for row in table["rows"]]
        for table in body["tables"]
    }


def test_hr_get_the_pages_retention_figures_with_small_numbers_withheld(api_as, hr_person):
    person, _ = hr_person
    response = api_as(person).get("/retention")

    assert response.status_code == 200
    body = response.json
    assert body["snapshot_date"] == "2026-09-30"
    assert body["period"] == {"starts_on": "2025-10-01", "ends_on": "2026-09-30"}
    assert body["small_number_threshold"] == 5
    page = retention_tables(hr_services.retention_report(person.organisation_id, date(2026, 9, 30)))
    assert shown_texts(body) == {
        table.key: [[row.name, *(cell.text for cell in row.cells)] for row in table.rows] for table in page
    }
    in_post = {row["name"]: row for row in body["tables"][0]["rows"]}
    organisation = dict(zip(body["tables"][0]["columns"], in_post["Test Council"]["cells"], strict=True))
    assert organisation["Headcount"] == {
        "value": 8,
        "text": "8",
        "kind": "count",
        "suppressed": False,
        "reason": None,
    }
    assert organisation["Agency rate"] == {
        "value": 16.9,
        "text": "16.9%",
        "kind": "rate",
        "suppressed": False,
        "reason": None,
    }
    north = dict(zip(body["tables"][0]["columns"], in_post["North"]["cells"], strict=True))
    assert north["Headcount"]["text"] == "withheld" and north["Headcount"]["reason"] == "secondary"
    assert north["Agency rate"] == {
        "value": None,
        "text": "fewer than 5",
        "kind": "rate",
        "suppressed": True,
        "reason": "small",
    }
    # Withheld so that South's one worker's caseload cannot be worked out from Assessment's.
    assert north["Average caseload"] == {
        "value": None,
        "text": "withheld",
        "kind": "average",
        "suppressed": True,
        "reason": "secondary",
    }
    assert [trend["name"] for trend in body["trends"]] == ["Test Council", "Assessment", "Care"]


def test_retention_carries_no_supervision_content(api_as, hr_person):
    person, workforce = hr_person
    supervisor = make_staff(Role.SUPERVISOR)
    make_record(workforce["N1"], supervisor, complete=True, reflection="A private reflection on a hard visit")

    text = api_as(person).get("/retention").get_data(as_text=True)

    assert "private reflection" not in text
    assert "reflection" not in text.lower()


def test_a_snapshot_date_is_chosen_and_a_bad_one_is_a_json_400(api_as, hr_person):
    api = api_as(hr_person[0])

    assert api.get("/retention?snapshot_date=2026-03-31").json["period"]["starts_on"] == "2025-04-01"
    future = api.get("/retention?snapshot_date=2026-11-30")
    assert future.status_code == 400
    latest = "Snapshot date must be today or in the past: the latest is 31 October 2026"
    assert future.json["message"] == latest
    assert future.json["errors"] == {"snapshot_date": [latest]}
    early = api.get("/retention?snapshot_date=1999-09-30")
    assert early.json["message"] == "Snapshot date must be on or after 31 January 2000"
    # The day before the census date: comparing it with 30 September would show that day's leavers.
    day_before = api.get("/retention?snapshot_date=2026-09-29")
    assert day_before.status_code == 400
    assert day_before.json["message"].startswith("Snapshot date must be the last day of a month")
    # A month end other than 30 September: the figures in post, no starters or leavers.
    october = api.get("/retention?snapshot_date=2026-10-31").json
    assert [table["key"] for table in october["tables"]] == ["in-post", "vacancies"]
    assert api.get("/retention?snapshot_date=30-9-2026").status_code == 400


@pytest.mark.parametrize("role", [Role.ADMIN, Role.SERVICE_MANAGER, Role.SUPERVISOR, Role.SOCIAL_WORKER])
def test_retention_is_for_hr_only(api_as, clock, role):
    response = api_as(make_staff(role)).get("/retention")

    assert response.status_code == 403
    assert response.json == {"status": 403, "message": "Retention figures are for HR"}
