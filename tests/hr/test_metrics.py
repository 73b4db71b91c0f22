"""Retention figures as pure functions, against the hand-worked workforce in tests/hr/workforce.py."""

from datetime import date
from decimal import Decimal

import pytest

from supervision.hr.metrics import (
    CensusYear,
    Compliance,
    Level,
    ServiceBand,
    Unit,
    Worker,
    completed_years,
    compliance_windows,
    latest_census_date,
    percentage,
    retention,
    service_band,
    vacant_fte,
)
from supervision.org.models import ContractType
from tests.hr.workforce import PEOPLE, SNAPSHOT, TEAMS

SERVICE_IDS = {"Assessment": 1, "Care": 2}
TEAM_IDS = {"North": 11, "South": 12, "Care Leavers": 21}
STAFF_IDS = {key: number for number, key in enumerate(PEOPLE, start=100)}
YEAR = CensusYear(SNAPSHOT)


def units():
    teams = [
        Unit(Level.TEAM, TEAM_IDS[key], name, SERVICE_IDS[service], Decimal(establishment))
        for key, (service, name, establishment) in TEAMS.items()
    ]
    services = [
        Unit(
            Level.SERVICE,
            service_id,
            name,
            establishment_fte=sum(
                (t.establishment_fte for t in teams if t.service_key == service_id), Decimal(0)
            ),
        )
        for name, service_id in SERVICE_IDS.items()
    ]
    organisation = Unit(Level.ORGANISATION, None, "Test Council", establishment_fte=Decimal("13"))
    return organisation, services, teams


def workers(keys=None):
    """Registered social workers only: scope is the database query's job (tested in test_retention_page)."""
    result = []
    for key, (team, contract, fte, start, end, caseload, destination, registered) in PEOPLE.items():
        if not registered or (keys is not None and key not in keys):
            continue
        team_id = TEAM_IDS.get(team)
        result.append(
            Worker(
                staff_id=STAFF_IDS[key],
                team_id=team_id,
                agency=contract is ContractType.AGENCY,
                fte=Decimal(fte),
                caseload=caseload,
                start_date=start,
                end_date=end,
                leaving_destination=destination,
            )
        )
    return result


@pytest.fixture(scope="module")
def report():
    organisation, services, teams = units()
    return retention(YEAR, organisation, services, teams, workers())


def tally_named(report, name):
    for tally in [report.organisation, *report.services, *report.teams]:
        if tally.unit.name == name:
            return tally
    raise KeyError(name)


def rounded(value, places="0.1"):
    return value.quantize(Decimal(places))


# The census year ------------------------------------------------------------------------------


def test_the_census_year_is_the_twelve_months_ending_on_the_snapshot():
    assert YEAR.starts_on == date(2025, 10, 1)
    assert CensusYear(date(2024, 2, 29)).starts_on == date(2023, 3, 1)
    assert YEAR.months[0] == (date(2025, 10, 1), date(2025, 10, 31))
    assert YEAR.months[-1] == (date(2026, 9, 1), date(2026, 9, 30))
    assert len(YEAR.months) == 12


def test_a_mid_month_snapshot_ends_the_last_month_on_the_snapshot():
    months = CensusYear(date(2026, 11, 15)).months
    assert months[0] == (date(2025, 12, 1), date(2025, 12, 31))
    assert months[-1] == (date(2026, 11, 1), date(2026, 11, 15))


@pytest.mark.parametrize(
    ("today", "snapshot"),
    [
        (date(2026, 11, 23), date(2026, 9, 30)),
        (date(2026, 9, 30), date(2026, 9, 30)),
        (date(2026, 9, 29), date(2025, 9, 30)),
        (date(2026, 1, 1), date(2025, 9, 30)),
    ],
)
def test_the_default_snapshot_is_the_latest_30_september(today, snapshot):
    assert latest_census_date(today) == snapshot


