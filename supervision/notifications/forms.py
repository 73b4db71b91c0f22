"""The choice of how often notification emails come."""

from __future__ import annotations

from wtforms.validators import AnyOf

from supervision.fields import enum_choices
from supervision.forms import Form, Required, radio_field
from supervision.notifications.models import EmailFrequency

CHOOSE = "Choose how often you want emails"


class EmailFrequencyForm(Form):
    email_frequency = radio_field(
        "How often do you want emails about supervision records?",
        Required(CHOOSE),
        AnyOf([frequency.value for frequency in EmailFrequency], message=CHOOSE),
        choices=enum_choices(EmailFrequency),
        validate_choice=False,
    )
