"""A person downloads everything held about them: JSON and a printable page, audited."""

import json

import sqlalchemy as sa

from supervision.audit.models import AuditEvent
from supervision.extensions import db
from supervision.org.models import Role
from tests.factories import make_action, make_agreement, make_record, make_staff


def test_a_person_downloads_their_own_records_in_full_and_the_export_is_audited(pages, client, clock):
    supervisor = make_staff(Role.SUPERVISOR)
    worker = make_staff(line_manager=supervisor, given_name="Wren")
    make_agreement(worker, supervisor)
    record = make_record(worker, supervisor, complete=True)
    make_action(record, owner=worker, description="Update the chronology")
    someone_else = make_record(
        make_staff(line_manager=supervisor), supervisor, complete=True, reflection="Not hers"
    )
    pages.sign_in(worker)
    response = client.get("/my-data/download.json")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"].startswith("attachment")
    data = json.loads(response.get_data(as_text=True))
    assert data["person"]["given_name"] == "Wren" and "password_hash" not in data["person"]
    assert [r["id"] for r in data["supervision_records"]] == [record.id]
    assert data["supervision_records"][0]["case_discussions"][0]["decision"].startswith("Convene")
    assert data["actions_owned"][0]["description"] == "Update the chronology"
    assert len(data["agreements"]) == 1
    assert "Not hers" not in response.get_data(as_text=True)
    assert someone_else.id not in [r["id"] for r in data["supervision_records"]]
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "export"))
    assert (event.actor_id, event.object_type, event.object_id) == (worker.id, "staff", worker.id)


def test_a_supervisor_sees_only_dates_of_the_sessions_they_ran(pages, client, clock):
    supervisor = make_staff(Role.SUPERVISOR)
    make_record(make_staff(line_manager=supervisor), supervisor, complete=True, wellbeing="Private to them")
    pages.sign_in(supervisor)
    body = client.get("/my-data/download.json").get_data(as_text=True)
    data = json.loads(body)
    assert len(data["sessions_run_as_supervisor"]) == 1 and data["supervision_records"] == []
    assert "Private to them" not in body


def test_the_printable_page_lists_the_same_data(pages, clock):
    worker = make_staff(given_name="Wren")
    supervisor = make_staff(Role.SUPERVISOR)
    make_record(worker, supervisor, complete=True)
    pages.sign_in(worker)
    page = pages.get("privacy.my_data")
    assert page.h1.text == "Your data"
    assert "Reflected on how the family" in page.text
    assert page.find("a", string="download it as JSON")["href"] == "/my-data/download.json"


def test_signed_out_people_are_sent_to_sign_in(client):
    assert client.get("/my-data/download.json").status_code == 302


def test_every_signed_in_page_links_to_your_data_the_calendar_feed_and_api_tokens(pages, client):
    def footer_links(endpoint="home.index") -> dict[str, str]:
        soup = pages.get(endpoint)
        return {a.get_text(strip=True): a["href"] for a in soup.select(".govuk-footer__meta a")}

    assert "Your data" not in footer_links("auth.sign_in")
    pages.sign_in(make_staff(Role.SOCIAL_WORKER))
    links = footer_links()
    assert links["Your data"] == "/my-data"
    assert links["Calendar feed"] == "/calendar-feed"
    assert links["API tokens"] == "/api-tokens"