def test_a_person_whose_last_day_is_the_snapshot_has_left_and_is_not_in_post():
    person = Worker(1, None, False, Decimal(1), None, date(2020, 1, 1), date(2026, 9, 30))
    assert person.in_post_on(date(2026, 9, 29))
    assert not person.in_post_on(date(2026, 9, 30))
    assert person.left_between(YEAR.starts_on, YEAR.snapshot)


# Organisation ---------------------------------------------------------------------------------


def test_headcount_and_fte_in_post_count_employed_staff_only(report):
    organisation = report.organisation
    # N1 1 + N2 1 + N3 0.8 + N4 0.6 + N5 1 + S1 1 + C1 1 + X1 1
    assert (organisation.in_post, organisation.in_post_fte) == (8, Decimal("7.4"))
    # N6 1 + C2 0.5
    assert (organisation.agency, organisation.agency_fte) == (2, Decimal("1.5"))


def test_starters_are_employed_staff_who_started_in_the_year(report):
    # N4 0.6, N5 1 (started on the year's first day), S3 0.5; N6 and C2 are agency; N11 starts later
    assert (report.organisation.starters, report.organisation.starters_fte) == (3, Decimal("2.1"))


def test_leavers_are_employed_staff_whose_last_day_fell_in_the_year(report):
    # N7 1, N8 0.5 (on the snapshot day), S2 1, S3 0.5, C3 1; N9 left the day before the year
    assert (report.organisation.leavers, report.organisation.leavers_fte) == (5, Decimal("4.0"))


def test_turnover_is_leavers_fte_over_fte_in_post(report):
    assert rounded(report.organisation.turnover_rate) == Decimal("54.1")  # 4.0 / 7.4


def test_agency_rate_is_agency_fte_over_all_fte_in_post(report):
    assert rounded(report.organisation.agency_rate) == Decimal("16.9")  # 1.5 / (1.5 + 7.4)


def test_vacancy_rate_adds_each_teams_empty_posts(report):
    # North 6 - 4.4 = 1.6, South 4 - 1 = 3, Care Leavers 3 - 1 = 2 (C2 is agency: the post is vacant)
    assert report.organisation.vacant_fte == Decimal("6.6")
    assert rounded(report.organisation.vacancy_rate) == Decimal("50.8")  # 6.6 / 13


def test_average_caseload_is_cases_over_the_fte_of_case_holders(report):
    organisation = report.organisation
    # Cases 15+12+10+6+14+16 (North, N6 agency included) + 18 (S1) + 20 (C1) + 8 (C2) = 119;
    # case holders' FTE 5.4 + 1 + 1 + 0.5 = 7.9; X1 holds no cases and is not counted.
    assert (organisation.cases, organisation.case_holders, organisation.case_holders_fte) == (
        119,
        9,
        Decimal("7.9"),
    )
    assert rounded(organisation.average_caseload) == Decimal("15.1")


def test_leavers_by_length_of_service(report):
    # S3 0 years; N7 4 and C3 2 (one day short of 3); S2 8; N8 12
    assert report.organisation.by_service_band == {
        ServiceBand.UNDER_2: 1,
        ServiceBand.FROM_2_TO_5: 2,
        ServiceBand.FROM_5_TO_10: 1,
        ServiceBand.FROM_10: 1,
    }


def test_leavers_by_destination_with_the_unrecorded_counted_apart(report):
    assert report.organisation.by_destination == {
        "other_local_authority": 1,
        "agency": 1,
        "left_social_work": 1,
        "retired": 1,
        "other": 0,
        "not_recorded": 1,
    }


# Services and teams ---------------------------------------------------------------------------


