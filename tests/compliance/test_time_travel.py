"""Eight weeks in the life of the demo organisation, in seconds.

The demo is seeded on Monday 23 November 2026 with its year of history; the injected clock then
moves a day at a time to 18 January 2027, and every other morning the jobs run, sending email
to a real SMTP server (every other day keeps the test quick; the weekly digest runs each time,
so it is also shown to go once a week however often it runs). Supervisors see everyone who was
not already late on the first day on the last working day before their supervision falls due;
the people the demo shows as overdue or escalated are not seen at all. Nobody signs anything,
so the drafts of the last few days before the seed become late write-ups too.

What should happen is worked out here, independently of the compliance engine, from the dates
the seed wrote (agreements, sessions held, absences, unsigned records, renewal dates) and the
policy as docs/rules.md states it: due soon within 5 working days, escalated past 10
working days overdue, a write-up due within 5 working days, renewals noticed 28 days ahead,
working days being weekdays that are not England and Wales bank holidays. Then: exactly the
expected alerts are raised on the expected days, exactly the expected emails arrive once each,
and running every job again at the same instant sends nothing new.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

import pytest
import sqlalchemy as sa
from dateutil.relativedelta import relativedelta

from supervision import demo
from supervision.agreements.models import AbsencePeriod, AsyeReview, FrequencyKind, SupervisionAgreement
from supervision.compliance.models import AlertKind, ComplianceAlert
from supervision.extensions import db
from supervision.jobs.models import JobOutcome
from supervision.jobs.runs import run_job
from supervision.notifications.models import OutboxEmail
from supervision.org.models import CareerStage, Staff
from supervision.records.models import SessionAttendee, SessionStatus, SupervisionRecord, SupervisionSession
from supervision.synth.history import Plan
from tests.factories import make_session

START = datetime(2026, 11, 23, 8, 30, tzinfo=UTC)  # a Monday, 08:30 in London (GMT all through)
DAYS = 8 * 7
STEP_DAYS = 2  # the jobs run every other morning; sessions are held on any day
# England and Wales bank holidays on weekdays in the weeks the test covers (gov.uk): Christmas
# Day, the substitute for Boxing Day (a Saturday) and New Year's Day.
BANK_HOLIDAYS = {date(2026, 12, 25), date(2026, 12, 28), date(2027, 1, 1)}
DUE_SOON_WORKING_DAYS = 5
ESCALATION_WORKING_DAYS = 10
WRITE_UP_WORKING_DAYS = 5
RENEWAL_NOTICE_DAYS = 28
DBS_RENEWAL = relativedelta(years=3)
# ASYE progress reviews (docs/metrics.md, "ASYE progress reviews"): months after the ASYE started,
# and how emails name them.
ASYE_REVIEWS = {"three_month": 3, "six_month": 6, "final": 12}
ASYE_REVIEW_NAMES = {
    "three_month": "3-month progress review",
    "six_month": "6-month progress review",
    "final": "12-month final assessment",
}
INTERVAL_DAYS = {
    CareerStage.SOCIAL_WORKER: 28,
    CareerStage.SENIOR_PRACTITIONER: 28,
    CareerStage.ASYE: 28,
    CareerStage.MANAGER: 42,
    CareerStage.OTHER: 42,
}
# In the order the scheduler runs them on a Monday morning.
EVERY_JOB = ["compliance-sweep", "reminders", "escalations", "weekly-digest", "outbox-sender"]


def is_working_day(day: date) -> bool:
    return day.weekday() < 5 and day not in BANK_HOLIDAYS


def days_after(start: date, end: date):
    """Each day after `start` up to and including `end`."""
    return (start + timedelta(days=offset) for offset in range(1, (end - start).days + 1))


def working_days_later(start: date, count: int) -> date:
    day = start
    while count:
        day += timedelta(days=1)
        count -= is_working_day(day)
    return day


@dataclass(frozen=True)
class Terms:
    """The current agreement, as plain values (ORM rows reload after every commit the jobs make)."""

    supervisor_id: int
    supervisor_email: str
    frequency_kind: FrequencyKind
    asye_started_on: date | None
    interval_days: int | None
    agreed_on: date
    review_due_on: date


@dataclass
class Person:
    """What the seed wrote about one person in post, and the sessions held since."""

    id: int
    name: str
    email: str
    career_stage: CareerStage
    line_manager_email: str | None
    head_of_service_email: str | None  # of the person's team's service, unless it is them
    registration_renewal_on: date | None
    dbs_checked_on: date | None
    agreement: Terms | None
    held: list[date]
    absences: list[tuple[date, date]]
    unsigned: list[tuple[int, date]]  # (record id, day held) of records the supervisor has not signed
    asye_reviews_held: set[str] = field(default_factory=set)  # stages held since the ASYE started
    keep_up: bool = False
    alerts: dict[tuple[AlertKind, str], date] = field(default_factory=dict)  # -> first day raised

    def absent(self, day: date) -> bool:
        return any(first <= day <= last for first, last in self.absences)

    def at_work(self, day: date) -> bool:
        return is_working_day(day) and not self.absent(day)

    def working_days(self, start: date, end: date) -> int:
        return sum(self.at_work(day) for day in days_after(start, end))

    def interval(self, clock_start: date) -> int:
        """ASYE: weekly for 6 weeks, fortnightly until 6 months, then monthly (docs/rules.md)."""
        agreement = self.agreement
        if agreement.frequency_kind is FrequencyKind.ASYE_STAGED:
            if clock_start < agreement.asye_started_on + timedelta(weeks=6):
                return 7
            if clock_start < agreement.asye_started_on + relativedelta(months=6):
                return 14
        return agreement.interval_days or INTERVAL_DAYS[self.career_stage]

    def due_on(self, today: date) -> date:
        """Absence days do not count toward the interval."""
        clock_start = max([self.agreement.agreed_on, *(day for day in self.held if day <= today)])
        remaining, day = self.interval(clock_start), clock_start
        while remaining:
            day += timedelta(days=1)
            remaining -= not self.absent(day)
        return day

    def asye_review_due_on(self, stage: str) -> date:
        """Its months after the ASYE started, later by each day of absence on the way."""
        start = self.agreement.asye_started_on
        remaining, day = (start + relativedelta(months=ASYE_REVIEWS[stage]) - start).days, start
        while remaining:
            day += timedelta(days=1)
            remaining -= not self.absent(day)
        return day

    def alerts_on(self, today: date) -> dict[tuple[AlertKind, str], date]:
        """(kind, period) -> due date of every alert the person's dates call for today."""
        alerts = {}
        if self.agreement is not None and self.agreement.frequency_kind is FrequencyKind.ASYE_STAGED:
            for stage in ASYE_REVIEWS.keys() - self.asye_reviews_held:
                due = self.asye_review_due_on(stage)
                if today > due:
                    alerts[AlertKind.ASYE_REVIEW_OVERDUE, f"{stage}-{due.isoformat()}"] = due
                elif (due - today).days <= RENEWAL_NOTICE_DAYS:
                    alerts[AlertKind.ASYE_REVIEW_DUE, f"{stage}-{due.isoformat()}"] = due
        if self.agreement is not None and not self.absent(today):
            due = self.due_on(today)
            if today <= due and self.working_days(today, due) <= DUE_SOON_WORKING_DAYS:
                alerts[AlertKind.DUE_SOON, due.isoformat()] = due
            if today > due:
                alerts[AlertKind.OVERDUE, due.isoformat()] = due
                if self.working_days(due, today) > ESCALATION_WORKING_DAYS:
                    alerts[AlertKind.ESCALATED, due.isoformat()] = due
        for record_id, held_on in self.unsigned:
            deadline = working_days_later(held_on, WRITE_UP_WORKING_DAYS)
            if today > deadline:
                alerts[AlertKind.WRITE_UP_OVERDUE, f"record-{record_id}"] = deadline
        for kind, due in (
            (AlertKind.AGREEMENT_REVIEW_DUE, self.agreement.review_due_on if self.agreement else None),
            (AlertKind.REGISTRATION_RENEWAL_DUE, self.registration_renewal_on),
            (AlertKind.DBS_RENEWAL_DUE, self.dbs_checked_on + DBS_RENEWAL if self.dbs_checked_on else None),
        ):
            if due is not None and (due - today).days <= RENEWAL_NOTICE_DAYS:
                alerts[kind, due.isoformat()] = due
        return alerts

    def is_seen_on(self, today: date) -> bool:
        """Kept up: seen on the last day at work before supervision falls due."""
        if not self.keep_up or not self.at_work(today):
            return False
        due = self.due_on(today)
        return today <= due and not any(self.at_work(day) for day in days_after(today, due))


