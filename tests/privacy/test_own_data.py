"""A person downloads everything held about them: JSON and a printable page, audited."""

import json
import re

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


def test_the_page_reads_in_words_with_names_dates_and_the_interval_in_effect(pages, clock):
    from datetime import date

    from tests.factories import make_absence, make_team

    supervisor = make_staff(Role.SUPERVISOR, given_name="Sam", family_name="Supervisor")
    team = make_team(manager=supervisor, name="Assessment Team")
    worker = make_staff(given_name="Wren", team=team, line_manager=supervisor)
    make_agreement(worker, supervisor)  # the policy's 28 days for a social worker
    make_absence(worker, date(2026, 12, 21), date(2026, 12, 24))
    pages.sign_in(worker)
    page = pages.get("privacy.my_data")
    rows = {
        row.dt.get_text(strip=True): row.dd.get_text(strip=True)
        for row in page.select(".govuk-summary-list__row")
    }
    assert rows["Team"] == "Assessment Team"
    assert rows["Line manager"] == "Sam Supervisor"
    assert rows["Supervisor"] == "Sam Supervisor"
    assert rows["Days between sessions"] == "28"
    assert rows["Type"] == "Annual leave"
    assert rows["First day"] == "21 December 2026"
    assert "FTE (full-time equivalent)" in rows
    assert not any("_" in key or "Team id" in key for key in rows)
    assert not any(re.search(r"\d{4}-\d{2}-\d{2}", value) for value in rows.values()), rows
