"""Positive control: the receptor chain applied to buprenorphine, against human mu PET occupancy.

Why: the kratom occupancy cannot be checked against any human measurement, so the same chain
(plasma concentration -> unbound -> Kp,uu -> competitive occupancy, ``kratomsim.receptors``) is run on an
opioid whose mu occupancy was measured (Greenwald 2003, [11C]carfentanil PET). There is no
buprenorphine PK model in the library: the study's reported peak plasma concentrations are the
input. Inputs and the pass rule are in ``data/receptors.yaml`` (``positive_control``), written down
before the comparison; the result is a ``validate`` row of kind ``independent``.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from functools import cache
from typing import Any

import numpy as np
from scipy import stats

from kratomsim import receptors as rx
from kratomsim.receptors import KPUU_RANGE, loguniform

DRUG = "buprenorphine"
# Stated priors (no data): the label gives one value (96 % bound), so fu is drawn log-uniform from
# half to twice it; Kp,uu takes the kratom chain's own range; the plasma level is uniform over the
# range the study reports for the arm.
FU_SPREAD = 2.0
DRAWS = 4000
SEED = 0
LEVEL = 0.90


@dataclass(frozen=True)
class ArmResult:
    """One dose arm: observed occupancy (mean, SEM, the study's 95 % range) beside the prediction."""

    dose_mg: float
    plasma_ng_per_mL: tuple[float, float]
    observed_percent: float
    sem_percent: float
    observed_range_percent: tuple[float, float]
    predicted_percent: float
    predicted_interval_percent: tuple[float, float]
    predicted_central_percent: float
    passed: bool


@cache
def _inputs() -> dict[str, Any]:
    return rx.positive_control_inputs(DRUG)


def predict_occupancy(plasma_nM: np.ndarray, fu: np.ndarray, kpuu: np.ndarray, ki_nM: float) -> np.ndarray:
    """Occupancy (0..1) through kratomsim.receptors's own equations, one value per draw."""
    unbound = np.asarray(plasma_nM, dtype=float) * np.asarray(fu) * np.asarray(kpuu)
    total, _ = rx.competitive_occupancy({DRUG: unbound}, {DRUG: ki_nM})
    return np.asarray(total, dtype=float)


def arm_results(draws: int = DRAWS, seed: int = SEED) -> list[ArmResult]:
    """Every arm of the PET study: predicted median and 90 % interval against the observed range."""
    data = _inputs()
    mw = float(data["molecular_weight"]["value"])
    ki = float(data["mu_ki"]["value"])
    fu = 1.0 - float(data["plasma_bound"]["value"]) / 100.0
    n = int(data["study"]["subjects"]["value"])
    t = float(stats.t.ppf(0.975, n - 1))
    rng = np.random.default_rng(seed)
    out = []
    for arm in data["study"]["arms"]:
        lo_ng, hi_ng = float(arm["plasma_ng_per_mL"]["low"]), float(arm["plasma_ng_per_mL"]["high"])
        obs = arm["availability_decrease_percent"]
        mean, sem = float(obs["mean"]), float(obs["sem"])
        plasma = rng.uniform(lo_ng, hi_ng, draws) / mw * 1000.0  # ng/mL -> nM
        occ = 100.0 * predict_occupancy(plasma, loguniform(rng, fu / FU_SPREAD, min(fu * FU_SPREAD, 1.0), draws),
                                        loguniform(rng, *KPUU_RANGE, draws), ki)
        low, median, high = np.quantile(occ, [(1 - LEVEL) / 2, 0.5, (1 + LEVEL) / 2])
        central = 100.0 * float(predict_occupancy(np.array([0.5 * (lo_ng + hi_ng) / mw * 1000.0]), np.array([fu]),
                                                  np.array([rx.KPUU_DEFAULT]), ki)[0])
        band = (max(mean - t * sem, 0.0), min(mean + t * sem, 100.0))
        out.append(ArmResult(float(arm["dose_mg"]["value"]), (lo_ng, hi_ng), mean, sem, band, float(median),
                             (float(low), float(high)), central, bool(band[0] <= median <= band[1])))
    return out


def validate_positive_control() -> list[dict[str, Any]]:
    """Validation rows (kind independent): predicted vs observed whole-brain mu occupancy per arm.

    The limit is the fold distance from the observed mean to the edge of its 95 % range, so a row
    passes exactly when the prediction lies inside the range the study reports.
    """
    rows = []
    for arm in arm_results():
        lo, hi = arm.observed_range_percent
        limit = max(hi / arm.observed_percent, arm.observed_percent / lo) if lo > 0 else float("inf")
        fe = max(arm.predicted_percent / arm.observed_percent, arm.observed_percent / arm.predicted_percent)
        rows.append({"study": "greenwald2003", "compound": DRUG,
                     "statistic": f"mu occupancy at {arm.dose_mg:g} mg (positive control)",
                     "observed": arm.observed_percent, "predicted": arm.predicted_percent, "fold_error": fe,
                     "limit": limit, "unit": "%", "source": "greenwald2003", "kind": "independent"})
    return rows


def report() -> dict[str, Any]:
    """The positive control for JSON output: inputs, method and each arm."""
    data = _inputs()
    return {
        "drug": DRUG, "study": data["study"]["key"], "design": " ".join(str(data["study"]["design"]).split()),
        "ki_nM": float(data["mu_ki"]["value"]), "fu": 1.0 - float(data["plasma_bound"]["value"]) / 100.0,
        "fu_range": "fu / 2 to fu x 2 (stated prior)", "kpuu_range": list(KPUU_RANGE),
        "method": ("reported peak plasma concentration (uniform over the arm's range) -> unbound (fu log-uniform) "
                   "-> Kp,uu (log-uniform) -> competitive occupancy (kratomsim.receptors); pass when the predicted "
                   "median lies inside the observed mean +/- t(0.975, n-1) SEM"),
        "arms": [asdict(a) for a in arm_results()],
    }
