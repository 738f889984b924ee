"""Made-up concentration curves on the real scenario clock, for tests that need no PK parameters."""

from __future__ import annotations

import numpy as np

from kratomsim.exposure import Exposure
from kratomsim.scenario import make_scenario

MG, OH = "mitragynine", "7-hydroxymitragynine"


def synthetic_exposure(nights: int = 1, subjects: int = 1, speciogynine: bool = False) -> Exposure:
    """A rise-and-fall mitragynine curve per nightly dose; 7-OH (and optionally speciogynine) in
    proportion. With several subjects the curves are scaled from 0.8x to 1.2x."""
    sc = make_scenario(
        product="K51", dose="2g", at="22:30", count=nights, hours=24.0 * nights, start_date="2026-01-05"
    )
    t = sc.times_h()
    mg = np.zeros_like(t)
    for d in sc.dose_times_h():
        dt = np.clip(t - d, 0, None)
        mg += 60 * (np.exp(-0.08 * dt) - np.exp(-1.2 * dt))
    scale = np.linspace(0.8, 1.2, subjects)[:, None] if subjects > 1 else np.ones((1, 1))
    conc = {MG: scale * mg, OH: scale * mg * 0.05}
    weights = {MG: 398.5, OH: 414.5}
    if speciogynine:
        conc["speciogynine"] = scale * mg * 0.15
        weights["speciogynine"] = 398.5
    return Exposure(scenario=sc, times_h=t, clock=sc.clock(t), conc_nM=conc, molecular_weight=weights)
