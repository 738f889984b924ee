"""Run one CLI command with ``--json`` in this process and return the parsed output."""

from __future__ import annotations

import contextlib
import csv
import io
import json
import re
import tempfile
from datetime import date
from pathlib import Path
from typing import Any

from kratomsim.cli import main


def run_json(argv: list[str]) -> Any:
    """The JSON printed; with ``{csv}`` in argv, also the rows of the table written there."""
    with tempfile.TemporaryDirectory() as folder:
        table = Path(folder) / "out.csv"
        args = [str(table) if a == "{csv}" else a for a in argv]
        out, err = io.StringIO(), io.StringIO()
        code = 0
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                main([*args, "--json"])
            except SystemExit as stop:
                code = int(stop.code or 0)
        if code not in (0, 1):  # validate exits 1 while an independent row is outside its limit
            raise AssertionError(f"{argv}: exit {code}: {err.getvalue()[-400:]}")
        printed = json.loads(out.getvalue())
        if isinstance(printed, dict):
            printed = {k: v for k, v in printed.items() if k not in VOLATILE_KEYS}
        if "--date" not in argv:  # commands that start on today's date: hold dates as day offsets
            printed = _days_from_today(printed)
        if "{csv}" not in argv:
            return printed
        with table.open(newline="") as handle:
            rows = [{k: _number(v) for k, v in row.items()} for row in csv.DictReader(handle)]
        return {"printed": printed, "table": rows}


def _number(text: str) -> Any:
    try:
        return float(text)
    except ValueError:
        return text


# Keys that change from run to run by nature (wall time, a temporary path), never held fixed.
VOLATILE_KEYS = ("elapsed_s", "out")
ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def _days_from_today(value: Any) -> Any:
    """Every ISO date in the strings of ``value`` written as ``today+Nd``."""
    if isinstance(value, dict):
        return {k: _days_from_today(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_days_from_today(v) for v in value]
    if isinstance(value, str):
        today = date.today()
        return ISO_DATE.sub(lambda m: f"today+{(date.fromisoformat(m.group()) - today).days}d", value)
    return value