def people_in_post(today: date) -> dict[int, Person]:
    """Everyone in post, with the dates the seed wrote for them."""
    staff = db.session.scalars(sa.select(Staff).where(Staff.active.is_(True)).order_by(Staff.id)).all()
    agreements = {
        agreement.supervisee_id: Terms(
            agreement.supervisor_id,
            agreement.supervisor.email,
            agreement.frequency_kind,
            agreement.asye_started_on,
            agreement.interval_days,
            agreement.agreed_on,
            agreement.review_due_on,
        )
        for agreement in db.session.scalars(
            sa.select(SupervisionAgreement).where(SupervisionAgreement.ended_on.is_(None))
        )
    }
    held, absences, unsigned = defaultdict(list), defaultdict(list), defaultdict(list)
    for person_id, held_on in db.session.execute(
        sa.select(SessionAttendee.supervisee_id, SupervisionSession.held_on)
        .join(SupervisionSession)
        .where(SupervisionSession.status == SessionStatus.HELD)
    ):
        held[person_id].append(held_on)
    for person_id, first, last in db.session.execute(
        sa.select(AbsencePeriod.staff_id, AbsencePeriod.starts_on, AbsencePeriod.ends_on)
    ):
        absences[person_id].append((first, last))
    for record_id, person_id, held_on in db.session.execute(
        sa.select(SupervisionRecord.id, SupervisionRecord.supervisee_id, SupervisionSession.held_on)
        .join(SupervisionSession)
        .where(SupervisionRecord.supervisor_signed_at.is_(None))
    ):
        unsigned[person_id].append((record_id, held_on))
    asye_reviews_held = defaultdict(set)
    for person_id, stage, held_on in db.session.execute(
        sa.select(AsyeReview.supervisee_id, AsyeReview.stage, AsyeReview.held_on)
    ):
        terms = agreements.get(person_id)
        if terms is not None and terms.asye_started_on is not None and held_on >= terms.asye_started_on:
            asye_reviews_held[person_id].add(stage.value)
    people = {}
    for person in staff:
        head = person.team.service.manager if person.team else None
        people[person.id] = Person(
            id=person.id,
            name=person.name,
            email=person.email,
            career_stage=person.career_stage,
            line_manager_email=person.line_manager.email if person.line_manager else None,
            head_of_service_email=head.email if head not in (None, person) else None,
            registration_renewal_on=person.swe_renewal_date,
            dbs_checked_on=person.dbs_check_date,
            agreement=agreements.get(person.id),
            held=held[person.id],
            absences=absences[person.id],
            unsigned=unsigned[person.id],
            asye_reviews_held=asye_reviews_held[person.id],
        )
        people[person.id].keep_up = person.id in agreements and people[person.id].due_on(today) >= today
    return people


