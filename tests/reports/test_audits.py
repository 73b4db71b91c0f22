"""Quality audits: choosing or sampling signed records, completing the checklist, grading, roll-up."""

from datetime import date

import pytest
import sqlalchemy as sa

from supervision.audit.models import AuditEvent
from supervision.extensions import db
from supervision.records.models import SupervisionRecord
from supervision.reports.checklist import CHECKLIST_KEYS
from supervision.reports.models import Answer, Grade, QualityAudit
from tests.factories import make_record
from tests.reports.conftest import held
from tests.reports.helpers import rows_by_name, summary_figures, table_rows, visible_text

ALL_YES = {key: "yes" for key in CHECKLIST_KEYS}


def audit_count() -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(QualityAudit))


def listed_records(page) -> list[tuple[str, str]]:
    return [(row[1], row[0]) for row in table_rows(page, "records")]


def test_the_latest_signed_unaudited_records_of_the_managers_teams_are_listed(pages, org):
    make_record(org.eve, org.tess, held_on=date(2026, 11, 20))  # not signed: not offered
    pages.sign_in(org.hana)

    page = pages.get("quality_audits.choose", team="")

    assert listed_records(page) == [
        ("Eve Evans", "26 October 2026"),
        ("Alice Adams", "5 October 2026"),
        ("Eve Evans", "28 September 2026"),
        ("Alice Adams", "7 September 2026"),
        ("Dev Dutta", "3 August 2026"),
        ("Alice Adams", "20 July 2026"),
        ("Alice Adams", "22 June 2026"),
    ]  # Bob's record is audited already; Finn is in another service


def test_a_random_sample_comes_from_the_chosen_team_only(pages, org):
    pages.sign_in(org.hana)
    eligible = {
        ("Alice Adams", "5 October 2026"),
        ("Alice Adams", "7 September 2026"),
        ("Dev Dutta", "3 August 2026"),
        ("Alice Adams", "20 July 2026"),
        ("Alice Adams", "22 June 2026"),
    }

    sample = listed_records(pages.get("quality_audits.choose", team=org.team_a.id, sample=3))
    everything = listed_records(pages.get("quality_audits.choose", team=org.team_a.id, sample=20))

    assert len(sample) == 3 and len(set(sample)) == 3
    assert set(sample) <= eligible
    assert set(everything) == eligible
    assert (
        "A random sample of 3 records"
        in pages.get("quality_audits.choose", team=org.team_a.id, sample=3).get_text()
    )


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("sample", "7", "Choose a sample size from the list"),
        ("team", "999999", "Choose a team from the list"),
    ],
)
def test_choices_not_on_the_list_are_explained(pages, org, field, value, message):
    pages.sign_in(org.hana)

    page = pages.get("quality_audits.choose", **{field: value})

    assert message in page.find(class_="govuk-error-summary").get_text()
    assert page.find("table", id="records") is None


def test_the_audit_form_shows_what_the_system_found_for_each_question(pages, org):
    pages.sign_in(org.hana)

    page = pages.get("quality_audits.audit_record", record_id=org.alice_october.id)

    hints = [hint.get_text(strip=True) for hint in page.find_all(class_="govuk-hint")]
    found = "What the system found: "
    assert found + "An agreement was in force, but it has not been signed by both people." in hints
    assert "What the system found: The session was held on or before its due date." in hints
    assert "What the system found: The reflection section is blank." in hints
    assert "What the system found: No cases were discussed." in hints
    assert "What the system found: Only the supervisor has signed." in hints
    assert page.find("a", href=f"/records/{org.alice_october.id}")


def test_a_session_held_late_is_shown_as_late(pages, org):
    pages.sign_in(org.hana)

    page = pages.get("quality_audits.audit_record", record_id=org.alice_september.id)

    assert "The session was held after its due date had passed." in page.get_text()


def test_an_audit_is_saved_with_its_audit_log_entry_and_counts_in_the_report(pages, org):
    pages.sign_in(org.hana)

    response = pages.post(
        "quality_audits.audit_record",
        {**ALL_YES, "reflection_evident": "no", "grade": "requires_improvement", "comments": "Thin."},
        record_id=org.alice_september.id,
    )

    audit = db.session.scalar(sa.select(QualityAudit).where(QualityAudit.record_id == org.alice_september.id))
    assert response.location == f"/quality-audits/{audit.id}"
    assert (audit.grade, audit.reflection_evident, audit.agenda_set) == (
        Grade.REQUIRES_IMPROVEMENT,
        Answer.NO,
        Answer.YES,
    )
    assert audit.auditor_id == org.hana.id
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.object_type == "quality_audit"))
    assert (event.actor_id, event.action, event.object_id) == (org.hana.id, "create", audit.id)
    page = pages.get("quality_audits.audit", audit_id=audit.id)
    assert "Quality audit: Requires improvement" in page.h1.get_text()
    grades = rows_by_name(pages.get("reports.oversight_team", team_id=org.team_a.id), "audit-grades")
    assert grades["Assessment A (all)"]["Requires improvement"] == "1"
    assert grades["Assessment A (all)"]["Audits"] == "2"
    figures = summary_figures(pages.get("reports.oversight_team", team_id=org.team_a.id))
    assert figures["Audited records good or better"] == "50% 1 of 2"


