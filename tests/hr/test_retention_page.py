"""The retention page and its exports, against the hand-worked workforce in the database."""

import csv
import io
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from supervision.agreements.models import FrequencyKind, SupervisionAgreement, SupervisionType
from supervision.extensions import db
from supervision.hr import services, tables
from supervision.hr import views as hr_views
from supervision.org.models import ContractType, Role
from supervision.records.models import SessionAttendee, SessionKind, SessionStatus, SupervisionSession
from tests.factories import make_service, make_staff, make_team
from tests.hr.conftest import counting_statements, seed_workforce, table_figures
from tests.html import parse_html
from tests.replay import replayed


@pytest.fixture
@replayed
def workforce(app):
    return seed_workforce()


def test_hr_see_every_figure_for_the_latest_census_year(pages, hr, workforce, clock):
    soup = pages.get("hr.retention")
    assert soup.find("p", class_="govuk-body-l").get_text(strip=True) == (
        "Registered social workers, 1 October 2025 to 30 September 2026."
    )
    in_post = table_figures(soup, "in-post")
    # N10 is not a registered social worker and N11 starts after the snapshot: neither counts.
    assert in_post["Test Council (whole organisation)"] == {
        "Headcount": "8",
        "FTE": "7.4",
        "Agency workers": "2",
        "Agency FTE": "1.5",
        "Agency rate": "16.9%",
        "Average caseload": "15.1",
    }
    # North's 5 would give South's 1 from Assessment's 6: withheld.
    assert in_post["North"]["Headcount"] == "withheld"
    assert in_post["Assessment"]["Headcount"] == "6"
    assert in_post["North"]["Agency rate"] == "fewer than 5"
    assert table_figures(soup, "vacancies")["Test Council (whole organisation)"] == {
        "Establishment FTE": "13",
        "Employed FTE in post": "7.4",
        "Vacant FTE": "6.6",
        "Vacancy rate": "50.8%",
    }
    # Assessment's starters (3) less the organisation's (3) would give "Not in a team"'s: withheld.
    assert table_figures(soup, "starters-and-leavers")["Assessment"] == {
        "Starters": "withheld",
        "Starters FTE": "withheld",
        "Leavers": "4",
        "Leavers FTE": "3",
        "Turnover rate": "55.6%",
    }
    # Counts of leavers follow the small-numbers rule at every level.
    assert table_figures(soup, "destination")["Test Council (whole organisation)"]["Not recorded"] == (
        "fewer than 5"
    )
    assert table_figures(soup, "length-of-service")["North"]["10 years or more"] == "fewer than 5"
    trend = soup.find("caption", string="Turnover and vacancy by month: Test Council").find_parent("table")
    march = next(row for row in trend.select("tbody tr") if row.th.get_text(strip=True) == "March 2026")
    # One leaver in March: the month's turnover is withheld; vacancy is about posts.
    assert [td.get_text(strip=True) for td in march.find_all("td")] == ["fewer than 5", "4.6", "35.4%"]


def agree_and_hold(supervisee, supervisor, agreed_on, held_on):
    """A 28-day agreement and individual sessions held on the days given."""
    now = datetime(2025, 1, 1, tzinfo=UTC)
    db.session.add(
        SupervisionAgreement(
            supervisee=supervisee,
            supervisor=supervisor,
            frequency_kind=FrequencyKind.INTERVAL,
            interval_days=28,
            minimum_duration_minutes=90,
            supervision_type=SupervisionType.INDIVIDUAL,
            agreed_on=agreed_on,
            review_due_on=agreed_on + timedelta(days=365),
            created_at=now,
            updated_at=now,
        )
    )
    for day in held_on:
        db.session.add(
            SupervisionSession(
                supervisor=supervisor,
                kind=SessionKind.INDIVIDUAL,
                scheduled_start=datetime.combine(day, datetime.min.time(), tzinfo=UTC),
                duration_minutes=90,
                status=SessionStatus.HELD,
                held_on=day,
                created_at=now,
                updated_at=now,
                attendees=[SessionAttendee(supervisee=supervisee)],
            )
        )
    db.session.commit()


