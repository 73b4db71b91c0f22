"""Quality audit pages: choose (or be offered a random sample of) signed records, audit one, read it."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user

from supervision.clock import clock
from supervision.org.models import Role
from supervision.permissions import found_or_404, roles_required
from supervision.reports import audits
from supervision.reports.checklist import CHECKLIST, evidence_text
from supervision.reports.forms import ChooseRecordsForm, QualityAuditForm
from supervision.reports.models import Grade

bp = Blueprint("quality_audits", __name__)


@bp.get("/quality-audits")
@roles_required(Role.SERVICE_MANAGER)
def index():
    return render_template("reports/quality-audits.html", audits=audits.recent_audits(current_user))


@bp.get("/quality-audits/choose")
@roles_required(Role.SERVICE_MANAGER)
def choose():
    teams = [(team.id, team.name) for team in audits.overseen_teams(current_user)]
    form = ChooseRecordsForm(teams, formdata=request.args)
    records = None
    if form.validate():
        records = audits.records_to_audit(current_user, form.team.data, form.sample.data, clock().today())
    return render_template(
        "reports/choose-records.html",
        form=form,
        records=records,
        sampled=bool(form.sample.data and not form.errors),
        months=audits.SAMPLE_FROM_MONTHS,
        has_teams=bool(teams),
    )


@bp.route("/quality-audits/records/<int:record_id>", methods=["GET", "POST"])
@roles_required(Role.SERVICE_MANAGER)
def audit_record(record_id: int):
    record = audits.overseen_record(current_user, record_id)
    record = found_or_404(record)
    existing = audits.audit_of(record.id)
    if existing is not None and request.method == "GET":
        return redirect(url_for("quality_audits.audit", audit_id=existing.id))
    form = QualityAuditForm()
    if form.validate_on_submit():
        try:
            audit = audits.record_audit(
                current_user, record, form.answers(), Grade(form.grade.data), form.comments.data or ""
            )
        except audits.AuditRefused as refusal:
            field = getattr(form, refusal.field)
            field.errors = [*field.errors, refusal.message]
        else:
            flash(f"Audit saved: {audit.grade.label}", "success")
            return redirect(url_for("quality_audits.audit", audit_id=audit.id))
    evidence = audits.evidence_for(record)
    return render_template(
        "reports/audit-form.html",
        form=form,
        record=record,
        checklist=[(item, evidence_text(item.key, evidence)) for item in CHECKLIST],
    )


@bp.get("/quality-audits/<int:audit_id>")
@roles_required(Role.SERVICE_MANAGER)
def audit(audit_id: int):
    found = audits.overseen_audit(current_user, audit_id)
    found = found_or_404(found)
    return render_template(
        "reports/audit.html",
        audit=found,
        answers=[(item, getattr(found, item.key)) for item in CHECKLIST],
    )
