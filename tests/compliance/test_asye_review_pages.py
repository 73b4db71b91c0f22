"""Recording an ASYE's progress reviews, and where they show. Today is Monday 23 November 2026."""

from datetime import date

import pytest
import sqlalchemy as sa

from supervision.agreements.asye import AsyeOutcome, AsyeStage
from supervision.agreements.models import AsyeReview, FrequencyKind
from supervision.audit.models import AuditEvent
from supervision.extensions import db
from supervision.org.models import CareerStage, Role
from tests.factories import (
    make_absence,
    make_agreement,
    make_asye_review,
    make_service,
    make_staff,
    make_team,
)
from tests.replay import replayed

STARTED = date(2026, 5, 4)  # 3-month review due 4 August, 6-month 4 November, final 4 May 2027


@pytest.fixture
@replayed
def people(clock):
    head = make_staff(Role.SERVICE_MANAGER, given_name="Helen", family_name="Okafor")
    supervisor = make_staff(Role.SUPERVISOR, given_name="Dana", family_name="Reid", line_manager=head)
    team = make_team(service=make_service(manager=head), manager=supervisor)
    asye = make_staff(
        given_name="Ash",
        family_name="Newman",
        team=team,
        line_manager=supervisor,
        career_stage=CareerStage.ASYE,
        start_date=STARTED,
    )
    colleague = make_staff(given_name="Kit", family_name="Stone", team=team, line_manager=supervisor)
    make_agreement(
        asye, supervisor, agreed_on=STARTED, frequency_kind=FrequencyKind.ASYE_STAGED, asye_started_on=STARTED
    )
    make_agreement(colleague, supervisor, agreed_on=STARTED)
    return {"head": head, "supervisor": supervisor, "asye": asye, "colleague": colleague}


def status_cells(page):
    return {
        row.th.get_text(strip=True): [cell.get_text(" ", strip=True) for cell in row.select("td")]
        for row in page.select("table tbody tr")
    }


def reviews():
    return list(db.session.scalars(sa.select(AsyeReview).order_by(AsyeReview.id)))


def test_the_supervisor_sees_each_review_due_with_absence_moving_it_later(pages, people):
    make_absence(people["asye"], date(2026, 6, 1), date(2026, 6, 14))  # two weeks, before 4 August
    make_asye_review(
        people["asye"], AsyeStage.THREE_MONTH, date(2026, 8, 10), recorded_by=people["supervisor"]
    )
    pages.sign_in(people["supervisor"])
    page = pages.get("compliance.asye_reviews", person_id=people["asye"].id)
    assert status_cells(page) == {
        "3-month progress review": ["18 August 2026", "10 August 2026", "Done on time"],
        "6-month progress review": ["18 November 2026", "Not yet", "Overdue"],
        "12-month final assessment": ["18 May 2027", "Not yet", "Upcoming"],
    }
    assert page.find("a", string=lambda text: text and "Record a review" in text)


def test_the_supervisor_records_a_review_with_who_took_part(pages, people):
    pages.sign_in(people["supervisor"])
    form = pages.get("compliance.record_asye_review", person_id=people["asye"].id)
    assert form.find("input", attrs={"name": "stage", "value": "three_month", "checked": True})
    pages.post(
        "compliance.record_asye_review",
        {
            "stage": "six_month",
            "reviewed_on": ["20", "11", "2026"],
            "outcome": "some_concerns",
            "participants": "Dana Reid, assessor\n\n  Ash Newman  \nPat Lowe, practice educator",
            "notes": "Action plan on recording.",
        },
        person_id=people["asye"].id,
    )
    [review] = reviews()
    assert (review.stage, review.held_on, review.outcome) == (
        AsyeStage.SIX_MONTH,
        date(2026, 11, 20),
        AsyeOutcome.SOME_CONCERNS,
    )
    assert review.participant_names == ["Dana Reid, assessor", "Ash Newman", "Pat Lowe, practice educator"]
    assert review.recorded_by_id == people["supervisor"].id
    assert (
        db.session.scalar(
            sa.select(sa.func.count()).select_from(AuditEvent).where(AuditEvent.object_type == "asye_review")
        )
        == 1
    )
    page = pages.get("compliance.asye_reviews", person_id=people["asye"].id)
    assert status_cells(page)["6-month progress review"][2] == "Done late"


def test_every_problem_with_a_review_shows_at_once_and_nothing_is_saved(pages, people):
    make_asye_review(people["asye"], AsyeStage.THREE_MONTH, date(2026, 8, 1))
    pages.sign_in(people["supervisor"])
    page = pages.post(
        "compliance.record_asye_review",
        {
            "stage": "three_month",
            "reviewed_on": ["1", "4", "2026"],
            "outcome": "pass",
            "participants": "",
        },
        200,
        person_id=people["asye"].id,
    )
    errors = [item.get_text(strip=True) for item in page.select(".govuk-error-summary__list li")]
    assert errors == [
        "The 3-month progress review was already recorded, held on 1 August 2026",
        "Date held must be on or after the ASYE started, 4 May 2026",
        "The outcome of a 3-month progress review must be one of: on track, some concerns, "
        "serious concerns: action plan agreed",
        "Enter who took part in the review",
    ]
    assert len(reviews()) == 1


