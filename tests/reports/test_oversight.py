"""The oversight report at every level, checked against the history in conftest.py worked out by hand."""

from datetime import date

import pytest
from flask import url_for

from supervision.extensions import db
from supervision.jobs.runs import run_job
from supervision.reports.figures import Period
from supervision.reports.forms import period_args
from supervision.stored_figures.freshness import as_at_text
from tests.reports.conftest import held
from tests.reports.helpers import rows_by_name, summary_figures, table_rows


def boxes(day: date) -> list[str]:
    return [str(day.day), str(day.month), str(day.year)]


TEAM_A = {
    "Staff in scope": "4",
    "Sessions held on time": "50% 2 of 4",
    "Overdue now": "1",
    "Escalated now": "1",
    "Without an agreement now": "1",
    "Longest gap (days)": "49",
    "Median days between sessions": "38.5",
    "Records signed on time": "67% 2 of 3",
    "Records complete at sign-off": "67% 2 of 3",
    "Overdue actions now": "1",
    "Cancellation rate": "25% 1 of 4",
    "Disagreements recorded": "1",
    "Gaps without a reason": "0",
    "Audited records good or better": "100% 1 of 1",
}
ASSESSMENT = {
    **TEAM_A,
    "Staff in scope": "5",
    "Sessions held on time": "67% 4 of 6",
    "Median days between sessions": "28",
    "Records signed on time": "80% 4 of 5",
    "Records complete at sign-off": "80% 4 of 5",
    "Cancellation rate": "17% 1 of 6",
}


def test_team_figures_match_the_hand_worked_history(pages, org):
    pages.sign_in(org.hana)

    page = pages.get("reports.oversight_team", team_id=org.team_a.id)

    assert summary_figures(page) == TEAM_A


def test_service_figures_pool_their_teams(pages, org):
    pages.sign_in(org.hana)

    page = pages.get("reports.oversight_service", service_id=org.assessment.id)

    assert summary_figures(page) == ASSESSMENT
    teams = rows_by_name(page, "by-team")
    assert list(teams) == ["Assessment A", "Assessment B"]
    assert teams["Assessment B"]["Sessions held on time"] == "100% 2 of 2"
    assert teams["Assessment B"]["Longest gap (days)"] == "28"
    assert teams["Assessment B"]["Cancellation rate"] == "0% 0 of 2"


def test_organisation_level_shows_only_the_services_the_manager_heads(pages, org):
    pages.sign_in(org.hana)

    page = pages.get("reports.oversight")

    assert summary_figures(page) == ASSESSMENT
    assert list(rows_by_name(page, "by-service")) == ["Assessment"]


def test_a_manager_above_a_head_of_service_oversees_that_service(pages, org):
    pages.sign_in(org.director)

    page = pages.get("reports.oversight")

    assert list(rows_by_name(page, "by-service")) == ["Assessment"]


def test_a_loop_in_the_line_management_chain_does_not_stop_the_report(pages, org):
    org.director.line_manager = org.hana
    db.session.commit()
    pages.sign_in(org.director)

    page = pages.get("reports.oversight")

    assert list(rows_by_name(page, "by-service")) == ["Assessment"]


def test_a_worker_page_shows_their_own_figures_grid_and_links_to_their_records(pages, org):
    pages.sign_in(org.hana)

    page = pages.get("reports.oversight_person", person_id=org.alice.id)

    figures = summary_figures(page)
    assert figures["Sessions held on time"] == "33% 1 of 3"
    assert figures["Records signed on time"] == "50% 1 of 2"
    assert figures["Cancellation rate"] == "33% 1 of 3"
    assert figures["Longest gap (days)"] == "49"
    hrefs = {link["href"] for link in page.find_all("a")}
    assert f"/people/{org.alice.id}/supervision" in hrefs
    assert f"/people/{org.alice.id}/compliance" in hrefs
    grid = table_rows(page, "month-grid")
    assert grid == [
        [
            "Alice Adams",
            *[f"– {month}: No agreement or not in post" for month in MONTHS_BEFORE_JUNE],
            "✓ June 2026: Held on time",
            "✓ July 2026: Held on time",
            "✗ August 2026: Missed",
            "L September 2026: Held late",
            "✓ October 2026: Held on time",
            "✗ November 2026: Missed",
        ]
    ]


