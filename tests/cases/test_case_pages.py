"""Where case oversight shows: the record editor's case picker and its flag, the cases page, the
team dashboard's section, My supervision and the home page counts; and never to HR."""

from datetime import date

import pytest
from flask import url_for

from supervision.cases import lists
from supervision.cases.rules import CaseCategory
from supervision.extensions import db
from supervision.org.models import Role, StaffRole
from supervision.records.models import SupervisionRecord
from tests.cases.oversight_factories import discuss, make_case
from tests.factories import make_absence, make_record, make_session
from tests.replay import replayed

TODAY = date(2026, 11, 23)


@pytest.fixture
@replayed
def caseload(people, clock):
    make_case(people.worker, "CP-OVERDUE", opened_on=date(2026, 6, 1))
    discuss("CP-OVERDUE", people.worker, people.supervisor, date(2026, 10, 1))
    make_case(people.worker, "CIN-NEVER", CaseCategory.CHILD_IN_NEED, opened_on=date(2026, 9, 1))
    make_case(people.worker, "EH-FINE", CaseCategory.EARLY_HELP, opened_on=date(2026, 11, 1))
    make_case(people.colleague, "CP-COLLEAGUE", opened_on=date(2026, 11, 20))
    make_case(people.stranger, "CP-STRANGER", opened_on=date(2026, 6, 1))
    return people


def text(page, selector):
    return " ".join(page.select_one(selector).get_text(" ", strip=True).split())


def row_headers(page, table_id):
    return [th.get_text(strip=True) for th in page.select(f"#{table_id} tbody th")]


def sign_in_afresh(pages, person):
    pages.client.post("/sign-out")
    pages.sign_in(person)


def give_hr_role(person):
    person.role_rows.append(StaffRole(role=Role.HR))
    db.session.commit()


# --- the record editor -------------------------------------------------------------------------


def test_the_case_picker_offers_the_supervisees_open_cases_and_another_case(caseload, pages):
    record = make_record(caseload.worker, caseload.supervisor)
    pages.sign_in(caseload.supervisor)
    page = pages.get("records.add_case_discussion", record_id=record.id)
    values = [radio["value"] for radio in page.select("input[name=registered_case]")]
    assert values == ["CIN-NEVER", "CP-OVERDUE", "EH-FINE", "another"]
    assert page.select_one("input[name=case_reference]") is not None

    pages.post(
        "records.add_case_discussion",
        {"version": record.version, "registered_case": "CIN-NEVER", "case_reference": "", "decision": "D"},
        record_id=record.id,
    )
    pages.post(
        "records.add_case_discussion",
        {"version": record.version + 1, "registered_case": "another", "case_reference": " NEW-1 "},
        record_id=record.id,
    )
    references = [
        case.case_reference for case in db.session.get(SupervisionRecord, record.id).case_discussions
    ]
    assert references == ["CIN-NEVER", "NEW-1"]


def test_the_case_picker_names_what_is_missing(caseload, pages):
    record = make_record(caseload.worker, caseload.supervisor)
    pages.sign_in(caseload.supervisor)
    nothing = pages.post(
        "records.add_case_discussion", {"version": record.version}, _expected_status=200, record_id=record.id
    )
    assert [a["href"] for a in nothing.select(".govuk-error-summary a")] == ["#registered_case"]
    another = pages.post(
        "records.add_case_discussion",
        {"version": record.version, "registered_case": "another"},
        _expected_status=200,
        record_id=record.id,
    )
    assert [a["href"] for a in another.select(".govuk-error-summary a")] == ["#case_reference"]
    foreign = pages.post(
        "records.add_case_discussion",
        {"version": record.version, "registered_case": "CP-STRANGER"},
        _expected_status=200,
        record_id=record.id,
    )
    assert "Choose a case from the list" in text(foreign, ".govuk-error-summary")
    assert db.session.get(SupervisionRecord, record.id).case_discussions == []


def test_a_group_sessions_records_each_offer_that_attendees_cases(caseload, pages):
    session = make_session(
        caseload.supervisor, caseload.worker, caseload.colleague, held_on=date(2026, 11, 20)
    )
    wren = make_record(caseload.worker, caseload.supervisor, session=session)
    cal = make_record(caseload.colleague, caseload.supervisor, session=session)
    pages.sign_in(caseload.supervisor)
    offered = {
        record.id: [
            r["value"]
            for r in pages.get("records.add_case_discussion", record_id=record.id).select(
                "input[name=registered_case]"
            )
        ]
        for record in (wren, cal)
    }
    assert offered[cal.id] == ["CP-COLLEAGUE", "another"]
    assert "CP-COLLEAGUE" not in offered[wren.id]


def test_editing_a_discussion_starts_from_its_case(caseload, pages):
    record = discuss("EH-FINE", caseload.worker, caseload.supervisor, date(2026, 11, 20), signed=False)
    [case] = record.case_discussions
    pages.sign_in(caseload.supervisor)
    page = pages.get("records.edit_case_discussion", record_id=record.id, case_id=case.id)
    assert page.select_one("input[name=registered_case][checked]")["value"] == "EH-FINE"


def test_without_cases_the_reference_is_typed_as_before(people, pages):
    record = make_record(people.worker, people.supervisor)
    pages.sign_in(people.supervisor)
    page = pages.get("records.add_case_discussion", record_id=record.id)
    assert page.select("input[name=registered_case]") == []
    assert page.select_one("input[name=case_reference]") is not None


