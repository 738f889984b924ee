"""The library's source files and its edges, shared by the tests that scan the tree (code rules, text parsers)."""

from __future__ import annotations

from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "kratomsim"
EDGE_MODULES = ("cli.py", "__init__.py")  # "__init__.py": the package root's lazy facade only
EDGE_FOLDERS = ("commands/", "web/")


def source_modules() -> list[tuple[str, str]]:
    """(path relative to the package, text) of every module, in a fixed order."""
    return [(p.relative_to(PACKAGE).as_posix(), p.read_text(encoding="utf-8")) for p in sorted(PACKAGE.rglob("*.py"))]


def is_edge(module: str, also: tuple[str, ...] = ()) -> bool:
    """Is ``module`` an edge (CLI, web, facade), or one of the modules ``also`` names for one rule?"""
    return module in EDGE_MODULES or module in also or module.startswith(EDGE_FOLDERS)
