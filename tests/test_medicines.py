"""The bedtime-medicine library: cited data, transparent derivation, validation against sources."""

from __future__ import annotations

import math

import numpy as np
import pytest

from kratomsim import medicines as meds
from kratomsim.datafiles import load_data_file, references, uncited_numbers
from kratomsim.errors import InputError
from kratomsim.medicines_data import PkNode
from kratomsim.pk.engine import concentrations_nM, propagate
from kratomsim.pk.model import DoseEvent, build_system


def test_library_loads_with_the_core_medicines() -> None:
    names = meds.medicine_names()
    for expected in ("zolpidem", "eszopiclone", "suvorexant", "trazodone", "oxycodone", "tramadol", "hydrocodone"):
        assert expected in names
    zolpidem = meds.load_medicine("Zolpidem")
    assert zolpidem.molecular_weight > 0 and zolpidem.has_model
    assert 0 < zolpidem.base_fraction < 1  # dosed as the tartrate salt


def test_every_number_is_cited_and_every_reference_identified() -> None:
    content = load_data_file("medicines.yaml")
    assert uncited_numbers(content) == []
    registry = references()
    for key in content["references"]:
        ref = registry[key]
        assert ref.doi or ref.pmid or ref.label, key


def test_validation_rows_say_their_kind_and_derivations_hold() -> None:
    """Derivation rows check the fit and the engine (within 1.5-fold: a joint fit may compromise);
    independent rows are reported whatever they show, so only their presence is asserted."""
    rows = meds.validate_medicines()
    modelled = {n for n in meds.medicine_names() if meds.load_medicine(n).has_model}
    assert {r["compound"] for r in rows} == modelled
    for row in rows:
        assert set(row) >= {"study", "compound", "statistic", "observed", "predicted", "fold_error", "kind"}
        assert row["kind"] in {"derivation", "independent"}
        assert row["fold_error"] == pytest.approx(max(row["predicted"] / row["observed"],
                                                      row["observed"] / row["predicted"]))
        if row["kind"] == "derivation":
            assert row["fold_error"] <= meds.FOLD_LIMIT, row
    independent = {(r["compound"], r["statistic"]) for r in rows if r["kind"] == "independent"}
    assert ("zolpidem", "share_above_50ng_per_mL_8h_female") in independent
    assert ("zolpidem", "share_above_50ng_per_mL_8h_male") in independent
    assert ("lemborexant", "c_fraction") in independent  # Landry 2021, multiple dosing
    assert ("doxylamine", "cmax_male") in independent


def test_a_statistic_is_derivation_only_when_it_built_the_model() -> None:
    rows = meds.validate_medicines()
    zolpidem = {r["statistic"]: r["kind"] for r in rows if r["compound"] == "zolpidem"}
    assert zolpidem["cmax"] == zolpidem["tmax"] == zolpidem["t_half"] == "derivation"
    assert zolpidem["cl_female"] == zolpidem["cl_male"] == "independent"


def test_unknown_medicine_lists_known_names() -> None:
    with pytest.raises(InputError) as err:
        meds.load_medicine("nonexistazine")
    assert "zolpidem" in str(err.value) and "trazodone" in str(err.value)


def test_medicine_without_model_says_why() -> None:
    with pytest.raises(InputError, match="no PK model for codeine"):
        meds.medicine_disposition("codeine")


def test_short_names_find_their_entry() -> None:
    assert meds.load_medicine("doxepin").name == "doxepin_low_dose"


