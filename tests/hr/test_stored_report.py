"""HR's counted report kept whole by the `stored-figures` job (supervision.hr.stored.store_reports):
at the latest census date the pages show exactly the report counted now, as at the run, only on
the run's day and only the run's own report; a change shows from the next run, and the pages say
when the figures were worked out (docs/metrics.md, "Stored figures")."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest
import sqlalchemy as sa

from supervision import demo, synth
from supervision.extensions import db
from supervision.hr import stored
from supervision.hr.exports import retention_csv, retention_csv_chunks
from supervision.hr.metrics import latest_census_date
from supervision.hr.models import StoredRetentionReport
from supervision.hr.services import counted_report, kept_withholding, retention_report, stored_csv_body
from supervision.hr.tables import withheld_cells
from supervision.hr.views import snapshot_args
from supervision.jobs.runs import run_job
from supervision.org.models import Organisation, Role, Staff
from supervision.stored_figures.freshness import as_at_text
from tests.conftest import FIXED_NOW
from tests.factories import make_staff
from tests.shared import built_once


def whole(report) -> str:
    """Every figure of a report, Decimals with their exponents, and who each row is."""
    return repr((report.year, report.organisation, report.services, report.teams, report.trends))


@pytest.fixture(scope="class", params=["demo", "synth"])
def shared_organisation(request, app):
    """The demo, and a generated organisation of 60 staff and two years, each read only."""

    def build() -> int:
        if request.param == "demo":
            demo.seed_demo()
        else:
            synth.generate(staff=60, years=2, seed=3)
        return db.session.scalar(sa.select(Organisation.id).order_by(Organisation.id))

    with built_once(app, build) as shared:
        yield shared


class TestOnASharedOrganisation:
    @pytest.fixture
    def organisation_id(self, shared_organisation, clock):
        organisation_id, facts = shared_organisation
        yield organisation_id
        facts.check()

    @pytest.mark.parametrize("counts_only", [False, True], ids=["summary", "headlines"])
    def test_the_stored_report_is_the_report_counted_now(self, organisation_id, clock, counts_only):
        snapshot = latest_census_date(clock.today())
        run = run_job("stored-figures", db.session, clock)
        assert run.counts["retention_reports"] == 2

        shown = retention_report(organisation_id, snapshot, counts_only)
        counted = counted_report(organisation_id, snapshot, counts_only)
        assert shown.stored_whole and shown.figures_as_at == clock.now()
        assert not counted.stored_whole
        assert whole(shown) == whole(counted)
        assert shown == replace(counted, figures_as_at=clock.now(), stored_whole=True)
        assert shown.teams and (counts_only or shown.trends)

    def test_only_the_latest_census_dates_report_is_stored_and_others_are_counted_now(
        self, organisation_id, clock
    ):
        run_job("stored-figures", db.session, clock)
        census = latest_census_date(clock.today())
        rows = db.session.scalars(sa.select(StoredRetentionReport)).all()
        assert {(row.snapshot, row.counts_only) for row in rows} == {(census, False), (census, True)}
        earlier = date(census.year - 1, 9, 30)
        report = retention_report(organisation_id, earlier)
        assert not report.stored_whole
        assert whole(report) == whole(counted_report(organisation_id, earlier))

    def test_a_report_is_shown_only_on_its_runs_day(self, organisation_id, clock):
        run_job("stored-figures", db.session, clock)
        clock.advance(days=1)
        report = retention_report(organisation_id, latest_census_date(clock.today()))
        assert not report.stored_whole and report.figures_as_at is None

    def test_a_report_another_run_stored_is_never_shown(self, organisation_id, clock):
        """Should the job stop between recording its run and storing the reports, the reports of
        the run before are not shown as at the new run's time: the page counts them now."""
        run_job("stored-figures", db.session, clock)
        db.session.execute(sa.update(StoredRetentionReport).values(worked_out_at=FIXED_NOW.replace(hour=7)))
        db.session.commit()
        report = retention_report(organisation_id, latest_census_date(clock.today()))
        assert not report.stored_whole

    def test_a_report_stored_with_other_fields_is_never_read(self, organisation_id, clock):
        run_job("stored-figures", db.session, clock)
        row = db.session.get(StoredRetentionReport, (organisation_id, False))
        figures = dict(row.figures)
        assert stored.report_from_json(figures) is not None
        figures["tally_fields"] = [*figures["tally_fields"], "a_field_of_older_code"]
        assert stored.report_from_json(figures) is None

    def test_the_downloads_say_every_figure_is_as_at_the_run(self, organisation_id, clock):
        run_job("stored-figures", db.session, clock)
        report = retention_report(organisation_id, latest_census_date(clock.today()))
        text = retention_csv(report, "Council", clock.now()).decode()
        assert f"Figures,{as_at_text(clock.now())}" in text
        assert "Supervision before leaving,Figures as at" not in text

    def test_the_csv_from_the_jobs_tables_is_the_csv_written_now(self, organisation_id, clock):
        run_job("stored-figures", db.session, clock)
        report = retention_report(organisation_id, latest_census_date(clock.today()))
        withheld = withheld_cells(report, kept=kept_withholding(organisation_id))
        kept = stored_csv_body(organisation_id, report)
        assert kept is not None

        def csv_file(body):
            return b"".join(retention_csv_chunks(report, "Council", clock.now(), withheld, body=body))

        assert csv_file(kept) == csv_file(None)
        # Written by other code, or for a report counted now, the tables are written again.
        assert stored.stored_csv_body(db.session, organisation_id, report, "0" * 64) is None
        counted = counted_report(organisation_id, report.year.snapshot)
        assert stored_csv_body(organisation_id, counted) is None


