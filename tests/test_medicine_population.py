"""Who is above a next-morning level: closed-form population concentrations and their shares."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kratomsim import medicine_population as mp
from kratomsim import medicines as meds
from kratomsim.errors import InputError
from kratomsim.pk.engine import concentrations_nM, propagate
from kratomsim.pk.model import Disposition, build_system


def test_expected_range_matches_the_published_d2_constants() -> None:
    """d2 of the control-chart tables: 2/sqrt(pi) for n = 2 (exact), 3.078 for 10, 3.931 for 25."""
    assert mp.expected_range_sd(2) == pytest.approx(2.0 / math.sqrt(math.pi), rel=1e-9)
    assert mp.expected_range_sd(10) == pytest.approx(3.078, abs=5e-4)
    assert mp.expected_range_sd(25) == pytest.approx(3.931, abs=5e-4)


def test_zolpidem_variability_comes_from_the_label_ranges() -> None:
    var = mp.variability("zolpidem")
    assert var is not None
    d2 = mp.expected_range_sd(45)
    assert var.omega_scale == pytest.approx(math.log(272 / 58) / d2)
    sex_var = 0.25 * math.log(364 / 236) ** 2
    assert var.omega_cl == pytest.approx(math.sqrt(max((math.log(3.8 / 1.4) / d2) ** 2 - sex_var, 0.0)))
    assert mp.variability("suvorexant") is None


@pytest.mark.parametrize(("name", "nights"), [("zolpidem", 1), ("zolpidem", 3), ("lemborexant", 1), ("lemborexant", 4)])
def test_closed_form_people_match_the_exact_engine(name: str, nights: int) -> None:
    """Each drawn person, simulated alone by the engine, has the closed-form concentrations."""
    people = mp.draw_people(name, 5, seed=3)
    med = meds.load_medicine(name)
    hours = np.array([0.5, 2.0, 8.0, 9.5, 20.0])
    closed = mp.concentrations_ng_per_mL(name, people, 10.0, hours, nights)
    for i in range(5):
        disp = Disposition(ka=people.ka[i], cl=people.cl[i], v1=people.v1[i], q2=people.q2[i], v2=people.v2[i])
        system = build_system({name: disp})
        events = meds.medicine_dose_events((name, 10.0), count=nights, interval_h=24.0)
        last = 24.0 * (nights - 1)
        conc = concentrations_nM(system, propagate(system, events, last + hours))[name][0] * med.molecular_weight / 1000
        np.testing.assert_allclose(closed[i], conc, rtol=1e-7)


def test_without_variability_everyone_of_a_sex_is_the_same() -> None:
    """Doxylamine has a sex effect but no published spread: a share is 0 or 1 per sex, and says which."""
    people = mp.draw_people("doxylamine", 4)
    women = mp.concentrations_ng_per_mL("doxylamine", people, 25.0, np.array([8.0]))[people.sex == "female", 0]
    assert np.ptp(women) == 0.0
    share = mp.share_above_after_dose("doxylamine", 25.0, 8.0, float(women[0]) * 0.999, sex="female", subjects=10)
    assert share == 1.0


@settings(max_examples=25, deadline=None)
@given(low=st.floats(1.0, 80.0), step=st.floats(0.0, 60.0), hours=st.floats(4.0, 12.0))
def test_share_falls_as_the_level_rises(low: float, step: float, hours: float) -> None:
    a = mp.share_above_after_dose("zolpidem", 10.0, hours, low, subjects=2000, seed=1)
    b = mp.share_above_after_dose("zolpidem", 10.0, hours, low + step, subjects=2000, seed=1)
    assert 0.0 <= b <= a <= 1.0


def test_women_are_more_often_above_than_men_and_shares_are_reproducible() -> None:
    out = mp.next_morning_shares("zolpidem", 10.0, 50.0, {"wake": 8.0, "morning": 10.5}, subjects=4000, seed=2)
    assert out == mp.next_morning_shares("zolpidem", 10.0, 50.0, {"wake": 8.0, "morning": 10.5}, subjects=4000, seed=2)
    wake, morning = out["share"]["wake"], out["share"]["morning"]
    assert wake["female"] > wake["male"]
    assert wake["all"] == pytest.approx((wake["female"] + wake["male"]) / 2.0)
    assert morning["all"] <= wake["all"]


def test_share_matches_a_normal_tail_probability() -> None:
    """Independent check of the Monte Carlo: with the CL-only spread removed, every concentration is
    the typical woman's (exact engine) times exp(eta), so the share is P(eta > ln(50 / C_typical))."""
    from scipy.stats import norm

    var = mp.variability("zolpidem")
    assert var is not None
    typical = meds.derivation_for("zolpidem", "female")
    drawn = mp.draw_people("zolpidem", 200_000, seed=5, sex="female")
    scale = drawn.v1 / typical.v1  # exp(-eta_scale)
    people = mp.People(drawn.ka, typical.cl * scale, drawn.v1, drawn.q2, drawn.v2, drawn.sex)
    conc = mp.concentrations_ng_per_mL("zolpidem", people, 10.0, np.array([8.0]))[:, 0]
    system = build_system({"zolpidem": typical.disposition()})
    events = meds.medicine_dose_events(meds.medicine_dose("zolpidem:10mg"))
    c_nM = concentrations_nM(system, propagate(system, events, np.array([8.0])))["zolpidem"][0][0]
    c_typ = float(c_nM) * 307.397 / 1000
    expected = float(norm.sf(math.log(50.0 / c_typ) / var.omega_scale))
    assert float(np.mean(conc > 50.0)) == pytest.approx(expected, abs=0.004)


def test_bad_subjects_and_sex_are_input_errors() -> None:
    with pytest.raises(InputError, match="subjects must be"):
        mp.draw_people("zolpidem", 0)
    with pytest.raises(InputError, match="sex must be"):
        mp.draw_people("zolpidem", 10, sex="x")
