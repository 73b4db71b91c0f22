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
    from supervision.extensions import db
    from supervision.jobs import catalogue as jobs

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


def test_the_web_entry_point_exempts_what_the_app_built_at_startup_from_collection(tmp_path):
    """wsgi.py freezes the startup objects, so no request pays for walking them again."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    environment = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'frozen.db'}"}
    probe = "import gc, wsgi; print(gc.get_freeze_count(), len(gc.get_objects()))"
    completed = subprocess.run(  # noqa: S603 (this interpreter, a fixed probe)
        [sys.executable, "-c", probe], cwd=root, env=environment, capture_output=True, text=True, check=True
    )
    frozen, still_collected = (int(number) for number in completed.stdout.split()[-2:])
    assert frozen > 50_000  # the app's modules, routes, templates and mappers
    assert still_collected < frozen / 10
