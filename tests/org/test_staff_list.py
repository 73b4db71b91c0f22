"""The staff list: search, filters, GOV.UK pagination at 50 a page, and a fixed number of queries."""

from contextlib import contextmanager
from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from supervision.extensions import db
from supervision.org.models import CareerStage, Role
from supervision.org.views import page_numbers
from tests.factories import make_service, make_staff, make_team
from tests.replay import replayed

pytestmark = pytest.mark.usefixtures("admin")


def listed(soup) -> list[str]:
    """Names in the table, in order ("Family, Given")."""
    return [link.get_text(strip=True) for link in soup.select("main tbody tr td:first-child a")]


@pytest.fixture
@replayed
def people():
    early_help = make_service("Early Help")
    assessment = make_service("Assessment")
    family_support = make_team("Family Support", service=early_help)
    duty = make_team("Duty", service=assessment)
    return {
        "okafor": make_staff(
            Role.SOCIAL_WORKER,
            given_name="Sam",
            family_name="Okafor",
            email="sam.okafor@example.test",
            employee_number="E1001",
            team=family_support,
            career_stage=CareerStage.ASYE,
        ),
        "byrne": make_staff(
            Role.SUPERVISOR,
            Role.SOCIAL_WORKER,
            given_name="Niamh",
            family_name="Byrne",
            email="n.byrne@example.test",
            employee_number="X2002",
            team=duty,
            career_stage=CareerStage.MANAGER,
        ),
        "left": make_staff(
            Role.SOCIAL_WORKER,
            given_name="Olu",
            family_name="Adeyemi",
            email="olu@example.test",
            team=duty,
            start_date=date(2019, 1, 1),
            end_date=date(2026, 6, 30),
        ),
        "deactivated": make_staff(
            Role.HR, given_name="Dee", family_name="Activated", email="dee@example.test", active=False
        ),
        "teams": (family_support, duty),
        "services": (early_help, assessment),
    }


def test_everyone_in_the_organisation_is_listed_by_family_name(pages, people, clock):
    soup = pages.get("org.staff_list")
    assert listed(soup) == [
        "Activated, Dee",
        "Adeyemi, Olu",
        "Admin, Ada",
        "Byrne, Niamh",
        "Okafor, Sam",
    ]
    row = soup.select("main tbody tr")[3]
    cells = [cell.get_text(" ", strip=True) for cell in row.select("td")]
    assert cells == [
        "Byrne, Niamh n.byrne@example.test",
        "X2002",
        "Duty Assessment",
        "Social worker, Supervisor",
        "Active",
    ]


def test_the_status_column_tells_leavers_and_deactivated_people_apart(pages, people, clock):
    soup = pages.get("org.staff_list")
    statuses = {
        row.select_one("td a").get_text(strip=True): row.select("td")[-1].get_text(strip=True)
        for row in soup.select("main tbody tr")
    }
    assert statuses["Adeyemi, Olu"] == "Left"
    assert statuses["Activated, Dee"] == "Deactivated"
    assert statuses["Okafor, Sam"] == "Active"


@pytest.mark.parametrize(
    ("search", "expected"),
    [
        ("okafor", ["Okafor, Sam"]),
        ("SAM OKAFOR", ["Okafor, Sam"]),
        ("okafor sam", ["Okafor, Sam"]),
        ("N.BYRNE@EXAMPLE", ["Byrne, Niamh"]),
        ("x2002", ["Byrne, Niamh"]),
        ("e100", ["Okafor, Sam"]),
        ("  niamh  ", ["Byrne, Niamh"]),
        ("nobody-by-that-name", []),
        ("%", []),
        ("_", []),
    ],
)
def test_search_matches_name_email_or_employee_number_in_any_case(pages, people, search, expected):
    soup = pages.get("org.staff_list", search=search)
    assert listed(soup) == expected
    assert soup.select_one("#search")["value"] == search.strip()


def test_a_search_with_no_results_says_so(pages, people):
    text = pages.get("org.staff_list", search="zzz").get_text(" ", strip=True)
    assert "No staff found. Try other words or fewer filters." in text


def test_filter_by_service(pages, people):
    early_help, assessment = people["services"]
    assert listed(pages.get("org.staff_list", service=early_help.id)) == ["Okafor, Sam"]
    assert listed(pages.get("org.staff_list", service=assessment.id)) == ["Adeyemi, Olu", "Byrne, Niamh"]


def test_filter_by_team(pages, people):
    family_support, duty = people["teams"]
    assert listed(pages.get("org.staff_list", team=family_support.id)) == ["Okafor, Sam"]
    assert listed(pages.get("org.staff_list", team=duty.id)) == ["Adeyemi, Olu", "Byrne, Niamh"]


def test_filter_by_role(pages, people):
    assert listed(pages.get("org.staff_list", role="supervisor")) == ["Byrne, Niamh"]
    assert listed(pages.get("org.staff_list", role="admin")) == ["Admin, Ada"]
    assert listed(pages.get("org.staff_list", role="social_worker")) == [
        "Adeyemi, Olu",
        "Byrne, Niamh",
        "Okafor, Sam",
    ]


def test_filter_by_career_stage(pages, people):
    assert listed(pages.get("org.staff_list", career_stage="asye")) == ["Okafor, Sam"]
    assert listed(pages.get("org.staff_list", career_stage="manager")) == ["Byrne, Niamh"]


