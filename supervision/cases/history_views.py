"""A case's oversight history page (docs/cases.md): the worker and those overseeing them see it,
nobody else (404, as for any object one may not see); every view is audited."""

from __future__ import annotations

from flask import Blueprint, render_template
from flask_login import current_user

from supervision.cases import history
from supervision.clock import clock
from supervision.permissions import found_or_404, signed_in

bp = Blueprint("case_history", __name__)


@bp.get("/cases/<int:case_id>")
@signed_in
def case_history(case_id: int):
    case = found_or_404(history.case_for(current_user, case_id))
    today = clock().today()
    [found] = history.histories([case], today)
    history.audit_history_views(current_user, [case])
    return render_template("cases/case-history.html", history=found, today=today)