def test_a_discussion_not_in_the_register_is_flagged_on_the_record(caseload, pages):
    record = discuss("CP-OVERDUE", caseload.worker, caseload.supervisor, date(2026, 11, 20), signed=False)
    discussed = discuss("UNKNOWN-7", caseload.worker, caseload.supervisor, date(2026, 11, 21), signed=False)
    pages.sign_in(caseload.supervisor)
    flagged = pages.get("records.record", record_id=discussed.id)
    [case] = discussed.case_discussions
    assert "Not in the case register" in text(flagged, f"#case-{case.id}")
    assert (
        "not in the case register" not in pages.get("records.record", record_id=record.id).get_text().lower()
    )


# --- the cases page ------------------------------------------------------------------------------


def test_the_cases_page_lists_cases_needing_oversight_of_the_people_overseen(caseload, pages):
    pages.sign_in(caseload.supervisor)
    page = pages.get("case_oversight.cases")
    assert row_headers(page, "cases") == ["CIN-NEVER", "CP-OVERDUE"]
    assert "CP-STRANGER" not in page.get_text()
    every = pages.get("case_oversight.cases", status="any", sort="reference", order="descending")
    assert row_headers(every, "cases") == ["EH-FINE", "CP-OVERDUE", "CP-COLLEAGUE", "CIN-NEVER"]
    cin = pages.get("case_oversight.cases", category="child_in_need")
    assert row_headers(cin, "cases") == ["CIN-NEVER"]
    team = pages.get("case_oversight.cases", team=str(caseload.team.id), status="due_soon")
    assert page.select_one("#no-cases") is None and team.select_one("#no-cases") is not None


def test_the_cases_page_ignores_filters_it_does_not_offer(caseload, pages):
    pages.sign_in(caseload.supervisor)
    page = pages.get("case_oversight.cases", team="999", category="nonsense", status="x", page="٣")
    assert row_headers(page, "cases") == ["CIN-NEVER", "CP-OVERDUE"]
    assert page.select(".govuk-error-message")
    some_wrong = pages.get("case_oversight.cases", team="999", category="child_in_need")
    assert row_headers(some_wrong, "cases") == ["CIN-NEVER"]


def test_the_cases_page_is_paged(caseload, pages, monkeypatch):
    from supervision.cases import list_views

    monkeypatch.setattr(list_views, "PER_PAGE", 1)
    pages.sign_in(caseload.supervisor)
    second = pages.get("case_oversight.cases", page=2)
    assert row_headers(second, "cases") == ["CP-OVERDUE"]
    assert second.select_one(".govuk-pagination") is not None


def test_the_head_of_service_sees_every_team_the_worker_and_admin_are_refused(caseload, pages):
    pages.sign_in(caseload.head)
    assert row_headers(pages.get("case_oversight.cases"), "cases") == ["CIN-NEVER", "CP-OVERDUE"]
    for person in (caseload.worker, caseload.admin, caseload.hr):
        sign_in_afresh(pages, person)
        pages.get("case_oversight.cases", _expected_status=403)


def test_hr_never_sees_a_case_even_as_a_supervisor(caseload, pages):
    give_hr_role(caseload.supervisor)
    pages.sign_in(caseload.supervisor)
    for page in (
        pages.get("case_oversight.cases", status="any"),
        pages.get("reports.team_dashboard"),
        pages.get("home.index"),
    ):
        assert not any(reference in page.get_text() for reference in ("CIN-NEVER", "CP-OVERDUE", "EH-FINE"))
    assert text(pages.get("home.index"), "#cases-overdue") == "0 cases"


# --- the team dashboard, My supervision and home ---------------------------------------------------


def test_the_dashboard_lists_cases_overdue_with_the_absent_worker_noted(caseload, pages):
    make_absence(caseload.worker, date(2026, 11, 16), date(2026, 11, 27))
    pages.sign_in(caseload.supervisor)
    page = pages.get("reports.team_dashboard")
    assert row_headers(page, "cases-overdue-table") == ["CIN-NEVER", "CP-OVERDUE"]
    assert "Worker absent: reallocate or arrange cover" in text(page, "#cases-overdue-table")
    cin = pages.get("reports.team_dashboard", case_category="child_in_need")
    assert row_headers(cin, "cases-overdue-table") == ["CIN-NEVER"]
    none = pages.get("reports.team_dashboard", case_category="early_help")
    assert none.select_one("#no-cases-overdue") is not None


def test_my_supervision_lists_my_cases_due_discussion(caseload, pages):
    pages.sign_in(caseload.worker)
    page = pages.get("sessions.my_supervision")
    assert row_headers(page, "my-cases-table") == ["CIN-NEVER", "CP-OVERDUE"]
    sign_in_afresh(pages, caseload.colleague)
    assert pages.get("sessions.my_supervision").select_one("#no-cases-due") is not None


def test_the_supervisee_sees_their_cases_due_beside_the_agenda(caseload, pages):
    record = make_record(caseload.worker, caseload.supervisor)
    pages.sign_in(caseload.worker)
    page = pages.get("records.record", record_id=record.id)
    assert row_headers(page, "my-cases-table") == ["CIN-NEVER", "CP-OVERDUE"]
    sign_in_afresh(pages, caseload.supervisor)
    assert pages.get("records.record", record_id=record.id).select_one("#cases-due") is None


def test_home_counts_are_the_lengths_of_the_lists_behind_their_links(caseload, pages, clock):
    pages.sign_in(caseload.supervisor)
    home = pages.get("home.index")
    assert text(home, "#cases-overdue") == f"{len(lists.needing_oversight(caseload.supervisor, TODAY))} cases"
    assert text(home, "#cases-overdue") == "2 cases"
    assert url_for("case_oversight.cases") in [a["href"] for a in home.select("#people a")]
    sign_in_afresh(pages, caseload.worker)
    home = pages.get("home.index")
    assert (
        text(home, "#my-cases-due")
        == "2 cases"
        == f"{len(lists.due_discussion(caseload.worker, TODAY))} cases"
    )
