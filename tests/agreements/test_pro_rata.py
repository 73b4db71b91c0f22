"""Pro-rata for part-time staff (docs/metrics.md): the policy page switches it on, and the compliance
status, the dashboard and the agreement page then give a part-timer their stretched interval.

The clock fixture's today is Monday 23 November 2026. Everyone here was last supervised on
1 October 2026 under the default policy's 28 days: due 29 October, 25 days overdue.
"""

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from supervision.agreements.services import current_agreement
from supervision.extensions import db
from supervision.org.models import Role
from supervision.records.models import SessionStatus
from tests.factories import make_agreement, make_service, make_session, make_staff, make_team
from tests.reports.helpers import rows_by_name


@pytest.fixture
def people(clock):
    head = make_staff(Role.SERVICE_MANAGER, given_name="Helen", family_name="Okafor")
    supervisor = make_staff(Role.SUPERVISOR, given_name="Dana", family_name="Reid", line_manager=head)
    team = make_team(service=make_service(manager=head), manager=supervisor)
    admin = make_staff(Role.ADMIN, given_name="Ade", family_name="Admin")

    def worker(given_name, fte, **agreement):
        person = make_staff(given_name=given_name, family_name="Part", team=team, line_manager=supervisor)
        person.fte = Decimal(fte)
        make_agreement(
            person, supervisor, agreed_on=date(2026, 1, 5), review_due_on=date(2027, 1, 5), **agreement
        )
        make_session(
            supervisor, person, starts_at=datetime(2026, 10, 1, 10, tzinfo=UTC), status=SessionStatus.HELD
        )
        db.session.commit()
        return person

    return {
        "supervisor": supervisor,
        "admin": admin,
        "half": worker("Hal", "0.5"),  # 56 days: due 26 November, due soon
        "most": worker("Mo", "0.8"),  # 35 days: due 5 November, 18 days overdue
        "full": worker("Fay", "1"),
        "agreed": worker("Aggie", "0.5", interval_days=28),  # an interval agreed for her: never stretched
    }


def set_pro_rata(pages, people, on: bool) -> None:
    pages.client.post("/sign-out")
    pages.sign_in(people["admin"])
    page = pages.get("agreements.policy")
    data = {field["name"]: field.get("value", "") for field in page.select("main input[type=text]")}
    data["version"] = page.find("input", attrs={"name": "version"})["value"]
    if on:
        data["pro_rata_part_time"] = "y"
    pages.post("agreements.policy", data)
    page = pages.get("agreements.policy")
    assert page.find("input", attrs={"name": "pro_rata_part_time"}).has_attr("checked") is on
    pages.client.post("/sign-out")


def status(pages, person) -> tuple[str, str]:
    page = pages.get("compliance.person", person_id=person.id)
    rows = {
        row.dt.get_text(strip=True): row.dd.get_text(" ", strip=True)
        for row in page.select(".govuk-summary-list__row")
    }
    return page.select_one("main .govuk-tag").get_text(strip=True), rows["Next supervision"]


def statuses(pages, people) -> dict[str, tuple[str, str]]:
    pages.sign_in(people["supervisor"])
    found = {name: status(pages, people[name]) for name in ("half", "most", "full", "agreed")}
    dashboard = rows_by_name(pages.get("reports.team_dashboard"), "supervisees")
    for name, (tag, _) in found.items():
        assert dashboard[people[name].name]["Status"].startswith(tag)  # the dashboard agrees
    return found


FULL_TIME = ("Escalated", "Was due 29 October 2026 (25 days overdue)")


def test_off_by_default_part_timers_have_the_full_time_interval(pages, people):
    assert statuses(pages, people) == {name: FULL_TIME for name in ("half", "most", "full", "agreed")}


def test_switched_on_at_the_policy_page_a_part_timers_interval_is_stretched_by_their_fte(pages, people):
    set_pro_rata(pages, people, on=True)

    found = statuses(pages, people)
    assert found["half"] == ("Due soon", "Due by 26 November 2026")
    assert found["most"] == ("Escalated", "Was due 5 November 2026 (18 days overdue)")
    assert found["full"] == FULL_TIME
    assert found["agreed"] == FULL_TIME

    set_pro_rata(pages, people, on=False)
    assert statuses(pages, people) == {name: FULL_TIME for name in ("half", "most", "full", "agreed")}


def test_the_agreement_page_shows_the_interval_that_applies(pages, people):
    set_pro_rata(pages, people, on=True)
    pages.sign_in(people["supervisor"])

    def interval(person):
        page = pages.get("agreements.agreement", agreement_id=current_agreement(person.id).id)
        rows = {
            row.dt.get_text(strip=True): row.dd.get_text(" ", strip=True)
            for row in page.select(".govuk-summary-list__row")
        }
        return rows["Interval"]

    assert interval(people["half"]) == "Every 56 days (organisation policy, pro-rata for 0.5 FTE)"
    assert interval(people["full"]) == "Every 28 days (organisation policy)"
    assert interval(people["agreed"]) == "Every 28 days (agreed for this person)"
