"""A case discussion carries its session's held date (docs/decisions.md, "The held date of a case
discussion"): written with every discussion, whichever code adds it, and refused by the database
when it would differ. The synthetic history and the demo are checked in tests/test_synth.py and
tests/test_demo.py."""

from datetime import date

import pytest
import sqlalchemy as sa

from supervision.extensions import db
from supervision.org.models import Role
from supervision.records import services
from supervision.records.models import CaseDiscussion, SupervisionRecord, SupervisionSession
from tests.cases.report_factories import make_oversight
from tests.factories import discussions_dated_unlike_their_session, make_record, make_session, make_staff
from tests.hr.supervision_seed import seed_supervision

HELD_ON = date(2026, 11, 19)  # not the day the session was booked for, nor the clock's today


def discussion_dates() -> list[date]:
    return list(db.session.scalars(sa.select(CaseDiscussion.held_on).order_by(CaseDiscussion.id)))


def test_a_discussion_added_in_the_record_editor_carries_the_day_its_session_was_held(people, pages):
    session = make_session(people.supervisor, people.worker)
    pages.sign_in(people.supervisor)
    pages.post(
        "sessions.mark_held",
        {"version": session.version, "held_on": ["19", "11", "2026"], "duration_minutes": "90"},
        session_id=session.id,
    )
    record = db.session.scalar(sa.select(SupervisionRecord).where(SupervisionRecord.session_id == session.id))
    pages.post(
        "records.add_case_discussion",
        {"version": record.version, "registered_case": "another", "case_reference": "CP-1", "decision": "D"},
        record_id=record.id,
    )

    assert discussion_dates() == [HELD_ON]
    assert discussions_dated_unlike_their_session() == []


def test_the_record_services_date_a_discussion_in_a_group_session_for_each_record(people):
    session = make_session(people.supervisor, people.worker, people.colleague)
    records = services.mark_held(people.supervisor, session, session.version, HELD_ON)
    for record in records:
        services.add_case_discussion(
            people.supervisor, record, record.version, services.CaseDiscussionFields("CP-2", decision="D")
        )
        db.session.commit()

    assert discussion_dates() == [HELD_ON, HELD_ON]


def test_the_test_factories_date_their_discussions_however_they_attach_them(people):
    make_record(people.worker, people.supervisor, held_on=date(2026, 10, 1), complete=True)  # in the record
    make_oversight(people.supervisor, people.worker, "CP-3", date(2026, 10, 8))  # by record id
    seed_supervision(make_staff(Role.SOCIAL_WORKER), people.supervisor)  # record and session in one flush
    db.session.commit()

    assert date(2026, 10, 1) in discussion_dates() and date(2026, 10, 8) in discussion_dates()
    assert len(discussion_dates()) >= 3
    assert discussions_dated_unlike_their_session() == []


# --- the database refuses what the ORM would not write ---------------------------------------------


def refused(statement) -> bool:
    try:
        db.session.execute(statement)
        db.session.commit()
    except sa.exc.DatabaseError:
        db.session.rollback()
        return True
    return False


@pytest.fixture
def record(people):
    return make_record(people.worker, people.supervisor, held_on=HELD_ON)


def inserted(record_id: int, held_on: date | None):
    now = sa.func.current_timestamp()
    return sa.insert(CaseDiscussion).values(
        record_id=record_id, case_reference="CP-9", held_on=held_on, created_at=now, updated_at=now
    )


def test_a_discussion_written_without_the_orm_must_carry_its_sessions_date(record):
    assert refused(inserted(record.id, date(2026, 11, 18)))
    assert refused(inserted(record.id, None))
    assert not refused(inserted(record.id, HELD_ON))
    assert discussion_dates() == [HELD_ON]


def test_a_discussion_cannot_be_redated_or_moved_to_a_record_of_another_day(people, record):
    other = make_record(people.worker, people.supervisor, held_on=date(2026, 10, 1), complete=True)
    [discussion] = other.case_discussions
    assert refused(
        sa.update(CaseDiscussion).values(held_on=HELD_ON).where(CaseDiscussion.id == discussion.id)
    )
    assert refused(
        sa.update(CaseDiscussion).values(record_id=record.id).where(CaseDiscussion.id == discussion.id)
    )
    assert not refused(
        sa.update(CaseDiscussion).values(decision="Still D").where(CaseDiscussion.id == discussion.id)
    )
    assert discussions_dated_unlike_their_session() == []


def test_a_sessions_date_is_fixed_once_its_records_have_discussions(people, record):
    discussed = make_record(people.worker, people.supervisor, held_on=date(2026, 10, 1), complete=True)

    def redate(session_id: int):
        return (
            sa.update(SupervisionSession)
            .values(held_on=date(2026, 9, 30))
            .where(SupervisionSession.id == session_id)
        )

    assert refused(redate(discussed.session_id))
    # A session without discussions is not held back (records/services.py never changes either).
    assert not refused(redate(record.session_id))
    assert discussions_dated_unlike_their_session() == []
