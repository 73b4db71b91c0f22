"""The home page's to-do lists, one for each role a person holds.

Every figure here is taken from the function that already works it out for the page the home
page links to (the compliance engine, the team dashboard, the oversight report, the retention
report, the staff list, the job runs, the outbox and the case lists), never counted again, so a count on the
home page and on the page behind its link always agree. Each part costs a fixed number of SQL
statements, whatever the number of people (tests/home/test_home_queries.py).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

import sqlalchemy as sa

from supervision.cases import lists as case_lists
from supervision.clock import LONDON
from supervision.compliance.rules import Status
from supervision.compliance.services import PersonCompliance, compliance_for
from supervision.extensions import db
from supervision.hr import services as hr_services
from supervision.hr.metrics import latest_census_date
from supervision.hr.models import StaffImport
from supervision.hr.tables import HR_HEADLINES, organisation_cells
from supervision.jobs import runs as job_runs
from supervision.jobs.models import JobOutcome, JobRun
from supervision.notifications import services as notification_services
from supervision.org import services as org_services
from supervision.org.models import Role, Staff
from supervision.permissions import content_barred
from supervision.records import services as record_services
from supervision.records.models import SupervisionSession
from supervision.records.services import WaitingFor, WaitingRecord
from supervision.reports import services as report_services
from supervision.reports.asye import dashboard_asye_reviews
from supervision.reports.forms import default_period

# The service manager's list of teams with the largest gaps stops at this many.
TEAMS_WITH_GAPS = 5


@dataclass
class SupervisedToDo:
    """What someone who is supervised has to do or know: their own supervision."""

    compliance: PersonCompliance
    waiting: list[WaitingRecord]  # records waiting for their signature or revision
    open_actions: int
    cases_due: int  # their own cases due discussion (My supervision's list)


@dataclass
class ManagerToDo:
    """A supervisor's or manager's: the people on their team dashboard and records to sign off."""

    overdue: int  # overdue, not yet escalated (the dashboard's "Overdue" filter)
    escalated: int
    write_ups_overdue: int
    people_with_write_ups_overdue: int
    to_sign_off: list[WaitingRecord]
    asye_reviews_due: int = 0  # the dashboard's "ASYE reviews due or overdue"
    asye_reviews_overdue: int = 0
    # cases of the people they oversee overdue oversight (the cases page's list)
    cases_overdue: int = 0


@dataclass(frozen=True)
class Headline:
    label: str
    text: str
    table_key: str


@dataclass
class HrToDo:
    headlines: list[Headline]
    snapshot: date
    worked_out_at: datetime
    imports_waiting: int
    last_upload_at: datetime | None
    stored: bool = False  # the stored-figures job's report, as at its run (supervision.hr.stored)


@dataclass
class AdminToDo:
    failed_jobs: list[JobRun]
    failed_emails: int
    without_agreement: int
    without_password: int | None  # None where single sign-on is how people sign in


@dataclass
class ToDo:
    today: date
    sessions_this_week: list[SupervisionSession] = field(default_factory=list)
    supervised: SupervisedToDo | None = None
    manager: ManagerToDo | None = None
    gaps: report_services.TeamGaps | None = None
    hr: HrToDo | None = None
    admin: AdminToDo | None = None


def week_of(today: date) -> tuple[datetime, datetime]:
    """Monday 00:00 to the next Monday 00:00, London time, of the week containing `today`."""
    monday = today - timedelta(days=today.weekday())
    start = datetime.combine(monday, time.min, tzinfo=LONDON)
    return start, datetime.combine(monday + timedelta(days=7), time.min, tzinfo=LONDON)


def to_do_for(user: Staff, today: date, now: datetime, sso_enabled: bool) -> ToDo:
    """Each of the user's lists, for the roles they hold."""
    found = ToDo(today)
    waiting = record_services.records_waiting_for(user.id)
    found.sessions_this_week = record_services.sessions_booked_between(user.id, *week_of(today))
    if content_barred(user):
        # Someone holding the HR role sees their own supervision only, whatever the data says.
        waiting = [item for item in waiting if item.waiting_for is not WaitingFor.SIGN_OFF]
        found.sessions_this_week = [s for s in found.sessions_this_week if s.supervisor_id != user.id]
    # Read once for every list below (the person's own status, their dashboard, the cases).
    policy = report_services.policy_for(user.organisation_id)
    policies = {user.organisation_id: policy}
    own = compliance_for([user.id], today, policies)[user.id]
    supervised = own.agreement is not None or user.has_role(Role.SOCIAL_WORKER)
    manages = user.has_role(Role.SUPERVISOR, Role.SERVICE_MANAGER)
    # Its counts need today's statuses only: the 12-month grid is the dashboard page's.
    dashboard = report_services.team_dashboard(user, today, policies, with_grid=False) if manages else None
    cases_due: list[case_lists.CaseLine] = []
    cases_overdue: list[case_lists.CaseLine] = []
    if dashboard is not None:
        cases_due, cases_overdue = case_lists.due_and_needing_oversight(
            user, today, page_people=dashboard.people.pages, policy=policy
        )
    elif supervised:
        cases_due = case_lists.due_discussion(user, today, policy=policy)
    if supervised:
        found.supervised = SupervisedToDo(
            compliance=own,
            waiting=[item for item in waiting if item.waiting_for is not WaitingFor.SIGN_OFF],
            open_actions=len(record_services.open_actions_of(user.id)),
            cases_due=len(cases_due),
        )
    if dashboard is not None:
        found.manager = _manager_to_do(user, today, waiting, dashboard, len(cases_overdue))
    if user.has_role(Role.SERVICE_MANAGER):
        found.gaps = report_services.teams_with_largest_gaps(
            user, default_period(today), today, TEAMS_WITH_GAPS
        )
    if user.has_role(Role.HR):
        found.hr = _hr_to_do(user, today, now)
    if user.has_role(Role.ADMIN):
        found.admin = _admin_to_do(user, today, sso_enabled)
    return found


