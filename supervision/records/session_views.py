"""Pages for booking and running sessions, and each person's supervision overview."""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from supervision.agreements.services import (
    absences_of,
    current_agreement,
    current_supervisees,
)
from supervision.audit.services import REASON_FIELD, reaches_closed_month
from supervision.clock import LONDON, clock
from supervision.extensions import db
from supervision.fields import choices, submitted_version
from supervision.forms import ConfirmForm, number_arg, show_error
from supervision.org.models import Role, Staff
from supervision.permissions import (
    found_or_404,
    may_manage_supervision_of,
    may_run_session,
    may_view_record,
    may_view_session,
    may_view_supervision_page,
    require,
    roles_required,
    signed_in,
)
from supervision.records import services
from supervision.records.case_register import case_register
from supervision.records.formatting import register_filters
from supervision.records.forms import (
    CancelSessionForm,
    DidNotAttendForm,
    MarkHeldForm,
    MoveSessionForm,
    ScheduleSessionForm,
)
from supervision.records.models import SessionKind, SessionStatus
from supervision.service_errors import NotPermitted, ServiceError, StaleVersion

bp = Blueprint("sessions", __name__)
bp.record_once(lambda state: register_filters(state.app))


# --- overviews --------------------------------------------------------------------------------


@bp.get("/my-supervision")
@signed_in
def my_supervision():
    return render_overview(current_user, own=True)


@bp.get("/people/<int:person_id>/supervision")
@signed_in
def person_supervision(person_id: int):
    person = db.session.get(Staff, person_id)
    person = found_or_404(person)
    if person.id == current_user.id:
        return redirect(url_for("sessions.my_supervision"))
    agreement = current_agreement(person.id)
    require(may_view_supervision_page(current_user, person, agreement.supervisor_id if agreement else None))
    return render_overview(person, own=False)


def render_overview(person: Staff, own: bool):
    agreement = current_agreement(person.id)
    supervisor_id = agreement.supervisor_id if agreement else None
    sessions = services.sessions_of_supervisee(person.id)
    now = clock().now()
    return render_template(
        "records/supervision-overview.html",
        person=person,
        own=own,
        agreement=agreement,
        upcoming=[s for s in sessions if s.status is SessionStatus.SCHEDULED and s.scheduled_start >= now][
            ::-1
        ],
        past=[s for s in sessions if not (s.status is SessionStatus.SCHEDULED and s.scheduled_start >= now)],
        records_by_session={
            record.session_id: record
            for s in sessions
            for record in s.records
            if record.supervisee_id == person.id and may_view_record(current_user, record)
        },
        open_actions=services.open_actions_of(person.id),
        absences=absences_of(person.id),
        may_manage=may_manage_supervision_of(current_user, person, supervisor_id),
        is_supervisor=current_user.id == supervisor_id,
        # What to bring to supervision: shown to the worker themselves (docs/cases.md).
        cases_due=case_register().due_discussion(person, clock().today()) if own else [],
    )


@bp.get("/supervisees")
@roles_required(Role.SUPERVISOR, Role.SERVICE_MANAGER)
def supervisees():
    agreements = current_supervisees(current_user.id)
    now = clock().now()
    return render_template(
        "records/supervisees.html",
        summaries=services.supervisee_summaries(agreements),
        sessions=services.sessions_run_by(current_user.id, since=now - timedelta(days=14)),
        now=now,
    )


# --- sessions ---------------------------------------------------------------------------------


def session_or_404(session_id: int):
    session = services.load_session(session_id)
    session = found_or_404(session, lambda session: may_view_session(current_user, session))
    return session


