"""Oral one- and two-compartment curves in closed form, and the fits that put them on published statistics.

Pure numbers in, numbers out: the Bateman function and its tmax, the two-compartment sum of three
exponentials, and least-squares fits (in log space) of (ka, CL/F, V/F) or (ka, CL/F, V1/F, Q/F,
V2/F) to a study's Cmax, tmax, AUC and terminal half-life. :mod:`kratomsim.medicines_derivation`
decides which statistics a medicine's model is fitted to.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy.optimize import brentq, least_squares, minimize_scalar

from kratomsim.pk.model import FloatArray


def bateman_tmax(ka: float, ke: float) -> float:
    """Time of the peak of a one-compartment oral profile, h."""
    return math.log(ka / ke) / (ka - ke)


def bateman_shape(ka: float, ke: float, t: float) -> float:
    """C(t) * V / dose for a one-compartment oral model (dimensionless)."""
    return ka / (ka - ke) * (math.exp(-ke * t) - math.exp(-ka * t))


def solve_ka(tmax_h: float, ke: float) -> float:
    """Absorption rate that puts the one-compartment peak at ``tmax_h`` (ka > ke branch).

    tmax decreases from 1/ke (ka -> ke) towards 0 as ka grows, so a solution exists only when
    tmax < 1/ke; the root is bracketed and found by Brent's method.
    """
    if tmax_h <= 0 or tmax_h >= 1.0 / ke:
        raise ValueError(f"tmax {tmax_h} h cannot be reached with ke {ke} 1/h (needs tmax < 1/ke)")
    lo, hi = ke * (1.0 + 1e-9), ke * 2.0
    while bateman_tmax(hi, ke) > tmax_h:
        hi *= 2.0
    return float(brentq(lambda ka: bateman_tmax(ka, ke) - tmax_h, lo, hi, xtol=1e-12, rtol=1e-12))


def two_compartment_rates(cl: float, v1: float, q: float, v2: float) -> tuple[float, float]:
    """Disposition rate constants (alpha > beta, 1/h) of a two-compartment model."""
    k10, k12, k21 = cl / v1, q / v1, q / v2
    total = k10 + k12 + k21
    root = math.sqrt(max(total * total - 4.0 * k10 * k21, 0.0))
    return (total + root) / 2.0, (total - root) / 2.0


def two_compartment_conc(
    dose: float, ka: float, cl: float, v1: float, q: float, v2: float, t: FloatArray | float
) -> FloatArray:
    """Central concentration after an oral dose (first-order absorption), dose/V1 units.

    Closed form: the sum of three exponentials (alpha, beta, ka). Equal rates are not handled (the
    fit keeps ka away from alpha and beta).
    """
    alpha, beta = two_compartment_rates(cl, v1, q, v2)
    k21 = q / v2
    tt = np.asarray(t, dtype=float)
    terms = (
        (k21 - alpha) / ((ka - alpha) * (beta - alpha)) * np.exp(-alpha * tt)
        + (k21 - beta) / ((ka - beta) * (alpha - beta)) * np.exp(-beta * tt)
        + (k21 - ka) / ((alpha - ka) * (beta - ka)) * np.exp(-ka * tt)
    )
    return np.asarray(ka * dose / v1 * terms, dtype=float)


def two_compartment_peak(dose: float, ka: float, cl: float, v1: float, q: float, v2: float) -> tuple[float, float]:
    """(Cmax, tmax) of the oral two-compartment profile: 1-min grid over 48 h, then refined."""
    grid = np.arange(0.0, 48.0 + 1e-9, 1.0 / 60.0)
    conc = two_compartment_conc(dose, ka, cl, v1, q, v2, grid)
    i = int(np.argmax(conc))
    lo, hi = grid[max(i - 1, 0)], grid[min(i + 1, len(grid) - 1)]
    if hi <= lo:
        return float(conc[i]), float(grid[i])
    res = minimize_scalar(
        lambda x: -float(two_compartment_conc(dose, ka, cl, v1, q, v2, x)),
        bounds=(lo, hi),
        method="bounded",
        options={"xatol": 1e-7},
    )
    return float(-res.fun), float(res.x)


@dataclass(frozen=True)
class TwoCompartmentTargets:
    """Published statistics a two-compartment oral model is fitted to (nM, h, nM*h)."""

    cmax_nM: float
    tmax_h: float
    auc_nM_h: float
    t_half_h: float
    fraction_at: tuple[float, float] | None = None  # (hours after the dose, C(t)/Cmax)


def fit_two_compartment(dose_umol: float, targets: TwoCompartmentTargets) -> tuple[float, float, float, float, float]:
    """(ka, CL/F, V1/F, Q/F, V2/F) that reproduce the targets; least squares in log space.

    Residuals are log ratios (predicted/observed) of Cmax, tmax, AUC (= dose / CL), the terminal
    half-life (ln 2 / beta) and, if given, C(t)/Cmax. Starting point: CL = dose/AUC, Vz = CL/beta,
    V1 = dose/Cmax, V2 = Vz - V1, Q = 2 CL, ka from the one-compartment tmax equation.
    """
    dose = dose_umol * 1000.0  # nmol, so that dose / L is nM
    cl0 = dose / targets.auc_nM_h
    beta0 = math.log(2.0) / targets.t_half_h
    v1_0 = dose / targets.cmax_nM
    v2_0 = max(cl0 / beta0 - v1_0, v1_0)
    ka0 = solve_ka(targets.tmax_h, 1.0 / (2.0 * targets.tmax_h)) if targets.tmax_h > 0 else 1.0
    x0 = np.log([ka0, cl0, v1_0, 2.0 * cl0, v2_0])

    def residuals(x: FloatArray) -> FloatArray:
        ka, cl, v1, q, v2 = np.exp(x)
        _, beta = two_compartment_rates(cl, v1, q, v2)
        cmax, tmax = two_compartment_peak(dose, ka, cl, v1, q, v2)
        out = [
            math.log(cmax / targets.cmax_nM),
            math.log(tmax / targets.tmax_h),
            math.log(dose / cl / targets.auc_nM_h),
            math.log(math.log(2.0) / beta / targets.t_half_h),
        ]
        if targets.fraction_at is not None:
            at, frac = targets.fraction_at
            c_at = float(two_compartment_conc(dose, ka, cl, v1, q, v2, at))
            out.append(math.log(max(c_at, 1e-300) / cmax / frac))
        return np.asarray(out)

    fit = least_squares(residuals, x0, method="trf", xtol=1e-12, ftol=1e-12, gtol=1e-12, max_nfev=2000)
    ka, cl, v1, q, v2 = (float(v) for v in np.exp(fit.x))
    return ka, cl, v1, q, v2


@dataclass(frozen=True)
class OneCompartmentTargets:
    """Published statistics a one-compartment oral model is fitted to together (nM, h, nM*h, L).

    Any of ``cmax_nM``, ``auc_nM_h`` and ``volume_L`` may be missing; ``auc_to_h`` is the end of
    a truncated AUC (None: AUC to infinity, which is dose / CL).
    """

    tmax_h: float
    t_half_h: float
    cmax_nM: float | None = None
    auc_nM_h: float | None = None
    auc_to_h: float | None = None
    volume_L: float | None = None


def one_compartment_auc(dose: float, ka: float, cl: float, v: float, to_h: float | None) -> float:
    """AUC of the oral one-compartment profile from 0 to ``to_h`` (None: infinity), dose/L*h units."""
    total = dose / cl
    if to_h is None:
        return total
    ke = cl / v
    tail = (ka * math.exp(-ke * to_h) - ke * math.exp(-ka * to_h)) / (ka - ke)
    return total * (1.0 - tail)


def fit_one_compartment(dose_umol: float, targets: OneCompartmentTargets) -> tuple[float, float, float]:
    """(ka, CL/F, V/F) that reproduce the targets together; least squares on log ratios.

    Three parameters, three to five statistics: with more statistics than parameters the fit is
    a compromise, and the validation rows show how far each statistic is missed. Start: ke from
    the half-life, ka from tmax, V from Cmax (or the reported volume, or dose / AUC / ke).
    """
    dose = dose_umol * 1000.0  # nmol, so that dose / L is nM
    ke0 = math.log(2.0) / targets.t_half_h
    ka0 = solve_ka(targets.tmax_h, ke0)
    if targets.cmax_nM is not None:
        v0 = dose / targets.cmax_nM * bateman_shape(ka0, ke0, targets.tmax_h)
    elif targets.volume_L is not None:
        v0 = targets.volume_L
    else:
        assert targets.auc_nM_h is not None
        v0 = dose / targets.auc_nM_h / ke0
    x0 = np.log([ka0, ke0 * v0, v0])

    def residuals(x: FloatArray) -> FloatArray:
        ka, cl, v = np.exp(x)
        ke = cl / v
        if abs(ka - ke) < 1e-9 * ke:
            ka = ke * (1.0 + 1e-6)
        tmax = bateman_tmax(ka, ke)
        out = [math.log(tmax / targets.tmax_h), math.log(math.log(2.0) / ke / targets.t_half_h)]
        if targets.cmax_nM is not None:
            out.append(math.log(dose / v * bateman_shape(ka, ke, tmax) / targets.cmax_nM))
        if targets.auc_nM_h is not None:
            out.append(math.log(one_compartment_auc(dose, ka, cl, v, targets.auc_to_h) / targets.auc_nM_h))
        if targets.volume_L is not None:
            out.append(math.log(v / targets.volume_L))
        return np.asarray(out)

    fit = least_squares(residuals, x0, method="trf", xtol=1e-13, ftol=1e-13, gtol=1e-13, max_nfev=5000)
    ka, cl, v = (float(val) for val in np.exp(fit.x))
    return ka, cl, v
