"""The project's code rules (P10) for the evidence package: small modules and functions, and every
kratomsim import at module level (no hidden imports inside functions)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import kratomsim.evidence

PACKAGE = Path(kratomsim.evidence.__file__).parent
MODULES = sorted(PACKAGE.glob("*.py"))


def _functions(tree: ast.AST) -> list[ast.FunctionDef | ast.AsyncFunctionDef]:
    return [n for n in ast.walk(tree) if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))]


@pytest.mark.parametrize("path", MODULES, ids=lambda p: p.name)
def test_module_is_under_600_lines(path: Path) -> None:
    assert len(path.read_text(encoding="utf-8").splitlines()) < 600


@pytest.mark.parametrize("path", MODULES, ids=lambda p: p.name)
def test_functions_are_at_most_60_lines(path: Path) -> None:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    long = {f.name: (f.end_lineno or f.lineno) - f.lineno + 1 for f in _functions(tree)}
    assert {name: n for name, n in long.items() if n > 60} == {}


@pytest.mark.parametrize("path", MODULES, ids=lambda p: p.name)
def test_no_kratomsim_import_inside_a_function(path: Path) -> None:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    hidden = []
    for function in _functions(tree):
        for node in ast.walk(function):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("kratomsim"):
                hidden.append((function.name, node.module))
            if isinstance(node, ast.Import) and any(a.name.startswith("kratomsim") for a in node.names):
                hidden.append((function.name, node.names[0].name))
    assert hidden == []


def test_the_rule_checker_sees_an_import_inside_a_function() -> None:
    tree = ast.parse("def f():\n    from kratomsim.night_report import night_report\n")
    (function,) = _functions(tree)
    assert any(isinstance(n, ast.ImportFrom) and n.module == "kratomsim.night_report" for n in ast.walk(function))
