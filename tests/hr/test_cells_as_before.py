"""HR's pages made cheaper at national scale (issue 18) show exactly what they showed before.

The figures' cells are built a row at a time now (a row with nothing withheld skips the lookups),
the CSV is streamed a table at a time and each service's link is made once. Here the old way is
written out again, apart from the code under test: every cell from the withheld sets themselves
(`Withheld.small` and `secondary`, as `Withheld.cell` read them before), and the CSV written
whole in memory. The page's cells and the download's bytes must be the same, on a generated
organisation, with and without the stored figures, for a census date and a month end, on SQLite
and PostgreSQL.
"""

from __future__ import annotations

import csv
import dataclasses
import io
from datetime import date, datetime

import pytest
import sqlalchemy as sa
from flask import url_for

from supervision import synth
from supervision.extensions import db
from supervision.hr import tables
from supervision.hr.disclosure import Kind, Shown, recent_snapshots, shows_flows
from supervision.hr.exports import LEVEL_LABELS, ROW_HEADINGS, SHEET_NAMES, _about
from supervision.hr.metrics import Level, Retention, Tally
from supervision.hr.services import retention_report
from supervision.jobs.runs import run_job
from supervision.org.models import Role, Staff, StaffRole
from supervision.plain_text import spreadsheet_text
from tests.factories import password_hash
from tests.hr.test_secondary_suppression import hr_client, snapshot_query
from tests.html import parse_html


def reference_cell(withheld: tables.Withheld, tally: Tally, value, kind: Kind, measures) -> Shown:
    """A cell as `Withheld.cell` decided it before: withheld if any of its measures is, and
    "fewer than 5" (not "withheld") if any of those is small."""
    unit = tables.unit_id(tally.unit)
    small = any((unit, name) in withheld.small for name in measures)
    secondary = any((unit, name) in withheld.secondary for name in measures)
    if small or secondary:
        return Shown(value, kind, suppressed=True, secondary=not small)
    return Shown(value, kind)


def reference_tables(report: Retention, withheld: tables.Withheld, shows_teams_of) -> list[tuple]:
    """(key, title, columns, rows of (level, service, name, cells)) for each table shown."""
    service_names = {tally.unit.key: tally.unit.name for tally in report.services}
    tallies = [report.organisation]
    for service in report.services:
        tallies.append(service)
        if shows_teams_of(service.unit):
            tallies.extend(report.teams_of(service.unit))
    tallies.extend(team for team in report.teams if team.unit.key is None)
    found = []
    for table in tables.retention_tables(report, withheld=withheld):  # titles and columns only
        figures = tables.TABLE_COLUMNS[table.key]()
        assert tuple(heading for heading, *_ in figures) == table.columns
        rows = [
            (
                tally.unit.level,
                service_names.get(tally.unit.service_key) if tally.unit.level is Level.TEAM else None,
                tally.unit.name,
                [
                    reference_cell(withheld, tally, value(tally), kind, measures)
                    for _, kind, value, measures in figures
                ],
            )
            for tally in tallies
        ]
        found.append((table.key, table.title, table.columns, rows))
    return found


def reference_csv(report: Retention, organisation_name: str, generated_at: datetime) -> bytes:
    """The download as it was written before: whole, in memory."""
    withheld = tables.withheld_cells(report)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    for line in _about(report, organisation_name, generated_at):
        writer.writerow([spreadsheet_text(cell) for cell in line])
    for key, title, columns, rows in reference_tables(report, withheld, lambda service: True):
        assert key in SHEET_NAMES
        writer.writerow([])
        writer.writerow([spreadsheet_text(title)])
        writer.writerow([spreadsheet_text(cell) for cell in [*ROW_HEADINGS, *columns]])
        for level, service, name, cells in rows:
            own_service = service if level is Level.TEAM else (name if level is Level.SERVICE else "")
            labels = [LEVEL_LABELS[level], own_service or "", name]
            writer.writerow([*(spreadsheet_text(label) for label in labels), *(cell.text for cell in cells)])
    for trend in tables.trend_tables(report, withheld):
        writer.writerow([])
        writer.writerow([spreadsheet_text(f"Monthly trend: {trend.unit.name}")])
        writer.writerow([spreadsheet_text(cell) for cell in ["Month", *trend.columns]])
        for first, cells in trend.months:
            writer.writerow([spreadsheet_text(f"{first:%B %Y}"), *(cell.text for cell in cells)])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


@pytest.fixture
def generated(app, clock):
    """A generated organisation (about 10 teams) and a client signed in as its HR member."""
    synth.generate(staff=100, years=2, seed=11)
    hr = db.session.scalars(
        sa.select(Staff)
        .join(StaffRole, StaffRole.staff_id == Staff.id)
        .where(StaffRole.role == Role.HR, Staff.end_date.is_(None))
        .order_by(Staff.id)
    ).first()
    hr.password_hash = password_hash()
    db.session.commit()
    return hr.organisation_id, hr.organisation.name, hr_client(app, hr)


