"""Base form and fields that render GOV.UK components and show errors in the error summary."""

from flask import abort, current_app, request
from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxInput,
    GovDateInput,
    GovPasswordInput,
    GovRadioInput,
    GovSelect,
    GovSubmitInput,
    GovTextInput,
)
from wtforms import validators
from wtforms.fields import (
    BooleanField,
    DateField,
    DecimalField,
    EmailField,
    IntegerField,
    PasswordField,
    RadioField,
    SelectField,
    StringField,
    SubmitField,
)
from wtforms.validators import ValidationError

from supervision import limits


def number_arg(name: str, default: int | None = None) -> int | None:
    """A page number or id from the query string (?page=2): missing or blank is `default`; ASCII
    digits from 1 to supervision.limits.MAX_QUERY_NUMBER are the number; anything else is 404,
    like an id in the path that names nothing."""
    text = request.args.get(name, "")
    if not text.strip():
        return default
    number = limits.ascii_whole_number(text, limits.MAX_QUERY_NUMBER)
    if number is None or number < 1:
        abort(404)
    return number


def strip_whitespace(value):
    return value.strip() if isinstance(value, str) else value


class TextLimit:
    """The field's length and characters, from supervision.limits (the API and import use the same)."""

    def __init__(self, limit: limits.Text):
        self.limit = limit

    def __call__(self, form, field):
        problem = limits.text_problem(field.data, field.label.text, self.limit)
        if problem:
            raise ValidationError(problem)


class DateLimit:
    """The field's date range, from supervision.limits, counted from the app clock's today."""

    def __init__(self, allowed: limits.DateRange):
        self.allowed = allowed

    def __call__(self, form, field):
        today = current_app.extensions["clock"].today()
        problem = limits.date_problem(field.data, field.label.text, self.allowed, today)
        if problem:
            raise ValidationError(problem)


def limit_validator(name: str, field_class) -> TextLimit | DateLimit | None:
    """Every text and date field gets its limit by its name; a field with none is refused by
    tests/test_limits.py, so a new field cannot arrive without one."""
    if issubclass(field_class, StringField) and name in limits.TEXT:
        return TextLimit(limits.TEXT[name])
    if issubclass(field_class, DateField) and name in limits.DATES:
        return DateLimit(limits.DATES[name])
    return None


class Form(FlaskForm):
    """Strips surrounding whitespace from every text value before validation, and checks each
    text and date field against its limit (supervision/limits.py)."""

    class Meta:
        def bind_field(self, form, unbound_field, options):
            filters = [strip_whitespace, *unbound_field.kwargs.get("filters", [])]
            field = unbound_field.bind(form=form, filters=filters, **options)
            check = limit_validator(field.short_name, unbound_field.field_class)
            if check is not None:
                field.validators = [*field.validators, check]
            return field


class Required(validators.DataRequired):
    """DataRequired without the HTML `required` flag: the GOV.UK error summary, not the
    browser's own bubble, tells people what is missing."""

    field_flags = {}


class Optional(validators.Optional):
    field_flags = {}


def text_field(label, *validators_, **kwargs):
    return StringField(label, validators=list(validators_), widget=GovTextInput(), **kwargs)


def email_field(label, *validators_, **kwargs):
    return EmailField(label, validators=list(validators_), widget=GovTextInput(), **kwargs)


def password_field(label, *validators_, **kwargs):
    return PasswordField(label, validators=list(validators_), widget=GovPasswordInput(), **kwargs)


def decimal_field(label, *validators_, **kwargs):
    return DecimalField(label, validators=list(validators_), widget=GovTextInput(), **kwargs)


def integer_field(label, *validators_, **kwargs):
    return IntegerField(label, validators=list(validators_), widget=GovTextInput(), **kwargs)


def select_field(label, *validators_, **kwargs):
    return SelectField(label, validators=list(validators_), widget=GovSelect(), **kwargs)


def radio_field(label, *validators_, **kwargs):
    return RadioField(label, validators=list(validators_), widget=GovRadioInput(), **kwargs)


def date_field(label, *validators_, **kwargs):
    return DateField(label, validators=list(validators_), widget=GovDateInput(), **kwargs)


def checkbox_field(label, **kwargs):
    return BooleanField(label, widget=GovCheckboxInput(), **kwargs)


def submit_field(label):
    return SubmitField(label, widget=GovSubmitInput())
