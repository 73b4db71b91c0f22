"""The record pages: writing the draft, sign-off refused with every item linked, both signatures."""

from datetime import date

import pytest
from flask import url_for

from supervision.extensions import db
from supervision.record_sections import TEXT_SECTIONS
from supervision.records.models import CaseDiscussion, SupervisionRecord
from tests.factories import COMPLETE_SECTIONS, make_action, make_record, make_session

pytestmark = pytest.mark.usefixtures("clock")


def reload(record):
    db.session.expire_all()
    return db.session.get(SupervisionRecord, record.id)


def form_data(record, intent="save", **overrides):
    data = {"version": str(record.version), "agenda": "", **COMPLETE_SECTIONS, "intent": intent}
    data.update(overrides)
    return data


def test_the_supervisor_writes_and_saves_the_draft(people, pages):
    record = make_record(people.worker, people.supervisor)
    pages.sign_in(people.supervisor)
    page = pages.get("records.record", record_id=record.id)
    assert page.find("textarea", id="wellbeing") is not None
    assert page.find("main").find("strong", class_="govuk-tag").text.strip() == "Draft: not yet signed off"

    pages.post("records.record", form_data(record, wellbeing="  Tired after court.  "), record_id=record.id)
    assert reload(record).wellbeing == "Tired after court."


def test_sign_off_refused_lists_every_missing_item_linked_to_its_field(people, pages):
    earlier = make_record(people.worker, people.supervisor, held_on=date(2026, 10, 20), complete=True)
    make_action(earlier, description="Chase the health visitor")
    session = make_session(people.supervisor, people.worker)
    pages.sign_in(people.supervisor)
    pages.post(
        "sessions.mark_held",
        {"version": session.version, "held_on": ["20", "11", "2026"], "duration_minutes": "90"},
        session_id=session.id,
    )
    record = db.session.scalar(db.select(SupervisionRecord).where(SupervisionRecord.session_id == session.id))
    case = CaseDiscussion(case_reference="CH-77", created_at=record.created_at, updated_at=record.created_at)
    record.case_discussions.append(case)
    db.session.commit()
    record = reload(record)

    page = pages.post(
        "records.record",
        form_data(record, "sign", wellbeing="   ", reflection=""),
        _expected_status=200,
        record_id=record.id,
    )

    assert page.title.text.startswith("Error: ")
    links = {a.text.strip(): a["href"] for a in page.select(".govuk-error-summary a")}
    review = record.action_reviews[0]
    unreviewed = (
        "Review the action “Chase the health visitor”: "
        "say whether it is done, carried forward or no longer needed"
    )
    assert links == {
        "Enter wellbeing and staff care": "#wellbeing",
        "Enter the decision for case CH-77": url_for(
            "records.edit_case_discussion", record_id=record.id, case_id=case.id
        )
        + "#decision",
        "Enter reflection": "#reflection",
        unreviewed: url_for("records.review_action", record_id=record.id, review_id=review.id) + "#outcome",
    }
    assert page.find(id="wellbeing-error") is not None  # the field shows its own message too
    record = reload(record)
    assert record.supervisor_signed_at is None
    assert record.workload == COMPLETE_SECTIONS["workload"]  # the draft was saved; only the signature refused


def test_a_complete_record_is_signed_by_both_and_then_locks(people, pages, client):
    record = make_record(people.worker, people.supervisor, complete=True)
    pages.sign_in(people.supervisor)
    pages.post("records.record", form_data(record, "sign"), record_id=record.id)
    assert reload(record).supervisor_signed_at is not None

    client.post("/sign-out")
    pages.sign_in(people.worker)
    page = pages.get("records.record", record_id=record.id)
    assert page.find("textarea") is None
    assert [a.text.strip() for a in page.select("main a.govuk-button")] == ["Comment and sign"]
    pages.post(
        "records.sign_as_supervisee",
        {"version": reload(record).version, "supervisee_comment": "Thank you", "supervisee_disagrees": "y"},
        record_id=record.id,
    )
    record = reload(record)
    assert record.is_locked and record.supervisee_disagrees and record.supervisee_comment == "Thank you"

    page = pages.get("records.record", record_id=record.id)
    assert "recorded disagreement" in page.text
    assert page.find("a", string="Add an addendum") is not None


