"""Agreement rules: review dates, the policy's interval for each career stage, term checks."""

from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest

from supervision.agreements import rules
from supervision.agreements.defaults import DEFAULT_POLICY
from supervision.agreements.models import FrequencyKind
from supervision.org.models import CareerStage

POLICY = replace(DEFAULT_POLICY, interval_days_senior_practitioner=21, interval_days_other=None)
PRO_RATA = replace(POLICY, pro_rata_part_time=True)


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
    assert rules.stage_interval_days(stage, POLICY) == interval
    assert rules.effective_interval_days(None, FrequencyKind.INTERVAL, stage, POLICY) == interval
    assert rules.default_frequency_kind(stage, POLICY) is kind


def test_without_a_saved_policy_the_defaults_apply():
    default = DEFAULT_POLICY.interval_days_social_worker
    assert rules.stage_interval_days(CareerStage.SOCIAL_WORKER, None) == default
    assert rules.stage_interval_days(CareerStage.MANAGER, None) == DEFAULT_POLICY.interval_days_manager


def interval(policy, fte="1", own=None, kind=FrequencyKind.INTERVAL, stage=CareerStage.SOCIAL_WORKER):
    return rules.effective_interval_days(own, kind, stage, policy, Decimal(fte))


def test_an_agreements_own_interval_overrides_the_policy():
    assert interval(POLICY, own=14) == 14
    assert interval(POLICY) == 28
    assert interval(POLICY, own=14, kind=FrequencyKind.NONE) is None


@pytest.mark.parametrize(
    ("fte", "days"),
    [
        ("1", 28),
        ("1.00", 28),
        ("0.8", 35),
        ("0.6", 46),  # 46.67 rounded down: never longer than the exact share
        ("0.5", 56),
        ("0.3", 56),  # below half time, supervised as if half time: at most twice the full-time interval
        ("0.01", 56),
    ],
)
def test_a_part_timers_interval_is_pro_rata_when_the_policy_says_so(fte, days):
    assert interval(PRO_RATA, fte) == days
    # Off (the default), the hours make no difference.
    assert interval(POLICY, fte) == 28


def test_pro_rata_never_stretches_an_agreed_interval_the_asye_stages_or_past_the_longest_interval():
    assert interval(PRO_RATA, "0.5", own=21) == 21
    assert interval(PRO_RATA, "0.5", kind=FrequencyKind.ASYE_STAGED, stage=CareerStage.ASYE) == 28
    assert interval(PRO_RATA, "0.5", kind=FrequencyKind.NONE) is None
    assert interval(PRO_RATA, "0.5", stage=CareerStage.OTHER) is None
    assert interval(replace(PRO_RATA, interval_days_manager=300), "0.5", stage=CareerStage.MANAGER) == 366
    assert rules.pro_rata_fte(FrequencyKind.INTERVAL, PRO_RATA, Decimal("0.3")) == Decimal("0.5")
    assert rules.pro_rata_fte(FrequencyKind.INTERVAL, PRO_RATA, Decimal("1")) is None


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