def expected_emails(people: dict[int, Person], mondays: set[date]) -> Counter:
    """(to, subject) of every email the alerts and digests call for (docs/notifications.md)."""
    emails = Counter()
    for person in people.values():
        name = person.name
        supervisor = person.agreement.supervisor_email if person.agreement else None
        for kind, period in person.alerts:
            stage, _, asye_due = (
                period.partition("-") if period.split("-")[0] in ASYE_REVIEWS else ("", "", "")
            )
            review = ASYE_REVIEW_NAMES.get(stage)
            due = date.fromisoformat(asye_due or period) if not period.startswith("record-") else None
            when = f"{due.day} {due:%B %Y}" if due else ""
            to = {
                AlertKind.ASYE_REVIEW_DUE: [
                    (person.email, f"Your ASYE {review} is due by {when}"),
                    (supervisor, f"ASYE review due soon: {name}"),
                ],
                AlertKind.ASYE_REVIEW_OVERDUE: [
                    (person.email, f"Your ASYE {review} is overdue"),
                    (supervisor, f"ASYE review overdue: {name}"),
                    (person.head_of_service_email, f"Escalation: {name}'s ASYE review is overdue"),
                ],
                AlertKind.DUE_SOON: [
                    (person.email, f"Your supervision is due by {when}"),
                    (supervisor, f"Supervision due soon: {name}"),
                ],
                AlertKind.OVERDUE: [
                    (person.email, "Your supervision is overdue"),
                    (supervisor, f"Supervision overdue: {name}"),
                ],
                AlertKind.ESCALATED: [
                    (person.head_of_service_email, f"Escalation: {name}'s supervision is overdue")
                ],
                # To whoever held the session: in the demo, always the person's supervisor.
                AlertKind.WRITE_UP_OVERDUE: [(supervisor, f"Supervision record not signed: {name}")],
                AlertKind.AGREEMENT_REVIEW_DUE: [
                    (person.email, "Your supervision agreement is due for review"),
                    (supervisor, f"Supervision agreement review due: {name}"),
                ],
                AlertKind.REGISTRATION_RENEWAL_DUE: [
                    (person.email, "Your Social Work England registration is due for renewal"),
                    (person.line_manager_email, f"Social Work England renewal due: {name}"),
                ],
                AlertKind.DBS_RENEWAL_DUE: [
                    (person.email, "Your DBS check is due for renewal"),
                    (person.line_manager_email, f"DBS check renewal due: {name}"),
                ],
            }[kind]
            emails.update((address, subject) for address, subject in to if address is not None)
    # Each week, one summary to every supervisor and every head of service with people in post.
    managers = {person.agreement.supervisor_email for person in people.values() if person.agreement}
    managers |= {person.head_of_service_email for person in people.values()} - {None}
    for monday in mondays:
        emails.update(
            (manager, f"Weekly supervision summary: {monday.day} {monday:%B %Y}") for manager in managers
        )
    return emails