def test_a_posted_edit_to_a_locked_record_changes_nothing(people, pages):
    record = make_record(people.worker, people.supervisor, complete=True, locked=True)
    pages.sign_in(people.supervisor)
    pages.post("records.record", form_data(record, wellbeing="Rewritten"), record_id=record.id)
    assert reload(record).wellbeing == COMPLETE_SECTIONS["wellbeing"]


def test_disagreeing_without_a_comment_is_refused_on_the_page(people, pages):
    record = make_record(people.worker, people.supervisor, complete=True, signed_by_supervisor=True)
    pages.sign_in(people.worker)
    page = pages.post(
        "records.sign_as_supervisee",
        {"version": record.version, "supervisee_comment": "  ", "supervisee_disagrees": "y"},
        _expected_status=200,
        record_id=record.id,
    )
    assert [a["href"] for a in page.select(".govuk-error-summary a")] == ["#supervisee_comment"]
    assert "Say what you disagree with" in page.select_one(".govuk-error-summary").text
    assert reload(record).supervisee_signed_at is None


def test_case_discussions_are_added_changed_and_removed(people, pages):
    record = make_record(people.worker, people.supervisor)
    pages.sign_in(people.supervisor)
    pages.post(
        "records.add_case_discussion",
        {
            "version": record.version,
            "case_reference": "CH-9",
            "summary": "S",
            "analysis": "A",
            "decision": "",
        },
        record_id=record.id,
    )
    [case] = reload(record).case_discussions
    assert (case.case_reference, case.decision) == ("CH-9", "")
    pages.post(
        "records.edit_case_discussion",
        {
            "version": reload(record).version,
            "case_reference": "CH-9",
            "summary": "S",
            "analysis": "A",
            "decision": "Close",
        },
        record_id=record.id,
        case_id=case.id,
    )
    assert reload(record).case_discussions[0].decision == "Close"
    pages.post(
        "records.remove_case_discussion",
        {"version": reload(record).version},
        record_id=record.id,
        case_id=case.id,
    )
    assert reload(record).case_discussions == []


def test_a_case_discussion_needs_a_reference(people, pages):
    record = make_record(people.worker, people.supervisor)
    pages.sign_in(people.supervisor)
    page = pages.post(
        "records.add_case_discussion",
        {"version": record.version, "case_reference": "   ", "summary": "S"},
        _expected_status=200,
        record_id=record.id,
    )
    assert [a["href"] for a in page.select(".govuk-error-summary a")] == ["#case_reference"]
    assert reload(record).case_discussions == []


def test_actions_are_added_with_owner_and_due_date_and_bad_dates_are_named(people, pages):
    record = make_record(people.worker, people.supervisor)
    pages.sign_in(people.supervisor)
    page = pages.post(
        "records.add_action",
        {
            "version": record.version,
            "description": "Book training",
            "owner_id": people.worker.id,
            "due_on": ["31", "2", "2027"],
        },
        _expected_status=200,
        record_id=record.id,
    )
    assert "Due date must be a real date" in page.select_one(".govuk-error-summary").text
    assert reload(record).actions == []

    pages.post(
        "records.add_action",
        {
            "version": record.version,
            "description": "Book training",
            "owner_id": people.worker.id,
            "due_on": ["28", "2", "2027"],
            "case_discussion_id": "",
        },
        record_id=record.id,
    )
    [action] = reload(record).actions
    assert (action.description, action.owner_id, action.due_on) == (
        "Book training",
        people.worker.id,
        date(2027, 2, 28),
    )