def test_service_figures(report):
    assessment = tally_named(report, "Assessment")
    assert (assessment.in_post, assessment.in_post_fte, assessment.agency_fte) == (
        6,
        Decimal("5.4"),
        Decimal(1),
    )
    assert (assessment.starters, assessment.leavers, assessment.leavers_fte) == (3, 4, Decimal("3.0"))
    assert rounded(assessment.turnover_rate) == Decimal("55.6")  # 3.0 / 5.4
    assert rounded(assessment.agency_rate) == Decimal("15.6")  # 1 / 6.4
    assert rounded(assessment.vacancy_rate) == Decimal("46.0")  # (1.6 + 3) / 10
    assert rounded(assessment.average_caseload) == Decimal("14.2")  # 91 / 6.4

    care = tally_named(report, "Care")
    assert (care.in_post, care.in_post_fte, care.agency_fte, care.leavers) == (
        1,
        Decimal(1),
        Decimal("0.5"),
        1,
    )
    assert rounded(care.turnover_rate) == Decimal("100.0")
    assert rounded(care.agency_rate) == Decimal("33.3")
    assert rounded(care.vacancy_rate) == Decimal("66.7")
    assert rounded(care.average_caseload) == Decimal("18.7")  # 28 / 1.5


def test_team_figures(report):
    north = tally_named(report, "North")
    assert (north.in_post, north.in_post_fte, north.agency, north.starters, north.leavers) == (
        5,
        Decimal("4.4"),
        1,
        2,
        2,
    )
    assert north.vacant_fte == Decimal("1.6")
    assert rounded(north.vacancy_rate) == Decimal("26.7")
    assert rounded(north.average_caseload) == Decimal("13.5")  # 73 / 5.4
    assert rounded(north.turnover_rate) == Decimal("34.1")  # 1.5 / 4.4


def test_teams_come_in_service_order_and_people_without_a_team_have_a_row_of_their_own(report):
    assert [t.unit.name for t in report.teams] == ["North", "South", "Care Leavers", "Not in a team"]
    no_team = report.teams[-1]
    assert (no_team.in_post, no_team.unit.establishment_fte, no_team.vacancy_rate) == (1, 0, None)
    assert [t.unit.name for t in report.teams_of(report.services[0].unit)] == ["North", "South"]


def test_an_empty_organisation_has_counts_of_zero_and_no_rates():
    organisation, services, teams = units()
    empty = retention(YEAR, organisation, services, teams, [])
    assert empty.organisation.in_post == 0
    assert empty.organisation.turnover_rate is None
    assert empty.organisation.agency_rate is None
    assert empty.organisation.average_caseload is None
    assert empty.organisation.vacancy_rate == Decimal(100)  # every funded post is empty
    assert [t.unit.name for t in empty.teams] == ["North", "South", "Care Leavers"]


# Monthly trend --------------------------------------------------------------------------------


def month(report, unit_name, first):
    unit = next(unit for unit in report.trends if unit.name == unit_name)
    return next(m for m in report.trends[unit] if m.first == first)


def test_monthly_turnover_and_vacancy_for_the_organisation(report):
    october = month(report, "Test Council", date(2025, 10, 1))
    # In post on 31 October 2025: N1 N2 N3(0.8) N5 N7 N8(0.5) S1 S2 C1 C3 X1 = 10.3; no leavers
    assert (october.in_post_fte, october.leavers_fte, october.turnover_rate) == (
        Decimal("10.3"),
        Decimal(0),
        Decimal(0),
    )
    # Vacant: North 6 - 5.3 = 0.7, South 4 - 2 = 2, Care Leavers 3 - 2 = 1 -> 3.7 / 13
    assert rounded(october.vacancy_rate) == Decimal("28.5")

    march = month(report, "Test Council", date(2026, 3, 1))
    # N7 leaves on 31 March (1 FTE); in post on 31 March: 9.4
    assert (march.leavers_fte, march.in_post_fte) == (Decimal(1), Decimal("9.4"))
    assert rounded(march.turnover_rate) == Decimal("10.6")
    assert rounded(march.vacancy_rate) == Decimal("35.4")  # (1.1 + 1.5 + 2) / 13

    september = month(report, "Test Council", date(2026, 9, 1))
    assert (september.leavers_fte, september.in_post_fte) == (Decimal("0.5"), Decimal("7.4"))
    assert rounded(september.turnover_rate) == Decimal("6.8")
    assert rounded(september.vacancy_rate) == Decimal("50.8")


