"""Every form shows all its errors at once, each naming its field (docs/development.md)."""

from datetime import date

import pytest

from supervision.extensions import db
from supervision.org.models import Role
from supervision.records.models import ActionReview
from tests.factories import make_action, make_agreement, make_record, make_staff, make_team

pytestmark = pytest.mark.usefixtures("clock")  # Monday 23 November 2026


def summary(soup) -> dict[str, str]:
    return {a.get_text(strip=True): a["href"] for a in soup.select(".govuk-error-summary a")}


@pytest.fixture
def worker():
    manager = make_staff(Role.SUPERVISOR, given_name="Sam", family_name="Supervisor")
    worker = make_staff(Role.SOCIAL_WORKER, team=make_team(manager=manager), line_manager=manager)
    make_agreement(worker, manager)
    return worker


@pytest.fixture
def supervisor(worker):
    return worker.line_manager


def test_an_empty_booking_names_every_missing_answer_at_once(pages, supervisor):
    pages.sign_in(supervisor)
    soup = pages.post("sessions.schedule_session", data={"date": ["", "", ""]}, _expected_status=200)
    assert summary(soup) == {
        "Choose who the session is with": "#supervisee_ids",
        "Enter the date of the session": "#date-day",
        "Enter the time the session starts": "#start_time",
        "Enter how long the session will be, in minutes": "#duration_minutes",
        "Choose in person or online": "#meeting",
    }


def test_an_action_review_shows_a_past_due_date_with_the_missing_comment(pages, worker, supervisor):
    earlier = make_record(worker, supervisor, held_on=date(2026, 10, 26), complete=True, locked=True)
    carried = make_action(earlier, description="Chase the health visitor", due_on=date(2026, 11, 13))
    record = make_record(worker, supervisor, held_on=date(2026, 11, 16))
    review = ActionReview(record_id=record.id, action_id=carried.id)
    db.session.add(review)
    db.session.commit()
    pages.sign_in(supervisor)
    soup = pages.post(
        "records.review_action",
        data={
            "version": str(record.version),
            "outcome": "carried_forward",
            "comment": "",
            "new_due_on": ["1", "11", "2026"],
        },
        _expected_status=200,
        record_id=record.id,
        review_id=review.id,
    )
    assert summary(soup) == {
        "Add a comment on the action": "#comment",
        "The new due date must be on or after the date of the session": "#new_due_on-day",
    }


def test_the_policy_names_every_setting_out_of_range_at_once(pages):
    admin = make_staff(Role.ADMIN)
    pages.sign_in(admin)
    page = pages.get("agreements.policy")
    data = {field["name"]: field.get("value", "") for field in page.select("main input[type=text]")}
    data.update(
        {
            "version": page.find("input", attrs={"name": "version"})["value"],
            "interval_days_social_worker": "0",
            "minimum_duration_minutes": "999",
            "due_soon_working_days": "soon",
        }
    )
    soup = pages.post("agreements.policy", data, _expected_status=200)
    assert summary(soup) == {
        "Social workers: days between sessions must be a whole number between 1 and 366": (
            "#interval_days_social_worker"
        ),
        "Minimum length of a session, in minutes must be a whole number between 1 and 480": (
            "#minimum_duration_minutes"
        ),
        "Due soon: working days before the due date must be a whole number": "#due_soon_working_days",
    }
