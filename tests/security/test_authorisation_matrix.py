"""The authorisation matrix: every route in the URL map, every role, objects belonging to someone
else. Each answer is checked against the table below; a route missing from the table fails the
test, so a new route cannot ship without someone deciding who may use it.

Viewers: one person per role in their own service and team (the service manager heads it, the
supervisor manages it and supervises the social worker), plus HR and an administrator. Every id
in a path belongs to a different service's people: a supervisee, their supervisor and their head
of service, none of whom the viewers manage.
"""

from __future__ import annotations

import contextvars
from datetime import UTC, date, datetime, timedelta

import pytest
from flask.testing import FlaskClient

from supervision.agreements.models import AbsenceKind
from supervision.auth.tokens import create_token
from supervision.extensions import db
from supervision.notifications.models import EmailStatus, Notification, OutboxEmail
from supervision.org.models import Role
from supervision.records.models import ActionReview
from tests.factories import (
    PASSWORD,
    make_absence,
    make_action,
    make_agreement,
    make_record,
    make_service,
    make_staff,
    make_team,
)

ROLES = ["anonymous", "social_worker", "supervisor", "service_manager", "hr", "admin"]
SIGNED_IN = ROLES[1:]
NO_SUCH_ID = 987654


def row(default: int, anonymous: int = 302, **by_role: int) -> dict[str, int]:
    """Expected statuses: `default` for every signed-in role unless named, `anonymous` signed out."""
    return {"anonymous": anonymous, **{role: by_role.get(role, default) for role in SIGNED_IN}}


