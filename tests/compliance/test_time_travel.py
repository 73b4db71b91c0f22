"""Eight weeks in the life of a team, in seconds: the demo organisation, a team with known
supervision histories, the injected clock moved a day at a time, the jobs run as scheduled.

Exactly the expected people become due soon, overdue and escalated, on the expected days; the
expected emails arrive at a real SMTP server, once each; running the jobs again sends nothing new.

The team (supervisor Tia Shah, in the demo's Assessment and Intervention service, whose head
is Helen Okafor). Monday 23 November 2026 is day 0; intervals are 28 days:
- Ava: held 20 Nov (due 18 Dec); held 15 Dec with a record never signed; held 7 Jan. Her Social
  Work England registration is due for renewal on 10 January.
- Ben: held 2 Nov (due 30 Nov), then nothing until 18 Dec (due 15 Jan), then nothing.
- Cara: held 9 Nov; on leave 30 Nov to 11 Dec, so due 19 Dec; then nothing.
- Eve: a new starter whose agreement began on day 0 and who is never supervised (due 21 Dec).
- Finn: supervised every two or three weeks, always before anything is due.
"""

from collections import Counter
from datetime import UTC, date, datetime, timedelta

import pytest
import sqlalchemy as sa

from supervision import demo
from supervision.compliance.job_runs import run_job
from supervision.compliance.models import AlertKind, ComplianceAlert, JobOutcome
from supervision.extensions import db
from supervision.notifications.models import OutboxEmail
from supervision.org.models import Role, Team
from supervision.records.models import SessionStatus
from tests.factories import make_absence, make_agreement, make_record, make_session, make_staff

START = datetime(2026, 11, 23, 8, 30, tzinfo=UTC)  # 08:30 in London (GMT all through)
DAYS = 8 * 7

HELD = {  # day of the session -> who is supervised that morning, before the jobs run
    date(2026, 12, 4): ["Finn"],
    date(2026, 12, 15): ["Ava"],
    date(2026, 12, 18): ["Ben", "Finn"],
    date(2027, 1, 7): ["Ava", "Finn"],
}

# (kind, person, period) -> the day the alert is first raised.
EXPECTED_ALERTS = {
    (AlertKind.DUE_SOON, "Ava", "2026-12-18"): date(2026, 12, 11),
    (AlertKind.REGISTRATION_RENEWAL_DUE, "Ava", "2027-01-10"): date(2026, 12, 13),
    (AlertKind.WRITE_UP_OVERDUE, "Ava", "record"): date(2026, 12, 23),
    (AlertKind.DUE_SOON, "Ava", "2027-01-12"): date(2027, 1, 5),
    (AlertKind.DUE_SOON, "Ben", "2026-11-30"): date(2026, 11, 23),
    (AlertKind.OVERDUE, "Ben", "2026-11-30"): date(2026, 12, 1),
    (AlertKind.ESCALATED, "Ben", "2026-11-30"): date(2026, 12, 15),
    (AlertKind.DUE_SOON, "Ben", "2027-01-15"): date(2027, 1, 8),
    (AlertKind.OVERDUE, "Ben", "2027-01-15"): date(2027, 1, 16),
    (AlertKind.DUE_SOON, "Cara", "2026-12-19"): date(2026, 11, 27),
    (AlertKind.OVERDUE, "Cara", "2026-12-19"): date(2026, 12, 20),
    (AlertKind.ESCALATED, "Cara", "2026-12-19"): date(2027, 1, 7),
    (AlertKind.DUE_SOON, "Eve", "2026-12-21"): date(2026, 12, 14),
    (AlertKind.OVERDUE, "Eve", "2026-12-21"): date(2026, 12, 22),
    (AlertKind.ESCALATED, "Eve", "2026-12-21"): date(2027, 1, 8),
}
OPEN_AT_THE_END = {
    (AlertKind.REGISTRATION_RENEWAL_DUE, "Ava", "2027-01-10"),
    (AlertKind.WRITE_UP_OVERDUE, "Ava", "record"),
    (AlertKind.OVERDUE, "Ben", "2027-01-15"),
    (AlertKind.OVERDUE, "Cara", "2026-12-19"),
    (AlertKind.ESCALATED, "Cara", "2026-12-19"),
    (AlertKind.OVERDUE, "Eve", "2026-12-21"),
    (AlertKind.ESCALATED, "Eve", "2026-12-21"),
}
MONDAYS = [date(2026, 11, 23) + timedelta(weeks=week) for week in range(9)]


def expected_emails() -> Counter:
    """(to, subject) of every email about the team, as its people and managers should get them."""
    tia, head = "tia.shah@example.test", demo.demo_account(Role.SERVICE_MANAGER).email
    emails = Counter()
    for name, due_soon_dates in (
        ("Ava", ["18 December 2026", "12 January 2027"]),
        ("Ben", ["30 November 2026", "15 January 2027"]),
        ("Cara", ["19 December 2026"]),
        ("Eve", ["21 December 2026"]),
    ):
        address = f"{name.lower()}@example.test"
        for when in due_soon_dates:
            emails[(address, f"Your supervision is due by {when}")] += 1
            emails[(tia, f"Supervision due soon: {name} Team")] += 1
    for name, times in (("Ben", 2), ("Cara", 1), ("Eve", 1)):
        emails[(f"{name.lower()}@example.test", "Your supervision is overdue")] += times
        emails[(tia, f"Supervision overdue: {name} Team")] += times
        emails[(head, f"Escalation: {name} Team's supervision is overdue")] += 1
    emails[("ava@example.test", "Your Social Work England registration is due for renewal")] += 1
    emails[(tia, "Social Work England renewal due: Ava Team")] += 1
    emails[(tia, "Supervision record not signed: Ava Team")] += 1
    for monday in MONDAYS:
        emails[(tia, f"Weekly supervision summary: {monday.day} {monday:%B %Y}")] += 1
    return emails


