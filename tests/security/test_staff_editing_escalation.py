"""Every staff-editing path, walked as HR and as an administrator, yields no supervision content.

Issue 20: as HR, setting a social worker's line manager to yourself on `/staff/<id>/edit` (or
in the staff import) opened their supervision page and every record. Now each escalation is
refused with a clear error and writes nothing (separation of duties, docs/roles.md), and even
where the organisation data does say HR manages someone, HR sees nothing (the HR role never
grants content, supervision/permissions.py). The same URLs do open for an administrator who
really is the worker's line manager, so the checks below could fail.
"""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
import sqlalchemy as sa

from supervision import limits
from supervision.audit.models import AuditEvent
from supervision.auth.tokens import create_token
from supervision.extensions import db
from supervision.hr.models import StaffImport
from supervision.notifications.models import Notification, OutboxEmail
from supervision.org.models import Role, Staff
from tests.factories import (
    COMPLETE_SECTIONS,
    make_action,
    make_agreement,
    make_record,
    make_service,
    make_staff,
    make_team,
)
from tests.hr.test_import import person_line, staff_file
from tests.html import parse_html
from tests.org.test_staff_forms import edit_data
from tests.replay import replayed

WELLBEING = COMPLETE_SECTIONS["wellbeing"]


@pytest.fixture
@replayed
def world(app, clock):
    head = make_staff(Role.SERVICE_MANAGER, employee_number="HEAD1", given_name="Hana", family_name="Head")
    service = make_service("Assessment", manager=head)
    manager = make_staff(
        Role.SUPERVISOR, line_manager=head, employee_number="TM1", given_name="Tom", family_name="Manager"
    )
    team = make_team("North", service=service, manager=manager)
    other_team = make_team("South", service=service)
    worker = make_staff(
        Role.SOCIAL_WORKER,
        team=team,
        line_manager=manager,
        employee_number="SW1",
        given_name="Wendy",
        family_name="Worker",
    )
    hr = make_staff(Role.HR, employee_number="HR1", given_name="Harriet", family_name="People")
    admin = make_staff(Role.ADMIN, employee_number="AD1", given_name="Adam", family_name="Admin")
    other_admin = make_staff(Role.ADMIN, employee_number="AD2", given_name="Ola", family_name="Admin")
    agreement = make_agreement(worker, manager)
    record = make_record(worker, manager, complete=True)
    action = make_action(record, owner=worker)
    return {
        "head": head,
        "manager": manager,
        "team": team,
        "other_team": other_team,
        "worker": worker,
        "hr": hr,
        "admin": admin,
        "other_admin": other_admin,
        "agreement": agreement,
        "record": record,
        "case": record.case_discussions[0],
        "action": action,
    }


class Person:
    """A signed-in browser and an API token for one person."""

    def __init__(self, app, staff: Staff):
        self.client = app.test_client()
        response = self.client.post(
            "/sign-in", data={"email": staff.email, "password": "correct horse battery staple"}
        )
        assert response.status_code == 302
        self.token = create_token(staff, "test", True, timedelta(days=30)).secret

    def get(self, path: str):
        return self.client.get(path)

    def post(self, path: str, data=None, **kwargs):
        return self.client.post(path, data=data or {}, **kwargs)

    def api(self, method: str, path: str, **kwargs):
        return self.client.open(
            "/api/v1" + path, method=method, headers={"Authorization": f"Bearer {self.token}"}, **kwargs
        )


def content_pages(world) -> list[str]:
    worker, record = world["worker"], world["record"]
    return [
        f"/people/{worker.id}/supervision",
        f"/people/{worker.id}/agreements",
        f"/people/{worker.id}/compliance",
        f"/agreements/{world['agreement'].id}",
        f"/sessions/{record.session_id}",
        f"/records/{record.id}",
        f"/records/{record.id}/print",
        f"/records/{record.id}/case-discussions/{world['case'].id}/case-note",
    ]


def content_api(world) -> list[str]:
    return [
        f"/records/{world['record'].id}",
        f"/sessions/{world['record'].session_id}",
        f"/agreements/{world['agreement'].id}",
        f"/compliance/{world['worker'].id}",
    ]


