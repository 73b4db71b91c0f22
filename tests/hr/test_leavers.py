"""Recording a leaver on the page: the figures move, the person and their records stay."""

from datetime import date

import pytest
import sqlalchemy as sa

from supervision.extensions import db
from supervision.org.models import LeavingDestination, Staff
from tests.hr.conftest import seed_workforce, table_figures


@pytest.fixture
def workforce(app):
    return seed_workforce()


def leaver_form(**overrides):
    data = {
        "employee_number": "N1",
        "end_date": ["31", "8", "2026"],
        "leaving_reason": "Moving closer to family",
        "leaving_destination": "other_local_authority",
    }
    data.update(overrides)
    return data


def person(key: str) -> Staff:
    db.session.expire_all()
    return db.session.scalar(sa.select(Staff).where(Staff.employee_number == key))


def error_summary(soup):
    return [(a.get_text(strip=True), a["href"]) for a in soup.select(".govuk-error-summary a")]


def test_recording_a_leaver_updates_the_retention_figures(pages, hr, workforce, clock):
    before = table_figures(pages.get("hr.retention"), "starters-and-leavers")["Assessment"]
    assert (before["Leavers"], before["Leavers FTE"]) == ("4", "3")

    response = pages.post("hr.record_leaver", data=leaver_form(employee_number=" n1 "))
    assert response.headers["Location"] == "/retention"

    leaver = person("N1")
    assert (leaver.end_date, leaver.leaving_reason, leaver.leaving_destination) == (
        date(2026, 8, 31),
        "Moving closer to family",
        LeavingDestination.OTHER_LOCAL_AUTHORITY,
    )
    assert leaver.updated_at == clock.now()
    soup = pages.get("hr.retention")
    assert (
        "Leaver recorded: Person N1, last day 31 August 2026. "
        "The retention figures include them by the next hourly update."
        in soup.select_one(".govuk-notification-banner").text
    )
    after = table_figures(soup, "starters-and-leavers")
    assert (after["Assessment"]["Leavers"], after["Assessment"]["Leavers FTE"]) == ("5", "4")
    assert after["Assessment"]["Turnover rate"] == "90.9%"  # 4.0 / 4.4 in post
    assert after["Test Council (whole organisation)"]["Turnover rate"] == "78.1%"  # 5.0 / 6.4
    assert after["North"]["Leavers"] == "fewer than 5"  # 3 leavers in North now
    # Counts of leavers follow the small-numbers rule at every level: 2 of 6 leavers each.
    organisation = "Test Council (whole organisation)"
    assert table_figures(soup, "destination")[organisation]["Another local authority"] == "fewer than 5"
    assert table_figures(soup, "length-of-service")[organisation]["10 years or more"] == "fewer than 5"


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        ({"employee_number": ""}, [("Enter the employee number", "#employee_number")]),
        (
            {"employee_number": "NOBODY"},
            [("Enter the employee number of a member of staff", "#employee_number")],
        ),
        ({"end_date": ["", "", ""]}, [("Enter the last day of employment", "#end_date-day")]),
        (
            {"end_date": ["31", "2", "2026"]},
            [("Last day of employment must be a real date", "#end_date-day")],
        ),
        (
            {"end_date": ["31", "12", "2014"]},
            [("End date must be the same as or after the start date", "#end_date-day")],
        ),
        (
            {"leaving_reason": "x" * 201},
            [("Leaving reason must be 200 characters or fewer", "#leaving_reason")],
        ),
        (
            {"leaving_destination": "moon"},
            [("Choose a leaving destination from the list", "#leaving_destination")],
        ),
    ],
)
def test_a_leaver_with_a_mistake_is_refused_and_nothing_is_written(
    pages, hr, workforce, clock, overrides, expected
):
    soup = pages.post("hr.record_leaver", data=leaver_form(**overrides), _expected_status=200)
    assert soup.title.get_text().startswith("Error: Record a leaver")
    assert error_summary(soup) == expected
    assert person("N1").end_date is None


def test_another_organisations_employee_number_is_not_found(pages, hr, workforce, clock):
    from supervision.org.models import Organisation

    other = workforce["S1"]
    other.organisation = Organisation(name="Another Council")
    db.session.commit()
    soup = pages.post("hr.record_leaver", data=leaver_form(employee_number="S1"), _expected_status=200)
    assert error_summary(soup) == [("Enter the employee number of a member of staff", "#employee_number")]
    assert person("S1").end_date is None


def test_a_leavers_supervision_records_are_kept(pages, hr, workforce, clock):
    from tests.hr.supervision_seed import seed_supervision

    seeded = seed_supervision(supervisee=workforce["N2"], supervisor=workforce["N1"])
    pages.post("hr.record_leaver", data=leaver_form(employee_number="N2"))
    assert person("N2").end_date == date(2026, 8, 31)
    for model, row_id in seeded.ids.items():
        assert db.session.get(model, row_id) is not None, model.__name__