def test_filter_by_active_or_left(pages, people, clock):
    assert listed(pages.get("org.staff_list", status="active")) == [
        "Admin, Ada",
        "Byrne, Niamh",
        "Okafor, Sam",
    ]
    assert listed(pages.get("org.staff_list", status="left")) == ["Activated, Dee", "Adeyemi, Olu"]


def test_someone_is_active_until_the_end_of_their_last_day(pages, people, clock):
    people["okafor"].end_date = clock.today()
    db.session.commit()
    assert "Okafor, Sam" in listed(pages.get("org.staff_list", status="active"))
    people["okafor"].end_date = clock.today() - timedelta(days=1)
    db.session.commit()
    assert "Okafor, Sam" in listed(pages.get("org.staff_list", status="left"))


def test_filters_combine_and_the_form_remembers_them(pages, people):
    _, duty = people["teams"]
    soup = pages.get("org.staff_list", team=duty.id, role="social_worker", status="active", search="byrne")
    assert listed(soup) == ["Byrne, Niamh"]
    assert soup.select_one("#team option[selected]")["value"] == str(duty.id)
    assert soup.select_one("#role option[selected]")["value"] == "social_worker"
    assert soup.select_one("#status option[selected]")["value"] == "active"
    assert soup.find("a", string="Clear search and filters") is not None


@pytest.mark.parametrize(
    "args", [{"team": "abc"}, {"role": "emperor"}, {"status": "gone"}, {"career_stage": "x"}, {"page": "abc"}]
)
def test_a_hand_edited_filter_is_ignored_rather_than_an_error(pages, people, args):
    assert len(listed(pages.get("org.staff_list", **args))) == 5


def test_another_organisations_staff_are_never_listed(pages, people):
    from tests.org.conftest import move_to_other_organisation

    move_to_other_organisation(people["okafor"])
    assert "Okafor, Sam" not in listed(pages.get("org.staff_list"))
    assert listed(pages.get("org.staff_list", search="okafor")) == []


def make_many(number: int, **fields) -> None:
    for index in range(number):
        make_staff(given_name="Person", family_name=f"P{index:03d}", **fields)


def test_fifty_people_a_page_with_govuk_pagination(pages):
    make_many(150)  # 151 with the admin: four pages, the last with one person
    first = pages.get("org.staff_list")
    assert len(listed(first)) == 50
    assert "Showing 1 to 50 of 151 staff" in first.get_text(" ", strip=True)
    nav = first.select_one("nav.govuk-pagination")
    assert [item.get_text(strip=True) for item in nav.select(".govuk-pagination__item")] == [
        "1",
        "2",
        "⋯",
        "4",
    ]
    assert nav.select_one("[aria-current=page]").get_text(strip=True) == "1"
    assert nav.select_one(".govuk-pagination__prev") is None
    assert nav.select_one(".govuk-pagination__next a")["href"] == "/staff?page=2"

    assert listed(pages.get("org.staff_list", page=2))[0] == "P049, Person"

    last = pages.get("org.staff_list", page=4)
    assert listed(last) == ["P149, Person"]
    assert "Showing 151 to 151 of 151 staff" in last.get_text(" ", strip=True)
    nav = last.select_one("nav.govuk-pagination")
    assert [item.get_text(strip=True) for item in nav.select(".govuk-pagination__item")] == [
        "1",
        "⋯",
        "3",
        "4",
    ]
    assert nav.select_one(".govuk-pagination__prev a")["href"] == "/staff?page=3"
    assert nav.select_one(".govuk-pagination__next") is None


def test_pagination_keeps_the_search_and_filters(pages):
    make_many(60, career_stage=CareerStage.ASYE)
    soup = pages.get("org.staff_list", search="person", career_stage="asye")
    next_link = soup.select_one(".govuk-pagination__next a")["href"]
    assert next_link.startswith("/staff?")
    assert "search=person" in next_link and "career_stage=asye" in next_link and "page=2" in next_link


@pytest.mark.parametrize(
    ("page", "last_page", "expected"),
    [
        (1, 2, [1, 2]),
        (1, 7, [1, 2, None, 7]),
        (4, 7, [1, None, 3, 4, 5, None, 7]),
        (3, 7, [1, 2, 3, 4, None, 7]),
        (7, 7, [1, None, 6, 7]),
    ],
)
def test_long_lists_link_the_first_last_and_neighbouring_pages(page, last_page, expected):
    assert page_numbers(page, last_page) == expected


def test_a_page_past_the_end_shows_the_last_page(pages):
    make_many(59)
    assert len(listed(pages.get("org.staff_list", page=99))) == 10
    assert len(listed(pages.get("org.staff_list", page=-3))) == 50


@contextmanager
def counted_statements():
    statements: list[str] = []

    def count(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    sa.event.listen(db.engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", count)


def statements_for_staff_list(pages) -> int:
    with counted_statements() as statements:
        pages.get("org.staff_list")
    return len(statements)


def test_the_number_of_queries_does_not_grow_with_the_number_of_staff(pages):
    service = make_service()
    teams = [make_team(service=service), make_team(service=service)]
    for index in range(4):
        make_staff(Role.SOCIAL_WORKER, Role.SUPERVISOR, team=teams[index % 2])
    few = statements_for_staff_list(pages)  # 5 people

    other_service = make_service()
    more_teams = [make_team(service=other_service) for _ in range(3)]
    for index in range(35):
        make_staff(Role.SOCIAL_WORKER, team=more_teams[index % 3], line_manager=None)
    many = statements_for_staff_list(pages)  # 40 people, more teams and services

    assert few == many
    assert many <= 10
