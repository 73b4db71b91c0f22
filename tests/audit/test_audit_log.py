"""The audit log: every view, change, signature, addendum and export of a record, never content."""

from datetime import UTC, date, datetime

import pytest
import sqlalchemy as sa
from flask import url_for

from supervision.audit.models import AuditEvent
from supervision.audit.services import AuditAction, audited_change
from supervision.extensions import db
from supervision.records import services
from supervision.records.models import SupervisionRecord
from tests.factories import make_record, make_session
from tests.replay import replayed

pytestmark = pytest.mark.usefixtures("clock")


def events():
    db.session.expire_all()
    return [
        (event.actor_id, event.action, event.object_type, event.object_id)
        for event in db.session.scalars(sa.select(AuditEvent).order_by(AuditEvent.id))
    ]


def test_each_step_of_a_records_life_is_audited(people, clock):
    session = make_session(people.supervisor, people.worker)
    [record] = services.mark_held(people.supervisor, session, session.version, date(2026, 11, 20))
    services.save_record(people.supervisor, record, record.version, {"wellbeing": "Fine"})
    services.view_record(people.head, record)
    record = make_record(people.colleague, people.supervisor, complete=True)
    services.sign_as_supervisor(people.supervisor, record, record.version)
    services.sign_as_supervisee(people.colleague, record, record.version)
    services.add_addendum(people.colleague, record, "Why", "What")
    services.view_record(people.supervisor, record, export=True)

    first = db.session.scalar(
        sa.select(SupervisionRecord.id).where(SupervisionRecord.supervisee_id == people.worker.id)
    )
    assert events() == [
        (people.supervisor.id, "create", "supervision_record", first),
        (people.supervisor.id, "update", "supervision_session", session.id),
        (people.supervisor.id, "update", "supervision_record", first),
        (people.head.id, "view", "supervision_record", first),
        (people.supervisor.id, "sign", "supervision_record", record.id),
        (people.colleague.id, "sign", "supervision_record", record.id),
        (people.colleague.id, "addendum", "supervision_record", record.id),
        (people.supervisor.id, "export", "supervision_record", record.id),
    ]
    assert {event.occurred_at for event in db.session.scalars(sa.select(AuditEvent))} == {clock.now()}


def test_pages_audit_views_and_exports(people, act_as, client):
    record = make_record(people.worker, people.supervisor, complete=True)
    act_as(people.head)
    client.get(url_for("records.record", record_id=record.id))
    client.get(url_for("records.print_record", record_id=record.id))
    client.get(url_for("records.case_note", record_id=record.id, case_id=record.case_discussions[0].id))
    assert [action for _, action, _, _ in events()] == ["view", "export", "export"]


def test_a_refused_view_writes_nothing(people, act_as, client):
    record = make_record(people.worker, people.supervisor, complete=True)
    act_as(people.hr)
    assert client.get(url_for("records.record", record_id=record.id)).status_code == 404
    assert events() == []


def test_the_log_never_holds_record_content(people):
    secret = "UNIQUE-SECRET-TEXT about a bereavement"
    record = make_record(people.worker, people.supervisor, complete=True)
    services.save_record(people.supervisor, record, record.version, {"wellbeing": secret})
    services.view_record(people.worker, record)
    with db.engine.connect() as connection:
        rows = connection.execute(sa.text("SELECT * FROM audit_event")).all()
    assert rows and not any("SECRET" in str(value) for row in rows for value in row)


def test_a_change_that_fails_leaves_no_audit_entry(people):
    record = make_record(people.worker, people.supervisor)
    with pytest.raises(RuntimeError), audited_change(people.supervisor, AuditAction.UPDATE, record):
        record.wellbeing = "half-written"
        raise RuntimeError("the use case failed part way")
    assert events() == []
    db.session.expire_all()
    assert db.session.get(SupervisionRecord, record.id).wellbeing == ""


def test_the_database_refuses_to_change_an_audit_entry(people):
    services.view_record(people.worker, make_record(people.worker, people.supervisor))
    with pytest.raises(sa.exc.DBAPIError), db.engine.begin() as connection:
        connection.execute(sa.text("UPDATE audit_event SET action = 'nothing'"))
    assert [action for _, action, _, _ in events()] == ["view"]


