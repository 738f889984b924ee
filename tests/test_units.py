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


def test_amount_and_concentration_conversions_by_hand():
    from kratomsim.units import concentration_nM, mg_to_umol, ng_per_mL_to_nM, nM_to_ng_per_mL, umol_to_mg

    # zolpidem base 307.397 g/mol: 10 mg is 32.531 umol; 121 ng/mL is 393.63 nM
    assert mg_to_umol(10.0, 307.397) == pytest.approx(10_000.0 / 307.397)
    assert umol_to_mg(mg_to_umol(10.0, 307.397), 307.397) == pytest.approx(10.0)
    assert concentration_nM(121.0, "ng/mL", 307.397) == pytest.approx(121_000.0 / 307.397)
    assert concentration_nM(0.121, "ug/mL", 307.397) == pytest.approx(121_000.0 / 307.397)
    assert concentration_nM(121_000.0, "pg/mL", 307.397) == pytest.approx(121_000.0 / 307.397)
    assert concentration_nM(2.5, "uM", 307.397) == 2500.0
    assert nM_to_ng_per_mL(concentration_nM(121.0, "ng/mL", 307.397), 307.397) == pytest.approx(121.0)
    assert ng_per_mL_to_nM(121.0, 307.397) == pytest.approx(393.63, abs=0.005)  # 121 000 / 307.397
    with pytest.raises(ValueError, match="mmol/L"):
        concentration_nM(1.0, "mmol/L", 307.397)


@given(st.floats(min_value=1.0, max_value=20_000.0, allow_nan=False))
def test_a_dose_label_reads_back_as_the_same_dose(mg):
    dose = parse_dose(f"{mg!r}mg")
    back = parse_dose(dose.label)
    assert back.compound is None and back.amount_mg == pytest.approx(dose.amount_mg, rel=1e-11)
    alkaloid = parse_dose(f"{min(mg, 500.0)!r}mg:mitragynine")
    back = parse_dose(alkaloid.label)
    assert back.compound == "mitragynine" and back.amount_mg == pytest.approx(alkaloid.amount_mg, rel=1e-11)


def test_a_dose_label_is_written_as_typed():
    assert [parse_dose(t).label for t in ("2g", "2000mg", "0.5g", "20mg:mitragynine")] == [
        "2g", "2g", "500mg", "20mg:mitragynine"]


@pytest.mark.parametrize(("spec", "name", "mg"), [
    ("zolpidem:10mg", "zolpidem", 10.0), ("10mg:zolpidem", "zolpidem", 10.0), ("zolpidem", "zolpidem", None),
    ("zolpidem:0.01g", "zolpidem", 10.0),
])
def test_medicine_specs_split_into_name_and_dose(spec, name, mg):
    from kratomsim.units import split_medicine_spec

    got_name, got_mg = split_medicine_spec(spec)
    assert got_name.strip() == name
    assert got_mg == (None if mg is None else pytest.approx(mg))