def test_monthly_trend_for_a_service(report):
    june = month(report, "Assessment", date(2026, 6, 1))
    # S2 leaves on 30 June; in post on 30 June in Assessment: N1 N2 N3 N4 N5 N8 (4.9) + S1 S3 (1.5)
    assert (june.leavers_fte, june.in_post_fte) == (Decimal(1), Decimal("6.4"))
    assert june.establishment_fte == Decimal(10)
    assert june.vacant_fte == Decimal("3.6")  # North 1.1 + South 2.5


# Supervision before leaving -------------------------------------------------------------------


def test_supervision_compliance_of_leavers_is_compared_with_stayers():
    organisation, services, teams = units()
    compliance = {
        STAFF_IDS["N7"]: Compliance(met=3, required=6),
        STAFF_IDS["S2"]: Compliance(met=5, required=6),
        STAFF_IDS["N1"]: Compliance(met=6, required=6),
        STAFF_IDS["N2"]: Compliance(met=5, required=7),
        STAFF_IDS["N6"]: Compliance(met=0, required=6),  # agency: neither leaver nor stayer
        STAFF_IDS["N9"]: Compliance(met=0, required=6),  # left before the year
    }
    report = retention(YEAR, organisation, services, teams, workers(), compliance)
    organisation_tally = report.organisation
    assert (organisation_tally.leavers_with_compliance, organisation_tally.leavers_compliance) == (
        2,
        Compliance(8, 12),
    )
    assert (organisation_tally.stayers_with_compliance, organisation_tally.stayers_compliance) == (
        2,
        Compliance(11, 13),
    )
    assert rounded(organisation_tally.leavers_compliance_rate) == Decimal("66.7")
    assert rounded(organisation_tally.stayers_compliance_rate) == Decimal("84.6")
    assert tally_named(report, "South").leavers_compliance == Compliance(5, 6)


def test_leavers_are_looked_at_over_their_last_6_months_and_stayers_over_the_6_months_to_the_snapshot():
    windows = compliance_windows(workers(), YEAR)
    assert windows[STAFF_IDS["N7"]] == (date(2025, 10, 1), date(2026, 3, 31))
    assert windows[STAFF_IDS["S3"]] == (date(2026, 2, 16), date(2026, 8, 15))
    assert windows[STAFF_IDS["N1"]] == (date(2026, 3, 31), date(2026, 9, 30))
    assert windows[STAFF_IDS["N8"]] == (date(2026, 3, 31), date(2026, 9, 30))  # left on the snapshot day
    # Agency workers, people who left before the year and people not yet started are not compared.
    assert {STAFF_IDS[key] for key in ("N6", "C2", "N9", "N11")}.isdisjoint(windows)
    assert len(windows) == 13


# Small rules ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "end", "years", "band"),
    [
        (date(2024, 3, 1), date(2026, 2, 28), 1, ServiceBand.UNDER_2),
        (date(2024, 3, 1), date(2026, 3, 1), 2, ServiceBand.FROM_2_TO_5),
        (date(2021, 3, 2), date(2026, 3, 1), 4, ServiceBand.FROM_2_TO_5),
        (date(2021, 3, 1), date(2026, 3, 1), 5, ServiceBand.FROM_5_TO_10),
        (date(2016, 3, 2), date(2026, 3, 1), 9, ServiceBand.FROM_5_TO_10),
        (date(2016, 3, 1), date(2026, 3, 1), 10, ServiceBand.FROM_10),
        (date(2024, 2, 29), date(2026, 2, 28), 1, ServiceBand.UNDER_2),
    ],
)
def test_length_of_service_bands_use_completed_years(start, end, years, band):
    assert completed_years(start, end) == years
    assert service_band(start, end) is band


def test_vacant_fte_is_never_negative():
    assert vacant_fte(Decimal(3), Decimal("3.5")) == 0
    assert vacant_fte(Decimal(3), Decimal("2.5")) == Decimal("0.5")


def test_a_rate_with_nothing_to_divide_by_is_none_not_zero():
    assert percentage(Decimal(1), Decimal(0)) is None
    assert percentage(0, 4) == 0
