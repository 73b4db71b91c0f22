"""The team dashboard: who is on it, what it says about them, sorting, filtering and the grid."""

from datetime import date

import pytest

from supervision.compliance.services import compliance_for
from tests.reports.conftest import TODAY, held
from tests.reports.helpers import rows_by_name, table_header, table_rows

COLUMNS = ["Days overdue", "Working days overdue", "Write-ups pending", "Overdue actions"]


def names(page) -> list[str]:
    return [row[0] for row in table_rows(page, "supervisees")]


def test_a_supervisor_sees_their_supervisees_and_team_with_todays_status(pages, org):
    pages.sign_in(org.sam)

    page = pages.get("reports.team_dashboard")

    rows = rows_by_name(page, "supervisees")
    assert set(rows) == {"Alice Adams", "Bob Brown", "Cara Cole", "Dev Dutta"}
    alice = rows["Alice Adams"]
    assert alice["Status"].startswith("Escalated")
    assert alice["Last held"] == "5 October 2026"
    assert alice["Next due"] == "2 November 2026"
    assert [alice[column] for column in COLUMNS] == ["21", "15", "0", "1"]
    assert rows["Bob Brown"]["Status"] == "Due soon"
    assert rows["Bob Brown"]["Next due"] == "23 November 2026"
    assert rows["Cara Cole"]["Status"] == "No agreement"
    assert rows["Cara Cole"]["Next due"] == "No agreement"
    assert rows["Cara Cole"]["Last held"] == "Never"
    assert rows["Dev Dutta"]["Status"] == "Paused"


def test_working_days_overdue_are_the_compliance_engines_beside_calendar_days(pages, org):
    """Escalation counts working days (2 to 23 November 2026: 21 calendar days, 15 working)."""
    pages.sign_in(org.sam)

    rows = rows_by_name(pages.get("reports.team_dashboard"), "supervisees")

    engine = compliance_for([org.alice.id], TODAY)[org.alice.id].supervision
    assert rows["Alice Adams"]["Days overdue"] == str(engine.days_overdue) == "21"
    assert rows["Alice Adams"]["Working days overdue"] == str(engine.working_days_overdue) == "15"
    assert rows["Bob Brown"]["Working days overdue"] == "0"


def test_every_status_is_the_compliance_engines(pages, org):
    pages.sign_in(org.hana)

    rows = rows_by_name(pages.get("reports.team_dashboard"), "supervisees")

    people = [org.alice, org.bob, org.cara, org.dev, org.eve]
    engine = compliance_for([person.id for person in people], TODAY)
    for person in people:
        assert rows[person.name]["Status"].startswith(engine[person.id].status.label)


def test_a_service_manager_sees_their_line_reports_and_every_team_in_their_services(pages, org):
    pages.sign_in(org.hana)

    page = pages.get("reports.team_dashboard")

    assert set(names(page)) == {
        "Alice Adams",
        "Bob Brown",
        "Cara Cole",
        "Dev Dutta",
        "Eve Evans",
        "Sam Supervisor",
        "Tess Teamlead",
    }


def test_another_supervisor_sees_only_their_own(pages, org):
    pages.sign_in(org.tess)

    assert names(pages.get("reports.team_dashboard")) == ["Eve Evans"]


def test_a_pending_write_up_is_counted(pages, org):
    held(org.tess, org.eve, date(2026, 11, 20))
    pages.sign_in(org.tess)

    rows = rows_by_name(pages.get("reports.team_dashboard"), "supervisees")

    assert rows["Eve Evans"]["Write-ups pending"] == "1"
    assert rows["Eve Evans"]["Last held"] == "20 November 2026"


def test_default_order_is_most_worrying_first(pages, org):
    pages.sign_in(org.sam)

    page = pages.get("reports.team_dashboard")

    assert names(page) == ["Alice Adams", "Cara Cole", "Bob Brown", "Dev Dutta"]
    status_header = page.find("table", id="supervisees").thead.find_all("th")[2]
    assert status_header["aria-sort"] == "descending"


