"""Every value recorded in a golden output is still produced, to 1e-9 relative (P10 step 1).

New keys may appear (a new feature adds fields); a recorded key that vanishes or changes fails,
unless ``record.py`` was rerun in a commit that names the defect fixed.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import pytest

from tests.golden.cases import CASES
from tests.golden.run import run_json

HERE = Path(__file__).parent
REL_TOL = 1e-9
ABS_TOL = 1e-12


def differences(recorded: Any, now: Any, path: str = "$") -> list[str]:
    """Where ``now`` fails to hold ``recorded``: missing keys, other values, other list lengths."""
    if isinstance(recorded, dict):
        if not isinstance(now, dict):
            return [f"{path}: was an object, now {type(now).__name__}"]
        out: list[str] = []
        for key, value in recorded.items():
            if key not in now:
                out.append(f"{path}.{key}: missing")
            else:
                out.extend(differences(value, now[key], f"{path}.{key}"))
        return out
    if isinstance(recorded, list):
        if not isinstance(now, list) or len(now) != len(recorded):
            return [f"{path}: list of {len(recorded)}, now {len(now) if isinstance(now, list) else now!r}"]
        pairs = enumerate(zip(recorded, now, strict=True))
        return [d for i, (a, b) in pairs for d in differences(a, b, f"{path}[{i}]")]
    if isinstance(recorded, float) and isinstance(now, (int, float)) and not isinstance(now, bool):
        if math.isclose(recorded, now, rel_tol=REL_TOL, abs_tol=ABS_TOL):
            return []
        return [f"{path}: {recorded!r} -> {now!r}"]
    return [] if recorded == now else [f"{path}: {recorded!r} -> {now!r}"]


def test_differences_finds_a_changed_number_and_a_missing_key() -> None:
    assert differences({"a": [1.0, {"b": 2}]}, {"a": [1.0, {"b": 2}], "c": 3}) == []
    assert differences({"a": 1.0}, {"a": 1.0 + 1e-6}) == ["$.a: 1.0 -> 1.000001"]
    assert differences({"a": {"b": 1}}, {"a": {}}) == ["$.a.b: missing"]


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(CASES))
def test_golden_output_holds(name: str) -> None:
    recorded = json.loads((HERE / f"{name}.json").read_text())
    found = differences(recorded, run_json(CASES[name]))
    assert not found, f"{name}: {len(found)} differences, first: {found[:5]}"
