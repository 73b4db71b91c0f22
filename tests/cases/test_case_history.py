"""A case's oversight history page, its case notes (one case or a list) and its API answer."""

# ruff: noqa: F811 (the fixtures imported below are pytest fixtures, named as arguments)

import csv
import io
from datetime import date

import pytest
import sqlalchemy as sa
from flask import url_for
from openpyxl import load_workbook

from supervision.audit.models import AuditEvent
from supervision.extensions import db
from supervision.org.models import Organisation
from tests.api.conftest import api_as  # noqa: F401
from tests.cases.report_factories import PERSONAL_TEXT, case_people, make_case, make_oversight  # noqa: F401
from tests.replay import replayed


@pytest.fixture
@replayed
def story(case_people):
    p = case_people
    case = make_case(p.cal, "CP-100", opened_on=date(2026, 8, 3), moved_to=((p.wren, date(2026, 10, 1)),))
    make_oversight(p.sam, p.cal, "CP-100", date(2026, 9, 7), decision="Start a child protection enquiry.")
    make_oversight(
        p.sam, p.wren, "CP-100", date(2026, 10, 19), decision="Keep the plan.", actions=("Visit the school",)
    )
    # A draft the supervisor has not signed is not oversight.
    make_oversight(p.sam, p.wren, "CP-100", date(2026, 11, 16), decision="DRAFT-DECISION", signed=False)
    stranger_case = make_case(p.sol, "CP-900")
    make_oversight(p.olu, p.sol, "CP-900", date(2026, 10, 5))
    return case, stranger_case


def audit_entries(action: str) -> list[tuple[int, int]]:
    return sorted(
        db.session.execute(
            sa.select(AuditEvent.actor_id, AuditEvent.object_id).where(
                AuditEvent.object_type == "child_case", AuditEvent.action == action
            )
        ).all()
    )


def test_the_history_lists_each_signed_oversight_the_allocations_and_the_status_now(
    pages, case_people, story
):
    case, _ = story
    pages.sign_in(case_people.sam)

    text = pages.get("case_history.case_history", case_id=case.id).find("main").get_text(" ", strip=True)

    assert "Case CP-100" in text
    assert "7 September 2026: supervised by Sam Supervisor, with Cal Colleague" in text
    assert "Start a child protection enquiry." in text
    assert "19 October 2026: supervised by Sam Supervisor, with Wren Worker" in text
    assert "Visit the school: Wren Worker, by 4 December 2026 (open)" in text
    assert "DRAFT-DECISION" not in text
    assert PERSONAL_TEXT not in text
    assert "Cal Colleague 3 August 2026 30 September 2026" in text
    assert "Wren Worker 1 October 2026 Now" in text
    # 19 October + 28 days = 16 November: overdue on 23 November.
    assert "Overdue" in text
    assert "Oversight due 16 November 2026" in text


def test_every_view_of_a_history_is_audited(pages, case_people, story):
    case, _ = story
    pages.sign_in(case_people.hana)

    pages.get("case_history.case_history", case_id=case.id)
    pages.get("case_history.case_history", case_id=case.id)

    assert audit_entries("view") == [(case_people.hana.id, case.id)] * 2


@pytest.mark.parametrize("who", ["wren", "sam", "hana"])
def test_the_worker_and_those_overseeing_them_see_the_history(pages, case_people, story, who):
    case, _ = story
    pages.sign_in(getattr(case_people, who))
    pages.get("case_history.case_history", case_id=case.id)
    pages.get("case_notes.case_note", case_id=case.id)


@pytest.mark.parametrize("who", ["cal", "tess", "olu", "sol", "hr", "admin"])
def test_anyone_else_gets_not_found_and_nothing_is_audited(pages, case_people, story, who):
    case, _ = story
    pages.sign_in(getattr(case_people, who))

    pages.get("case_history.case_history", _expected_status=404, case_id=case.id)
    pages.get("case_notes.case_note", _expected_status=404, case_id=case.id)
    pages.get("case_notes.case_note_file", _expected_status=404, case_id=case.id, file_format="csv")

    assert audit_entries("view") == audit_entries("export") == []


def test_a_case_note_holds_the_discussions_and_never_personal_sections(pages, case_people, story):
    case, _ = story
    pages.sign_in(case_people.sam)

    text = pages.get("case_notes.case_note", case_id=case.id).find("main").get_text(" ", strip=True)

    assert "Case note: CP-100" in text
    assert "Summary of CP-100 on 2026-09-07" in text
    assert "Analysis of CP-100" in text
    assert "Keep the plan." in text
    assert PERSONAL_TEXT not in text
    assert "DRAFT-DECISION" not in text
    assert audit_entries("export") == [(case_people.sam.id, case.id)]


