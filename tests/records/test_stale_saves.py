"""Optimistic locking: a save based on an older version is refused, shown back, never merged."""

import threading

import pytest
import sqlalchemy as sa

from supervision.extensions import db
from supervision.records import services
from supervision.records.models import SupervisionRecord
from supervision.service_errors import StaleVersion
from tests.factories import COMPLETE_SECTIONS, make_record

pytestmark = pytest.mark.usefixtures("clock")


def reload(record):
    db.session.expire_all()
    return db.session.get(SupervisionRecord, record.id)


def test_a_save_based_on_an_old_version_is_refused_and_the_newer_text_kept(people):
    record = make_record(people.worker, people.supervisor)
    opened_at = record.version
    services.save_record(people.worker, record, opened_at, {"reflection": "The supervisee's reflection"})
    with pytest.raises(StaleVersion):
        services.save_record(people.supervisor, record, opened_at, {"reflection": "The supervisor's version"})
    assert reload(record).reflection == "The supervisee's reflection"


@pytest.mark.parametrize(
    "change",
    ["add case", "add action", "sign", "return"],
)
def test_every_change_inside_a_record_checks_the_version(people, change):
    record = make_record(people.worker, people.supervisor, complete=True)
    opened_at = record.version
    services.save_record(people.worker, record, opened_at, {"agenda": "Moved on"})
    calls = {
        "add case": lambda: services.add_case_discussion(
            people.supervisor, record, opened_at, services.CaseDiscussionFields("CH-5", decision="x")
        ),
        "add action": lambda: services.add_action(
            people.supervisor,
            record,
            opened_at,
            services.ActionFields(people.worker.id, "x", record.session.held_on),
        ),
        "sign": lambda: services.sign_as_supervisor(people.supervisor, record, opened_at),
        "return": lambda: services.return_for_revision(people.supervisor, record, opened_at, "note"),
    }
    with pytest.raises(StaleVersion):
        calls[change]()
    record = reload(record)
    assert (len(record.case_discussions), record.actions, record.supervisor_signed_at, record.returns) == (
        1,
        [],
        None,
        [],
    )


def test_changes_inside_the_record_move_its_version(people):
    record = make_record(people.worker, people.supervisor)
    versions = [record.version]
    case = services.add_case_discussion(
        people.supervisor, record, record.version, services.CaseDiscussionFields("A")
    )
    versions.append(reload(record).version)
    services.update_case_discussion(people.worker, case, versions[-1], services.CaseDiscussionFields("B"))
    versions.append(reload(record).version)
    assert versions == sorted(set(versions))


def test_the_page_refuses_a_stale_save_and_shows_the_persons_text_and_what_is_saved_now(people, pages):
    record = make_record(people.worker, people.supervisor)
    opened_at = record.version
    services.save_record(people.worker, record, opened_at, {"workload": "Saved by the supervisee meanwhile"})
    pages.sign_in(people.supervisor)
    page = pages.post(
        "records.record",
        {
            "version": opened_at,
            **COMPLETE_SECTIONS,
            "agenda": "",
            "workload": "My workload notes",
            "intent": "save",
        },
        _expected_status=200,
        record_id=record.id,
    )
    assert page.title.text.startswith("Error: ")
    assert (
        "Someone else saved changes after you opened this page"
        in page.select_one(".govuk-error-summary").text
    )
    assert page.find("textarea", id="workload").text.strip() == "My workload notes"
    [saved_now] = page.select("main .govuk-inset-text")
    assert "Saved by the supervisee meanwhile" in saved_now.text
    assert saved_now.find_previous("textarea")["id"] == "workload"
    assert reload(record).workload == "Saved by the supervisee meanwhile"
    assert page.find("input", attrs={"name": "version"})["value"] == str(reload(record).version)


def test_a_stale_case_discussion_keeps_what_was_typed(people, pages):
    record = make_record(people.worker, people.supervisor, complete=True)
    case = record.case_discussions[0]
    opened_at = record.version
    services.save_record(people.worker, record, opened_at, {"agenda": "Moved on"})
    pages.sign_in(people.supervisor)
    page = pages.post(
        "records.edit_case_discussion",
        {"version": opened_at, "case_reference": "CH-1001", "decision": "My new decision"},
        _expected_status=200,
        record_id=record.id,
        case_id=case.id,
    )
    assert "Someone else saved changes" in page.select_one(".govuk-error-summary").text
    assert page.find("textarea", id="decision").text.strip() == "My new decision"
    assert reload(record).case_discussions[0].decision == "Convene a strategy discussion this week."


def test_two_saves_racing_from_the_same_version_cannot_both_win(people, app):
    """Both pass the version check in memory; the version column lets only one commit."""
    if db.engine.dialect.name != "postgresql":
        pytest.skip("SQLite serialises writers; the race needs PostgreSQL's row locks")
    record = make_record(people.worker, people.supervisor)
    record_id, version = record.id, record.version
    barrier = threading.Barrier(2)
    outcomes = []

    def save(actor_id, text):
        with app.app_context():
            actor = db.session.get(type(people.worker), actor_id)
            mine = db.session.get(SupervisionRecord, record_id)
            _ = mine.session.supervisor_id, mine.supervisee_id
            barrier.wait()
            try:
                services.save_record(actor, mine, version, {"reflection": text})
                outcomes.append("saved")
            except StaleVersion:
                outcomes.append("stale")
            finally:
                db.session.remove()

    threads = [
        threading.Thread(target=save, args=(people.supervisor.id, "supervisor")),
        threading.Thread(target=save, args=(people.worker.id, "worker")),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(outcomes) == ["saved", "stale"]
    final = reload(record)
    assert final.version == version + 1
    assert final.reflection in {"supervisor", "worker"}
    assert db.session.scalar(sa.select(sa.func.count()).select_from(SupervisionRecord)) == 1