# (method, path) -> expected status by role, checked against what each answer should be: someone
# else's object is 404 for every role that could otherwise reach the route, a role the route is
# not for is 403, signed out is a redirect to sign in (401 for the API). POSTs carry an empty form:
# 200 re-shows the form with errors, 302 is a redirect with a message (nothing saved), 400 an API
# validation error.
EXPECTED: dict[tuple[str, str], dict[str, int]] = {
    ("GET", "/"): row(200),
    ("GET", "/account"): row(200),
    ("GET", "/account/password"): row(200),
    ("POST", "/account/password"): row(200),
    ("POST", "/account/sign-out-everywhere"): row(302),
    ("GET", "/absences/<int:absence_id>/remove"): row(404),
    ("POST", "/absences/<int:absence_id>/remove"): row(404),
    ("GET", "/admin/failed-emails"): row(403, admin=200),
    ("POST", "/admin/failed-emails/<int:email_id>/retry"): row(403, admin=302),
    ("GET", "/admin/retention-purge"): row(403, admin=200),
    ("GET", "/admin/scheduled-jobs"): row(403, admin=200),
    ("GET", "/agreements/<int:agreement_id>"): row(404),
    ("GET", "/agreements/<int:agreement_id>/edit"): row(404),
    ("POST", "/agreements/<int:agreement_id>/edit"): row(404),
    ("POST", "/agreements/<int:agreement_id>/sign"): row(404),
    ("GET", "/api-tokens"): row(200),
    ("POST", "/api-tokens"): row(200),
    ("POST", "/api-tokens/<int:token_id>/revoke"): row(404),
    ("GET", "/api/v1/agreements"): row(200, anonymous=401),
    ("GET", "/api/v1/agreements/<int:agreement_id>"): row(404, anonymous=401),
    ("GET", "/api/v1/cases/<int:case_id>/history"): row(404, anonymous=401),
    ("GET", "/api/v1/cases"): row(200, anonymous=401),
    ("GET", "/api/v1/compliance/<int:staff_id>"): row(404, anonymous=401),
    ("GET", "/api/v1/staff/<int:staff_id>/asye-reviews"): row(404, anonymous=401),
    ("GET", "/api/v1/openapi.json"): row(200, anonymous=401),
    ("GET", "/api/v1/oversight"): row(403, anonymous=401, service_manager=200),
    ("GET", "/api/v1/oversight/services/<int:service_id>"): row(403, anonymous=401, service_manager=404),
    ("GET", "/api/v1/oversight/teams/<int:team_id>"): row(403, anonymous=401, service_manager=404),
    ("GET", "/api/v1/records"): row(200, anonymous=401),
    ("GET", "/api/v1/records/<int:record_id>"): row(404, anonymous=401),
    ("PATCH", "/api/v1/records/<int:record_id>"): row(404, anonymous=401),
    ("POST", "/api/v1/records/<int:record_id>/sign"): row(404, anonymous=401),
    ("GET", "/api/v1/retention"): row(403, anonymous=401, hr=200),
    ("POST", "/api/v1/sessions"): row(400, anonymous=401),
    ("GET", "/api/v1/sessions"): row(200, anonymous=401),
    ("GET", "/api/v1/sessions/<int:session_id>"): row(404, anonymous=401),
    ("GET", "/api/v1/staff"): row(200, anonymous=401),
    ("GET", "/api/v1/staff/<int:staff_id>"): row(404, anonymous=401, hr=200, admin=200),
    ("GET", "/api/v1/team-dashboard"): row(403, anonymous=401, supervisor=200, service_manager=200),
    ("GET", "/api/v1/teams"): row(200, anonymous=401),
    ("GET", "/api/v1/teams/<int:team_id>"): row(404, anonymous=401, hr=200, admin=200),
    ("GET", "/audit-log"): row(403, admin=200),
    ("GET", "/calendar-feed"): row(200),
    ("POST", "/calendar-feed"): row(200),
    ("POST", "/calendar-feed/turn-off"): row(302),
    ("GET", "/calendar/<token>.ics"): row(404, anonymous=404),
    ("GET", "/cases/import"): row(403, admin=200),
    ("POST", "/cases/import"): row(403, admin=200),
    ("GET", "/cases/import/example.csv"): row(403, admin=200),
    ("GET", "/cases/oversight-limits"): row(403, admin=200),
    ("POST", "/cases/oversight-limits"): row(403, admin=302),
    ("GET", "/cases/oversight-limits/team-overrides/new"): row(403, admin=200),
    ("POST", "/cases/oversight-limits/team-overrides/new"): row(403, admin=200),
    ("GET", "/cases/oversight-limits/team-overrides/<int:limit_id>"): row(403, admin=404),
    ("POST", "/cases/oversight-limits/team-overrides/<int:limit_id>"): row(403, admin=404),
    ("GET", "/cases/oversight-limits/team-overrides/<int:limit_id>/remove"): row(403, admin=404),
    ("POST", "/cases/oversight-limits/team-overrides/<int:limit_id>/remove"): row(403, admin=404),
    ("GET", "/cases"): row(403, supervisor=200, service_manager=200),
    ("GET", "/healthz"): row(200, anonymous=200),
    ("GET", "/my-supervision"): row(200),
    ("GET", "/my-data"): row(200),
    ("GET", "/my-data/download.json"): row(200),
    ("GET", "/notifications"): row(200),
    ("POST", "/notifications/<int:notification_id>/read"): row(404),
    ("POST", "/notifications/read-all"): row(302),
    ("POST", "/notifications/email-frequency"): row(200),
    ("GET", "/oversight"): row(403, service_manager=200),
    ("GET", "/oversight/changes-after-close"): row(403, service_manager=200),
    ("GET", "/oversight/people/<int:person_id>/changes-after-close"): row(403, service_manager=404),
    ("GET", "/oversight/services/<int:service_id>/changes-after-close"): row(403, service_manager=404),
    ("GET", "/oversight/teams/<int:team_id>/changes-after-close"): row(403, service_manager=404),
    ("GET", "/oversight/export.csv"): row(403, service_manager=200),
    ("GET", "/oversight/export.xlsx"): row(403, service_manager=200),
    ("GET", "/oversight/people/<int:person_id>"): row(403, service_manager=404),
    ("GET", "/oversight/people/<int:person_id>/export.csv"): row(403, service_manager=404),
    ("GET", "/oversight/people/<int:person_id>/export.xlsx"): row(403, service_manager=404),
    ("GET", "/oversight/services/<int:service_id>"): row(403, service_manager=404),
    ("GET", "/oversight/services/<int:service_id>/evidence-pack"): row(403, service_manager=404),
    ("GET", "/oversight/services/<int:service_id>/export.csv"): row(403, service_manager=404),
    ("GET", "/oversight/services/<int:service_id>/export.xlsx"): row(403, service_manager=404),
    ("GET", "/oversight/teams/<int:team_id>"): row(403, service_manager=404),
    ("GET", "/oversight/teams/<int:team_id>/evidence-pack"): row(403, service_manager=404),
    ("GET", "/oversight/teams/<int:team_id>/export.csv"): row(403, service_manager=404),
    ("GET", "/oversight/teams/<int:team_id>/export.xlsx"): row(403, service_manager=404),
    ("GET", "/people/<int:person_id>/absences/new"): row(404),
    ("POST", "/people/<int:person_id>/absences/new"): row(404),
    ("GET", "/people/<int:person_id>/agreements"): row(404),
    ("GET", "/people/<int:person_id>/agreements/new"): row(404),
    ("POST", "/people/<int:person_id>/agreements/new"): row(404),
    ("GET", "/people/<int:person_id>/asye-reviews"): row(404),
    ("GET", "/people/<int:person_id>/asye-reviews/new"): row(404),
    ("POST", "/people/<int:person_id>/asye-reviews/new"): row(404),
    ("GET", "/people/<int:person_id>/compliance"): row(404),
    ("POST", "/people/<int:person_id>/compliance"): row(404),
    ("GET", "/people/<int:person_id>/supervision"): row(404),
    ("GET", "/policy"): row(403, admin=200),
    ("POST", "/policy"): row(403, admin=200),
    ("GET", "/quality-audits"): row(403, service_manager=200),
    ("GET", "/quality-audits/<int:audit_id>"): row(403, service_manager=404),
    ("GET", "/quality-audits/choose"): row(403, service_manager=200),
    ("GET", "/quality-audits/records/<int:record_id>"): row(403, service_manager=404),
    ("POST", "/quality-audits/records/<int:record_id>"): row(403, service_manager=404),
    ("GET", "/records/<int:record_id>"): row(404),
    ("POST", "/records/<int:record_id>"): row(404),
    ("GET", "/records/<int:record_id>/action-reviews/<int:review_id>"): row(404),
    ("POST", "/records/<int:record_id>/action-reviews/<int:review_id>"): row(404),
    ("GET", "/records/<int:record_id>/actions/<int:action_id>"): row(404),
    ("POST", "/records/<int:record_id>/actions/<int:action_id>"): row(404),
    ("GET", "/records/<int:record_id>/actions/<int:action_id>/remove"): row(404),
    ("POST", "/records/<int:record_id>/actions/<int:action_id>/remove"): row(404),
    ("GET", "/records/<int:record_id>/actions/new"): row(404),
    ("POST", "/records/<int:record_id>/actions/new"): row(404),
    ("GET", "/records/<int:record_id>/addenda/new"): row(404),
    ("POST", "/records/<int:record_id>/addenda/new"): row(404),
    ("GET", "/records/<int:record_id>/case-discussions/<int:case_id>"): row(404),
    ("POST", "/records/<int:record_id>/case-discussions/<int:case_id>"): row(404),
    ("GET", "/records/<int:record_id>/case-discussions/<int:case_id>/case-note"): row(404),
    ("GET", "/records/<int:record_id>/case-discussions/<int:case_id>/remove"): row(404),
    ("POST", "/records/<int:record_id>/case-discussions/<int:case_id>/remove"): row(404),
    ("GET", "/records/<int:record_id>/case-discussions/new"): row(404),
    ("POST", "/records/<int:record_id>/case-discussions/new"): row(404),
    ("GET", "/records/<int:record_id>/print"): row(404),
    # A case's oversight history and case notes (issue 19): someone else's case is 404 for all;
    # HR and administrators may not ask for case notes.
    ("GET", "/case-notes"): row(403, social_worker=200, supervisor=200, service_manager=200),
    ("POST", "/case-notes"): row(403, social_worker=200, supervisor=200, service_manager=200),
    ("GET", "/cases/<int:case_id>"): row(404),
    ("GET", "/cases/<int:case_id>/case-note"): row(404),
    ("GET", "/cases/<int:case_id>/case-note.csv"): row(404),
    ("GET", "/cases/<int:case_id>/case-note.xlsx"): row(404),
    ("GET", "/records/<int:record_id>/rating"): row(404),
    ("POST", "/records/<int:record_id>/rating"): row(404),
    ("GET", "/records/<int:record_id>/return"): row(404),
    ("POST", "/records/<int:record_id>/return"): row(404),
    ("GET", "/records/<int:record_id>/sign"): row(404),
    ("POST", "/records/<int:record_id>/sign"): row(404),
    ("GET", "/retention"): row(403, hr=200),
    ("GET", "/retention/export.csv"): row(403, hr=200),
    ("GET", "/retention/export.xlsx"): row(403, hr=200),
    ("GET", "/retention/record-leaver"): row(403, hr=200),
    ("POST", "/retention/record-leaver"): row(403, hr=200),
    ("GET", "/service-status"): row(200, anonymous=200),
    ("GET", "/services"): row(403, admin=200),
    ("GET", "/services/<int:service_id>/edit"): row(403, admin=200),
    ("POST", "/services/<int:service_id>/edit"): row(403, admin=302),
    ("GET", "/services/<int:service_id>/teams/new"): row(403, admin=200),
    ("POST", "/services/<int:service_id>/teams/new"): row(403, admin=200),
    ("GET", "/services/new"): row(403, admin=200),
    ("POST", "/services/new"): row(403, admin=200),
    ("GET", "/sessions/<int:session_id>"): row(404),
    ("GET", "/sessions/<int:session_id>/cancel"): row(404),
    ("POST", "/sessions/<int:session_id>/cancel"): row(404),
    ("GET", "/sessions/<int:session_id>/did-not-attend"): row(404),
    ("POST", "/sessions/<int:session_id>/did-not-attend"): row(404),
    ("GET", "/sessions/<int:session_id>/held"): row(404),
    ("GET", "/sessions/<int:session_id>/move"): row(404),
    ("POST", "/sessions/<int:session_id>/move"): row(404),
    ("POST", "/sessions/<int:session_id>/held"): row(404),
    ("GET", "/sessions/new"): row(403, supervisor=200, service_manager=200),
    ("POST", "/sessions/new"): row(403, supervisor=200, service_manager=200),
    # Accounts without single sign-on: open to anyone; a link that is not a live one is 404.
    ("GET", "/forgot-password"): row(302, anonymous=200),
    ("POST", "/forgot-password"): row(302, anonymous=200),
    ("GET", "/set-password/<token>"): row(404, anonymous=404),
    ("POST", "/set-password/<token>"): row(404, anonymous=404),
    ("GET", "/sign-in"): row(302, anonymous=200),
    ("POST", "/sign-in"): row(302, anonymous=200),
    # Single sign-on is off unless OIDC_ISSUER is set (tests/auth/test_sso.py turns it on).
    ("GET", "/sign-in/sso"): row(404, anonymous=404),
    ("GET", "/sign-in/sso/callback"): row(404, anonymous=404),
    ("POST", "/sign-out"): row(302),
    ("GET", "/staff"): row(403, hr=200, admin=200),
    ("GET", "/staff-import"): row(403, hr=200, admin=200),
    ("POST", "/staff-import"): row(403, hr=200, admin=200),
    ("POST", "/staff-import/cancel"): row(403, hr=302, admin=302),
    ("POST", "/staff-import/confirm"): row(403, hr=302, admin=302),
    ("GET", "/staff-import/example.csv"): row(403, hr=200, admin=200),
    ("GET", "/staff-import/preview"): row(403, hr=302, admin=302),
    ("GET", "/staff/<int:staff_id>"): row(403, hr=200, admin=200),
    ("GET", "/staff/<int:staff_id>/deactivate"): row(403, admin=200),
    ("POST", "/staff/<int:staff_id>/deactivate"): row(403, admin=302),
    ("GET", "/staff/<int:staff_id>/edit"): row(403, hr=200, admin=200),
    ("POST", "/staff/<int:staff_id>/edit"): row(403, hr=302, admin=302),
    ("POST", "/staff/<int:staff_id>/invitation"): row(403, admin=302),
    ("POST", "/staff/<int:staff_id>/reactivate"): row(403, admin=302),
    ("GET", "/staff/new"): row(403, hr=200, admin=200),
    ("POST", "/staff/new"): row(403, hr=200, admin=200),
    ("GET", "/supervisees"): row(403, supervisor=200, service_manager=200),
    ("GET", "/team-dashboard"): row(403, supervisor=200, service_manager=200),
    ("GET", "/team-dashboard/export.csv"): row(403, supervisor=200, service_manager=200),
    ("GET", "/team-dashboard/export.xlsx"): row(403, supervisor=200, service_manager=200),
    ("GET", "/teams/<int:team_id>/edit"): row(403, admin=200),
    ("POST", "/teams/<int:team_id>/edit"): row(403, admin=302),
}


