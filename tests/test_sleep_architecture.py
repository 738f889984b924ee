"""The sleep bridge: stimulus by hand calculation, threshold logic, leave-one-study-out rows."""

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from kratomsim.datafiles import load_data_file, uncited_numbers
from kratomsim.medicines import medicine_dose_events, simulate_medicine
from kratomsim.sleep_architecture import (
    ASSUMPTION,
    Threshold,
    audit_quote,
    loso_rows,
    morphine_night_stimulus,
    predict_direction,
    psg_arms,
    thresholds,
)


def test_psg_set_has_at_least_four_studies_and_is_cited():
    raw = load_data_file("opioid_psg.yaml")
    assert len(raw["studies"]) >= 4
    assert uncited_numbers(raw) == []
    assert uncited_numbers(load_data_file("reference_opioids.yaml")) == []


def test_morphine_stimulus_matches_hand_calculation():
    # Independent of the module: plasma nM from the medicines engine, then o = Cu/Ki / (1 + Cu/Ki), e = 1.
    t = np.linspace(0.0, 8.0, 97)
    c = simulate_medicine("morphine_oral", medicine_dose_events(("morphine_oral", 15.0)), t)
    cu = c * 0.65
    hand = 100.0 * np.mean((cu / 1.5) / (1.0 + cu / 1.5))
    assert abs(morphine_night_stimulus(15.0, "oral_sr") - hand) < 1e-9


def test_stimulus_rises_with_dose():
    values = [morphine_night_stimulus(d, "oral") for d in (5.0, 15.0, 30.0)]
    assert values == sorted(values) and len(set(values)) == 3


def test_every_acute_morphine_study_reduced_sws():
    th = thresholds()["sws"]
    assert th.direction == -1
    assert {"dimsdale2007", "shaw2005", "kay1969", "pickworth1981"} <= set(th.studies)
    assert th.lowest_effect_percent == min(a.stimulus_percent for a in psg_arms()
                                           if a.stimulus_percent is not None and a.outcomes.get("sws"))


def test_waso_threshold_separates_null_and_effect_studies():
    th = thresholds()["waso"]
    assert th.highest_null_percent is not None and th.lowest_effect_percent is not None
    assert th.highest_null_percent < th.lowest_effect_percent


@given(st.floats(0.0, 100.0), st.floats(1.0, 50.0), st.floats(51.0, 99.0))
def test_prediction_regions(s, null, effect):
    th = Threshold("x", -1, effect, null, ("a",))
    d, _ = predict_direction(s, th)
    if s >= effect:
        assert d == -1
    elif s <= null:
        assert d == 0
    else:
        assert d is None


def test_loso_rows_are_independent_and_leave_the_study_out():
    rows = loso_rows()
    assert len(rows) >= 4
    for r in rows:
        assert r["kind"] == "independent"
        others = thresholds(exclude=r["study"])["sws"]
        assert r["predicted"] == others.lowest_effect_percent
        assert r["fold_error"] >= 1.0


def test_audit_quote_states_the_bridge():
    q = audit_quote()
    assert ASSUMPTION in q and "deep" in q