SINCE_JUNE = ["June 2026", "July 2026", "August 2026", "September 2026", "October 2026", "November 2026"]
MONTHS_BEFORE_JUNE = [
    "December 2025",
    "January 2026",
    "February 2026",
    "March 2026",
    "April 2026",
    "May 2026",
]


def test_the_monthly_trend_has_twelve_months_of_hand_worked_figures(pages, org):
    pages.sign_in(org.hana)

    page = pages.get("reports.oversight_team", team_id=org.team_a.id)

    trend = {row[0]: row[1:] for row in table_rows(page, "trend")}
    assert list(trend) == [*MONTHS_BEFORE_JUNE, *SINCE_JUNE]
    # Staff in scope, sessions held on time, records signed on time, cancellation rate, ...
    assert trend["May 2026"][:2] == ["3", "No data"]
    assert trend["June 2026"][:2] == ["3", "100% 1 of 1"]
    assert trend["August 2026"][:2] == ["3", "50% 1 of 2"]  # Dev on time, Alice missed 17 August
    assert trend["October 2026"][:2] == ["4", "100% 2 of 2"]
    assert trend["November 2026"][:2] == ["4", "0% 0 of 1"]


def test_reasons_for_gaps_and_audit_grades(pages, org):
    pages.sign_in(org.hana)

    page = pages.get("reports.oversight_team", team_id=org.team_a.id)

    reasons = dict((row[0], row[1]) for row in table_rows(page, "reasons-for-gaps"))
    assert reasons["Workload pressures"] == "1"
    assert reasons["No reason recorded"] == "0"
    assert sum(int(count) for count in reasons.values()) == 1
    grades = rows_by_name(page, "audit-grades")
    assert grades["Assessment A (all)"]["Good"] == "1"
    assert grades["Bob Brown"]["Good"] == "1"
    assert grades["Alice Adams"]["Audits"] == "0"


def test_the_team_page_lists_workers_who_drill_down_to_their_page(pages, org):
    pages.sign_in(org.hana)

    page = pages.get("reports.oversight_team", team_id=org.team_a.id)

    workers = rows_by_name(page, "by-worker")
    assert list(workers) == ["Alice Adams", "Bob Brown", "Cara Cole", "Dev Dutta"]
    assert workers["Dev Dutta"]["Longest gap (days)"] == "6"  # 4-9 August, then on leave
    assert workers["Cara Cole"]["Without an agreement now"] == "1"
    assert workers["Bob Brown"]["Longest gap (days)"] == "28"
    link = page.find("table", id="by-worker").find("a", string="Alice Adams")
    assert link["href"].startswith(f"/oversight/people/{org.alice.id}?")
    assert "from_month=2026-09" in link["href"] and "to_month=2026-11" in link["href"]


def test_a_chosen_period_changes_the_figures(pages, org):
    pages.sign_in(org.hana)
    summer = Period(date(2026, 6, 1), date(2026, 8, 31))

    page = pages.get("reports.oversight_team", team_id=org.team_a.id, **period_args(summer))

    figures = summary_figures(page)
    # Alice: 22 June and 20 July met, 17 August missed; Dev: 3 August met.
    assert figures["Sessions held on time"] == "75% 3 of 4"
    assert figures["Staff in scope"] == "3"
    assert "1 June 2026 to 31 August 2026" in page.get_text()


@pytest.mark.parametrize(
    ("first", "last", "field", "message"),
    [
        ("2026-10", "2026-09", "to_month", "The end month must be the same as or after the start month"),
        ("2026-10", "2026-12", "to_month", "Choose the last month from the list"),  # not yet
        (
            "2024-11",
            "2026-11",
            "from_month",
            "Choose the first month from the list",
        ),  # before the kept months
        ("2025-01", "2025-10", "to_month", "Choose the last month from the list"),  # its trend is not kept
        ("10/2026", "2026-11", "from_month", "Choose the first month from the list"),
    ],
)
def test_a_bad_period_is_explained_and_no_figures_are_shown(pages, org, first, last, field, message):
    pages.sign_in(org.hana)

    page = pages.get("reports.oversight", from_month=first, to_month=last)

    assert page.title.get_text().startswith("Error: ")
    summary = page.find(class_="govuk-error-summary")
    assert message in summary.get_text()
    assert summary.find("a", string=message)["href"] == f"#{field}"
    assert page.find("table", id="figures") is None


