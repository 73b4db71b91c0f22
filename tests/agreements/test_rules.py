"""Agreement rules: review dates, the policy's interval for each career stage, term checks."""

from datetime import date
from types import SimpleNamespace

import pytest

from supervision.agreements import rules
from supervision.agreements.models import FrequencyKind
from supervision.org.models import CareerStage

POLICY = SimpleNamespace(
    interval_days_social_worker=28,
    interval_days_senior_practitioner=21,
    interval_days_manager=42,
    interval_days_other=None,
)


@pytest.mark.parametrize(
    ("agreed_on", "months", "review"),
    [
        (date(2026, 3, 27), 12, date(2027, 3, 27)),
        (date(2026, 1, 31), 1, date(2026, 2, 28)),
        (date(2024, 2, 29), 12, date(2025, 2, 28)),
        (date(2026, 11, 30), 3, date(2027, 2, 28)),
    ],
)
def test_the_review_date_is_the_same_day_months_later_or_the_months_last_day(agreed_on, months, review):
    assert rules.default_review_date(agreed_on, months) == review


@pytest.mark.parametrize(
    ("stage", "interval", "kind"),
    [
        (CareerStage.ASYE, 28, FrequencyKind.ASYE_STAGED),
        (CareerStage.SOCIAL_WORKER, 28, FrequencyKind.INTERVAL),
        (CareerStage.SENIOR_PRACTITIONER, 21, FrequencyKind.INTERVAL),
        (CareerStage.MANAGER, 42, FrequencyKind.INTERVAL),
        (CareerStage.OTHER, None, FrequencyKind.NONE),
    ],
)
def test_the_policy_sets_the_interval_and_default_frequency_for_each_career_stage(stage, interval, kind):
    assert rules.policy_interval_days(stage, POLICY) == interval
    assert rules.default_frequency_kind(stage, POLICY) is kind


def test_an_agreements_own_interval_overrides_the_policy():
    assert rules.effective_interval_days(14, CareerStage.SOCIAL_WORKER, POLICY) == 14
    assert rules.effective_interval_days(None, CareerStage.SOCIAL_WORKER, POLICY) == 28


def terms(**overrides):
    values = {
        "frequency_kind": FrequencyKind.INTERVAL,
        "interval_days": None,
        "asye_started_on": None,
        "minimum_duration_minutes": 90,
        "agreed_on": date(2026, 11, 1),
        "review_due_on": None,
    }
    return rules.agreement_problems(**{**values, **overrides})


def test_sensible_terms_have_no_problems():
    assert terms() == []


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"interval_days": 0}, "interval_days"),
        ({"interval_days": 400}, "interval_days"),
        ({"frequency_kind": FrequencyKind.ASYE_STAGED}, "asye_started_on"),
        ({"minimum_duration_minutes": 0}, "minimum_duration_minutes"),
        ({"minimum_duration_minutes": 600}, "minimum_duration_minutes"),
        ({"agreed_on": None}, "agreed_on"),
        ({"review_due_on": date(2026, 10, 31)}, "review_due_on"),
    ],
)
def test_terms_that_do_not_make_sense_name_the_field(overrides, field):
    assert [problem[0] for problem in terms(**overrides)] == [field]


def test_optional_sections_keep_only_known_keys_in_record_order():
    assert rules.parse_optional_sections(" learning, nonsense ,wellbeing,") == {"learning", "wellbeing"}
    assert rules.format_optional_sections({"reflection", "wellbeing", "bogus"}) == "wellbeing,reflection"
