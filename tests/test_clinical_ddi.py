"""Clinical kratom-drug interaction rows and the guidance's gut concentrations (hand calculations)."""

import math

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from kratomsim import clinical_ddi, interactions


def test_gut_wall_concentration_is_fa_ka_dose_over_qen():
    # 100 umol, ka 6/h, Qen 18 L/h -> 100 * 6 / 18 = 33.33 uM (FDA 2020 mechanistic static model)
    assert math.isclose(interactions.gut_wall_uM(100.0), 100.0 * 6.0 / 18.0)
    # the basic screen is dose / 0.25 L: 400 uM, twelve times higher for these inputs
    assert math.isclose(interactions.gut_lumen_uM(100.0), 400.0)


@given(st.floats(0.5, 5000.0), st.floats(0.01, 10.0))
def test_fold_error_is_symmetric_and_at_least_one(obs, pred):
    fe = clinical_ddi.fold_error(obs, pred)
    assert fe >= 1.0
    assert math.isclose(fe, clinical_ddi.fold_error(pred, obs))


def test_observed_values_are_the_published_ones():
    design = interactions.kratom_regimen("K51", "2g")
    mdz = clinical_ddi.observed("midazolam", design)
    assert mdz is not None and mdz["auc_ratio"] == 1.39 and mdz["ci90"] == [1.23, 1.57]
    dex = clinical_ddi.observed("dextromethorphan", design)
    assert dex is not None and dex["auc_ratio"] == 0.99
    # no study of these designs: another dose, two nights, or mitragynine alone
    for other in (interactions.kratom_regimen("K51", "4g"), interactions.kratom_regimen("K51", "2g", 2),
                  interactions.kratom_regimen(None, "39mg:mitragynine")):
        assert clinical_ddi.observed("midazolam", other) is None


def test_rows_are_independent_and_consistent():
    rows = clinical_ddi.validate_clinical_ddi()
    assert {r["compound"] for r in rows} == {"midazolam", "dextromethorphan"}
    for r in rows:
        assert r["kind"] == "independent"
        assert math.isclose(r["fold_error"], clinical_ddi.fold_error(r["observed"], r["predicted"]))


def test_screen_exceeds_static_exceeds_dynamic_for_midazolam():
    c = clinical_ddi.comparison("midazolam", interactions.kratom_regimen("K51", "2g"))
    assert c is not None
    assert c["screen"] > c["static"] > c["dynamic"] > 1.0


def test_with_kratom_curve_matches_closed_form():
    """Closed-form one-compartment oral curve, with CL divided by the liver term and the dose times the gut term."""
    from kratomsim.comedication import medicine_with_kratom
    from kratomsim.medicines import load_medicine, medicine_disposition, medicine_dose

    t = np.linspace(0.0, 12.0, 49)
    w = medicine_with_kratom(medicine_dose("zolpidem:10mg"), t, interactions.kratom_regimen("K51", "2g"))
    assert w is not None
    d = medicine_disposition("zolpidem")
    ka, v = float(np.ravel(d.ka)[0]), float(np.ravel(d.v1)[0])
    k = float(np.ravel(d.cl)[0]) / w.liver_term / v
    umol = load_medicine("zolpidem").dose_umol(10.0) * w.gut_term
    lag = d.lag
    tt = np.clip(t - lag, 0.0, None)
    expected = umol * ka / (v * (ka - k)) * (np.exp(-k * tt) - np.exp(-ka * tt)) * 1000.0
    np.testing.assert_allclose(w.conc_nM, expected, rtol=1e-6, atol=1e-9)


def test_the_clinical_file_passes_its_schema_and_a_ratio_without_its_interval_fails():
    import copy

    import pytest

    from kratomsim.datafiles import load_data_file
    from kratomsim.schema import DataFileError, validate_data

    content = load_data_file("clinical_ddi.yaml")
    parsed = validate_data("clinical_ddi.yaml", clinical_ddi.ClinicalDdiFile, content)
    assert parsed.studies["tanna2023cpt"].pairs["midazolam"].auc_ratio.ci90_low == 1.23
    broken = copy.deepcopy(content)
    del broken["studies"]["tanna2023cpt"]["pairs"]["midazolam"]["auc_ratio"]["ci90_high"]
    with pytest.raises(DataFileError, match="pairs/midazolam/auc_ratio/ci90_high"):
        validate_data("clinical_ddi.yaml", clinical_ddi.ClinicalDdiFile, broken)


def test_the_same_design_is_found_however_the_dose_is_typed():
    """'2000mg' of K51 is the study's '2g': the design is matched on the parsed dose, not the text."""
    typed = interactions.kratom_regimen("K51", "2000mg")
    assert clinical_ddi.comparison("midazolam", typed) == clinical_ddi.comparison(
        "midazolam", interactions.kratom_regimen("K51", "2g"))
    assert clinical_ddi.comparison("midazolam", interactions.kratom_regimen("K51", "4g")) is None
