"""The cyclic collector's pause around the bulk use cases (supervision.memory)."""

import gc

import pytest

from supervision.memory import collector_paused


@pytest.fixture(autouse=True)
def collector_enabled_again():
    yield
    gc.enable()


def test_the_collector_is_paused_inside_and_resumes_after():
    gc.enable()
    with collector_paused():
        assert not gc.isenabled()
    assert gc.isenabled()


def test_it_resumes_even_when_the_block_fails():
    gc.enable()
    with pytest.raises(ValueError), collector_paused():
        raise ValueError("bad row")
    assert gc.isenabled()


def test_an_inner_pause_leaves_the_outer_one_in_place():
    gc.enable()
    with collector_paused():
        with collector_paused():
            pass
        assert not gc.isenabled()
    assert gc.isenabled()


def test_the_sweep_runs_with_the_collector_paused(app, clock, monkeypatch):
    from supervision.compliance import jobs
    from supervision.extensions import db

    seen = []
    real = jobs.assess_people

    def watching(*args, **kwargs):
        seen.append(gc.isenabled())
        return real(*args, **kwargs)

    monkeypatch.setattr(jobs, "assess_people", watching)
    gc.enable()
    jobs.compliance_sweep(db.session, clock)
    assert seen == [False]
    assert gc.isenabled()