def test_zolpidem_derivation_by_hand() -> None:
    """One-compartment Bateman Cmax computed by hand reproduces the label's 121 ng/mL."""
    d = meds.derivation("zolpidem")
    ke = math.log(2) / 2.5  # label half-life, 10 mg
    assert d.ke == pytest.approx(ke)
    tmax = math.log(d.ka / ke) / (d.ka - ke)
    assert tmax == pytest.approx(1.6, rel=1e-9)  # label tmax
    dose_umol = 10.0 * (2 * 307.397 / 764.880) * 1000.0 / 307.397  # 10 mg tartrate -> base
    c_uM = dose_umol / d.v1 * d.ka / (d.ka - ke) * (math.exp(-ke * tmax) - math.exp(-d.ka * tmax))
    assert c_uM * 307.397 == pytest.approx(121.0, rel=1e-9)  # uM * g/mol = ng/mL
    assert d.cl == pytest.approx(ke * d.v1)
    # The exact engine on a 1-min grid agrees with the closed form.
    times = np.arange(0.0, 12.0, 1.0 / 60.0)
    conc = meds.simulate_medicine("zolpidem", meds.medicine_dose_events(meds.medicine_dose("zolpidem:10mg")), times)
    assert conc.max() * 307.397 / 1000.0 == pytest.approx(121.0, rel=1e-3)


@pytest.mark.parametrize("spec", ["zolpidem:10mg", "10mg:zolpidem", ("zolpidem", 10.0)])
def test_dose_specs_agree(spec: str | tuple[str, float]) -> None:
    (event,) = meds.medicine_dose_events(meds.medicine_dose(spec) if isinstance(spec, str) else spec, time_h=1.5)
    assert event.compound == "zolpidem" and event.time_h == 1.5
    assert float(np.asarray(event.amount_umol)) == pytest.approx(10.0 * 2 * 1000.0 / 764.880)


def test_default_dose_and_repeats() -> None:
    assert meds.medicine_dose("suvorexant").dose_mg is None  # no dose given: the label's starting dose
    events = meds.medicine_dose_events(meds.medicine_dose("suvorexant"), count=3, interval_h=24.0)
    assert [e.time_h for e in events] == [0.0, 24.0, 48.0]
    assert float(np.asarray(events[0].amount_umol)) == pytest.approx(10.0 * 1000.0 / 450.927)


@pytest.mark.parametrize("spec", ["zolpidem:-5mg", "zolpidem:ten", "zolpidem:5kg"])
def test_bad_doses_are_input_errors(spec: str) -> None:
    with pytest.raises(InputError):
        meds.medicine_dose_events(meds.medicine_dose(spec))


def test_every_modelled_medicine_has_a_positive_disposition_and_basis() -> None:
    for name in meds.medicine_names():
        if not meds.load_medicine(name).has_model:
            continue
        d = meds.derivation(name)
        assert d.ka > d.ke > 0 and d.cl > 0 and d.v1 > 0
        assert {"ke", "ka", "v1", "cl"} <= set(d.basis)


def test_solve_ka_rejects_unreachable_tmax() -> None:
    with pytest.raises(ValueError):
        meds.solve_ka(5.0, math.log(2) / 2.0)  # tmax beyond 1/ke


def test_hydrocodone_derivation_by_hand() -> None:
    """10 mg hydrocodone bitartrate (label): Cmax 23.6 ng/mL at 1.3 h, t1/2 4 h."""
    med = meds.load_medicine("hydrocodone")
    assert med.base_fraction == pytest.approx(299.370 / 494.494)
    d = meds.derivation("hydrocodone")
    ke = math.log(2) / 4.0
    assert d.ke == pytest.approx(ke)
    assert math.log(d.ka / ke) / (d.ka - ke) == pytest.approx(1.3, rel=1e-9)
    dose_umol = 10.0 * 299.370 / 494.494 * 1000.0 / 299.370
    c_uM = dose_umol / d.v1 * d.ka / (d.ka - ke) * (math.exp(-ke * 1.3) - math.exp(-d.ka * 1.3))
    assert c_uM * 299.370 == pytest.approx(23.6, rel=1e-9)


@pytest.mark.parametrize("name", ["codeine"])
def test_medicines_still_without_a_model_say_why(name: str) -> None:
    med = meds.load_medicine(name)
    assert not med.has_model and med.pk_note


