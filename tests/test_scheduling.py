"""The order the parallel run hands its scopes out in (tests/scheduling.py)."""

import json
from types import SimpleNamespace

from tests.scheduling import SECONDS_FILE, longest_first, scope_of, seconds_per_scope


def items(*nodeids):
    return [SimpleNamespace(nodeid=nodeid) for nodeid in nodeids]


def test_a_scope_is_the_module_or_the_class_within_it():
    assert scope_of("tests/a.py::test_one[x::y]") == "tests/a.py"
    assert scope_of("tests/a.py::TestShared::test_one") == "tests/a.py::TestShared"
    assert scope_of("tests/a.py::test_one") == "tests/a.py"


def test_the_longest_scopes_go_first_each_whole_and_in_its_own_order():
    collected = items(
        "tests/short.py::test_1",
        "tests/long.py::test_1",
        "tests/short.py::test_2",
        "tests/many.py::test_1",
        "tests/many.py::test_2",
        "tests/many.py::test_3",
        "tests/long.py::TestShared::test_1",
        "tests/long.py::test_2",
    )
    recorded = {"tests/long.py": 30.0, "tests/long.py::TestShared": 12.0, "tests/short.py": 0.01}
    ordered = [item.nodeid for item in longest_first(collected, recorded)]
    assert ordered == [
        "tests/long.py::test_1",
        "tests/long.py::test_2",
        "tests/long.py::TestShared::test_1",
        # not recorded: three tests of the default estimate, longer than short.py's 0.01 s
        "tests/many.py::test_1",
        "tests/many.py::test_2",
        "tests/many.py::test_3",
        "tests/short.py::test_1",
        "tests/short.py::test_2",
    ]


def test_durations_output_adds_up_per_scope():
    output = """
============================= slowest durations ==============================
2.50s call     tests/a.py::test_one
0.50s setup    tests/a.py::test_one
1.00s call     tests/a.py::TestShared::test_two
(3 durations < 0.005s hidden.  Use -vv to show these durations.)
"""
    assert seconds_per_scope(output) == {"tests/a.py": 3.0, "tests/a.py::TestShared": 1.0}


def test_the_recorded_scopes_are_this_suites():
    """A renamed module keeps its old entry until the file is written again: it orders nothing
    then, but says the file needs `make test-durations`."""
    root = SECONDS_FILE.parent.parent
    missing = [
        scope
        for scope in json.loads(SECONDS_FILE.read_text())
        if not (root / scope_of(scope).split("::")[0]).exists()
    ]
    assert not missing, f"run `make test-durations`: {missing}"
