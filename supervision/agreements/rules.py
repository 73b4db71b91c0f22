"""Agreement and policy rules as pure functions: no database, request or clock."""

from __future__ import annotations

import calendar
from collections.abc import Iterable
from datetime import date

from supervision import limits
from supervision.agreements.models import FrequencyKind
from supervision.org.models import CareerStage
from supervision.records.signoff import SECTION_BY_KEY

MAX_DURATION_MINUTES = limits.AGREEMENT_MINIMUM_MINUTES.high
MAX_INTERVAL_DAYS = limits.INTERVAL_DAYS.high


def add_months(day: date, months: int) -> date:
    """The same day `months` later, or the month's last day when it is shorter (31 Jan + 1 = 28 Feb)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def default_review_date(agreed_on: date, review_months: int) -> date:
    """Agreements are reviewed yearly by default (the policy's `agreement_review_months`)."""
    return add_months(agreed_on, review_months)


def policy_interval_days(career_stage: CareerStage, policy) -> int | None:
    """The policy's interval for a career stage; None means no supervision requirement.

    ASYE staff fall back to the social worker interval once their staged first year is over.
    """
    return {
        CareerStage.ASYE: policy.interval_days_social_worker,
        CareerStage.SOCIAL_WORKER: policy.interval_days_social_worker,
        CareerStage.SENIOR_PRACTITIONER: policy.interval_days_senior_practitioner,
        CareerStage.MANAGER: policy.interval_days_manager,
        CareerStage.OTHER: policy.interval_days_other,
    }[career_stage]


def default_frequency_kind(career_stage: CareerStage, policy) -> FrequencyKind:
    if career_stage is CareerStage.ASYE:
        return FrequencyKind.ASYE_STAGED
    if policy_interval_days(career_stage, policy) is None:
        return FrequencyKind.NONE
    return FrequencyKind.INTERVAL


def effective_interval_days(
    agreement_interval_days: int | None, career_stage: CareerStage, policy
) -> int | None:
    """The agreement's own interval where it overrides the policy, else the policy's for the stage."""
    if agreement_interval_days is not None:
        return agreement_interval_days
    return policy_interval_days(career_stage, policy)


def agreement_problems(
    *,
    frequency_kind: FrequencyKind,
    interval_days: int | None,
    asye_started_on: date | None,
    minimum_duration_minutes: int | None,
    agreed_on: date | None,
    review_due_on: date | None,
) -> list[tuple[str, str]]:
    """(field, message) for every way the agreement's terms do not make sense together."""
    problems = []
    if interval_days is not None and not 1 <= interval_days <= MAX_INTERVAL_DAYS:
        problems.append(("interval_days", f"Interval must be between 1 and {MAX_INTERVAL_DAYS} days"))
    if frequency_kind is FrequencyKind.ASYE_STAGED and asye_started_on is None:
        problems.append(("asye_started_on", "Enter the date the ASYE started"))
    if minimum_duration_minutes is None or not 1 <= minimum_duration_minutes <= MAX_DURATION_MINUTES:
        problems.append(
            (
                "minimum_duration_minutes",
                f"Minimum duration must be between 1 and {MAX_DURATION_MINUTES} minutes",
            )
        )
    if agreed_on is None:
        problems.append(("agreed_on", "Enter the date the agreement was made"))
    elif review_due_on is not None and review_due_on < agreed_on:
        problems.append(("review_due_on", "Review date must be on or after the date the agreement was made"))
    return problems


def parse_optional_sections(text: str) -> frozenset[str]:
    return frozenset(key for key in (part.strip() for part in text.split(",")) if key in SECTION_BY_KEY)


def format_optional_sections(keys: Iterable[str]) -> str:
    """Stored in the order the record shows its sections; unknown keys are dropped."""
    wanted = set(keys)
    return ",".join(key for key in SECTION_BY_KEY if key in wanted)
