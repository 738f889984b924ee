"""The acceptance criteria of the core issue, checked on the shipped parameters; and that the
shipped parameters are what `calibrate` produces."""

import numpy as np
import pytest

from kratomsim.calibrate import calibrate_all
from kratomsim.library import kratom_dispositions
from kratomsim.validate import gmfe, validation_rows

TANNA_COMPOUNDS = {"mitragynine", "speciogynine", "paynantheine", "speciociliatine", "mitraciliatine",
                   "isopaynantheine", "7-hydroxymitragynine"}


@pytest.fixture(scope="module")
def rows():
    return validation_rows()


def test_every_tanna_statistic_is_validated(rows):
    seen = {(r.compound, r.statistic) for r in rows if r.study == "tanna2022"}
    assert seen == {(c, s) for c in TANNA_COMPOUNDS for s in ("cmax", "tmax", "auc_inf", "t_half")}
    assert any(r.study == "trakulsrichai2015" for r in rows)


def test_tanna_limits(rows):
    for r in rows:
        if r.study != "tanna2022":
            continue
        limit = 1.5 if r.statistic in ("cmax", "auc_inf") else 2.0
        assert r.fold_error <= limit, r


def test_tanna_gmfe(rows):
    summary = gmfe(rows)["tanna2022"]
    assert summary["cmax"] <= 1.25
    assert summary["auc_inf"] <= 1.25


def test_fold_error_is_symmetric(rows):
    for r in rows:
        assert r.fold_error == pytest.approx(max(r.predicted / r.observed, r.observed / r.predicted))


@pytest.mark.slow
def test_shipped_parameters_are_reproducible():
    """Refitting from the data gives the shipped parameters (the fit is code, not hand-edits).

    The fit is well posed (fixed 7-OH split from a grid profile, weak priors on the one free
    direction, fixed start and tolerances), so 1e-3 relative is a meaningful tolerance; the same
    check passes with OPENBLAS_NUM_THREADS=1 (docs/model.md)."""
    shipped, shipped_formations = kratom_dispositions()
    refit = calibrate_all()
    for name, result in refit.items():
        d = shipped[name]
        for key, attr in (("ka", "ka"), ("cl_over_f", "cl"), ("v1_over_f", "v1"), ("q2_over_f", "q2"),
                          ("v2_over_f", "v2")):
            if key in result.parameters:
                assert result.parameters[key] == pytest.approx(float(np.asarray(getattr(d, attr))), rel=1e-3), (
                    name, key)
    formation = refit["7-hydroxymitragynine"].formation
    assert formation["presystemic_fraction"] == pytest.approx(float(np.asarray(shipped_formations[0].presystemic)),
                                                              rel=1e-3)
    assert formation["systemic_fraction"] == pytest.approx(float(np.asarray(shipped_formations[0].systemic)),
                                                           abs=1e-6)
