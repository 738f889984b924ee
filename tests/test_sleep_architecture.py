"""The sleep bridge: stimulus by hand calculation, threshold logic, leave-one-study-out rows,
the predicted changes with their intervals, the sleep-medicine PSG table and the plot."""

from datetime import time

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from kratomsim import receptors as kpd
from kratomsim.datafiles import load_data_file, uncited_numbers
from kratomsim.errors import InputError
from kratomsim.medicines import medicine_dose_events, simulate_medicine
from kratomsim.occupancy_interval import KPUU_RANGE, fu_bounds
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
from kratomsim.sleep_prediction import (
    identifiability,
    night_stimulus_draws,
    predicted_changes,
    reference_changes,
    scenario_change,
    stimulus_draws,
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
    rows = [r for r in loso_rows() if r["statistic"] == "sws_lowest_effective_stimulus"]
    assert len(rows) >= 4
    for r in rows:
        assert r["kind"] == "independent"
        others = thresholds(exclude=r["study"])["sws"]
        assert r["predicted"] == others.lowest_effect_percent
        assert r["fold_error"] >= 1.0


def test_audit_quote_states_the_bridge():
    q = audit_quote()
    assert ASSUMPTION in q and "deep" in q


# ----------------------------------------------------------------- prediction (sleep_prediction)
SEVEN_OH = "7-hydroxymitragynine"


@pytest.fixture(scope="module")
def k51_14_nights():
    from kratomsim.night_report import make_timeline, nightly_exposure

    return nightly_exposure("K51", "8g", make_timeline("22:30", "06:30", 14, "09:00", "2026-01-05"))


def test_reference_change_is_the_published_difference_and_unpaired_se():
    # Bonafide 2008 abstract: REM 14.1 +/- 7.2 % -> 3.9 +/- 6.9 %, n = 10; SWS 6.8 +/- 7.6 -> 3.2 +/- 6.1.
    rem, sws = reference_changes()["rem_percent"], reference_changes()["sws"]
    assert rem["change"] == pytest.approx(3.9 - 14.1)
    assert rem["se"] == pytest.approx(np.sqrt(7.2**2 + 6.9**2) / np.sqrt(10))
    assert sws["change"] == pytest.approx(3.2 - 6.8)


def test_scenario_is_zero_at_no_stimulus_and_the_reference_at_full_stimulus():
    zero = scenario_change(np.zeros(4000), "rem_percent")
    assert zero["median"] == zero["low"] == zero["high"] == 0.0
    full = scenario_change(np.full(20000, 100.0), "rem_percent")
    ref = reference_changes()["rem_percent"]
    assert full["median"] == pytest.approx(ref["change"], abs=0.15)  # Monte Carlo: SE 3.2 / sqrt(20000)
    # 90 % interval of a normal: +/- 1.645 SE
    assert full["high"] - full["low"] == pytest.approx(2 * 1.645 * ref["se"], rel=0.05)
    assert scenario_change(np.full(10, 50.0), "waso") is None  # no numeric study reports WASO


def test_single_ligand_stimulus_lies_between_hand_calculated_bounds():
    # o = r/(1+r), r = fu Kp,uu C / Ki; S = e o. Bounds from the extreme fu, Kp,uu and Ki of the data sets.
    c = np.array([0.5, 5.0, 50.0])
    sets = [kpd.get_set(s, "mu") for s in kpd.receptor_sets("mu")]
    kis = [s.ligands("mu")[SEVEN_OH].ki_nM for s in sets]
    effs = [kpd._efficacies(s, "mu")[0][SEVEN_OH] or 0.0 for s in sets]
    fu_lo, fu_hi = fu_bounds(SEVEN_OH)
    r_lo, r_hi = fu_lo * KPUU_RANGE[0] * c / max(kis), fu_hi * KPUU_RANGE[1] * c / min(kis)
    s = stimulus_draws({SEVEN_OH: c}, draws=3000, seed=3)
    assert np.all(s >= min(effs) * r_lo / (1 + r_lo) - 1e-12)
    assert np.all(s <= max(effs) * r_hi / (1 + r_hi) + 1e-12)


@given(st.floats(0.01, 100.0), st.floats(1.01, 20.0))
def test_stimulus_rises_with_concentration_draw_by_draw(c, factor):
    conc = {"mitragynine": np.array([10 * c]), SEVEN_OH: np.array([c])}
    low = stimulus_draws(conc, draws=200, seed=5)
    high = stimulus_draws({k: v * factor for k, v in conc.items()}, draws=200, seed=5)
    assert np.all(high >= low - 1e-12) and np.all(high < 1.0)


def test_a_ligand_no_data_set_measured_adds_no_stimulus():
    s = stimulus_draws({"not-an-alkaloid": np.array([1e3, 1e4])}, draws=50)
    assert np.all(s == 0.0)


def test_night_mean_is_the_mean_over_the_sleep_window(k51_14_nights):
    exp = k51_14_nights
    grid = night_stimulus_draws(exp, time(6, 30), draws=64, seed=2)
    assert grid.shape == (64, 14)
    clock = np.asarray(exp.clock).astype("datetime64[s]")
    bed, woke = kpd.night_windows(exp, time(6, 30))[13]
    mask = (clock >= np.datetime64(bed, "s")) & (clock <= np.datetime64(woke, "s"))
    full = stimulus_draws({n: kpd.median_subjects(c) for n, c in exp.conc_nM.items()}, draws=64, seed=2)
    assert np.allclose(grid[:, 13], 100.0 * full[:, mask].mean(axis=1), rtol=1e-12)


def test_kratom_prediction_states_directions_from_the_thresholds(k51_14_nights):
    pred = predicted_changes(k51_14_nights, time(6, 30), draws=400)
    assert pred["assumption"] == ASSUMPTION
    assert [n["night"] for n in pred["nights"]] == [1, 14]
    th = thresholds()
    for night in pred["nights"]:
        cell = night["night_mean_mu_stimulus_percent"]
        assert cell["low"] <= cell["median"] <= cell["high"]
        for name, change in night["changes"].items():
            assert change["direction"] == predict_direction(cell["median"], th[name])[0]
            size = change["change"]
            if size["median"] is not None:
                assert size["low"] <= size["median"] <= size["high"]
    assert pred["nights"][1]["tolerance"] and pred["nights"][0]["tolerance"] is None
    assert {s["key"] for s in pred["sources"]} >= {"dimsdale2007", "bonafide2008", "ema2025sleep"}


def test_fit_is_reported_unidentifiable_with_the_saturated_range():
    ident = identifiability()
    lo, hi = ident["morphine_arm_stimulus_percent"]
    assert ident["fit"].startswith("dose-response slope not identifiable") and lo > 90.0 and hi < 100.0
    assert ident["studies_with_placebo_mean_and_spread"] == ["altree2025", "bonafide2008"]
    assert {"bonafide2008", "peles2011", "cronin2001"} <= set(ident["studies_with_stage_numbers"])


def test_loso_rows_reach_validate_as_independent():
    from kratomsim.validation import validation_rows

    rows = [r for r in validation_rows() if r.statistic in {"sws_lowest_effective_stimulus", "sws_change_loso"}]
    assert len(rows) == len(loso_rows()) >= 6 and all(r.kind == "independent" for r in rows)


# ----------------------------------------------------------------- sleep medicines and the plot
def test_medicine_psg_rows_cite_known_studies():
    from kratomsim.datafiles import references
    from kratomsim.sleep_medicines import medicine_psg, medicines_with_psg, psg_for_aids

    assert {"zolpidem", "suvorexant", "trazodone", "doxepin_low_dose"} <= set(medicines_with_psg())
    for name in medicines_with_psg():
        for row in medicine_psg(name):
            assert row["study"] in references() and row["n"] > 0
            assert all(o["direction"] in (-1, 0, 1) for o in row["outcomes"].values())
    from kratomsim.aid_entries import AidEntry

    aids = [AidEntry("kratom:2g", compound, kind, {}, {}, 1, None) for kind, compound in
            [("kratom alkaloid", "mitragynine"), ("kratom alkaloid", "x"), ("medicine", "zolpidem")]]
    rows = psg_for_aids(aids)
    assert [r["medicine"] for r in rows].count("kratom") == 1 and rows[-1]["medicine"] == "zolpidem"


def test_sleep_plot_writes_and_refuses_an_empty_prediction(tmp_path, k51_14_nights):
    from kratomsim.report.plots import plot_sleep_changes

    pred = predicted_changes(k51_14_nights, time(6, 30), draws=100)
    for suffix in (".png", ".html"):
        out = plot_sleep_changes(pred, tmp_path / f"s{suffix}")
        assert out.stat().st_size > 1000
    empty = {"nights": [{"night": 1, "changes": {}}]}
    with pytest.raises(InputError):
        plot_sleep_changes(empty, tmp_path / "e.png")


def test_audit_quote_places_the_night_against_the_lowest_effective_stimulus(k51_14_nights):
    q = audit_quote(k51_14_nights)
    cell = predicted_changes(k51_14_nights)["nights"][0]["night_mean_mu_stimulus_percent"]
    ratio = cell["median"] / thresholds()["sws"].lowest_effect_percent
    assert f"{ratio:.2g} times" in q and ASSUMPTION in q
    assert ("below every studied dose" in q) == (cell["high"] < thresholds()["sws"].lowest_effect_percent)


def test_web_night_and_compare_carry_the_sleep_keys(tmp_path):
    from fastapi.testclient import TestClient

    from kratomsim.web.app import create_app

    with TestClient(create_app(tmp_path / "data")) as client:
        night = client.post("/api/night", json={"nights": 2}).json()
        assert night["sleep_architecture"]["assumption"] == ASSUMPTION
        assert [n["night"] for n in night["sleep_architecture"]["nights"]] == [1, 2]
        comp = client.post("/api/compare", json={"aids": ["kratom:K51:2g", "zolpidem:10mg"], "nights": 2}).json()
        rows = comp["sleep_stages_psg"]["rows"]
        assert {r["medicine"] for r in rows} == {"kratom", "zolpidem"}
        assert {s["key"] for s in comp["sleep_stages_psg"]["sources"]} >= {"monti2000"}
        assert 'id="sleep-table"' in client.get("/night").text


def test_audit_quotes_the_bridge_for_the_sleep_architecture_claims_only():
    from kratomsim.evidence.audit import audit_text
    from kratomsim.evidence.html import render_html

    report = audit_text("Kratom gives you deep, restorative sleep. Kratom is completely non-addictive.")
    by_claim = {m.claim_id: m for m in report.claims}
    assert ASSUMPTION in by_claim["deep_sleep"].model_prediction
    assert by_claim["no_dependence"].model_prediction == ""
    assert "Model (reference night" in render_html(report)


@given(st.floats(0.0, 100.0), st.floats(0.0, 1.0))
def test_scenario_is_linear_through_the_origin(stim, k):
    base = scenario_change(np.full(500, stim), "sws", seed=7)
    scaled = scenario_change(np.full(500, k * stim), "sws", seed=7)
    for key in ("median", "low", "high"):
        assert scaled[key] == pytest.approx(k * base[key], abs=1e-9)


def test_every_assumption_the_sizes_rest_on_is_named(k51_14_nights):
    pred = predicted_changes(k51_14_nights, time(6, 30), draws=50)
    text = " ".join(pred["assumptions"])
    assert pred["assumptions"][0] == ASSUMPTION
    for needle in ("through the origin", "full stimulus", "remifentanil", "WASO", "retained fraction"):
        assert needle in text
    night14 = pred["nights"][-1]
    assert night14["changes"]["sws"]["change_with_tolerance"]["tolerance"].startswith("retained fraction")
