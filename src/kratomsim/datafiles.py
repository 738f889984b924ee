"""Reading the cited YAML data files, and the registry of the references behind them.

The files follow ``docs/data-format.md``: each starts with ``references:`` and every number sits in a
mapping that names its ``source`` and ``where``. This module only reads and checks; typed objects are
built in :mod:`kratomsim.library` and the feature modules.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from kratomsim.errors import InputError

DATA_PACKAGE = "kratomsim.data"


@dataclass(frozen=True)
class Reference:
    """A published source: a paper (DOI and/or PMID) or a drug label."""

    key: str
    citation: str
    doi: str | None = None
    pmid: str | None = None
    label: str | None = None

    def short(self) -> str:
        ident = f"doi:{self.doi}" if self.doi else f"PMID {self.pmid}" if self.pmid else str(self.label)
        return f"{self.citation} {ident}".strip()


def read_yaml_text(text: str, origin: str) -> Any:
    """Parse YAML; a syntax error becomes one line naming the file and line."""
    try:
        return yaml.safe_load(text)
    except yaml.MarkedYAMLError as err:
        mark = err.problem_mark
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else "unknown position"
        raise InputError(f"malformed YAML in {origin} at {where}: {err.problem}") from None
    except yaml.YAMLError as err:
        raise InputError(f"malformed YAML in {origin}: {err}") from None


def read_yaml_file(path: Path) -> Any:
    """Read a user's YAML file with clear errors for missing, binary or malformed files."""
    if not path.exists():
        raise InputError(f"file not found: {path}")
    if not path.is_file():
        raise InputError(f"not a file: {path}")
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise InputError(f"{path} is not a UTF-8 text file; a YAML file is expected") from None
    return read_yaml_text(text, str(path))


def data_file_names() -> list[str]:
    """Every YAML file shipped in the data package (relative names, sorted)."""
    root = resources.files(DATA_PACKAGE)
    names: list[str] = []

    def walk(node: Any, prefix: str) -> None:
        for child in node.iterdir():
            if child.is_dir():
                walk(child, f"{prefix}{child.name}/")
            elif child.name.endswith(".yaml"):
                names.append(f"{prefix}{child.name}")

    walk(root, "")
    return sorted(names)


@cache
def load_data_file(name: str) -> dict[str, Any]:
    """Load one shipped data file (cached; treat the result as read-only)."""
    node = resources.files(DATA_PACKAGE)
    for part in name.split("/"):
        node = node.joinpath(part)
    content = read_yaml_text(node.read_text(encoding="utf-8"), f"data/{name}")
    if not isinstance(content, dict):
        raise ValueError(f"data/{name} must be a mapping at the top level")
    return content


def _reference_from(key: str, raw: dict[str, Any]) -> Reference:
    return Reference(
        key=key,
        citation=" ".join(str(raw.get("citation", "")).split()),
        doi=str(raw["doi"]) if raw.get("doi") else None,
        pmid=str(raw["pmid"]) if raw.get("pmid") else None,
        label=str(raw["label"]) if raw.get("label") else None,
    )


@cache
def references() -> dict[str, Reference]:
    """All references of all data files, keyed; a key used twice must name the same work."""
    registry: dict[str, Reference] = {}
    for name in data_file_names():
        for key, raw in (load_data_file(name).get("references") or {}).items():
            ref = _reference_from(key, raw)
            known = registry.get(key)
            if known and (known.doi, known.pmid) != (ref.doi, ref.pmid):
                raise ValueError(f"reference {key!r} names different works in different data files")
            registry.setdefault(key, ref)
    return registry


def numeric_leaves(node: Any, path: tuple[str, ...] = ()) -> Iterator[tuple[tuple[str, ...], Any]]:
    """Yield (path, value) for every int/float leaf (booleans excluded)."""
    if isinstance(node, dict):
        for key, value in node.items():
            yield from numeric_leaves(value, (*path, str(key)))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from numeric_leaves(value, (*path, str(index)))
    elif isinstance(node, int | float) and not isinstance(node, bool):
        yield path, node


def uncited_numbers(content: dict[str, Any]) -> list[str]:
    """Paths of numbers with no ``source``+``where`` in their own or an enclosing mapping."""
    problems: list[str] = []
    refs = content.get("references") or {}

    def visit(node: Any, path: tuple[str, ...], cited: bool) -> None:
        if isinstance(node, dict):
            here = "source" in node and "where" in node
            if here and node["source"] not in refs:
                problems.append(f"{'/'.join(path)}: unknown source {node['source']!r}")
            for key, value in node.items():
                if path == () and key == "references":
                    continue
                visit(value, (*path, str(key)), cited or here)
        elif isinstance(node, list):
            for index, value in enumerate(node):
                visit(value, (*path, str(index)), cited)
        elif isinstance(node, int | float) and not isinstance(node, bool) and not cited:
            problems.append(f"{'/'.join(path)} = {node!r} has no source/where")

    visit(content, (), False)
    return problems


def used_references(node: Any) -> set[str]:
    """Keys of the references a piece of data names (for the citations list of a report)."""
    found: set[str] = set()
    if isinstance(node, dict):
        if isinstance(node.get("source"), str):
            found.add(node["source"])
        for value in node.values():
            found |= used_references(value)
    elif isinstance(node, list):
        for value in node:
            found |= used_references(value)
    return found
