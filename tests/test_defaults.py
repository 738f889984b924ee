"""Library code never asks the clock: without a date a scenario falls on the fixed UNDATED_DAY, and only
the edges (commands/, web/, the facade) call date.today()."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest

from kratomsim import defaults
from kratomsim.errors import InputError
from kratomsim.scenario import Scenario

SRC = Path(__file__).resolve().parents[1] / "src" / "kratomsim"
EDGES = {"commands", "web"}
CLOCK = re.compile(r"\b(date\.today|datetime\.now|datetime\.today|time\.time)\(")


def test_no_clock_below_the_edges() -> None:
    offenders = [
        str(path.relative_to(SRC)) for path in SRC.rglob("*.py")
        if path.relative_to(SRC).parts[0] not in EDGES and path != SRC / "__init__.py"  # the facade
        and CLOCK.search(path.read_text(encoding="utf-8"))
    ]
    assert offenders == []


def test_undated_scenario_falls_on_the_fixed_day() -> None:
    scenario = Scenario.create(dose=2, hours=24)
    assert scenario.first_dose.date() == defaults.UNDATED_DAY == date(2000, 1, 3)
    assert scenario.first_dose.strftime("%H:%M") == defaults.AT


def test_given_day_is_kept_and_bad_day_refused() -> None:
    assert defaults.first_day("2026-01-05") == date(2026, 1, 5)
    assert defaults.first_day(date(2025, 2, 1)) == date(2025, 2, 1)
    with pytest.raises(InputError, match="YYYY-MM-DD"):
        defaults.first_day("5 Jan")
