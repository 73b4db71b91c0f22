"""Who may use each record route (docs/roles.md): a matrix of role x record for every route.

A refused person gets 404, so a foreign id reveals nothing, and a refused post changes nothing.
"""

from datetime import date

import pytest
from flask import url_for

from supervision.extensions import db
from supervision.records.models import ActionReview, SupervisionRecord
from tests.factories import make_action, make_record
from tests.replay import replayed

pytestmark = pytest.mark.usefixtures("clock")

VIEWERS = ("worker", "supervisor", "head", "colleague", "other_supervisor", "stranger", "hr", "admin")
LINE = {"worker", "supervisor", "head"}
PARTIES = {"worker", "supervisor"}


@pytest.fixture
@replayed
def records(people):
    """A draft with a case, an action and a review; a record waiting for the supervisee; a locked one."""
    earlier = make_record(
        people.worker, people.supervisor, held_on=date(2026, 10, 1), complete=True, locked=True
    )
    carried = make_action(earlier)
    draft = make_record(people.worker, people.supervisor, complete=True)
    action = make_action(draft)
    review = ActionReview(record_id=draft.id, action_id=carried.id)
    db.session.add(review)
    db.session.commit()
    waiting = make_record(
        people.worker, people.supervisor, held_on=date(2026, 11, 10), complete=True, signed_by_supervisor=True
    )
    return {
        "draft": draft,
        "waiting": waiting,
        "locked": earlier,
        "case_id": draft.case_discussions[0].id,
        "locked_case_id": earlier.case_discussions[0].id,
        "action_id": action.id,
        "review_id": review.id,
    }


# (endpoint, which record, extra url values, who may use it)
GET_ROUTES = [
    ("records.record", "draft", {}, LINE),
    ("records.record", "locked", {}, LINE),
    ("records.print_record", "locked", {}, LINE),
    ("records.case_note", "locked", {"case_id": "locked_case_id"}, LINE),
    ("records.add_case_discussion", "draft", {}, PARTIES),
    ("records.edit_case_discussion", "draft", {"case_id": "case_id"}, PARTIES),
    ("records.remove_case_discussion", "draft", {"case_id": "case_id"}, PARTIES),
    ("records.add_action", "draft", {}, PARTIES),
    ("records.edit_action", "draft", {"action_id": "action_id"}, PARTIES),
    ("records.remove_action", "draft", {"action_id": "action_id"}, PARTIES),
    ("records.review_action", "draft", {"review_id": "review_id"}, PARTIES),
    ("records.return_for_revision", "draft", {}, PARTIES),
    ("records.sign_as_supervisee", "waiting", {}, {"worker"}),
    ("records.add_addendum", "locked", {}, PARTIES),
    ("records.rate_session", "locked", {}, {"worker"}),
]

POST_ROUTES = [
    ("records.record", "draft", {}, PARTIES, {"wellbeing": "Changed", "intent": "save"}),
    ("records.add_case_discussion", "draft", {}, PARTIES, {"case_reference": "CH-NEW"}),
    ("records.edit_case_discussion", "draft", {"case_id": "case_id"}, PARTIES, {"case_reference": "CH-X"}),
    ("records.remove_case_discussion", "draft", {"case_id": "case_id"}, PARTIES, {}),
    ("records.add_action", "draft", {}, PARTIES, {"description": "New", "due_on": ["1", "12", "2026"]}),
    (
        "records.edit_action",
        "draft",
        {"action_id": "action_id"},
        PARTIES,
        {"description": "Changed", "due_on": ["1", "12", "2026"]},
    ),
    ("records.remove_action", "draft", {"action_id": "action_id"}, PARTIES, {}),
    (
        "records.review_action",
        "draft",
        {"review_id": "review_id"},
        PARTIES,
        {"outcome": "done", "comment": "Done"},
    ),
    ("records.return_for_revision", "draft", {}, PARTIES, {"note": "Please revise"}),
    ("records.sign_as_supervisee", "waiting", {}, {"worker"}, {"supervisee_comment": "OK"}),
    ("records.add_addendum", "locked", {}, PARTIES, {"reason": "Why", "body": "What"}),
    (
        "records.rate_session",
        "locked",
        {},
        {"worker"},
        {"rating_helpful": "3", "rating_reflective": "3", "rating_safe_to_challenge": "3"},
    ),
]


