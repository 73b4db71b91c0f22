"""Forms of the administrators' case pages: the caseload import and the oversight limits."""

from __future__ import annotations

from flask_wtf.file import FileField
from govuk_frontend_wtf.wtforms_widgets import GovFileInput
from wtforms.validators import ValidationError

from supervision.cases.rules import DEFAULT_LIMIT_DAYS, CaseCategory
from supervision.fields import SelectChoice, WholeNumberField
from supervision.forms import Form, select_field, submit_field
from supervision.limits import whole_number


class CaseImportForm(Form):
    cases_file = FileField(
        "Upload a CSV file",
        widget=GovFileInput(),
        description="A CSV file saved as UTF-8, with the columns described above.",
    )
    check = submit_field("Check the file")
    import_file = submit_field("Import the file")

    def validate_cases_file(self, field) -> None:
        if not field.data or not getattr(field.data, "filename", ""):
            raise ValidationError("Select a CSV file to upload")


def _days_field(label: str, description: str) -> WholeNumberField:
    return WholeNumberField(
        label, invalid_message=f"{label} must be a whole number of days, like 28", description=description
    )


class OrganisationLimitsForm(Form):
    """One box per category, named by its key; blank means the default."""


for _category in CaseCategory:
    setattr(
        OrganisationLimitsForm,
        _category.value,
        _days_field(
            f"{_category.label} (days)",
            f"Leave blank for the default, {DEFAULT_LIMIT_DAYS[_category]} days.",
        ),
    )


def category_choices() -> list[SelectChoice]:
    return [SelectChoice("", "Choose a category"), *(SelectChoice(c.value, c.label) for c in CaseCategory)]


def optional_category(value) -> CaseCategory | None:
    if value in (None, ""):
        return None
    return CaseCategory(value)


def optional_team(value) -> int | None:
    return None if value in (None, "") else whole_number(value)


class TeamOverrideForm(Form):
    team_id = select_field(
        "Team",
        coerce=optional_team,
        invalid_choice_message="Choose a team from the list",
        invalid_value_message="Choose a team from the list",
    )
    category = select_field(
        "Category",
        coerce=optional_category,
        choices=category_choices(),
        invalid_choice_message="Choose a category from the list",
        invalid_value_message="Choose a category from the list",
    )
    days = _days_field("Longest time without oversight (days)", "For example, 21 for 3 weeks.")


class ChangeOverrideForm(Form):
    days = _days_field("Longest time without oversight (days)", "For example, 21 for 3 weeks.")


class RemoveOverrideForm(Form):
    """The button that removes an override: CSRF only."""
