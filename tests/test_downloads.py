"""Every CSV download, found by walking the URL map, says it is UTF-8 CSV exactly once."""

import contextvars

from flask.testing import FlaskClient

from supervision.org.models import Role
from tests.cases.report_factories import make_case
from tests.factories import PASSWORD, make_service, make_staff, make_team

CSV_CONTENT_TYPE = "text/csv; charset=utf-8"


def csv_rules(app):
    return sorted(
        (rule for rule in app.url_map.iter_rules() if rule.rule.endswith(".csv")), key=lambda rule: rule.rule
    )


def content_type(client, rule, values) -> str:
    url = rule.build({**(rule.defaults or {}), **values}, append_unknown=False)[1]

    def fetch():
        response = FlaskClient.open(client, url)
        response.get_data()  # streamed exports run to the end
        response.close()
        assert response.status_code == 200, (rule.rule, response.status_code)
        return response.headers["Content-Type"]

    return contextvars.Context().run(fetch)


def test_every_csv_download_says_utf_8_once(app, clock):
    head = make_staff(Role.SERVICE_MANAGER, Role.SUPERVISOR)
    service = make_service(manager=head)
    team = make_team(service=service, manager=head)
    worker = make_staff(Role.SOCIAL_WORKER, team=team, line_manager=head)
    hr = make_staff(Role.HR)
    admin = make_staff(Role.ADMIN)
    case = make_case(worker, "CP-1")
    ids = {"service_id": service.id, "team_id": team.id, "person_id": worker.id, "case_id": case.id}
    # Who downloads each file: a route missing here fails the test, so a new CSV cannot slip by.
    downloader = {
        "case_admin.case_import_example": admin,
        "case_notes.case_note_file": head,
        "hr.export_csv": hr,
        "hr.staff_import_example": hr,
        "reports.export_oversight": head,
        "reports.export_oversight_person": head,
        "reports.export_oversight_service": head,
        "reports.export_oversight_team": head,
        "reports.export_team_dashboard": head,
    }
    rules = csv_rules(app)
    assert sorted({rule.endpoint for rule in rules}) == sorted(downloader)

    answers = {}
    for person in {hr, head, admin}:
        client = app.test_client()
        assert client.post("/sign-in", data={"email": person.email, "password": PASSWORD}).status_code == 302
        for rule in rules:
            if downloader[rule.endpoint] is person:
                answers[rule.rule] = content_type(client, rule, ids)
    assert answers == {rule.rule: CSV_CONTENT_TYPE for rule in rules}
