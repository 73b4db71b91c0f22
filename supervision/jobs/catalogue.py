"""The scheduled jobs: plain functions of a database session and a clock.

Each returns counts of what it did. Each commits in batches, and every batch is complete in
itself (an alert with its state, a notification with its email), so a job that dies half-way
leaves a consistent database and the next run finishes the rest; the unique keys make sure
nothing done before is done again. When each job runs is supervision/scheduler.py's business.
"""

from __future__ import annotations

import logging
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from datetime import date, datetime, timedelta
from itertools import islice

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import joinedload

from supervision.agreements.asye import AsyeStage
from supervision.auth.sessions import purge_ended_sessions
from supervision.auth.throttle import purge_forgotten
from supervision.bulk import rowcount
from supervision.cases import reminders as case_reminders
from supervision.clock import SystemClock
from supervision.compliance import messages, rules
from supervision.compliance.models import AlertKind, ComplianceAlert
from supervision.compliance.services import PersonCompliance, assess_people, in_post_scope, load_people
from supervision.extensions import AnySession
from supervision.hr import services as hr_services
from supervision.hr import stored as hr_stored
from supervision.hr.snapshots import take_retention_snapshot
from supervision.idempotency import insert_new
from supervision.jobs.models import JobRun
from supervision.memory import collector_paused
from supervision.notifications.digest import send_daily_digests
from supervision.notifications.sender import MailSettings, send_outbox
from supervision.notifications.services import Notice, queue_notices, recipients_by_id
from supervision.org.models import Organisation, Staff
from supervision.permissions import may_be_told_about
from supervision.privacy.retention import retention_purge
from supervision.records.models import SupervisionRecord, SupervisionSession
from supervision.reports import stored as oversight_stored
from supervision.reports import stored_cases
from supervision.stored_figures.freshness import record_run

log = logging.getLogger(__name__)

BATCH_SIZE = 500
ALERT_KEY = ("kind", "subject_id", "period")
REMINDER_KINDS = (
    AlertKind.DUE_SOON,
    AlertKind.OVERDUE,
    AlertKind.WRITE_UP_OVERDUE,
    AlertKind.AGREEMENT_REVIEW_DUE,
    AlertKind.REGISTRATION_RENEWAL_DUE,
    AlertKind.DBS_RENEWAL_DUE,
    AlertKind.ASYE_REVIEW_DUE,
    AlertKind.ASYE_REVIEW_OVERDUE,
)
# An ASYE review's alerts: due soon, then overdue (which is escalated to the head of service).
ASYE_REVIEW_ALERTS = {
    rules.ReviewState.DUE_SOON: AlertKind.ASYE_REVIEW_DUE,
    rules.ReviewState.OVERDUE: AlertKind.ASYE_REVIEW_OVERDUE,
}
ESCALATION_KINDS = (AlertKind.ESCALATED, AlertKind.ASYE_REVIEW_OVERDUE)
# Who hears about what: the person, their supervisor, their line manager.
TO_PERSON = {
    AlertKind.DUE_SOON,
    AlertKind.OVERDUE,
    AlertKind.AGREEMENT_REVIEW_DUE,
    AlertKind.REGISTRATION_RENEWAL_DUE,
    AlertKind.DBS_RENEWAL_DUE,
    *ASYE_REVIEW_ALERTS.values(),
}
TO_SUPERVISOR = {
    AlertKind.DUE_SOON,
    AlertKind.OVERDUE,
    AlertKind.AGREEMENT_REVIEW_DUE,
    *ASYE_REVIEW_ALERTS.values(),
}
TO_LINE_MANAGER = {AlertKind.REGISTRATION_RENEWAL_DUE, AlertKind.DBS_RENEWAL_DUE}
WEEKLY_DIGEST = "weekly_digest"
RECORD_PERIOD_PREFIX = "record-"

Counts = dict[str, int]


def chunks(items: Iterable) -> Iterator[list]:
    """Batches of BATCH_SIZE: each is loaded, worked on and committed as one transaction.

    `items` may be a generator: only two batches of it are held at a time.
    JOB_BATCH_PAUSE_SECONDS (tests only) waits after each batch but the last, so a test can
    kill a job between two committed batches.
    """
    pause = current_app.config["JOB_BATCH_PAUSE_SECONDS"]
    remaining = iter(items)
    batch = list(islice(remaining, BATCH_SIZE))
    while batch:
        following = list(islice(remaining, BATCH_SIZE))
        yield batch
        if pause and following:
            time.sleep(pause)
        batch = following