def test_a_case_note_downloads_as_csv_and_xlsx_with_the_same_rows(client, pages, case_people, story):
    case, _ = story
    pages.sign_in(case_people.sam)

    csv_response = client.get(url_for("case_notes.case_note_file", case_id=case.id, file_format="csv"))
    xlsx_response = client.get(url_for("case_notes.case_note_file", case_id=case.id, file_format="xlsx"))

    text = csv_response.get_data(as_text=True)
    assert csv_response.headers["Content-Disposition"] == f'attachment; filename="case-note-{case.id}.csv"'
    assert PERSONAL_TEXT not in text and "DRAFT-DECISION" not in text
    lines = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    oversight_rows = [
        line for line in lines if line[:2] in (["CP-100", "2026-09-07"], ["CP-100", "2026-10-19"])
    ]
    assert [row[2:4] + row[6:7] for row in oversight_rows] == [
        ["Sam Supervisor", "Cal Colleague", "Start a child protection enquiry."],
        ["Sam Supervisor", "Wren Worker", "Keep the plan."],
    ]
    workbook = load_workbook(io.BytesIO(xlsx_response.data))
    sheet = workbook["Oversight in supervision"]
    assert [row[6] for row in sheet.iter_rows(min_row=3, values_only=True)] == [
        "Start a child protection enquiry.",
        "Keep the plan.",
    ]
    assert len(audit_entries("export")) == 2


def test_a_list_of_references_gives_notes_for_the_visible_ones_and_not_found_for_the_rest(
    client, pages, case_people, story
):
    case, _ = story
    pages.sign_in(case_people.hana)

    page = pages.post(
        "case_notes.case_notes",
        {"case_references": " CP-100 \nCP-900\nNO-SUCH\nCP-100\n", "file_format": "page"},
        _expected_status=200,
    )

    not_found = [item.get_text(strip=True) for item in page.select("#not-found-references li")]
    # A case that exists but is not the viewer's reads exactly as one that does not exist.
    assert not_found == ["CP-900", "NO-SUCH"]
    assert [heading.get_text(strip=True) for heading in page.select("h2.govuk-heading-l")] == ["Case CP-100"]
    assert audit_entries("export") == [(case_people.hana.id, case.id)]

    response = client.post(
        url_for("case_notes.case_notes"), data={"case_references": "CP-100\nCP-900", "file_format": "csv"}
    )
    text = response.get_data(as_text=True)
    assert response.headers["Content-Type"].startswith("text/csv")
    assert "Not found\r\nCase reference\r\nCP-900\r\n" in text
    assert "Summary of CP-900" not in text


@pytest.mark.parametrize(
    "pasted, message",
    [
        ("", "Enter the case references, one a line"),
        (" \n \n", "Enter the case references, one a line"),
        ("\n".join(f"REF-{n}" for n in range(51)), "Enter 50 case references or fewer (you entered 51)"),
        ("OK-1\n" + "X" * 101, "Case reference 2 must be 100 characters or fewer"),
        ("X" * 5_101, "must be 5,100 characters or fewer"),
    ],
)
def test_a_list_out_of_bounds_is_refused_with_a_specific_error_and_nothing_audited(
    pages, case_people, story, pasted, message
):
    pages.sign_in(case_people.sam)

    page = pages.post(
        "case_notes.case_notes", {"case_references": pasted, "file_format": "csv"}, _expected_status=200
    )

    assert message in page.find(class_="govuk-error-summary").get_text(" ", strip=True)
    assert audit_entries("export") == []


def test_hr_and_administrators_cannot_ask_for_case_notes(pages, case_people, story):
    for person in (case_people.hr, case_people.admin):
        pages.sign_in(person)
        pages.get("case_notes.case_notes", _expected_status=403)
        pages.client.post("/sign-out")


def test_another_organisations_discussion_of_the_same_reference_is_not_in_the_history(
    pages, case_people, story
):
    case, _ = story
    elsewhere = Organisation(name="Elsewhere Council")
    db.session.add(elsewhere)
    p = case_people
    for person in (p.olu, p.sol):
        person.organisation = elsewhere
    db.session.commit()
    make_oversight(p.olu, p.sol, "CP-100", date(2026, 11, 2), decision="ELSEWHERE-DECISION")
    pages.sign_in(p.sam)

    text = pages.get("case_history.case_history", case_id=case.id).get_text()

    assert "ELSEWHERE-DECISION" not in text


# --- API ----------------------------------------------------------------------------------------


def test_the_api_answers_a_cases_history_with_the_same_permission_and_audits_it(api_as, case_people, story):
    case, stranger_case = story

    answer = api_as(case_people.sam).get(f"/cases/{case.id}/history")

    assert answer.status_code == 200
    body = answer.get_json()
    assert body["reference"] == "CP-100"
    assert body["category"] == "child_protection"
    assert body["status"]["status"] == "overdue"
    assert body["status"]["due_on"] == "2026-11-16"
    assert [(o["held_on"], o["supervisor"], o["decision"]) for o in body["oversights"]] == [
        ("2026-09-07", "Sam Supervisor", "Start a child protection enquiry."),
        ("2026-10-19", "Sam Supervisor", "Keep the plan."),
    ]
    assert body["oversights"][1]["actions"][0]["description"] == "Visit the school"
    assert [a["worker"] for a in body["allocations"]] == ["Cal Colleague", "Wren Worker"]
    assert PERSONAL_TEXT not in answer.get_data(as_text=True)
    assert audit_entries("view") == [(case_people.sam.id, case.id)]

    assert api_as(case_people.sam).get(f"/cases/{stranger_case.id}/history").status_code == 404
    assert api_as(case_people.hr).get(f"/cases/{case.id}/history").status_code == 404
    assert api_as(case_people.admin).get(f"/cases/{case.id}/history").status_code == 404


def test_the_case_history_is_in_the_openapi_document(api_as, case_people):
    spec = api_as(case_people.sam).get("/openapi.json").get_json()

    operation = spec["paths"]["/api/v1/cases/{case_id}/history"]["get"]
    assert operation["operationId"] == "case_history"
