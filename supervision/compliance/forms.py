"""The form a supervisor or manager uses to explain a gap in supervision."""

from govuk_frontend_wtf.wtforms_widgets import GovTextArea
from wtforms.fields import TextAreaField

from supervision.compliance.models import GapReason
from supervision.fields import enum_choices
from supervision.forms import Form, Required, radio_field, submit_field


class OverdueExplanationForm(Form):
    reason = radio_field(
        "Why is supervision overdue?",
        Required("Select why supervision is overdue"),
        choices=enum_choices(GapReason),
    )
    details = TextAreaField(
        "More about the reason",
        description="Needed when the reason is ‘Another reason’. Do not include case details.",
        widget=GovTextArea(),
    )
    cover_arranged = TextAreaField(
        "What cover was arranged?",
        [Required("Enter what cover was arranged, or say that none was")],
        description="For example, who gave interim supervision or case direction, and when.",
        widget=GovTextArea(),
    )
    submit = submit_field("Save the reason")