def page_path(endpoint: str, **values) -> str:
    """A path on this site, built outside a request (jobs have no request to build from)."""
    return current_app.url_map.bind("localhost").build(endpoint, values)


def compliance_path(person_id: int) -> str:
    return page_path("compliance.person", person_id=person_id)


def asye_period(stage: AsyeStage, due_on: date) -> str:
    """An ASYE review alert's period: the stage and its due date (a move by absence is a new one)."""
    return f"{stage.value}-{due_on.isoformat()}"


def asye_stage_of(alert: ComplianceAlert) -> AsyeStage:
    return AsyeStage(alert.period.split("-", 1)[0])


def alert_path(alert: ComplianceAlert) -> str:
    """Where a reminder about the alert links: the ASYE reviews page, or the compliance page."""
    if alert.kind in ASYE_REVIEW_ALERTS.values():
        return page_path("compliance.asye_reviews", person_id=alert.subject_id)
    return compliance_path(alert.subject_id)


# ------------------------------------------------------------------------ the sweep


def desired_alerts(person: PersonCompliance, today: date) -> Iterator[tuple[AlertKind, str, date]]:
    """Every alert the person's compliance calls for today: (kind, period, due date)."""
    supervision = person.supervision
    due = supervision.next_due_on
    if due is not None:  # every status below has its due date
        if supervision.status is rules.Status.DUE_SOON:
            yield AlertKind.DUE_SOON, due.isoformat(), due
        if supervision.status in (rules.Status.OVERDUE, rules.Status.ESCALATED):
            yield AlertKind.OVERDUE, due.isoformat(), due
        if supervision.status is rules.Status.ESCALATED:
            yield AlertKind.ESCALATED, due.isoformat(), due
    for write_up in person.pending_write_ups:
        unsigned = rules.WriteUp(write_up.held_on, None)
        if rules.write_up_is_overdue(unsigned, today, person.thresholds):
            due_on = rules.write_up_due_on(write_up.held_on, person.thresholds)
            yield AlertKind.WRITE_UP_OVERDUE, f"{RECORD_PERIOD_PREFIX}{write_up.record_id}", due_on
    assessment = person.assessment
    for kind, due_date in (
        (AlertKind.AGREEMENT_REVIEW_DUE, assessment.agreement_review),
        (AlertKind.REGISTRATION_RENEWAL_DUE, assessment.registration_renewal),
        (AlertKind.DBS_RENEWAL_DUE, assessment.dbs_renewal),
    ):
        if due_date is not None and due_date.needs_attention:
            yield kind, due_date.due_on.isoformat(), due_date.due_on
    for review in assessment.asye_reviews:
        if review.state in ASYE_REVIEW_ALERTS:
            yield ASYE_REVIEW_ALERTS[review.state], asye_period(review.stage, review.due_on), review.due_on


def compliance_sweep(session: AnySession, clock: SystemClock) -> Counts:
    """Raise the alerts today's compliance calls for, resolve those that no longer apply."""
    with collector_paused():  # everyone's facts as small objects: see supervision.memory
        return _sweep(session, clock.today(), clock.now())


