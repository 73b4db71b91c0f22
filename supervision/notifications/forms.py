"""The choice of how often notification emails come."""

from __future__ import annotations

from supervision.forms import Form, Required, radio_field
from supervision.notifications.models import EmailFrequency

CHOOSE = "Choose how often you want emails"


class EmailFrequencyForm(Form):
    email_frequency = radio_field(
        "How often do you want emails about supervision records?",
        Required(CHOOSE),
        choices=[(frequency.value, frequency.label) for frequency in EmailFrequency],
        validate_choice=True,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.email_frequency.pre_validate = self._choice_message(self.email_frequency.pre_validate)

    @staticmethod
    def _choice_message(check):
        def pre_validate(form):
            try:
                check(form)
            except ValueError:
                raise ValueError(CHOOSE) from None

        return pre_validate
