"""HR forms: the report's snapshot date, the staff import file and its confirmation, a leaver."""

from __future__ import annotations

from flask_wtf.file import FileField
from govuk_frontend_wtf.wtforms_widgets import GovFileInput
from wtforms.fields import HiddenField
from wtforms.validators import ValidationError

from supervision.fields import DayMonthYearField, Present, enum_choices
from supervision.forms import Form, Required, optional_text, select_field, submit_field, text_field
from supervision.hr.services import Leaving
from supervision.org.models import LeavingDestination


class SnapshotForm(Form):
    """Read from the query string: it changes nothing, so it has no CSRF token."""

    class Meta:
        csrf = False

    snapshot_date = DayMonthYearField(
        "Snapshot date",
        description="The last day of a month, for example 31 8 2026. Starters, leavers and "
        "supervision before leaving are shown for 30 September (the census date) only.",
    )


class UploadForm(Form):
    staff_file = FileField(
        "Upload a CSV file",
        widget=GovFileInput(),
        description="A CSV file saved as UTF-8, with the columns described in the guidance.",
    )

    def validate_staff_file(self, field) -> None:
        if not field.data or not getattr(field.data, "filename", ""):
            raise ValidationError("Select a CSV file to upload")


class ConfirmImportForm(Form):
    token = HiddenField()
    confirm = submit_field("Import staff")


class CancelImportForm(Form):
    token = HiddenField()
    cancel = submit_field("Cancel this import")


class LeaverForm(Form):
    employee_number = text_field(
        "Employee number", Required("Enter the employee number"), description="For example, E01234"
    )
    end_date = DayMonthYearField(
        "Last day of employment",
        Present("Enter the last day of employment"),
        description="For example, 31 8 2026",
    )
    leaving_reason = text_field("Leaving reason (optional)")
    leaving_destination = select_field(
        "Where are they going?",
        coerce=optional_text,
        choices=enum_choices(LeavingDestination, "Not known"),
        invalid_choice_message="Choose a leaving destination from the list",
    )

    def leaving(self) -> Leaving:
        return Leaving(
            employee_number=self.employee_number.data or "",
            end_date=self.end_date.data,
            leaving_reason=self.leaving_reason.data,
            leaving_destination=LeavingDestination(self.leaving_destination.data)
            if self.leaving_destination.data
            else None,
        )