@pytest.mark.parametrize(
    ("sort", "order", "expected"),
    [
        ("name", "ascending", ["Alice Adams", "Bob Brown", "Cara Cole", "Dev Dutta"]),
        ("name", "descending", ["Dev Dutta", "Cara Cole", "Bob Brown", "Alice Adams"]),
        ("last-held", "descending", ["Bob Brown", "Alice Adams", "Dev Dutta", "Cara Cole"]),
        ("next-due", "ascending", ["Alice Adams", "Bob Brown", "Dev Dutta", "Cara Cole"]),
        ("days-overdue", "descending", ["Alice Adams", "Bob Brown", "Cara Cole", "Dev Dutta"]),
        ("actions", "descending", ["Alice Adams", "Bob Brown", "Cara Cole", "Dev Dutta"]),
    ],
)
def test_any_column_sorts_both_ways(pages, org, sort, order, expected):
    pages.sign_in(org.sam)

    page = pages.get("reports.team_dashboard", sort=sort, order=order)

    assert names(page) == expected
    headers = page.find("table", id="supervisees").thead.find_all("th")
    assert [th["aria-sort"] for th in headers if th["aria-sort"] != "none"] == [order]


def test_an_unknown_sort_falls_back_to_the_default(pages, org):
    pages.sign_in(org.sam)

    page = pages.get("reports.team_dashboard", sort="salary", order="sideways")

    assert names(page) == ["Alice Adams", "Cara Cole", "Bob Brown", "Dev Dutta"]


def test_filters_by_status_and_by_team(pages, org):
    pages.sign_in(org.hana)

    assert names(pages.get("reports.team_dashboard", status="paused")) == ["Dev Dutta"]
    assert names(pages.get("reports.team_dashboard", team=org.team_b.id)) == ["Eve Evans"]
    nobody = pages.get("reports.team_dashboard", team=org.team_b.id, status="escalated")
    assert "Nobody matches these filters" in nobody.get_text()


@pytest.mark.parametrize("team", ["999999", "abc"])
def test_a_team_that_is_not_on_the_list_is_explained_not_an_error(pages, org, team):
    pages.sign_in(org.sam)

    page = pages.get("reports.team_dashboard", team=team)

    assert "Choose a team from the list" in page.find(class_="govuk-error-summary").get_text()
    assert len(names(page)) == 4


def test_a_foreign_team_is_not_offered_and_not_applied(pages, org):
    pages.sign_in(org.sam)

    page = pages.get("reports.team_dashboard", team=org.team_c.id)

    assert "Choose a team from the list" in page.find(class_="govuk-error-summary").get_text()
    assert "Finn Fox" not in page.get_text()


def test_names_link_to_the_persons_records_and_overdue_people_to_their_reasons(pages, org):
    pages.sign_in(org.sam)

    page = pages.get("reports.team_dashboard")

    table = page.find("table", id="supervisees")
    assert table.find("a", string="Alice Adams")["href"] == f"/people/{org.alice.id}/supervision"
    reasons = [link["href"] for link in table.find_all("a") if "Reason for the gap" in link.get_text()]
    assert reasons == [f"/people/{org.alice.id}/compliance"]


def test_the_staff_by_month_grid_shows_twelve_months_of_pattern(pages, org):
    pages.sign_in(org.sam)

    page = pages.get("reports.team_dashboard")

    header = table_header(page, "month-grid")
    assert header[0] == "Name" and len(header) == 13
    assert header[1] == "Dec 25" and header[-1] == "Nov 26"
    grid = {row[0]: row[1:] for row in table_rows(page, "month-grid")}
    assert [cell.split(": ")[1] for cell in grid["Alice Adams"][6:]] == [
        "Held on time",
        "Held on time",
        "Missed",
        "Held late",
        "Held on time",
        "Missed",
    ]
    assert grid["Dev Dutta"][-4:] == [
        "✓ August 2026: Held on time",
        "P September 2026: Paused",
        "P October 2026: Paused",
        "P November 2026: Paused",
    ]
    assert all(cell.endswith("No agreement or not in post") for cell in grid["Cara Cole"])


def test_nobody_on_the_dashboard_says_so(pages, org):
    from supervision.org.models import Role
    from tests.factories import make_staff

    pages.sign_in(make_staff(Role.SUPERVISOR))

    page = pages.get("reports.team_dashboard")

    assert "There is nobody on your dashboard" in page.get_text()


def test_without_the_grid_every_other_figure_is_the_dashboards(org):
    """The home page counts today's statuses from the dashboard worked out without its 12-month
    grid (supervision/to_do.py): each row's months are empty and nothing else differs."""
    from dataclasses import replace

    from supervision.reports.services import team_dashboard

    for viewer in (org.sam, org.hana, org.director):
        whole = team_dashboard(viewer, TODAY)
        counted = team_dashboard(viewer, TODAY, with_grid=False)
        assert whole.rows and all(len(row.figures.months) == 12 for row in whole.rows)
        assert [row.person.id for row in counted.rows] == [row.person.id for row in whole.rows]
        without_months = [replace(row.figures, months=()) for row in whole.rows]
        assert [row.figures for row in counted.rows] == without_months