@bp.route("/sessions/new", methods=["GET", "POST"])
@roles_required(Role.SUPERVISOR, Role.SERVICE_MANAGER)
def schedule_session():
    agreements = current_supervisees(current_user.id)
    form = ScheduleSessionForm()
    form.supervisee_ids.choices = choices((a.supervisee_id, a.supervisee.name) for a in agreements)
    rebooked_from = None
    rebook_id = number_arg("rebook")
    if rebook_id is not None:
        rebooked_from = services.load_session(rebook_id)
        rebooked_from = found_or_404(
            rebooked_from, lambda rebooked_from: may_run_session(current_user, rebooked_from)
        )
    absence_warning = False
    if request.method == "GET":
        prefill(form, rebooked_from, number_arg("supervisee_id"))
    if form.validate_on_submit() and form.date.data is not None and form.start_time.data is not None:
        starts_at = datetime.combine(form.date.data, form.start_time.data, tzinfo=LONDON)
        try:
            session = services.schedule_session(
                current_user,
                form.supervisee_ids.data,
                starts_at,
                form.duration_minutes.data,
                location=form.location.data or "",
                online=form.meeting.data == "online",
                rebooked_from=rebooked_from,
                closed_month_reason=form.closed_month_reason.data or "",
                absence_confirmed=bool(form.absence_confirmed.data),
            )
        except NotPermitted:
            abort(404)
        except ServiceError as error:
            show_error(form, error, "supervisee_ids")
            absence_warning = error.field == services.ABSENCE_CONFIRMED_FIELD
        else:
            flash("Session booked.", "success")
            return redirect(url_for("sessions.session", session_id=session.id))
    return render_template(
        "records/session-form.html",
        form=form,
        rebooked_from=rebooked_from,
        has_supervisees=bool(agreements),
        absence_warning=absence_warning,
    )


def prefill(form: ScheduleSessionForm, rebooked_from, supervisee_id: int | None) -> None:
    form.duration_minutes.data = 90
    form.meeting.data = "in_person"
    if supervisee_id is not None:
        form.supervisee_ids.data = [supervisee_id]
    if rebooked_from is not None:
        form.supervisee_ids.data = [attendee.supervisee_id for attendee in rebooked_from.attendees]
        form.duration_minutes.data = rebooked_from.duration_minutes
        form.meeting.data = "online" if rebooked_from.online else "in_person"
        form.location.data = rebooked_from.location
        form.start_time.data = rebooked_from.scheduled_start.astimezone(LONDON).time()


@bp.get("/sessions/<int:session_id>")
@signed_in
def session(session_id: int):
    session = session_or_404(session_id)
    return render_template(
        "records/session.html",
        session=session,
        may_run=may_run_session(current_user, session) and session.status is SessionStatus.SCHEDULED,
        not_started=services.not_started_refusal(session),
        may_rebook=may_run_session(current_user, session)
        and session.status in (SessionStatus.CANCELLED, SessionStatus.DID_NOT_ATTEND),
        visible_records=[record for record in session.records if may_view_record(current_user, record)],
        confirm=ConfirmForm(version=session.version),
    )


def runnable_session_or_404(session_id: int):
    session = session_or_404(session_id)
    require(may_run_session(current_user, session))
    if session.status is not SessionStatus.SCHEDULED:
        flash(f"This session is already marked {session.status.label.lower()}.", "info")
        return session, redirect(url_for("sessions.session", session_id=session.id))
    return session, None


def started_session_or_404(session_id: int):
    """A session to mark held or did not attend: only once it has started."""
    session, done = runnable_session_or_404(session_id)
    refusal = None if done else services.not_started_refusal(session)
    if refusal:
        flash(refusal, "info")
        done = redirect(url_for("sessions.session", session_id=session.id))
    return session, done


@bp.route("/sessions/<int:session_id>/held", methods=["GET", "POST"])
@signed_in
def mark_held(session_id: int):
    session, done = started_session_or_404(session_id)
    if done:
        return done
    form = MarkHeldForm()
    group = session.kind is SessionKind.GROUP
    form.present_ids.choices = choices((a.supervisee_id, a.supervisee.name) for a in session.attendees)
    if request.method == "GET":
        scheduled_on = session.scheduled_start.astimezone(LONDON).date()
        form.version.data = str(session.version)
        form.held_on.data = min(scheduled_on, clock().today())
        form.duration_minutes.data = session.duration_minutes
        form.present_ids.data = [a.supervisee_id for a in session.attendees]
    if form.validate_on_submit():
        try:
            records = services.mark_held(
                current_user,
                session,
                submitted_version(form),
                form.held_on.data,
                form.duration_minutes.data,
                present_ids=form.present_ids.data if group else None,
                closed_month_reason=form.closed_month_reason.data or "",
            )
        except StaleVersion as error:
            show_error(form, error, "held_on")
            form.version.data = str(session.version)
        except ServiceError as error:
            show_error(form, error, "held_on")
        else:
            if len(records) == 1:
                flash("Session marked as held. Write up the record below.", "success")
                return redirect(url_for("records.record", record_id=records[0].id))
            flash(
                f"Session marked as held. There is a draft record for each of the {len(records)} attendees.",
                "success",
            )
            return redirect(url_for("sessions.session", session_id=session.id))
    return render_template(
        "records/mark-held.html",
        form=form,
        session=session,
        group=group,
        closed_month=reaches_closed_month([services.session_day(session.scheduled_start)]),
    )