def _sweep(session: AnySession, today: date, now: datetime) -> Counts:
    counts = Counter(people=0, raised=0, reopened=0, resolved=0)
    # One set of statements assesses everyone (the planner reads each table once, not once per
    # batch), and one reads the open alerts; writing and committing still go batch by batch.
    everyone = assess_people(session, in_post_scope(today), today)
    open_alerts: dict[int, dict[tuple, int]] = defaultdict(dict)
    for alert_id, kind, subject_id, period in session.execute(
        sa.select(
            ComplianceAlert.id, ComplianceAlert.kind, ComplianceAlert.subject_id, ComplianceAlert.period
        ).where(ComplianceAlert.resolved_at.is_(None))
    ):
        open_alerts[subject_id][(AlertKind(kind), subject_id, period)] = alert_id
    for people in chunks(everyone):
        desired = {
            (kind, person.person.id, period): due_on
            for person in people
            for kind, period, due_on in desired_alerts(person, today)
        }
        already_open = {
            key: alert_id for person in people for key, alert_id in open_alerts[person.person.id].items()
        }
        no_longer_needed = [alert_id for key, alert_id in already_open.items() if key not in desired]
        if no_longer_needed:
            counts["resolved"] += rowcount(
                session.execute(
                    sa.update(ComplianceAlert)
                    .where(ComplianceAlert.id.in_(no_longer_needed), ComplianceAlert.resolved_at.is_(None))
                    .values(resolved_at=now)
                    .execution_options(synchronize_session=False)
                )
            )
        wanted = [key for key in desired if key not in already_open]
        # Only new keys are inserted, so a quiet hour writes nothing; the unique key still
        # guards against another sweep inserting the same alert a moment earlier.
        raised = insert_new(
            session,
            ComplianceAlert.__table__,
            [
                {
                    "kind": kind.value,
                    "subject_id": subject,
                    "period": period,
                    "due_on": desired[key],
                    "raised_at": now,
                }
                for key in wanted
                for kind, subject, period in [key]
            ],
            ALERT_KEY,
        )
        counts["raised"] += raised
        if raised < len(wanted):
            # The rest were there already, resolved earlier: they apply again.
            counts["reopened"] += rowcount(
                session.execute(
                    sa.update(ComplianceAlert)
                    .where(
                        sa.tuple_(
                            ComplianceAlert.kind, ComplianceAlert.subject_id, ComplianceAlert.period
                        ).in_([(kind.value, subject, period) for kind, subject, period in wanted]),
                        ComplianceAlert.resolved_at.is_not(None),
                    )
                    .values(resolved_at=None)
                    .execution_options(synchronize_session=False)
                )
            )
        session.commit()
        counts["people"] += len(people)
    # People who have left: nothing about them needs doing any more.
    left = session.execute(
        sa.update(ComplianceAlert)
        .where(ComplianceAlert.resolved_at.is_(None), ComplianceAlert.subject_id.not_in(in_post_scope(today)))
        .values(resolved_at=now)
    )
    counts["resolved"] += rowcount(left)
    session.commit()
    return dict(counts)


# ----------------------------------------------------------- reminders and escalations


def _open_alerts(session: AnySession, kinds: Iterable[AlertKind], today: date) -> list[ComplianceAlert]:
    return list(
        session.scalars(
            sa.select(ComplianceAlert)
            .where(
                ComplianceAlert.resolved_at.is_(None),
                ComplianceAlert.kind.in_(list(kinds)),
                ComplianceAlert.subject_id.in_(in_post_scope(today)),
            )
            .options(joinedload(ComplianceAlert.subject).joinedload(Staff.team))
            .order_by(ComplianceAlert.id)
        )
    )


def _notice(recipient: Staff, alert_kind: str, subject_id: int, period: str, wording, link: str) -> Notice:
    return Notice(
        recipient_id=recipient.id,
        to_address=recipient.email,
        recipient_name=recipient.name,
        kind=alert_kind,
        subject_id=subject_id,
        period=period,
        title=wording.title,
        body=wording.body,
        link=link,
    )


def _write_up_sessions(session: AnySession, alerts: Sequence[ComplianceAlert]) -> dict[int, tuple[int, date]]:
    """Record id -> (the session's supervisor, the day it was held), for late write-up alerts."""
    record_ids = [
        int(alert.period.removeprefix(RECORD_PERIOD_PREFIX))
        for alert in alerts
        if alert.kind is AlertKind.WRITE_UP_OVERDUE
    ]
    if not record_ids:
        return {}
    rows = session.execute(
        sa.select(SupervisionRecord.id, SupervisionSession.supervisor_id, SupervisionSession.held_on)
        .join(SupervisionSession, SupervisionSession.id == SupervisionRecord.session_id)
        .where(SupervisionRecord.id.in_(record_ids))
    )
    return {
        record_id: (supervisor_id, held_on)
        for record_id, supervisor_id, held_on in rows
        if held_on is not None  # a held session has its date (held_has_date)
    }


def _queue(session: AnySession, notices: list[Notice], now, counts: Counter) -> None:
    created, queued = queue_notices(session, notices, now, current_app.config["BASE_URL"])
    session.commit()
    counts["notifications"] += created
    counts["emails"] += queued


def _people_of(
    session: AnySession, alerts: Sequence[ComplianceAlert], today: date
) -> dict[int, PersonCompliance]:
    return {
        person.person.id: person for person in load_people(session, {a.subject_id for a in alerts}, today)
    }


