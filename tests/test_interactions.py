"""Tests of the interaction model: the guidance equations on hand-worked cases, invariants, the CLI."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.integrate import solve_ivp

from kratomsim import interactions as ix
from kratomsim.datafiles import load_data_file, uncited_numbers
from kratomsim.errors import InputError

# ------------------------------------------------------------------------- hand-calculated cases


def test_reversible_only_liver() -> None:
    # [I] = Ki = 1 uM -> C = 1/(1+1) = 0.5; fm = 0.9: 1/(0.9*0.5 + 0.1) = 1/0.55
    c = float(ix.reversible_term(1.0, 1.0))
    assert c == pytest.approx(0.5)
    aucr, gut, liver = ix.mechanistic_static_aucr({"CYP2D6": 0.9}, 1.0, 1.0, {"CYP2D6": c})
    assert liver == pytest.approx(1 / 0.55)
    assert gut == pytest.approx(1.0)
    assert aucr == pytest.approx(1.8181818, rel=1e-6)


def test_time_dependent_only() -> None:
    # kobs = 2/h * 1/(1+1) = 1/h; A = 0.02/(0.02+1) = 0.0196078; fm = 0.5: 1/(0.5*0.0196078 + 0.5)
    a = ix.tdi_term(1.0, 1.0, 2.0, 0.02)
    assert a == pytest.approx(0.02 / 1.02)
    aucr, _, _ = ix.mechanistic_static_aucr({"CYP3A4": 0.5}, 1.0, 1.0, {"CYP3A4": a})
    assert aucr == pytest.approx(1 / 0.5098039, rel=1e-6)


def test_reversible_and_time_dependent_together() -> None:
    # A = 1/(1+1) = 0.5 (kdeg = kobs = 1/h), C = 0.5: x = 0.25; fm = 0.8 -> 1/(0.2 + 0.2) = 2.5
    a = ix.tdi_term(1.0, 1.0, 2.0, 1.0)
    c = float(ix.reversible_term(1.0, 1.0))
    aucr, _, liver = ix.mechanistic_static_aucr({"CYP3A4": 0.8}, 1.0, 1.0, {"CYP3A4": a * c})
    assert liver == pytest.approx(2.5)
    assert aucr == pytest.approx(2.5)


def test_gut_only() -> None:
    # Fg = 0.5, gut activity 0.5: 1/(0.5*0.5 + 0.5) = 4/3; no hepatic pathway affected
    aucr, gut, liver = ix.mechanistic_static_aucr({}, 0.5, 0.5, {})
    assert gut == pytest.approx(4 / 3)
    assert liver == pytest.approx(1.0)
    assert aucr == pytest.approx(4 / 3)


def test_gut_and_liver_multiply() -> None:
    # gut 4/3 (as above) x liver 2.5 (as above) = 10/3
    aucr, _, _ = ix.mechanistic_static_aucr({"CYP3A4": 0.8}, 0.5, 0.5, {"CYP3A4": 0.25})
    assert aucr == pytest.approx(10 / 3)


def test_inhibitor_concentrations() -> None:
    # fu 0.1 x (1 uM + 1 x 6/h x 100 umol / 100 L/h / 1) = 0.7 uM; 100 umol / 0.25 L = 400 uM
    assert ix.hepatic_inlet_unbound_uM(1.0, 100.0, 0.1, ka_per_h=6.0, qh_L_per_h=100.0) == pytest.approx(0.7)
    assert ix.gut_lumen_uM(100.0) == pytest.approx(400.0)


def test_prodrug_active_metabolite_ratio_below_one() -> None:
    # CYP2D6 fm 0.5, activity 0.5: parent 1/(0.25+0.5) = 4/3; metabolite 0.5 x 4/3 = 2/3
    victim = ix.Victim(name="prodrug", fm={"CYP2D6": 0.5}, active_metabolite="active", active_enzyme="CYP2D6")
    aucr, _, _, metabolite = ix._ratios(victim, ix._Terms(1.0, {"CYP2D6": 0.5, "CYP3A4": 1.0}))
    assert aucr == pytest.approx(4 / 3)
    assert metabolite is not None
    assert metabolite == pytest.approx(2 / 3)
    assert metabolite < 1


# --------------------------------------------------------------------------------- enzyme ODE


def test_enzyme_step_matches_closed_form_for_constant_inhibitor() -> None:
    t = np.linspace(0.0, 48.0, 200)
    e = ix.step_enzyme(t, np.full_like(t, 2.0), 1.0, 3.0, 0.03)
    kobs = 3.0 * 2.0 / 3.0
    expected = 0.03 / (0.03 + kobs) + (1 - 0.03 / (0.03 + kobs)) * np.exp(-(0.03 + kobs) * t)
    np.testing.assert_allclose(e, expected, rtol=1e-12)


def test_enzyme_step_matches_ode_solver_for_varying_inhibitor() -> None:
    t = np.linspace(0.0, 72.0, 72 * 120 + 1)
    conc = 5.0 * np.exp(-0.5 * t) + 0.2

    def rhs(tt: float, y: np.ndarray) -> np.ndarray:
        i = 5.0 * math.exp(-0.5 * tt) + 0.2
        return np.array([0.02 * (1 - y[0]) - 4.0 * i / (4.1 + i) * y[0]])

    ref = solve_ivp(rhs, (0, 72), [1.0], t_eval=t, rtol=1e-10, atol=1e-12).y[0]
    np.testing.assert_allclose(ix.step_enzyme(t, conc, 4.1, 4.0, 0.02), ref, atol=2e-4)


# ------------------------------------------------------------------------------- invariants


fractions = st.floats(min_value=0.0, max_value=1.0)
positive = st.floats(min_value=1e-3, max_value=1e3)


@settings(max_examples=200, deadline=None)
@given(
    fm=fractions,
    fg=st.floats(min_value=0.01, max_value=1.0),
    conc=st.floats(min_value=0, max_value=1e3),
    ki=positive,
    big_ki=positive,
    kinact=positive,
    kdeg=st.floats(min_value=1e-4, max_value=1.0),
)
def test_inhibition_never_lowers_exposure(
    fm: float, fg: float, conc: float, ki: float, big_ki: float, kinact: float, kdeg: float
) -> None:
    x = float(ix.reversible_term(conc, ki)) * ix.tdi_term(conc, big_ki, kinact, kdeg)
    aucr, gut, liver = ix.mechanistic_static_aucr({"CYP3A4": fm}, fg, x, {"CYP3A4": x})
    assert aucr >= 1 - 1e-12 and gut >= 1 - 1e-12 and liver >= 1 - 1e-12


@settings(max_examples=100, deadline=None)
@given(
    fm=fractions,
    fg=st.floats(min_value=0.01, max_value=1.0),
    ki=positive,
    kinact=positive,
    kdeg=st.floats(min_value=1e-4, max_value=1.0),
)
def test_no_inhibitor_no_interaction(fm: float, fg: float, ki: float, kinact: float, kdeg: float) -> None:
    x = float(ix.reversible_term(0.0, ki)) * ix.tdi_term(0.0, ki, kinact, kdeg)
    aucr, _, _ = ix.mechanistic_static_aucr({"CYP3A4": fm}, fg, x, {"CYP3A4": x})
    assert aucr == pytest.approx(1.0)
    tiny = 1e-12 * ki  # kobs/kdeg <= 1e3 x 1e-12 / 1e-4 = 1e-5
    x = float(ix.reversible_term(tiny, ki)) * ix.tdi_term(tiny, ki, kinact, kdeg)
    assert ix.mechanistic_static_aucr({"CYP3A4": fm}, fg, x, {"CYP3A4": x})[0] == pytest.approx(1.0, abs=1e-4)


@settings(max_examples=100, deadline=None)
@given(
    fm=st.floats(min_value=0.01, max_value=1.0),
    low=st.floats(min_value=0, max_value=100),
    extra=st.floats(min_value=1e-3, max_value=100),
    ki=positive,
)
def test_more_inhibitor_more_interaction(fm: float, low: float, extra: float, ki: float) -> None:
    def aucr(conc: float) -> float:
        x = float(ix.reversible_term(conc, ki))
        return ix.mechanistic_static_aucr({"CYP2D6": fm}, 1.0, 1.0, {"CYP2D6": x})[0]

    assert aucr(low + extra) >= aucr(low) - 1e-12


@settings(max_examples=50, deadline=None)
@given(conc=st.lists(st.floats(min_value=0, max_value=500), min_size=2, max_size=50))
def test_enzyme_fraction_stays_between_zero_and_one(conc: list[float]) -> None:
    t = np.arange(len(conc), dtype=float)
    e = ix.step_enzyme(t, np.array(conc), 4.1, 4.0, 0.01)
    assert np.all(e > 0) and np.all(e <= 1 + 1e-12)


# ------------------------------------------------------------------------ data and predictions


def test_data_file_is_cited() -> None:
    content = load_data_file("cyp_inhibition.yaml")
    assert uncited_numbers(content) == []
    for key, ref in content["references"].items():
        assert ref.get("doi") or ref.get("pmid"), key


def test_parameter_sets_order() -> None:
    sets = ix.parameter_sets()
    assert (
        sets["strongest"].ki_uM["CYP2D6"]
        <= sets["central"].ki_uM["CYP2D6"]
        <= sets["weakest"].ki_uM["CYP2D6"]
    )
    assert sets["central"].tdi["CYP3A4"]["liver"].kinact_per_h == pytest.approx(0.068 * 60)


def test_static_prediction_range_brackets_central() -> None:
    p = ix.static_prediction("midazolam", ix.kratom_regimen("K51", "2g"))
    assert p.auc_ratio_low <= p.auc_ratio <= p.auc_ratio_high
    assert p.auc_ratio > 1 and p.enzyme == "CYP3A4"
    assert p.cmax_ratio == pytest.approx(p.gut_term)


def test_dextromethorphan_has_no_gut_term() -> None:
    p = ix.static_prediction("dextromethorphan", ix.kratom_regimen("K51", "2g"))
    assert p.gut_term == pytest.approx(1.0)
    assert p.enzyme == "CYP2D6" and p.site == "liver"


def test_dynamic_accumulates_over_nights() -> None:
    one = ix.dynamic_prediction("midazolam", ix.kratom_regimen("K51", "2g", 1))
    seven = ix.dynamic_prediction("midazolam", ix.kratom_regimen("K51", "2g", 7))
    assert 1 < one.auc_ratio <= seven.auc_ratio
    assert seven.auc_ratio_low <= seven.auc_ratio <= seven.auc_ratio_high


def test_higher_dose_more_interaction() -> None:
    high = ix.predict("midazolam", ix.kratom_regimen("K51", "8g")).auc_ratio
    assert high >= ix.predict("midazolam", ix.kratom_regimen("K51", "2g")).auc_ratio


def test_unknown_victim_lists_known() -> None:
    with pytest.raises(InputError, match=r"known victims: .*midazolam"):
        ix.get_victim("aspirin")


def test_comedication_warnings_are_predictions_not_advice() -> None:
    lines = ix.comedication_warnings(["midazolam", "dextromethorphan"], ix.kratom_regimen("K51", "2g"))
    assert len(lines) == 2 and lines[0].startswith("midazolam: predicted AUC ratio")
    for line in lines:
        assert not any(word in line.lower() for word in ("should", "recommend", "avoid", "safe"))
    with pytest.raises(InputError):
        ix.comedication_warnings(["aspirin"], ix.kratom_regimen("K51", "2g"))


def test_comedication_warning_quotes_the_clinical_study_of_that_design() -> None:
    (line,) = ix.comedication_warnings(["midazolam"], ix.kratom_regimen("K51", "2g"))
    assert "Observed in tanna2023cpt: 1.39 (90% CI 1.23-1.57)" in line
    (later,) = ix.comedication_warnings(["midazolam"], ix.kratom_regimen("K51", "2g", 7))
    assert "Observed" not in later and "on night 7" in later  # the study was a single dose
    seventh = ix.dynamic_prediction("midazolam", ix.kratom_regimen("K51", "2g", 7))
    assert f"predicted AUC ratio {seventh.auc_ratio:.3g}" in later  # the same terms as the drawn curve


# --------------------------------------------------------------------------------------- CLI


def test_cli_json_keys(capsys: pytest.CaptureFixture[str]) -> None:
    from kratomsim.cli import main

    main(["interact", "--product", "K51", "--dose", "2g", "--victim", "midazolam", "--json"])
    payload = json.loads(capsys.readouterr().out)
    for key in ("victim", "auc_ratio", "cmax_ratio", "auc_ratio_low", "auc_ratio_high", "site"):
        assert key in payload
    assert payload["victim"] == "midazolam" and payload["site"] in ("gut", "liver")


def test_cli_dynamic_json(capsys: pytest.CaptureFixture[str]) -> None:
    from kratomsim.cli import main

    main(["interact", "--victim", "dextromethorphan", "--nights", "3", "--dynamic", "--json"])
    payload = json.loads(capsys.readouterr().out)
    assert payload["model"] == "dynamic" and payload["nights"] == 3


@pytest.mark.parametrize(
    "args",
    [
        ["interact", "--victim", "aspirin"],
        ["interact", "--victim", "midazolam", "--dose", "-2g"],
        ["interact", "--victim", "midazolam", "--nights", "0"],
        ["interact", "--victim", "midazolam", "--victim-dose", "lots"],
        ["interact", "--victim", "midazolam", "--product", "NOPE"],
    ],
)
def test_cli_bad_input_exits_2_with_one_line(args: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    from kratomsim.cli import main

    with pytest.raises(SystemExit) as exit_info:
        main(args)
    assert exit_info.value.code == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("error:") and "\n" not in err


# ------------------------------------------------------------ fm from clinical inhibitor studies


def test_fm_from_auc_ratio_by_hand() -> None:
    # Complete block of a pathway carrying fm: AUCR = 1/(1 - fm). AUCR 4 -> fm 0.75; 1 -> 0.
    assert ix.fm_from_auc_ratio(4.0) == pytest.approx(0.75)
    assert ix.fm_from_auc_ratio(1.0) == pytest.approx(0.0)
    assert ix.fm_from_auc_ratio(0.8) == 0.0  # an AUCR below 1 carries no fm
    with pytest.raises(ValueError):
        ix.fm_from_auc_ratio(0.0)
    # Zolpidem: CL/F 422 mL/min with placebo, 250 with ketoconazole -> AUCR 1.688, fm 0.4076
    r, lo, hi = ix.InhibitorStudy(cl_without=422, cl_with=250, source="s", where="w").auc_ratio()
    assert r == pytest.approx(1.688) and lo == hi == r
    assert ix.fm_from_auc_ratio(r) == pytest.approx(1 - 250 / 422)
    # Quetiapine: oral clearance down 84% -> AUCR 1/0.16 = 6.25, fm 0.84
    assert ix.InhibitorStudy(cl_reduction_percent=84, source="s", where="w").auc_ratio()[0] == pytest.approx(6.25)
    # Suvorexant: AUC 2.61 -> 7.28 uM*h -> fm = 1 - 2.61/7.28 = 0.6415
    r = ix.InhibitorStudy(auc_without=2.61, auc_with=7.28, source="s", where="w").auc_ratio()[0]
    assert ix.fm_from_auc_ratio(r) == pytest.approx(0.64148, rel=1e-4)
    # Oxycodone with voriconazole: 3.6 (2.7-5.6) -> fm 0.722 (0.630-0.821)
    r, lo, hi = ix.InhibitorStudy(value=3.6, low=2.7, high=5.6, source="s", where="w").auc_ratio()
    assert [round(ix.fm_from_auc_ratio(x), 3) for x in (lo, r, hi)] == [0.630, 0.722, 0.821]


@pytest.mark.parametrize(
    ("victim", "enzyme", "fm"),
    [
        ("zolpidem", "CYP3A4", 1 - 250 / 422),
        ("suvorexant", "CYP3A4", 1 - 2.61 / 7.28),
        ("lemborexant", "CYP3A4", 0.75),
        ("daridorexant", "CYP3A4", 0.89),
        ("trazodone", "CYP3A4", 1 - 75 / 155),
        ("quetiapine", "CYP3A4", 0.84),
        ("oxycodone", "CYP3A4", 1 - 1 / 3.6),
        ("tramadol", "CYP2D6", 1 - 1 / 1.2),
        ("codeine", "CYP2D6", 0.10),
    ],
)
def test_library_victims_carry_the_derived_fm(victim: str, enzyme: str, fm: float) -> None:
    v = ix.get_victim(victim)
    assert v.fm[enzyme] == pytest.approx(fm)
    assert v.sources and "medicines.yaml" not in v.sources  # the cited keys, not the file name


LISTED_VICTIMS = (
    "zolpidem", "suvorexant", "lemborexant", "daridorexant", "trazodone", "quetiapine",
    "oxycodone", "codeine", "tramadol", "midazolam", "dextromethorphan",
)


@pytest.mark.parametrize("victim", LISTED_VICTIMS)
def test_every_listed_victim_predicts(victim: str) -> None:
    static = ix.predict(victim, ix.kratom_regimen("K51", "2g"))
    dynamic = ix.predict(victim, ix.kratom_regimen("K51", "2g"), dynamic=True)
    for p in (static, dynamic):
        assert p.auc_ratio_low <= p.auc_ratio <= p.auc_ratio_high
        assert p.auc_ratio >= 1.0
    assert static.auc_ratio >= dynamic.auc_ratio  # the static model is the upper-end screen


@pytest.mark.parametrize(("victim", "metabolite"), [("codeine", "morphine"), ("tramadol", "O-desmethyltramadol")])
def test_prodrugs_form_less_active_metabolite(victim: str, metabolite: str) -> None:
    for dose in ("2g", "8g"):
        p = ix.predict(victim, ix.kratom_regimen("K51", dose))
        assert p.active_metabolite == metabolite
        assert p.active_metabolite_auc_ratio is not None and p.active_metabolite_auc_ratio < 1


def test_hydrocodone_without_cited_fm_says_so() -> None:
    with pytest.raises(InputError, match="no cited CYP3A4/CYP2D6 fraction"):
        ix.get_victim("hydrocodone")


def test_cli_predicts_for_a_new_victim(capsys: pytest.CaptureFixture[str]) -> None:
    from kratomsim.cli import main

    main(["interact", "--victim", "lemborexant", "--json"])
    payload = json.loads(capsys.readouterr().out)
    assert payload["victim"] == "lemborexant" and payload["auc_ratio"] > 1
    assert "dayvigo_label" in payload["sources"]
