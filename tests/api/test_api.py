"""The JSON API: the same people see the same things as on the pages, and the same rules apply."""

import sqlalchemy as sa

from supervision.audit.models import AuditEvent
from supervision.extensions import db
from supervision.org.models import Role
from tests.factories import make_agreement, make_record, make_staff, make_team


def test_staff_are_listed_in_pages_of_the_size_asked_for(api_as):
    admin = make_staff(Role.ADMIN, family_name="Aaron")
    for number in range(4):
        make_staff(family_name=f"Person {number}")
    first = api_as(admin).get("/staff?per_page=2")
    assert first.status_code == 200
    assert first.json["total"] == 5 and first.json["page"] == 1 and first.json["per_page"] == 2
    assert [p["family_name"] for p in first.json["items"]] == ["Aaron", "Person 0"]
    third = api_as(admin).get("/staff?per_page=2&page=3")
    assert [p["family_name"] for p in third.json["items"]] == ["Person 3"]


def test_a_bad_page_number_is_a_json_error_naming_the_field(api_as):
    response = api_as(make_staff(Role.ADMIN)).get("/staff?per_page=500&page=0")
    assert response.status_code == 400
    assert response.json["status"] == 400
    assert set(response.json["errors"]) == {"page", "per_page"}


def test_a_social_worker_sees_only_themselves_and_a_foreign_id_is_404(api_as):
    worker = make_staff(Role.SOCIAL_WORKER)
    other = make_staff(Role.SOCIAL_WORKER)
    api = api_as(worker)
    assert [p["id"] for p in api.get("/staff").json["items"]] == [worker.id]
    response = api.get(f"/staff/{other.id}")
    assert response.status_code == 404
    assert response.json == {"status": 404, "message": "Page not found"}


def test_a_manager_sees_their_line_reports_and_those_below_them(api_as):
    head = make_staff(Role.SERVICE_MANAGER)
    manager = make_staff(Role.SUPERVISOR, line_manager=head)
    worker = make_staff(line_manager=manager)
    make_staff()  # someone else's
    ids = {p["id"] for p in api_as(head).get("/staff").json["items"]}
    assert ids == {head.id, manager.id, worker.id}


def test_teams_are_visible_to_their_members_only(api_as):
    team = make_team()
    member = make_staff(team=team)
    other_team = make_team()
    api = api_as(member)
    assert [t["id"] for t in api.get("/teams").json["items"]] == [team.id]
    assert api.get(f"/teams/{other_team.id}").status_code == 404


def test_reading_a_record_is_audited_and_someone_elses_is_404(api_as):
    supervisor = make_staff(Role.SUPERVISOR)
    supervisee = make_staff(line_manager=supervisor)
    record = make_record(supervisee, supervisor, complete=True)
    response = api_as(supervisee).get(f"/records/{record.id}")
    assert response.status_code == 200
    assert response.json["reflection"].startswith("Reflected")
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent)) == 1
    assert api_as(make_staff()).get(f"/records/{record.id}").status_code == 404


def test_a_record_list_carries_no_content(api_as):
    supervisor = make_staff(Role.SUPERVISOR)
    record = make_record(make_staff(line_manager=supervisor), supervisor, complete=True)
    items = api_as(supervisor).get("/records").json["items"]
    assert [item["id"] for item in items] == [record.id]
    assert "reflection" not in items[0] and "wellbeing" not in items[0]


def test_a_draft_is_saved_and_a_stale_save_is_refused_with_nothing_lost(api_as):
    supervisor = make_staff(Role.SUPERVISOR)
    supervisee = make_staff(line_manager=supervisor)
    record = make_record(supervisee, supervisor)
    saved = api_as(supervisor).patch(f"/records/{record.id}", json={"version": 1, "agenda": "Caseload"})
    assert saved.status_code == 200
    assert saved.json["agenda"] == "Caseload" and saved.json["version"] == 2
    stale = api_as(supervisee).patch(f"/records/{record.id}", json={"version": 1, "agenda": "Mine"})
    assert stale.status_code == 409
    assert "Someone else saved changes" in stale.json["message"]
    db.session.refresh(record)
    assert record.agenda == "Caseload"


def test_unknown_fields_and_wrong_types_are_refused_field_by_field(api_as):
    supervisor = make_staff(Role.SUPERVISOR)
    record = make_record(make_staff(line_manager=supervisor), supervisor)
    api = api_as(supervisor)
    response = api.patch(f"/records/{record.id}", json={"version": "one", "agenda": 5, "colour": "red"})
    assert response.status_code == 400
    assert set(response.json["errors"]) == {"version", "agenda", "colour"}
    assert api.patch(f"/records/{record.id}", json=["not", "an", "object"]).status_code == 400


