"""Fitting apparent PK parameters to published summary statistics (no raw data exist).

Each alkaloid of Tanna et al. 2022 gets a two-compartment oral model (ka, CL/F, V1/F, Q/F, V2/F)
fitted to the reported medians of Cmax, tmax, AUCinf and terminal half-life, replayed with the
study's own dose and sampling (kratomsim.studies). Mitragynine and 7-hydroxymitragynine are fitted
together: 7-OH is below quantification in the product, so its plasma exposure is formed from
mitragynine on first pass (presystemic fraction) and from circulating mitragynine (systemic
fraction). Only the products fraction x F / (CL and V of 7-OH) are identifiable; the 7-OH parameters
are therefore apparent "per unit of mitragynine absorbed", as the output says.

Four statistics cannot pin five or nine parameters, so weak priors (stated below) keep the fit in
a plausible region; their weights are small enough that they move no statistic by more than a few
percent. The fit and its residuals are written next to the parameters.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import yaml
from scipy.optimize import least_squares
from scipy.special import expit, logit

from kratomsim.library import MITRAGYNINE, SEVEN_OH
from kratomsim.pk.model import Disposition, Formation
from kratomsim.studies import fold_error, observed_statistics, predict_statistics

STUDY = "tanna2022"
STAT_WEIGHTS = {"cmax": 1.0, "auc_inf": 1.0, "t_half": 1.0, "tmax": 1.0}
# Weak priors (log scale): intercompartmental clearance of the order of the elimination clearance.
PRIOR_WEIGHT = 0.05

PARAMETER_UNITS = {
    "ka": "1/h", "lag": "h", "cl_over_f": "L/h", "v1_over_f": "L", "q2_over_f": "L/h", "v2_over_f": "L",
}


@dataclass(frozen=True)
class FitResult:
    parameters: dict[str, float]
    formation: dict[str, float]
    residuals: list[dict[str, Any]]
    cost: float


def _two_compartment(theta: np.ndarray, lag: float = 0.0) -> Disposition:
    ka, cl, v1, q, v2 = np.exp(theta)
    return Disposition(ka=ka, cl=cl, v1=v1, q2=q, v2=v2, lag=lag)


def _residuals(
    compounds: list[str], predicted: dict[str, dict[str, float]], observed: dict[tuple[str, str], float]
) -> list[float]:
    out = []
    for compound in compounds:
        for statistic, weight in STAT_WEIGHTS.items():
            obs = observed.get((compound, statistic))
            if obs is None:
                continue
            pred = predicted.get(compound, {}).get(statistic, float("nan"))
            out.append(weight * (np.log(pred / obs) if np.isfinite(pred) and pred > 0 else 10.0))
    return out


def _observed_map() -> dict[tuple[str, str], float]:
    return {(o.compound, o.statistic): o.value for o in observed_statistics(STUDY)}


def _initial(compound: str, observed: dict[tuple[str, str], float], dose_mg: float, mw: float) -> np.ndarray:
    auc_umol_h_per_l = observed[(compound, "auc_inf")] / 1000.0
    cl = dose_mg * 1000.0 / mw / auc_umol_h_per_l
    t_half = observed[(compound, "t_half")]
    vz = cl * t_half / np.log(2)
    return np.log([1.0, cl, vz / 5.0, cl, vz])


def fit_alkaloid(compound: str) -> FitResult:
    """Fit one parent alkaloid (no metabolite) to its four reported medians."""
    from kratomsim.library import molecular_weight, studies

    observed = _observed_map()
    dose_mg = float(studies()[STUDY]["compounds"][compound]["dose_mg"]["value"])
    theta0 = _initial(compound, observed, dose_mg, molecular_weight(compound))

    def objective(theta: np.ndarray) -> np.ndarray:
        disp = {compound: _two_compartment(theta)}
        pred = predict_statistics(STUDY, disp, [], [compound])
        prior = [PRIOR_WEIGHT * (theta[3] - theta[1])]
        return np.array(_residuals([compound], pred, observed) + prior)

    fit = least_squares(objective, theta0, method="trf", x_scale=1.0, max_nfev=400)
    disp = _two_compartment(fit.x)
    pred = predict_statistics(STUDY, {compound: disp}, [], [compound])
    return FitResult(_disposition_dict(disp), {}, _residual_rows([compound], pred, observed), float(fit.cost))


def fit_mitragynine_and_metabolite() -> tuple[FitResult, FitResult]:
    """Fit mitragynine (two compartments) and 7-OH (one compartment, formed) together."""
    from kratomsim.library import molecular_weight, studies

    observed = _observed_map()
    dose_mg = float(studies()[STUDY]["compounds"][MITRAGYNINE]["dose_mg"]["value"])
    parent0 = _initial(MITRAGYNINE, observed, dose_mg, molecular_weight(MITRAGYNINE))
    # 7-OH: CL/F and V/F per unit formation, starting from its AUC and half-life for a 10 % yield.
    cl7 = 0.1 * dose_mg * 1000.0 / molecular_weight(MITRAGYNINE) / (observed[(SEVEN_OH, "auc_inf")] / 1000.0)
    v7 = cl7 * observed[(SEVEN_OH, "t_half")] / np.log(2)
    # The quick rise after a delay (tmax 0.75-1.5 h) needs an absorption lag, fitted here.
    theta0 = np.concatenate([parent0, np.log([cl7, v7]), logit([0.08, 0.02]), np.log([0.3])])

    def unpack(theta: np.ndarray) -> tuple[dict[str, Disposition], list[Formation]]:
        lag = float(np.exp(theta[9]))
        parent = _two_compartment(theta[:5], lag)
        cl7_, v7_ = np.exp(theta[5:7])
        pre, sys_ = expit(theta[7:9])
        metabolite = Disposition(ka=1.0, cl=cl7_, v1=v7_)
        return (
            {MITRAGYNINE: parent, SEVEN_OH: metabolite},
            [Formation(MITRAGYNINE, SEVEN_OH, presystemic=pre, systemic=sys_)],
        )

    def objective(theta: np.ndarray) -> np.ndarray:
        disp, formations = unpack(theta)
        pred = predict_statistics(STUDY, disp, formations, [MITRAGYNINE, SEVEN_OH])
        prior = [PRIOR_WEIGHT * (theta[3] - theta[1])]
        return np.array(_residuals([MITRAGYNINE, SEVEN_OH], pred, observed) + prior)

    fit = least_squares(objective, theta0, method="trf", max_nfev=600)
    disp, formations = unpack(fit.x)
    pred = predict_statistics(STUDY, disp, formations, [MITRAGYNINE, SEVEN_OH])
    parent = FitResult(
        _disposition_dict(disp[MITRAGYNINE]), {}, _residual_rows([MITRAGYNINE], pred, observed), float(fit.cost)
    )
    metabolite_params = {
        "cl_over_f": float(np.asarray(disp[SEVEN_OH].cl)),
        "v1_over_f": float(np.asarray(disp[SEVEN_OH].v1)),
    }
    metabolite = FitResult(
        metabolite_params,
        {
            "presystemic_fraction": float(np.asarray(formations[0].presystemic)),
            "systemic_fraction": float(np.asarray(formations[0].systemic)),
        },
        _residual_rows([SEVEN_OH], pred, observed),
        float(fit.cost),
    )
    return parent, metabolite


def _disposition_dict(d: Disposition) -> dict[str, float]:
    values = {
        "ka": float(np.asarray(d.ka)), "cl_over_f": float(np.asarray(d.cl)), "v1_over_f": float(np.asarray(d.v1)),
        "q2_over_f": float(np.asarray(d.q2)), "v2_over_f": float(np.asarray(d.v2)),
    }
    if d.lag > 0:
        values["lag"] = float(d.lag)
    return values


def _residual_rows(
    compounds: list[str], predicted: dict[str, dict[str, float]], observed: dict[tuple[str, str], float]
) -> list[dict[str, Any]]:
    rows = []
    for compound in compounds:
        for statistic in STAT_WEIGHTS:
            obs = observed.get((compound, statistic))
            if obs is None:
                continue
            pred = predicted[compound][statistic]
            rows.append({"statistic": statistic, "observed": obs, "predicted": round(pred, 4),
                         "fold_error": round(fold_error(pred, obs), 4)})
    return rows


def calibrate_all() -> dict[str, FitResult]:
    """Fit every alkaloid of the study; mitragynine and 7-OH jointly."""
    from kratomsim.library import studies

    results: dict[str, FitResult] = {}
    parent, metabolite = fit_mitragynine_and_metabolite()
    results[MITRAGYNINE] = parent
    results[SEVEN_OH] = metabolite
    for compound, stats in studies()[STUDY]["compounds"].items():
        if compound not in results and "dose_mg" in stats:
            results[compound] = fit_alkaloid(compound)
    return results


def _cell(value: float, unit: str) -> dict[str, Any]:
    return {"value": float(f"{value:.6g}"), "unit": unit}


def parameter_document(results: dict[str, FitResult]) -> dict[str, Any]:
    """The content of data/pk_parameters.yaml: parameters, formation and fit residuals, cited."""
    from kratomsim.datafiles import load_data_file

    refs = load_data_file("studies.yaml")["references"]
    where = f"fitted by `kratomsim calibrate` to the reported medians of {STUDY} (Cmax, tmax, AUCinf, t1/2)"
    compounds: dict[str, Any] = {}
    for name, result in results.items():
        entry: dict[str, Any] = {
            "model": "one-compartment, formed from mitragynine" if name == SEVEN_OH else "two-compartment oral",
            "source": STUDY,
            "where": where,
            "parameters": {k: _cell(v, PARAMETER_UNITS[k]) for k, v in result.parameters.items()},
            "fit": {"study": STUDY, "cost": float(f"{result.cost:.6g}"), "residuals": result.residuals},
        }
        if name == SEVEN_OH:
            entry["formation"] = {
                "parent": MITRAGYNINE,
                **{k: _cell(v, "1") for k, v in result.formation.items()},
            }
            entry["note"] = (
                "Apparent per unit of mitragynine absorbed: only formation fraction / (CL, V) is "
                "identifiable from plasma data after kratom."
            )
        compounds[name] = entry
    return {"references": {STUDY: refs[STUDY]}, "compounds": compounds}


def write_parameters(results: dict[str, FitResult], path: Path) -> None:
    header = (
        "# Written by `kratomsim calibrate`; do not edit by hand. Apparent (oral) parameters for a\n"
        "# 70 kg adult, fitted to published summary statistics; residuals are under `fit`.\n"
    )
    body = yaml.safe_dump(parameter_document(results), sort_keys=False, allow_unicode=True, width=100)
    path.write_text(header + body, encoding="utf-8")


def default_parameter_path() -> Path:
    return Path(__file__).parent / "data" / "pk_parameters.yaml"
