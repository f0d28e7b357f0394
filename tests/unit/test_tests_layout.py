"""The tests keep the layout they mirror the layers with: helpers come from tests.support only,
support holds no tests, the top conftest is the only one, unit tests start no server, and
integration tests start one tier at most (all three are for tests/e2e)."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.paths import REPO

TESTS = REPO / "tests"
SERVERS = {"postgres", "nats_server", "postgres_running", "nats_running", "fresh_database"}
ONE_TIER = {"tier_factory", "local_tier", "regional_tier", "national_tier"}
ALL_TIERS = {"federation", "federation_factory", "module_federation", "stack_factory"}


def modules(under: Path = TESTS) -> list[Path]:
    return sorted(p for p in under.rglob("*.py") if "data" not in p.relative_to(TESTS).parts)


def name(path: Path) -> str:
    return str(path.relative_to(REPO))


def imported(path: Path) -> Iterator[str]:
    """Every module ``path`` imports (relative imports as ``.``)."""
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            yield "." * node.level + (node.module or "")


def requested(path: Path) -> set[str]:
    """Fixture names the functions of ``path`` take (tests and the module's own fixtures)."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            names |= {a.arg for a in node.args.args + node.args.kwonlyargs}
    return names


def test_helpers_come_from_tests_support_only() -> None:
    wrong = {
        name(path): module
        for path in modules()
        for module in imported(path)
        if module.startswith(".")
        or (module.startswith("tests.") and not module.startswith("tests.support"))
        or module.split(".")[-1].startswith(("test_", "conftest"))
    }
    assert wrong == {}


def test_support_holds_no_tests_and_only_the_top_conftest_exists() -> None:
    conftests = [name(p) for p in TESTS.rglob("conftest.py")]
    assert conftests == ["tests/conftest.py"]
    in_support = [name(p) for p in modules(TESTS / "support") if p.name.startswith("test")]
    assert in_support == []
    for path in modules(TESTS / "support"):
        tree = ast.parse(path.read_text(), str(path))
        tests = [
            n.name
            for n in ast.walk(tree)
            if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef) and n.name.startswith("test")
        ]
        assert tests == [], name(path)


@pytest.mark.parametrize(
    ("layer", "forbidden"),
    [("unit", SERVERS | ONE_TIER | ALL_TIERS), ("integration", ALL_TIERS)],
)
def test_each_layer_starts_only_what_it_may(layer: str, forbidden: set[str]) -> None:
    wrong = {
        name(path): sorted(requested(path) & forbidden)
        for path in modules(TESTS / layer)
        if requested(path) & forbidden
    }
    assert wrong == {}
