"""Scenario.create: numbers in default units mean the same as the text a person types."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kratomsim.errors import InputError
from kratomsim.scenario import Scenario
from kratomsim.units import Dose

DAY = "2026-01-05"


def test_numbers_mean_the_default_units() -> None:
    typed = Scenario.create(dose=2, every=24, count=7, weight=70, grid=0.25, hours=72, start_date=DAY)
    text = Scenario.create(dose="2g", every="24h", count=7, weight="70kg", grid="15min", hours="72h", start_date=DAY)
    assert typed == text
    assert typed.horizon_h == 72.0 and typed.grid_h == 0.25


def test_a_typed_dose_round_trips() -> None:
    one = Scenario.create(dose="20mg:mitragynine", start_date=DAY)
    assert Scenario.create(dose=one.dose, start_date=DAY) == one


def test_replace_changes_one_field_and_keeps_the_original() -> None:
    one = Scenario.create(count=3, start_date=DAY)
    other = one.replace(count=5)
    assert (one.count, other.count) == (3, 5) and other.dose == one.dose


@given(st.one_of(st.booleans(), st.just(float("nan")), st.just(float("inf")), st.just(-float("inf"))))
def test_a_non_number_is_refused_in_one_line(value: object) -> None:
    with pytest.raises(InputError, match="finite number"):
        Scenario.create(dose=value, start_date=DAY)  # type: ignore[arg-type]


def test_start_date_pins_the_clock() -> None:
    assert Scenario.create(start_date=DAY).first_dose.isoformat() == "2026-01-05T22:30:00"
    assert isinstance(Scenario.create(start_date=DAY).dose, Dose)
