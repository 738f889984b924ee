"""Between-subject variability of a bedtime medicine: who is still above a next-morning level.

A medicine's typical model comes from :mod:`kratomsim.medicines`. Where the data file gives a
``variability`` node, people differ log-normally in an F-like scale (all clearances and volumes
together, so the concentration scales) and in CL/F alone (so the half-life changes); where it gives
a ``sex`` node, CL/F is scaled for women and men (:func:`kratomsim.medicines.sex_cl_factor`).

The SDs come from the published ranges of the derivation study: for ``n`` subjects the expected
range of ``n`` standard normal draws is ``d2(n)`` SDs, so SD = ln(high / low) / d2(n). The
half-life range also holds the sex difference (half-life moves with CL/F); its share is taken out
before the rest is given to CL/F. Concentrations are closed forms (one or two compartments,
first-order absorption), superposed over nights, for many people at once.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

import numpy as np
from scipy import integrate, stats

from kratomsim.errors import InputError
from kratomsim.medicines_data import CitedRange, PkNode, load_medicine
from kratomsim.medicines_derivation import SEXES, derivation, sex_cl_factor
from kratomsim.medicines_dosing import MedicineDose, NextMorningFinding, next_morning_level
from kratomsim.pk.model import FloatArray
from kratomsim.schema import CitedValue
from kratomsim.units import nM_to_ng_per_mL

DEFAULT_SUBJECTS = 20_000
"""People drawn for a share when the caller gives no number (MC error of a 15 % share ~ 0.25 %)."""
MAX_SUBJECTS = 2_000_000
STUDY_FEMALE_SHARE = 0.5
"""Assumed share of women in a derivation study whose sex mix is not given (``study_mix: mixed``)."""


@cache
def expected_range_sd(n: int) -> float:
    """d2(n): expected range of n independent standard normal draws, by quadrature."""
    if n < 2:
        raise ValueError("a range needs at least two subjects")

    def integrand(x: float) -> float:
        cdf = float(stats.norm.cdf(x))
        return 1.0 - cdf**n - (1.0 - cdf) ** n

    value, _ = integrate.quad(integrand, -np.inf, np.inf, epsabs=1e-12, epsrel=1e-12)
    return float(value)


@dataclass(frozen=True)
class Variability:
    """Log-normal between-subject SDs of one medicine and how they were estimated."""

    medicine: str
    omega_scale: float  # SD of ln(concentration scale): F-like, moves CL/F and V/F together
    omega_cl: float  # SD of ln(CL/F) on top: moves the half-life
    basis: str


def _published_range(pk: PkNode, key: str) -> tuple[float, float]:
    """The (low, high) range a study published for a statistic (the basis of a between-subject SD)."""
    cell = pk.statistic(key)
    if not isinstance(cell, CitedValue | CitedRange) or cell.low is None or cell.high is None:
        raise ValueError(f"variability needs a published {key} range")
    return cell.low, cell.high


def _range_sd(low_high: tuple[float, float], n: int) -> float:
    low, high = low_high
    return math.log(high / low) / expected_range_sd(n)


@cache
def variability(name: str) -> Variability | None:
    """The medicine's between-subject variability, or None when the data give none."""
    pk = load_medicine(name).pk
    if pk is None or pk.variability is None:
        return None
    n = int(pk.variability.n.value)
    cmax, t_half = _published_range(pk, "cmax"), _published_range(pk, "t_half")
    omega_cmax, omega_t_half = _range_sd(cmax, n), _range_sd(t_half, n)
    sex_var = 0.0
    if pk.sex is not None:
        ratio = sex_cl_factor(name, "male") / sex_cl_factor(name, "female")
        mix = pk.sex.study_mix
        share = STUDY_FEMALE_SHARE if mix == "mixed" else 1.0 if mix == "female" else 0.0
        sex_var = share * (1.0 - share) * math.log(ratio) ** 2
    omega_cl = math.sqrt(max(omega_t_half**2 - sex_var, 0.0))
    d2 = expected_range_sd(n)
    basis = (
        f"SD = ln(high/low) / d2({n}) with d2 = {d2:.3f}: Cmax range {cmax[0]:g}-{cmax[1]:g} "
        f"-> {omega_cmax:.3f} (F-like scale); half-life range {t_half[0]:g}-{t_half[1]:g} "
        f"-> {omega_t_half:.3f}, less the sex variance {sex_var:.4f} -> CL/F SD {omega_cl:.3f}"
    )
    return Variability(name, omega_scale=omega_cmax, omega_cl=omega_cl, basis=basis)


@dataclass(frozen=True)
class People:
    """Per-person apparent parameters (arrays of one length) and each person's sex."""

    ka: FloatArray
    cl: FloatArray
    v1: FloatArray
    q2: FloatArray
    v2: FloatArray
    sex: np.ndarray  # "female" / "male"


