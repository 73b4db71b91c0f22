"""The `stored-figures` job decides which of HR's cells to withhold, for the figures it sees, so no
request works it out again while they stay the same
(supervision.hr.services.store_reports_and_withholding).

The decision is found by the digest of the figures and the rules, so it is used only for exactly
the figures it was decided from: a changed figure is decided afresh, and the cells are the same
either way.
"""

from __future__ import annotations

import re
from collections import OrderedDict
from decimal import Decimal

import pytest
import sqlalchemy as sa

from supervision import synth
from supervision.extensions import db
from supervision.hr import tables
from supervision.hr.metrics import latest_census_date
from supervision.hr.models import StoredWithholding
from supervision.hr.services import counted_report, kept_withholding, retention_report
from supervision.jobs.runs import run_job
from supervision.org.models import Organisation, Role, Staff, StaffRole
from tests.factories import password_hash
from tests.hr.test_secondary_suppression import hr_client


@pytest.fixture
def organisation_id(app, clock):
    synth.generate(staff=100, years=2, seed=11)
    return db.session.scalar(sa.select(Organisation.id))


@pytest.fixture
def forgotten(monkeypatch):
    """This process's kept decisions forgotten, as in a fresh worker."""
    monkeypatch.setattr("supervision.hr.tables._decided", OrderedDict())


@pytest.fixture
def decisions(monkeypatch):
    """Every decision this process works out itself, by the measures decided ("all" or the names)."""
    made: list[object] = []
    decide = tables._decide

    def counted(report, measures, some_measures):
        made.append(sorted(m.name for m in measures) if some_measures else "all")
        return decide(report, measures, some_measures)

    monkeypatch.setattr("supervision.hr.tables._decide", counted)
    return made


def fresh(report, asked=None) -> tables.Withheld:
    measures, _ = tables.withholding_key(report, asked)
    return tables._decide(report, measures, asked is not None)


def test_the_job_stores_the_summarys_and_the_headlines_decisions_as_worked_out_afresh(organisation_id, clock):
    run = run_job("stored-figures", db.session, clock)
    assert run.counts["withholding_decisions"] == 2
    snapshot = latest_census_date(clock.today())
    kept = kept_withholding(organisation_id)
    summary = retention_report(organisation_id, snapshot)
    stored = kept(tables.withholding_key(summary)[1])
    assert stored == fresh(summary)
    assert stored is not None and stored.secondary and stored.small
    headlines = retention_report(organisation_id, snapshot, counts_only=True)
    asked = tables.measures_of(headlines, tables.HR_HEADLINES)
    stored = kept(tables.withholding_key(headlines, asked)[1])
    assert stored == fresh(headlines, asked)
    assert stored is not None and stored.decided == fresh(headlines, asked).decided
    # Replaced, never added to, by the next run.
    run_job("stored-figures", db.session, clock)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(StoredWithholding)) == 2


def hr_of(organisation_id: int, app):
    hr = db.session.scalars(
        sa.select(Staff)
        .join(StaffRole, StaffRole.staff_id == Staff.id)
        .where(StaffRole.role == Role.HR, Staff.organisation_id == organisation_id, Staff.end_date.is_(None))
        .order_by(Staff.id)
    ).first()
    hr.password_hash = password_hash()
    db.session.commit()
    return hr_client(app, hr)


def page(client, path: str) -> str:
    """The page's text without what differs from one request to the next (CSRF token, nonce)."""
    text = client.get(path).get_data(as_text=True)
    return re.sub(r'(csrf_token"[^>]*value|nonce)="[^"]*"', "", text)


def test_after_the_job_hrs_pages_decide_nothing_until_a_figure_changes(
    organisation_id, clock, app, forgotten, decisions
):
    run_job("stored-figures", db.session, clock)
    client = hr_of(organisation_id, app)
    decisions.clear()  # the job's own
    before = {path: page(client, path) for path in ("/", "/retention", "/retention/export.csv")}
    assert decisions == []

    # The same pages deciding for themselves give the same bytes.
    tables._decided.clear()
    db.session.execute(sa.delete(StoredWithholding))
    db.session.commit()
    for path, content in before.items():
        assert page(client, path) == content, path
    assert decisions[1:] == ["all"] and "in_post" in decisions[0]  # the headlines', then the summary's

    # One person's FTE changes. Until the next run the pages show the stored report, as at the
    # run, with its stored decision: nothing is decided and nothing changes.
    run_job("stored-figures", db.session, clock)
    tables._decided.clear()
    decisions.clear()
    person = db.session.scalar(
        sa.select(Staff)
        .where(
            Staff.organisation_id == organisation_id,
            Staff.registered_social_worker.is_(True),
            Staff.end_date.is_(None),
            Staff.team_id.is_not(None),
        )
        .order_by(Staff.id)
    )
    person.fte = person.fte - Decimal("0.5")
    db.session.commit()
    assert page(client, "/retention") == before["/retention"]
    assert decisions == []

    # Counted now, the figures have changed: no stored decision is for them, so they are decided.
    snapshot = latest_census_date(clock.today())
    counted = counted_report(organisation_id, snapshot)
    tables.withheld_cells(counted, kept=kept_withholding(organisation_id))
    assert decisions == ["all"]

    # The next run stores the changed report and its decision: the page shows it, deciding nothing.
    clock.advance(hours=1)
    run_job("stored-figures", db.session, clock)
    tables._decided.clear()
    decisions.clear()
    assert page(client, "/retention") != before["/retention"]
    assert decisions == []
