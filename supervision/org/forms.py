"""Forms for services, teams and staff. They parse what was typed; the rules live in rules.py."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

from govuk_frontend_wtf.wtforms_widgets import GovCheckboxesInput, GovTextInput
from wtforms import validators
from wtforms.fields import Field, SelectMultipleField, StringField
from wtforms.validators import ValidationError

from supervision import rendered_once
from supervision.fields import DayMonthYearField, Present, WholeNumberField, choices, enum_choices
from supervision.forms import (
    Form,
    Optional,
    Required,
    checkbox_field,
    email_field,
    optional_text,
    radio_field,
    select_field,
    submit_field,
    text_field,
)
from supervision.limits import whole_number
from supervision.org.models import CareerStage, ContractType, LeavingDestination, Role, Staff
from supervision.org.rules import StaffDetails, parse_decimal, parse_whole_number
from supervision.org.services import StaffFilters, StaffNeed, StaffStatus, TeamDetails


class NumberField(Field):
    """A number typed into a text box, parsed by a rule function; its own message when it is not one."""

    widget = GovTextInput()

    def __init__(self, label, *validators_, parse, invalid_message, **kwargs):
        super().__init__(label, validators=list(validators_), **kwargs)
        self.parse = parse
        self.invalid_message = invalid_message

    def process_formdata(self, valuelist):
        text = valuelist[0].strip() if valuelist else ""
        self.data = None
        if text:
            self.data = self.parse(text)
            if self.data is None:
                raise ValueError(self.invalid_message)

    def _value(self):
        if self.raw_data:
            return self.raw_data[0]
        if isinstance(self.data, Decimal):
            return format(self.data.normalize(), "f")
        return "" if self.data is None else str(self.data)


def optional_id(value) -> int | None:
    """Select values: "" means none chosen; anything else must be a whole number."""
    if value in (None, ""):
        return None
    return whole_number(value)


def id_select(label, blank, *validators_, **kwargs):
    """Choices come from the database; the service checks the id belongs to the organisation."""
    return select_field(
        label,
        *validators_,
        coerce=optional_id,
        validate_choice=False,
        invalid_value_message="Choose an option from the list",
        choices=choices([], blank),
        **kwargs,
    )


class StaffReferenceField(StringField):
    """A person typed as their email address or employee number, for when there are too many
    people to list. `look_up_with` gives it the service's look-up; `staff_id` is whom it found."""

    widget = rendered_once.TextInput()

    def __init__(self, label: str, *validators_, not_found_message: str, **kwargs) -> None:
        super().__init__(label, validators=list(validators_), **kwargs)
        self.not_found_message = not_found_message
        self.find: Callable[[str], int | None] = lambda text: None
        self.staff_id: int | None = None

    def look_up_with(self, find: Callable[[str], int | None], current: Staff | None, hint: str) -> None:
        """`find` turns the text into an id; `current` (the person chosen so far) fills the box."""
        self.find = find
        self.description = f"Currently: {current.name} ({current.email}). {hint}" if current else hint
        if current is not None and not self.raw_data:
            self.data = current.email

    def post_validate(self, form, validation_stopped) -> None:
        self.staff_id = None
        if validation_stopped or self.errors or not self.data:
            return
        self.staff_id = self.find(self.data)
        if self.staff_id is None:
            raise ValidationError(self.not_found_message)


def enum_radios(label, message, enum_cls):
    return radio_field(
        label, Required(message), choices=enum_choices(enum_cls), invalid_choice_message=message
    )


class ServiceForm(Form):
    name = text_field("Service name", Required("Enter the service name"))
    manager_id = id_select("Head of service", "No head of service yet")

    def set_choices(self, staff_options) -> None:
        self.manager_id.choices = choices(staff_options, "No head of service yet")


