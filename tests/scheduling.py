"""The order in which pytest-xdist hands out the suite's scopes: the longest first.

With `--dist loadscope` each module (or class) goes to one worker whole, so that the organisations
it shares at module scope are built once. xdist hands the scopes out by their number of tests,
which put a few long ones (a browser journey, the scope walk, a crashed scheduler) last: one worker
worked on alone for 10 to 15 s at the end of a run. Handed out longest first, the last scopes are
short and both workers finish together (docs/development.md, "Tests").

How long a scope takes is read from `tests/scope_seconds.json` (both databases' runs added up);
a scope not in it counts `UNKNOWN_TEST_SECONDS` a test. The file only orders the work: a stale
or missing entry makes a run a little slower, never wrong. `make test-durations` writes it again.

    python -m tests.scheduling SQLITE_DURATIONS POSTGRES_DURATIONS
        writes the file from two runs' `pytest --durations=0` output
"""

from __future__ import annotations

import json
import re
import sys
from collections import Counter
from pathlib import Path

SECONDS_FILE = Path(__file__).with_name("scope_seconds.json")
UNKNOWN_TEST_SECONDS = 0.05
# Scopes shorter than this are left to the default estimate: only the long ones change the order.
RECORDED_FROM_SECONDS = 1.0
DURATION_LINE = re.compile(r"\s*([\d.]+)s (?:setup|call|teardown)\s+(\S+)")


def scope_of(nodeid: str) -> str:
    """The unit `--dist loadscope` hands out: the module, or the class within it."""
    module, _, rest = nodeid.partition("::")
    first = rest.split("::")[0]
    if "::" in rest and first[:1].isupper():
        return f"{module}::{first}"
    return module


def longest_first(items: list, recorded: dict[str, float] | None = None) -> list:
    """`items` regrouped by scope, the scopes in order of their expected seconds, longest first
    (ties in their collected order); each scope's own items keep their order."""
    if recorded is None:
        recorded = json.loads(SECONDS_FILE.read_text()) if SECONDS_FILE.exists() else {}
    scopes: dict[str, list] = {}
    for item in items:
        scopes.setdefault(scope_of(item.nodeid), []).append(item)

    def expected(scope: str) -> float:
        return recorded.get(scope, UNKNOWN_TEST_SECONDS * len(scopes[scope]))

    ordered = sorted(scopes, key=lambda scope: -expected(scope))  # sorted() is stable
    return [item for scope in ordered for item in scopes[scope]]


def seconds_per_scope(durations_output: str) -> Counter:
    seconds: Counter = Counter()
    for line in durations_output.splitlines():
        if match := DURATION_LINE.match(line):
            seconds[scope_of(match.group(2))] += float(match.group(1))
    return seconds


def main(paths: list[str]) -> int:
    if not paths:
        print(__doc__.split("\n\n")[-1], file=sys.stderr)
        return 2
    total: Counter = Counter()
    for path in paths:
        total += seconds_per_scope(Path(path).read_text())
    kept = {
        scope: round(seconds, 1)
        for scope, seconds in sorted(total.items())
        if seconds >= RECORDED_FROM_SECONDS
    }
    SECONDS_FILE.write_text(json.dumps(kept, indent=1) + "\n")
    print(f"{SECONDS_FILE}: {len(kept)} scopes of {RECORDED_FROM_SECONDS:g} s or more")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
