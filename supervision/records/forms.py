"""Forms for sessions and records. They parse what was typed; the services decide what is allowed."""

from __future__ import annotations

from wtforms.fields import RadioField, StringField
from wtforms.validators import StopValidation

from supervision.fields import (
    ChecklistField,
    DayMonthYearField,
    Present,
    TimeOfDayField,
    WholeNumberField,
    closed_month_reason_field,
    enum_options,
    radios,
    textarea,
    version_field,
)
from supervision.forms import ConfirmForm, Form, checkbox_field, radio_field, select_field, text_field
from supervision.limits import whole_number
from supervision.record_sections import TEXT_SECTIONS
from supervision.records.case_register import OpenCase
from supervision.records.models import CancelledBy

MEETING_CHOICES = [("in_person", "In person"), ("online", "Online")]


# The booking's own fields, made afresh for each form that has them (a field belongs to one form).
def session_date_field() -> DayMonthYearField:
    return DayMonthYearField(
        "Date", Present("Enter the date of the session"), description="For example, 27 3 2026"
    )


def start_time_field() -> TimeOfDayField:
    return TimeOfDayField(
        "Start time",
        validators=[Present("Enter the time the session starts")],
        description="For example, 14:30",
    )


def planned_minutes_field() -> WholeNumberField:
    return WholeNumberField(
        "Length in minutes",
        Present("Enter how long the session will be, in minutes"),
        invalid_message="Length must be a whole number of minutes, like 90",
    )


def meeting_field() -> RadioField:
    return radios("How will you meet?", "Choose in person or online", MEETING_CHOICES)


def location_field() -> StringField:
    return text_field("Place", description="For an online session, you can leave this blank or name the app.")


class ScheduleSessionForm(Form):
    supervisee_ids = ChecklistField(
        "Who is the session with?",
        Present("Choose who the session is with"),
        coerce=whole_number,
        invalid_message="Choose people you supervise from the list",
        description="Choose more than one person for a group session.",
    )
    date = session_date_field()
    start_time = start_time_field()
    duration_minutes = planned_minutes_field()
    meeting = meeting_field()
    location = location_field()
    closed_month_reason = closed_month_reason_field()
    # Shown only after the booking was found to fall in a recorded absence.
    absence_confirmed = checkbox_field("Book it anyway: I know one of us is recorded as away that day")


class MoveSessionForm(Form):
    """A booked session's new date, time, length or place: the booking's own fields."""

    version = version_field()
    date = session_date_field()
    start_time = start_time_field()
    duration_minutes = planned_minutes_field()
    meeting = meeting_field()
    location = location_field()
    closed_month_reason = closed_month_reason_field()


class MarkHeldForm(Form):
    version = version_field()
    held_on = DayMonthYearField("Date held", Present("Enter the date the session was held"))
    duration_minutes = WholeNumberField(
        "Length in minutes",
        Present("Enter how long the session lasted, in minutes"),
        invalid_message="Length must be a whole number of minutes, like 90",
    )
    present_ids = ChecklistField(
        "Who attended?",
        coerce=whole_number,
        invalid_message="Choose attendees from the list",
        description="A draft record is made for each person who attended.",
    )
    closed_month_reason = closed_month_reason_field()


class CancelSessionForm(Form):
    version = version_field()
    cancelled_by = radios(
        "Who cancelled?",
        "Choose who cancelled the session",
        enum_options(CancelledBy),
    )
    reason = textarea("Why was it cancelled?", Present("Enter why the session was cancelled"))
    closed_month_reason = closed_month_reason_field()


class DidNotAttendForm(ConfirmForm):
    closed_month_reason = closed_month_reason_field()


def _section_fields() -> dict:
    fields = {"agenda": textarea("Agenda", description="What you planned to talk about. Optional.")}
    for section in TEXT_SECTIONS:
        fields[section.key] = textarea(section.label, description=section.hint)
    return fields


RecordForm = type(
    "RecordForm",
    (Form,),
    {"__doc__": "The draft's text sections; blanks are allowed until sign-off.", "version": version_field()}
    | _section_fields(),
)


ANOTHER_CASE = "another"