def _manager_to_do(
    user: Staff,
    today: date,
    waiting: list[WaitingRecord],
    dashboard: report_services.Dashboard,
    cases_overdue: int,
) -> ManagerToDo:
    rows = dashboard.rows
    asye_reviews = dashboard_asye_reviews(user, dashboard, today)
    return ManagerToDo(
        overdue=sum(row.figures.status is Status.OVERDUE for row in rows),
        escalated=sum(row.figures.status is Status.ESCALATED for row in rows),
        write_ups_overdue=sum(row.figures.write_ups_overdue for row in rows),
        people_with_write_ups_overdue=sum(bool(row.figures.write_ups_overdue) for row in rows),
        to_sign_off=[item for item in waiting if item.waiting_for is WaitingFor.SIGN_OFF],
        asye_reviews_due=len(asye_reviews),
        asye_reviews_overdue=sum(row.progress.overdue for row in asye_reviews),
        cases_overdue=cases_overdue,
    )


def _hr_to_do(user: Staff, today: date, now: datetime) -> HrToDo:
    snapshot = latest_census_date(today)
    # The counts alone: the headlines show no supervision before leaving and no trend.
    report = hr_services.retention_report(user.organisation_id, snapshot, counts_only=True)
    headlines = [
        Headline(column, cell.text, key)
        # starters and leavers: census dates only, which the default always is
        for (key, column), cell in organisation_cells(
            report, HR_HEADLINES, hr_services.kept_withholding(user.organisation_id)
        ).items()
    ]
    imports_waiting, last_upload_at = db.session.execute(
        sa.select(sa.func.count(), sa.func.max(StaffImport.created_at)).where(
            StaffImport.organisation_id == user.organisation_id
        )
    ).one()
    if report.stored_whole and report.figures_as_at is not None:
        return HrToDo(headlines, snapshot, report.figures_as_at, imports_waiting, last_upload_at, stored=True)
    return HrToDo(headlines, snapshot, now, imports_waiting, last_upload_at)


def _admin_to_do(user: Staff, today: date, sso_enabled: bool) -> AdminToDo:
    def in_post_with(need: str) -> int:
        filters = org_services.StaffFilters(status=org_services.StaffStatus.ACTIVE, need=need)
        return org_services.staff_count(user.organisation_id, filters, today)

    return AdminToDo(
        failed_jobs=sorted(
            (run for run in job_runs.latest_runs().values() if run.outcome is JobOutcome.FAILED),
            key=lambda run: run.job_name,
        ),
        failed_emails=notification_services.failed_email_count(),
        without_agreement=in_post_with(org_services.StaffNeed.NO_AGREEMENT),
        without_password=None if sso_enabled else in_post_with(org_services.StaffNeed.NO_PASSWORD),
    )
