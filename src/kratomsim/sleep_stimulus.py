"""Night-mean mu-receptor stimulus of a kratom night, as Monte Carlo draws over receptor uncertainty.

Why a module of its own: the sleep bridge needs the same stimulus draws in two places, the night's
predicted sleep changes (kratomsim.sleep_prediction) and the audit's quote (kratomsim.sleep_architecture),
and the second must not import the first. The draws follow occupancy_interval (P11): per draw one mu
data set (its Ki and efficacies), fu log-uniform between each alkaloid's stated bounds, one Kp,uu
log-uniform in KPUU_RANGE; the median subject's concentrations.
"""

from __future__ import annotations

from datetime import time
from typing import Any

import numpy as np
from numpy.typing import NDArray

from kratomsim import receptors as rx
from kratomsim.occupancy_interval import KPUU_RANGE, fu_bounds, loguniform

FloatArray = NDArray[np.float64]

DRAWS = 1000


def _set_tables(ligands: list[str]) -> tuple[FloatArray, FloatArray]:
    """(sets x ligands) Ki (inf where not measured) and efficacy (0 where unknown), every mu data set."""
    names = rx.receptor_sets("mu")
    ki = np.full((len(names), len(ligands)), np.inf)
    eff = np.zeros((len(names), len(ligands)))
    for i, name in enumerate(names):
        chosen = rx.get_set(name, "mu")
        efficacy, _ = rx._efficacies(chosen, "mu")
        for j, lig in enumerate(ligands):
            params = chosen.ligands("mu").get(lig)
            if params is not None:
                ki[i, j] = params.ki_nM
                eff[i, j] = efficacy.get(lig) or 0.0
    return ki, eff


def stimulus_draws(conc_nM: dict[str, FloatArray], draws: int = DRAWS, seed: int = 0) -> FloatArray:
    """Mu stimulus (fraction 0..1), draws x time, from plasma nM of each alkaloid (one subject)."""
    ligands = sorted(conc_nM)
    ki, eff = _set_tables(ligands)
    rng = np.random.default_rng(seed)
    pick = rng.integers(0, ki.shape[0], draws)
    kpuu = loguniform(rng, *KPUU_RANGE, draws)
    denom = np.ones((draws, len(next(iter(conc_nM.values())))))
    weighted = np.zeros_like(denom)
    for j, lig in enumerate(ligands):
        if not np.isfinite(ki[:, j]).any():  # no data set measured it: it adds nothing (and has no fu)
            rng.uniform(size=draws)  # keep the other ligands' draws where they were
            continue
        fu = loguniform(rng, *fu_bounds(lig), draws)
        ratio = (fu * kpuu / ki[pick, j])[:, None] * np.asarray(conc_nM[lig], dtype=float)[None, :]
        denom += ratio
        weighted += eff[pick, j][:, None] * ratio
    return np.asarray(weighted / denom)


def night_stimulus_draws(exposure: Any, wake: time, draws: int = DRAWS, seed: int = 0) -> FloatArray:
    """Night-mean mu stimulus (%), draws x nights, bedtime (dose) to wake-up, median subject."""
    clock = np.asarray(exposure.clock).astype("datetime64[s]")
    masks = [(clock >= np.datetime64(b, "s")) & (clock <= np.datetime64(w, "s"))
             for b, w in rx.night_windows(exposure, wake)]
    if not masks:
        return np.zeros((draws, 0))
    inside = np.any(masks, axis=0)
    conc = {n: rx.median_subjects(c)[inside] for n, c in exposure.conc_nM.items()}
    stim = stimulus_draws(conc, draws, seed)
    cols = [m[inside] for m in masks]
    return np.stack([100.0 * stim[:, c].mean(axis=1) for c in cols], axis=1)
