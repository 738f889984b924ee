"""A co-medication's plasma curve when taken with kratom, from the interaction model's terms.

The dynamic interaction model gives a gut term (more of the dose escapes first-pass gut CYP3A) and
a liver term (lower clearance). The medicine's own one-compartment model is re-run with its dose
times the gut term and its CL/F divided by the liver term. The terms are those of the last night
of the regimen (the strongest inhibition for a time-dependent inhibitor): stated in every output.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

import numpy as np
from numpy.typing import NDArray

from kratomsim.errors import InputError

FloatArray = NDArray[np.float64]


@dataclass(frozen=True)
class WithKratom:
    """The medicine's concentration (nM) with kratom and the interaction terms that produced it."""

    name: str
    conc_nM: FloatArray
    auc_ratio: float
    gut_term: float
    liver_term: float
    note: str
    system: Any = None  # the changed one-compartment model and its doses, for exact peaks
    doses: tuple[Any, ...] = ()


def medicine_with_kratom(
    spec: str, nights: int, times_h: FloatArray, product: str | None, dose: str, at: str = "22:30"
) -> WithKratom | None:
    """The co-medication's curve with kratom, or None when the interaction model has no pathway for it."""
    from kratomsim.interactions import dynamic_prediction, get_victim
    from kratomsim.medicines import _split_spec, load_medicine, medicine_disposition, medicine_dose_events
    from kratomsim.pk.engine import concentrations_nM, propagate
    from kratomsim.pk.model import build_system

    name = load_medicine(_split_spec(spec)[0]).name
    try:
        victim = get_victim(name).name
    except InputError:
        return None
    p = dynamic_prediction(victim, product, dose, nights=nights, at=at)
    disp = medicine_disposition(name)
    changed = replace(disp, cl=np.asarray(disp.cl, dtype=float) / p.liver_term)
    events = [replace(e, amount_umol=np.asarray(e.amount_umol, dtype=float) * p.gut_term)
              for e in medicine_dose_events(spec, time_h=0.0, count=nights, interval_h=24.0)]
    system = build_system({name: changed})
    conc = concentrations_nM(system, propagate(system, events, np.asarray(times_h, dtype=float)))[name][0]
    note = (f"{name} with kratom: dynamic interaction model, AUC ratio {p.auc_ratio:.2g} (gut term "
            f"{p.gut_term:.2g}, liver term {p.liver_term:.2g}) of night {nights}, applied to every night.")
    return WithKratom(name, conc, p.auc_ratio, p.gut_term, p.liver_term, note, system, tuple(events))
