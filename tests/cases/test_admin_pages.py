"""The administrators' case pages: the caseload import page and the oversight limits page."""

from __future__ import annotations

import io

import pytest
import sqlalchemy as sa

from supervision.audit.models import AuditEvent
from supervision.cases.models import CaseOversightLimit, ChildCase
from supervision.cases.rules import CaseCategory
from supervision.extensions import db
from supervision.org.models import Role
from tests.cases.import_factories import cases_file, make_limit
from tests.factories import make_organisation, make_service, make_staff, make_team

pytestmark = pytest.mark.usefixtures("clock")


@pytest.fixture
def admin(pages):
    make_staff(employee_number="E100", email="ann@example.test")
    person = make_staff(Role.ADMIN, email="admin@example.test")
    pages.sign_in(person)
    return person


def upload(pages, data: bytes, button: str = "import_file", expected: int = 302):
    response = pages.client.post(
        "/cases/import",
        data={"cases_file": (io.BytesIO(data), "cases.csv"), button: "yes"},
        content_type="multipart/form-data",
    )
    assert response.status_code == expected, response.get_data(as_text=True)[:3000]
    return response


def soup_of(response):
    from tests.html import parse_html

    return parse_html(response.get_data(as_text=True))


def count(model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def test_checking_a_file_shows_what_it_would_do_and_writes_nothing(pages, admin):
    soup = soup_of(upload(pages, cases_file("CP-1,E100,child_protection,2026-09-01,"), "check", 200))
    summary = {
        row.dt.get_text(strip=True): row.dd.get_text(strip=True)
        for row in soup.select(".govuk-summary-list__row")
    }
    assert summary["Cases to add"] == "1"
    assert count(ChildCase) == 0


def test_importing_a_file_through_the_page_writes_it_and_audits_it(pages, admin):
    response = upload(pages, cases_file("CP-1,E100,child_protection,2026-09-01,"))
    assert response.headers["Location"] == "/cases/import"
    assert count(ChildCase) == 1
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "import"))
    assert event.actor_id == admin.id
    soup = pages.get("case_admin.case_import")
    assert "Cases imported: 1 added" in soup.get_text()


def test_a_refused_file_lists_every_problem_by_row_and_column(pages, admin):
    soup = soup_of(upload(pages, cases_file("CP-1,E999,nope,2026-09-01,"), expected=200))
    rows = [
        [cell.get_text(strip=True) for cell in tr.select("td")]
        for tr in soup.select("#import-errors tbody tr")
    ]
    assert rows == [
        ["2", "worker", "Nobody in the organisation has the employee number E999"],
        [
            "2",
            "category",
            "Category must be one of: child_protection, child_in_need, child_in_care, care_leaver, "
            "early_help, other",
        ],
    ]
    assert "Nothing was imported" in soup.select_one(".govuk-error-summary").get_text()
    assert count(ChildCase) == 0


def test_an_unreadable_file_and_a_missing_file_are_refused_on_the_field(pages, admin):
    soup = soup_of(upload(pages, b"\xff\xfe\x00a", expected=200))
    assert "UTF-16" in soup.select_one(".govuk-error-summary").get_text()
    response = pages.client.post(
        "/cases/import", data={"import_file": "yes"}, content_type="multipart/form-data"
    )
    assert "Select a CSV file to upload" in soup_of(response).select_one(".govuk-error-summary").get_text()


@pytest.mark.parametrize(
    "roles", [(Role.HR,), (Role.SOCIAL_WORKER,), (Role.SUPERVISOR,), (Role.SERVICE_MANAGER,)]
)
def test_only_administrators_reach_the_case_pages(pages, roles):
    person = make_staff(*roles)
    pages.sign_in(person)
    for path in ("/cases/import", "/cases/import/example.csv", "/cases/oversight-limits"):
        assert pages.client.get(path).status_code == 403


def test_an_administrator_who_also_holds_the_hr_role_does_not_see_the_case_pages(pages):
    person = make_staff(Role.ADMIN, Role.HR)
    pages.sign_in(person)
    for path in ("/cases/import", "/cases/import/example.csv", "/cases/oversight-limits"):
        assert pages.client.get(path).status_code == 404
    # Nor is offered them: the menu links only to what they may open.
    menu = [link["href"] for link in pages.get("home.index").select(".govuk-service-navigation__list a")]
    assert "/cases/import" not in menu and "/cases/oversight-limits" not in menu
    assert "/staff" in menu  # an administrator's other entries are still there


def test_the_example_file_downloads(pages, admin):
    response = pages.client.get("/cases/import/example.csv")
    assert response.status_code == 200
    assert response.get_data(as_text=True).startswith(
        "case_reference,worker,category,allocated_date,closed_date"
    )


# --- the oversight limits page ---------------------------------------------------------------


def limits_form(**days) -> dict:
    return {category.value: str(days.get(category.value, "")) for category in CaseCategory}