class CaseDiscussionForm(Form):
    """The case is picked from the supervisee's open cases in the register, or typed for a case
    not imported yet ("another case"); with no cases to offer, it is typed (docs/cases.md)."""

    version = version_field()
    # Choices are the supervisee's open cases, set by `offer`; unknown values are refused below.
    registered_case = radio_field("Which case was discussed?", validate_choice=False)
    case_reference = text_field("Case reference")
    summary = textarea("Summary", description="The child's circumstances and what prompted the discussion.")
    analysis = textarea(
        "Analysis", description="Risks, strengths, what the evidence shows and what is not known."
    )
    decision = textarea("Decision", description="What was decided, and why. Needed before sign-off.")

    offered: tuple[OpenCase, ...] = ()

    def offer(self, open_cases: list[OpenCase], current_reference: str | None = None) -> None:
        """Offer these cases; a discussion of one of them starts with it chosen."""
        self.offered = tuple(open_cases)
        self.registered_case.choices = [(case.reference, case.reference) for case in self.offered] + [
            (ANOTHER_CASE, "Another case")
        ]
        if self.registered_case.raw_data is None and current_reference is not None:
            references = {case.reference for case in self.offered}
            self.registered_case.data = current_reference if current_reference in references else ANOTHER_CASE
            if current_reference in references:
                self.case_reference.data = ""

    def picked_registered_case(self) -> bool:
        return bool(self.offered) and (self.registered_case.data or ANOTHER_CASE) != ANOTHER_CASE

    def validate_registered_case(self, field) -> None:
        if not self.offered:
            return
        if not field.data and not (self.case_reference.data or "").strip():
            raise StopValidation("Choose the case discussed, or choose another case and enter its reference")
        if (
            field.data
            and field.data != ANOTHER_CASE
            and field.data not in {c.reference for c in self.offered}
        ):
            raise StopValidation("Choose a case from the list")

    def validate_case_reference(self, field) -> None:
        if self.picked_registered_case():
            return
        if self.offered and not self.registered_case.data and not (field.data or "").strip():
            return  # the choice's own error says what to do
        if not (field.data or "").strip():
            raise StopValidation("Enter the case reference")

    def chosen_reference(self) -> str:
        if self.picked_registered_case():
            return self.registered_case.data
        return self.case_reference.data or ""


class ActionForm(Form):
    version = version_field()
    description = textarea("Action", Present("Describe the action"))
    owner_id = select_field(
        "Who will do it?",
        coerce=whole_number,
        invalid_choice_message="Choose who owns the action",
        invalid_value_message="Choose who owns the action",
    )
    due_on = DayMonthYearField("Due date", Present("Enter the date the action is due"))
    case_discussion_id = select_field(
        "Case (optional)",
        coerce=lambda value: whole_number(value) if value not in (None, "", "None") else None,
        invalid_choice_message="Choose a case from the list",
        invalid_value_message="Choose a case from the list",
    )


REVIEW_CHOICES = [
    ("done", "Done"),
    ("carried_forward", "Carried forward"),
    ("no_longer_needed", "No longer needed"),
]


class ActionReviewForm(Form):
    version = version_field()
    outcome = radios(
        "What happened to this action?",
        "Say whether the action is done, carried forward or no longer needed",
        REVIEW_CHOICES,
    )
    comment = textarea("Comment", Present("Add a comment on the action"))
    new_due_on = DayMonthYearField(
        "New due date (if carried forward)", description="Leave blank to keep the current due date."
    )


class SuperviseeSignForm(Form):
    version = version_field()
    supervisee_comment = textarea(
        "Your comments (optional)",
        description="Anything you want to add, or what you disagree with. It stays on the record.",
    )
    supervisee_disagrees = checkbox_field("I disagree with something written or decided in this record")


class ReturnForm(Form):
    version = version_field()
    note = textarea("What needs revising?", Present("Enter a note saying what needs revising"))


class AddendumForm(Form):
    reason = textarea("Why is this addendum needed?", Present("Enter why the addendum is needed"))
    body = textarea("Addendum", Present("Enter the addendum"))


RATING_CHOICES = [(value, str(value)) for value in range(1, 6)]


class RatingForm(Form):
    rating_helpful = radios(
        "How helpful was this supervision?",
        "Choose a rating for how helpful it was",
        RATING_CHOICES,
        coerce=whole_number,
    )
    rating_reflective = radios(
        "How reflective was it?",
        "Choose a rating for how reflective it was",
        RATING_CHOICES,
        coerce=whole_number,
    )
    rating_safe_to_challenge = radios(
        "How safe did you feel to challenge?",
        "Choose a rating for how safe you felt to challenge",
        RATING_CHOICES,
        coerce=whole_number,
    )
