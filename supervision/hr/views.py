"""HR pages: retention figures (HR only), recording a leaver, and the staff import (HR and admins).

Nothing here shows supervision content: the report is aggregates and the import is employment
data. Each view parses its form, calls one use case and renders or redirects.
"""

from __future__ import annotations

from datetime import date

from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user

from config import BASE_DIR
from supervision.clock import clock
from supervision.csv_import import FileRefused, ImportRefused, group_errors
from supervision.hr import exports, import_services, services
from supervision.hr.disclosure import (
    EARLIEST_SNAPSHOT,
    census_dates,
    recent_snapshots,
    shows_flows,
    snapshot_problem,
)
from supervision.hr.forms import CancelImportForm, ConfirmImportForm, LeaverForm, SnapshotForm, UploadForm
from supervision.hr.import_rules import ImportPlan
from supervision.hr.import_services import ImportChanged, ImportGone, ImportInterrupted
from supervision.hr.metrics import Retention, latest_census_date
from supervision.hr.tables import (
    UnknownService,
    Withheld,
    format_date,
    period_text,
    retention_tables,
    teams_on_page,
    withheld_cells,
)
from supervision.org.models import Role
from supervision.permissions import roles_required

bp = Blueprint("hr", __name__)

PENDING_IMPORT_KEY = "staff_import_token"
ERRORS_LISTED_ONE_BY_ONE = 500
EXAMPLE_FILE = BASE_DIR / "docs" / "examples" / "staff-import.csv"


def organisation_id() -> int:
    return current_user.organisation_id


# Retention ------------------------------------------------------------------------------------


def chosen_snapshot() -> tuple[SnapshotForm, date]:
    """The snapshot date asked for, or the latest 30 September; a date that is not a month end
    (or is out of range) is explained on the form (`disclosure.snapshot_problem`)."""
    today = clock().today()
    default = latest_census_date(today)
    if "snapshot_date" not in request.args:
        return SnapshotForm(data={"snapshot_date": default}), default
    form = SnapshotForm(formdata=request.args)
    if form.validate() and form.snapshot_date.data:
        chosen = form.snapshot_date.data
        problem = snapshot_problem(chosen, today, format_date)
        if problem is None:
            return form, chosen
        form.snapshot_date.errors = [*form.snapshot_date.errors, problem]
    return form, default


def snapshot_args(snapshot: date) -> dict:
    return {"snapshot_date": [str(snapshot.day), str(snapshot.month), str(snapshot.year)]}


# Up to this many teams the page lists every team under its service. A larger organisation's
# page lists its services, and the teams of one service at a time (?service=ID): at national
# scale every team on one page was 17 MB of HTML (docs/performance.md). Downloads have them all.
TEAMS_ON_ONE_PAGE = 60


@bp.get("/retention")
@roles_required(Role.HR)
def retention():
    form, snapshot = chosen_snapshot()
    report = services.retention_report(organisation_id(), snapshot)
    try:
        shown = teams_on_page(report, request.args.get("service"), TEAMS_ON_ONE_PAGE)
    except UnknownService:
        abort(404)
    withheld = withheld_for(report)
    today = clock().today()
    tables = retention_tables(report, shown.shows, withheld)
    # Each service's link to its teams, made once for the six tables that list it.
    service_links = (
        None
        if shown.every_team
        else {
            service.unit.key: url_for("hr.retention", service=service.unit.key, **snapshot_args(snapshot))
            for service in report.services
        }
    )
    return render_template(
        "hr/retention.html",
        form=form,
        report=report,
        tables=tables,
        trends=shown.trends(report, withheld),
        teams=shown,
        service_links=service_links,
        period=period_text(report),
        snapshot=snapshot,
        export_args=snapshot_args(snapshot),
        flows_shown=shows_flows(snapshot),
        any_withheld=any(cell.secondary for table in tables for row in table.rows for cell in row.cells),
        recent_snapshots=recent_snapshots(today, 12),
        census_dates=census_dates(today, 5),
        snapshot_args=snapshot_args,
        format_date=format_date,
        earliest_snapshot=EARLIEST_SNAPSHOT,
    )


def withheld_for(report: Retention) -> Withheld:
    """The cells withheld from `report`: the job's decision for these figures, or decided now."""
    return withheld_cells(report, kept=services.kept_withholding(organisation_id()))


def _export(kind: str) -> Response:
    _, snapshot = chosen_snapshot()
    report = services.retention_report(organisation_id(), snapshot)
    name = current_user.organisation.name
    now = clock().now()
    if kind == "csv":
        # The tables as the stored-figures job wrote them for its report, cells withheld, when it
        # did; else written here. Written as it is sent. Every figure was read above and the rest
        # is pure, so the stream needs no request context (`stream_with_context`): the connection
        # goes back to the pool before the file is written, not after.
        tables = services.stored_csv_body(organisation_id(), report)
        withheld = None if tables is not None else withheld_for(report)
        response = Response(
            exports.retention_csv_chunks(report, name, now, withheld, body=tables), mimetype="text/csv"
        )
    else:
        body = exports.retention_xlsx(report, name, now, withheld_for(report))
        mimetype = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        response = Response(body, mimetype=mimetype)
    response.headers["Content-Disposition"] = (
        f'attachment; filename="retention-{snapshot.isoformat()}.{kind}"'
    )
    return response


@bp.get("/retention/export.csv")
@roles_required(Role.HR)
def export_csv():
    return _export("csv")


@bp.get("/retention/export.xlsx")
@roles_required(Role.HR)
def export_xlsx():
    return _export("xlsx")