def build_world():
    viewers_head = make_staff(Role.SERVICE_MANAGER, Role.SUPERVISOR)
    service = make_service(manager=viewers_head)
    supervisor = make_staff(Role.SUPERVISOR, line_manager=viewers_head)
    team = make_team(service=service, manager=supervisor)
    worker = make_staff(Role.SOCIAL_WORKER, team=team, line_manager=supervisor)
    viewers = {
        "social_worker": worker,
        "supervisor": supervisor,
        "service_manager": viewers_head,
        "hr": make_staff(Role.HR),
        "admin": make_staff(Role.ADMIN),
    }

    their_head = make_staff(Role.SERVICE_MANAGER)
    their_service = make_service(manager=their_head)
    their_supervisor = make_staff(Role.SUPERVISOR, line_manager=their_head)
    their_team = make_team(service=their_service, manager=their_supervisor)
    them = make_staff(Role.SOCIAL_WORKER, team=their_team, line_manager=their_supervisor)
    agreement = make_agreement(them, their_supervisor)
    earlier = make_record(them, their_supervisor, held_on=date(2026, 10, 20), complete=True)
    action = make_action(earlier)
    record = make_record(them, their_supervisor, complete=True)
    review = ActionReview(record_id=record.id, action_id=action.id)
    now = datetime.now(UTC)
    notification = Notification(
        recipient_id=them.id,
        kind="due_soon",
        subject_id=them.id,
        period="2026-11",
        title="Due soon",
        body="Supervision is due soon.",
        link="/",
        created_at=now,
    )
    email = OutboxEmail(
        recipient_id=them.id,
        kind="due_soon",
        subject_id=them.id,
        period="2026-11",
        to_address=them.email,
        subject="Due soon",
        body="Supervision is due soon.",
        status=EmailStatus.FAILED,
        attempts=8,
        next_attempt_at=now,
        created_at=now,
    )
    db.session.add_all([review, notification, email])
    db.session.commit()
    ids = {
        "person_id": them.id,
        "staff_id": them.id,
        "service_id": their_service.id,
        "team_id": their_team.id,
        "agreement_id": agreement.id,
        "absence_id": make_absence(them, date(2026, 12, 1), date(2026, 12, 5), AbsenceKind.ANNUAL_LEAVE).id,
        "session_id": record.session_id,
        "record_id": record.id,
        "case_id": record.case_discussions[0].id,
        "action_id": make_action(record).id,
        "review_id": review.id,
        "token_id": create_token(them, "theirs", True, timedelta(days=1)).token.id,
        "notification_id": notification.id,
        "email_id": email.id,
        "audit_id": NO_SUCH_ID,
        "limit_id": NO_SUCH_ID,  # a case oversight limit's team override
        "token": "not-a-real-calendar-token",
    }
    return viewers, ids