def organisation_limits() -> dict:
    return dict(
        db.session.execute(
            sa.select(CaseOversightLimit.category, CaseOversightLimit.days).where(
                CaseOversightLimit.team_id.is_(None)
            )
        ).all()
    )


def test_the_limits_page_shows_the_defaults_and_saves_the_organisations_limits(pages, admin):
    soup = pages.get("case_admin.oversight_limits")
    assert "Leave blank for the default, 28 days." in soup.get_text()
    pages.post("case_admin.oversight_limits", limits_form(child_protection=21, other=60))
    assert organisation_limits() == {CaseCategory.CHILD_PROTECTION: 21, CaseCategory.OTHER: 60}
    pages.post("case_admin.oversight_limits", limits_form(child_protection=14))
    assert organisation_limits() == {CaseCategory.CHILD_PROTECTION: 14}
    actions = db.session.scalars(
        sa.select(AuditEvent.action)
        .where(AuditEvent.object_type == "case_oversight_limit")
        .order_by(AuditEvent.id)
    ).all()
    assert actions == ["create", "create", "update", "delete"]
    soup = pages.get("case_admin.oversight_limits")
    assert soup.select_one("#child_protection")["value"] == "14"


def test_limits_outside_their_range_are_all_shown_by_field_and_nothing_is_saved(pages, admin):
    soup = pages.post(
        "case_admin.oversight_limits",
        limits_form(child_protection=0, child_in_need=400, early_help="lots"),
        _expected_status=200,
    )
    errors = {a["href"]: a.get_text(strip=True) for a in soup.select(".govuk-error-summary a")}
    assert errors == {
        "#child_protection": "Child protection plan must be a whole number of days between 1 and 366",
        "#child_in_need": "Child in need must be a whole number of days between 1 and 366",
        "#early_help": "Early help (days) must be a whole number of days, like 28",
    }
    assert count(CaseOversightLimit) == 0


def test_a_team_override_is_added_changed_and_removed(pages, admin):
    team = make_team("North", service=make_service("Assessment"))
    soup = pages.get("case_admin.add_team_override")
    assert [o.get_text() for o in soup.select("#team_id option")] == ["Choose a team", "Assessment: North"]
    pages.post(
        "case_admin.add_team_override", {"team_id": str(team.id), "category": "child_in_need", "days": "30"}
    )
    limit = db.session.scalar(sa.select(CaseOversightLimit))
    assert (limit.team_id, limit.category, limit.days) == (team.id, CaseCategory.CHILD_IN_NEED, 30)
    soup = pages.post(
        "case_admin.add_team_override",
        {"team_id": str(team.id), "category": "child_in_need", "days": "0"},
        _expected_status=200,
    )
    errors = [a.get_text(strip=True) for a in soup.select(".govuk-error-summary a")]
    assert errors == [
        "North already has a limit for child in need: change that one instead",
        "Longest time without oversight must be a whole number of days between 1 and 366",
    ]
    for days, message in (
        ("0", "Longest time without oversight must be a whole number of days between 1 and 366"),
        ("lots", "Longest time without oversight (days) must be a whole number of days, like 28"),
        ("", "Enter longest time without oversight"),
    ):
        soup = pages.post(
            "case_admin.change_team_override", {"days": days}, _expected_status=200, limit_id=limit.id
        )
        assert [a.get_text(strip=True) for a in soup.select(".govuk-error-summary a")] == [message]
    pages.post("case_admin.change_team_override", {"days": "35"}, limit_id=limit.id)
    db.session.expire_all()
    assert db.session.get(CaseOversightLimit, limit.id).days == 35
    soup = pages.get("case_admin.oversight_limits")
    assert "Assessment: North" in soup.select_one("#team-overrides").get_text()
    pages.post("case_admin.remove_team_override", {}, limit_id=limit.id)
    assert count(CaseOversightLimit) == 0
    actions = db.session.scalars(sa.select(AuditEvent.action).order_by(AuditEvent.id)).all()
    assert actions[-3:] == ["create", "update", "delete"]


def test_another_organisations_team_and_override_are_not_found(pages, admin):
    other = make_organisation("Elsewhere Council")
    service = make_service("Far")
    service.organisation_id = other.id
    db.session.commit()
    far_team = make_team("Far team", service=service)
    far_limit = make_limit(CaseCategory.OTHER, 10, team=far_team)
    soup = pages.post(
        "case_admin.add_team_override",
        {"team_id": str(far_team.id), "category": "other", "days": "30"},
        _expected_status=200,
    )
    assert "Choose a team from the list" in soup.select_one(".govuk-error-summary").get_text()
    assert pages.client.get(f"/cases/oversight-limits/team-overrides/{far_limit.id}").status_code == 404
    assert (
        pages.client.post(f"/cases/oversight-limits/team-overrides/{far_limit.id}/remove").status_code == 404
    )
    assert count(CaseOversightLimit) == 1