@pytest.fixture
def team(app, clock):
    clock.at = START
    seeded = demo.seed_demo()
    service = seeded.services[demo.DEMO_SERVICE]
    tia = make_staff(
        Role.SUPERVISOR,
        given_name="Tia",
        family_name="Shah",
        email="tia.shah@example.test",
        line_manager=service.manager,
    )
    team = Team(service=service, name="Time Travel Team")
    db.session.add(team)
    db.session.flush()
    tia.team = team
    db.session.flush()
    team.manager = tia
    db.session.commit()
    people = {}
    for name, last_held in (
        ("Ava", date(2026, 11, 20)),
        ("Ben", date(2026, 11, 2)),
        ("Cara", date(2026, 11, 9)),
        ("Eve", None),
        ("Finn", date(2026, 11, 20)),
    ):
        person = make_staff(
            given_name=name,
            family_name="Team",
            email=f"{name.lower()}@example.test",
            team=team,
            line_manager=tia,
            swe_renewal_date=date(2027, 1, 10) if name == "Ava" else None,
            dbs_check_date=None,
        )
        make_agreement(
            person,
            tia,
            agreed_on=date(2026, 11, 23) if last_held is None else date(2026, 6, 1),
            review_due_on=date(2027, 11, 23),
        )
        if last_held:
            hold(tia, person, last_held)
        people[name] = person
    make_absence(people["Cara"], date(2026, 11, 30), date(2026, 12, 11))
    return tia, people


def hold(supervisor, person, on):
    make_session(
        supervisor,
        person,
        starts_at=datetime.combine(on, datetime.min.time(), UTC),
        status=SessionStatus.HELD,
    )


def run_all(names, clock):
    runs = [run_job(name, db.session, clock) for name in names]
    assert [run.outcome for run in runs] == [JobOutcome.SUCCEEDED] * len(names), [run.error for run in runs]


def alerts_about(names_by_id, records):
    """(kind, person, period) -> alert, for the team; a late write-up's period reads "record"."""
    rows = db.session.scalars(sa.select(ComplianceAlert).where(ComplianceAlert.subject_id.in_(names_by_id)))
    return {
        (
            alert.kind,
            names_by_id[alert.subject_id],
            "record" if alert.period in records else alert.period,
        ): alert
        for alert in rows
    }


def test_eight_weeks_of_jobs_raise_exactly_the_expected_alerts_and_emails_once(team, clock, smtp_server):
    tia, people = team
    names_by_id = {person.id: name for name, person in people.items()}
    records: set[str] = set()
    first_raised = {}
    for day in range(DAYS + 1):
        clock.at = START + timedelta(days=day)
        today = clock.today()
        for name in HELD.get(today, []):
            if name == "Ava" and today == date(2026, 12, 15):
                records.add(f"record-{make_record(people['Ava'], tia, held_on=today).id}")
            else:
                hold(tia, people[name], today)
        run_all(["compliance-sweep", "reminders", "escalations"], clock)
        if today.weekday() == 0:
            run_all(["weekly-digest"], clock)
        run_all(["outbox-sender"], clock)
        for key, alert in alerts_about(names_by_id, records).items():
            if alert.resolved_at is None:
                first_raised.setdefault(key, today)

    assert first_raised == EXPECTED_ALERTS
    still_open = {
        key for key, alert in alerts_about(names_by_id, records).items() if alert.resolved_at is None
    }
    assert still_open == OPEN_AT_THE_END

    addresses = {person.email for person in people.values()} | {tia.email}
    head = demo.demo_account(Role.SERVICE_MANAGER).email
    about_the_team = Counter(
        (message["To"], message["Subject"])
        for message in smtp_server.messages
        if message["To"] in addresses or (message["To"] == head and "Team" in message["Subject"])
    )
    assert about_the_team == expected_emails()
    head_digests = [m for m in smtp_server.to(head) if m["Subject"].startswith("Weekly supervision summary")]
    assert len(head_digests) == len(MONDAYS)

    # Every email in the outbox arrived, exactly once.
    message_ids = Counter(message["Message-ID"] for message in smtp_server.messages)
    assert set(message_ids.values()) == {1}
    assert len(message_ids) == db.session.scalar(sa.select(sa.func.count()).select_from(OutboxEmail))

    # Running every job again, now and the day after, sends nothing new.
    sent = len(smtp_server.messages)
    every_job = ["compliance-sweep", "reminders", "escalations", "weekly-digest", "outbox-sender"]
    run_all(every_job, clock)
    clock.advance(days=1)
    run_all(every_job, clock)
    assert len(smtp_server.messages) == sent
