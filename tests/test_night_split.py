"""The split night report: typed, frozen results with table and source views, and the module rules
(small modules, short functions, no kratomsim import inside a function, report/ free of the CLI)."""

from __future__ import annotations

import ast
import dataclasses
import json
from datetime import datetime
from pathlib import Path

import pandas as pd
import pytest

from kratomsim.night_report import compare_aids, night_report

SRC = Path(__file__).resolve().parents[1] / "src" / "kratomsim"
SPLIT = [
    "night_report.py", "night_assembly.py", "night_timeline.py", "night_rows.py", "night_result.py",
    "night_medicines.py", "night_population.py", "steady_nights.py", "studied_doses.py", "aid_entries.py",
    "aid_comparison.py", "report/night_text.py", "report/plots.py", "report/occupancy_plots.py",
]


@pytest.fixture(scope="module")
def report():
    return night_report(nights=3, start_date="2026-01-05")


def test_report_is_frozen_and_its_json_round_trips(report) -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        report.summary = "changed"  # type: ignore[misc]
    assert json.loads(json.dumps(report.to_dict()))["nights"] == report.to_dict()["nights"]


def test_frame_holds_every_nightly_row(report) -> None:
    frame = report.to_frame()
    assert len(frame) == len(report.nights) == 3 * len(report.compounds())
    row = report.rows_for("mitragynine")[1]
    got = frame[(frame.compound == "mitragynine") & (frame.night == 2)].iloc[0]
    assert got["peak_nM"] == row.peak_nM and got["wake_clock"] == row.wake_clock


def test_mornings_are_the_rows_morning_clocks(report) -> None:
    """The plots' morning lines come from the timeline; they must be the instants the rows print."""
    printed = [datetime.strptime(r.morning_clock, "%Y-%m-%d %H:%M") for r in report.rows_for("mitragynine")]
    assert report.mornings() == printed


def test_sources_name_the_cited_keys(report) -> None:
    assert report.source_keys == [s["key"] for s in report.to_dict()["sources"]]
    assert report.source_keys == sorted(set(report.source_keys)) and report.source_keys


def test_comparison_frame_has_night_one_and_last_per_entry() -> None:
    comparison = compare_aids(["kratom:K51:2g", "zolpidem:10mg"], nights=2, start_date="2026-01-05")
    frame = comparison.to_frame()
    assert isinstance(frame, pd.DataFrame) and len(frame) == 2 * len(comparison.aids)
    zolpidem = frame[frame.aid == "zolpidem:10mg"]
    assert sorted(zolpidem.night) == [1, 2]
    assert dataclasses.is_dataclass(comparison) and comparison.source_keys


def _functions(tree: ast.AST) -> list[ast.FunctionDef | ast.AsyncFunctionDef]:
    return [n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)]


@pytest.mark.parametrize("name", SPLIT)
def test_module_rules(name: str) -> None:
    text = (SRC / name).read_text()
    tree = ast.parse(text)
    assert len(text.splitlines()) < 600
    for fn in _functions(tree):
        assert fn.end_lineno is not None and fn.end_lineno - fn.lineno + 1 <= 60, fn.name
        inner = [n for n in ast.walk(fn) if isinstance(n, ast.ImportFrom) and (n.module or "").startswith("kratomsim")]
        assert not inner, f"{name}:{fn.name} imports kratomsim inside the function"
    handlers = [n for n in ast.walk(tree) if isinstance(n, ast.ExceptHandler)]
    assert not any(isinstance(h.type, ast.Name) and h.type.id == "ImportError" for h in handlers)


def test_report_layer_imports_nothing_from_the_cli() -> None:
    for path in (SRC / "report").glob("*.py"):
        modules = [n.module or "" for n in ast.walk(ast.parse(path.read_text())) if isinstance(n, ast.ImportFrom)]
        assert not [m for m in modules if m.startswith("kratomsim.commands")], path.name