def draw_people(name: str, subjects: int, seed: int = 0, sex: str | None = None) -> People:
    """``subjects`` people (half women, half men unless ``sex`` is given), reproducible by ``seed``."""
    if isinstance(subjects, bool) or not isinstance(subjects, int | np.integer) or not 1 <= subjects <= MAX_SUBJECTS:
        raise InputError(f"subjects must be a whole number from 1 to {MAX_SUBJECTS:,}, got {subjects!r}")
    if sex is not None and sex not in SEXES:
        raise InputError(f"sex must be one of {', '.join(SEXES)}, got {sex!r}")
    d = derivation(name)
    rng = np.random.default_rng(seed)
    sexes = np.where(np.arange(subjects) % 2 == 0, "female", "male") if sex is None else np.full(subjects, sex)
    factor = np.where(sexes == "female", sex_cl_factor(name, "female"), sex_cl_factor(name, "male"))
    var = variability(name)
    eta_scale = rng.normal(0.0, var.omega_scale, subjects) if var else np.zeros(subjects)
    eta_cl = rng.normal(0.0, var.omega_cl, subjects) if var else np.zeros(subjects)
    spread = np.exp(-eta_scale)  # a higher exposure (eta > 0) is a lower apparent CL and V
    ones = np.ones(subjects)
    return People(
        ka=d.ka * ones,
        cl=d.cl * factor * spread * np.exp(eta_cl),
        v1=d.v1 * spread,
        q2=d.q2 * spread,
        v2=d.v2 * spread,
        sex=sexes,
    )


def _single_dose(people: People, dose_nmol: float, t: FloatArray) -> FloatArray:
    """Concentration (nM) of each person (rows) at times after one dose (columns); 0 before it."""
    tt = np.asarray(t, dtype=float)[None, :]
    ka, cl, v1 = people.ka[:, None], people.cl[:, None], people.v1[:, None]
    safe = np.maximum(tt, 0.0)
    if not np.any(people.v2 > 0):
        ke = cl / v1
        conc = dose_nmol / v1 * ka / (ka - ke) * (np.exp(-ke * safe) - np.exp(-ka * safe))
    else:
        q, v2 = people.q2[:, None], people.v2[:, None]
        k10, k12, k21 = cl / v1, q / v1, q / v2
        total = k10 + k12 + k21
        root = np.sqrt(np.maximum(total * total - 4.0 * k10 * k21, 0.0))
        alpha, beta = (total + root) / 2.0, (total - root) / 2.0
        conc = ka * dose_nmol / v1 * (
            (k21 - alpha) / ((ka - alpha) * (beta - alpha)) * np.exp(-alpha * safe)
            + (k21 - beta) / ((ka - beta) * (alpha - beta)) * np.exp(-beta * safe)
            + (k21 - ka) / ((alpha - ka) * (beta - ka)) * np.exp(-ka * safe)
        )
    return np.where(tt >= 0.0, conc, 0.0)


def concentrations_ng_per_mL(
    name: str, people: People, dose_mg: float, hours_after_last_dose: FloatArray, nights: int = 1
) -> FloatArray:
    """ng/mL of each person at times after the last of ``nights`` doses 24 h apart (superposition)."""
    med = load_medicine(name)
    dose_nmol = med.dose_umol(dose_mg) * 1000.0  # umol -> nmol, so that nmol / L is nM
    t = np.asarray(hours_after_last_dose, dtype=float)
    total = np.zeros((people.cl.size, t.size))
    for k in range(nights):
        total += _single_dose(people, dose_nmol, t + 24.0 * k)
    return nM_to_ng_per_mL(total, med.molecular_weight)


def share_above_after_dose(
    name: str, dose_mg: float, hours_after_dose: float, threshold_ng_per_mL: float,
    sex: str | None = None, subjects: int = DEFAULT_SUBJECTS, seed: int = 0, nights: int = 1,
) -> float:
    """Fraction of simulated people above ``threshold_ng_per_mL`` that many hours after the last dose."""
    people = draw_people(name, subjects, seed, sex)
    conc = concentrations_ng_per_mL(name, people, dose_mg, np.asarray([hours_after_dose]), nights)[:, 0]
    return float(np.mean(conc > threshold_ng_per_mL))


def next_morning_shares(
    name: str, dose_mg: float, threshold_ng_per_mL: float, hours: dict[str, float],
    nights: int = 1, subjects: int = DEFAULT_SUBJECTS, seed: int = 0,
) -> dict[str, Any]:
    """Share of people above a level at each named instant (e.g. wake-up, morning), all and by sex."""
    people = draw_people(name, subjects, seed)
    labels = list(hours)
    conc = concentrations_ng_per_mL(name, people, dose_mg, np.asarray([hours[k] for k in labels]), nights)
    by_time: dict[str, dict[str, float]] = {}
    for j, label in enumerate(labels):
        above = conc[:, j] > threshold_ng_per_mL
        by_time[label] = {"all": float(np.mean(above))}
        for sex in SEXES:
            mask = people.sex == sex
            by_time[label][sex] = float(np.mean(above[mask]))
    var = variability(name)
    return {
        "threshold_ng_per_mL": threshold_ng_per_mL,
        "dose_mg": dose_mg,
        "nights": nights,
        "subjects": subjects,
        "seed": seed,
        "share": by_time,
        "variability": var.basis if var else "none published: only the sex effect",
    }


def people_above_next_morning(
    dose: MedicineDose, next_morning: Sequence[NextMorningFinding], nights: int, to_wake_h: float,
    to_morning_h: float, subjects: int, seed: int,
) -> dict[str, Any] | None:
    """For ``compare --subjects``: share above the medicine's published next-morning level after the
    last night, at wake-up and in the morning, all and by sex; None without a level or a spread."""
    level = next_morning_level(next_morning)
    if level is None or level.threshold_ng_per_mL is None or variability(dose.name) is None:
        return None
    out = next_morning_shares(dose.name, dose.amount_mg, level.threshold_ng_per_mL,
                              {"wake": to_wake_h, "morning": to_morning_h}, nights, subjects, seed)
    out["source"] = level.source
    return out