def test_supervision_before_leaving_is_compared_with_staff_who_stayed(pages, hr, workforce, clock):
    manager = make_staff(Role.SUPERVISOR)
    # N7 left on 31 March 2026; window 1 October 2025 to 31 March 2026. Intervals closed in it:
    # met 15 Oct, missed 12 Nov, missed 10 Dec, met late 20 Dec, met 10 Jan, missed 7 Feb, met
    # late 1 Mar, missed 29 Mar: 2 of 8 on time.
    agree_and_hold(
        workforce["N7"],
        manager,
        date(2025, 9, 1),
        [date(2025, 9, 20), date(2025, 10, 15), date(2025, 12, 20), date(2026, 1, 10), date(2026, 3, 1)],
    )
    # N1 stayed; window 31 March to 30 September 2026: a session every 28 days, 6 of 6 met.
    agree_and_hold(
        workforce["N1"],
        manager,
        date(2026, 3, 2),
        [date(2026, 3, 2) + timedelta(days=28 * n) for n in range(1, 8)],
    )
    # Nobody else has an agreement, so nobody else is counted.
    figures = table_figures(pages.get("hr.retention"), "supervision")
    assert figures["Test Council (whole organisation)"] == {
        # One leaver's supervision is never shown, at any level.
        "Leavers with a supervision requirement": "fewer than 5",
        "Leavers: intervals met in their last 6 months": "fewer than 5",
        "Staff who stayed, with a requirement": "1",
        "Staff who stayed: intervals met in the 6 months to the snapshot": "100%",
    }
    assert set(figures["North"].values()) == {"fewer than 5"}
    assert figures["Care"]["Leavers: intervals met in their last 6 months"] == "fewer than 5"


def test_hr_choose_another_snapshot_date(pages, hr, workforce, clock):
    soup = pages.get("hr.retention", snapshot_date=["31", "3", "2026"])
    assert "Registered social workers, on 31 March 2026." in soup.find("p", class_="govuk-body-l").get_text()
    # Not a census date: figures in post only, and the page says why.
    assert [h["id"] for h in soup.select("h2.govuk-heading-m[id]")] == [
        "in-post",
        "vacancies",
        "monthly-trend",
    ]
    assert "given for census dates (30 September) only" in soup.find(id="flows-not-shown").get_text()
    # In post on 31 March 2026: N1-N5, N8, S1-S3, C1, X1 (N7 left that day, C3 in February)
    assert table_figures(soup, "in-post")["Test Council (whole organisation)"]["Headcount"] == "11"
    links = [a["href"] for a in soup.select("a.govuk-link") if "export" in a["href"]]
    assert all("snapshot_date=31&snapshot_date=3&snapshot_date=2026" in href for href in links)


@pytest.mark.parametrize(
    ("parts", "message"),
    [
        (["31", "2", "2026"], "Snapshot date must be a real date"),
        (["1", "1", "2027"], "Snapshot date must be today or in the past: the latest is 31 October 2026"),
        (["", "9", "2026"], "Snapshot date must include a day"),
        (["30", "9", "1999"], "Snapshot date must be on or after 31 January 2000"),
        (
            ["27", "9", "2026"],
            "Snapshot date must be the last day of a month, for example 30 9 2026 or 31 8 2026 "
            "(the latest is 31 October 2026)",
        ),
    ],
)
def test_a_bad_snapshot_date_is_explained_and_the_latest_census_year_shown(pages, hr, clock, parts, message):
    soup = pages.get("hr.retention", snapshot_date=parts)
    assert soup.title.get_text().startswith("Error: Retention")
    summary = soup.select_one(".govuk-error-summary")
    assert [a.get_text(strip=True) for a in summary.select("a")] == [message]
    assert summary.select_one("a")["href"] == "#snapshot_date-day"
    assert "1 October 2025 to 30 September 2026" in soup.find("p", class_="govuk-body-l").get_text()


