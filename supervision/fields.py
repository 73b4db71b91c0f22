"""Form fields shared by every feature's forms (agreements, records, the audit log search): GOV.UK widgets."""

from __future__ import annotations

import re
from datetime import date, time

from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxesInput,
    GovDateInput,
    GovRadioInput,
    GovTextArea,
    GovTextInput,
)
from wtforms.fields import (
    DateField,
    Field,
    HiddenField,
    RadioField,
    SelectMultipleField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice  # type: ignore[attr-defined]  # not in the 3.2 stubs
from wtforms.validators import StopValidation

from supervision.limits import MAX_TYPED_DIGITS, ascii_whole_number

ASCII_DIGITS = re.compile(r"[0-9]+")


class Present:
    """Something was entered or ticked (0 counts); a half-typed value keeps its own, more specific message."""

    field_flags: dict[str, bool] = {}

    def __init__(self, message: str):
        self.message = message

    def __call__(self, form, field):
        if field.process_errors:
            raise StopValidation()
        data = field.data.strip() if isinstance(field.data, str) else field.data
        if data is None or (isinstance(data, str | list | tuple | set) and not data):  # none ticked: []
            raise StopValidation(self.message)


class DayMonthYearField(DateField):
    """GOV.UK day, month and year boxes, with the Design System's message for each mistake.

    The one date field of every form. Its error-summary link goes to the day box, as GOV.UK's
    does (supervision.forms.error_href): the wrapper's id names no input, so a link to it would
    move no focus.
    """

    @property
    def first_input_id(self) -> str:
        return f"{self.id}-day"

    def __init__(self, label, *validators_, **kwargs):
        super().__init__(
            label, validators=list(validators_), format="%d %m %Y", widget=GovDateInput(), **kwargs
        )

    def process_formdata(self, valuelist):
        self.data = None
        if len(valuelist) != 3:
            self.raw_data = None
            return
        day, month, year = (part.strip() for part in valuelist)
        if not (day or month or year):
            return
        missing = [name for name, part in (("day", day), ("month", month), ("year", year)) if not part]
        if missing:
            raise ValueError(f"{self.label.text} must include a {' and '.join(missing)}")
        if not all(ASCII_DIGITS.fullmatch(part) for part in (day, month, year)):
            raise ValueError(f"{self.label.text} must be a real date")
        if len(year) != 4:
            raise ValueError(f"{self.label.text} must include a year with 4 numbers, like 2026")
        try:
            self.data = date(int(year), int(month), int(day))
        except ValueError:
            raise ValueError(f"{self.label.text} must be a real date") from None


class WholeNumberField(Field):
    """A whole number typed into a text box; blank is None, anything else not a number is refused."""

    widget = GovTextInput()

    def __init__(self, label, *validators_, invalid_message: str, **kwargs):
        super().__init__(label, validators=list(validators_), **kwargs)
        self.invalid_message = invalid_message

    def process_formdata(self, valuelist):
        text = valuelist[0].strip() if valuelist else ""
        self.data = None
        if text:
            if not re.fullmatch(rf"-?[0-9]{{1,{MAX_TYPED_DIGITS}}}", text):
                raise ValueError(self.invalid_message)
            self.data = int(text)

    def _value(self):
        if self.raw_data:
            return self.raw_data[0]
        return "" if self.data is None else str(self.data)


TIME_PATTERN = re.compile(r"^([01]?[0-9]|2[0-3])[:.]([0-5][0-9])$")


class TimeOfDayField(Field):
    """A 24-hour time such as 14:30."""

    widget = GovTextInput()

    def process_formdata(self, valuelist):
        text = valuelist[0].strip() if valuelist else ""
        self.data = None
        if text:
            match = TIME_PATTERN.match(text)
            if match is None:
                raise ValueError(f"{self.label.text} must be a time in 24-hour format, like 14:30")
            self.data = time(int(match.group(1)), int(match.group(2)))

    def _value(self):
        if self.raw_data:
            return self.raw_data[0]
        return "" if self.data is None else self.data.strftime("%H:%M")


class ChecklistField(SelectMultipleField):
    """Checkboxes whose values are ids; a value not offered gets a plain message."""

    widget = GovCheckboxesInput()

    def __init__(self, label, *validators_, invalid_message: str, **kwargs):
        super().__init__(label, validators=list(validators_), **kwargs)
        self.invalid_message = invalid_message

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError:  # a value that is not an id at all, such as "١٢"
            raise ValueError(self.invalid_message) from None

    def pre_validate(self, form):
        offered = {choice.value for choice in self.choices or []}
        if any(str(value) not in offered for value in self.data or []):
            raise StopValidation(self.invalid_message)


def choices(pairs, blank: str | None = None) -> list[SelectChoice]:
    """(value, label) pairs as WTForms choices; values are sent as text. A blank label puts a
    first choice whose value is "" (none chosen, or all)."""
    items = [SelectChoice("", blank)] if blank is not None else []
    return items + [SelectChoice("" if value is None else str(value), label) for value, label in pairs]


def enum_options(enum_cls) -> list[tuple[str, str]]:
    """An enumeration's members as (value, label) pairs, in their declared order."""
    return [(member.value, member.label) for member in enum_cls]


def enum_choices(enum_cls, blank: str | None = None) -> list[SelectChoice]:
    """An enumeration's members as WTForms choices (a blank first choice as in choices())."""
    return choices(enum_options(enum_cls), blank)


def radios(label, message, options, coerce=str, **kwargs) -> RadioField:
    return RadioField(  # type: ignore[call-arg]  # the messages are WTForms 3.3's; its stubs are 3.2's
        label,
        validators=[Present(message)],
        choices=choices(options),
        coerce=coerce,
        widget=GovRadioInput(),
        invalid_choice_message=message,
        invalid_value_message=message,
        **kwargs,
    )


def textarea(label, *validators_, **kwargs) -> TextAreaField:
    return TextAreaField(label, validators=list(validators_), widget=GovTextArea(), **kwargs)


def version_field() -> HiddenField:
    """The version the page was built from: a save based on an older one is refused."""
    return HiddenField()


def submitted_version(form) -> int | None:
    value = (form.version.data or "").strip()
    return ascii_whole_number(value)


def closed_month_reason_field() -> TextAreaField:
    """The reason a change to a month whose figures have closed needs (supervision.audit.closing)."""
    return textarea(
        "Why are you changing a month that has closed?",
        description="A month closes 10 days after it ends, once its figures have been reported. "
        "Service managers see this reason beside the figures it changed. Do not include details "
        "of the supervision.",
    )