def _record_id(alert: ComplianceAlert) -> int:
    return int(alert.period.removeprefix(RECORD_PERIOD_PREFIX))


def _reminder_recipients(
    alert: ComplianceAlert,
    person: PersonCompliance,
    staff: dict[int, Staff],
    write_ups: dict[int, tuple[int, date]],
) -> list[tuple[Staff, messages.Wording]]:
    """Who hears about this alert, and in what words (active people only)."""
    subject = person.person
    if not isinstance(subject, Staff):  # _people_of loads the people themselves
        raise TypeError("reminders need the person, not a row of their dates")
    due_on = alert.due_on
    if due_on is None:  # reminders are raised with their due date (desired_alerts)
        return []
    supervisor = _staff_of(staff, person.supervisor_id)
    recipients: list[tuple[Staff, messages.Wording]] = []
    stage = asye_stage_of(alert).label if alert.kind in ASYE_REVIEW_ALERTS.values() else None
    if alert.kind in TO_PERSON:
        supervisor_name = supervisor.name if supervisor else None
        recipients.append((subject, messages.to_person(alert.kind, due_on, supervisor_name, stage)))
    about = messages.about_person(alert.kind, subject.name, due_on, review=stage)
    if alert.kind in TO_SUPERVISOR and supervisor is not None:
        recipients.append((supervisor, about))
    if alert.kind in TO_LINE_MANAGER and subject.line_manager_id in staff:
        recipients.append((staff[subject.line_manager_id], about))
    if alert.kind is AlertKind.WRITE_UP_OVERDUE and _record_id(alert) in write_ups:
        session_supervisor_id, held_on = write_ups[_record_id(alert)]
        if session_supervisor_id in staff:
            wording = messages.about_person(alert.kind, subject.name, due_on, held_on)
            recipients.append((staff[session_supervisor_id], wording))
    return [
        (recipient, wording)
        for recipient, wording in recipients
        if recipient.active and may_be_told_about(recipient, subject.id)
    ]


def _staff_of(staff: Mapping[int, Staff], staff_id: int | None) -> Staff | None:
    return None if staff_id is None else staff.get(staff_id)


def send_reminders(session: AnySession, clock: SystemClock) -> Counts:
    """Tell the person and their supervisor (or line manager) about each open alert, once."""
    today, now = clock.today(), clock.now()
    counts = Counter(alerts=0, notifications=0, emails=0, without_recipient=0)
    for batch in chunks(_open_alerts(session, REMINDER_KINDS, today)):
        people = _people_of(session, batch, today)
        write_ups = _write_up_sessions(session, batch)
        wanted: set[int | None] = {supervisor_id for supervisor_id, _ in write_ups.values()}
        for alert in batch:
            wanted |= {
                people[alert.subject_id].supervisor_id,
                people[alert.subject_id].person.line_manager_id,
            }
        staff = recipients_by_id(session, {staff_id for staff_id in wanted if staff_id is not None})
        notices = []
        for alert in batch:
            recipients = _reminder_recipients(alert, people[alert.subject_id], staff, write_ups)
            if not recipients:
                counts["without_recipient"] += 1
            link = alert_path(alert)
            notices += [
                _notice(recipient, alert.kind.value, alert.subject_id, alert.period, wording, link)
                for recipient, wording in recipients
            ]
        counts["alerts"] += len(batch)
        _queue(session, notices, now, counts)
    return dict(counts)


def send_escalations(session: AnySession, clock: SystemClock) -> Counts:
    """Tell the head of service about each person overdue past the escalation point, and about
    each ASYE review overdue, once."""
    today, now = clock.today(), clock.now()
    counts = Counter(alerts=0, notifications=0, emails=0, without_recipient=0)
    for batch in chunks(_open_alerts(session, ESCALATION_KINDS, today)):
        people = _people_of(session, batch, today)
        wanted = {people[a.subject_id].head_of_service_id for a in batch}
        wanted |= {people[a.subject_id].supervisor_id for a in batch}
        staff = recipients_by_id(session, {staff_id for staff_id in wanted if staff_id is not None})
        notices = []
        for alert in batch:
            person = people[alert.subject_id]
            head = _staff_of(staff, person.head_of_service_id)
            if head is not None and (head.id == person.person.id or not head.active):
                head = None  # nobody escalates to themselves, and a deactivated account hears nothing
            if head is None or not may_be_told_about(head, person.person.id):
                counts["without_recipient"] += 1
                log.warning("escalation has no head of service", extra={"staff_id": alert.subject_id})
                continue
            supervisor = _staff_of(staff, person.supervisor_id)
            team_name = person.person.team.name if person.person.team else None
            supervisor_name = supervisor.name if supervisor else None
            if alert.kind is AlertKind.ASYE_REVIEW_OVERDUE:
                wording = messages.asye_escalation(
                    person.person.name, team_name, supervisor_name, asye_stage_of(alert).label, alert.due_on
                )
            else:
                wording = messages.escalation(
                    person.person.name, team_name, supervisor_name, person.supervision
                )
            link = alert_path(alert)
            notices.append(_notice(head, alert.kind.value, person.person.id, alert.period, wording, link))
        counts["alerts"] += len(batch)
        _queue(session, notices, now, counts)
    return dict(counts)