def test_the_period_form_offers_whole_months_and_says_why(pages, org):
    pages.sign_in(org.hana)

    page = pages.get("reports.oversight")

    first = [option["value"] for option in page.find("select", id="from_month").find_all("option")]
    last = [option["value"] for option in page.find("select", id="to_month").find_all("option")]
    assert (first[0], first[-1], len(first)) == ("2026-11", "2024-12", 24)
    assert (last[0], last[-1], len(last)) == ("2026-11", "2025-12", 12)
    assert page.find("select", id="from_month").find("option", selected=True)["value"] == "2026-09"
    assert "Figures are kept for each month of the last two years" in page.find(id="period-hint").get_text()


def test_a_period_of_past_months_ends_at_the_last_month_and_the_month_in_progress_at_today(pages, org):
    pages.sign_in(org.hana)

    past = pages.get("reports.oversight", from_month="2026-06", to_month="2026-08")
    now = pages.get("reports.oversight", from_month="2026-10", to_month="2026-11")

    assert "1 June 2026 to 31 August 2026" in past.get_text()
    assert "1 October 2026 to 23 November 2026" in now.get_text()


def test_an_old_link_with_days_goes_to_the_months_it_covers(pages, org):
    pages.sign_in(org.hana)
    old = {"period_start": boxes(date(2026, 6, 1)), "period_end": boxes(date(2026, 8, 31))}

    page = pages.client.get(url_for("reports.oversight_team", team_id=org.team_a.id, **old))
    export = pages.client.get(
        url_for("reports.export_oversight_team", team_id=org.team_a.id, file_format="csv", **old)
    )
    odd_days = pages.client.get(
        url_for("reports.oversight", period_start=boxes(date(2026, 6, 3)), period_end=boxes(date(2026, 8, 4)))
    )
    unreadable = pages.client.get(url_for("reports.oversight", period_start=["1", "", "2026"]))
    beyond = pages.client.get(
        url_for("reports.oversight", period_start=["1", "1", "9" * 30], period_end=["1", "1", "2026"])
    )

    assert page.status_code == 302
    assert page.location == f"/oversight/teams/{org.team_a.id}?from_month=2026-06&to_month=2026-08"
    assert export.status_code == 302
    assert "from_month=2026-06&to_month=2026-08" in export.location
    assert odd_days.location == "/oversight?from_month=2026-06&to_month=2026-08"
    assert unreadable.location == beyond.location == "/oversight"


def test_someone_heading_no_service_sees_an_empty_report(pages, org):
    from supervision.org.models import Role
    from tests.factories import make_staff

    lonely = make_staff(Role.SERVICE_MANAGER, given_name="Lou", family_name="Lonely")
    pages.sign_in(lonely)

    page = pages.get("reports.oversight")

    assert "You do not head a service" in page.get_text()
    assert page.find("table", id="figures") is None


def test_figures_definitions_are_on_the_page(pages, org):
    from supervision.reports.tables import METRICS

    pages.sign_in(org.hana)

    page = pages.get("reports.oversight")

    details = page.find("details")
    assert details.summary.get_text(strip=True) == "How these figures are worked out"
    for metric in METRICS:
        assert metric.definition in details.get_text()


def test_charts_carry_a_text_summary_and_the_same_numbers_as_a_table(pages, org):
    pages.sign_in(org.hana)

    page = pages.get("reports.oversight_service", service_id=org.assessment.id)

    bar = page.find("figure", attrs={"aria-labelledby": "comparison-chart-caption"})
    assert bar.figcaption.get_text(strip=True) == (
        "Sessions held on time by team: highest Assessment B (100%), lowest Assessment A (50%)."
    )
    assert bar.svg["role"] == "img"
    assert bar.svg.desc.get_text() == bar.figcaption.get_text()
    trend = page.find("figure", attrs={"aria-labelledby": "trend-chart-caption"})
    assert "Sessions held on time in Assessment" in trend.figcaption.get_text()
    assert not page.find_all(attrs={"style": True})


