"""Case oversight in the oversight report and the evidence pack (docs/cases.md, "Share in time").

Per service (on the organisation's page) or team (on a service's page): the share of open cases
with oversight in time on the period's last day, by category; the unit's 12-month trend, asking
the same question about each month's last day; and, on a team's or worker's page, the cases
counted, with where each stood that day. Every figure is `cases.rules.in_time_on` asked once
per case and day, tallied by `cases.rules.tally` (as `shares_on` does), once for the table, the
chart and the exports alike.

Scope: the cases of the report's people (`cases.services.overseen_cases`: the viewer and everyone
they oversee, the one scope) whose worker is now in one of the report's teams. A case counts
in its current worker's team for every month of the trend: the register does not keep which
team a past worker was in.

At organisation and service level the same figures come from the stored counts when the
organisation's stored figures may be used (supervision.reports.stored_cases: the hourly job asks
the same functions the same questions); team and worker pages are always worked out now.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime

import sqlalchemy as sa

from supervision.cases.models import ChildCase
from supervision.cases.rules import (
    CaseCategory,
    CaseOversight,
    CategoryShare,
    case_status,
    in_time_on,
    is_open_on,
    tally,
)
from supervision.cases.services import CaseRow, case_rows, due_soon_rule, overseen_cases
from supervision.extensions import db
from supervision.org.models import Staff, Team
from supervision.reports import asye, charts, stored_cases
from supervision.reports.changes import ChangeMarks
from supervision.reports.exports import Cell, Section, Share, report_about, report_sections
from supervision.reports.figures import Period
from supervision.reports.services import Level, OversightReport
from supervision.reports.tables import month_text, percent_text, short_month_text
from supervision.stored_figures.freshness import as_at_text

DEFINITION = (
    "Open cases whose last management oversight in supervision (a case discussion in a record "
    "its supervisor signed) was within the longest their category may go without it, on the "
    "day shown. A case counts in the team its worker is in now."
)
CATEGORIES: tuple[CaseCategory | None, ...] = (*CaseCategory, None)


def category_label(category: CaseCategory | None) -> str:
    return "All cases" if category is None else category.label


def fraction(share: CategoryShare) -> float | None:
    """The share between 0 and 1, as the charts and exports write shares."""
    return None if share.open_cases == 0 else share.in_time / share.open_cases


def share_text(share: CategoryShare) -> str:
    if share.open_cases == 0:
        return "No open cases"
    return f"{percent_text(fraction(share))} ({share.in_time} of {share.open_cases})"


@dataclass(frozen=True)
class UnitShares:
    level: Level
    id: int | None
    name: str
    shares: list[CategoryShare]  # one per CATEGORIES, in that order


@dataclass(frozen=True)
class CountedCase:
    id: int
    reference: str
    category: CaseCategory
    worker_name: str
    oversight: CaseOversight


@dataclass(frozen=True)
class CaseOversightSection:
    day: date  # the period's last day
    unit: UnitShares
    children: list[UnitShares]
    months: list[Period]
    month_days: list[date]
    trend: list[list[CategoryShare]]  # per month, one per CATEGORIES
    cases: list[CountedCase] | None  # the drill-down, on a team's or a worker's page
    # When the figures come from the stored counts, the time they were worked out; None when
    # they were worked out for this page.
    figures_as_at: datetime | None = None

    @property
    def trend_points(self) -> list[charts.Point]:
        return [
            charts.Point(month_text(month), short_month_text(month), fraction(shares[-1]))
            for month, shares in zip(self.months, self.trend, strict=True)
        ]


def case_oversight(viewer: Staff, report: OversightReport) -> CaseOversightSection:
    """The case oversight section of `report`, for the same viewer and unit: at organisation and
    service level from the stored counts when they may be used (supervision.reports.stored_cases),
    otherwise worked out now."""
    day = report.period.ends_on
    month_days = [min(month.ends_on, report.today) for month in report.months]
    team_ids = report.team_ids
    if report.level in (Level.ORGANISATION, Level.SERVICE):
        section = _stored_section(viewer, report, team_ids, month_days)
        if section is not None:
            return section
    scope = sa.and_(
        overseen_cases(viewer),
        ChildCase.worker_id.in_(sa.select(Staff.id).where(Staff.team_id.in_(team_ids))),
        # Only cases open on some day the section asks about.
        ChildCase.opened_on <= max(day, *month_days),
        sa.or_(ChildCase.closed_on.is_(None), ChildCase.closed_on > min(day, *month_days)),
    )
    if report.level is Level.PERSON:
        scope = sa.and_(scope, ChildCase.worker_id == report.unit.id)
    rows = case_rows(viewer.organisation_id, scope)

    # Each case is asked once per day (the period's last day, then the trend's days), and the
    # answers are tallied per unit: every unit's figure for a day comes from the same answers.
    days = [day, *month_days]
    answers = [(row, [in_time_on(row.facts, on) for on in days]) for row in rows]

    def shares(selected: list[tuple[CaseRow, list[bool | None]]], index: int) -> list[CategoryShare]:
        return tally((row.category, found[index]) for row, found in selected)

    children: list[UnitShares] = []
    if report.level in (Level.ORGANISATION, Level.SERVICE):
        service_of: dict[int | None, int] = {
            team_id: service_id
            for team_id, service_id in db.session.execute(
                sa.select(Team.id, Team.service_id).where(Team.id.in_(team_ids))
            )
        }
        by_child: dict[int | None, list[tuple[CaseRow, list[bool | None]]]] = defaultdict(list)
        for pair in answers:
            team_id = pair[0].team_id
            by_child[service_of.get(team_id) if report.level is Level.ORGANISATION else team_id].append(pair)
        for child in report.children:
            children.append(
                UnitShares(child.level, child.id, child.name, shares(by_child.get(child.id, []), 0))
            )
    unit = UnitShares(report.level, report.unit.id, report.unit.name, shares(answers, 0))
    trend = [shares(answers, index) for index in range(1, len(days))]
    cases = None
    if report.level in (Level.TEAM, Level.PERSON):
        cases = _counted_cases(viewer.organisation_id, rows, day)
    return CaseOversightSection(day, unit, children, report.months, month_days, trend, cases)


def _stored_section(
    viewer: Staff, report: OversightReport, team_ids: list[int], month_days: list[date]
) -> CaseOversightSection | None:
    """The section from the stored counts, or None when they cannot answer (worked out now)."""
    day = report.period.ends_on
    run = report.stored_run
    if run is None:
        return None
    by_service = report.level is Level.ORGANISATION
    found = stored_cases.stored_shares(
        db.session, viewer, by_service, team_ids, [day, *month_days], report.today
    )
    if found is None:
        return None
    none_open = [tally(())]
    children = [
        UnitShares(child.level, child.id, child.name, found.children.get(child.id or 0, none_open)[0])
        for child in report.children
    ]
    unit = UnitShares(report.level, report.unit.id, report.unit.name, found.unit[0])
    trend = found.unit[1:]
    return CaseOversightSection(
        day, unit, children, report.months, month_days, trend, None, run.worked_out_at
    )


def _counted_cases(organisation_id: int, rows: list[CaseRow], day: date) -> list[CountedCase]:
    """Exactly the cases the section counts on `day` (open that day), each with its status then."""
    open_rows = [row for row in rows if is_open_on(row.facts, day)]
    if not open_rows:
        return []
    due_soon = due_soon_rule(organisation_id)
    counted = [(row, answer) for row in open_rows if (answer := case_status(row.facts, day, due_soon))]
    names = {
        person.id: person.name
        for person in db.session.scalars(
            sa.select(Staff).where(Staff.id.in_(sorted({row.worker_id for row, _ in counted})))
        )
    }
    return [
        CountedCase(row.id, row.reference, row.category, names[row.worker_id], answer)
        for row, answer in sorted(counted, key=lambda pair: (-pair[1].days_overdue, pair[0].reference))
    ]


# ------------------------------------------------------------------------------------ exports


def _share_cells(share: CategoryShare) -> list[Cell]:
    return [Share(fraction(share)), share.in_time, share.open_cases]


def _share_header() -> list[str]:
    return [
        heading
        for category in CATEGORIES
        for heading in (
            f"{category_label(category)}: in time (%)",
            f"{category_label(category)}: in time",
            f"{category_label(category)}: open",
        )
    ]


def case_sections(section: CaseOversightSection) -> list[Section]:
    """The section's tables for the report's CSV and XLSX: the same figures as the page."""
    tables = [
        Section(
            "Case oversight",
            ["Level", "Name", "Day", *_share_header()],
            [
                [
                    unit.level.label,
                    unit.name,
                    section.day,
                    *(cell for share in unit.shares for cell in _share_cells(share)),
                ]
                for unit in [section.unit, *section.children]
            ],
        ),
        Section(
            "Case oversight trend",
            ["Month", "Day", *_share_header()],
            [
                [month_text(month), on, *(cell for share in shares for cell in _share_cells(share))]
                for month, on, shares in zip(section.months, section.month_days, section.trend, strict=True)
            ],
        ),
    ]
    if section.cases is not None:
        tables.append(
            Section(
                "Cases counted",
                [
                    "Day",
                    "Case reference",
                    "Category",
                    "Worker",
                    "Status",
                    "Last oversight",
                    "Oversight due",
                    "Days overdue",
                ],
                [
                    [
                        section.day,
                        case.reference,
                        case.category.label,
                        case.worker_name,
                        case.oversight.status.label,
                        case.oversight.last_oversight_on,
                        case.oversight.due_on,
                        case.oversight.days_overdue,
                    ]
                    for case in section.cases
                ],
            )
        )
    return tables


def report_file(
    viewer: Staff, report: OversightReport, marks: ChangeMarks, generated_at: datetime
) -> tuple[list[tuple[str, str]], list[Section]]:
    """What the report's CSV and XLSX say about themselves, and every table in them, the case
    oversight and ASYE sections included: the page's download and `flask export-report
    oversight` both write these. When the case section was read from stored figures and the
    rest was not (a viewer who does not oversee a whole unit), the file says when the case
    figures were worked out, as the page does."""
    section = case_oversight(viewer, report)
    about = report_about(report, generated_at)
    if section.figures_as_at is not None and section.figures_as_at != report.figures_as_at:
        about.insert(len(about) - 2, ("Case oversight figures", as_at_text(section.figures_as_at)))
    sections = (
        report_sections(report, marks)
        + case_sections(section)
        + asye.asye_sections(asye.report_asye_reviews(viewer, report), report.today)
    )
    return about, sections
