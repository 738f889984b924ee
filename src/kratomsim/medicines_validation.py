"""Each medicine's model checked against its sources: simulated with the exact engine, row by row.

Each row says its ``kind``: ``derivation`` when the statistic also built the model (the row checks
the fit and the engine; a fold above 1 shows how far a joint fit had to compromise),
``independent`` for everything else (another study, another sex, repeated dosing, the FDA
next-morning shares), which no parameter was tuned to.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from kratomsim.medicine_population import share_above_after_dose
from kratomsim.medicines_data import Medicine, PkCheck, Stat, load_medicine, medicine_names, resolve_statistic
from kratomsim.medicines_derivation import (
    AUC_TO_CONCENTRATION_UNIT,
    SEXES,
    Derivation,
    auc_target,
    cl_over_f_target,
    clearance_L_per_h,
    derivation,
    derivation_for,
    hours_of,
    reported_nM,
    study_dose_mg,
    volume_L,
)
from kratomsim.medicines_dosing import medicine_dose_events
from kratomsim.pk.engine import concentrations_nM, propagate
from kratomsim.pk.model import DoseEvent, FloatArray, build_system

FOLD_LIMIT = 1.5
"""Validation passes when max(p/o, o/p) is within this fold."""


GRID_H = 1.0 / 60.0
"""Validation grid: one minute."""


def _simulate_disposition(d: Derivation, doses: Sequence[DoseEvent], times_h: FloatArray) -> FloatArray:
    system = build_system({d.medicine: d.disposition()})
    states = propagate(system, doses, np.asarray(times_h, dtype=float))
    return concentrations_nM(system, states)[d.medicine][0]


def _measure(
    name: str, dose_mg: float, count: int, interval_h: float, sex: str | None = None, at_h: float | None = None
) -> dict[str, float]:
    """Statistics of a profile simulated with the exact engine on a 1-min grid, after the last dose.

    Cmax (nM), tmax (h), terminal half-life (h, log-linear fit to the last 30 % of the window),
    AUC0-inf (nM*h: trapezoids plus the terminal tail), C(at_h)/Cmax, and the AUC over one
    interval after the last dose divided by that after the first (accumulation).
    """
    d = derivation_for(name, sex)
    t_half = math.log(2.0) / d.ke
    last = (count - 1) * interval_h
    horizon = last + max(24.0, 10.0 * t_half)
    times = np.arange(0.0, horizon + GRID_H / 2, GRID_H)
    events = medicine_dose_events((name, dose_mg), count=count, interval_h=interval_h)
    conc = _simulate_disposition(d, events, times)
    after = times >= last - 1e-9
    t_after, c_after = times[after], conc[after]
    peak = int(np.argmax(c_after))
    tail = t_after >= last + 0.7 * (horizon - last)  # last 30 % of the window: terminal phase
    slope = float(np.polyfit(t_after[tail], np.log(c_after[tail]), 1)[0])
    out = {
        "cmax": float(c_after[peak]),
        "tmax": float(t_after[peak] - last),
        "t_half": float(-math.log(2.0) / slope),
        "auc_inf": float(np.trapezoid(c_after, t_after) + c_after[-1] / -slope),
        "cl_over_f": float(d.cl),
    }
    if at_h is not None:
        out["c_fraction"] = float(np.interp(last + at_h, times, conc) / c_after[peak])
    if count > 1:
        first = times <= interval_h + 1e-9
        window = (times >= last - 1e-9) & (times <= last + interval_h + 1e-9)
        out["accumulation_auc"] = float(
            np.trapezoid(conc[window], times[window]) / np.trapezoid(conc[first], times[first])
        )
    return out


def _row(
    study: str, compound: str, statistic: str, observed: float, predicted: float, unit: str, kind: str,
    limit: float = FOLD_LIMIT,
) -> dict[str, Any]:
    fold = max(predicted / observed, observed / predicted)
    return {
        "study": study,
        "compound": compound,
        "statistic": statistic,
        "observed": observed,
        "predicted": predicted,
        "unit": unit,
        "fold_error": fold,
        "limit": limit,
        "kind": kind,
    }


_SEX_SUFFIX = {"_female": "female", "_male": "male"}


def _observed(med: Medicine, key: str, stat: Stat, dose_mg: float) -> tuple[float, str]:
    """A cited statistic in the units the simulation reports (nM, h, nM*h, L/h, fraction, ratio)."""
    base = key
    for suffix in _SEX_SUFFIX:
        base = base.removesuffix(suffix)
    if base == "cmax":
        return reported_nM(stat.value, stat.unit, med.molecular_weight, dose_mg), "nM"
    if base in ("tmax", "t_half"):
        return hours_of(stat), "h"
    if base == "auc_inf":
        unit = AUC_TO_CONCENTRATION_UNIT[stat.unit]
        return reported_nM(stat.value, unit, med.molecular_weight, dose_mg), "nM*h"
    if base in ("cl", "cl_over_f"):
        return clearance_L_per_h(stat), "L/h"
    if base == "c_fraction":
        return (stat.value / 100.0 if stat.unit == "%" else stat.value), "1"
    if base == "accumulation_auc":
        return stat.value, "1"
    raise ValueError(f"{med.name}: check statistic {key!r} not understood")


def _derivation_statistics(med: Medicine) -> list[str]:
    """The statistics the model was built from (their rows only check derivation and engine)."""
    assert med.pk is not None
    if med.pk.model == "two_compartment":
        used = ["cmax", "tmax", "t_half", "auc"] + (["c_fraction"] if med.pk.c_fraction is not None else [])
    elif med.pk.fit_to:
        used = [str(n) for n in med.pk.fit_to]
    else:
        by_volume = {"cmax": ["cmax"], "cl_over_f": ["cl"], "cl_and_f": ["cl"]}
        used = ["tmax", "t_half", *by_volume.get(med.pk.volume_from or "cmax", [])]
    return used


def validate_medicines() -> list[dict[str, Any]]:
    """Simulate each studied dose with the exact engine and compare with the sources, row by row.

    Each row says its ``kind``: ``derivation`` when the statistic also built the model (the row
    checks the fit and the engine; a fold above 1 shows how far a joint fit had to compromise),
    ``independent`` for everything else (another study, another sex, repeated dosing, the FDA
    next-morning shares), which no parameter was tuned to.
    """
    rows: list[dict[str, Any]] = []
    for name in medicine_names():
        med = load_medicine(name)
        if med.pk is None:
            continue
        dose_mg = study_dose_mg(med)
        used = _derivation_statistics(med)
        frac_at = med.pk.extra("c_fraction", "at_h")
        sim = _measure(name, dose_mg, 1, 24.0, at_h=None if frac_at is None else float(frac_at))
        for key in ("cmax", "tmax", "t_half", "auc", "c_fraction"):
            stat = med.stat(key)
            if stat is None or (key in ("auc", "c_fraction") and key not in used):
                continue
            kind = "derivation" if key in used else "independent"
            if key == "auc":
                auc_nM_h, to_h, _ = auc_target(med, dose_mg)
                d = derivation(name)
                if to_h is None:
                    predicted, statistic = sim["auc_inf"], "auc_inf"
                else:
                    predicted, statistic = _auc_window(d, dose_mg, to_h), f"auc_0_{to_h:g}h"
                rows.append(_row(stat.source, name, statistic, auc_nM_h, predicted, "nM*h", kind))
                continue
            obs, unit = _observed(med, key, stat, dose_mg)
            rows.append(_row(stat.source, name, key, obs, sim[key], unit, kind))
        d = derivation(name)
        for key in ("cl_over_f", "cl_and_f"):
            cl_stat = med.stat("cl")
            if key in used and med.pk.fit_to and cl_stat is not None:
                cl_target, _ = cl_over_f_target(med, key == "cl_and_f")
                rows.append(_row(cl_stat.source, name, "cl_over_f", cl_target, d.cl, "L/h", "derivation"))
        if "v_over_f" in used:
            vol = med.stat("volume")
            assert vol is not None
            rows.append(_row(vol.source, name, "v_over_f", volume_L(vol), d.v1, "L", "derivation"))
        for check in med.pk.checks:
            rows.append(_check_row(med, check))
        rows += population_rows(name)
    return rows


def _auc_window(d: Derivation, dose_mg: float, to_h: float) -> float:
    times = np.arange(0.0, to_h + GRID_H / 2, GRID_H)
    conc = _simulate_disposition(d, medicine_dose_events((d.medicine, dose_mg)), times)
    return float(np.trapezoid(conc, times))


def _check_row(med: Medicine, check: PkCheck) -> dict[str, Any]:
    """An independent row: another study's statistic, another sex, or repeated dosing."""
    stat = resolve_statistic(check)
    key = check.statistic
    sex = next((sx for suffix, sx in _SEX_SUFFIX.items() if key.endswith(suffix)), None)
    base = key.removesuffix("_female").removesuffix("_male")
    dose_mg = check.dose_mg
    sim = _measure(med.name, dose_mg, check.doses, check.interval_h, sex=sex, at_h=check.at_h)
    sim_key = "cl_over_f" if base == "cl" else base
    obs, unit = _observed(med, key, stat, dose_mg)
    return _row(stat.source, med.name, key, obs, sim[sim_key], unit, "independent")


def population_rows(name: str) -> list[dict[str, Any]]:
    """Independent rows for published shares of people above a level (e.g. FDA zolpidem 2013)."""
    med = load_medicine(name)
    rows: list[dict[str, Any]] = []
    for check in med.pk.population_checks if med.pk is not None else ():
        for sex in SEXES:
            node = check.female if sex == "female" else check.male
            if node is None:
                continue
            share = share_above_after_dose(name, check.dose_mg, check.hours_after_dose, check.threshold_ng_per_mL,
                                           sex=sex)
            statistic = f"share_above_{check.threshold_ng_per_mL:g}ng_per_mL_{check.hours_after_dose:g}h_{sex}"
            predicted = max(100.0 * share, 1e-6)
            rows.append(_row(node.source, name, statistic, node.value, predicted, "%", "independent"))
    return rows
