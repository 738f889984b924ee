"""Fitting apparent PK parameters to published summary statistics (no raw data exist).

Each alkaloid of Tanna et al. 2022 gets a two-compartment oral model (ka, CL/F, V1/F, Q/F, V2/F)
fitted to the reported medians of Cmax, tmax, AUCinf and terminal half-life, replayed on the
study's own sampling times (kratomsim.studies).

Why the fit is posed this way (the earlier joint fit was not identifiable: parent clearance and
the presystemic 7-OH fraction traded off, and the optimiser's end point depended on the machine):

- The split of 7-OH formation between first pass and circulating mitragynine is not fitted: it is
  fixed from in vitro and animal evidence (data/pk_evidence.yaml, ``systemic_share``).
- The 7-OH yield (fraction of mitragynine converted) cannot be separated from 7-OH's own CL/F and
  V/F; it is fixed by convention (YIELD_CONVENTION) and the 7-OH parameters are "per that yield".
  Plasma concentrations do not depend on the convention.
- Mitragynine is fitted first (five parameters, four statistics and one weak prior on Q/F), then
  7-OH (two parameters, four statistics) with mitragynine held: each stage is over-determined or
  square, so the optimum is unique, and it is reached from a fixed start with fixed tolerances.
- Residuals are log fold errors divided by the uncertainty of each median (from its reported range),
  so the same numbers give the weights and the parameter uncertainty (delta method).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
import yaml
from scipy.optimize import least_squares

from kratomsim.data_schemas import checked_file
from kratomsim.library import MITRAGYNINE, SEVEN_OH, molecular_weight, studies
from kratomsim.pk.model import Disposition, Formation
from kratomsim.studies import fold_error, observed_statistics, predict_statistics
from kratomsim.units import mg_to_umol

STUDY = "tanna2022"
STATISTICS = ("cmax", "auc_inf", "t_half", "tmax")
# The range of n values spans about 2.33 SD for n = 5 (expected range of a normal sample); the
# median's standard error is 1.2533 SD / sqrt(n). Used on the log scale.
RANGE_IN_SD_N5 = 2.326
MEDIAN_SE_FACTOR = 1.2533
N_SUMMARISED = 5
# Weak priors (log SD 1): intercompartmental clearance of the order of the elimination clearance,
# and ka near 3 / observed tmax. The medians leave one direction free (ka up with V1/F up keeps
# Cmax and tmax: smallest singular value of the Jacobian about 3e-4 without the prior), so
# without this prior the optimiser's end point along that valley depends on rounding.
PRIOR_LOG_SD = 1.0
KA_PRIOR_TMAX_MULTIPLE = 3.0
# 7-OH yield convention: only yield / (CL, V of 7-OH) is identifiable.
YIELD_CONVENTION = 0.10
TOLERANCES = {"ftol": 1e-12, "xtol": 1e-12, "gtol": 1e-12}
Z90 = 1.6449

PARAMETER_UNITS = {
    "ka": "1/h", "lag": "h", "cl_over_f": "L/h", "v1_over_f": "L", "q2_over_f": "L/h", "v2_over_f": "L",
}
PARENT_KEYS = ("ka", "cl_over_f", "v1_over_f", "q2_over_f", "v2_over_f")
METABOLITE_KEYS = ("cl_over_f", "v1_over_f")


@dataclass(frozen=True)
class FitResult:
    parameters: dict[str, float]
    formation: dict[str, float]
    residuals: list[dict[str, Any]]
    cost: float
    # 90 % interval of each fitted parameter (delta method on the weighted residuals).
    intervals: dict[str, tuple[float, float]] = field(default_factory=dict)


@cache
def evidence() -> dict[str, Any]:
    return dict(checked_file("pk_evidence.yaml"))


def evidence_systemic_share() -> float:
    """Share of 7-OH formed from circulating mitragynine if it equalled the dog's oral F."""
    return float(evidence()["seven_oh_formation"]["systemic_share"]["value"])


SHARE_GRID = tuple(round(0.05 * i, 2) for i in range(11))  # 0 .. 0.5
CHI2_90_1DF = 2.706


@dataclass(frozen=True)
class ShareProfile:
    """Profile likelihood of the systemic share of 7-OH formation on a fixed grid."""

    grid: tuple[float, ...]
    cost: tuple[float, ...]
    best: float
    ci90: tuple[float, float]