def assert_sees_no_content(person: Person, world) -> None:
    for path in content_pages(world):
        response = person.get(path)
        assert response.status_code in (403, 404), path
        assert WELLBEING not in response.get_data(as_text=True)
    for path in content_api(world):
        assert person.api("GET", path).status_code in (403, 404), path
    for path in ("/records", "/sessions", "/agreements"):
        response = person.api("GET", path)
        assert response.status_code == 200, path
        assert response.get_json()["items"] == [], path
    assert WELLBEING not in person.api("GET", "/records").get_data(as_text=True)


def assert_sees_content(person: Person, world) -> None:
    for path in content_pages(world):
        assert person.get(path).status_code == 200, path
    for path in content_api(world):
        assert person.api("GET", path).status_code == 200, path
    assert WELLBEING in person.get(f"/records/{world['record'].id}").get_data(as_text=True)
    assert [item["id"] for item in person.api("GET", "/records").get_json()["items"]] == [world["record"].id]


def snapshot() -> dict:
    """What an escalation would change: every person's line manager, team and roles, and the logs."""
    db.session.expire_all()
    return {
        "staff": sorted(
            (person.id, person.line_manager_id, person.team_id, person.email, tuple(sorted(person.roles)))
            for person in db.session.scalars(sa.select(Staff))
        ),
        "audit": db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent)),
        "notifications": db.session.scalar(sa.select(sa.func.count()).select_from(Notification)),
        "emails": db.session.scalar(sa.select(sa.func.count()).select_from(OutboxEmail)),
    }


def field_errors(response) -> dict[str, str]:
    soup = parse_html(response.get_data(as_text=True))
    summary = soup.select_one(".govuk-error-summary")
    assert summary is not None, response.get_data(as_text=True)[:2000]
    return {link["href"]: link.get_text(strip=True) for link in summary.select("a")}


def import_file(person: Person, lines: list[str]):
    response = person.post(
        "/staff-import",
        data={"staff_file": (io.BytesIO(staff_file(lines)), "staff.csv")},
        content_type="multipart/form-data",
    )
    return response


def import_errors(response) -> list[str]:
    soup = parse_html(response.get_data(as_text=True))
    return [
        " ".join(cell.get_text(" ", strip=True) for cell in row.select("td, th")) for row in soup.select("tr")
    ]


def worker_row(world, **overrides) -> str:
    worker = world["worker"]
    values = {
        "employee_number": worker.employee_number,
        "email": worker.email,
        "given_name": worker.given_name,
        "family_name": worker.family_name,
        "start_date": worker.start_date.isoformat(),
        "team": "Assessment/North",
        "line_manager_employee_number": world["manager"].employee_number,
    }
    return person_line(1, **{**values, **overrides})


@pytest.mark.parametrize("editor_key", ["hr", "admin"])
def test_every_staff_editing_path_refuses_the_escalation_and_yields_no_content(app, world, editor_key):
    editor_staff = world[editor_key]
    editor = Person(app, editor_staff)
    worker, manager = world["worker"], world["manager"]
    assert_sees_no_content(editor, world)
    before = snapshot()

    # Staff edit: make yourself the worker's line manager.
    response = editor.post(
        f"/staff/{worker.id}/edit", data=edit_data(worker, line_manager_id=str(editor_staff.id))
    )
    assert response.status_code == 200
    assert field_errors(response)["#line_manager_id"].startswith("You cannot make yourself")

    # Staff edit: move into the line above the worker's manager.
    response = editor.post(
        f"/staff/{manager.id}/edit", data=edit_data(manager, line_manager_id=str(editor_staff.id))
    )
    assert response.status_code == 200
    assert "#line_manager_id" in field_errors(response)

    # Staff add: a new person with yourself as their line manager.
    response = editor.post(
        "/staff/new",
        data=edit_data(
            worker,
            email="new.person@example.test",
            employee_number="NEW1",
            line_manager_id=str(editor_staff.id),
            roles=["social_worker"],
        ),
    )
    assert response.status_code == 200
    assert "#line_manager_id" in field_errors(response)

    # Teams and services (administrators' pages): make yourself the worker's team manager or head.
    team = world["team"]
    response = editor.post(
        f"/teams/{team.id}/edit",
        data={
            "name": team.name,
            "service_id": str(team.service_id),
            "establishment_fte": "5",
            "manager_id": str(editor_staff.id),
        },
    )
    if editor_key == "hr":
        assert response.status_code == 403
    else:
        assert response.status_code == 200
        assert field_errors(response)["#manager_id"].startswith("You cannot make yourself the manager")
    response = editor.post(
        f"/services/{team.service_id}/edit", data={"name": "Assessment", "manager_id": str(editor_staff.id)}
    )
    assert response.status_code == (403 if editor_key == "hr" else 200)

    # Staff import: the worker's line manager, and the manager's, set to your own number.
    for lines in (
        [worker_row(world, line_manager_employee_number=editor_staff.employee_number)],
        [
            person_line(
                2,
                employee_number=manager.employee_number,
                email=manager.email,
                given_name=manager.given_name,
                family_name=manager.family_name,
                start_date=manager.start_date.isoformat(),
                team="Assessment/North",
                line_manager_employee_number=editor_staff.employee_number,
            )
        ],
    ):
        response = import_file(editor, lines)
        assert response.status_code == 200
        rows = import_errors(response)
        assert any(
            "line_manager_employee_number" in row and "You cannot make yourself" in row for row in rows
        ), rows
    assert db.session.scalar(sa.select(sa.func.count()).select_from(StaffImport)) == 0

    # The API cannot change staff at all.
    for method in ("POST", "PUT", "PATCH", "DELETE"):
        response = editor.api(method, f"/staff/{worker.id}", json={"line_manager_id": editor_staff.id})
        assert response.status_code == 405, method
    assert editor.api("POST", "/staff", json={"line_manager_id": editor_staff.id}).status_code == 405

    assert snapshot() == before
    assert_sees_no_content(editor, world)


