"""Receptor occupancy: hand-calculated cases, invariants, data sets and the night summary."""

from __future__ import annotations

from datetime import time

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from kratomsim import receptors as rx
from kratomsim.datafiles import load_data_file, uncited_numbers
from kratomsim.errors import InputError
from kratomsim.exposure import Exposure
from tests.synthetic import MG, OH
from tests.synthetic import synthetic_exposure as shared_synthetic_exposure


def test_single_ligand_equals_hand_calculation() -> None:
    c = np.array([0.0, 5.0, 10.0, 1000.0])
    total, per = rx.competitive_occupancy({"x": c}, {"x": 10.0})
    np.testing.assert_allclose(total, c / (c + 10.0))
    np.testing.assert_allclose(per["x"], total)
    assert total[2] == pytest.approx(0.5)


def test_two_ligands_closed_form() -> None:
    ca, cb, ka, kb = 30.0, 5.0, 10.0, 2.0
    total, per = rx.competitive_occupancy({"a": np.array(ca), "b": np.array(cb)}, {"a": ka, "b": kb})
    denom = 1 + ca / ka + cb / kb  # 1 + 3 + 2.5 = 6.5
    assert float(per["a"]) == pytest.approx(3 / 6.5)
    assert float(per["b"]) == pytest.approx(2.5 / 6.5)
    assert float(total) == pytest.approx((ca / ka + cb / kb) / denom)


def test_stimulus_is_efficacy_weighted_occupancy() -> None:
    occ = {"partial": np.array([0.2, 0.4]), "antagonist": np.array([0.5, 0.1])}
    s = rx.fractional_stimulus(occ, {"partial": 0.413, "antagonist": 0.0})
    np.testing.assert_allclose(s, 0.413 * occ["partial"])


def test_unbound_concentration() -> None:
    np.testing.assert_allclose(rx.unbound_at_receptor(np.array([100.0]), 0.15, 0.3), [4.5])
    with pytest.raises(ValueError):
        rx.unbound_at_receptor(np.array([1.0]), 1.5)


def test_unbound_scenarios_follow_the_data() -> None:
    mg = rx.unbound_assumption(MG, "default")
    assert mg.fu == pytest.approx(0.031)  # back-calculated from Tanna 2023 DMD Table 5
    assert rx.unbound_assumption(OH, "default").fu == pytest.approx(1 - 0.731)  # rat, Chiang 2025
    assert rx.unbound_assumption("paynantheine", "default").fu == mg.fu  # stated analogue prior
    assert rx.unbound_assumption(MG, "low").factor == pytest.approx(0.031 / 2 * 0.3)
    assert rx.unbound_assumption(MG, "high").factor == pytest.approx(0.15)  # '> 85 % bound', never fu = 1
    for compound in ("speciociliatine", "paynantheine", OH):
        assert rx.unbound_assumption(compound, "high").fu < 1.0
    with pytest.raises(InputError, match="known"):
        rx.unbound_assumption(MG, "medium")


def test_switching_data_set_changes_the_result_as_documented() -> None:
    # Only mitragynine, scenario 'high' (fu 0.15, Kp,uu 1): occupancy = 0.15 C / (0.15 C + Ki of the set).
    c = {MG: np.array([[50.0]])}
    tak = rx.occupancy(c, "mu", "takayama2002", "high")
    obe = rx.occupancy(c, "mu", "obeng2021", "high")
    assert float(tak.total[0, 0]) == pytest.approx(7.5 / (7.5 + 7.24))
    assert float(obe.total[0, 0]) == pytest.approx(7.5 / (7.5 + 77.9))
    assert rx.occupancy(c, "mu").data_set == rx.default_set("mu") == "obeng2021"
    assert any("respectively" in n for n in obe.notes)  # the abstract-order caveat travels with the result
    assert any("Wikipedia" in n for n in tak.notes)


def test_default_is_the_human_receptor_set_read_in_the_paper() -> None:
    default = rx.get_set(None, "mu")
    assert default.species == "human"
    assert "human" in rx.default_reason("mu").lower()
    raw = load_data_file("receptors.yaml")["data_sets"][default.name]["receptors"]["mu"]
    assert {cell["ki"]["verified_from"] for cell in raw.values()} == {"abstract"}


def test_every_value_says_how_it_was_seen() -> None:
    for name, entry in load_data_file("receptors.yaml")["data_sets"].items():
        for receptor, ligands in entry["receptors"].items():
            for ligand, cell in ligands.items():
                seen = cell["ki"]["verified_from"]
                assert seen in {"table", "abstract", "secondary"}, (name, receptor, ligand)
                assert seen != "secondary" or cell["ki"].get("secondary"), (name, receptor, ligand)


def test_speciociliatine_has_no_ki_and_is_listed_as_not_covered() -> None:
    # Its only value came from a machine-written page: dropped, so it leaves the competition.
    c = {MG: np.array([77.9 / 0.15]), OH: np.array([709 / 0.269]), "speciociliatine": np.array([109.0])}  # fu highs
    res = rx.occupancy(c, "mu", None, "high")
    assert res.not_covered == ("speciociliatine",)
    assert float(res.total[0]) == pytest.approx(2 / 3)  # two ligands each at C_u = Ki
    for name in rx.receptor_sets():
        for ligands in rx._sets()[name].receptors.values():
            assert "speciociliatine" not in ligands


def test_every_set_names_species_and_sets_stay_separate() -> None:
    for name in rx.receptor_sets():
        s = rx._sets()[name]
        assert s.species and s.description
    assert rx.get_set("obeng2021").ligands("mu")[MG].ki_nM == pytest.approx(77.9)  # abstract, as printed
    assert rx.get_set("takayama2002").ligands("mu")[MG].ki_nM == pytest.approx(7.24)
    assert set(rx.receptor_sets("mu")) == {"obeng2021", "takayama2002"}