class TeamForm(Form):
    name = text_field("Team name", Required("Enter the team name"))
    service_id = id_select("Service", "Choose a service", Present("Choose a service"))
    establishment_fte = NumberField(
        "Establishment (FTE)",
        Present("Enter the establishment in FTE, or 0 if there are no funded posts yet"),
        parse=parse_decimal,
        invalid_message="Establishment must be a number, like 6.5",
        description="The number of funded full-time equivalent posts, for example 6.5",
    )
    manager_id = id_select("Team manager", "No team manager yet")

    def set_choices(self, service_options, staff_options) -> None:
        self.service_id.choices = choices(service_options, "Choose a service")
        self.manager_id.choices = choices(staff_options, "No team manager yet")

    def details(self) -> TeamDetails:
        return TeamDetails(
            name=self.name.data or "",
            service_id=self.service_id.data,
            establishment_fte=self.establishment_fte.data,
            manager_id=self.manager_id.data,
        )


class StaffForm(Form):
    given_name = text_field("Given name", Required("Enter the given name"))
    family_name = text_field("Family name", Required("Enter the family name"))
    email = email_field("Email address", Required("Enter the email address"))
    employee_number = text_field("Employee number (optional)")
    job_title = text_field("Job title (optional)")
    career_stage = enum_radios("Career stage", "Choose a career stage", CareerStage)
    registered_social_worker = checkbox_field("Registered social worker")
    swe_registration_number = text_field(
        "Social Work England registration number (optional)", description="For example, SW12345"
    )
    swe_renewal_date = DayMonthYearField(
        "Social Work England renewal date (optional)", description="For example, 30 11 2027"
    )
    dbs_check_date = DayMonthYearField(
        "Date of the last DBS check (optional)", description="For example, 4 3 2025"
    )
    contract_type = enum_radios("Contract", "Choose a contract type", ContractType)
    fte = NumberField(
        "Full-time equivalent (FTE)",
        Present("Enter the FTE, like 1 for full time or 0.6 for 3 days a week"),
        parse=parse_decimal,
        invalid_message="FTE must be a number, like 0.6",
        description="1 is full time; 0.6 is 3 days a week",
    )
    caseload = NumberField(
        "Caseload (optional)",
        parse=parse_whole_number,
        invalid_message="Caseload must be a whole number, like 12",
        description="The number of children allocated to this person",
    )
    start_date = DayMonthYearField(
        "Start date", Present("Enter the start date"), description="For example, 6 1 2020"
    )
    end_date = DayMonthYearField(
        "End date (optional)", description="The last day of employment, if they have left"
    )
    leaving_reason = text_field("Leaving reason (optional)")
    leaving_destination = select_field(
        "Leaving destination",
        coerce=optional_text,
        choices=enum_choices(LeavingDestination, "Not left"),
        invalid_choice_message="Choose a leaving destination from the list",
    )
    team_id = id_select("Team", "Not in a team")
    line_manager_id = id_select("Line manager", "No line manager")
    roles = SelectMultipleField(  # type: ignore[call-arg]  # WTForms 3.3's message; its stubs are 3.2's
        "Roles",
        choices=enum_choices(Role),
        widget=GovCheckboxesInput(),
        invalid_choice_message="Choose roles from the list",
        description="Select all that apply. Roles decide what the person can see and do.",
    )

    def set_choices(self, team_options, staff_options) -> None:
        self.set_team_choices(team_options)
        self.line_manager_id.choices = choices(staff_options, "No line manager")

    def set_team_choices(self, team_options) -> None:
        self.team_id.choices = choices(team_options, "Not in a team")

    def details(self) -> StaffDetails:
        start_date = self.start_date.data
        if start_date is None:  # Present: a form without one does not validate
            raise ValueError("the details of a form that did not validate")
        return StaffDetails(
            given_name=self.given_name.data or "",
            family_name=self.family_name.data or "",
            email=self.email.data or "",
            employee_number=self.employee_number.data,
            job_title=self.job_title.data or "",
            career_stage=CareerStage(self.career_stage.data),
            registered_social_worker=bool(self.registered_social_worker.data),
            swe_registration_number=self.swe_registration_number.data,
            swe_renewal_date=self.swe_renewal_date.data,
            dbs_check_date=self.dbs_check_date.data,
            contract_type=ContractType(self.contract_type.data),
            fte=self.fte.data,
            caseload=self.caseload.data,
            start_date=start_date,
            end_date=self.end_date.data,
            leaving_reason=self.leaving_reason.data,
            leaving_destination=LeavingDestination(self.leaving_destination.data)
            if self.leaving_destination.data
            else None,
            team_id=self.team_id.data,
            line_manager_id=self.chosen_line_manager_id(),
        )

    def chosen_line_manager_id(self) -> int | None:
        return self.line_manager_id.data

    def chosen_roles(self) -> set[Role]:
        return {Role(value) for value in self.roles.data or ()}


