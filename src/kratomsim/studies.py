"""Replaying a published study with the model: its doses, its sampling, its summary statistics.

Shared by calibration (which fits parameters to the statistics) and validation (which reports how
far the model is from them), so both summarise the model exactly the way the study did.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from kratomsim.library import molecular_weight, studies
from kratomsim.pk.engine import concentrations_nM, propagate
from kratomsim.pk.model import Disposition, DoseEvent, Formation, build_system
from kratomsim.pk.nca import auc_linear_up_log_down, nca, window_half_life
from kratomsim.units import mg_to_umol

STATISTICS = ("cmax", "tmax", "auc_inf", "t_half", "vz_over_f")
# Where a study's limit of quantification is not in the library, the model profile counts as
# quantifiable down to this fraction of its own Cmax (an assumption, stated in validate's output).
ASSUMED_LLOQ_FRACTION = 0.01
DENSE_STEP_H = 2.0 / 60.0
FALLBACK_END_H = 72.0
# Fine grid over the absorption phase, used only for the smooth (interpolated) tmax the fit needs:
# a tmax read off the sampling times is a step function of the parameters.
PEAK_GRID_END_H = 10.0
PEAK_GRID_STEP_H = 1.0 / 60.0


@dataclass(frozen=True)
class Observed:
    """One reported statistic: its central value (median or mean), spread, unit and source."""

    study: str
    compound: str
    statistic: str
    value: float
    unit: str
    source: str
    where: str
    low: float | None = None
    high: float | None = None


def observed_statistics(study_key: str) -> list[Observed]:
    """The statistics a study reports, in the form the model predicts (cmax nM, tmax h, ...)."""
    study = studies()[study_key]
    rows: list[Observed] = []
    for compound, stats in (study.get("compounds") or {}).items():
        for statistic in STATISTICS:
            cell = stats.get(statistic)
            if not cell:
                continue
            central = cell.get("median", cell.get("mean"))
            low = cell.get("low")
            high = cell.get("high")
            rows.append(
                Observed(study_key, compound, statistic, float(central), cell["unit"], cell["source"],
                         cell["where"], low, high)
            )
    return rows


def study_doses(study_key: str) -> list[DoseEvent]:
    """Single oral doses at time 0 of each alkaloid with a reported dose (micromoles)."""
    study = studies()[study_key]
    events = []
    for compound, stats in study["compounds"].items():
        if "dose_mg" in stats:
            mg = float(stats["dose_mg"]["value"])
            events.append(DoseEvent(0.0, compound, mg_to_umol(mg, molecular_weight(compound))))
    return events


def sampling_window_h(study: dict[str, Any]) -> float:
    """End of the study's blood sampling (h); FALLBACK_END_H (72 h) where the library does not know it.

    The individual sampling times of neither study are in the library, so profiles are summarised
    on a dense 2-minute grid over the sampling window.
    """
    window = (study.get("blood_sampling") or {}).get("window")
    return float(window["high"]) if window else FALLBACK_END_H


def sampling_times_h(study: dict[str, Any]) -> np.ndarray | None:
    """The study's blood sampling times (h), union of the listed and the implied ones; None if unknown."""
    sampling = study.get("blood_sampling") or {}
    listed = sampling.get("times_h")
    if not listed:
        return None
    times = [float(t) for t in listed["value"]]
    implied = sampling.get("times_implied_by_reported_tmax_h")
    if implied:
        times += [float(t) for t in implied["value"]]
    return np.unique(np.asarray(times, dtype=float))


def smooth_tmax(times: np.ndarray, conc: np.ndarray) -> float:
    """Time of the peak by a parabola through the grid maximum and its neighbours (continuous in
    the parameters, unlike the grid argmax)."""
    i = int(np.argmax(conc))
    if i == 0 or i == len(times) - 1:
        return float(times[i])
    (t0, t1, t2), (c0, c1, c2) = times[i - 1 : i + 2], conc[i - 1 : i + 2]
    denom = (t0 - t1) * (t0 - t2) * (t1 - t2)
    a = (t2 * (c1 - c0) + t1 * (c0 - c2) + t0 * (c2 - c1)) / denom
    b = (t2**2 * (c0 - c1) + t1**2 * (c2 - c0) + t0**2 * (c1 - c2)) / denom
    return float(-b / (2 * a)) if a < 0 else float(t1)


