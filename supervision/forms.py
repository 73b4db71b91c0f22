"""Base form and fields that render GOV.UK components and show errors in the error summary."""

import re

from flask import abort, current_app, request
from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxInput,
    GovRadioInput,
    GovSelect,
    GovSubmitInput,
)
from wtforms import validators
from wtforms.fields import (
    BooleanField,
    DateField,
    EmailField,
    PasswordField,
    RadioField,
    SelectField,
    StringField,
    SubmitField,
)
from wtforms.validators import ValidationError

from supervision import limits, rendered_once
from supervision.fields import version_field
from supervision.service_errors import ServiceError


def number_arg(name: str, default: int | None = None) -> int | None:
    """A page number or id from the query string (?page=2), in ASCII digits.

    Text that is not such a number ("abc", "١٢") is ignored like any hand-edited filter: the
    answer is `default`, never another script's digits read as a number. A number beyond any
    id (supervision.limits.MAX_QUERY_NUMBER) names nothing, like such an id in a path: 404.
    """
    text = request.args.get(name, "").strip()
    if not re.fullmatch(r"-?[0-9]+", text):
        return default
    if len(text.lstrip("-")) > len(str(limits.MAX_QUERY_NUMBER)) or abs(int(text)) > limits.MAX_QUERY_NUMBER:
        abort(404)
    return int(text)


def optional_text(value) -> str | None:
    """Select values where "" means none chosen."""
    return value or None


def strip_whitespace(value):
    return value.strip() if isinstance(value, str) else value


def short_label(field) -> str:
    """The label without its "(optional)" or other bracketed hint, for messages."""
    return re.sub(r"\s*\(.*\)$", "", field.label.text)


def unchanged(field) -> bool:
    """The value the page was built with, sent back as it was: limits are for what people enter,
    so a date agreed three years ago does not stop anyone correcting the agreement's notes."""
    return field.object_data is not None and field.data == field.object_data


class TextLimit:
    """The field's length and characters, from supervision.limits (the API and import use the same)."""

    def __init__(self, limit: limits.Text):
        self.limit = limit

    def __call__(self, form, field):
        if unchanged(field):
            return
        problem = limits.text_problem(field.data, short_label(field), self.limit)
        if problem:
            raise ValidationError(problem)


class DateLimit:
    """The field's date range, from supervision.limits, counted from the app clock's today."""

    def __init__(self, allowed: limits.DateRange):
        self.allowed = allowed

    def __call__(self, form, field):
        if unchanged(field):
            return
        today = current_app.extensions["clock"].today()
        problem = limits.date_problem(field.data, short_label(field), self.allowed, today)
        if problem:
            raise ValidationError(problem)


def limit_validator(form_name: str, name: str, field_class) -> TextLimit | DateLimit | None:
    """Every text and date field gets its limit by its name (or its form's and its name); a field
    with none is refused by tests/limits, so a new field cannot arrive without one."""
    text = limits.TEXT.get(f"{form_name}.{name}") or limits.TEXT.get(name)
    if issubclass(field_class, StringField) and text is not None:
        return TextLimit(text)
    if issubclass(field_class, DateField) and name in limits.DATES and not limits.DATES[name].checked_by:
        return DateLimit(limits.DATES[name])
    return None


class Form(FlaskForm):
    """Strips surrounding whitespace from every text value before validation, and checks each
    text and date field against its limit (supervision/limits.py)."""

    class Meta:
        def bind_field(self, form, unbound_field, options):
            filters = [strip_whitespace, *unbound_field.kwargs.get("filters", [])]
            field = unbound_field.bind(form=form, filters=filters, **options)
            check = limit_validator(type(form).__name__, field.short_name, unbound_field.field_class)
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
    return StringField(label, validators=list(validators_), widget=rendered_once.TextInput(), **kwargs)


def email_field(label, *validators_, **kwargs):
    return EmailField(label, validators=list(validators_), widget=rendered_once.TextInput(), **kwargs)


def password_field(label, *validators_, **kwargs):
    return PasswordField(label, validators=list(validators_), widget=rendered_once.PasswordInput(), **kwargs)


def select_field(label, *validators_, **kwargs):
    return SelectField(label, validators=list(validators_), widget=GovSelect(), **kwargs)


def radio_field(label, *validators_, **kwargs):
    return RadioField(label, validators=list(validators_), widget=GovRadioInput(), **kwargs)


def checkbox_field(label, **kwargs):
    return BooleanField(label, widget=GovCheckboxInput(), **kwargs)


def submit_field(label):
    return SubmitField(label, widget=GovSubmitInput())


class ConfirmForm(Form):
    """A button that changes something: CSRF and the version the page showed."""

    version = version_field()


def show_error(form, error: ServiceError, fallback_field: str) -> None:
    """Put a refusal on the field it is about, so the error summary links to it."""
    field = getattr(form, error.field, None) if error.field else None
    if field is None or field.type == "HiddenField":
        field = getattr(form, fallback_field)
    field.errors = [*field.errors, error.message]


def error_href(field) -> str:
    """Where an error-summary link goes: the field's first input (a date's day box), so it takes focus."""
    return f"#{getattr(field, 'first_input_id', None) or field.id}"


def error_summary(form) -> dict:
    """All of a form's errors at once for govukErrorSummary, each linking to its field's first input."""
    return {
        "titleText": "There is a problem",
        "errorList": [{"text": field.errors[0], "href": error_href(field)} for field in form if field.errors],
    }


def show_problems(form, problems: list[tuple[str, str]]) -> bool:
    """On a POST, put each rule's (field, message) on its field unless the form already says
    something there, so every error shows at once. True when there was any problem."""
    if request.method != "POST" or not problems:
        return False
    for name, message in problems:
        field = getattr(form, name)
        if not field.errors:
            field.errors = [*field.errors, message]
    return True
