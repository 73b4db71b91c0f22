"""Agreement and policy rules as pure functions: no database, request or clock."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from decimal import Decimal

from supervision import limits
from supervision.agreements.defaults import DEFAULT_POLICY, PolicySettings
from supervision.agreements.models import FrequencyKind, SupervisionPolicy
from supervision.dates import add_months
from supervision.org.models import CareerStage
from supervision.record_sections import SECTION_BY_KEY

MAX_DURATION_MINUTES = limits.AGREEMENT_MINIMUM_MINUTES.high
MAX_INTERVAL_DAYS = int(limits.INTERVAL_DAYS.high)

# A saved policy, or the defaults (None: the organisation has not saved one yet).
Policy = SupervisionPolicy | PolicySettings | None


def default_review_date(agreed_on: date, review_months: int) -> date:
    """Agreements are reviewed yearly by default (the policy's `agreement_review_months`)."""
    return add_months(agreed_on, review_months)


# The policy setting that gives each career stage's interval. ASYE staff fall back to the social
# worker interval once their staged first year is over.
STAGE_INTERVAL_SETTING = {
    CareerStage.ASYE: "interval_days_social_worker",
    CareerStage.SOCIAL_WORKER: "interval_days_social_worker",
    CareerStage.SENIOR_PRACTITIONER: "interval_days_senior_practitioner",
    CareerStage.MANAGER: "interval_days_manager",
    CareerStage.OTHER: "interval_days_other",
}
FULL_TIME = Decimal(1)
# Pro-rata never stretches an interval past twice the full-time one: below half time, people
# are supervised as if they worked half time (docs/metrics.md, "Part-time staff").
PRO_RATA_FLOOR_FTE = Decimal("0.5")


def stage_interval_days(career_stage: CareerStage, policy: Policy) -> int | None:
    """The policy's full-time interval for a career stage; None means no requirement."""
    days: int | None = getattr(policy or DEFAULT_POLICY, STAGE_INTERVAL_SETTING[career_stage])
    return days


def pro_rata_fte(frequency_kind: FrequencyKind, policy: Policy, fte: Decimal) -> Decimal | None:
    """The FTE a part-timer's policy interval is stretched by, or None when it runs full time.

    Only when the policy says so, only under a fixed-interval agreement (the ASYE stages are the
    same whatever the hours), and never below PRO_RATA_FLOOR_FTE (docs/metrics.md, "Part-time
    staff").
    """
    fte = Decimal(str(fte))
    if frequency_kind is not FrequencyKind.INTERVAL or fte >= FULL_TIME:
        return None
    if not (policy or DEFAULT_POLICY).pro_rata_part_time:
        return None
    return max(fte, PRO_RATA_FLOOR_FTE)


def pro_rata_days(full_time_days: int, fte: Decimal) -> int:
    """The full-time interval divided by the FTE, in whole days rounded down (never longer than
    the exact share), and never past MAX_INTERVAL_DAYS."""
    return max(full_time_days, min(int(Decimal(full_time_days) / fte), MAX_INTERVAL_DAYS))


def default_frequency_kind(career_stage: CareerStage, policy: Policy) -> FrequencyKind:
    if career_stage is CareerStage.ASYE:
        return FrequencyKind.ASYE_STAGED
    if stage_interval_days(career_stage, policy) is None:
        return FrequencyKind.NONE
    return FrequencyKind.INTERVAL


def effective_interval_days(
    agreement_interval_days: int | None,
    frequency_kind: FrequencyKind,
    career_stage: CareerStage,
    policy: Policy,
    fte: Decimal = FULL_TIME,
) -> int | None:
    """Days between sessions under an agreement, for the engine and the agreement page alike;
    None means no requirement. (For the ASYE stages: the interval of their monthly stage.)

    The agreement's own interval where it overrides the policy (never pro-rata: it is what the
    two agreed for this person); else the policy's for the career stage (the social worker's
    for the ASYE stages), pro-rata when `pro_rata_fte` says so.
    """
    if frequency_kind is FrequencyKind.NONE:
        return None
    if agreement_interval_days is not None:
        return agreement_interval_days
    if frequency_kind is FrequencyKind.ASYE_STAGED:
        career_stage = CareerStage.SOCIAL_WORKER
    days = stage_interval_days(career_stage, policy)
    share = pro_rata_fte(frequency_kind, policy, fte)
    return pro_rata_days(days, share) if days is not None and share is not None else days


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
