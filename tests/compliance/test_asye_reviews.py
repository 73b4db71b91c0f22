"""ASYE progress reviews as due dates: examples and properties (hypothesis) of the pure rule."""

from datetime import date, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from supervision.agreements.asye import AsyeOutcome, AsyeStage, review_problems
from supervision.compliance.rules import (
    AbsenceSpan,
    AsyeFacts,
    PersonFacts,
    ReviewState,
    SupervisionFacts,
    Thresholds,
    assess,
    asye_review_due_on,
    asye_reviews,
)

EXAMPLES = settings(max_examples=150, deadline=None)
THRESHOLDS = Thresholds(renewal_notice_days=28)
START = date(2026, 1, 5)
days = st.dates(min_value=date(2025, 1, 1), max_value=date(2027, 12, 31))
absences = st.lists(
    st.builds(
        lambda start, length: AbsenceSpan(start, start + timedelta(days=length)),
        days,
        st.integers(min_value=0, max_value=90),
    ),
    max_size=4,
)
stages = st.sampled_from(list(AsyeStage))


def states(reviews):
    return {review.stage: review.state for review in reviews}


def test_reviews_are_due_3_6_and_12_months_after_the_start_without_absences():
    reviews = asye_reviews(AsyeFacts(START), (), date(2026, 2, 1), THRESHOLDS)
    assert [(r.stage, r.due_on) for r in reviews] == [
        (AsyeStage.THREE_MONTH, date(2026, 4, 5)),
        (AsyeStage.SIX_MONTH, date(2026, 7, 5)),
        (AsyeStage.FINAL, date(2027, 1, 5)),
    ]
    assert all(review.state is ReviewState.UPCOMING for review in reviews)


def test_an_absence_inside_the_period_moves_each_later_review_by_its_days():
    two_weeks_sick = AbsenceSpan(date(2026, 2, 2), date(2026, 2, 15))
    assert asye_review_due_on(START, AsyeStage.THREE_MONTH, [two_weeks_sick]) == date(2026, 4, 19)
    assert asye_review_due_on(START, AsyeStage.FINAL, [two_weeks_sick]) == date(2027, 1, 19)


def test_an_absence_after_a_review_was_due_does_not_move_it():
    later = AbsenceSpan(date(2026, 5, 1), date(2026, 5, 31))
    assert asye_review_due_on(START, AsyeStage.THREE_MONTH, [later]) == date(2026, 4, 5)
    assert asye_review_due_on(START, AsyeStage.SIX_MONTH, [later]) == date(2026, 8, 5)


def test_a_review_held_on_its_due_date_is_on_time_and_the_day_after_is_late():
    on_the_day = asye_reviews(
        AsyeFacts(START, ((AsyeStage.THREE_MONTH, date(2026, 4, 5)),)), (), date(2026, 5, 1), THRESHOLDS
    )
    a_day_late = asye_reviews(
        AsyeFacts(START, ((AsyeStage.THREE_MONTH, date(2026, 4, 6)),)), (), date(2026, 5, 1), THRESHOLDS
    )
    assert states(on_the_day)[AsyeStage.THREE_MONTH] is ReviewState.DONE_ON_TIME
    assert states(a_day_late)[AsyeStage.THREE_MONTH] is ReviewState.DONE_LATE


def test_a_review_not_held_is_due_soon_within_the_notice_then_overdue_the_day_after_its_due_date():
    def three_month_on(today):
        return states(asye_reviews(AsyeFacts(START), (), today, THRESHOLDS))[AsyeStage.THREE_MONTH]

    assert three_month_on(date(2026, 3, 7)) is ReviewState.UPCOMING
    assert three_month_on(date(2026, 3, 8)) is ReviewState.DUE_SOON  # 28 days before 5 April
    assert three_month_on(date(2026, 4, 5)) is ReviewState.DUE_SOON
    assert three_month_on(date(2026, 4, 6)) is ReviewState.OVERDUE