def snapshots(today: date) -> list[date]:
    month_ends = recent_snapshots(today, 13)
    return [next(day for day in month_ends if (day.month, day.day) == (9, 30)), month_ends[0]]


@pytest.mark.parametrize("stored", [False, True], ids=["live", "stored figures"])
def test_the_csv_download_is_the_same_bytes_as_before(generated, clock, stored):
    organisation_id, name, client = generated
    if stored:
        run_job("stored-figures", db.session, clock)
    for snapshot in snapshots(clock.today()):
        response = client.get("/retention/export.csv", query_string=snapshot_query(snapshot))
        assert response.status_code == 200
        assert response.is_streamed
        report = retention_report(organisation_id, snapshot)
        assert (report.figures_as_at is not None) is (stored and shows_flows(snapshot))
        expected = reference_csv(report, name, clock.now())
        assert response.get_data() == expected
        assert tables.withheld_cells(
            report
        ).secondary  # something is withheld, so the comparison says something


def page_cells(html: str) -> list[list[str]]:
    """Each body row of each table on the page: its heading and cells, as text."""
    soup = parse_html(html)
    return [
        [cell.get_text() for cell in row.find_all(["th", "td"])]
        for table in soup.find_all("table")
        for row in table.find("tbody").find_all("tr")
    ]


def reference_page_cells(report: Retention, withheld: tables.Withheld, chosen) -> list[list[str]]:
    rows = []
    for key, _, _, table_rows in reference_tables(report, withheld, lambda service: service == chosen):
        assert key
        for level, service, name, cells in table_rows:
            if level is Level.TEAM:
                heading = name + (f", a team in {service}" if service else "")
            elif level is Level.SERVICE:
                heading = f"{name} (service): show its teams"
            else:
                heading = f"{name} (whole organisation)"
            rows.append([heading, *(cell.text for cell in cells)])
    for trend in tables.trend_tables(report, withheld):
        if trend.unit.level is not Level.SERVICE or trend.unit == chosen:
            rows.extend([f"{first:%B %Y}", *(cell.text for cell in cells)] for first, cells in trend.months)
    return rows


def test_the_summary_page_shows_the_same_cells_and_links_as_before(generated, clock, app, monkeypatch):
    """An organisation large enough to list its services only (here: more than 2 teams), and one
    service's teams, so each service's link is checked too."""
    monkeypatch.setattr("supervision.hr.views.TEAMS_ON_ONE_PAGE", 2)
    organisation_id, _, client = generated
    run_job("stored-figures", db.session, clock)
    for snapshot in snapshots(clock.today()):
        report = retention_report(organisation_id, snapshot)
        withheld = tables.withheld_cells(report)
        for chosen in [None, *(service.unit for service in report.services)]:
            query = snapshot_query(snapshot) + ([("service", chosen.key)] if chosen else [])
            html = client.get("/retention", query_string=query).get_data(as_text=True)
            assert page_cells(html) == reference_page_cells(report, withheld, chosen)
            soup = parse_html(html)
            with app.test_request_context():
                expected_links = {
                    url_for(
                        "hr.retention",
                        service=service.unit.key,
                        snapshot_date=[str(snapshot.day), str(snapshot.month), str(snapshot.year)],
                    )
                    for service in report.services
                }
            links = {a["href"] for a in soup.select("table a.govuk-link")}
            assert links == expected_links


def changed(report: Retention, name: str) -> Retention:
    """The report with one figure of the organisation's row changed."""
    tally = report.organisation
    value = getattr(tally, name)
    if isinstance(value, dict):
        key = next(iter(value))
        new = {**value, key: value[key] + 1}
    elif dataclasses.is_dataclass(value):
        new = type(value)(*(getattr(value, f.name) + 1 for f in dataclasses.fields(value)))
    else:
        new = value + 1
    return dataclasses.replace(report, organisation=dataclasses.replace(tally, **{name: new}))


def test_every_figure_of_a_row_is_in_the_withholding_digest(generated, clock):
    """The kept withholding is found by a digest of the figures (`tables.fingerprint`), read a
    whole tally at a time: any figure a measure could read changes it."""
    organisation_id, _, _ = generated
    report = retention_report(organisation_id, snapshots(clock.today())[0])
    measures = tables.published_measures(report)
    digest = tables.fingerprint(report, measures, False)
    assert (
        tables.fingerprint(retention_report(organisation_id, report.year.snapshot), measures, False) == digest
    )
    names = [field.name for field in dataclasses.fields(Tally) if field.name != "unit"]
    for name in names:
        assert tables.fingerprint(changed(report, name), measures, False) != digest, name