@pytest.mark.parametrize("editor_key", ["hr", "admin"])
def test_a_typed_line_manager_is_refused_the_same_escalation(app, world, editor_key, monkeypatch):
    """An organisation too large to list its people (limits.MAX_LISTED_MANAGERS): the line manager
    is typed as an email address or employee number, and the separation of duties still holds."""
    monkeypatch.setattr(limits, "MAX_LISTED_MANAGERS", 0)
    editor_staff = world[editor_key]
    editor = Person(app, editor_staff)
    worker, manager = world["worker"], world["manager"]
    before = snapshot()
    for person, typed in ((worker, editor_staff.email.upper()), (manager, editor_staff.employee_number)):
        response = editor.post(
            f"/staff/{person.id}/edit", data=edit_data(person, line_manager_id=typed or "")
        )
        assert response.status_code == 200
        assert field_errors(response)["#line_manager_id"].startswith("You cannot make yourself")
    response = editor.post(
        "/staff/new",
        data=edit_data(
            worker,
            email="new.person@example.test",
            employee_number="NEW1",
            line_manager_id=editor_staff.email,
            roles=["social_worker"],
        ),
    )
    assert response.status_code == 200
    assert field_errors(response)["#line_manager_id"].startswith("You cannot make yourself")
    assert snapshot() == before
    assert_sees_no_content(editor, world)


def test_hr_sees_no_content_whatever_the_organisation_data_says(app, world):
    """HR as line manager, team manager, head of service and named supervisor: still nothing."""
    hr, worker = world["hr"], world["worker"]
    worker.line_manager_id = hr.id
    world["team"].manager_id = hr.id
    world["team"].service.manager_id = hr.id
    world["agreement"].supervisor_id = hr.id
    world["record"].session.supervisor_id = hr.id
    db.session.commit()
    assert_sees_no_content(Person(app, hr), world)
    response = Person(app, hr).get("/team-dashboard")
    assert WELLBEING not in response.get_data(as_text=True)
    assert worker.family_name not in response.get_data(as_text=True)


def test_an_administrator_who_is_the_line_manager_sees_their_line_like_any_manager(app, world):
    """The same URLs open for a real manager: the no-content checks above could fail."""
    admin, worker = world["admin"], world["worker"]
    assert_sees_no_content(Person(app, admin), world)
    worker.line_manager_id = admin.id  # set by somebody else (organisation data), not by the admin
    db.session.commit()
    assert_sees_content(Person(app, admin), world)