def test_a_button_inside_the_draft_saves_it_before_going_on(people, pages):
    record = make_record(people.worker, people.supervisor)
    pages.sign_in(people.supervisor)
    response = pages.post(
        "records.record",
        form_data(record, "add-case", workload="Typed, then went to add a case"),
        record_id=record.id,
    )
    assert response.headers["Location"] == url_for("records.add_case_discussion", record_id=record.id)
    assert reload(record).workload == "Typed, then went to add a case"


def test_the_supervisee_returns_a_signed_record_with_a_note(people, pages):
    record = make_record(people.worker, people.supervisor, complete=True, signed_by_supervisor=True)
    pages.sign_in(people.worker)
    page = pages.post(
        "records.return_for_revision",
        {"version": record.version, "note": ""},
        _expected_status=200,
        record_id=record.id,
    )
    assert "Enter a note saying what needs revising" in page.text
    pages.post(
        "records.return_for_revision",
        {"version": record.version, "note": "Case CH-1001 is wrong"},
        record_id=record.id,
    )
    record = reload(record)
    assert record.supervisor_signed_at is None
    page = pages.get("records.record", record_id=record.id)
    assert "Case CH-1001 is wrong" in page.select_one(".govuk-inset-text").text


def test_an_addendum_is_added_to_a_locked_record(people, pages):
    record = make_record(people.worker, people.supervisor, complete=True, locked=True)
    pages.sign_in(people.worker)
    page = pages.post(
        "records.add_addendum", {"reason": "", "body": "x"}, _expected_status=200, record_id=record.id
    )
    assert "Enter why the addendum is needed" in page.text
    pages.post(
        "records.add_addendum", {"reason": "Date wrong", "body": "It was the 12th."}, record_id=record.id
    )
    page = pages.get("records.record", record_id=record.id)
    assert "It was the 12th." in page.find(id="addenda").find_next("div").text


def test_the_rating_is_shown_only_to_the_supervisee(people, pages, client):
    record = make_record(people.worker, people.supervisor, complete=True, locked=True)
    pages.sign_in(people.worker)
    pages.post(
        "records.rate_session",
        {"rating_helpful": "2", "rating_reflective": "4", "rating_safe_to_challenge": "1"},
        record_id=record.id,
    )
    assert "safe to challenge 1 out of 5" in pages.get("records.record", record_id=record.id).text
    client.post("/sign-out")
    for viewer in (people.supervisor, people.head):
        pages.sign_in(viewer)
        page = pages.get("records.record", record_id=record.id)
        assert "out of 5" not in page.text
        pages.get("records.rate_session", _expected_status=404, record_id=record.id)
        client.post("/sign-out")


def test_the_case_note_holds_the_case_and_never_personal_sections(people, pages):
    record = make_record(
        people.worker,
        people.supervisor,
        complete=True,
        wellbeing="PRIVATE-WELLBEING bereavement",
        health_and_leave="PRIVATE-HEALTH surgery",
        workload="PRIVATE-WORKLOAD",
    )
    case = record.case_discussions[0]
    pages.sign_in(people.supervisor)
    note = pages.get("records.case_note", record_id=record.id, case_id=case.id).find("main").text
    assert case.case_reference in note and case.decision in note and case.analysis in note
    assert "PRIVATE" not in note

    printed = pages.get("records.print_record", record_id=record.id).find("main").text
    for section in TEXT_SECTIONS:
        assert getattr(record, section.key) in printed


def test_a_case_from_another_record_is_not_found(people, pages):
    record = make_record(people.worker, people.supervisor, complete=True)
    other = make_record(people.colleague, people.supervisor, complete=True)
    pages.sign_in(people.supervisor)
    foreign_case = other.case_discussions[0].id
    pages.get("records.case_note", _expected_status=404, record_id=record.id, case_id=foreign_case)
    pages.get("records.edit_case_discussion", _expected_status=404, record_id=record.id, case_id=foreign_case)
    pages.post(
        "records.remove_case_discussion",
        {"version": record.version},
        _expected_status=404,
        record_id=record.id,
        case_id=foreign_case,
    )
    assert len(reload(other).case_discussions) == 1


