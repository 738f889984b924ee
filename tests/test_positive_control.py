"""Positive control: the receptor chain on buprenorphine, checked by hand and against its own rule."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kratomsim import positive_control as pc
from kratomsim.datafiles import load_data_file


def test_central_prediction_is_the_hand_formula() -> None:
    # 16 mg arm, mid plasma 5.5 ng/mL: C = 5.5 / 467.65 * 1000 nM; C_u = 0.04 C; o = C_u / (C_u + 0.088).
    arm = next(a for a in pc.arm_results(draws=200) if a.dose_mg == 16)
    cu = 0.04 * 5.5 / 467.65 * 1000.0
    assert arm.predicted_central_percent == pytest.approx(100 * cu / (cu + 0.088))


def test_inputs_come_from_the_data_file() -> None:
    data = load_data_file("receptors.yaml")["positive_control"]["buprenorphine"]
    arms = pc.arm_results(draws=200)
    assert [a.dose_mg for a in arms] == [float(a["dose_mg"]["value"]) for a in data["study"]["arms"]]
    assert [a.observed_percent for a in arms] == [41.0, 80.0, 84.0]  # Greenwald 2003 abstract
    for cell in (data["mu_ki"], data["plasma_bound"]):
        assert cell["verified_from"] in {"table", "abstract", "secondary"}


def test_rows_are_independent_and_pass_exactly_inside_the_observed_range() -> None:
    from kratomsim.validation import validation_rows

    arms = pc.arm_results()
    rows = pc.validate_positive_control()
    for arm, row in zip(arms, rows, strict=True):
        lo, hi = arm.observed_range_percent
        assert row["kind"] == "independent"
        assert (row["fold_error"] <= row["limit"]) == (lo <= arm.predicted_percent <= hi) == arm.passed
        assert arm.predicted_interval_percent[0] <= arm.predicted_percent <= arm.predicted_interval_percent[1]
    assert any(r.study == "greenwald2003" and r.kind == "independent" for r in validation_rows())


@settings(max_examples=40, deadline=None)
@given(st.floats(0.01, 100.0), st.floats(0.001, 1.0), st.floats(0.01, 10.0))
def test_occupancy_rises_with_concentration_and_stays_below_one(c: float, fu: float, ki: float) -> None:
    low, high = pc.predict_occupancy(np.array([c, 2 * c]), np.array(fu), np.array(1.0), ki)
    assert 0.0 < low < high < 1.0


def test_same_seed_same_answer() -> None:
    assert pc.arm_results(draws=300, seed=4) == pc.arm_results(draws=300, seed=4)