def test_a_leaver_shows_on_the_summary_and_the_home_page_from_the_next_run(app, clock, pages):
    """Recorded after a run, a leaver is not in the figures until the next run, and both pages
    say as at when their figures are."""
    synth.generate(staff=60, years=2, seed=8)
    organisation_id = db.session.scalar(sa.select(Organisation.id))
    snapshot = latest_census_date(clock.today())
    run_job("stored-figures", db.session, clock)
    first_run = clock.now()
    before = retention_report(organisation_id, snapshot)

    clock.advance(minutes=20)
    leaver = db.session.scalars(
        sa.select(Staff)
        .where(
            Staff.organisation_id == organisation_id,
            Staff.registered_social_worker.is_(True),
            Staff.end_date.is_(None),
            Staff.start_date < date(2026, 1, 1),
        )
        .order_by(Staff.id)
    ).first()
    leaver.end_date = date(2026, 9, 15)  # in the census year, recorded late
    db.session.commit()
    assert counted_report(organisation_id, snapshot).organisation.leavers == before.organisation.leavers + 1

    hr = make_staff(Role.HR)
    pages.sign_in(hr)
    shown = retention_report(organisation_id, snapshot)
    assert whole(shown) == whole(before) and shown.figures_as_at == first_run
    page = pages.get("hr.retention", **snapshot_args(snapshot))
    assert as_at_text(first_run) in page.select_one("#figures-as-at").get_text()
    home = pages.get("home.index")
    assert (
        f"{as_at_text(first_run)}: they are worked out again every hour."
        in home.select_one("#retention-as-at").get_text()
    )

    # The download sends the tables the run wrote, and they are the run's figures.
    row = db.session.get(StoredRetentionReport, (organisation_id, False))
    row.csv_body += "Written by the job\r\n"
    db.session.commit()
    download = pages.client.get("/retention/export.csv").get_data(as_text=True)
    assert download.endswith("Written by the job\r\n")
    assert f"Figures,{as_at_text(first_run)}" in download

    clock.advance(minutes=41)  # the next hour's run
    run_job("stored-figures", db.session, clock)
    shown = retention_report(organisation_id, snapshot)
    assert shown.organisation.leavers == before.organisation.leavers + 1
    assert whole(shown) == whole(counted_report(organisation_id, snapshot))
    page = pages.get("hr.retention", **snapshot_args(snapshot))
    assert as_at_text(clock.now()) in page.select_one("#figures-as-at").get_text()