def test_an_administrator_may_move_someone_into_a_line_they_are_not_in(app, world):
    """The guard is about the editor: an admin outside the line reorganises it, audited and told."""
    admin, worker, head, manager = world["admin"], world["worker"], world["head"], world["manager"]
    response = Person(app, admin).post(
        f"/staff/{worker.id}/edit",
        data=edit_data(worker, line_manager_id=str(head.id), team_id=str(world["other_team"].id)),
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    db.session.expire_all()
    assert worker.line_manager_id == head.id
    event = db.session.scalars(
        sa.select(AuditEvent).where(AuditEvent.object_type == "staff", AuditEvent.object_id == worker.id)
    ).one()
    assert event.actor_id == admin.id
    assert event.action == "update"
    assert event.changes == {
        "line_manager_id": [{"id": manager.id, "name": "Tom Manager"}, {"id": head.id, "name": "Hana Head"}],
        "team_id": [
            {"id": world["team"].id, "name": "Assessment: North"},
            {"id": world["other_team"].id, "name": "Assessment: South"},
        ],
    }
    told = {
        (n.recipient_id, n.subject_id): n
        for n in db.session.scalars(sa.select(Notification).where(Notification.kind == "access_changed"))
    }
    assert set(told) == {(worker.id, worker.id), (manager.id, worker.id), (head.id, worker.id)}
    emails = db.session.scalars(sa.select(OutboxEmail).where(OutboxEmail.kind == "access_changed")).all()
    assert {email.to_address for email in emails} == {worker.email, manager.email, head.email}
    for text in [n.body for n in told.values()] + [email.body for email in emails]:
        assert "Line manager: Hana Head (was Tom Manager)" in text
        assert WELLBEING not in text and "CH-1001" not in text
    assert "Assessment: South (was Assessment: North)" in told[(worker.id, worker.id)].body

    # The audit log page shows the old and new values.
    page = Person(app, world["other_admin"]).get("/audit-log").get_data(as_text=True)
    assert f"Tom Manager ({manager.id}) → Hana Head ({head.id})" in page


def test_an_administrators_email_and_roles_change_only_by_another_administrator(app, world):
    admin, other_admin, hr = world["admin"], world["other_admin"], world["hr"]
    before = snapshot()
    own = Person(app, admin)
    response = own.post(f"/staff/{admin.id}/edit", data=edit_data(admin, email="mine@evil.test"))
    assert field_errors(response) == {
        "#email": "You cannot change your own email address. Ask an administrator to do it."
    }
    response = own.post(f"/staff/{admin.id}/edit", data=edit_data(admin, roles=["admin", "hr"]))
    assert field_errors(response) == {
        "#roles": "You cannot change your own roles. Ask another administrator to do it."
    }
    as_hr = Person(app, hr)
    response = as_hr.post(f"/staff/{admin.id}/edit", data=edit_data(admin, email="takeover@evil.test"))
    assert field_errors(response) == {
        "#email": "Only another administrator can change an administrator’s email address"
    }
    response = as_hr.post(f"/staff/{hr.id}/edit", data=edit_data(hr, email="hr.new@example.test"))
    assert "#email" in field_errors(response)
    # HR's import is held to the same rule, by row and column.
    response = import_file(
        as_hr,
        [
            person_line(
                2,
                employee_number=admin.employee_number,
                email="takeover@evil.test",
                given_name=admin.given_name,
                family_name=admin.family_name,
                start_date=admin.start_date.isoformat(),
                team="",
            )
        ],
    )
    rows = import_errors(response)
    assert any(
        row.startswith("2 email") and "Only another administrator can change" in row for row in rows
    ), rows
    assert snapshot() == before

    # Another administrator may, and the change is audited and told to both addresses.
    response = Person(app, other_admin).post(
        f"/staff/{admin.id}/edit", data=edit_data(admin, email="adam.new@example.test", roles=["admin", "hr"])
    )
    assert response.status_code == 302
    event = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.object_id == admin.id)).one()
    assert event.changes == {
        "email": [admin.email, "adam.new@example.test"],
        "roles": [["admin"], ["admin", "hr"]],
    }
    addresses = {email.to_address: email for email in db.session.scalars(sa.select(OutboxEmail))}
    assert {"adam.new@example.test", admin.email} <= set(addresses)
    assert "adam.new@example.test" in addresses[admin.email].body


def test_hr_cannot_change_roles_even_by_posting_them(app, world):
    before = snapshot()
    worker = world["worker"]
    response = Person(app, world["hr"]).post(
        f"/staff/{worker.id}/edit", data=edit_data(worker, roles=["admin", "social_worker"])
    )
    assert response.status_code == 302  # the roles field is not on HR's form: ignored
    assert snapshot()["staff"] == before["staff"]


