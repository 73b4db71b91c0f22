"""The home page is each role's to-do list: every count on it is the count on the page it links to.

The organisation is the reports' (tests/reports/conftest.py): today is Monday 23 November 2026;
Alice is escalated (due 2 November), with one overdue action and four records Sam has signed
that wait for her signature; Sam supervises Team A; Hana heads the Assessment service.
"""

import io
from datetime import UTC, date, datetime
from urllib.parse import urlsplit

import sqlalchemy as sa

from supervision.extensions import db
from supervision.jobs import runs as job_runs
from supervision.jobs.models import JobOutcome, JobRun
from supervision.notifications.models import EmailStatus, OutboxEmail
from supervision.notifications.services import Notice, queue_notices
from supervision.org.models import Role, StaffRole
from supervision.records.models import RecordReturn, SupervisionRecord
from tests.factories import make_record, make_session
from tests.hr.test_import import person_line, staff_file
from tests.html import parse_html
from tests.reports.conftest import held
from tests.reports.helpers import rows_by_name, summary_figures


def text(element) -> str:
    return " ".join(element.get_text(" ").split())


def home(pages, person):
    pages.client.post("/sign-out")
    pages.sign_in(person)
    return pages.get("home.index")


def follow(pages, link):
    """The page a link on the home page opens (its path and query string), parsed."""
    address = urlsplit(link["href"])
    response = pages.client.get(f"{address.path}?{address.query}" if address.query else address.path)
    assert response.status_code == 200, (link["href"], response.status_code)
    return parse_html(response.get_data(as_text=True))


def row_link(page, value_id: str):
    """The "View" link of the summary-list row whose value has `value_id`."""
    return page.find(id=value_id).find_parent(class_="govuk-summary-list__row").find("a")


def summary_row(page, key: str) -> str:
    for row in page.select(".govuk-summary-list__row"):
        if text(row.select_one(".govuk-summary-list__key")) == key:
            return text(row.select_one(".govuk-summary-list__value"))
    raise AssertionError(f"no row {key!r}")


# ------------------------------------------------------------------------- the supervised


def test_a_social_workers_next_due_date_and_why_are_the_compliance_pages(pages, org):
    page = home(pages, org.alice)

    due = text(page.find(id="my-next-due"))
    assert due == "Escalated Was due 2 November 2026 (21 days overdue)"
    compliance = follow(pages, row_link(page, "my-next-due"))
    assert text(compliance.h1) == "Alice Adams"
    assert summary_row(compliance, "Status") == "Escalated"
    assert summary_row(compliance, "Next supervision") == "Was due 2 November 2026 (21 days overdue)"
    assert (
        text(page.find(id="my-actions-overdue"))
        == summary_row(compliance, "Actions past their due date")
        == "1"
    )


def test_a_social_workers_open_actions_are_those_on_my_supervision(pages, org):
    page = home(pages, org.alice)

    overview = follow(pages, row_link(page, "my-open-actions"))

    listed = overview.find(id="open-actions").find_next_sibling("ul").find_all("li")
    assert text(page.find(id="my-open-actions")) == str(len(listed)) == "1"


def test_records_waiting_for_the_supervisees_signature_or_revision_are_listed_and_open(pages, org):
    # Sam returns the 22 June record to Alice for revision before signing it again.
    record = db.session.scalar(
        sa.select(SupervisionRecord)
        .where(SupervisionRecord.supervisee_id == org.alice.id)
        .order_by(SupervisionRecord.id)
    )
    record.supervisor_signed_at = None
    record.returns.append(
        RecordReturn(
            returned_by_id=org.sam.id,
            returned_to_id=org.alice.id,
            note="Add the plan for the Smith family",
            created_at=datetime(2026, 11, 20, tzinfo=UTC),
        )
    )
    db.session.commit()

    page = home(pages, org.alice)

    assert text(page.find(id="my-records-heading")) == "4 records wait for your signature or revision"
    links = page.find(id="my-records").find_all("a")
    assert [text(link) for link in links] == [
        "Revise the record of your supervision on 22 June 2026: Sam Supervisor returned it to you",
        "Comment on and sign the record of your supervision on 20 July 2026",
        "Comment on and sign the record of your supervision on 7 September 2026",
        "Comment on and sign the record of your supervision on 5 October 2026",
    ]
    opened = follow(pages, links[1])
    assert "Waiting for the supervisee to sign" in text(opened)
    # Once the supervisee has signed, the record waits for nobody.
    record = db.session.get(SupervisionRecord, int(links[1]["href"].rsplit("/", 1)[1]))
    record.supervisee_signed_at = record.locked_at = datetime(2026, 11, 23, 9, tzinfo=UTC)
    db.session.commit()
    assert text(home(pages, org.alice).find(id="my-records-heading")).startswith("3 records")