@cache
def share_profile() -> ShareProfile:
    """Refit 7-OH at each grid share (mitragynine held); best share and 90 % interval where
    2 x (cost - min cost) <= 2.706. A grid, not an optimiser, picks the share: deterministic."""
    costs = []
    for share in SHARE_GRID:
        _, metabolite = fit_mitragynine_and_metabolite(share)
        costs.append(metabolite.cost)
    best_index = int(np.argmin(costs))
    inside = [g for g, c in zip(SHARE_GRID, costs, strict=True) if 2.0 * (c - costs[best_index]) <= CHI2_90_1DF]
    return ShareProfile(SHARE_GRID, tuple(float(c) for c in costs), SHARE_GRID[best_index], (min(inside), max(inside)))


def systemic_share() -> float:
    """Share of 7-OH formed from circulating mitragynine (the rest on first pass): the grid
    profile-likelihood optimum on Tanna 2022."""
    return share_profile().best


def formation_fractions(share: float, total_yield: float = YIELD_CONVENTION) -> tuple[float, float]:
    """(presystemic, systemic) model fractions for a 7-OH yield split ``share`` : 1 - ``share``.

    Presystemic p of the absorbed dose goes to 7-OH; a fraction s of the (1 - p) reaching the
    blood does later: p = Y (1 - share), s (1 - p) = Y share.
    """
    pre = total_yield * (1.0 - share)
    sys_ = total_yield * share / (1.0 - pre)
    return pre, sys_


def _observed() -> dict[tuple[str, str], tuple[float, float]]:
    """(compound, statistic) -> (median, SE of log median)."""
    out = {}
    for o in observed_statistics(STUDY):
        has_range = bool(o.low and o.high and o.high > o.low)
        sd = np.log(o.high / o.low) / RANGE_IN_SD_N5 if has_range else 0.3  # type: ignore[operator]
        out[(o.compound, o.statistic)] = (o.value, MEDIAN_SE_FACTOR * sd / np.sqrt(N_SUMMARISED))
    return out


def _weighted(compound: str, predicted: dict[str, dict[str, float]],
              observed: dict[tuple[str, str], tuple[float, float]]) -> list[float]:
    out = []
    stats = predicted.get(compound, {})
    for statistic in STATISTICS:
        if (compound, statistic) not in observed:
            continue
        obs, se = observed[(compound, statistic)]
        pred = stats.get("tmax_smooth", stats.get("tmax")) if statistic == "tmax" else stats.get(statistic)
        ok = pred is not None and np.isfinite(pred) and pred > 0
        out.append(float(np.log(pred / obs)) / se if ok else 50.0)  # type: ignore[operator]
    return out


def _dose_mg(compound: str) -> float:
    return float(studies()[STUDY]["compounds"][compound]["dose_mg"]["value"])


def _start(compound: str) -> np.ndarray:
    """Fixed start from the medians: CL/F = dose/AUC, Vz/F = CL/F t1/2 / ln 2, ka from tmax."""
    obs = _observed()
    cl = mg_to_umol(_dose_mg(compound), molecular_weight(compound)) / (obs[(compound, "auc_inf")][0] / 1000.0)
    vz = cl * obs[(compound, "t_half")][0] / np.log(2)
    ka = KA_PRIOR_TMAX_MULTIPLE / obs[(compound, "tmax")][0]
    return np.log([ka, cl, vz / 5.0, cl, vz])


def _parent(theta: np.ndarray) -> Disposition:
    ka, cl, v1, q, v2 = np.exp(theta)
    return Disposition(ka=ka, cl=cl, v1=v1, q2=q, v2=v2)


def _seven_oh_system(parent: Disposition, theta7: np.ndarray, share: float
                     ) -> tuple[dict[str, Disposition], list[Formation]]:
    cl7, v7 = np.exp(theta7)
    pre, sys_ = formation_fractions(share)
    return ({MITRAGYNINE: parent, SEVEN_OH: Disposition(ka=1.0, cl=cl7, v1=v7)},
            [Formation(MITRAGYNINE, SEVEN_OH, presystemic=pre, systemic=sys_)])