def test_after_the_supervisor_signs_every_page_gives_the_same_state_and_refuses_what_it_cannot_do(
    people, pages
):
    record = make_record(people.worker, people.supervisor, complete=True)
    pages.sign_in(people.supervisor)
    pages.post("records.record", form_data(record, "sign"), record_id=record.id)
    record = reload(record)
    waiting = "Waiting for the supervisee to sign: signed by the supervisor"

    page = pages.get("records.record", record_id=record.id)
    assert page.find("main").find("strong", class_="govuk-tag").text.strip() == waiting
    printed = pages.get("records.print_record", record_id=record.id)
    assert waiting in printed.find("main").text and "Draft" not in printed.find("main").text
    case = record.case_discussions[0]
    note = pages.get("records.case_note", record_id=record.id, case_id=case.id)
    assert waiting in note.find("main").text and "Draft" not in note.find("main").text

    # The supervisor can no longer edit it, so an addendum is not refused as "still a draft".
    response = pages.client.get(url_for("records.add_addendum", record_id=record.id), follow_redirects=True)
    text = response.get_data(as_text=True)
    assert "still a draft" not in text
    assert (
        "waiting for the supervisee&#39;s signature: you can add an addendum once both of you have signed"
        in text
    )

    # Returning is refused on the GET, before any form is shown.
    response = pages.client.get(url_for("records.return_for_revision", record_id=record.id))
    assert response.status_code == 302
    assert response.location.endswith(url_for("records.record", record_id=record.id))
    page = pages.get("records.record", record_id=record.id)
    assert "it is now with the supervisee to comment and sign" in page.text


def test_a_locked_record_refuses_return_on_the_get_and_every_page_says_locked(people, pages):
    record = make_record(people.worker, people.supervisor, complete=True, locked=True)
    for person in (people.worker, people.supervisor):
        pages.sign_in(person)
        response = pages.client.get(url_for("records.return_for_revision", record_id=record.id))
        assert response.status_code == 302
        page = pages.get("records.record", record_id=record.id)
        assert "locked because both of you have signed it" in page.text
        for endpoint, extra in (
            ("records.record", {}),
            ("records.print_record", {}),
            ("records.case_note", {"case_id": record.case_discussions[0].id}),
        ):
            assert (
                "Signed by both and locked"
                in pages.get(endpoint, record_id=record.id, **extra).find("main").text
            )
        pages.client.post("/sign-out")


def test_action_reviews_with_the_same_opening_words_get_distinct_messages(people, pages):
    earlier = make_record(people.worker, people.supervisor, held_on=date(2026, 10, 20), complete=True)
    opening = "Write to the family's health visitor asking for the latest growth chart for "
    for description in (opening + "case CH-1001", opening + "case CH-2002", "Chase school", "Chase school"):
        make_action(earlier, description=description)
    session = make_session(people.supervisor, people.worker)
    pages.sign_in(people.supervisor)
    pages.post(
        "sessions.mark_held",
        {"version": session.version, "held_on": ["20", "11", "2026"], "duration_minutes": "90"},
        session_id=session.id,
    )
    record = db.session.scalar(db.select(SupervisionRecord).where(SupervisionRecord.session_id == session.id))

    page = pages.post("records.record", form_data(record, "sign"), _expected_status=200, record_id=record.id)

    messages = [
        a.text.strip() for a in page.select(".govuk-error-summary a") if "Review the action" in a.text
    ]
    assert len(messages) == 4 and len(set(messages)) == 4, messages
    assert "CH-1001" in messages[0] and "CH-2002" in messages[1]
    assert messages[2].startswith("Review the action “Chase school” (1 of 2 with these words)")
    assert messages[3].startswith("Review the action “Chase school” (2 of 2 with these words)")