def summarise_sampled(study: dict[str, Any], compound: str, times: np.ndarray, conc: np.ndarray) -> dict[str, float]:
    """NCA of a model profile read at the study's own sampling times, above its LLOQ, with the
    terminal phase chosen by best adjusted R-squared (the usual software rule)."""
    lloq = lloq_nM(study, compound, float(np.max(conc)))
    result = nca(times, conc, lloq)
    return {"cmax": result.cmax, "tmax": result.tmax, "auc_inf": result.auc_inf, "t_half": result.t_half,
            "lloq_nM": lloq, "terminal_from_h": result.terminal_times[0] if result.terminal_times else float("nan")}


def lloq_nM(study: dict[str, Any], compound: str, cmax: float) -> float:
    cell = (study.get("lloq_nM") or {}).get(compound)
    return float(cell["value"]) if isinstance(cell, dict) else ASSUMED_LLOQ_FRACTION * cmax


def summarise_profile(
    study: dict[str, Any], compound: str, times: np.ndarray, conc: np.ndarray, time_offset: float = 0.0
) -> dict[str, float]:
    """Cmax, tmax, AUCinf and terminal half-life of a model profile, the way the study measured them."""
    peak = int(np.argmax(conc))
    cmax = float(conc[peak])
    lloq = lloq_nM(study, compound, cmax)
    half_life, _ = window_half_life(times, conc, lloq)
    quantifiable = conc > lloq
    last = int(np.nonzero(quantifiable)[0][-1]) if quantifiable.any() else len(times) - 1
    auc_last = auc_linear_up_log_down(times[: last + 1], conc[: last + 1])
    auc_inf = auc_last + conc[last] * half_life / np.log(2) if np.isfinite(half_life) else float("nan")
    return {"cmax": cmax, "tmax": float(times[peak] - time_offset), "auc_inf": float(auc_inf),
            "t_half": half_life}


def predict_statistics(
    study_key: str,
    dispositions: dict[str, Disposition],
    formations: list[Formation],
    compounds: list[str] | None = None,
) -> dict[str, dict[str, float]]:
    """Model-predicted NCA statistics for a single-dose study, per compound.

    With known sampling times the profile is read at those times only (and ``tmax_smooth`` is
    added from a fine grid over the absorption phase); otherwise on a dense grid over the window.
    """
    study = studies()[study_key]
    doses = study_doses(study_key)
    dosed = {d.compound for d in doses}
    wanted = compounds or [c for c in study["compounds"] if c in dispositions]
    needed = set(wanted) | {f.parent for f in formations if f.metabolite in wanted}
    active = {n: d for n, d in dispositions.items() if n in needed}
    active_formations = [f for f in formations if f.parent in active and f.metabolite in active]
    system = build_system(active, active_formations)
    given = [d for d in doses if d.compound in active]
    sampled = sampling_times_h(study)
    if sampled is None:
        times = np.arange(0.0, sampling_window_h(study) + 1e-9, DENSE_STEP_H)
        conc = concentrations_nM(system, propagate(system, given, times))
    else:
        fine = np.arange(0.0, PEAK_GRID_END_H + 1e-9, PEAK_GRID_STEP_H)
        times = np.union1d(sampled, fine)
        conc = concentrations_nM(system, propagate(system, given, times))
        at_samples = np.isin(times, sampled)
        in_fine = np.isin(times, fine)
    result: dict[str, dict[str, float]] = {}
    for compound in wanted:
        formed = any(f.metabolite == compound for f in active_formations)
        if compound in active and (compound in dosed or formed):
            profile = conc[compound][0]
            if sampled is None:
                result[compound] = summarise_profile(study, compound, times, profile)
            else:
                stats = summarise_sampled(study, compound, times[at_samples], profile[at_samples])
                stats["tmax_smooth"] = smooth_tmax(times[in_fine], profile[in_fine])
                result[compound] = stats
    return result


def fold_error(predicted: float, observed: float) -> float:
    """max(p/o, o/p): 1 is perfect, 2 means a factor of two either way."""
    if not (np.isfinite(predicted) and predicted > 0 and observed > 0):
        return float("inf")
    ratio = predicted / observed
    return float(max(ratio, 1.0 / ratio))