def _synthetic_two_compartment_targets() -> tuple[float, tuple[float, ...], meds.TwoCompartmentTargets]:
    """Targets computed from known (ka, CL, V1, Q, V2): a round trip, no published numbers."""
    truth = (2.0, 30.0, 300.0, 60.0, 1800.0)  # 1/h, L/h, L, L/h, L
    dose_umol = 25.0
    dose_nmol = dose_umol * 1000.0
    cmax, tmax = meds.two_compartment_peak(dose_nmol, *truth)
    _, beta = meds.two_compartment_rates(truth[1], truth[2], truth[3], truth[4])
    c9 = float(meds.two_compartment_conc(dose_nmol, *truth, 9.0)) / cmax
    targets = meds.TwoCompartmentTargets(cmax, tmax, dose_nmol / truth[1], math.log(2) / beta, (9.0, c9))
    return dose_umol, truth, targets


def test_two_compartment_fit_recovers_known_parameters() -> None:
    dose_umol, truth, targets = _synthetic_two_compartment_targets()
    fitted = meds.fit_two_compartment(dose_umol, targets)
    for got, want in zip(fitted, truth, strict=True):
        assert got == pytest.approx(want, rel=1e-4)


def test_two_compartment_derivation_from_a_data_entry_matches_the_engine() -> None:
    """A medicine entry saying model: two_compartment is fitted and simulated by the exact engine."""
    dose_umol, _, targets = _synthetic_two_compartment_targets()
    mw = 400.0
    dose_mg = dose_umol * mw / 1000.0
    cite = {"source": "synthetic", "where": "test"}
    pk = {
        "model": "two_compartment",
        "study": {"dose_mg": dose_mg, **cite},
        "cmax": {"value": targets.cmax_nM * mw / 1000.0, "unit": "ng/mL", **cite},
        "tmax": {"value": targets.tmax_h, "unit": "h", **cite},
        "auc": {"value": targets.auc_nM_h * mw / 1000.0, "unit": "ng*h/mL", **cite},
        "t_half": {"value": targets.t_half_h, "unit": "h", **cite},
        "c_fraction": {"value": 100.0 * targets.fraction_at[1], "unit": "%", "at_h": 9.0, **cite},  # type: ignore[index]
    }
    med = meds.Medicine(
        name="synthetic", display="synthetic", formula="-", molecular_weight=mw, base_fraction=1.0,
        dosed_as="base", usual_doses_mg=(dose_mg,), default_dose_mg=dose_mg, pk=PkNode.model_validate(pk), pk_note=None,
        next_morning=(),
    )
    d = meds._derive_two_compartment(med, dose_mg)
    assert d.model == "two_compartment" and d.q2 > 0 and d.v2 > 0
    assert {"ke", "ka", "v1", "cl", "fit"} <= set(d.basis)
    assert math.log(2) / d.ke == pytest.approx(targets.t_half_h, rel=1e-4)
    system = build_system({"synthetic": d.disposition()})
    times = np.arange(0.0, 400.0, 1.0 / 60.0)
    conc = concentrations_nM(system, propagate(system, [DoseEvent(0.0, "synthetic", dose_umol)], times))["synthetic"][0]
    assert conc.max() == pytest.approx(targets.cmax_nM, rel=1e-3)
    assert times[int(np.argmax(conc))] == pytest.approx(targets.tmax_h, abs=1.0 / 60.0)
    auc = float(np.sum((conc[1:] + conc[:-1]) / 2.0 * np.diff(times)))
    assert auc == pytest.approx(targets.auc_nM_h, rel=0.02)  # 400 h leaves a small tail


