"""ASYE progress reviews on the team dashboard, the home page, and the oversight report with its
downloads and evidence pack.

Each figure comes from `compliance.services.asye_progress_for` (the compliance engine's rule,
docs/metrics.md "ASYE progress reviews"), for the same people the page lists: the dashboard's
scope and the oversight report's.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa

from supervision.compliance.services import AsyeProgress, asye_progress_for
from supervision.extensions import db
from supervision.org.models import Staff, Team
from supervision.reports.exports import Section
from supervision.reports.services import (
    Dashboard,
    Level,
    OversightReport,
    in_post,
    report_people,
)


@dataclass(frozen=True)
class AsyeReviewRow:
    person: Staff
    progress: AsyeProgress


def dashboard_asye_reviews(user: Staff, dashboard: Dashboard, today: date) -> list[AsyeReviewRow]:
    """The ASYEs on the user's team dashboard whose next review is due soon or overdue, the most
    overdue first: the dashboard's list and the home page's count alike. The dashboard's people
    and policy, already read for its rows, are not read again."""
    progress = asye_progress_for(
        db.session, dashboard.people.in_post, today, {user.organisation_id: dashboard.policy}
    )
    due_on = {  # those whose next review needs attention (AsyeProgress.needs_attention)
        person_id: review.due_on
        for person_id, found in progress.items()
        if (review := found.next_review) is not None and review.state.needs_attention
    }
    rows = [
        AsyeReviewRow(row.person, progress[row.person.id])
        for row in dashboard.rows
        if row.person.id in due_on
    ]
    return sorted(rows, key=lambda row: (due_on[row.person.id], row.person.name))


@dataclass(frozen=True)
class TeamAsyeReviews:
    team_name: str
    in_asye: int
    due_soon: int
    overdue: int


def asye_reviews_by_team(user: Staff, team_ids: list[int], today: date) -> list[TeamAsyeReviews]:
    """For the oversight report: per team with anyone in their ASYE, how many are in it now and
    how many have their next review due soon or overdue (the people the report counts)."""
    scope = in_post(
        sa.select(Staff.id).where(Staff.team_id.in_(team_ids), Staff.id.in_(report_people(user))), today
    )
    progress = asye_progress_for(db.session, scope, today)
    if not progress:
        return []
    names = dict(db.session.execute(sa.select(Team.id, Team.name).where(Team.id.in_(team_ids))).all())
    by_team: dict[int | None, list[AsyeProgress]] = {}
    for found in progress.values():
        by_team.setdefault(found.team_id, []).append(found)
    return sorted(
        (
            TeamAsyeReviews(
                names[team_id],
                len(members),
                sum(found.needs_attention and not found.overdue for found in members),
                sum(found.overdue for found in members),
            )
            for team_id, members in by_team.items()
            if team_id in names
        ),
        key=lambda row: row.team_name.lower(),
    )


def report_asye_reviews(viewer: Staff, report: OversightReport) -> list[TeamAsyeReviews]:
    """The oversight report's "ASYE progress reviews today" table, for its page, its downloads and
    the evidence pack alike: by team for an organisation, service or team; none for one person."""
    if report.level is Level.PERSON:
        return []
    team_ids = report.team_ids
    return asye_reviews_by_team(viewer, team_ids, report.today)


ASYE_TABLE_TITLE = "ASYE progress reviews today"
ASYE_TABLE_HEADER = ["As at", "Team", "In their ASYE", "Review due soon", "Review overdue"]


def asye_sections(rows: list[TeamAsyeReviews], today: date) -> list[Section]:
    """The table as the CSV and XLSX write it (none when nobody is in their ASYE, as on the page),
    each row dated: it is today's, not the period's."""
    if not rows:
        return []
    return [
        Section(
            ASYE_TABLE_TITLE,
            ASYE_TABLE_HEADER,
            [[today, row.team_name, row.in_asye, row.due_soon, row.overdue] for row in rows],
        )
    ]