def test_sessions_booked_this_week_are_listed_for_both_people_and_later_ones_are_not(pages, org):
    this_week = make_session(org.sam, org.alice, starts_at=datetime(2026, 11, 26, 14, tzinfo=UTC))
    make_session(org.sam, org.alice, starts_at=datetime(2026, 11, 30, 14, tzinfo=UTC))  # next week
    make_session(org.tess, org.eve, starts_at=datetime(2026, 11, 25, 14, tzinfo=UTC))  # someone else's

    for person in (org.alice, org.sam):
        page = home(pages, person)
        assert text(page.find(id="sessions-heading")) == "1 session booked this week"
        (link,) = page.find(id="sessions-this-week").find_all("a")
        assert link["href"] == f"/sessions/{this_week.id}"
    assert "with Alice Adams" in text(home(pages, org.sam).find(id="sessions-this-week"))


# ------------------------------------------------------------------ supervisors and managers


def test_people_overdue_and_escalated_are_the_team_dashboards_filtered_rows(pages, org):
    page = home(pages, org.hana)

    for value_id, expected in (("people-escalated", "1 person"), ("people-overdue", "0 people")):
        assert text(page.find(id=value_id)) == expected
        dashboard = follow(pages, row_link(page, value_id))
        rows = dashboard.find("table", id="supervisees")
        shown = len(rows.tbody.find_all("tr")) if rows else 0
        assert f"{shown} {'person' if shown == 1 else 'people'}" == expected


def test_write_ups_overdue_and_records_to_sign_off_are_the_dashboards_and_the_records(pages, org):
    late = make_record(org.bob, org.sam, held_on=date(2026, 11, 9))  # 5 working days passed
    make_record(org.bob, org.sam, held_on=date(2026, 11, 20))  # not late yet
    held(org.tess, org.eve, date(2026, 11, 2))  # Tess's, not Sam's, to sign

    page = home(pages, org.sam)

    assert text(page.find(id="write-ups-overdue")) == "1 record (1 person)"
    dashboard = follow(pages, row_link(page, "write-ups-overdue"))
    rows = rows_by_name(dashboard, "supervisees")
    assert rows["Bob Brown"]["Write-ups pending"] == "2 (1 late)"
    assert sum(" late)" in row["Write-ups pending"] for row in rows.values()) == 1
    assert text(page.find(id="sign-off-heading")) == "2 records wait for your sign-off"
    links = page.find(id="to-sign-off").find_all("a")
    assert links[0]["href"] == f"/records/{late.id}"
    assert text(links[0]) == "Sign off the record of Bob Brown’s supervision on 9 November 2026"
    # The compliance engine counts the same records as waiting for the supervisor's signature.
    compliance = pages.get("compliance.person", person_id=org.bob.id)
    assert summary_row(compliance, "Records waiting for the supervisor's signature") == "2 (1 late)"


def test_a_service_manager_sees_the_teams_with_the_largest_gaps_as_the_oversight_report(pages, org):
    page = home(pages, org.hana)

    teams = page.find(id="teams-with-gaps").find_all("li")
    assert [text(item) for item in teams] == ["Assessment A (Assessment): 1 overdue, of whom 1 escalated"]
    figures = summary_figures(follow(pages, teams[0].a))
    assert figures["Overdue now"] == "1"
    assert figures["Escalated now"] == "1"
    # Team B has nobody overdue; Care C is Olive's, not Hana's.
    assert "Care C" not in text(page)


def test_the_largest_gaps_come_from_the_stored_oversight_figures_when_the_report_uses_them(pages, org, clock):
    job_runs.run_job("stored-figures", db.session, clock)

    page = home(pages, org.hana)

    gaps = page.find(id="gaps")
    assert "(Figures as at 09:00 on 23 November 2026)" in text(gaps)
    assert (
        text(gaps.find(id="teams-with-gaps")) == "Assessment A (Assessment): 1 overdue, of whom 1 escalated"
    )
    service = pages.get("reports.oversight_service", service_id=org.assessment.id)
    team_a = rows_by_name(service, "by-team")["Assessment A"]
    assert [
        value for label, value in team_a.items() if label.startswith(("Overdue now", "Escalated now"))
    ] == [
        "1",
        "1",
    ]


# ----------------------------------------------------------------------------------------- HR


