"""The supervision policy an organisation starts with: the one place its default settings live.

The policy table's column defaults, the compliance engine's thresholds and ASYE stages, the
policy used for an organisation that has none yet, and the generated histories all read
`DEFAULT_POLICY`; change a default here and every one of them follows. No imports from the
rest of the package, so the pure rule modules can read it too.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class PolicySettings:
    """The settings of a supervision policy, named as the `supervision_policy` columns are."""

    asye_weekly_weeks: int = 6
    asye_fortnightly_until_months: int = 6
    interval_days_social_worker: int = 28
    interval_days_senior_practitioner: int = 28
    # None: no supervision requirement for that career stage.
    interval_days_manager: int | None = 42
    interval_days_other: int | None = 42
    minimum_duration_minutes: int = 90
    pro_rata_part_time: bool = False
    due_soon_working_days: int = 5
    escalation_working_days: int = 10
    write_up_working_days: int = 5
    agreement_review_months: int = 12
    # Comma-separated record section keys the organisation does not require at sign-off.
    optional_sections: str = ""


DEFAULT_POLICY = PolicySettings()
