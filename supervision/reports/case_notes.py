"""Case notes for a child's file (docs/cases.md): a case's oversight history, for one case or for
a list of references an inspector asks for, as a printable page, CSV or XLSX.

Only the case discussions and the actions agreed in them (supervision.cases.history), never a
record's personal sections. A reference the person may not see reads "not found", exactly as one
that is not in the register. Every export is audited, one entry a case.
"""

from __future__ import annotations

from flask import Blueprint, render_template
from flask_login import current_user
from wtforms.validators import ValidationError

from supervision import limits
from supervision.cases import history
from supervision.cases.history import CaseHistory
from supervision.clock import clock
from supervision.fields import radios, textarea
from supervision.forms import Form, Required, submit_field
from supervision.org.models import Role
from supervision.permissions import found_or_404, roles_required, signed_in
from supervision.reports.exports import Section
from supervision.reports.tables import generated_text
from supervision.reports.views import file_response

bp = Blueprint("case_notes", __name__)

MAX_REFERENCES = limits.CASE_NOTE_REFERENCES.high
FORMATS = (("page", "A printable page"), ("csv", "CSV"), ("xlsx", "Excel spreadsheet (XLSX)"))
NOT_FOUND = "Not found"


class CaseNotesForm(Form):
    case_references = textarea(
        "Case references",
        Required("Enter the case references, one a line"),
        description=f"One a line, up to {MAX_REFERENCES}. Copy them from the list the inspector sent.",
    )
    file_format = radios("Format", "Choose a format", FORMATS, default="page")
    show = submit_field("Get the case notes")

    def validate_case_references(self, field) -> None:
        references = history.read_references(field.data or "")
        if not references:
            raise ValidationError("Enter the case references, one a line")
        if len(references) > MAX_REFERENCES:
            raise ValidationError(
                f"Enter {MAX_REFERENCES} case references or fewer (you entered {len(references)})"
            )
        for number, reference in enumerate(references, start=1):
            problem = limits.text_problem(reference, f"Case reference {number}", limits.CASE_REFERENCE)
            if problem:
                raise ValidationError(problem)


# ----------------------------------------------------------------------------------- sections


def _actions_text(oversight: history.Oversight) -> str:
    return "\n".join(
        f"{action.description}: {action.owner_name}, by {action.due_on.isoformat()}"
        f" ({action.status.label.lower()})"
        for action in oversight.actions
    )


def note_sections(found: list[CaseHistory], not_found: list[str]) -> list[Section]:
    """The case notes as export tables: the cases, every oversight of them, what was not found."""
    sections = [
        Section(
            "Cases",
            [
                "Case reference",
                "Category",
                "Allocated to",
                "First allocated",
                "Closed",
                "Status",
                "Last oversight",
                "Oversight due",
            ],
            [
                [
                    case.reference,
                    case.category.label,
                    case.worker_name,
                    case.opened_on,
                    case.closed_on,
                    case.status.status.label if case.status else "Closed",
                    case.status.last_oversight_on if case.status else None,
                    case.status.due_on if case.status else None,
                ]
                for case in found
            ],
        ),
        Section(
            "Oversight in supervision",
            [
                "Case reference",
                "Date of supervision",
                "Supervisor",
                "Social worker",
                "Summary",
                "Analysis",
                "Decision",
                "Actions agreed",
            ],
            [
                [
                    case.reference,
                    oversight.held_on,
                    oversight.supervisor_name,
                    oversight.worker_name,
                    oversight.summary,
                    oversight.analysis,
                    oversight.decision,
                    _actions_text(oversight),
                ]
                for case in found
                for oversight in case.oversights
            ],
        ),
        Section(
            "Allocations",
            ["Case reference", "Worker", "From", "To"],
            [
                [case.reference, allocation.worker_name, allocation.allocated_on, allocation.ended_on]
                for case in found
                for allocation in case.allocations
            ],
        ),
    ]
    if not_found:
        sections.append(Section(NOT_FOUND, ["Case reference"], [[reference] for reference in not_found]))
    return sections


def note_about(today, generated_at) -> list[tuple[str, str]]:
    return [
        ("Report", "Case notes: management oversight in supervision"),
        ("Organisation", current_user.organisation.name),
        ("Status as at", f"{today.day} {today:%B %Y}"),
        ("Generated", generated_text(generated_at)),
        ("Contents", "Case discussions only: no personal sections of any supervision record"),
        (NOT_FOUND, "Not in the case register, or not a case you may see"),
    ]


def render_notes(cases, not_found: list[str], file_format: str, filename: str):
    today = clock().today()
    found = history.histories(cases, today)
    history.audit_history_views(current_user, cases, export=True)
    if file_format == "page":
        return render_template(
            "cases/case-notes.html",
            histories=found,
            not_found=not_found,
            today=today,
            generated_at=clock().now(),
            generated_text=generated_text,
        )
    about = note_about(today, clock().now())
    return file_response(about, note_sections(found, not_found), file_format, filename)


# -------------------------------------------------------------------------------------- pages


@bp.get("/cases/<int:case_id>/case-note")
@signed_in
def case_note(case_id: int):
    case = found_or_404(history.case_for(current_user, case_id))
    return render_notes([case], [], "page", "")


@bp.get("/cases/<int:case_id>/case-note.csv", defaults={"file_format": "csv"})
@bp.get("/cases/<int:case_id>/case-note.xlsx", defaults={"file_format": "xlsx"})
@signed_in
def case_note_file(case_id: int, file_format: str):
    case = found_or_404(history.case_for(current_user, case_id))
    return render_notes([case], [], file_format, f"case-note-{case.id}")


@bp.route("/case-notes", methods=["GET", "POST"])
@roles_required(Role.SOCIAL_WORKER, Role.SUPERVISOR, Role.SERVICE_MANAGER)
def case_notes():
    form = CaseNotesForm()
    if form.validate_on_submit():
        references = history.read_references(form.case_references.data)
        cases, not_found = history.cases_by_reference(current_user, references)
        return render_notes(
            cases, not_found, form.file_format.data, f"case-notes-{clock().today().isoformat()}"
        )
    return render_template("cases/case-notes-form.html", form=form, max_references=MAX_REFERENCES)
