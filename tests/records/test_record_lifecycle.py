"""Records through their life: held, written, refused, signed by both, locked, corrected by addenda."""

from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from supervision.extensions import db
from supervision.record_sections import TEXT_SECTIONS
from supervision.records import services
from supervision.records.errors import SignOffRefused
from supervision.records.models import (
    Action,
    ActionReview,
    ActionStatus,
    SessionStatus,
    SupervisionRecord,
)
from supervision.service_errors import NotPermitted, ServiceError
from tests.factories import COMPLETE_SECTIONS, make_action, make_record, make_session

pytestmark = pytest.mark.usefixtures("clock")


def reload(record):
    db.session.expire_all()
    return db.session.get(SupervisionRecord, record.id)


def sign_both(people, record):
    services.sign_as_supervisor(people.supervisor, record, record.version)
    services.sign_as_supervisee(people.worker, record, record.version, "Agreed.")
    return reload(record)


# --- held sessions make draft records ----------------------------------------------------------


def test_marking_a_session_held_makes_a_draft_record_with_earlier_open_actions_to_review(people):
    earlier = make_record(people.worker, people.supervisor, held_on=date(2026, 10, 20), complete=True)
    open_action = make_action(earlier, description="Chase the health visitor")
    make_action(earlier, description="Already done", status=ActionStatus.DONE, completed_on=date(2026, 11, 1))
    session = make_session(people.supervisor, people.worker)

    [record] = services.mark_held(people.supervisor, session, session.version, date(2026, 11, 20))

    record = reload(record)
    assert record.session.status is SessionStatus.HELD
    assert record.session.held_on == date(2026, 11, 20)
    assert [review.action_id for review in record.action_reviews] == [open_action.id]
    assert record.supervisor_signed_at is None and record.locked_at is None


def test_a_session_cannot_be_held_in_the_future(people, clock):
    session = make_session(people.supervisor, people.worker)
    with pytest.raises(ServiceError) as refused:
        services.mark_held(people.supervisor, session, session.version, clock.today() + timedelta(days=1))
    assert refused.value.field == "held_on"
    assert db.session.scalar(sa.select(sa.func.count()).select_from(SupervisionRecord)) == 0
    db.session.expire_all()
    assert db.session.get(type(session), session.id).status is SessionStatus.SCHEDULED


def test_a_group_session_makes_a_record_for_each_person_present_and_drops_the_absent(people):
    session = make_session(people.supervisor, people.worker, people.colleague)
    records = services.mark_held(
        people.supervisor, session, session.version, date(2026, 11, 20), present_ids=[people.colleague.id]
    )
    assert [record.supervisee_id for record in records] == [people.colleague.id]
    db.session.expire_all()
    attendees = db.session.get(type(session), session.id).attendees
    assert [attendee.supervisee_id for attendee in attendees] == [people.colleague.id]


def test_only_the_sessions_supervisor_can_mark_it_held(people):
    session = make_session(people.supervisor, people.worker)
    for actor in (people.head, people.worker, people.other_supervisor):
        with pytest.raises(NotPermitted):
            services.mark_held(actor, session, session.version, date(2026, 11, 20))


# --- sign-off through the service ---------------------------------------------------------------


@pytest.mark.parametrize("section", [section.key for section in TEXT_SECTIONS])
@pytest.mark.parametrize("blank", ["", "    \n  "])
def test_supervisor_sign_off_is_refused_while_a_section_is_blank(people, section, blank):
    record = make_record(people.worker, people.supervisor, complete=True, **{section: blank})
    with pytest.raises(SignOffRefused) as refused:
        services.sign_as_supervisor(people.supervisor, record, record.version)
    assert [item.field_id for item in refused.value.missing] == [section]
    assert reload(record).supervisor_signed_at is None


def test_sign_off_is_refused_while_a_case_discussion_has_no_decision(people):
    record = make_record(people.worker, people.supervisor, complete=True)
    services.add_case_discussion(
        people.supervisor,
        record,
        record.version,
        services.CaseDiscussionFields("CH-2002", "Summary", "Analysis", ""),
    )
    record = reload(record)
    with pytest.raises(SignOffRefused) as refused:
        services.sign_as_supervisor(people.supervisor, record, record.version)
    assert [item.message for item in refused.value.missing] == ["Enter the decision for case CH-2002"]


