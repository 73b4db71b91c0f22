"""The audit log search: by person (email address), record number and dates."""

from __future__ import annotations

from supervision.fields import DayMonthYearField, WholeNumberField
from supervision.forms import Form, Optional, email_field


class AuditSearchForm(Form):
    class Meta:
        csrf = False  # a search changes nothing and its address can be bookmarked

    person = email_field("Person's email address", Optional(), description="Who viewed or changed something.")
    record_id = WholeNumberField(
        "Record number", invalid_message="Record number must be a whole number, like 1042"
    )
    from_date = DayMonthYearField("From")
    to_date = DayMonthYearField("To")
