"""Base form and fields that render GOV.UK components and show errors in the error summary."""

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


def strip_whitespace(value):
    return value.strip() if isinstance(value, str) else value


class Form(FlaskForm):
    """Strips surrounding whitespace from every text value before validation."""

    class Meta:
        def bind_field(self, form, unbound_field, options):
            filters = [strip_whitespace, *unbound_field.kwargs.get("filters", [])]
            return unbound_field.bind(form=form, filters=filters, **options)


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
