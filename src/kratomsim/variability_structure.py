"""A shared random effect on bioavailability, separated from clearance and volume by moments.

Why: every kratom study reports apparent parameters (CL/F, V/F). A person who absorbs more has a
lower CL/F *and* a lower V/F, so the two are correlated and the half-life (V/CL, where F cancels)
varies far less than either. Drawing CL/F and V/F independently spread simulated mitragynine
half-lives over 17-143 h (5-95 %) against an observed 31.9-50.2 h.

Model, per alkaloid i and subject: ln CL/F = eta_CL - eta_F, ln V/F = eta_V - eta_F,
eta_F = omega_F,i z with one standard normal z per subject shared by every alkaloid (one gut and
first pass per person; each alkaloid's sensitivity omega_F,i its own). Then

    var ln CL/F = w_CL^2 + w_F^2,  var ln V/F = w_V^2 + w_F^2,  var ln t1/2 = w_CL^2 + w_V^2

and the three published spreads give the three variances (method of moments; a variance that
comes out negative is set to 0 and said so). Their uncertainty is a parametric bootstrap: draw the
study's n subjects from the fitted model, recompute the three ranges and the estimator.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from kratomsim.data_schemas import checked_file

BOOTSTRAP_REPLICATES = 4000
BOOTSTRAP_SEED = 20260101


def between_subject() -> dict[str, Any]:
    """The ``between_subject`` section of data/variability.yaml, after the file passed its schema
    (:class:`kratomsim.data_schemas.VariabilityFile`): the one way populations read it."""
    return dict(checked_file("variability.yaml")["between_subject"])


@dataclass(frozen=True)
class SplitSpreads:
    """Log-SDs of bioavailability, clearance and volume for one alkaloid (with 90 % intervals)."""

    omega_f: float
    omega_cl: float
    omega_v: float
    clipped: tuple[str, ...]
    omega_f_ci90: tuple[float, float] = (math.nan, math.nan)
    omega_cl_ci90: tuple[float, float] = (math.nan, math.nan)
    omega_v_ci90: tuple[float, float] = (math.nan, math.nan)


def split_moments(omega_clf: float, omega_vf: float, omega_t_half: float) -> SplitSpreads:
    """(w_F, w_CL, w_V) from the spreads of CL/F, V/F and t1/2; negative variances set to 0."""
    a, b, c = omega_clf**2, omega_vf**2, omega_t_half**2
    var_f = max(0.0, min((a + b - c) / 2.0, a, b))
    clipped = []
    if (a + b - c) / 2.0 < 0:
        clipped.append("bioavailability")
    var_cl, var_v = a - var_f, b - var_f
    if (a + b - c) / 2.0 > min(a, b):
        clipped.append("volume" if b < a else "clearance")
    return SplitSpreads(math.sqrt(var_f), math.sqrt(max(var_cl, 0.0)), math.sqrt(max(var_v, 0.0)), tuple(clipped))


def _range_omega(draws: np.ndarray, d2: float) -> np.ndarray:
    return (draws.max(axis=-1) - draws.min(axis=-1)) / d2


def bootstrap(split: SplitSpreads, n: int, d2: float, replicates: int = BOOTSTRAP_REPLICATES,
              seed: int = BOOTSTRAP_SEED) -> SplitSpreads:
    """90 % intervals of the three log-SDs when a study of n people reports ranges (range_n)."""
    rng = np.random.default_rng(seed)
    z = rng.standard_normal((3, replicates, n))
    eta_f, eta_cl, eta_v = split.omega_f * z[0], split.omega_cl * z[1], split.omega_v * z[2]
    ln_clf, ln_vf = eta_cl - eta_f, eta_v - eta_f
    w_clf, w_vf, w_t = _range_omega(ln_clf, d2), _range_omega(ln_vf, d2), _range_omega(ln_vf - ln_clf, d2)
    est = [split_moments(float(x), float(y), float(t)) for x, y, t in zip(w_clf, w_vf, w_t, strict=True)]

    def ci(values: list[float]) -> tuple[float, float]:
        low, high = np.percentile(values, [5, 95])
        return float(low), float(high)

    return SplitSpreads(
        split.omega_f, split.omega_cl, split.omega_v, split.clipped,
        ci([e.omega_f for e in est]), ci([e.omega_cl for e in est]), ci([e.omega_v for e in est]),
    )