def test_a_bad_outcome_or_stage_value_is_an_error_not_a_500(pages, people):
    pages.sign_in(people["supervisor"])
    page = pages.post(
        "compliance.record_asye_review",
        {"stage": "nine_month", "outcome": "great", "participants": "Dana"},
        200,
        person_id=people["asye"].id,
    )
    errors = [item.get_text(strip=True) for item in page.select(".govuk-error-summary__list li")]
    assert "Choose which review was held" in errors and "Choose the outcome of the review" in errors
    assert reviews() == []


def test_the_supervisee_sees_their_reviews_and_next_due_on_my_supervision_but_cannot_record(pages, people):
    pages.sign_in(people["asye"])
    page = pages.get("sessions.my_supervision")
    section = page.find(id="asye-reviews")
    assert section is not None
    assert "Next: the 3-month progress review, due 4 August 2026 (overdue)." in page.get_text(" ", strip=True)
    assert (
        pages.get("compliance.asye_reviews", person_id=people["asye"].id).find(
            "a", string=lambda text: text and "Record a review" in text
        )
        is None
    )
    pages.get("compliance.record_asye_review", 404, person_id=people["asye"].id)
    pages.post("compliance.record_asye_review", {"stage": "three_month"}, 404, person_id=people["asye"].id)


def test_someone_outside_the_line_gets_404(pages, people):
    stranger = make_staff(Role.SUPERVISOR)
    pages.sign_in(stranger)
    pages.get("compliance.asye_reviews", 404, person_id=people["asye"].id)
    pages.get("compliance.record_asye_review", 404, person_id=people["asye"].id)


def test_nobody_without_an_asye_agreement_has_reviews_to_record(pages, people):
    pages.sign_in(people["supervisor"])
    page = pages.get("compliance.asye_reviews", person_id=people["colleague"].id)
    assert "has no current ASYE agreement" in page.get_text()
    response = pages.post("compliance.record_asye_review", {}, person_id=people["colleague"].id)
    assert response.location.endswith(f"/people/{people['colleague'].id}/asye-reviews")
    assert reviews() == []


def test_the_compliance_page_prompts_for_the_overdue_review(pages, people):
    pages.sign_in(people["head"])
    page = pages.get("compliance.person", person_id=people["asye"].id)
    assert "ASYE 3-month progress review was due on 4 August 2026" in page.get_text(" ", strip=True)


def test_the_team_dashboard_lists_the_asye_review_overdue_and_the_home_page_counts_it(pages, people):
    pages.sign_in(people["supervisor"])
    dashboard = pages.get("reports.team_dashboard")
    rows = [
        [cell.get_text(" ", strip=True) for cell in row.select("th, td")]
        for row in dashboard.select('[aria-label="ASYE reviews due or overdue"] tbody tr')
    ]
    assert rows == [["Ash Newman", "3-month progress review", "4 August 2026", "Overdue"]]
    home = pages.get("home.index")
    assert home.select_one("#asye-reviews-due").get_text(" ", strip=True) == "1 review (1 overdue)"


def test_the_asye_sees_their_next_review_on_the_home_page(pages, people):
    make_asye_review(people["asye"], AsyeStage.THREE_MONTH, date(2026, 8, 1))
    pages.sign_in(people["asye"])
    home = pages.get("home.index")
    assert home.select_one("#my-next-asye-review").get_text(" ", strip=True) == (
        "6-month progress review, due 4 November 2026 (overdue)"
    )


def test_the_oversight_report_shows_asye_reviews_overdue_per_team(pages, people):
    pages.sign_in(people["head"])
    page = pages.get("reports.oversight")
    rows = [
        [cell.get_text(" ", strip=True) for cell in row.select("th, td")]
        for row in page.select('[aria-label="ASYE progress reviews by team"] tbody tr')
    ]
    assert len(rows) == 1 and rows[0][1:] == ["1", "0", "1"]


def test_the_asyes_own_data_lists_their_reviews_in_words(pages, people):
    make_asye_review(people["asye"], AsyeStage.THREE_MONTH, date(2026, 8, 1), participants="Dana Reid")
    pages.sign_in(people["asye"])
    text = pages.get("privacy.my_data").get_text(" ", strip=True)
    assert "ASYE progress reviews" in text
    assert "3-month progress review" in text and "On track" in text and "1 August 2026" in text
    download = pages.client.get("/my-data/download.json").json
    assert [(r["stage"], r["outcome"]) for r in download["asye_reviews"]] == [("three_month", "on_track")]