def test_two_compartment_needs_auc() -> None:
    med = meds.Medicine(
        name="x", display="x", formula="-", molecular_weight=300.0, base_fraction=1.0, dosed_as="base",
        usual_doses_mg=(10.0,), default_dose_mg=10.0, pk_note=None, next_morning=(),
        pk=PkNode.model_validate(
            {"model": "two_compartment", "cmax": {"value": 10, "unit": "ng/mL", "source": "s", "where": "w"}}),
    )
    with pytest.raises(ValueError, match="needs tmax, auc, t_half"):
        meds._derive_two_compartment(med, 10.0)


def test_zolpidem_next_morning_threshold_compares_wake_and_morning() -> None:
    """FDA 2013: > 50 ng/mL may impair driving; the simulated levels are set against it."""
    items = meds.next_morning_comparison("zolpidem", wake_ng_per_mL=60.0, morning_ng_per_mL=30.0)
    (fda,) = [i for i in items if i.threshold_ng_per_mL is not None]
    assert fda.threshold_ng_per_mL == 50.0 and fda.source == "fda_dsc_2013_zolpidem"
    assert fda.wake_vs_threshold == "above" and fda.morning_vs_threshold == "below"
    # 10 mg at 22:30, wake-up 06:30 (8 h): the typical-adult model stays below 50 ng/mL.
    events = meds.medicine_dose_events(meds.medicine_dose("zolpidem:10mg"))
    conc_nM = meds.simulate_medicine("zolpidem", events, np.array([8.0]))
    wake_ng = float(conc_nM[0]) * 307.397 / 1000.0
    assert 0 < wake_ng < 50.0
    ref = references()["fda_dsc_2013_zolpidem"]
    assert ref.label and not ref.doi


def test_diphenhydramine_range_still_compared() -> None:
    (item,) = meds.next_morning_comparison("diphenhydramine", wake_ng_per_mL=40.0, morning_ng_per_mL=20.0)
    assert item.morning_vs_range == "below" and "threshold_ng_per_mL" not in item.to_dict()


def test_lemborexant_next_morning_data_are_cited() -> None:
    med = meds.load_medicine("lemborexant")
    sources = {e["source"] for e in med.next_morning}
    assert sources == {"landry2021_lemborexant", "mayleben2021"}
    registry = references()
    assert registry["landry2021_lemborexant"].pmid == "32468649"
    assert registry["mayleben2021"].doi == "10.1093/sleepadvances/zpab011"


def test_joint_one_compartment_fit_recovers_known_parameters() -> None:
    """Targets computed from known (ka, CL, V), with a truncated AUC: the joint fit returns them."""
    ka, cl, v = 1.7, 12.0, 150.0
    ke = cl / v
    dose_umol = 40.0
    dose = dose_umol * 1000.0
    tmax = meds.bateman_tmax(ka, ke)
    targets = meds.OneCompartmentTargets(
        tmax_h=tmax, t_half_h=math.log(2) / ke, cmax_nM=dose / v * meds.bateman_shape(ka, ke, tmax),
        auc_nM_h=meds.one_compartment_auc(dose, ka, cl, v, 24.0), auc_to_h=24.0, volume_L=v,
    )
    for got, want in zip(meds.fit_one_compartment(dose_umol, targets), (ka, cl, v), strict=True):
        assert got == pytest.approx(want, rel=1e-6)


def test_truncated_auc_closed_form_matches_the_engine() -> None:
    d = meds.derivation("eszopiclone")
    dose_mg = d.dose_mg
    times = np.arange(0.0, 24.0 + 1e-9, 1.0 / 600.0)
    conc = meds.simulate_medicine("eszopiclone", meds.medicine_dose_events(("eszopiclone", dose_mg)), times)
    numeric = float(np.sum((conc[1:] + conc[:-1]) / 2.0 * np.diff(times)))
    dose = meds.load_medicine("eszopiclone").dose_umol(dose_mg) * 1000.0
    assert meds.one_compartment_auc(dose, d.ka, d.cl, d.v1, 24.0) == pytest.approx(numeric, rel=1e-5)


