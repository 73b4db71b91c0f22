"""Dependencies point one way (docs/development.md, "Layers"): no import cycle between the feature
packages of supervision/, and the web plumbing at the top level imports nothing above it.

Every import counts, at module level or inside a function; only imports under
`if TYPE_CHECKING:` (type hints, never run) are left out. A failure names the cycle and the
file and line of each import in it, so the one to turn around is easy to find.
"""

from __future__ import annotations

import ast
from collections import defaultdict, deque
from itertools import pairwise
from pathlib import Path

import pytest

# Run once, by `make lint`, not again in each database's suite run (Makefile).
pytestmark = pytest.mark.lint

PACKAGE = Path(__file__).resolve().parent.parent / "supervision"

# Top-level modules shared by every page and owned by none: they import only each other.
PLUMBING = frozenset(
    {
        "bulk",
        "csv_import",
        "clock",
        "dates",
        "db_types",
        "errors",
        "extensions",
        "fields",
        "forms",
        "idempotency",
        "limits",
        "memory",
        "plain_text",
        "record_sections",
        "rendered_once",
        "security",
        "service_errors",
        "sorting",
    }
)

Edge = tuple[str, str]  # (importing module, imported module), dotted names under supervision
Where = str  # path:line


def _type_checking_lines(tree: ast.AST) -> set[int]:
    lines: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            for child in node.body:
                lines.update(range(child.lineno, (child.end_lineno or child.lineno) + 1))
    return lines


def _imports(path: Path, module: str) -> list[tuple[str, int]]:
    """Every supervision module `path` imports, with the line, except for type checking only."""
    tree = ast.parse(path.read_text())
    skip = _type_checking_lines(tree)
    found = []
    for node in ast.walk(tree):
        if getattr(node, "lineno", 0) in skip:
            continue
        if isinstance(node, ast.Import):
            found += [(alias.name, node.lineno) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                parts = module.split(".")
                base = parts[: len(parts) - node.level + (1 if path.name == "__init__.py" else 0)]
                found.append((".".join(base + ([node.module] if node.module else [])), node.lineno))
            elif node.module:
                found.append((node.module, node.lineno))
                found += [(f"{node.module}.{alias.name}", node.lineno) for alias in node.names]
    return [(name, line) for name, line in found if name.split(".")[0] == PACKAGE.name]


def _module_imports() -> dict[Edge, Where]:
    edges: dict[Edge, Where] = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        relative = path.relative_to(PACKAGE.parent)
        module = ".".join(relative.with_suffix("").parts).removesuffix(".__init__")
        for name, line in _imports(path, module):
            edges.setdefault((module, name), f"{relative}:{line}")
    return edges


def _part(module: str) -> str | None:
    """The first name under supervision: a feature package or a top-level module."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else None


def _is_feature(name: str | None) -> bool:
    return name is not None and (PACKAGE / name).is_dir() and (PACKAGE / name / "__init__.py").exists()


def feature_imports() -> dict[Edge, Where]:
    """Feature package -> feature package, with where the first such import is."""
    edges: dict[Edge, Where] = {}
    for (importer, imported), where in _module_imports().items():
        source, target = _part(importer), _part(imported)
        if _is_feature(source) and _is_feature(target) and source != target:
            edges.setdefault((source, target), where)
    return edges


def strongly_connected(edges) -> list[list[str]]:
    """The groups of packages that import one another, directly or round a loop (Tarjan)."""
    following: dict[str, set[str]] = defaultdict(set)
    for source, target in edges:
        following[source].add(target)
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for after in sorted(following[node]):
            if after not in index:
                visit(after)
                low[node] = min(low[node], low[after])
            elif after in on_stack:
                low[node] = min(low[node], index[after])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                groups.append(sorted(group))

    for node in sorted(following):
        if node not in index:
            visit(node)
    return groups


def one_cycle(group: list[str], edges) -> list[str]:
    """A shortest way round from the group's first package back to itself, within the group."""
    start, members = group[0], set(group)
    came_from: dict[str, str] = {}
    queue = deque([start])
    while queue:
        node = queue.popleft()
        for source, target in sorted(edges):
            if source != node or target not in members:
                continue
            if target == start:
                path = [node]
                while path[-1] != start:
                    path.append(came_from[path[-1]])
                return [start, *reversed(path[:-1]), start]
            if target not in came_from:
                came_from[target] = node
                queue.append(target)
    raise AssertionError(f"no cycle found in {group}")


def describe(group: list[str], edges: dict[Edge, Where]) -> str:
    cycle = one_cycle(group, edges)
    steps = "\n".join(
        f"    {source} -> {target}  ({edges[(source, target)]})" for source, target in pairwise(cycle)
    )
    return f"cycle between {', '.join(group)}, for example:\n{steps}"


def test_the_cycle_finder_finds_and_names_a_cycle():
    edges = {
        ("records", "agreements"): "r.py:1",
        ("agreements", "records"): "a.py:2",
        ("org", "audit"): "o.py:3",
    }
    assert strongly_connected(edges) == [["agreements", "records"]]
    assert describe(["agreements", "records"], edges) == (
        "cycle between agreements, records, for example:\n"
        "    agreements -> records  (a.py:2)\n"
        "    records -> agreements  (r.py:1)"
    )


def test_feature_packages_import_one_another_without_a_cycle():
    edges = feature_imports()
    assert ("records", "agreements") in edges  # the walk sees the package's imports at all
    problems = [describe(group, edges) for group in strongly_connected(edges)]
    assert not problems, "\n".join(problems)


def test_the_web_plumbing_imports_only_other_plumbing():
    imports = sorted(
        {
            f"{where}: supervision.{_part(importer)} imports supervision.{_part(imported)}"
            for (importer, imported), where in _module_imports().items()
            if _part(importer) in PLUMBING and _part(imported) not in PLUMBING | {None}
        }
    )
    assert not imports, "\n".join(imports)
    assert all((PACKAGE / f"{name}.py").exists() for name in PLUMBING)