@bp.route("/retention/record-leaver", methods=["GET", "POST"])
@roles_required(Role.HR)
def record_leaver():
    form = LeaverForm()
    if form.validate_on_submit():
        try:
            person = services.record_leaver(organisation_id(), form.leaving())
        except services.LeaverRefused as refusal:
            for field_name, message in refusal.errors.items():
                getattr(form, field_name).errors = [*getattr(form, field_name).errors, message]
        else:
            # At the latest census date the figures are the hourly job's (docs/metrics.md).
            flash(
                f"Leaver recorded: {person.name}, last day {format_date(person.end_date)}. "
                "The retention figures include them by the next hourly update.",
                "success",
            )
            return redirect(url_for("hr.retention"))
    return render_template("hr/record-leaver.html", form=form)


# Staff import ---------------------------------------------------------------------------------


def error_listing(plan: ImportPlan) -> dict:
    """Every error: one by one when there are a few hundred, else grouped by column and problem."""
    if len(plan.errors) <= ERRORS_LISTED_ONE_BY_ONE:
        return {"one_by_one": plan.errors, "grouped": None}
    return {"one_by_one": None, "grouped": group_errors(plan.errors)}


def refused_page(form: UploadForm, plan: ImportPlan, status: int = 200):
    rows = len({error.row for error in plan.errors})
    form.staff_file.errors = [
        f"The file has {len(plan.errors):,} {'problem' if len(plan.errors) == 1 else 'problems'} in "
        f"{rows:,} {'row' if rows == 1 else 'rows'}. Nothing was imported. Fix every problem listed "
        "below and upload the file again."
    ]
    return render_template("hr/staff-import.html", form=form, plan=plan, **error_listing(plan)), status


@bp.route("/staff-import", methods=["GET", "POST"])
@roles_required(Role.HR, Role.ADMIN)
def staff_import():
    form = UploadForm()
    if request.method == "POST" and (problem := import_services.too_big_problem(request.content_length or 0)):
        # Refused before the body is read: a file this size is not a staff list.
        form.staff_file.errors = [problem]
    elif form.validate_on_submit():
        upload = form.staff_file.data
        try:
            pending, _ = import_services.hold_for_confirmation(
                organisation_id(), current_user.id, upload.filename, upload.read()
            )
        except FileRefused as refusal:
            form.staff_file.errors = list(refusal.messages)
        except ImportRefused as refusal:
            return refused_page(form, refusal.plan)
        else:
            session[PENDING_IMPORT_KEY] = pending.token
            return redirect(url_for("hr.staff_import_preview"))
    return render_template("hr/staff-import.html", form=form, plan=None, one_by_one=None, grouped=None)


@bp.get("/staff-import/preview")
@roles_required(Role.HR, Role.ADMIN)
def staff_import_preview():
    pending = import_services.pending_import(
        organisation_id(), current_user.id, session.get(PENDING_IMPORT_KEY, "")
    )
    if pending is None:
        flash("There is no file waiting to be imported. Upload the file again.", "info")
        return redirect(url_for("hr.staff_import"))
    plan = import_services.preview(pending)
    if not plan.ok:
        return refused_page(UploadForm(), plan)
    return render_template(
        "hr/staff-import-preview.html",
        pending=pending,
        plan=plan,
        confirm_form=ConfirmImportForm(token=pending.token),
        cancel_form=CancelImportForm(token=pending.token),
        sample_size=50,
    )


@bp.post("/staff-import/confirm")
@roles_required(Role.HR, Role.ADMIN)
def confirm_staff_import():
    form = ConfirmImportForm()
    if not form.validate_on_submit():
        return redirect(url_for("hr.staff_import"))
    try:
        plan = import_services.confirm_import(organisation_id(), current_user.id, form.token.data or "")
    except ImportGone:
        flash(
            "That import has already been applied, cancelled or has expired. Upload the file again.", "info"
        )
        return redirect(url_for("hr.staff_import"))
    except ImportRefused as refusal:
        session.pop(PENDING_IMPORT_KEY, None)
        return refused_page(UploadForm(), refusal.plan)
    except (ImportChanged, ImportInterrupted):
        flash(
            "Staff details changed since you checked this file, so nothing was imported. "
            "Check the changes below and confirm again.",
            "info",
        )
        return redirect(url_for("hr.staff_import_preview"))
    session.pop(PENDING_IMPORT_KEY, None)
    flash(import_summary(plan), "success")
    return redirect(url_for("hr.staff_import"))


@bp.post("/staff-import/cancel")
@roles_required(Role.HR, Role.ADMIN)
def cancel_staff_import():
    form = CancelImportForm()
    if form.validate_on_submit():
        import_services.discard_import(organisation_id(), current_user.id, form.token.data or "")
        session.pop(PENDING_IMPORT_KEY, None)
        flash("Import cancelled. Nothing was changed.", "info")
    return redirect(url_for("hr.staff_import"))


@bp.get("/staff-import/example.csv")
@roles_required(Role.HR, Role.ADMIN)
def staff_import_example():
    return Response(
        EXAMPLE_FILE.read_bytes(),
        mimetype="text/csv",
        headers={"Content-Disposition": 'attachment; filename="staff-import.csv"'},
    )


def import_summary(plan: ImportPlan) -> str:
    def people(count: int) -> str:
        return f"{count:,} {'person' if count == 1 else 'people'}"

    return (
        f"Staff imported: {people(len(plan.creates))} added, {people(len(plan.updates))} updated, "
        f"{people(len(plan.leavers))} recorded as leavers, {people(plan.unchanged)} unchanged."
    )
