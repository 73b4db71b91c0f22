"""Forms for agreements, absences and the organisation's supervision policy."""

from __future__ import annotations

from supervision.agreements.asye import AsyeOutcome, AsyeStage
from supervision.agreements.models import AbsenceKind, FrequencyKind, SupervisionType
from supervision.agreements.services import POLICY_LABELS
from supervision.fields import (
    ChecklistField,
    DayMonthYearField,
    Present,
    WholeNumberField,
    choices,
    closed_month_reason_field,
    enum_options,
    radios,
    textarea,
    version_field,
)
from supervision.forms import Form, checkbox_field, select_field
from supervision.limits import whole_number
from supervision.record_sections import SECTIONS


class AgreementForm(Form):
    version = version_field()
    supervisor_id = select_field(
        "Supervisor",
        coerce=whole_number,
        invalid_choice_message="Choose a supervisor from the list",
        invalid_value_message="Choose a supervisor from the list",
    )
    frequency_kind = radios("How often?", "Choose how often supervision happens", enum_options(FrequencyKind))
    interval_days = WholeNumberField(
        "Interval in days (optional)",
        invalid_message="Interval must be a whole number of days, like 28",
        description="Leave blank to use the organisation's policy for the person's career stage.",
    )
    asye_started_on = DayMonthYearField("Date the ASYE started (for ASYE only)")
    minimum_duration_minutes = WholeNumberField(
        "Minimum length in minutes (optional)",
        invalid_message="Minimum length must be a whole number of minutes, like 90",
        description="Leave blank to use the organisation's policy.",
    )
    supervision_type = radios(
        "Type of supervision", "Choose individual, group or a mix", enum_options(SupervisionType)
    )
    agreed_on = DayMonthYearField("Date agreed", Present("Enter the date the agreement was made"))
    review_due_on = DayMonthYearField(
        "Review date (optional)", description="Leave blank to review it a year after the date agreed."
    )
    notes = textarea(
        "What else you agreed (optional)", description="For example, cover arrangements and agenda."
    )


class AbsenceForm(Form):
    kind = radios("Type of absence", "Choose the type of absence", enum_options(AbsenceKind))
    starts_on = DayMonthYearField("First day", Present("Enter the first day of the absence"))
    ends_on = DayMonthYearField("Last day", Present("Enter the last day of the absence"))
    closed_month_reason = closed_month_reason_field()


class AsyeReviewForm(Form):
    stage = radios("Which review?", "Choose which review was held", enum_options(AsyeStage))
    reviewed_on = DayMonthYearField("Date held", Present("Enter the date the review was held"))
    outcome = radios("Outcome", "Choose the outcome of the review", enum_options(AsyeOutcome))
    participants = textarea(
        "Who took part",
        Present("Enter who took part in the review"),
        description="One person a line, with their role: for example, Sam Lee, ASYE assessor.",
    )
    notes = textarea("Notes (optional)", description="Keep it short: the full report is kept elsewhere.")


class RemoveAbsenceForm(Form):
    closed_month_reason = closed_month_reason_field()


def _number(label: str, required: bool = True, hint: str | None = None) -> WholeNumberField:
    validators = [Present(f"Enter {label[0].lower()}{label[1:]}")] if required else []
    return WholeNumberField(
        label, *validators, invalid_message=f"{label} must be a whole number", description=hint
    )


class PolicyForm(Form):
    version = version_field()
    asye_weekly_weeks = _number(POLICY_LABELS["asye_weekly_weeks"])
    asye_fortnightly_until_months = _number(POLICY_LABELS["asye_fortnightly_until_months"])
    interval_days_social_worker = _number(POLICY_LABELS["interval_days_social_worker"])
    interval_days_senior_practitioner = _number(POLICY_LABELS["interval_days_senior_practitioner"])
    interval_days_manager = _number(
        POLICY_LABELS["interval_days_manager"], required=False, hint="Leave blank for no requirement."
    )
    interval_days_other = _number(
        POLICY_LABELS["interval_days_other"], required=False, hint="Leave blank for no requirement."
    )
    minimum_duration_minutes = _number(POLICY_LABELS["minimum_duration_minutes"])
    pro_rata_part_time = checkbox_field(
        "Pro-rata the interval for part-time staff",
        description=(
            "A part-timer's interval is the one above divided by their FTE: at 0.5 FTE, twice as long. "
            "Never more than twice the full-time interval. Not for ASYE stages or an interval agreed "
            "for the person."
        ),
    )
    due_soon_working_days = _number(POLICY_LABELS["due_soon_working_days"])
    escalation_working_days = _number(POLICY_LABELS["escalation_working_days"])
    write_up_working_days = _number(POLICY_LABELS["write_up_working_days"])
    agreement_review_months = _number(POLICY_LABELS["agreement_review_months"])
    optional_sections = ChecklistField(
        "Record sections that are optional at sign-off",
        choices=choices((section.key, section.label) for section in SECTIONS),
        invalid_message="Choose sections from the list",
        description="Every section not ticked must be completed before a record can be signed off.",
    )