@bp.route("/sessions/<int:session_id>/cancel", methods=["GET", "POST"])
@signed_in
def cancel_session(session_id: int):
    session, done = runnable_session_or_404(session_id)
    if done:
        return done
    form = CancelSessionForm()
    if request.method == "GET":
        form.version.data = str(session.version)
    if form.validate_on_submit():
        try:
            services.cancel_session(
                current_user,
                session,
                submitted_version(form),
                form.reason.data or "",
                form.cancelled_by.data,
                closed_month_reason=form.closed_month_reason.data or "",
            )
        except ServiceError as error:
            show_error(form, error, "reason")
            form.version.data = str(session.version)
        else:
            flash("Session cancelled. Book another one below so supervision stays on track.", "success")
            return redirect(url_for("sessions.session", session_id=session.id))
    return render_template(
        "records/cancel-session.html",
        form=form,
        session=session,
        closed_month=reaches_closed_month([services.session_day(session.scheduled_start)]),
    )


@bp.route("/sessions/<int:session_id>/move", methods=["GET", "POST"])
@signed_in
def move_session(session_id: int):
    session, done = runnable_session_or_404(session_id)
    if done:
        return done
    form = MoveSessionForm()
    if request.method == "GET":
        starts_at = session.scheduled_start.astimezone(LONDON)
        form.version.data = str(session.version)
        form.date.data = starts_at.date()
        form.start_time.data = starts_at.time()
        form.duration_minutes.data = session.duration_minutes
        form.meeting.data = "online" if session.online else "in_person"
        form.location.data = session.location
    if form.validate_on_submit() and form.date.data is not None and form.start_time.data is not None:
        starts_at = datetime.combine(form.date.data, form.start_time.data, tzinfo=LONDON)
        try:
            services.move_session(
                current_user,
                session,
                submitted_version(form),
                starts_at,
                form.duration_minutes.data,
                location=form.location.data or "",
                online=form.meeting.data == "online",
                closed_month_reason=form.closed_month_reason.data or "",
            )
        except ServiceError as error:
            show_error(form, error, "date")
            form.version.data = str(session.version)
        else:
            flash("Session moved. Everyone in it has been sent the new time.", "success")
            return redirect(url_for("sessions.session", session_id=session.id))
    return render_template(
        "records/move-session.html",
        form=form,
        session=session,
        closed_month=reaches_closed_month([services.session_day(session.scheduled_start)]),
    )


@bp.route("/sessions/<int:session_id>/did-not-attend", methods=["GET", "POST"])
@signed_in
def did_not_attend(session_id: int):
    session, done = started_session_or_404(session_id)
    if done:
        return done
    form = DidNotAttendForm()
    if request.method == "GET":
        form.version.data = str(session.version)
    if form.validate_on_submit():
        try:
            services.mark_did_not_attend(
                current_user,
                session,
                submitted_version(form),
                closed_month_reason=form.closed_month_reason.data or "",
            )
        except ServiceError as error:
            if error.field != REASON_FIELD:
                flash(error.message, "info")
                return redirect(url_for("sessions.session", session_id=session.id))
            show_error(form, error, REASON_FIELD)
        else:
            flash("Session marked as did not attend. Book another one below.", "success")
            return redirect(url_for("sessions.session", session_id=session.id))
    return render_template(
        "records/confirm-did-not-attend.html",
        form=form,
        session=session,
        closed_month=reaches_closed_month([services.session_day(session.scheduled_start)]),
    )
