"""The FDA 2020 in vitro DDI guidance equations and the enzyme-turnover step: pure functions of numbers.

* mechanistic static model, gut and liver apart::

      AUCR = 1 / (Ag Bg Cg (1 - Fg) + Fg)  x  1 / (Ah Bh Ch fm + (1 - fm))

  with A the time-dependent (TDI) term kdeg / (kdeg + kinact I / (KI + I)), B induction (1 here)
  and C the reversible term 1 / (1 + I / Ki) (the guidance's letters);
* enzyme turnover dE/dt = kdeg (1 - E) - kinact I / (KI + I) E, stepped exactly over a time course.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np
from numpy.typing import NDArray

from kratomsim.interactions_data import (
    GUIDANCE_FA_FG,
    GUIDANCE_KA_PER_H,
    GUIDANCE_QEN_L_PER_H,
    GUIDANCE_QH_L_PER_H,
    GUT_LUMEN_L,
)

FloatArray = NDArray[np.float64]


def reversible_term(conc_uM: float | FloatArray, ki_uM: float) -> Any:
    """C = 1 / (1 + [I]/Ki): fraction of enzyme activity left by competitive inhibition."""
    return 1.0 / (1.0 + np.asarray(conc_uM, dtype=float) / ki_uM)


def inactivation_rate(conc_uM: float | FloatArray, ki_uM: float, kinact_per_h: float) -> Any:
    """kobs = kinact [I] / (KI + [I]), per hour."""
    conc = np.asarray(conc_uM, dtype=float)
    return kinact_per_h * conc / (ki_uM + conc)


def tdi_term(conc_uM: float, ki_uM: float, kinact_per_h: float, kdeg_per_h: float) -> float:
    """A = kdeg / (kdeg + kobs): steady-state active enzyme fraction under time-dependent inhibition."""
    kobs = float(inactivation_rate(conc_uM, ki_uM, kinact_per_h))
    return kdeg_per_h / (kdeg_per_h + kobs)


def gut_ratio(fg: float, activity: float) -> float:
    """1 / (x (1 - Fg) + Fg), x = Ag Bg Cg: how much more of the victim escapes the gut wall."""
    return 1.0 / (activity * (1.0 - fg) + fg)


def liver_ratio(fm: Mapping[str, float], activity: Mapping[str, float]) -> float:
    """1 / (sum fm_i x_i + (1 - sum fm_i)), x_i = Ah Bh Ch for each enzyme the victim uses."""
    total = sum(fm.values())
    return 1.0 / (sum(f * activity.get(e, 1.0) for e, f in fm.items()) + (1.0 - total))


def mechanistic_static_aucr(
    fm: Mapping[str, float], fg: float, gut_activity: float, liver_activity: Mapping[str, float]
) -> tuple[float, float, float]:
    """(AUCR, gut term, liver term) of the guidance's mechanistic static model."""
    g = gut_ratio(fg, gut_activity)
    h = liver_ratio(fm, liver_activity)
    return g * h, g, h


def hepatic_inlet_unbound_uM(
    cmax_uM: float,
    dose_umol: float,
    fu: float,
    ka_per_h: float = GUIDANCE_KA_PER_H,
    qh_L_per_h: float = GUIDANCE_QH_L_PER_H,
    fa_fg: float = GUIDANCE_FA_FG,
    rb: float = 1.0,
) -> float:
    """Unbound hepatic inlet Cmax: fu (Cmax + Fa Fg ka Dose / Qh / Rb), per the guidance."""
    return fu * (cmax_uM + fa_fg * ka_per_h * dose_umol / qh_L_per_h / rb)


def gut_lumen_uM(dose_umol: float) -> float:
    """Basic-screen gut concentration, Igut = dose / 250 mL (a screen, not a prediction)."""
    return dose_umol / GUT_LUMEN_L


def gut_wall_uM(dose_umol: float, ka_per_h: float = GUIDANCE_KA_PER_H, fa: float = 1.0) -> float:
    """Mechanistic-static gut-wall concentration, Igut = Fa ka Dose / Qen (FDA 2020 guidance)."""
    return fa * ka_per_h * dose_umol / GUIDANCE_QEN_L_PER_H


def step_enzyme(
    times_h: FloatArray,
    conc_uM: FloatArray,
    ki_uM: float,
    kinact_per_h: float,
    kdeg_per_h: float,
    e0: float = 1.0,
) -> FloatArray:
    """Active enzyme fraction over time: dE/dt = kdeg (1 - E) - kobs(I) E, stepped exactly.

    On each step the concentration is held at the mean of its two ends; the linear ODE is then
    solved in closed form, so the only error is that piecewise-constant input.
    """
    times = np.asarray(times_h, dtype=float)
    conc = np.asarray(conc_uM, dtype=float)
    enzyme = np.empty_like(times)
    enzyme[0] = e0
    kobs = inactivation_rate(0.5 * (conc[1:] + conc[:-1]), ki_uM, kinact_per_h)
    rate = kdeg_per_h + kobs
    e_inf = kdeg_per_h / rate
    decay = np.exp(-rate * np.diff(times))
    for i in range(len(times) - 1):
        enzyme[i + 1] = e_inf[i] + (enzyme[i] - e_inf[i]) * decay[i]
    return enzyme


def oral_one_compartment_ng_per_mL(
    t_h: float,
    dose_mg: float,
    ka: float,
    cl_over_f: float,
    v_over_f: float,
) -> float:
    """Concentration of a one-compartment oral drug (apparent parameters), ng/mL."""
    k = cl_over_f / v_over_f
    if t_h <= 0:
        return 0.0
    if abs(ka - k) < 1e-9:
        return dose_mg * 1000.0 / v_over_f * k * t_h * math.exp(-k * t_h)
    return dose_mg * 1000.0 * ka / (v_over_f * (ka - k)) * (math.exp(-k * t_h) - math.exp(-ka * t_h))