def test_efficacy_comes_from_the_named_set() -> None:
    res = rx.occupancy({MG: np.array([100.0]), OH: np.array([10.0])}, "mu", "takayama2002", "high")
    assert res.efficacy_set == "obeng2021"  # takayama2002 has no functional data
    assert res.efficacy == {MG: 0.0, OH: pytest.approx(0.413)}
    np.testing.assert_allclose(res.stimulus, 0.413 * res.by_ligand[OH])


def test_unmeasured_ligands_are_reported_not_guessed() -> None:
    res = rx.occupancy({MG: np.array([10.0]), "paynantheine": np.array([10.0])}, "mu")
    assert res.not_covered == ("paynantheine",)
    assert "paynantheine" not in res.by_ligand


def test_bad_names_raise_input_errors_listing_the_known_ones() -> None:
    with pytest.raises(InputError, match=r"known data sets: .*obeng2021.*takayama2002"):
        rx.occupancy({MG: np.array([1.0])}, "mu", "nosuchset")
    with pytest.raises(InputError, match="known receptors"):
        rx.occupancy({MG: np.array([1.0])}, "nociceptin")
    with pytest.raises(InputError, match="data sets for 5-HT1A"):
        rx.occupancy({MG: np.array([1.0])}, "5-HT1A", "takayama2002")


def test_receptor_data_file_is_cited() -> None:
    assert uncited_numbers(load_data_file("receptors.yaml")) == []
    for name in rx.receptor_sets():
        assert rx.get_set(name, next(iter(rx._sets()[name].receptors))).sources


def test_sensitivity_covers_every_set_and_scenario() -> None:
    rows = rx.sensitivity_at_peak({MG: np.array([[0.0, 40.0, 20.0]]), OH: np.array([[0.0, 2.0, 1.0]])})
    assert {(r["data_set"], r["fu_scenario"]) for r in rows} == {
        (s, f) for s in rx.receptor_sets("mu") for f in rx.FU_SCENARIOS
    }
    by = {(r["data_set"], r["fu_scenario"]): r["peak_occupancy_percent"] for r in rows}
    for s in rx.receptor_sets("mu"):
        assert by[(s, "low")] <= by[(s, "default")] <= by[(s, "high")]


conc = arrays(np.float64, (3, 7), elements=st.floats(0, 1e6, allow_nan=False, allow_infinity=False))


@settings(max_examples=60, deadline=None)
@given(conc, conc, conc, st.floats(0.01, 1e4), st.floats(0.01, 1e4), st.floats(0.01, 1e4))
def test_occupancy_bounded_and_shares_sum_to_total(
    a: np.ndarray, b: np.ndarray, c: np.ndarray, ka: float, kb: float, kc: float
) -> None:
    total, per = rx.competitive_occupancy({"a": a, "b": b, "c": c}, {"a": ka, "b": kb, "c": kc})
    assert np.all(total >= 0) and np.all(total <= 1)
    for o in per.values():
        assert np.all(o >= 0) and np.all(o <= total + 1e-12)
    np.testing.assert_allclose(sum(per.values()), total, rtol=1e-12, atol=1e-15)
    s = rx.fractional_stimulus(per, {"a": 0.4, "b": 0.0, "c": 1.0})
    assert np.all(s >= 0) and np.all(s <= total + 1e-12)


@settings(max_examples=30, deadline=None)
@given(conc, conc, st.sampled_from(rx.receptor_sets("mu")), st.sampled_from(list(rx.FU_SCENARIOS)))
def test_alkaloid_mix_bounded(a: np.ndarray, b: np.ndarray, data_set: str, scenario: str) -> None:
    res = rx.occupancy({MG: a, OH: b, "speciogynine": a, "speciociliatine": b}, "mu", data_set, scenario)
    assert np.all(res.total >= 0) and np.all(res.total <= 1)
    np.testing.assert_allclose(sum(res.by_ligand.values()), res.total, rtol=1e-12, atol=1e-15)
    share = np.sum([res.share_of_occupied(n) for n in res.by_ligand], axis=0)
    np.testing.assert_allclose(share[res.total > 0], 1.0)


def synthetic_exposure(nights: int = 2, subjects: int = 2) -> Exposure:
    return shared_synthetic_exposure(nights, subjects, speciogynine=True)


def test_summarise_night_reports_bedtime_peak_and_wake() -> None:
    exp = synthetic_exposure()
    out = rx.summarise_night(exp, wake=time(6, 30))
    assert [n["night"] for n in out["nights"]] == [1, 2]
    n1, n2 = out["nights"]
    assert n1["bedtime"]["clock"] == "2026-01-05 22:30" and n1["wake"]["clock"] == "2026-01-06 06:30"
    assert n1["bedtime"]["occupancy_percent"] == 0.0
    assert n2["bedtime"]["occupancy_percent"] > 0  # carried over from night 1
    assert n1["peak"]["occupancy_percent"] >= max(
        n1["bedtime"]["occupancy_percent"], n1["wake"]["occupancy_percent"]
    )
    assert set(n1["peak"]["by_alkaloid_percent"]) == {MG, OH}
    assert sum(n1["peak"]["by_alkaloid_percent"].values()) == pytest.approx(n1["peak"]["occupancy_percent"])
    sens = out["sensitivity_peak_occupancy_percent"]
    assert sens["min"] <= n1["peak"]["occupancy_percent"] <= sens["max"]
    assert out["not_covered"] == ["speciogynine"] and out["subjects"] == 2