def test_a_review_recorded_before_the_asye_started_belongs_to_an_earlier_one():
    facts = AsyeFacts(START, ((AsyeStage.THREE_MONTH, date(2025, 12, 1)),))
    review = asye_reviews(facts, (), date(2026, 4, 6), THRESHOLDS)[0]
    assert review.held_on is None and review.state is ReviewState.OVERDUE


def test_the_assessment_prompts_for_a_review_needing_attention_and_names_the_next():
    person = PersonFacts(
        SupervisionFacts(None),
        asye=AsyeFacts(START, ((AsyeStage.THREE_MONTH, date(2026, 4, 1)),)),
    )
    assessment = assess(person, date(2026, 7, 6), THRESHOLDS)
    assert assessment.asye_review_due.stage is AsyeStage.SIX_MONTH
    assert "ASYE 6-month progress review was due on 5 July 2026" in assessment.prompts
    assert assess(PersonFacts(SupervisionFacts(None)), date(2026, 7, 6), THRESHOLDS).asye_reviews == ()


def test_the_final_assessment_takes_a_decision_and_a_progress_review_takes_progress():
    assert review_problems(AsyeStage.FINAL, AsyeOutcome.PASS, ["Sam Lee"]) == []
    assert review_problems(AsyeStage.THREE_MONTH, AsyeOutcome.PASS, ["Sam Lee"]) == [
        (
            "outcome",
            "The outcome of a 3-month progress review must be one of: on track, some concerns, "
            "serious concerns: action plan agreed",
        )
    ]
    assert review_problems(AsyeStage.SIX_MONTH, AsyeOutcome.ON_TRACK, []) == [
        ("participants", "Enter who took part in the review")
    ]
    assert review_problems(AsyeStage.FINAL, AsyeOutcome.FAIL, ["A"] * 11)[0][0] == "participants"


# ------------------------------------------------------------------------------- properties


@EXAMPLES
@given(start=days, stage=stages, spans=absences, extra=absences)
def test_an_absence_never_makes_a_review_due_earlier(start, stage, spans, extra):
    assert asye_review_due_on(start, stage, spans + extra) >= asye_review_due_on(start, stage, spans)


@EXAMPLES
@given(start=days, stage=stages, spans=absences)
def test_a_review_is_never_due_before_its_months_nor_later_than_its_months_plus_the_absent_days(
    start, stage, spans
):
    plain = asye_review_due_on(start, stage, ())
    due = asye_review_due_on(start, stage, spans)
    absent_days = sum((span.ends_on - span.starts_on).days + 1 for span in spans)
    assert plain <= due <= plain + timedelta(days=absent_days)


@EXAMPLES
@given(start=days, spans=absences)
def test_the_reviews_fall_in_order(start, spans):
    dues = [asye_review_due_on(start, stage, spans) for stage in AsyeStage]
    assert dues == sorted(dues) and len(set(dues)) == 3


@EXAMPLES
@given(start=days, stage=stages, spans=absences, today=days)
def test_a_review_held_on_its_due_date_is_on_time_whatever_the_absences(start, stage, spans, today):
    due = asye_review_due_on(start, stage, spans)
    reviews = asye_reviews(AsyeFacts(start, ((stage, due),)), spans, today, THRESHOLDS)
    assert states(reviews)[stage] is ReviewState.DONE_ON_TIME


@EXAMPLES
@given(start=days, spans=absences, today=days, later=st.integers(min_value=1, max_value=400))
def test_time_passing_never_makes_a_review_not_held_less_late(start, spans, today, later):
    rank = {ReviewState.UPCOMING: 0, ReviewState.DUE_SOON: 1, ReviewState.OVERDUE: 2}
    before = asye_reviews(AsyeFacts(start), spans, today, THRESHOLDS)
    after = asye_reviews(AsyeFacts(start), spans, today + timedelta(days=later), THRESHOLDS)
    for earlier, then in zip(before, after, strict=True):
        assert rank[then.state] >= rank[earlier.state]
