"""The cases page's filters: they only read the query string, so they carry no CSRF token."""

from __future__ import annotations

from supervision.cases.rules import CaseCategory, CaseStatus
from supervision.fields import SelectChoice
from supervision.forms import Form, Optional, select_field
from supervision.org.forms import optional_text

# The status filter: the default is every case past its due date (docs/cases.md).
NEEDS_OVERSIGHT = "needs-oversight"
ANY_STATUS = "any"
STATUS_CHOICES = [
    SelectChoice(NEEDS_OVERSIGHT, "Overdue or not discussed since allocation"),
    *(SelectChoice(status.value, status.label) for status in CaseStatus),
    SelectChoice(ANY_STATUS, "Any status"),
]


def category_choices() -> list[SelectChoice]:
    return [
        SelectChoice("", "All categories"),
        *(SelectChoice(category.value, category.label) for category in CaseCategory),
    ]


class CaseFilterForm(Form):
    class Meta:
        csrf = False

    team = select_field(
        "Team", Optional(), coerce=optional_text, invalid_choice_message="Choose a team from the list"
    )
    category = select_field(
        "Category", Optional(), coerce=optional_text, invalid_choice_message="Choose a category from the list"
    )
    status = select_field(
        "Status", Optional(), coerce=optional_text, invalid_choice_message="Choose a status from the list"
    )

    def __init__(self, teams: list[tuple[int, str]], **kwargs):
        super().__init__(**kwargs)
        self.team.choices = [
            SelectChoice("", "All teams"),
            *(SelectChoice(str(i), name) for i, name in teams),
        ]
        self.category.choices = category_choices()
        self.status.choices = STATUS_CHOICES


class CategoryFilterForm(Form):
    """The team dashboard's case section: by category only (the cases page has every filter)."""

    class Meta:
        csrf = False

    case_category = select_field(
        "Category", Optional(), coerce=optional_text, invalid_choice_message="Choose a category from the list"
    )

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.case_category.choices = category_choices()
