"""The retention purge: a dry-run report first, the purge a run later, only of leavers past the
retention period, each purge audited, nothing else touched, and never any content in the logs."""

from __future__ import annotations

import logging
from datetime import UTC, date, datetime, timedelta
from types import SimpleNamespace

import pytest
import sqlalchemy as sa

from supervision.agreements.asye import AsyeStage
from supervision.audit.models import AuditEvent, ClosedMonthChange
from supervision.auth.tokens import create_token
from supervision.compliance.models import AlertKind, ComplianceAlert
from supervision.extensions import db
from supervision.jobs.models import JobOutcome
from supervision.jobs.runs import run_job
from supervision.notifications.models import Notification, OutboxEmail
from supervision.org.models import Role, Staff
from supervision.privacy.models import RetentionReview
from supervision.records.models import RecordAddendum, SessionAttendee, SessionStatus
from tests.factories import (
    COMPLETE_SECTIONS,
    make_absence,
    make_action,
    make_agreement,
    make_asye_review,
    make_overdue_explanation,
    make_quality_audit,
    make_record,
    make_session,
    make_staff,
)
from tests.replay import replayed

# The clock fixture stands at Monday 23 November 2026: six years back is 23 November 2020.
LONG_GONE = date(2019, 6, 28)
RECENTLY_LEFT = date(2024, 1, 31)
SECRET_WORDS = "Private worry about the move to the new team"


def notice(recipient: Staff, subject: Staff, kind: str = "due_soon") -> None:
    now = datetime(2019, 5, 1, tzinfo=UTC)
    db.session.add(
        Notification(
            recipient_id=recipient.id,
            kind=kind,
            subject_id=subject.id,
            period="2019-05-01",
            title=f"Supervision due for {subject.name}",
            body=f"{subject.name} is due supervision.",
            link="/",
            created_at=now,
        )
    )
    db.session.add(
        OutboxEmail(
            recipient_id=recipient.id,
            kind=kind,
            subject_id=subject.id,
            period="2019-05-01",
            to_address=recipient.email,
            subject=f"Supervision due for {subject.name}",
            body=f"{subject.name} is due supervision.",
            next_attempt_at=now,
            created_at=now,
        )
    )
    db.session.commit()


@pytest.fixture
@replayed
def organisation(clock):
    """A leaver long gone, a recent leaver and a person still in post, with overlapping records."""
    supervisor = make_staff(Role.SUPERVISOR, given_name="Sam")
    manager = make_staff(Role.SERVICE_MANAGER)
    leaver = make_staff(
        given_name="Lorna",
        family_name="Leftlongago",
        email="lorna@example.test",
        line_manager=supervisor,
        start_date=date(2012, 4, 2),
        end_date=LONG_GONE,
        leaving_reason="Moved away to care for a parent",
        swe_registration_number="SW123456",
    )
    recent = make_staff(
        given_name="Rhys", line_manager=supervisor, start_date=date(2015, 1, 5), end_date=RECENTLY_LEFT
    )
    stayer = make_staff(given_name="Wren", line_manager=supervisor)

    make_agreement(leaver, supervisor, agreed_on=date(2018, 1, 8))
    absence = make_absence(leaver, date(2018, 8, 6), date(2018, 8, 17))
    make_asye_review(leaver, AsyeStage.THREE_MONTH, date(2012, 7, 2), participants=SECRET_WORDS)
    db.session.add(  # recorded after August 2018 closed, with a reason that may say anything
        ClosedMonthChange(
            occurred_at=datetime(2018, 10, 1, tzinfo=UTC),
            actor_id=supervisor.id,
            staff_id=leaver.id,
            change="absence_recorded",
            object_type="absence_period",
            object_id=absence.id,
            first_day=date(2018, 8, 6),
            last_day=date(2018, 8, 17),
            first_month=date(2018, 8, 1),
            last_month=date(2018, 8, 1),
            reason=SECRET_WORDS,
        )
    )
    own = make_record(leaver, supervisor, held_on=date(2019, 3, 4), complete=True, wellbeing=SECRET_WORDS)
    make_action(own, owner=leaver)
    db.session.add(
        RecordAddendum(
            record_id=own.id,
            author_id=supervisor.id,
            reason="Date corrected",
            body="Held on the 4th, not the 5th.",
            created_at=datetime(2019, 3, 20, tzinfo=UTC),
        )
    )
    db.session.commit()
    make_quality_audit(own, manager)
    group = make_session(
        supervisor,
        leaver,
        stayer,
        starts_at=datetime(2019, 4, 1, 10, tzinfo=UTC),
        status=SessionStatus.HELD,
    )
    leaver_in_group = make_record(leaver, supervisor, held_on=date(2019, 4, 1), session=group)
    stayer_in_group = make_record(stayer, supervisor, held_on=date(2019, 4, 1), session=group)
    # Records of other people that name the leaver stay: as an action's owner, as a supervisor.
    make_action(stayer_in_group, owner=leaver, description="Lorna to share the chronology")
    run_by_leaver = make_record(stayer, leaver, held_on=date(2019, 2, 4), complete=True)
    db.session.add(
        ComplianceAlert(
            kind=AlertKind.OVERDUE,
            subject_id=leaver.id,
            period="2019-05-01",
            due_on=date(2019, 5, 1),
            raised_at=datetime(2019, 5, 2, tzinfo=UTC),
        )
    )
    db.session.commit()
    make_overdue_explanation(leaver, supervisor, date(2019, 5, 1))
    notice(leaver, leaver)
    notice(supervisor, leaver)
    notice(supervisor, stayer)
    create_token(leaver, "old laptop", False, timedelta(days=30))

    make_agreement(recent, supervisor, agreed_on=date(2022, 1, 10))
    make_record(recent, supervisor, held_on=date(2023, 12, 4), complete=True)
    make_record(stayer, supervisor, held_on=date(2026, 11, 2), complete=True)
    return SimpleNamespace(
        supervisor=supervisor,
        leaver=leaver,
        recent=recent,
        stayer=stayer,
        group=group,
        own=own,
        leaver_in_group=leaver_in_group,
        stayer_in_group=stayer_in_group,
        run_by_leaver=run_by_leaver,
    )


