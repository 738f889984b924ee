"""The P10 code rules, checked on the source tree (issue 13).

- no module over 600 lines;
- no function over 60 lines (a nested function counts on its own and inside its parent);
- no import of a kratomsim module inside a function, except at the edges: ``cli.py``, ``commands/``,
  ``web/`` and the lazy facade ``kratomsim/__init__.py`` (so that ``import kratomsim`` and the CLI's
  help stay fast);
- ``report/`` imports nothing from ``commands/`` (the report layer never reaches up into the CLI).

Each remaining exception is listed below with its reason. An entry that no longer breaks its rule
fails the test too, so the list shrinks as the code is fixed instead of going stale.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from tests.source_tree import is_edge, source_modules

MAX_MODULE_LINES = 600
MAX_FUNCTION_LINES = 60

LONG_MODULES: dict[str, str] = {}
LONG_FUNCTIONS: dict[str, str] = {}
# "module:function" -> reason; one entry covers every kratomsim import inside that function.
INNER_IMPORTS: dict[str, str] = {}


@dataclass(frozen=True)
class Function:
    module: str
    name: str  # qualified within the module: Outer.method or outer.inner
    lines: int
    node: ast.FunctionDef | ast.AsyncFunctionDef

    @property
    def key(self) -> str:
        return f"{self.module}:{self.name}"


def _functions(module: str, tree: ast.AST) -> Iterator[Function]:
    def walk(node: ast.AST, prefix: str) -> Iterator[Function]:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef):
                name = f"{prefix}{child.name}"
                yield Function(module, name, (child.end_lineno or child.lineno) - child.lineno + 1, child)
                yield from walk(child, f"{name}.")
            elif isinstance(child, ast.ClassDef):
                yield from walk(child, f"{prefix}{child.name}.")
            else:
                yield from walk(child, prefix)

    yield from walk(tree, "")


def _kratomsim_imports(node: ast.AST) -> Iterator[tuple[int, str]]:
    """(line, module) of every import of a kratomsim module (absolute or relative) below ``node``."""
    for sub in ast.walk(node):
        if isinstance(sub, ast.ImportFrom):
            target = "." * sub.level + (sub.module or "")
            if sub.level > 0 or target == "kratomsim" or target.startswith("kratomsim."):
                yield sub.lineno, target
        elif isinstance(sub, ast.Import):
            for alias in sub.names:
                if alias.name == "kratomsim" or alias.name.startswith("kratomsim."):
                    yield sub.lineno, alias.name


MODULES = source_modules()
TREES = {name: ast.parse(text, filename=name) for name, text in MODULES}
FUNCTIONS = [f for name, tree in TREES.items() for f in _functions(name, tree)]


def test_the_scan_sees_the_tree() -> None:
    """The checks below read the real package: the engine and its core functions are in the scan."""
    assert "pk/model.py" in TREES and "cli.py" in TREES
    assert "pk/model.py:build_system" in {f.key for f in FUNCTIONS}


def test_no_module_over_the_limit() -> None:
    long = {name: len(text.splitlines()) for name, text in MODULES if len(text.splitlines()) > MAX_MODULE_LINES}
    unlisted = {k: v for k, v in long.items() if k not in LONG_MODULES}
    assert not unlisted, f"modules over {MAX_MODULE_LINES} lines: {unlisted}"
    stale = sorted(set(LONG_MODULES) - set(long))
    assert not stale, f"no longer over the limit, drop from LONG_MODULES: {stale}"


def test_no_function_over_the_limit() -> None:
    long = {f.key: f.lines for f in FUNCTIONS if f.lines > MAX_FUNCTION_LINES}
    unlisted = {k: v for k, v in long.items() if k not in LONG_FUNCTIONS}
    assert not unlisted, f"functions over {MAX_FUNCTION_LINES} lines: {unlisted}"
    stale = sorted(set(LONG_FUNCTIONS) - set(long))
    assert not stale, f"no longer over the limit, drop from LONG_FUNCTIONS: {stale}"


def test_no_kratomsim_import_inside_a_function_outside_the_edges() -> None:
    found: dict[str, list[str]] = {}
    for f in FUNCTIONS:
        if is_edge(f.module) or _outer_counted(f):
            continue
        hits = [f"line {line}: {target}" for line, target in _kratomsim_imports(f.node)]
        if hits:
            found[f.key] = hits
    unlisted = {k: v for k, v in found.items() if k not in INNER_IMPORTS}
    assert not unlisted, f"kratomsim imports inside functions (move them to the module top): {unlisted}"
    stale = sorted(set(INNER_IMPORTS) - set(found))
    assert not stale, f"no longer importing inside the function, drop from INNER_IMPORTS: {stale}"


def _outer_counted(f: Function) -> bool:
    """A nested function's imports are already found in the function that holds it."""
    return any(g.module == f.module and f.name.startswith(g.name + ".") for g in FUNCTIONS)


def test_report_imports_nothing_from_commands() -> None:
    offenders = {}
    for name, tree in TREES.items():
        if not name.startswith("report/"):
            continue
        bad = [f"line {line}: {target}" for line, target in _kratomsim_imports(tree)
               if target.startswith(("kratomsim.commands", "..commands"))]
        bad += [f"line {n.lineno}: commands" for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)
                and n.module in ("kratomsim", None) and any(a.name == "commands" for a in n.names)]
        if bad:
            offenders[name] = bad
    assert not offenders, f"report/ imports the CLI layer: {offenders}"


@pytest.mark.parametrize("source, expected", [
    ("def f():\n    from kratomsim.library import compounds\n", ["kratomsim.library"]),
    ("def f():\n    import kratomsim.pk.model as m\n", ["kratomsim.pk.model"]),
    ("def f():\n    from . import receptors\n", ["."]),
    ("def f():\n    from kratomsim import receptors\n", ["kratomsim"]),
    ("def f():\n    import numpy\n    from kratomsimulator import x\n", []),
])
def test_the_import_finder_by_hand(source: str, expected: list[str]) -> None:
    """The rule's own detector on small cases: kratomsim imports absolute and relative, nothing else."""
    assert [t for _, t in _kratomsim_imports(ast.parse(source))] == expected


def test_the_function_lengths_by_hand() -> None:
    source = "class A:\n    def m(self):\n        def inner():\n            return 1\n        return inner\n"
    got = {f.name: f.lines for f in _functions("x.py", ast.parse(source))}
    assert got == {"A.m": 4, "A.m.inner": 2}


@pytest.mark.parametrize("module, edge", [
    ("cli.py", True), ("commands/night.py", True), ("web/api.py", True), ("__init__.py", True),
    ("report/__init__.py", False), ("receptors.py", False), ("report/plots.py", False),
])
def test_the_edges(module: str, edge: bool) -> None:
    assert is_edge(module) is edge