def test_sign_off_is_refused_naming_every_missing_item_and_nothing_is_written(api_as):
    supervisor = make_staff(Role.SUPERVISOR)
    record = make_record(make_staff(line_manager=supervisor), supervisor, wellbeing="Fine")
    response = api_as(supervisor).post(f"/records/{record.id}/sign", json={"version": 1})
    assert response.status_code == 422
    fields = {item["field"] for item in response.json["missing"]}
    assert {"workload", "reflection"} <= fields and "wellbeing" not in fields
    db.session.refresh(record)
    assert record.supervisor_signed_at is None


def test_both_sign_through_the_api_and_the_record_locks(api_as):
    supervisor = make_staff(Role.SUPERVISOR)
    supervisee = make_staff(line_manager=supervisor)
    make_agreement(supervisee, supervisor)
    record = make_record(supervisee, supervisor, complete=True)
    signed = api_as(supervisor).post(f"/records/{record.id}/sign", json={"version": 1})
    assert signed.status_code == 200 and signed.json["supervisor_signed_at"]
    both = api_as(supervisee).post(
        f"/records/{record.id}/sign",
        json={"version": signed.json["version"], "comment": "I disagree with the plan", "disagrees": True},
    )
    assert both.status_code == 200
    assert both.json["locked"] is True and both.json["supervisee_disagrees"] is True
    again = api_as(supervisor).patch(
        f"/records/{record.id}", json={"version": both.json["version"], "agenda": "x"}
    )
    assert again.status_code == 422
    assert "locked" in again.json["message"]


def test_a_manager_above_may_read_but_not_write_a_record(api_as):
    head = make_staff(Role.SERVICE_MANAGER)
    supervisor = make_staff(Role.SUPERVISOR, line_manager=head)
    record = make_record(make_staff(line_manager=supervisor), supervisor)
    api = api_as(head)
    assert api.get(f"/records/{record.id}").status_code == 200
    assert api.patch(f"/records/{record.id}", json={"version": 1, "agenda": "x"}).status_code == 404


def test_a_supervisor_schedules_a_session_with_someone_they_supervise(api_as, clock):
    supervisor = make_staff(Role.SUPERVISOR)
    supervisee = make_staff(line_manager=supervisor)
    make_agreement(supervisee, supervisor)
    api = api_as(supervisor)
    made = api.post(
        "/sessions",
        json={
            "supervisee_ids": [supervisee.id],
            "starts_at": "2026-12-01T10:00:00+00:00",
            "duration_minutes": 90,
            "location": "Room 2",
        },
    )
    assert made.status_code == 201, made.json
    assert made.json["supervisee_ids"] == [supervisee.id] and made.json["status"] == "scheduled"
    stranger = make_staff()
    refused = api.post(
        "/sessions",
        json={
            "supervisee_ids": [stranger.id],
            "starts_at": "2026-12-01T10:00:00+00:00",
            "duration_minutes": 90,
            "online": True,
        },
    )
    assert refused.status_code == 422
    assert refused.json["errors"] == {"supervisee_ids": ["Choose people you supervise from the list"]}
    assert api.get(f"/sessions/{made.json['id']}").status_code == 200
    assert api_as(stranger).get(f"/sessions/{made.json['id']}").status_code == 404


def test_compliance_status_for_someone_you_supervise(api_as, clock):
    supervisor = make_staff(Role.SUPERVISOR)
    supervisee = make_staff(line_manager=supervisor)
    response = api_as(supervisor).get(f"/compliance/{supervisee.id}")
    assert response.status_code == 200
    assert response.json["status"] == "no_agreement"
    assert api_as(make_staff()).get(f"/compliance/{supervisee.id}").status_code == 404


def test_the_openapi_document_describes_every_api_route(app, api_as):
    spec = api_as(make_staff()).get("/openapi.json").json
    assert spec["openapi"] == "3.0.3"
    documented = {(path, method) for path, ops in spec["paths"].items() for method in ops}
    routes = {
        (rule.rule.replace("<int:", "{").replace(">", "}"), method.lower())
        for rule in app.url_map.iter_rules()
        if rule.endpoint.startswith("api.") and rule.endpoint != "api.openapi"
        for method in rule.methods - {"HEAD", "OPTIONS"}
    }
    assert documented == routes