def test_the_csv_export_has_the_period_the_time_made_and_the_same_withheld_cells(pages, hr, workforce, clock):
    response = pages.client.get("/retention/export.csv")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"] == 'attachment; filename="retention-2026-09-30.csv"'
    assert response.mimetype == "text/csv"
    text = response.get_data().decode("utf-8")
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert rows[1] == ["Period", "1 October 2025 to 30 September 2026"]
    assert rows[3] == ["Generated", "23 November 2026 at 09:00 (UK time)"]
    by_name = {}
    section = None
    for row in rows:
        if len(row) == 1 and row[0]:
            section = row[0]
        elif len(row) > 3 and row[0] in ("Organisation", "Service", "Team"):
            by_name[(section, row[2])] = row
    north = by_name[("Registered social workers in post on 30 September 2026", "North")]
    assert north == [
        "Team",
        "Assessment",
        "North",
        "withheld",  # Assessment's 6 minus North's would give South's 1
        "withheld",
        "fewer than 5",
        "fewer than 5",
        "fewer than 5",
        "withheld",
    ]
    organisation = by_name[("Starters and leavers, 1 October 2025 to 30 September 2026", "Test Council")]
    assert organisation == ["Organisation", "", "Test Council", "3", "2.1", "5", "4", "54.1%"]
    assert ["Month", "Turnover rate", "Vacant FTE", "Vacancy rate"] in rows


def test_the_xlsx_export_has_numbers_as_numbers_and_withheld_cells_as_words(pages, hr, workforce, clock):
    response = pages.client.get("/retention/export.xlsx", query_string={"snapshot_date": ["30", "9", "2026"]})
    assert response.status_code == 200
    assert response.headers["Content-Disposition"] == 'attachment; filename="retention-2026-09-30.xlsx"'
    workbook = load_workbook(io.BytesIO(response.data))
    about = {row[0].value: row[1].value for row in workbook["About"].iter_rows()}
    assert about["Period"] == "1 October 2025 to 30 September 2026"
    assert about["Generated"] == "23 November 2026 at 09:00 (UK time)"
    assert "fewer than 5" in about["Small numbers"]
    sheet = workbook[workbook.sheetnames[1]]
    assert sheet["A1"].value == "Registered social workers in post on 30 September 2026"
    rows = {row[2]: row for row in sheet.iter_rows(min_row=3, values_only=True)}
    assert rows["Test Council"] == ("Organisation", None, "Test Council", 8, 7.4, 2, 1.5, 0.169, 15.1)
    assert sheet["H3"].number_format == "0.0%"
    assert rows["North"][3:] == (
        "withheld",
        "withheld",
        "fewer than 5",
        "fewer than 5",
        "fewer than 5",
        "withheld",
    )
    assert workbook.sheetnames == [
        "About",
        "In post",
        "Vacancies",
        "Starters and leavers",
        "Length of service",
        "Destinations",
        "Supervision",
        "Trend Test Council",
        "Trend Assessment",
        "Trend Care",
    ]


def test_exports_write_names_that_look_like_formulas_as_text(pages, hr, clock):
    service = make_service('=HYPERLINK("http://example.test","x")')
    make_team("@SUM(A1)", service=service)
    csv_text = pages.client.get("/retention/export.csv").get_data().decode("utf-8")
    assert "'=HYPERLINK" in csv_text and "'@SUM(A1)" in csv_text
    assert ",=HYPERLINK" not in csv_text and ",@SUM" not in csv_text
    workbook = load_workbook(io.BytesIO(pages.client.get("/retention/export.xlsx").data))
    values = [cell for row in workbook[workbook.sheetnames[1]].iter_rows(values_only=True) for cell in row]
    assert "'@SUM(A1)" in values
    assert not any(isinstance(value, str) and value.startswith(("=", "@")) for value in values)


def test_a_large_organisations_page_lists_services_and_the_teams_of_one_service_at_a_time(
    pages, hr, workforce, clock, monkeypatch
):
    monkeypatch.setattr(hr_views, "TEAMS_ON_ONE_PAGE", 2)  # the workforce has 3 teams
    soup = pages.get("hr.retention")
    assert "has 3 teams, so the tables show the organisation and each service" in soup.find(
        id="teams-shown"
    ).get_text(" ", strip=True)
    in_post = table_figures(soup, "in-post")
    # People in no team belong to no service: their row stays.
    assert list(in_post) == ["Test Council (whole organisation)", "Assessment", "Care", "Not in a team"]
    assert in_post["Assessment"]["Headcount"] == "6"
    captions = [caption.get_text(strip=True) for caption in soup.select("caption.govuk-table__caption--s")]
    assert captions == ["Turnover and vacancy by month: Test Council"]

    link = soup.find(id="in-post").find_next("table").find("a", string="Assessment")
    soup = parse_html(pages.client.get(link["href"]).get_data(as_text=True))
    assert "The tables show the teams of Assessment" in soup.find(id="teams-shown").get_text(" ", strip=True)
    in_post = table_figures(soup, "in-post")
    assert list(in_post) == [
        "Test Council (whole organisation)", "Assessment", "North", "South", "Care", "Not in a team",
    ]  # fmt: skip
    assert in_post["North"]["Headcount"] == "withheld"  # as in the downloads: worked out over every team
    captions = [caption.get_text(strip=True) for caption in soup.select("caption.govuk-table__caption--s")]
    assert captions == [
        "Turnover and vacancy by month: Test Council",
        "Turnover and vacancy by month: Assessment",
    ]

    pages.get("hr.retention", 404, service="999999")
    # The downloads keep every team.
    exported = pages.client.get("/retention/export.csv").get_data(as_text=True)
    assert all(team in exported for team in ("North", "South", "Care Leavers"))


