"""Parsing what users type."""

from datetime import datetime, time

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kratomsim.errors import InputError
from kratomsim.units import hours_after, parse_clock, parse_dose, parse_duration_h, parse_weight_kg


@pytest.mark.parametrize(("text", "mg", "compound"), [
    ("2g", 2000.0, None), ("2000mg", 2000.0, None), (" 1.5 g ", 1500.0, None),
    ("20mg:mitragynine", 20.0, "mitragynine"), ("0.5mg:7-hydroxymitragynine", 0.5, "7-hydroxymitragynine"),
])
def test_doses(text, mg, compound):
    dose = parse_dose(text)
    assert dose.amount_mg == pytest.approx(mg)
    assert dose.compound == compound


@pytest.mark.parametrize("text", ["", "0g", "-2g", "2", "2kg", "g", "2g:", "abc"])
def test_bad_doses(text):
    with pytest.raises(InputError) as err:
        parse_dose(text)
    assert "\n" not in str(err.value)


@given(st.floats(min_value=0.001, max_value=100.0, allow_nan=False))
def test_mass_round_trip(grams):
    assert parse_dose(f"{grams!r}g").amount_mg == pytest.approx(grams * 1000)


def test_durations_and_weight():
    assert parse_duration_h("24h") == 24.0
    assert parse_duration_h("5min") == pytest.approx(5 / 60)
    assert parse_duration_h("7d") == 168.0
    assert parse_weight_kg("154lb") == pytest.approx(69.85, abs=0.01)
    with pytest.raises(InputError):
        parse_weight_kg("5kg")


@pytest.mark.parametrize("text", ["25:00", "12:60", "noon", "7"])
def test_impossible_clock(text):
    with pytest.raises(InputError):
        parse_clock(text)


def test_wake_before_dose_means_next_morning():
    start = datetime(2026, 1, 5, 22, 30)
    assert hours_after(start, time(6, 30)) == 8.0
    assert hours_after(start, time(23, 0)) == 0.5
    assert hours_after(start, time(22, 30)) == 24.0