def test_sign_off_is_refused_while_a_carried_forward_action_is_unreviewed(people):
    earlier = make_record(people.worker, people.supervisor, held_on=date(2026, 10, 20), complete=True)
    make_action(earlier, description="Chase the health visitor")
    session = make_session(people.supervisor, people.worker)
    [record] = services.mark_held(people.supervisor, session, session.version, date(2026, 11, 20))
    services.save_record(people.supervisor, record, record.version, COMPLETE_SECTIONS)
    services.add_case_discussion(
        people.supervisor, record, record.version, services.CaseDiscussionFields("CH-1", "S", "A", "D")
    )
    record = reload(record)
    with pytest.raises(SignOffRefused) as refused:
        services.sign_as_supervisor(people.supervisor, record, record.version)
    assert [item.field_id for item in refused.value.missing] == [
        f"action-review-{record.action_reviews[0].id}"
    ]

    services.review_action(
        people.supervisor, record.action_reviews[0], record.version, "done", "Visited on 12th."
    )
    record = reload(record)
    services.sign_as_supervisor(people.supervisor, record, record.version)
    assert reload(record).supervisor_signed_at is not None


def test_a_complete_record_signed_by_both_locks(people, clock):
    record = make_record(people.worker, people.supervisor, complete=True)
    services.sign_as_supervisor(people.supervisor, record, record.version)
    record = reload(record)
    assert record.supervisor_signed_at == clock.now() and record.locked_at is None

    clock.advance(days=1)
    services.sign_as_supervisee(people.worker, record, record.version, "A helpful session.")
    record = reload(record)
    assert record.supervisee_signed_at == clock.now()
    assert record.locked_at == clock.now()
    assert record.supervisee_comment == "A helpful session."
    assert record.supervisee_disagrees is False


def test_the_supervisee_cannot_sign_before_the_supervisor(people):
    record = make_record(people.worker, people.supervisor, complete=True)
    with pytest.raises(ServiceError, match="supervisor signs first"):
        services.sign_as_supervisee(people.worker, record, record.version)
    assert reload(record).supervisee_signed_at is None


def test_only_the_parties_sign_in_their_own_roles(people):
    record = make_record(people.worker, people.supervisor, complete=True)
    for actor in (people.worker, people.head, people.admin):
        with pytest.raises(NotPermitted):
            services.sign_as_supervisor(actor, record, record.version)
    services.sign_as_supervisor(people.supervisor, record, record.version)
    record = reload(record)
    for actor in (people.supervisor, people.head, people.colleague):
        with pytest.raises(NotPermitted):
            services.sign_as_supervisee(actor, record, record.version)


def test_recorded_disagreement_needs_a_comment_and_stays_on_the_record(people):
    record = make_record(people.worker, people.supervisor, complete=True)
    services.sign_as_supervisor(people.supervisor, record, record.version)
    record = reload(record)
    with pytest.raises(ServiceError) as refused:
        services.sign_as_supervisee(people.worker, record, record.version, "  ", disagrees=True)
    assert refused.value.field == "supervisee_comment"
    assert reload(record).supervisee_signed_at is None

    services.sign_as_supervisee(
        people.worker, record, record.version, "The decision on CH-1001 was not mine.", True
    )
    record = reload(record)
    assert record.supervisee_disagrees is True
    assert record.supervisee_comment == "The decision on CH-1001 was not mine."
    assert record.is_locked


# --- after the lock -----------------------------------------------------------------------------


def edits(people, record):
    """Every way of changing a record's content, each as a zero-argument call."""
    case = record.case_discussions[0]
    action = make_action(record)
    record = reload(record)
    case_fields = services.CaseDiscussionFields("CH-1", "x", "y", "z")
    action_fields = services.ActionFields(people.worker.id, "Do it", date(2026, 12, 30))
    return {
        "save": lambda: services.save_record(
            people.supervisor, record, record.version, {"wellbeing": "changed"}
        ),
        "add case": lambda: services.add_case_discussion(
            people.supervisor, record, record.version, case_fields
        ),
        "edit case": lambda: services.update_case_discussion(
            people.supervisor, case, record.version, case_fields
        ),
        "remove case": lambda: services.remove_case_discussion(people.supervisor, case, record.version),
        "add action": lambda: services.add_action(people.supervisor, record, record.version, action_fields),
        "edit action": lambda: services.update_action(
            people.supervisor, action, record.version, action_fields
        ),
        "remove action": lambda: services.remove_action(people.supervisor, action, record.version),
        "supervisor edits": lambda: services.save_record(
            people.worker, record, record.version, {"reflection": "x"}
        ),
        "sign again": lambda: services.sign_as_supervisor(people.supervisor, record, record.version),
        "return": lambda: services.return_for_revision(
            people.worker, record, record.version, "Please change"
        ),
    }


@pytest.mark.parametrize(
    "edit",
    [
        "save",
        "add case",
        "edit case",
        "remove case",
        "add action",
        "edit action",
        "remove action",
        "supervisor edits",
        "sign again",
        "return",
    ],
)
def test_edits_after_the_lock_are_refused_and_change_nothing(people, edit):
    record = make_record(people.worker, people.supervisor, complete=True)
    calls = edits(people, record)
    record = sign_both(people, reload(record))
    before = (
        record.version,
        record.wellbeing,
        [c.case_reference for c in record.case_discussions],
        len(record.actions),
    )
    with pytest.raises(ServiceError, match="locked"):
        calls[edit]()
    record = reload(record)
    assert (
        record.version,
        record.wellbeing,
        [c.case_reference for c in record.case_discussions],
        len(record.actions),
    ) == before