class LargeOrganisationStaffForm(StaffForm):
    """The staff form where there are more active people than a select can offer
    (limits.MAX_LISTED_MANAGERS): the line manager is typed, then found by the service."""

    line_manager_id = StaffReferenceField(
        "Line manager's email address or employee number",
        not_found_message="No one in your organisation has that email address or employee number",
    )

    def set_line_manager_lookup(
        self, team_options, find: Callable[[str], int | None], current: Staff | None
    ) -> None:
        self.set_team_choices(team_options)
        self.line_manager_id.look_up_with(find, current, "Leave empty for no line manager.")

    def chosen_line_manager_id(self) -> int | None:
        return self.line_manager_id.staff_id


class DeactivateForm(Form):
    """The confirmation page asks the question; its button answers it."""

    confirm = submit_field("Deactivate")


class StaffFilterForm(Form):
    """The staff list's search and filters, read from the query string (no CSRF: it changes nothing)."""

    class Meta:
        csrf = False

    search = text_field("Search by name, email or employee number", validators.Length(max=200))
    service = id_select("Service", "All services")
    team = id_select("Team", "All teams")
    role = select_field(
        "Role",
        coerce=optional_text,
        choices=enum_choices(Role, "All roles"),
        invalid_choice_message="Not a role",
    )
    career_stage = select_field(
        "Career stage",
        coerce=optional_text,
        choices=enum_choices(CareerStage, "All career stages"),
        invalid_choice_message="Not a career stage",
    )
    status = select_field(
        "Status",
        coerce=optional_text,
        choices=choices(
            [(StaffStatus.ACTIVE, "Active"), (StaffStatus.LEFT, "Left or deactivated")], "Everyone"
        ),
        invalid_choice_message="Not a status",
    )
    need = select_field(
        "Still to set up",
        coerce=optional_text,
        choices=choices(
            [
                (StaffNeed.NO_AGREEMENT, "No current supervision agreement"),
                (StaffNeed.NO_PASSWORD, "No password set"),
            ],
            "Nothing in particular",
        ),
        invalid_choice_message="Not something to set up",
    )

    def set_choices(self, service_options, team_options) -> None:
        self.service.choices = choices(service_options, "All services")
        self.team.choices = choices(team_options, "All teams")

    def filters(self) -> StaffFilters:
        """What was asked for; a value that is not on the list (an edited address) is ignored."""
        self.validate()

        def valid(field):
            return None if field.errors or not field.data else field.data

        return StaffFilters(
            search=(valid(self.search) or "").strip(),
            service_id=valid(self.service),
            team_id=valid(self.team),
            role=Role(valid(self.role)) if valid(self.role) else None,
            career_stage=CareerStage(valid(self.career_stage)) if valid(self.career_stage) else None,
            status=valid(self.status),
            need=valid(self.need),
        )


class AuditSearchForm(Form):
    """The audit log search: by person (email address), record number and dates."""

    class Meta:
        csrf = False  # a search changes nothing and its address can be bookmarked

    person = email_field("Person's email address", Optional(), description="Who viewed or changed something.")
    record_id = WholeNumberField(
        "Record number", invalid_message="Record number must be a whole number, like 1042"
    )
    from_date = DayMonthYearField("From")
    to_date = DayMonthYearField("To")