# ------------------------------------------------------- case reminders and escalations


def _send_case_messages(session: AnySession, clock: SystemClock, escalations: bool) -> Counts:
    """One message per person per run, counting the cases newly due soon or overdue (or, for the
    head of service, escalated); what is due is supervision.cases.reminders' business."""
    today, now = clock.today(), clock.now()
    counts = Counter(cases=0, notifications=0, emails=0, without_recipient=0)
    link = page_path("case_oversight.cases")
    for organisation_id in case_reminders.organisations_with_open_cases(session, today):
        planned, without_recipient = case_reminders.plan(session, organisation_id, today, escalations)
        counts["without_recipient"] += without_recipient
        for batch in chunks(planned):
            staff = recipients_by_id(session, {message.recipient_id for message in batch})
            notices = []
            for message in batch:
                recipient = staff.get(message.recipient_id)
                if recipient is None or not recipient.active or not may_be_told_about(recipient, None):
                    counts["without_recipient"] += len(message.keys)
                    continue
                counts["cases"] += case_reminders.record_sent(session, message, now)
                title, body = message.wording()
                notices.append(
                    _notice(
                        recipient,
                        message.notice_kind,
                        recipient.id,
                        message.period,
                        messages.Wording(title, body),
                        link,
                    )
                )
            _queue(session, notices, now, counts)
    session.commit()
    return dict(counts)


def send_case_reminders(session: AnySession, clock: SystemClock) -> Counts:
    """Tell each supervisor, once, about their supervisees' cases newly due soon or overdue oversight."""
    return _send_case_messages(session, clock, escalations=False)


def send_case_escalations(session: AnySession, clock: SystemClock) -> Counts:
    """Tell each head of service, once, about cases overdue past the policy's escalation point."""
    return _send_case_messages(session, clock, escalations=True)


# ------------------------------------------------------------------- weekly digest


def week_period(today: date) -> tuple[str, date]:
    """The ISO week `today` falls in, as a period key, and its Monday."""
    year, week, weekday = today.isocalendar()
    return f"{year}-W{week:02d}", today - timedelta(days=weekday - 1)


def send_weekly_digest(session: AnySession, clock: SystemClock) -> Counts:
    """Each supervisor and head of service gets one summary a week of the people they look after,
    with their supervisees' ASYE reviews due soon or overdue."""
    today, now = clock.today(), clock.now()
    period, monday = week_period(today)
    counts = Counter(recipients=0, notifications=0, emails=0)
    people = load_people(session, in_post_scope(today), today)
    supervisees: dict[int, list[PersonCompliance]] = defaultdict(list)
    # Each supervisee's next ASYE review, when due soon or overdue: the assessment already holds
    # the compliance engine's due dates (rules.asye_reviews), so this costs no further query.
    asye_reviews: dict[int, list[tuple[str, rules.AsyeReviewDue]]] = defaultdict(list)
    services: dict[int, dict[str, list[PersonCompliance]]] = defaultdict(lambda: defaultdict(list))
    for person in people:
        if person.supervisor_id is not None:
            supervisees[person.supervisor_id].append(person)
            review = person.assessment.asye_review_due
            if review is not None and review.state.needs_attention:
                asye_reviews[person.supervisor_id].append((person.person.name, review))
        team = person.person.team
        # A head of service is known only for someone in a team.
        if person.head_of_service_id is not None and person.head_of_service_id != person.person.id and team:
            services[person.head_of_service_id][team.service.name].append(person)
    recipients = recipients_by_id(session, set(supervisees) | set(services))
    link = page_path("sessions.supervisees")
    notices = []
    for recipient_id in sorted(recipients):
        recipient = recipients[recipient_id]
        if not recipient.active or not may_be_told_about(recipient, None):
            continue
        wording = messages.digest(
            monday,
            [(p.person.name, p.supervision) for p in supervisees.get(recipient_id, [])],
            [
                (service, [(p.person.name, p.supervision) for p in members])
                for service, members in sorted(services.get(recipient_id, {}).items())
            ],
            asye_reviews.get(recipient_id, []),
        )
        notices.append(_notice(recipient, WEEKLY_DIGEST, recipient.id, period, wording, link))
    counts["recipients"] = len(notices)
    for batch in chunks(notices):
        _queue(session, list(batch), now, counts)
    return dict(counts)