def url(records, endpoint, which, extra):
    values = {name: records[key] for name, key in extra.items()}
    return url_for(endpoint, record_id=records[which].id, **values)


def fingerprint(record_id):
    """Everything a post could change about a record."""
    db.session.expire_all()
    record = db.session.get(SupervisionRecord, record_id)
    return (
        record.version,
        record.rated_at,
        [(c.case_reference, c.decision) for c in record.case_discussions],
        [(a.description, a.status) for a in record.actions],
        [r.outcome for r in record.action_reviews],
        len(record.addenda),
        len(record.returns),
    )


def answers(act_as, people, send):
    statuses = {}
    for viewer in VIEWERS:
        act_as(getattr(people, viewer))
        statuses[viewer] = send()
    return statuses


@pytest.mark.parametrize(
    ("endpoint", "which", "extra", "allowed"), GET_ROUTES, ids=lambda v: v if isinstance(v, str) else ""
)
def test_each_page_is_shown_only_to_the_people_who_may_use_it(
    people, records, act_as, client, endpoint, which, extra, allowed
):
    address = url(records, endpoint, which, extra)
    statuses = answers(act_as, people, lambda: client.get(address).status_code)
    assert {viewer for viewer, status in statuses.items() if status != 404} == allowed
    assert all(statuses[viewer] in (200, 302) for viewer in allowed)


@pytest.mark.parametrize(
    ("endpoint", "which", "extra", "allowed", "data"),
    POST_ROUTES,
    ids=lambda v: v if isinstance(v, str) else "",
)
def test_a_refused_post_answers_404_and_changes_nothing(
    people, records, act_as, client, endpoint, which, extra, allowed, data
):
    address = url(records, endpoint, which, extra)
    record_id = records[which].id
    for viewer in VIEWERS:
        if viewer in allowed:
            continue
        before = fingerprint(record_id)
        act_as(getattr(people, viewer))
        version = db.session.get(SupervisionRecord, record_id).version
        status = client.post(address, data={"version": version, **data}).status_code
        assert (viewer, status) == (viewer, 404)
        assert fingerprint(record_id) == before, viewer


@pytest.mark.parametrize(
    ("endpoint", "which", "extra", "allowed", "data"),
    POST_ROUTES,
    ids=lambda v: v if isinstance(v, str) else "",
)
def test_a_permitted_post_is_accepted(people, records, act_as, client, endpoint, which, extra, allowed, data):
    viewer = sorted(allowed)[-1]
    act_as(getattr(people, viewer))
    record_id = records[which].id
    before = fingerprint(record_id)
    version = db.session.get(SupervisionRecord, record_id).version
    full = {"owner_id": str(people.worker.id), "case_discussion_id": "", **data}
    if endpoint == "records.record":
        full.update(
            {"agenda": "", "workload": "w", "learning": "l", "reflection": "r", "health_and_leave": "h"}
        )
    response = client.post(url(records, endpoint, which, extra), data={"version": version, **full})
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    assert fingerprint(record_id) != before


def test_session_pages_follow_the_same_line(people, act_as, client):
    from tests.factories import make_session

    session = make_session(people.supervisor, people.worker)
    address = url_for("sessions.session", session_id=session.id)
    statuses = answers(act_as, people, lambda: client.get(address).status_code)
    assert {viewer for viewer, status in statuses.items() if status == 200} == LINE
    for endpoint in ("sessions.mark_held", "sessions.cancel_session", "sessions.did_not_attend"):
        address = url_for(endpoint, session_id=session.id)
        statuses = answers(act_as, people, lambda address=address: client.get(address).status_code)
        assert {viewer for viewer, status in statuses.items() if status == 200} == {"supervisor"}, endpoint


def test_a_persons_supervision_page_is_for_them_their_supervisor_and_managers_above(people, act_as, client):
    address = url_for("sessions.person_supervision", person_id=people.worker.id)
    statuses = answers(act_as, people, lambda: client.get(address).status_code)
    assert statuses == {
        "worker": 302,  # their own page is "My supervision"
        "supervisor": 200,
        "head": 200,
        "colleague": 404,
        "other_supervisor": 404,
        "stranger": 404,
        "hr": 404,
        "admin": 404,
    }