def test_on_postgresql_the_database_refuses_to_delete_an_audit_entry(people):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("SQLite keeps DELETE for emptying tables between tests; PostgreSQL refuses it")
    services.view_record(people.worker, make_record(people.worker, people.supervisor))
    with pytest.raises(sa.exc.DBAPIError), db.engine.begin() as connection:
        connection.execute(sa.text("DELETE FROM audit_event"))
    assert len(events()) == 1


# --- searching ----------------------------------------------------------------------------------


def add_event(actor, action, object_id, occurred_at):
    db.session.add(
        AuditEvent(
            actor_id=actor.id,
            action=action,
            object_type="supervision_record",
            object_id=object_id,
            occurred_at=occurred_at,
        )
    )


@pytest.fixture
@replayed
def logged(people):
    add_event(people.worker, "view", 1, datetime(2026, 11, 1, 10, tzinfo=UTC))
    add_event(people.supervisor, "update", 1, datetime(2026, 11, 2, 10, tzinfo=UTC))
    add_event(people.supervisor, "view", 2, datetime(2026, 11, 3, 23, 30, tzinfo=UTC))
    add_event(people.head, "export", 2, datetime(2026, 11, 4, 9, tzinfo=UTC))
    db.session.commit()


def rows(page):
    return [[cell.text.strip() for cell in row.select("td")] for row in page.select("main tbody tr")]


def test_administrators_search_by_person(people, logged, pages):
    pages.sign_in(people.admin)
    page = pages.get("audit.audit_log", person=people.supervisor.email)
    found = rows(page)
    assert [row[2] for row in found] == ["view", "update"]
    assert all(people.supervisor.name in row[1] for row in found)


def test_administrators_search_by_record_and_dates(people, logged, pages):
    pages.sign_in(people.admin)
    assert [row[3] for row in rows(pages.get("audit.audit_log", record_id="2"))] == [
        "supervision record 2",
        "supervision record 2",
    ]
    page = pages.get("audit.audit_log", from_date=["2", "11", "2026"], to_date=["3", "11", "2026"])
    assert [row[2] for row in rows(page)] == ["view", "update"]


def test_a_bad_search_is_named_in_the_error_summary(people, logged, pages):
    pages.sign_in(people.admin)
    page = pages.get(
        "audit.audit_log",
        person="nobody@example.test",
        record_id="abc",
        from_date=["5", "11", "2026"],
        to_date=["1", "11", "2026"],
    )
    summary = page.select_one(".govuk-error-summary").text
    assert "No one in your organisation has the email address nobody@example.test" in summary
    assert "Record number must be a whole number" in summary
    assert page.title.text.startswith("Error: ")


def test_the_log_is_paged(people, pages):
    for number in range(120):
        add_event(people.worker, "view", number, datetime(2026, 11, 1, 10, tzinfo=UTC))
    db.session.commit()
    pages.sign_in(people.admin)
    first = pages.get("audit.audit_log")
    assert len(rows(first)) == 50
    assert "page 1 of 3" in first.find("main").text
    last = pages.get("audit.audit_log", page=3)
    assert len(rows(last)) == 20
    assert [row[3] for row in rows(last)][-1] == "supervision record 0"


@pytest.mark.parametrize("viewer", ["worker", "supervisor", "head", "hr"])
def test_only_administrators_see_the_audit_log(people, pages, viewer):
    pages.sign_in(getattr(people, viewer))
    pages.get("audit.audit_log", _expected_status=403)


def test_every_page_showing_a_record_is_audited_once(people, act_as, client):
    from tests.factories import make_action

    record = make_record(people.worker, people.supervisor, complete=True)
    action = make_action(record)
    case_id = record.case_discussions[0].id
    act_as(people.supervisor)
    addresses = [
        url_for("records.record", record_id=record.id),
        url_for("records.edit_case_discussion", record_id=record.id, case_id=case_id),
        url_for("records.remove_case_discussion", record_id=record.id, case_id=case_id),
        url_for("records.edit_action", record_id=record.id, action_id=action.id),
        url_for("records.remove_action", record_id=record.id, action_id=action.id),
        url_for("records.return_for_revision", record_id=record.id),
    ]
    for address in addresses:
        assert client.get(address).status_code == 200, address
    assert events() == [(people.supervisor.id, "view", "supervision_record", record.id)] * len(addresses)