def everything() -> dict[str, dict[tuple, str]]:
    """Every row of every table, by primary key (rows as text, so they can be compared)."""
    db.session.expire_all()
    rows = {}
    for table in db.metadata.sorted_tables:
        key = [column.name for column in table.primary_key.columns]
        rows[table.name] = {
            tuple(row[name] for name in key): repr(sorted(row.items()))
            for row in (r._mapping for r in db.session.execute(sa.select(table)))
        }
    return rows


def changed_tables(before, after, ignore=("job_run",)) -> set[str]:
    return {name for name in before if name not in ignore and before[name] != after[name]}


def purge(clock):
    run = run_job("retention-purge", db.session, clock)
    assert run.outcome is JobOutcome.SUCCEEDED, run.error
    return run.counts


def test_the_dry_run_reports_only_leavers_past_retention_with_counts_and_changes_nothing_else(
    organisation, clock
):
    before = everything()
    counts = purge(clock)
    after = everything()

    assert counts["reported"] == 1 and counts["purged"] == 0
    assert changed_tables(before, after) == {"retention_review"}
    review = db.session.scalar(sa.select(RetentionReview))
    assert (review.staff_id, review.end_date, review.purged_at) == (organisation.leaver.id, LONG_GONE, None)
    assert review.counts == {
        "action_reviews": 0,
        "actions": 1,
        "case_discussions": 1,
        "addenda": 1,
        "returns": 0,
        "quality_audits": 1,
        "records": 2,
        "session_places": 2,
        "sessions": 1,
        "agreements": 1,
        "absences": 1,
        "asye_reviews": 1,
        "alerts": 1,
        "gap_explanations": 1,
        "notifications": 2,
        "emails": 2,
        "closed_month_changes": 1,
        "api_tokens": 1,
        "calendar_feeds": 0,
        "case_allocations": 0,
        "cases": 0,
    }


def test_nothing_is_purged_until_the_notice_period_after_the_report_has_passed(organisation, clock):
    purge(clock)
    clock.advance(days=13)
    before = everything()
    counts = purge(clock)
    assert counts["purged"] == 0 and counts["waiting"] == 1
    assert changed_tables(before, everything()) == set()


def test_the_purge_removes_exactly_the_reported_leavers_supervision_data(organisation, clock):
    o = organisation
    own_id, own_session_id, in_group_id = o.own.id, o.own.session_id, o.leaver_in_group.id
    employment = (
        o.leaver.start_date,
        o.leaver.end_date,
        o.leaver.fte,
        o.leaver.contract_type,
        o.leaver.team_id,
    )
    purge(clock)
    clock.advance(days=31)
    before = everything()
    counts = purge(clock)
    after = everything()

    assert counts["purged"] == 1 and counts["records_purged"] == 2 and counts["reported"] == 0
    removed = {name: set(before[name]) - set(after[name]) for name in before}
    added = {name for name in before if not set(after[name]) <= set(before[name])}
    assert added == {"audit_event", "job_run"}
    assert removed["supervision_record"] == {(own_id,), (in_group_id,)}
    assert removed["supervision_session"] == {(own_session_id,)}  # the group session stays
    attendees = db.session.scalars(sa.select(SessionAttendee.supervisee_id)).all()
    assert len(removed["session_attendee"]) == 2 and o.leaver.id not in attendees
    assert all(
        len(removed[name]) == 1
        for name in ("supervision_agreement", "absence_period", "asye_review", "api_token")
    )
    assert len(removed["notification"]) == 2 and len(removed["outbox_email"]) == 2
    assert {name for name, rows in removed.items() if rows} == {
        "supervision_record",
        "supervision_session",
        "session_attendee",
        "case_discussion",
        "supervision_action",
        "record_addendum",
        "quality_audit",
        "supervision_agreement",
        "absence_period",
        "asye_review",
        "compliance_alert",
        "overdue_explanation",
        "notification",
        "outbox_email",
        "closed_month_change",
        "api_token",
        "staff_role",
    }
    # Everyone else's records are untouched, including those naming the leaver.
    for name in ("supervision_record", "supervision_session", "supervision_action"):
        assert [key for key in after[name] if after[name][key] != before[name][key]] == [], name
    untouched_apart_from_removals = {name for name, rows in removed.items() if not rows}
    assert changed_tables(before, after) & untouched_apart_from_removals == {
        "staff",
        "retention_review",
        "audit_event",
    }

    leaver = db.session.get(Staff, o.leaver.id)
    assert leaver.name == "Former member of staff"
    assert (leaver.email, leaver.employee_number, leaver.password_hash) == (
        f"purged-{leaver.id}@purged.invalid",
        None,
        None,
    )
    assert leaver.leaving_reason is None and leaver.swe_registration_number is None and not leaver.active
    # What the HR figures count stays.
    assert (
        leaver.start_date,
        leaver.end_date,
        leaver.fte,
        leaver.contract_type,
        leaver.team_id,
    ) == employment
    others = {o.supervisor.id, o.recent.id, o.stayer.id}
    assert all(before["staff"][(i,)] == after["staff"][(i,)] for i in others)