# ------------------------------------------------------------- outbox and pruning


def send_emails(session: AnySession, clock: SystemClock) -> Counts:
    """Send the emails in the outbox that are due (new ones, and retries whose wait is over)."""
    return send_outbox(session, clock.now(), MailSettings.from_config(current_app.config))


def prune_job_runs(session: AnySession, clock: SystemClock) -> Counts:
    """Forget job runs older than the retention period, so the table stays small."""
    cutoff = clock.now() - timedelta(days=current_app.config["JOB_RUN_RETENTION_DAYS"])
    result = session.execute(sa.delete(JobRun).where(JobRun.started_at < cutoff))
    session.commit()
    return {"deleted": rowcount(result)}


def purge_sign_ins(session: AnySession, clock: SystemClock) -> Counts:
    """Delete the rows of sessions that have ended (lifetime or idle) and throttle counts forgotten."""
    config = current_app.config
    now = clock.now()
    sessions = purge_ended_sessions(session, now, config["SESSION_IDLE_TIMEOUT"])
    throttle_counts = purge_forgotten(session, now, config["SIGN_IN_FORGET_AFTER"])
    session.commit()
    return {"sessions": sessions, "throttle_counts": throttle_counts}


def refresh_stored_figures(session: AnySession, clock: SystemClock) -> Counts:
    """Work out every stored figure again, one organisation at a time (docs/metrics.md, "Stored
    figures"): the oversight figures (supervision.reports.stored), the report's case section
    (supervision.reports.stored_cases) and HR's supervision before
    leaving (supervision.hr.stored), then HR's counted reports at the latest census date and which
    of their cells to withhold (supervision.hr.services.store_reports_and_withholding). Each
    organisation's figures and the time of the run that
    worked them out are committed together, so a page never reads a half-written set, and the
    time it shows is never later than the facts the figures were worked out from."""
    counts: Counter = Counter()
    for organisation_id in session.scalars(sa.select(Organisation.id).order_by(Organisation.id)).all():
        today, started_at = clock.today(), clock.now()
        # HR's windows first: they are worked out on a connection of their own, which SQLite
        # would keep waiting once this transaction has written (compliance.services).
        counts += hr_stored.refresh_organisation(session, organisation_id, today)
        counts += oversight_stored.refresh_organisation(session, organisation_id, today)
        counts += stored_cases.refresh_organisation(session, organisation_id, today)
        record_run(session, organisation_id, today, started_at)
        session.commit()
        # Then HR's counted reports, from the figures as they now are (with the windows just
        # stored), stamped with this run's time, and which of their cells to withhold.
        counts += hr_services.store_reports_and_withholding(session, organisation_id, today, started_at)
        session.commit()
        counts["organisations"] += 1
    return dict(counts)


Job = Callable[[AnySession, SystemClock], Counts]

# Names as typed at `flask --app wsgi run-job NAME` and shown on the admin page.
JOBS: dict[str, Job] = {
    "compliance-sweep": compliance_sweep,
    "stored-figures": refresh_stored_figures,
    "reminders": send_reminders,
    "escalations": send_escalations,
    "case-reminders": send_case_reminders,
    "case-escalations": send_case_escalations,
    "weekly-digest": send_weekly_digest,
    "daily-digest": send_daily_digests,
    "outbox-sender": send_emails,
    "prune-job-runs": prune_job_runs,
    "purge-sign-ins": purge_sign_ins,
    "retention-snapshot": take_retention_snapshot,
    "retention-purge": retention_purge,
}
