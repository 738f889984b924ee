"""Monte Carlo 90 % interval of peak mu occupancy and of each alkaloid's share of it.

Each draw picks, per alkaloid, a Ki from one of the data sets that measured it at the receptor
(equal weight), an unbound fraction log-uniform between its stated bounds, and one Kp,uu
log-uniform between KPUU_RANGE. No draw uses fu = 1 or another impossible case. Why: the
laboratories disagree up to tenfold and fu is bounded, not measured, for most alkaloids, so a
single value would overstate what is known.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
from numpy.typing import NDArray

from kratomsim import positive_control
from kratomsim import receptors as rx
from kratomsim.plasma_binding import binding

FloatArray = NDArray[np.float64]

# Kp,uu: no value published for any kratom alkaloid; no efflux in Caco-2/MDR-MDCK (Manda 2014), so
# 1 is the top; 0.3 is our stated lower bound (modest efflux). Both live in kratomsim.receptors.
KPUU_RANGE = rx.KPUU_RANGE
loguniform = rx.loguniform


def fu_bounds(compound: str) -> tuple[float, float]:
    """The unbound-fraction range of one compound (kratomsim.plasma_binding: published or prior)."""
    b = binding(compound)
    return b.fu_low, b.fu_high


def interval_cell(x: FloatArray, level: float) -> dict[str, float]:
    """Median and central ``level`` interval of draws, as {"median", "low", "high"}."""
    lo, med, hi = np.quantile(x, [(1 - level) / 2, 0.5, (1 + level) / 2])
    return {"median": float(med), "low": float(lo), "high": float(hi)}


def peak_interval(
    conc_nM: Mapping[str, FloatArray], receptor: str = "mu", draws: int = 2000, seed: int = 0, level: float = 0.90
) -> dict[str, Any]:
    """Median and interval of peak total occupancy (%) and each ligand's share (%) at that peak."""
    receptor = rx.check_receptor(receptor)
    curves = {n: np.ravel(np.atleast_2d(np.asarray(c, dtype=float))[0]) for n, c in conc_nM.items()}
    kis: dict[str, list[float]] = {}
    for name in rx.receptor_sets(receptor):
        for lig, p in rx.get_set(name, receptor).ligands(receptor).items():
            if lig in curves:
                kis.setdefault(lig, []).append(p.ki_nM)
    ligs = sorted(kis)
    rng = np.random.default_rng(seed)
    kpuu = loguniform(rng, *KPUU_RANGE, draws)
    ratio = {}
    for lig in ligs:
        ki = np.asarray(kis[lig])[rng.integers(0, len(kis[lig]), draws)]
        fu = loguniform(rng, *fu_bounds(lig), draws)
        ratio[lig] = (fu * kpuu / ki)[:, None] * curves[lig][None, :]  # draws x time
    denom = 1.0 + sum(ratio.values())
    total = 1.0 - 1.0 / denom
    at = np.argmax(total, axis=1)
    rows = np.arange(draws)
    peak = total[rows, at]

    def cell(x: FloatArray) -> dict[str, float]:
        return interval_cell(100.0 * x, level)

    shares = {lig: cell(ratio[lig][rows, at] / denom[rows, at] / peak) for lig in ligs}
    return {
        "receptor": receptor, "draws": draws, "seed": seed, "level": level,
        "peak_occupancy_percent": cell(peak), "share_of_occupied_percent": shares,
        "ki_sets_per_ligand": {lig: len(kis[lig]) for lig in ligs},
        "fu_range": {lig: list(fu_bounds(lig)) for lig in ligs},
        "method": ("Monte Carlo: Ki drawn per alkaloid from the data sets that measured it; fu log-uniform "
                   "over each compound's range (kratomsim.plasma_binding: published bounds, else the stated "
                   f"prior); Kp,uu log-uniform {KPUU_RANGE}; median subject's concentrations"),
    }


def headline(conc_nM: Mapping[str, FloatArray], receptor: str) -> dict[str, Any]:
    """What every receptors output leads with at the mu receptor: the interval and the positive control."""
    if rx.check_receptor(receptor) != "mu":
        return {}
    return {"interval": peak_interval(conc_nM, "mu"), "positive_control": positive_control.report()}