def _intervals(fit: Any, keys: tuple[str, ...]) -> dict[str, tuple[float, float]]:
    jac = np.asarray(fit.jac)
    try:
        cov = np.linalg.inv(jac.T @ jac)
    except np.linalg.LinAlgError:
        return {}
    se = np.clip(np.sqrt(np.clip(np.diag(cov), 0.0, None)), 0.0, 20.0)
    return {k: (float(np.exp(x - Z90 * s)), float(np.exp(x + Z90 * s)))
            for k, x, s in zip(keys, fit.x, se, strict=True)}


def _solve(objective: Any, theta0: np.ndarray) -> Any:
    return least_squares(objective, theta0, method="trf", jac="3-point", x_scale=1.0, max_nfev=3000, **TOLERANCES)


def fit_alkaloid(compound: str, presystemic: float = 0.0) -> FitResult:
    """Fit one parent alkaloid to its four medians.

    ``presystemic``: fraction of the dose turned into 7-OH on first pass. The parent profile is
    then that of (1 - p) of the dose, so its fitted CL/F, V1/F, Q/F and V2/F are scaled by (1 - p):
    the same profile exactly, and the parent fit does not depend on the 7-OH split at all.
    """
    fitted, pred, cost, intervals = _parent_fit(compound)
    scale = 1.0 - presystemic
    disposition = replace(fitted, cl=float(np.asarray(fitted.cl)) * scale, v1=float(np.asarray(fitted.v1)) * scale,
                          q2=float(np.asarray(fitted.q2)) * scale, v2=float(np.asarray(fitted.v2)) * scale)
    intervals = {k: (lo * scale, hi * scale) if k != "ka" else (lo, hi) for k, (lo, hi) in intervals.items()}
    return FitResult(_disposition_dict(disposition), {}, _residual_rows(compound, pred), cost, intervals)


@cache
def _parent_fit(
    compound: str,
) -> tuple[Disposition, dict[str, dict[str, float]], float, dict[str, tuple[float, float]]]:
    observed = _observed()
    theta0 = _start(compound)

    def objective(theta: np.ndarray) -> np.ndarray:
        pred = predict_statistics(STUDY, {compound: _parent(theta)}, [], [compound])
        prior = [(theta[3] - theta[1]) / PRIOR_LOG_SD, (theta[0] - theta0[0]) / PRIOR_LOG_SD]
        return np.array(_weighted(compound, pred, observed) + prior)

    fit = _solve(objective, theta0)
    fitted = _parent(fit.x)
    pred = predict_statistics(STUDY, {compound: fitted}, [], [compound])
    return fitted, pred, float(fit.cost), _intervals(fit, PARENT_KEYS)


def fit_seven_oh(parent: Disposition, share: float | None = None) -> FitResult:
    """7-OH CL/F and V/F (per YIELD_CONVENTION) with the parent and the formation split held."""
    split = systemic_share() if share is None else share
    observed = _observed()
    dose_umol = mg_to_umol(_dose_mg(MITRAGYNINE), molecular_weight(MITRAGYNINE))
    cl7 = YIELD_CONVENTION * dose_umol / (observed[(SEVEN_OH, "auc_inf")][0] / 1000.0)
    theta0 = np.log([cl7, cl7 * observed[(SEVEN_OH, "t_half")][0] / np.log(2)])

    def objective(theta: np.ndarray) -> np.ndarray:
        disp, formations = _seven_oh_system(parent, theta, split)
        pred = predict_statistics(STUDY, disp, formations, [SEVEN_OH])
        return np.array(_weighted(SEVEN_OH, pred, observed))

    fit = _solve(objective, theta0)
    disp, formations = _seven_oh_system(parent, fit.x, split)
    pred = predict_statistics(STUDY, disp, formations, [SEVEN_OH])
    pre, sys_ = formation_fractions(split)
    return FitResult(
        {"cl_over_f": float(np.asarray(disp[SEVEN_OH].cl)), "v1_over_f": float(np.asarray(disp[SEVEN_OH].v1))},
        {"presystemic_fraction": pre, "systemic_fraction": sys_, "systemic_share": split},
        _residual_rows(SEVEN_OH, pred), float(fit.cost), _intervals(fit, METABOLITE_KEYS),
    )