def test_after_the_supervisor_signs_neither_party_can_edit_the_draft(people):
    record = make_record(people.worker, people.supervisor, complete=True)
    services.sign_as_supervisor(people.supervisor, record, record.version)
    record = reload(record)
    for actor in (people.supervisor, people.worker):
        with pytest.raises(ServiceError, match="signed"):
            services.save_record(actor, record, record.version, {"wellbeing": "changed"})
    assert reload(record).wellbeing == COMPLETE_SECTIONS["wellbeing"]


def test_an_addendum_records_author_time_and_reason_without_changing_the_record(people, clock):
    record = sign_both(people, make_record(people.worker, people.supervisor, complete=True))
    version, wellbeing = record.version, record.wellbeing
    clock.advance(days=3)
    services.add_addendum(
        people.supervisor, record, "Wrong date of visit", "The home visit was on the 12th, not the 13th."
    )
    record = reload(record)
    [addendum] = record.addenda
    assert (addendum.author_id, addendum.created_at, addendum.reason) == (
        people.supervisor.id,
        clock.now(),
        "Wrong date of visit",
    )
    assert record.wellbeing == wellbeing and record.version == version


def test_addenda_are_refused_on_drafts_without_a_reason_and_from_others(people):
    draft = make_record(people.worker, people.supervisor, complete=True)
    with pytest.raises(ServiceError, match="draft"):
        services.add_addendum(people.supervisor, draft, "why", "what")
    record = sign_both(
        people, make_record(people.worker, people.supervisor, held_on=date(2026, 11, 21), complete=True)
    )
    with pytest.raises(ServiceError) as refused:
        services.add_addendum(people.worker, record, "  ", "Correction")
    assert refused.value.field == "reason"
    with pytest.raises(NotPermitted):
        services.add_addendum(people.head, record, "why", "what")
    assert reload(record).addenda == []


# --- actions carried forward --------------------------------------------------------------------


def test_reviews_are_applied_to_the_actions_when_the_record_locks(people):
    earlier = make_record(people.worker, people.supervisor, held_on=date(2026, 10, 20), complete=True)
    done = make_action(earlier, description="Done one", due_on=date(2026, 11, 1))
    carried = make_action(earlier, description="Carried one", due_on=date(2026, 11, 2))
    dropped = make_action(earlier, description="Dropped one", due_on=date(2026, 11, 3))
    session = make_session(people.supervisor, people.worker)
    [record] = services.mark_held(people.supervisor, session, session.version, date(2026, 11, 20))
    services.save_record(people.supervisor, record, record.version, COMPLETE_SECTIONS)
    services.add_case_discussion(
        people.supervisor, record, record.version, services.CaseDiscussionFields("CH-1", "S", "A", "D")
    )
    record = reload(record)
    reviews = {review.action_id: review for review in record.action_reviews}
    services.review_action(people.supervisor, reviews[done.id], record.version, "done", "Finished")
    services.review_action(
        people.worker,
        reviews[carried.id],
        reload(record).version,
        "carried_forward",
        "Waiting",
        date(2026, 12, 18),
    )
    services.review_action(
        people.supervisor, reviews[dropped.id], reload(record).version, "no_longer_needed", "Closed"
    )
    record = reload(record)
    assert db.session.get(Action, done.id).status is ActionStatus.OPEN  # nothing applied before the lock

    sign_both(people, record)

    db.session.expire_all()
    assert db.session.get(Action, done.id).status is ActionStatus.DONE
    assert db.session.get(Action, done.id).completed_on == date(2026, 11, 20)
    assert db.session.get(Action, dropped.id).status is ActionStatus.NO_LONGER_NEEDED
    assert db.session.get(Action, carried.id).status is ActionStatus.CARRIED_FORWARD
    [continued] = db.session.scalars(sa.select(Action).where(Action.carried_from_id == carried.id)).all()
    assert (continued.record_id, continued.status, continued.due_on, continued.description) == (
        record.id,
        ActionStatus.OPEN,
        date(2026, 12, 18),
        "Carried one",
    )


def test_a_carried_forward_action_is_reviewed_again_at_the_next_session(people):
    test_reviews_are_applied_to_the_actions_when_the_record_locks(people)
    continued = db.session.scalar(sa.select(Action).where(Action.carried_from_id.is_not(None)))
    session = make_session(people.supervisor, people.worker)
    [record] = services.mark_held(people.supervisor, session, session.version, date(2026, 11, 23))
    assert [review.action_id for review in record.action_reviews] == [continued.id]


