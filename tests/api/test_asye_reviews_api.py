"""GET /api/v1/staff/<id>/asye-reviews: the same answer and permissions as the page."""

from datetime import date

from supervision.agreements.asye import AsyeStage
from supervision.agreements.models import FrequencyKind
from supervision.org.models import CareerStage, Role
from tests.factories import make_agreement, make_asye_review, make_staff

STARTED = date(2026, 5, 4)


def test_the_supervisor_reads_the_due_dates_and_the_reviews_held(api_as, clock):
    supervisor = make_staff(Role.SUPERVISOR)
    asye = make_staff(line_manager=supervisor, career_stage=CareerStage.ASYE)
    make_agreement(
        asye, supervisor, agreed_on=STARTED, frequency_kind=FrequencyKind.ASYE_STAGED, asye_started_on=STARTED
    )
    review = make_asye_review(
        asye, AsyeStage.THREE_MONTH, date(2026, 8, 1), recorded_by=supervisor, participants="Dana\nAsh"
    )
    response = api_as(supervisor).get(f"/staff/{asye.id}/asye-reviews")
    assert response.status_code == 200
    assert response.json["in_asye"] is True
    assert response.json["due"] == [
        {"stage": "three_month", "due_on": "2026-08-04", "held_on": "2026-08-01", "state": "done_on_time"},
        {"stage": "six_month", "due_on": "2026-11-04", "held_on": None, "state": "overdue"},
        {"stage": "final", "due_on": "2027-05-04", "held_on": None, "state": "upcoming"},
    ]
    [recorded] = response.json["recorded"]
    assert recorded["id"] == review.id
    assert (recorded["outcome"], recorded["participants"]) == ("on_track", ["Dana", "Ash"])
    assert api_as(asye).get(f"/staff/{asye.id}/asye-reviews").status_code == 200


def test_anyone_outside_the_line_gets_404_and_someone_not_in_an_asye_gets_no_due_dates(api_as, clock):
    supervisor = make_staff(Role.SUPERVISOR)
    worker = make_staff(line_manager=supervisor)
    make_agreement(worker, supervisor)
    assert api_as(make_staff(Role.SUPERVISOR)).get(f"/staff/{worker.id}/asye-reviews").status_code == 404
    assert api_as(supervisor).get("/staff/2147483647/asye-reviews").status_code == 404
    answer = api_as(supervisor).get(f"/staff/{worker.id}/asye-reviews").json
    assert answer == {"staff_id": worker.id, "in_asye": False, "due": [], "recorded": []}
