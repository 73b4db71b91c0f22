"""Who may open which report: supervisors the dashboard, service managers their own services, HR none."""

import pytest
from flask import url_for

REPORT_PAGES = [
    ("reports.oversight", {}),
    ("reports.export_oversight", {"file_format": "csv"}),
    ("quality_audits.index", {}),
    ("quality_audits.choose", {}),
]


def unit_pages(org):
    return [
        ("reports.oversight_service", {"service_id": org.assessment.id}),
        ("reports.oversight_team", {"team_id": org.team_a.id}),
        ("reports.oversight_person", {"person_id": org.alice.id}),
        ("reports.export_oversight_service", {"service_id": org.assessment.id, "file_format": "xlsx"}),
        ("reports.export_oversight_team", {"team_id": org.team_a.id, "file_format": "csv"}),
        ("reports.export_oversight_person", {"person_id": org.alice.id, "file_format": "csv"}),
        ("reports.evidence_pack_service", {"service_id": org.assessment.id}),
        ("reports.evidence_pack_team", {"team_id": org.team_a.id}),
        ("quality_audits.audit_record", {"record_id": org.alice_september.id}),
    ]


DASHBOARD = [
    ("reports.team_dashboard", {}),
    ("reports.export_team_dashboard", {"file_format": "csv"}),
    ("reports.export_team_dashboard", {"file_format": "xlsx"}),
]


@pytest.mark.parametrize("who", ["hr", "admin", "alice"])
def test_hr_administrators_and_social_workers_are_refused_every_report(pages, org, who):
    pages.sign_in(getattr(org, who))

    for endpoint, values in [*REPORT_PAGES, *unit_pages(org), *DASHBOARD]:
        pages.get(endpoint, _expected_status=403, **values)


def status_of(client, endpoint, values) -> int:
    return client.get(url_for(endpoint, **values)).status_code


def test_a_supervisor_gets_the_dashboard_but_not_the_oversight_report_or_audits(pages, client, org):
    pages.sign_in(org.sam)

    assert {status_of(client, endpoint, values) for endpoint, values in DASHBOARD} == {200}
    for endpoint, values in [*REPORT_PAGES, *unit_pages(org)]:
        pages.get(endpoint, _expected_status=403, **values)


def test_a_service_manager_opens_every_page_of_their_own_services(pages, client, org):
    pages.sign_in(org.hana)

    pages_and_files = [*REPORT_PAGES, *unit_pages(org), *DASHBOARD]
    assert {status_of(client, endpoint, values) for endpoint, values in pages_and_files} == {200}


def test_another_service_manager_gets_not_found_for_every_unit_of_hanas(pages, org):
    pages.sign_in(org.olive)

    for endpoint, values in unit_pages(org):
        pages.get(endpoint, _expected_status=404, **values)
    pages.get("reports.oversight_team", _expected_status=404, team_id=987654)
    pages.get("reports.oversight_person", _expected_status=404, person_id=987654)


def test_a_foreign_unit_is_not_found_even_with_a_bad_period(pages, org):
    pages.sign_in(org.olive)

    pages.get(
        "reports.oversight_team",
        _expected_status=404,
        team_id=org.team_a.id,
        from_month="2026-10",
        to_month="2026-09",
    )


def test_a_person_without_a_team_is_not_in_any_report(pages, org):
    pages.sign_in(org.hana)

    pages.get("reports.oversight_person", _expected_status=404, person_id=org.sam.id)


def test_signed_out_people_are_sent_to_sign_in(client, org):
    response = client.get("/oversight")

    assert response.status_code == 302
    assert response.location.startswith("/sign-in")


def test_navigation_shows_each_role_its_report_entries(pages, org):
    def entries(person) -> set[str]:
        pages.client.post("/sign-out")
        pages.sign_in(person)
        page = pages.get("home.index")
        return {link.get_text(strip=True) for link in page.select(".govuk-service-navigation__link")}

    wanted = {"Team dashboard", "Oversight", "Quality audits"}
    assert entries(org.hana) & wanted == wanted
    assert entries(org.sam) & wanted == {"Team dashboard"}
    assert entries(org.hr) & wanted == set()
    assert entries(org.alice) & wanted == set()