def test_each_purged_person_gets_an_audit_entry_and_nothing_else_does(organisation, clock):
    purge(clock)
    clock.advance(days=31)
    purge(clock)
    events = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "purge")).all()
    assert [(e.actor_id, e.object_type, e.object_id, e.occurred_at) for e in events] == [
        (None, "staff", organisation.leaver.id, clock.now())
    ]


def test_running_again_purges_nothing_more_and_reports_no_one_twice(organisation, clock):
    purge(clock)
    clock.advance(days=31)
    purge(clock)
    before = everything()
    clock.advance(days=31)
    counts = purge(clock)
    assert counts == {
        "purged": 0,
        "records_purged": 0,
        "withdrawn": 0,
        "reported": 0,
        "waiting": 0,
        "closed_cases_purged": 0,
    }
    assert changed_tables(before, everything()) == set()


def test_a_leaver_reaching_the_retention_period_later_is_reported_then_purged(organisation, clock):
    purge(clock)
    clock.advance(days=31)
    purge(clock)
    # Rhys left on 31 January 2024: due from 31 January 2030.
    clock.at = datetime(2030, 2, 1, 9, tzinfo=UTC)
    assert purge(clock)["reported"] == 1
    clock.advance(days=28)
    assert purge(clock)["purged"] == 1
    assert db.session.get(Staff, organisation.recent.id).name == "Former member of staff"
    assert db.session.get(Staff, organisation.stayer.id).name.startswith("Wren")


def test_a_changed_end_date_withdraws_the_report_and_nothing_is_purged(organisation, clock):
    purge(clock)
    leaver = db.session.get(Staff, organisation.leaver.id)
    leaver.end_date = date(2021, 3, 31)  # corrected: within the retention period after all
    db.session.commit()
    clock.advance(days=31)
    before = everything()
    counts = purge(clock)
    assert counts["withdrawn"] == 1 and counts["purged"] == 0
    assert changed_tables(before, everything()) == {"retention_review"}
    assert db.session.scalar(sa.select(sa.func.count()).select_from(RetentionReview)) == 0


def test_no_content_or_identity_reaches_the_logs(organisation, clock, caplog):
    caplog.set_level(logging.DEBUG)
    purge(clock)
    clock.advance(days=31)
    purge(clock)
    logged = "\n".join(repr(record.__dict__) for record in caplog.records)
    assert "retention purge: staff" in logged
    forbidden = [
        *COMPLETE_SECTIONS.values(),
        SECRET_WORDS,
        "CH-1001",
        "Lorna",
        "Leftlongago",
        "lorna@example.test",
        "Moved away",
        "SW123456",
        "Held on the 4th",
    ]
    assert [words for words in forbidden if words in logged] == []


def test_administrators_see_the_report_with_counts_and_no_content(organisation, clock, pages):
    purge(clock)
    pages.sign_in(make_staff(Role.ADMIN))
    page = pages.get("privacy.retention_purge")
    text = page.get_text(" ", strip=True)
    assert "Lorna Leftlongago" in text
    assert "records: 2" in text and "sessions: 1" in text
    assert "Monday 7 December 2026" in text  # 14 days' notice after the report
    assert SECRET_WORDS not in text and "CH-1001" not in text


def test_the_purge_runs_from_the_command_line(organisation, clock, app):
    result = app.test_cli_runner().invoke(args=["run-job", "retention-purge"])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("retention-purge: succeeded (purged: 0, records_purged: 0")
    assert "reported: 1" in result.output


def test_raising_the_retention_period_holds_back_people_already_reported(organisation, clock, app):
    purge(clock)
    clock.advance(days=31)
    app.config["RETENTION_YEARS_AFTER_LEAVING"] = 10
    try:
        counts = purge(clock)
    finally:
        app.config["RETENTION_YEARS_AFTER_LEAVING"] = 6
    assert (counts["withdrawn"], counts["purged"], counts["reported"]) == (1, 0, 0)
    assert db.session.get(Staff, organisation.leaver.id).name == "Lorna Leftlongago"
