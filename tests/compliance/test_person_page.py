"""A person's compliance page, and explaining a gap: who may see it, who may explain, what is kept.

The clock fixture's today is Monday 23 November 2026.
"""

from datetime import UTC, date, datetime

import pytest
import sqlalchemy as sa

from supervision.compliance.models import GapReason, OverdueExplanation
from supervision.extensions import db
from supervision.org.models import Role
from supervision.records.models import SessionStatus
from tests.factories import make_agreement, make_service, make_session, make_staff, make_team
from tests.replay import replayed


@pytest.fixture
@replayed
def people(clock):
    head = make_staff(Role.SERVICE_MANAGER, given_name="Helen", family_name="Okafor")
    supervisor = make_staff(Role.SUPERVISOR, given_name="Dana", family_name="Reid", line_manager=head)
    team = make_team(service=make_service(manager=head), manager=supervisor)
    worker = make_staff(given_name="Sam", family_name="Okoro", team=team, line_manager=supervisor)
    make_agreement(worker, supervisor, agreed_on=date(2026, 1, 5), review_due_on=date(2027, 1, 5))
    make_session(
        supervisor, worker, starts_at=datetime(2026, 10, 1, 10, tzinfo=UTC), status=SessionStatus.HELD
    )
    return {"head": head, "supervisor": supervisor, "worker": worker, "team": team}


def explanations():
    return list(db.session.scalars(sa.select(OverdueExplanation)))


def test_the_page_shows_status_due_dates_and_the_form_to_explain_the_gap(pages, people):
    pages.sign_in(people["supervisor"])
    page = pages.get("compliance.person", person_id=people["worker"].id)
    assert page.h1.get_text(strip=True) == "Sam Okoro"
    assert page.select_one("main .govuk-tag").get_text(strip=True) == "Escalated"
    rows = {
        row.dt.get_text(strip=True): row.dd.get_text(" ", strip=True)
        for row in page.select(".govuk-summary-list__row")
    }
    assert rows["Supervisor"] == "Dana Reid"
    assert rows["Last supervision"] == "1 October 2026"
    assert rows["Next supervision"] == "Was due 29 October 2026 (25 days overdue)"
    assert page.find("legend", string=lambda text: text and "Why is supervision overdue?" in text)


def test_the_supervisee_sees_their_own_page_without_the_form(pages, people):
    pages.sign_in(people["worker"])
    page = pages.get("compliance.person", person_id=people["worker"].id)
    assert page.select_one("main .govuk-tag").get_text(strip=True) == "Escalated"
    assert page.find("form", attrs={"method": "post", "novalidate": True}) is None
    pages.post(
        "compliance.person", {"reason": "workload", "cover_arranged": "x"}, 404, person_id=people["worker"].id
    )
    assert explanations() == []


@pytest.mark.parametrize("role", [Role.SOCIAL_WORKER, Role.HR, Role.ADMIN])
def test_anyone_else_gets_not_found(pages, people, role):
    pages.sign_in(make_staff(role, team=people["team"]))
    pages.get("compliance.person", 404, person_id=people["worker"].id)
    pages.get("compliance.person", 404, person_id=999_999)


def test_the_supervisor_records_why_and_what_cover_was_arranged(pages, people, clock):
    pages.sign_in(people["supervisor"])
    pages.post(
        "compliance.person",
        {"reason": "supervisor_absent", "cover_arranged": "Helen gave case direction weekly."},
        person_id=people["worker"].id,
    )
    [explanation] = explanations()
    assert explanation.reason is GapReason.SUPERVISOR_ABSENT
    assert explanation.due_on == date(2026, 10, 29)
    assert explanation.recorded_by_id == people["supervisor"].id
    assert explanation.recorded_at == clock.now()
    page = pages.get("compliance.person", person_id=people["worker"].id)
    assert "Helen gave case direction weekly." in page.get_text()
    assert "The reason for the current gap has been recorded." in page.get_text()


def test_a_manager_above_may_explain_too(pages, people):
    pages.sign_in(people["head"])
    pages.post(
        "compliance.person",
        {"reason": "post_vacant", "cover_arranged": "Agency team manager from 1 November."},
        person_id=people["worker"].id,
    )
    assert [e.reason for e in explanations()] == [GapReason.POST_VACANT]


@pytest.mark.parametrize(
    ("data", "message", "field"),
    [
        ({"cover_arranged": "None"}, "Select why supervision is overdue", "reason"),
        (
            {"reason": "workload", "cover_arranged": "   "},
            "Enter what cover was arranged, or say that none was",
            "cover_arranged",
        ),
        ({"reason": "other", "cover_arranged": "None"}, "Describe the reason", "details"),
        ({"reason": "holiday", "cover_arranged": "None"}, "Not a valid choice", "reason"),
    ],
)
def test_bad_input_is_named_in_the_error_summary_and_nothing_is_saved(pages, people, data, message, field):
    pages.sign_in(people["supervisor"])
    page = pages.post("compliance.person", data, 200, person_id=people["worker"].id)
    summary = page.select_one(".govuk-error-summary")
    assert message in summary.get_text()
    assert summary.find("a", href=f"#{field}") or summary.find(
        "a", href=lambda h: h and h.startswith(f"#{field}")
    )
    assert page.title.get_text().startswith("Error: ")
    assert explanations() == []


def test_a_gap_is_explained_once(pages, people):
    pages.sign_in(people["supervisor"])
    data = {"reason": "workload", "cover_arranged": "None"}
    pages.post("compliance.person", data, person_id=people["worker"].id)
    page = pages.post("compliance.person", data, 200, person_id=people["worker"].id)
    assert "A reason has already been recorded for the supervision due on 29 October 2026" in page.get_text()
    assert len(explanations()) == 1


def test_there_is_nothing_to_explain_when_supervision_is_not_overdue(pages, people):
    make_session(
        people["supervisor"],
        people["worker"],
        starts_at=datetime(2026, 11, 20, 10, tzinfo=UTC),
        status=SessionStatus.HELD,
    )
    pages.sign_in(people["supervisor"])
    page = pages.post(
        "compliance.person",
        {"reason": "workload", "cover_arranged": "None"},
        200,
        person_id=people["worker"].id,
    )
    assert "Sam Okoro's supervision is not overdue, so there is no gap to explain" in page.get_text()
    assert explanations() == []