def test_a_persons_trend_reads_as_theirs(pages, org):
    pages.sign_in(org.hana)
    page = pages.get("reports.oversight_person", person_id=org.alice.id)
    trend = page.find("figure", attrs={"aria-labelledby": "trend-chart-caption"})
    assert trend.figcaption.get_text(strip=True).startswith(f"{org.alice.name}'s sessions held on time ")


def test_a_team_with_nobody_in_scope_shows_no_data_rather_than_zero_percent(pages, org):
    from tests.factories import make_team

    empty = make_team("Assessment New", service=org.assessment)
    pages.sign_in(org.hana)

    figures = summary_figures(pages.get("reports.oversight_team", team_id=empty.id))

    assert figures["Staff in scope"] == "0"
    assert figures["Sessions held on time"] == "No data"
    assert figures["Longest gap (days)"] == "No data"
    assert figures["Median days between sessions"] == "No data"
    assert figures["Cancellation rate"] == "No data"
    assert figures["Overdue now"] == "0"


def test_service_and_organisation_pages_read_the_stored_figures_once_refreshed(pages, org, clock):
    pages.sign_in(org.hana)
    live_trend = table_rows(pages.get("reports.oversight_service", service_id=org.assessment.id), "trend")

    run_job("stored-figures", db.session, clock)

    service = pages.get("reports.oversight_service", service_id=org.assessment.id)
    assert summary_figures(service) == ASSESSMENT
    assert table_rows(service, "trend") == live_trend
    assert "Figures as at 09:00 on 23 November 2026." in service.find(id="figures-as-at").get_text()
    organisation = pages.get("reports.oversight")
    assert summary_figures(organisation) == ASSESSMENT
    assert organisation.find(id="figures-as-at")
    # Team pages stay live.
    assert pages.get("reports.oversight_team", team_id=org.team_a.id).find(id="figures-as-at") is None


def test_a_change_after_the_refresh_shows_at_the_next_refresh(pages, org, clock):
    run_job("stored-figures", db.session, clock)
    held(org.tess, org.eve, date(2026, 11, 20))
    pages.sign_in(org.hana)

    before = rows_by_name(pages.get("reports.oversight_service", service_id=org.assessment.id), "by-team")
    clock.advance(hours=1)
    run_job("stored-figures", db.session, clock)
    after = rows_by_name(pages.get("reports.oversight_service", service_id=org.assessment.id), "by-team")

    assert before["Assessment B"]["Sessions held on time"] == "100% 2 of 2"
    assert after["Assessment B"]["Sessions held on time"] == "100% 3 of 3"


def test_a_back_dated_session_shows_at_the_next_run_and_until_then_the_page_says_as_at_when(
    pages, org, clock
):
    """No page shows a figure older than its stated time, and a change reaches the stored
    figures by the next run at the latest, even one dated in an earlier month."""
    run_job("stored-figures", db.session, clock)
    first_run = clock.now()
    pages.sign_in(org.hana)
    october = period_args(Period(date(2026, 10, 1), date(2026, 10, 31)))

    def october_page():
        return pages.get("reports.oversight_service", service_id=org.assessment.id, **october)

    before = october_page()
    clock.advance(minutes=30)
    held(org.tess, org.eve, date(2026, 10, 27))  # recorded now, dated last month

    meanwhile = october_page()
    assert rows_by_name(meanwhile, "by-team") == rows_by_name(before, "by-team")
    assert as_at_text(first_run) in meanwhile.find(id="figures-as-at").get_text()

    clock.advance(minutes=31)
    run_job("stored-figures", db.session, clock)
    after = october_page()
    assert rows_by_name(after, "by-team") != rows_by_name(before, "by-team")
    assert as_at_text(clock.now()) in after.find(id="figures-as-at").get_text()