def test_a_review_needs_an_outcome_and_a_comment(people):
    earlier = make_record(people.worker, people.supervisor, held_on=date(2026, 10, 20), complete=True)
    make_action(earlier)
    session = make_session(people.supervisor, people.worker)
    [record] = services.mark_held(people.supervisor, session, session.version, date(2026, 11, 20))
    review = record.action_reviews[0]
    with pytest.raises(ServiceError) as no_outcome:
        services.review_action(people.supervisor, review, record.version, None, "comment")
    with pytest.raises(ServiceError) as no_comment:
        services.review_action(people.supervisor, review, record.version, "done", "   ")
    assert (no_outcome.value.field, no_comment.value.field) == ("outcome", "comment")
    db.session.expire_all()
    assert db.session.get(ActionReview, review.id).outcome is None


def test_actions_need_an_owner_from_the_session_and_a_due_date_not_before_it(people):
    record = make_record(people.worker, people.supervisor)
    bad = [
        (services.ActionFields(people.stranger.id, "Do it", date(2026, 12, 1)), "owner_id"),
        (services.ActionFields(people.worker.id, "   ", date(2026, 12, 1)), "description"),
        (services.ActionFields(people.worker.id, "Do it", date(2026, 11, 19)), "due_on"),
        (services.ActionFields(people.worker.id, "Do it", date(2026, 12, 1), 999_999), "case_discussion_id"),
    ]
    for fields, field in bad:
        with pytest.raises(ServiceError) as refused:
            services.add_action(people.supervisor, record, record.version, fields)
        assert refused.value.field == field
    assert reload(record).actions == []


# --- returning the draft ------------------------------------------------------------------------


def test_the_supervisor_returns_the_draft_to_the_supervisee_with_a_note(people):
    record = make_record(people.worker, people.supervisor)
    returned = services.return_for_revision(
        people.supervisor, record, record.version, "Please add your reflection."
    )
    assert (returned.returned_by_id, returned.returned_to_id, returned.note) == (
        people.supervisor.id,
        people.worker.id,
        "Please add your reflection.",
    )
    record = reload(record)
    services.save_record(people.worker, record, record.version, {"reflection": "My reflection."})
    assert reload(record).reflection == "My reflection."


def test_the_supervisee_returning_a_signed_record_withdraws_the_supervisors_signature(people):
    record = make_record(people.worker, people.supervisor, complete=True)
    services.sign_as_supervisor(people.supervisor, record, record.version)
    record = reload(record)
    services.return_for_revision(people.worker, record, record.version, "The decision is recorded wrongly.")
    record = reload(record)
    assert record.supervisor_signed_at is None
    assert record.returns[-1].returned_to_id == people.supervisor.id
    services.save_record(people.supervisor, record, record.version, {"workload": "Corrected."})


def test_a_return_needs_a_note_and_the_supervisor_cannot_return_what_they_signed(people):
    record = make_record(people.worker, people.supervisor, complete=True)
    with pytest.raises(ServiceError) as refused:
        services.return_for_revision(people.worker, record, record.version, " ")
    assert refused.value.field == "note"
    services.sign_as_supervisor(people.supervisor, record, record.version)
    record = reload(record)
    with pytest.raises(ServiceError, match="signed"):
        services.return_for_revision(people.supervisor, record, record.version, "Oops")
    assert reload(record).returns == []


# --- ratings ------------------------------------------------------------------------------------


def test_the_supervisee_rates_the_session(people):
    record = make_record(people.worker, people.supervisor)
    ratings = {"rating_helpful": 4, "rating_reflective": 5, "rating_safe_to_challenge": 3}
    services.rate_session(people.worker, record, ratings)
    record = reload(record)
    assert (record.rating_helpful, record.rating_reflective, record.rating_safe_to_challenge) == (4, 5, 3)


@pytest.mark.parametrize("value", [0, 6, None])
def test_ratings_outside_1_to_5_are_refused(people, value):
    record = make_record(people.worker, people.supervisor)
    with pytest.raises(ServiceError):
        services.rate_session(
            people.worker,
            record,
            {"rating_helpful": value, "rating_reflective": 3, "rating_safe_to_challenge": 3},
        )
    assert reload(record).rated_at is None


def test_nobody_but_the_supervisee_rates(people):
    record = make_record(people.worker, people.supervisor)
    with pytest.raises(NotPermitted):
        services.rate_session(
            people.supervisor,
            record,
            {"rating_helpful": 5, "rating_reflective": 5, "rating_safe_to_challenge": 5},
        )


def test_the_database_refuses_a_rating_out_of_range(people):
    record = make_record(people.worker, people.supervisor)
    record.rating_helpful = 9
    with pytest.raises(sa.exc.IntegrityError):
        db.session.commit()
    db.session.rollback()