def run_all(names, clock):
    runs = [run_job(name, db.session, clock) for name in names]
    assert [run.outcome for run in runs] == [JobOutcome.SUCCEEDED] * len(names), [run.error for run in runs]


def open_alerts(people: dict[int, Person]) -> set[tuple[int, AlertKind, str]]:
    return {
        (alert.subject_id, alert.kind, alert.period)
        for alert in db.session.scalars(
            sa.select(ComplianceAlert).where(ComplianceAlert.resolved_at.is_(None))
        )
        if alert.subject_id in people
    }


@pytest.fixture
def seeded(app, clock):
    clock.at = START
    return demo.seed_demo()


def test_eight_weeks_of_jobs_raise_exactly_the_expected_alerts_and_emails_once(seeded, clock, smtp_server):
    people = people_in_post(clock.today())
    raised: dict[tuple[int, AlertKind, str], date] = {}
    mondays = set()
    for day in range(DAYS + 1):
        clock.at = START + timedelta(days=day)
        today = clock.today()
        for person in people.values():
            if person.is_seen_on(today):
                person.held.append(today)
                make_session(
                    db.session.get(Staff, person.agreement.supervisor_id),
                    db.session.get(Staff, person.id),
                    starts_at=clock.at + timedelta(hours=1),
                    status=SessionStatus.HELD,
                    held_on=today,
                )
        if day % STEP_DAYS:
            continue
        for person in people.values():
            for key in person.alerts_on(today):
                person.alerts.setdefault(key, today)
        run_all(EVERY_JOB, clock)
        last_run_at = clock.at
        mondays.add(today - timedelta(days=today.weekday()))
        for key in open_alerts(people):
            raised.setdefault(key, today)

    expected = {
        (person.id, kind, period): first
        for person in people.values()
        for (kind, period), first in person.alerts.items()
    }
    assert raised == expected

    # The people the demo shows as late go on to be escalated; everyone else is seen in time.
    late = {email for email, plan in seeded.plans.items() if plan in (Plan.OVERDUE, Plan.ESCALATED)}
    for kind in (AlertKind.OVERDUE, AlertKind.ESCALATED):
        assert {people[subject].email for subject, alert_kind, _ in raised if alert_kind is kind} == late
    due_soon = {people[subject].email for subject, kind, _ in raised if kind is AlertKind.DUE_SOON}
    assert {email for email, plan in seeded.plans.items() if plan is Plan.DUE_SOON} <= due_soon
    assert len(due_soon) > len(late)

    # Every email arrived, exactly once: the ones the alerts and digests call for, and no others.
    arrived = Counter((message["To"], message["Subject"]) for message in smtp_server.messages)
    assert arrived == expected_emails(people, mondays)
    message_ids = Counter(message["Message-ID"] for message in smtp_server.messages)
    assert set(message_ids.values()) == {1}
    assert len(message_ids) == db.session.scalar(sa.select(sa.func.count()).select_from(OutboxEmail))

    # Running every job again at the same instant raises and sends nothing new.
    clock.at = last_run_at
    alerts_before = db.session.scalar(sa.select(sa.func.count()).select_from(ComplianceAlert))
    sent = len(smtp_server.messages)
    run_all(EVERY_JOB, clock)
    assert len(smtp_server.messages) == sent
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ComplianceAlert)) == alerts_before
    assert db.session.scalar(sa.select(sa.func.count()).select_from(OutboxEmail)) == sent