def test_a_small_organisations_page_lists_every_team(pages, hr, workforce, clock):
    soup = pages.get("hr.retention", service="1")  # nothing to choose: the choice is ignored
    assert soup.find(id="teams-shown") is None
    assert list(table_figures(soup, "in-post")) == [
        "Test Council (whole organisation)", "Assessment", "North", "South",
        "Care", "Care Leavers", "Not in a team",
    ]  # fmt: skip


@pytest.mark.parametrize("role", [Role.ADMIN, Role.SERVICE_MANAGER, Role.SUPERVISOR, Role.SOCIAL_WORKER])
def test_only_hr_may_see_retention_figures(pages, role):
    pages.sign_in(make_staff(role))
    for endpoint in ("hr.retention", "hr.export_csv", "hr.export_xlsx", "hr.record_leaver"):
        pages.get(endpoint, _expected_status=403)


def test_signed_out_people_are_sent_to_sign_in(client):
    response = client.get("/retention")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/sign-in")


def test_the_navigation_offers_retention_to_hr_and_the_import_to_hr_and_admins(pages):
    pages.sign_in(make_staff(Role.HR, email="h@example.test"))
    labels = [
        a.get_text(strip=True) for a in pages.get("home.index").select(".govuk-service-navigation__link")
    ]
    assert "Retention" in labels and "Import staff" in labels
    pages.client.post("/sign-out")
    pages.sign_in(make_staff(Role.ADMIN, email="a@example.test"))
    labels = [
        a.get_text(strip=True) for a in pages.get("home.index").select(".govuk-service-navigation__link")
    ]
    assert "Retention" not in labels and "Import staff" in labels


def test_another_organisations_staff_never_appear(app, workforce, clock):
    from supervision.org.models import Organisation

    other = Organisation(name="Another Council")
    db.session.add(other)
    db.session.commit()
    service = make_service("Elsewhere")
    service.organisation = other
    db.session.commit()
    person = make_staff(team=make_team(service=service), registered_social_worker=True)
    person.organisation = other
    db.session.commit()
    report = services.retention_report(workforce["N1"].organisation_id, date(2026, 9, 30))
    assert report.organisation.in_post == 8
    assert [s.unit.name for s in report.services] == ["Assessment", "Care"]


def test_the_number_of_queries_does_not_grow_with_the_number_of_staff(pages, hr, workforce, clock):
    pages.get("hr.retention")  # warm up: the first request loads what every request loads
    # Both counted as the first request for their figures: the withholding is not yet kept by
    # this process, so each looks for the stored-figures job's decision (one statement).
    tables._decided.clear()
    with counting_statements() as small:
        pages.get("hr.retention")
    for number in range(3):
        team = make_team(f"Extra {number}", service=make_service(f"Extra service {number}"))
        for index in range(10):
            make_staff(
                team=team,
                registered_social_worker=True,
                contract_type=ContractType.AGENCY if index % 3 == 0 else ContractType.PERMANENT,
                caseload=index,
                fte=Decimal("0.5"),
                end_date=date(2026, 5, index + 1) if index % 4 == 0 else None,
            )
    tables._decided.clear()
    with counting_statements() as large:
        soup = pages.get("hr.retention")
    assert table_figures(soup, "in-post")["Test Council (whole organisation)"]["Headcount"] == "20"
    assert len(large) == len(small), "\n".join(large)