def test_deactivating_and_reactivating_are_audited_and_told(app, world):
    admin, worker = Person(app, world["admin"]), world["worker"]
    assert admin.post(f"/staff/{worker.id}/deactivate", data={"confirm": "y"}).status_code == 302
    assert admin.post(f"/staff/{worker.id}/reactivate").status_code == 302
    events = db.session.scalars(
        sa.select(AuditEvent).where(AuditEvent.object_id == worker.id).order_by(AuditEvent.id)
    ).all()
    assert [event.changes for event in events] == [{"active": [True, False]}, {"active": [False, True]}]
    told = db.session.scalars(
        sa.select(Notification).where(Notification.recipient_id == world["manager"].id)
    ).all()
    assert len(told) == 2
    assert "Account: deactivated (cannot sign in) (was can sign in)." in told[0].body


def test_an_import_that_changes_a_line_manager_is_audited_and_the_people_told(app, world):
    admin, worker, head, manager = (
        Person(app, world["admin"]),
        world["worker"],
        world["head"],
        world["manager"],
    )
    response = import_file(admin, [worker_row(world, line_manager_employee_number=head.employee_number)])
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    token = db.session.scalar(sa.select(StaffImport.token))
    assert admin.post("/staff-import/confirm", data={"token": token}).status_code == 302
    db.session.expire_all()
    assert worker.line_manager_id == head.id
    event = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.object_id == worker.id)).one()
    assert event.actor_id == world["admin"].id
    assert event.changes["line_manager_id"][1] == {"id": head.id, "name": "Hana Head"}
    recipients = set(
        db.session.scalars(sa.select(Notification.recipient_id).where(Notification.subject_id == worker.id))
    )
    assert recipients == {worker.id, manager.id, head.id}


def test_nobody_can_be_given_a_supervisor_who_holds_the_hr_role(app, world):
    """Someone holding the HR role would see nothing as a supervisor: they are not offered, nor taken."""
    from supervision.agreements import services as agreements
    from supervision.agreements.models import FrequencyKind, SupervisionType
    from supervision.service_errors import ServiceError

    manager, worker = Person(app, world["manager"]), world["worker"]
    hr = make_staff(Role.HR, Role.SUPERVISOR, given_name="Hilda", family_name="Both")
    page = manager.get(f"/people/{worker.id}/agreements/new").get_data(as_text=True)
    assert "Hilda Both" not in page
    response = manager.post(
        f"/people/{worker.id}/agreements/new",
        data={
            "supervisor_id": str(hr.id),
            "frequency_kind": "interval",
            "interval_days": "28",
            "supervision_type": "individual",
            "agreed_on": ["1", "12", "2026"],
        },
    )
    assert response.status_code == 200
    assert "#supervisor_id" in field_errors(response)
    terms = agreements.AgreementTerms(
        supervisor_id=hr.id,
        frequency_kind=FrequencyKind.INTERVAL,
        supervision_type=SupervisionType.INDIVIDUAL,
        agreed_on=world["agreement"].agreed_on + timedelta(days=30),
        interval_days=28,
    )
    with pytest.raises(ServiceError, match="does not hold the HR role"):
        agreements.create_agreement(world["manager"], worker, terms)
    assert agreements.current_agreement(worker.id).supervisor_id == world["manager"].id


def test_a_command_line_import_is_audited_as_the_system(app, world):
    """The operator's import has nobody signed in: its changes are audited with no actor, and told."""
    from supervision.hr import import_services

    worker, head = world["worker"], world["head"]
    data = staff_file([worker_row(world, line_manager_employee_number=head.employee_number)])
    import_services.import_staff(worker.organisation_id, data)
    event = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.object_id == worker.id)).one()
    assert (event.actor_id, event.action) == (None, "update")
    assert set(event.changes) == {"line_manager_id"}
    assert (
        db.session.scalar(
            sa.select(sa.func.count()).select_from(Notification).where(Notification.subject_id == worker.id)
        )
        == 3
    )
    # Importing the same file again changes nothing, so writes no audit entry and tells nobody.
    import_services.import_staff(worker.organisation_id, data)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent)) == 1
