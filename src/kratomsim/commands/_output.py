"""Shared output helpers for CLI commands: JSON for machines, rich tables for people."""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from typing import Any

from rich.console import Console
from rich.table import Table

from kratomsim.jsonsafe import json_safe

console = Console(soft_wrap=True)


def print_json(payload: Any) -> None:
    """Print a JSON document on stdout (no colour, no wrapping)."""
    print(json.dumps(json_safe(payload), indent=2, default=str))


def print_table(title: str, columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    """Print a table for people; cells wrap to the terminal width, never cut."""
    table = Table(title=title, show_lines=False)
    for column in columns:
        table.add_column(column, overflow="fold")  # wrap long cells instead of cutting them ("specio…")
    for row in rows:
        table.add_row(*(fmt(cell) for cell in row))
    console.print(table)


def fmt(value: Any, digits: int = 3) -> str:
    """Three significant figures for floats, plain text otherwise."""
    if isinstance(value, float):
        if not math.isfinite(value):
            return "-"
        return f"{value:.{digits}g}"
    return str(value)
