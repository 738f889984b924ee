"""The pooled opioid SWS-change model against hand calculations from the stored abstract numbers."""

from __future__ import annotations

import math

from hypothesis import given
from hypothesis import strategies as st

from kratomsim.sleep_architecture import loso_rows
from kratomsim.sleep_size import Z90, StudyChange, full_stimulus_effect, loso, pool, study_changes

# Hand calculation from opioid_psg.yaml (abstract numbers):
# Bonafide 2008: 3.2 - 6.8 = -3.6 points; SE = sqrt(7.6^2 + 6.1^2) / sqrt(10) = 3.0817
# Cronin 2001: nights (6.0-7.8, 2.0-9.1, 14.7-10.6) = (-1.8, -7.1, 4.1): mean -1.6, SD 5.6027, SE 3.2347
BONAFIDE = (-3.6, math.sqrt(7.6**2 + 6.1**2) / math.sqrt(10))
CRONIN = (-1.6, math.sqrt(((-0.2) ** 2 + 5.5**2 + 5.7**2) / 2) / math.sqrt(3))


def test_study_changes_match_hand_calculation() -> None:
    got = {c.study: (c.change, c.se) for c in study_changes()}
    assert set(got) == {"bonafide2008", "cronin2001"}
    for key, want in (("bonafide2008", BONAFIDE), ("cronin2001", CRONIN)):
        assert math.isclose(got[key][0], want[0], abs_tol=1e-9)
        assert math.isclose(got[key][1], want[1], rel_tol=1e-9)


def test_pooled_mean_is_inverse_variance_mean_when_no_heterogeneity() -> None:
    w = [1 / BONAFIDE[1] ** 2, 1 / CRONIN[1] ** 2]
    # Q = sum w (y - ybar)^2 < df = 1 here, so tau = 0 and DL reduces to the fixed-effect mean
    fixed = (w[0] * BONAFIDE[0] + w[1] * CRONIN[0]) / sum(w)
    fit = full_stimulus_effect()
    assert fit.tau == 0.0
    assert math.isclose(fit.mean, fixed, rel_tol=1e-12)
    assert math.isclose(fit.se, 1 / math.sqrt(sum(w)), rel_tol=1e-12)


def test_loso_predicts_each_study_from_the_other() -> None:
    rows = {r["study"]: r for r in loso()}
    b, c = rows["bonafide2008"], rows["cronin2001"]
    assert math.isclose(b["error_points"], CRONIN[0] - BONAFIDE[0], abs_tol=1e-9)
    assert math.isclose(c["error_points"], BONAFIDE[0] - CRONIN[0], abs_tol=1e-9)
    half = Z90 * math.hypot(CRONIN[1], BONAFIDE[1])
    assert math.isclose(b["high"] - b["low"], 2 * half, rel_tol=1e-9)
    assert all(r["kind"] == "independent" for r in rows.values())


def test_validation_rows_carry_the_sws_change_loso() -> None:
    assert {r["study"] for r in loso_rows() if r["statistic"] == "sws_change_loso"} == {"bonafide2008", "cronin2001"}


def test_heterogeneous_studies_get_a_between_study_spread() -> None:
    a = StudyChange("a", "x", -10.0, 1.0, "placebo", "", "a")
    b = StudyChange("b", "x", 10.0, 1.0, "placebo", "", "b")
    fit = pool((a, b))
    # Q = 2 x 100 = 200, df 1, denom = 2 - 2/2 = 1: tau^2 = 199
    assert math.isclose(fit.tau, math.sqrt(199.0), rel_tol=1e-12)
    assert math.isclose(fit.mean, 0.0, abs_tol=1e-12)


@given(st.lists(st.tuples(st.floats(-30, 30), st.floats(0.1, 10)), min_size=1, max_size=6))
def test_pooled_mean_lies_within_the_studies(data: list[tuple[float, float]]) -> None:
    changes = tuple(StudyChange(str(i), "x", y, s, "placebo", "", str(i)) for i, (y, s) in enumerate(data))
    fit = pool(changes)
    ys = [y for y, _ in data]
    assert min(ys) - 1e-9 <= fit.mean <= max(ys) + 1e-9
    assert fit.se > 0 and fit.tau >= 0


def test_tolerance_bracket_pulls_the_change_toward_zero() -> None:
    import numpy as np

    from kratomsim.sleep_prediction import _with_tolerance, scenario_change

    stim = np.full(4000, 50.0)
    plain, tol = scenario_change(stim, "sws"), _with_tolerance(stim, "sws")
    assert plain is not None and tol is not None
    # beta ~ N(-2.65, 2.23) x 0.5: median -1.32; times U(0,1) the median shrinks toward 0
    assert math.isclose(plain["median"], 0.5 * full_stimulus_effect().mean, abs_tol=0.1)
    assert abs(tol["median"]) < abs(plain["median"])
    assert tol["low"] > plain["low"]
    assert all(v == 0.0 for v in (lambda c: [c["low"], c["median"], c["high"]])(scenario_change(0 * stim, "sws")))
