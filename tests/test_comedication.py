"""A medicine taken with kratom: linear-PK identities, the same people with and without, compare rows."""

from __future__ import annotations

import numpy as np
import pytest

from kratomsim.comedication import WithKratom, medicine_with_kratom, people_above_with_kratom
from kratomsim.interactions import kratom_regimen
from kratomsim.medicine_population import next_morning_shares
from kratomsim.medicines import medicine_dose, medicine_dose_events, simulate_medicine

DAY = "2026-01-05"


def test_auc_ratio_is_gut_times_liver_term_for_linear_pk() -> None:
    # One dose, followed long enough to cover the whole AUC: dose x g and CL/F / h multiply AUC by g x h.
    t = np.linspace(0.0, 96.0, 9601)
    withk = medicine_with_kratom(medicine_dose("zolpidem:10mg"), t, kratom_regimen("K51", "4g"))
    assert withk is not None
    alone = simulate_medicine("zolpidem", medicine_dose_events(medicine_dose("zolpidem:10mg"), time_h=0.0, count=1), t)
    ratio = np.trapezoid(withk.conc_nM, t) / np.trapezoid(np.ravel(alone), t)
    assert ratio == pytest.approx(withk.gut_term * withk.liver_term, rel=2e-3)
    assert withk.gut_term >= 1.0 and withk.liver_term >= 1.0



def test_neutral_terms_reproduce_the_medicine_alone_population() -> None:
    hours = {"wake": 8.0, "morning": 10.5}
    neutral = WithKratom("zolpidem", np.zeros(1), 1.0, 1.0, 1.0, "")
    with_k = people_above_with_kratom(medicine_dose("zolpidem:10mg"), 50.0, hours, 1, 2000, 4, neutral)
    assert with_k["share"] == next_morning_shares("zolpidem", 10.0, 50.0, hours, 1, 2000, 4)["share"]


def test_inhibition_never_lowers_the_share_above() -> None:
    hours = {"wake": 8.0, "morning": 10.5}
    base = next_morning_shares("zolpidem", 10.0, 50.0, hours, 7, 2000, 1)["share"]
    strong = WithKratom("zolpidem", np.zeros(1), 2.0, 1.2, 1.6, "")
    above = people_above_with_kratom(medicine_dose("zolpidem:10mg"), 50.0, hours, 7, 2000, 1, strong)["share"]
    for when in hours:
        for who in ("all", "female", "male"):
            assert above[when][who] >= base[when][who]
    assert above["morning"]["all"] > base["morning"]["all"]


def test_compare_adds_the_medicine_with_kratom_beside_it_alone() -> None:
    from kratomsim.night_report import compare_aids

    res = compare_aids(["kratom:K51:4g", "zolpidem:10mg"], nights=2, start_date=DAY, subjects=1000, seed=2)
    by = {e.aid: e.to_dict() for e in res.aids if e.kind == "medicine"}
    alone, together = by["zolpidem:10mg"], by["zolpidem:10mg + kratom:K51:4g"]
    w = together["with_kratom"]
    assert w["model"] == "dynamic" and w["auc_ratio"] >= 1.0
    assert together["night_last"]["wake_ng_per_mL"] >= alone["night_last"]["wake_ng_per_mL"]
    assert any(i.get("threshold_ng_per_mL") == 50.0 for i in together["next_morning_data"])
    s_with = together["share_above_next_morning_level"]["share"]
    s_alone = alone["share_above_next_morning_level"]["share"]
    assert s_with["wake"]["all"] >= s_alone["wake"]["all"]
    assert "zolpidem:10mg + kratom:K51:4g" in res.series["conc_nM"]
    assert any("dynamic interaction model" in n for n in res.notes)


def test_night_and_compare_give_the_same_shares_above() -> None:
    from kratomsim.comedication import night_shares_above
    from kratomsim.night_report import compare_aids, make_timeline

    timeline = make_timeline("22:30", "06:30", 2, "09:00", DAY)
    regimen = kratom_regimen("K51", "4g", timeline.nights, "22:30")
    (night,) = night_shares_above([medicine_dose("zolpidem:10mg")], timeline, regimen, 800, 3)
    res = compare_aids(["kratom:K51:4g", "zolpidem:10mg"], nights=2, start_date=DAY, subjects=800, seed=3)
    by = {e.aid: e.to_dict() for e in res.aids if e.kind == "medicine"}
    assert night["alone"] == by["zolpidem:10mg"]["share_above_next_morning_level"]["share"]
    assert night["with_kratom"] == by["zolpidem:10mg + kratom:K51:4g"]["share_above_next_morning_level"]["share"]
    assert night["with_kratom"]["wake"]["all"] >= night["alone"]["wake"]["all"]


def test_the_night_predicts_the_interaction_for_its_own_regimen() -> None:
    """The co-medication line runs on the night's own kratom scenario: a heavier person has less
    mitragynine on board, so a smaller predicted midazolam AUC ratio (it used to ignore --weight)."""
    import re

    from kratomsim.night_report import night_report

    def auc_ratio(weight: str) -> float:
        rep = night_report("K51", "4g", nights=2, weight=weight, start_date=DAY, comedications=("midazolam:2.5mg",))
        (line,) = rep.comedication_warnings
        match = re.search(r"predicted AUC ratio ([0-9.]+)", line)
        assert match is not None
        return float(match.group(1))

    assert auc_ratio("150kg") < auc_ratio("45kg")
