"""Pausing CPython's cyclic garbage collector while a use case builds a great many small objects.

The sweep, the HR summary and the oversight report turn hundreds of thousands of rows into
small objects that live until the use case ends. Every 700 allocations CPython's cyclic
collector runs, and each run of its oldest generation walks everything still alive, so the
cost grows with the square of the work: measured at 40,000 staff, 3 to 4 s of an 8.6 s sweep
and of a 10 s HR summary (docs/performance.md). Those objects hold no reference cycles that
matter, so reference counting frees them as before; the collector simply waits until the
use case is over. Peak memory was the same with and without the pause.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def collector_paused() -> Iterator[None]:
    """No cyclic garbage collection inside the block (it resumes afterwards, as it was)."""
    if not gc.isenabled():  # already paused by an outer block, or by the embedding program
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def settle_after_startup() -> None:
    """Exempt everything the app built while starting (modules, routes, templates, mappers: about
    170,000 objects) from cyclic garbage collection for the life of the process.

    Without this, each collection of the oldest generation walks all of them again: about
    100 ms on the build machine, landing on whichever request triggers it (a team dashboard
    that took 145 ms instead of 40, docs/performance.md). Objects made later are collected
    as usual.
    For a server that forks after loading the app it also keeps the pages it shares with its
    workers unwritten (the `gc.freeze` documentation recommends it for that).
    """
    gc.collect()
    gc.freeze()