def fit_mitragynine_and_metabolite(share: float | None = None) -> tuple[FitResult, FitResult]:
    """Mitragynine (two compartments), then 7-OH (one compartment, formed) with it held."""
    split = systemic_share() if share is None else share
    pre, _ = formation_fractions(split)
    parent = fit_alkaloid(MITRAGYNINE, presystemic=pre)
    p = parent.parameters
    disposition = Disposition(ka=p["ka"], cl=p["cl_over_f"], v1=p["v1_over_f"], q2=p["q2_over_f"], v2=p["v2_over_f"])
    return parent, fit_seven_oh(disposition, split)


def _disposition_dict(d: Disposition) -> dict[str, float]:
    values = {
        "ka": float(np.asarray(d.ka)), "cl_over_f": float(np.asarray(d.cl)), "v1_over_f": float(np.asarray(d.v1)),
        "q2_over_f": float(np.asarray(d.q2)), "v2_over_f": float(np.asarray(d.v2)),
    }
    if d.lag > 0:
        values["lag"] = float(d.lag)
    return values


def _residual_rows(compound: str, predicted: dict[str, dict[str, float]]) -> list[dict[str, Any]]:
    rows = []
    observed = _observed()
    for statistic in STATISTICS:
        if (compound, statistic) not in observed:
            continue
        obs = observed[(compound, statistic)][0]
        pred = predicted[compound][statistic]
        rows.append({"statistic": statistic, "observed": obs, "predicted": round(pred, 4),
                     "fold_error": round(fold_error(pred, obs), 4)})
    return rows


def calibrate_all() -> dict[str, FitResult]:
    """Fit every alkaloid of the study; mitragynine, then 7-OH from it."""
    results: dict[str, FitResult] = {}
    parent, metabolite = fit_mitragynine_and_metabolite()
    results[MITRAGYNINE] = parent
    results[SEVEN_OH] = metabolite
    for compound, stats in studies()[STUDY]["compounds"].items():
        if compound not in results and "dose_mg" in stats:
            results[compound] = fit_alkaloid(compound)
    return results


def _cell(value: float, unit: str, interval: tuple[float, float] | None = None) -> dict[str, Any]:
    cell: dict[str, Any] = {"value": float(f"{value:.6g}"), "unit": unit}
    if interval:
        cell["ci90"] = [float(f"{interval[0]:.4g}"), float(f"{interval[1]:.4g}")]
    return cell


def parameter_document(results: dict[str, FitResult]) -> dict[str, Any]:
    """The content of data/pk_parameters.yaml: parameters, formation and fit residuals, cited."""
    refs = checked_file("studies.yaml")["references"]
    where = (f"fitted by `kratomsim calibrate` to the reported medians of {STUDY} (Cmax, tmax, AUCinf, t1/2) "
             "replayed on the study's sampling times; ci90: delta-method 90 % interval")
    compounds: dict[str, Any] = {}
    for name, result in results.items():
        entry: dict[str, Any] = {
            "model": "one-compartment, formed from mitragynine" if name == SEVEN_OH else "two-compartment oral",
            "source": STUDY,
            "where": where,
            "parameters": {k: _cell(v, PARAMETER_UNITS[k], result.intervals.get(k))
                           for k, v in result.parameters.items()},
            "fit": {"study": STUDY, "cost": float(f"{result.cost:.6g}"), "residuals": result.residuals},
        }
        if name == SEVEN_OH:
            entry["formation"] = {
                "parent": MITRAGYNINE,
                **{k: _cell(v, "1") for k, v in result.formation.items()},
                "yield_convention": _cell(YIELD_CONVENTION, "1"),
            }
            entry["note"] = (
                "Apparent per 10 % of mitragynine converted (a convention: only yield / (CL, V) is "
                "identifiable). systemic_share is fixed from pk_evidence.yaml, not fitted."
            )
        compounds[name] = entry
    return {"references": {STUDY: refs[STUDY]}, "compounds": compounds}


def write_parameters(results: dict[str, FitResult], path: Path) -> None:
    header = (
        "# Written by `make calibration` (kratomsim calibrate --out ...); do not edit by hand. Apparent\n"
        "# (oral) parameters for a 70 kg adult, fitted to published summary statistics; residuals under `fit`.\n"
    )
    body = yaml.safe_dump(parameter_document(results), sort_keys=False, allow_unicode=True, width=100)
    path.write_text(header + body, encoding="utf-8")


def default_parameter_path() -> Path:
    return Path(__file__).parent / "data" / "pk_parameters.yaml"