def routes(app):
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: (r.rule, r.endpoint)):
        if rule.endpoint in {"static", "assets.govuk_asset"}:
            continue
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            yield rule, method


def answer(client, rule, method, ids, secret):
    values = {
        **(rule.defaults or {}),
        **{name: ids[name] for name in rule.arguments - set(rule.defaults or {})},
    }
    url = rule.build(values, append_unknown=False)[1]
    headers = {"Authorization": f"Bearer {secret}"} if secret and rule.rule.startswith("/api/") else {}

    def fetch() -> int:
        # One context for the request and for reading it, so streamed exports run to the end.
        response = FlaskClient.open(
            client, url, method=method, headers=headers, data={} if method != "GET" else None
        )
        response.get_data()
        response.close()
        return response.status_code

    try:
        return contextvars.Context().run(fetch)
    except Exception:  # the test client re-raises what production would answer with a 500
        db.session.rollback()
        return 500


def test_every_route_is_in_the_table(app):
    listed = set(EXPECTED)
    present = {(method, rule.rule) for rule, method in routes(app)}
    assert sorted(present - listed) == [], "add these routes to EXPECTED"
    assert sorted(listed - present) == [], "these routes are gone: take them out of EXPECTED"


@pytest.mark.parametrize("role", ROLES)
def test_each_role_gets_the_answer_in_the_table_for_every_route(app, clock, role):
    viewers, ids = build_world()
    viewer = viewers.get(role)
    secret = create_token(viewer, "matrix", True, timedelta(days=1)).secret if viewer else None
    wrong = []
    client = app.test_client()
    signed_in_as = None
    for rule, method in routes(app):
        expected = EXPECTED.get((method, rule.rule), {}).get(role)
        if viewer is not None and signed_in_as is None:
            assert (
                client.post("/sign-in", data={"email": viewer.email, "password": PASSWORD}).status_code == 302
            )
            signed_in_as = viewer
        got = answer(client, rule, method, ids, secret)
        if rule.endpoint in {"auth.sign_out", "auth.sign_out_everywhere_view"}:
            signed_in_as = None
        if got != expected:
            wrong.append(f"{method} {rule.rule} ({rule.endpoint}): expected {expected}, got {got}")
    assert wrong == []