def test_hr_sees_the_retention_pages_own_figures_and_what_waits_to_be_imported(pages, org):
    page = home(pages, org.hr)

    retention = page.find(id="retention")
    assert text(retention.h2) == "Retention on 30 September 2026"
    assert "Worked out at Monday 23 November 2026, 9am." in text(retention)
    report = pages.get("hr.retention")
    shown = []
    for row in retention.select(".govuk-summary-list__row"):
        label = text(row.dt)
        link = row.find("a")
        table = report.find(id=link["href"].split("#")[1]).find_next("table")
        header = [text(cell) for cell in table.thead.find_all("th")]
        organisation = [text(cell) for cell in table.tbody.find("tr").find_all(["th", "td"])]
        shown.append(text(row.select_one(".govuk-summary-list__value")))
        assert shown[-1] == organisation[header.index(label)]
    # Both ways a cell can be shown are compared: a figure, and one withheld to protect a team's.
    assert len(shown) == 4
    assert "withheld" in shown
    assert any(value[0].isdigit() for value in shown)
    assert text(page.find(id="import-status")).startswith("No uploaded file is waiting")

    response = pages.client.post(
        "/staff-import",
        data={
            "staff_file": (io.BytesIO(staff_file([person_line(1, team="Assessment/Assessment A")])), "s.csv")
        },
        content_type="multipart/form-data",
    )
    assert response.headers["Location"] == "/staff-import/preview"
    waiting = home(pages, org.hr).find(id="import-status")
    assert text(waiting).startswith(
        "1 uploaded file is waiting to be checked and confirmed"
        " (the latest uploaded at Monday 23 November 2026, 9am)"
    )
    assert waiting.find("a")["href"] == "/staff-import"


def test_hr_and_administrators_see_no_supervision_lists(pages, org):
    for person in (org.hr, org.admin):
        page = home(pages, person)
        for section in ("my-supervision", "people", "gaps"):
            assert page.find(id=section) is None, (person.name, section)


def test_someone_holding_the_hr_role_sees_nobody_elses_records_or_sessions_whatever_the_data_says(pages, org):
    org.hr.role_rows.append(StaffRole(role=Role.SUPERVISOR))
    db.session.commit()
    make_record(org.cara, org.hr, held_on=date(2026, 11, 16))
    make_session(org.hr, org.cara, starts_at=datetime(2026, 11, 26, 14, tzinfo=UTC))

    page = home(pages, org.hr)

    assert "Cara" not in text(page)
    assert page.find(id="to-sign-off") is None
    assert page.find(id="sessions-this-week") is None


# ------------------------------------------------------------------------------ administrators


def test_an_administrator_sees_failed_jobs_and_emails_as_their_pages_do(pages, org, clock, monkeypatch):
    def broken(session, clock):
        raise RuntimeError("the database went away")

    monkeypatch.setitem(job_runs.JOBS, "reminders", broken)
    assert job_runs.run_job("reminders", db.session, clock).outcome is JobOutcome.FAILED
    # A job that is no longer in the catalogue (merged into `stored-figures`) is history only.
    db.session.add(
        JobRun(
            job_name="dashboard-figures",
            started_at=clock.now(),
            finished_at=clock.now(),
            outcome=JobOutcome.FAILED,
            error="an old failure",
        )
    )
    db.session.commit()
    queue_notices(
        db.session,
        [
            Notice(
                recipient_id=org.alice.id,
                to_address=org.alice.email,
                recipient_name=org.alice.name,
                kind="due_soon",
                subject_id=org.alice.id,
                period=period,
                title="Supervision due soon",
                body="Book a session.",
                link="/my-supervision",
            )
            for period in ("2026-11-01", "2026-11-08")
        ],
        clock.now(),
        "http://127.0.0.1:5000",
    )
    db.session.commit()
    for email in db.session.scalars(sa.select(OutboxEmail)):
        email.status, email.last_error = EmailStatus.FAILED, "550 mailbox unavailable"
    db.session.commit()

    page = home(pages, org.admin)

    assert text(page.find(id="failed-jobs")) == "1: reminders"
    jobs = follow(pages, page.find(id="failed-jobs").find("a"))
    (reminders,) = [row for row in jobs.find("table").tbody.find_all("tr") if text(row.td) == "reminders"]
    assert "failed" in text(reminders.find_all("td")[2])
    assert "the database went away" in text(reminders.find_all("td")[3])
    assert text(page.find(id="failed-emails")) == "2"
    failed = follow(pages, row_link(page, "failed-emails"))
    assert text(failed.find(id="failed-count")) == "2 emails could not be sent."
    assert len(failed.select("main tbody tr")) == 2


def test_people_without_an_agreement_or_a_password_are_the_staff_lists_filtered_count(pages, org):
    org.bob.password_hash = None
    org.cara.password_hash = None
    db.session.commit()

    page = home(pages, org.admin)

    for value_id, expected in (("without-agreement", "9"), ("without-password", "2")):
        assert text(page.find(id=value_id)) == expected
        staff = follow(pages, row_link(page, value_id))
        assert text(staff.find(id="staff-count")) == f"{expected} people"
    listed = text(follow(pages, row_link(page, "without-password")).find("table"))
    assert "Bob" in listed and "Cara" in listed and "Alice" not in listed


def test_with_single_sign_on_nobody_is_counted_as_without_a_password(pages, org, app):
    app.config["OIDC_ISSUER"] = "https://login.example.test"
    try:
        page = home(pages, org.admin)
    finally:
        app.config["OIDC_ISSUER"] = None
    assert page.find(id="without-password") is None
