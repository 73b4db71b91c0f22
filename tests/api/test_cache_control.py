"""No API answer may be kept by a browser, proxy or shared cache: every one says no-store."""

from datetime import date

from supervision.org.models import Role
from tests.cases.report_factories import make_case
from tests.factories import make_agreement, make_record, make_service, make_staff, make_team


def test_every_api_answer_says_no_store(app, client, api_as, clock):
    head = make_staff(Role.SERVICE_MANAGER, Role.SUPERVISOR)
    team = make_team(service=make_service(manager=head), manager=head)
    worker = make_staff(Role.SOCIAL_WORKER, team=team, line_manager=head)
    agreement = make_agreement(worker, head)
    record = make_record(worker, head, held_on=date(2026, 11, 20), complete=True)
    ids = {
        "staff_id": worker.id,
        "team_id": team.id,
        "service_id": team.service_id,
        "agreement_id": agreement.id,
        "session_id": record.session_id,
        "record_id": record.id,
        "case_id": make_case(worker, "CH-1001").id,
    }
    api = api_as(head)
    answers = {}
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/"):
            continue
        path = rule.build(ids, append_unknown=False)[1].removeprefix("/api/v1")
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            if method == "GET":
                response = api.get(path)
            elif method == "POST":
                response = api.post(path, json={})
            else:
                response = api.patch(path, json={})
            answers[f"{method} {rule.rule} ({response.status_code})"] = response.headers.get("Cache-Control")
    assert "GET /api/v1/records/<int:record_id> (200)" in answers  # a record's content, among others
    assert "GET /api/v1/cases/<int:case_id>/history (200)" in answers
    assert set(answers.values()) == {"no-store"}, answers


def test_refusals_and_unknown_objects_say_no_store_too(client, api_as, clock):
    assert client.get("/api/v1/records").headers["Cache-Control"] == "no-store"  # 401: no token
    response = api_as(make_staff()).get("/records/987654")
    assert response.status_code == 404
    assert response.headers["Cache-Control"] == "no-store"