def test_missing_answers_are_each_named_and_nothing_is_saved(pages, org):
    pages.sign_in(org.hana)

    page = pages.post(
        "quality_audits.audit_record",
        {"agenda_set": "yes"},
        _expected_status=200,
        record_id=org.alice_september.id,
    )

    summary = page.find(class_="govuk-error-summary").get_text()
    assert "Answer the question: Was a signed supervision agreement on file?" in summary
    assert "Choose a grade" in summary
    assert "Answer the question: Was there an agenda?" not in summary
    assert audit_count() == 1  # only the fixture's audit of Bob's record


def test_not_applicable_is_refused_where_it_cannot_apply(pages, org):
    pages.sign_in(org.hana)

    page = pages.post(
        "quality_audits.audit_record",
        {**ALL_YES, "both_signed": "not_applicable", "grade": "good"},
        _expected_status=200,
        record_id=org.alice_september.id,
    )

    assert (
        "Answer the question: Did the supervisor and the supervisee both sign the record?"
        in page.find(class_="govuk-error-summary").get_text()
    )
    assert audit_count() == 1


def test_not_applicable_is_accepted_where_it_can_apply(pages, org):
    pages.sign_in(org.hana)

    pages.post(
        "quality_audits.audit_record",
        {**ALL_YES, "previous_actions_reviewed": "not_applicable", "grade": "outstanding"},
        record_id=org.alice_september.id,
    )

    assert audit_count() == 2


def test_a_record_is_audited_once(pages, org):
    pages.sign_in(org.hana)

    again = pages.get("quality_audits.audit_record", _expected_status=302, record_id=org.bob_record.id)
    page = pages.post(
        "quality_audits.audit_record",
        {**ALL_YES, "grade": "inadequate"},
        _expected_status=200,
        record_id=org.bob_record.id,
    )

    assert again is not None
    assert "This record has already been audited" in page.find(class_="govuk-error-summary").get_text()
    assert audit_count() == 1


def test_an_unsigned_record_cannot_be_audited(pages, org):
    draft = held(org.sam, org.alice, date(2026, 11, 16))
    pages.sign_in(org.hana)

    page = pages.get("quality_audits.audit_record", record_id=draft.id)
    refused = pages.post(
        "quality_audits.audit_record", {**ALL_YES, "grade": "good"}, _expected_status=200, record_id=draft.id
    )

    assert "cannot be audited until the supervisor has signed it" in page.get_text()
    assert "cannot be audited until the supervisor has signed it" in refused.get_text()
    assert audit_count() == 1


def test_records_and_audits_outside_the_managers_services_are_not_found(pages, org):
    finn_record = db.session.scalar(
        sa.select(SupervisionRecord).where(SupervisionRecord.supervisee_id == org.finn.id)
    )
    bob_audit = db.session.scalar(sa.select(QualityAudit))
    pages.sign_in(org.olive)

    pages.get("quality_audits.audit_record", _expected_status=404, record_id=org.alice_september.id)
    pages.post(
        "quality_audits.audit_record",
        {**ALL_YES, "grade": "good"},
        _expected_status=404,
        record_id=org.alice_september.id,
    )
    pages.get("quality_audits.audit", _expected_status=404, audit_id=bob_audit.id)
    assert pages.get("quality_audits.audit_record", record_id=finn_record.id).h1.get_text() == (
        "Audit a supervision record"
    )
    assert "Bob Brown" not in pages.get("quality_audits.index").get_text()
    assert audit_count() == 1


def test_the_audit_list_shows_the_managers_audits(pages, org):
    pages.sign_in(org.hana)

    page = pages.get("quality_audits.index")

    body = page.find("table").tbody
    rows = [[visible_text(cell) for cell in row.find_all("td")] for row in body.find_all("tr")]
    assert rows == [["20 November 2026", "Bob Brown", "Assessment A", "26 October 2026", "Good", "Hana Head"]]