def test_joint_fit_uses_the_auc_it_is_given() -> None:
    """Eszopiclone is fitted to Cmax, tmax, t1/2 and AUC0-24 together: the fit moves off the
    Cmax-only answer, and its AUC0-24 is nearer the published 227.36 ng*h/mL than that answer's."""
    d = meds.derivation("eszopiclone")
    assert "AUC0-24 h" in d.basis["fit"] and "least squares" in d.basis["fit"]
    med = meds.load_medicine("eszopiclone")
    dose = med.dose_umol(3.0) * 1000.0
    observed = 227.36 * 1000.0 / med.molecular_weight
    ke = math.log(2) / 5.53
    ka = meds.solve_ka(1.04, ke)
    v_cmax_only = dose / (38.29 * 1000.0 / med.molecular_weight) * meds.bateman_shape(ka, ke, 1.04)
    cmax_only = meds.one_compartment_auc(dose, ka, ke * v_cmax_only, v_cmax_only, 24.0)
    joint = meds.one_compartment_auc(dose, d.ka, d.cl, d.v1, 24.0)
    assert abs(math.log(joint / observed)) < abs(math.log(cmax_only / observed))


def test_lemborexant_two_compartments_reproduce_table_1_and_the_label() -> None:
    """Ueno 2021 Table 1 (10 mg): Cmax 29.5 ng/mL, tmax 1 h, AUC 317 ng*h/mL, t1/2 45.2 h, and the
    label's C(9 h) of 10-13 % of Cmax, on the exact engine (1-min grid, 600 h)."""
    d = meds.derivation("lemborexant")
    assert d.model == "two_compartment"
    mw = meds.load_medicine("lemborexant").molecular_weight
    times = np.arange(0.0, 600.0, 1.0 / 60.0)
    events = meds.medicine_dose_events(meds.medicine_dose("lemborexant:10mg"))
    conc = meds.simulate_medicine("lemborexant", events, times) * mw / 1000
    assert conc.max() == pytest.approx(29.5, rel=0.01)
    assert times[int(np.argmax(conc))] == pytest.approx(1.0, abs=2.0 / 60.0)
    auc = float(np.sum((conc[1:] + conc[:-1]) / 2.0 * np.diff(times)))
    assert auc == pytest.approx(317.0, rel=0.02)
    c9 = float(np.interp(9.0, times, conc)) / conc.max()
    assert 0.10 <= c9 <= 0.13
    # Not a fit target: the Table 1 CL/F of 32.8 L/h follows from dose / AUC.
    assert d.cl == pytest.approx(32.8, rel=0.05)


def test_sex_factors_reproduce_the_published_clearance_ratio() -> None:
    """Greenblatt 2019: 236 (women) vs 364 (men) mL/min; the typical model sits between them."""
    women, men = meds.sex_cl_factor("zolpidem", "female"), meds.sex_cl_factor("zolpidem", "male")
    assert men / women == pytest.approx(364 / 236)
    assert women * men == pytest.approx(1.0)  # geometric middle: the label study's mix is unknown
    # Doxylamine's typical model is the young women's (Friedman 1989): men 240 vs 218 mL/min.
    assert meds.sex_cl_factor("doxylamine", "female") == 1.0
    assert meds.sex_cl_factor("doxylamine", "male") == pytest.approx(240 / 218)
    assert meds.sex_cl_factor("suvorexant", "female") == 1.0  # no sex effect in the data
    with pytest.raises(InputError, match="sex must be one of"):
        meds.sex_cl_factor("zolpidem", "other")


def test_a_sex_scaled_model_keeps_volume_and_lengthens_the_half_life() -> None:
    typical, women = meds.derivation("zolpidem"), meds.derivation_for("zolpidem", "female")
    assert women.v1 == typical.v1 and women.cl < typical.cl
    assert math.log(2) / women.ke == pytest.approx(2.5 * typical.cl / women.cl)
