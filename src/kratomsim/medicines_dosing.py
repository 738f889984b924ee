"""Doses of a medicine on the clock and its simulated plasma curve; its published next-morning data.

The amount is mg of the dosed form as labelled (e.g. zolpidem tartrate); without an amount the
library's default (the label's starting dose) is used, and :func:`default_dose_note` says so.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from kratomsim.errors import InputError
from kratomsim.medicines_data import load_medicine
from kratomsim.medicines_derivation import medicine_disposition
from kratomsim.pk.engine import concentrations_nM, propagate
from kratomsim.pk.model import DoseEvent, FloatArray, build_system
from kratomsim.units import split_medicine_spec


@dataclass(frozen=True)
class MedicineDose:
    """A medicine and its dose as a person asked for it, resolved against the library once.

    ``dose_mg`` is mg of the dosed form as labelled (e.g. zolpidem tartrate), None when no dose was
    given (the library's default, the label's starting dose, is then used); ``label`` is the text as
    written, for tables and notes.
    """

    name: str
    dose_mg: float | None
    label: str

    @property
    def amount_mg(self) -> float:
        """The dose taken: as given, or the library's default (InputError when there is none)."""
        if self.dose_mg is not None:
            return self.dose_mg
        default = load_medicine(self.name).default_dose_mg
        if default is None:
            raise InputError(f"no default dose for {self.name}; give one, e.g. '{self.name}:10mg'")
        return default


def medicine_dose(spec: str) -> MedicineDose:
    """'zolpidem:10mg', '10mg:zolpidem' or 'zolpidem' -> a MedicineDose; an unknown name lists the known."""
    name, mg = split_medicine_spec(spec)
    return MedicineDose(load_medicine(name).name, mg, spec)


def default_dose_note(dose: MedicineDose) -> str | None:
    """The sentence saying which dose was used and why when none was given; None with a dose."""
    if dose.dose_mg is not None:
        return None
    med = load_medicine(dose.name)
    if med.default_dose_mg is None:
        return None
    return (f"{med.name}: no dose given, so the library's default {med.default_dose_mg:g} mg (the label's "
            f"starting dose) is used; give one as {med.name}:DOSE.")


def medicine_dose_events(
    dose: MedicineDose | tuple[str, float], time_h: float = 0.0, count: int = 1, interval_h: float = 24.0
) -> list[DoseEvent]:
    """Dose events (micromol of active base) for a MedicineDose or a (name, mg) pair, every ``interval_h``."""
    if isinstance(dose, str):
        raise TypeError(f"read the text once with medicine_dose({dose!r}) and pass the MedicineDose")
    if isinstance(dose, MedicineDose):
        name, dose_mg = dose.name, dose.amount_mg
    else:
        name, dose_mg = dose[0], float(dose[1])
        if not dose_mg > 0:
            raise InputError(f"dose must be greater than zero, got {dose[1]!r}")
    med = load_medicine(name)
    umol = med.dose_umol(dose_mg)
    return [DoseEvent(time_h + i * interval_h, med.name, umol) for i in range(count)]


def simulate_medicine(name: str, doses: Sequence[DoseEvent], times_h: FloatArray) -> FloatArray:
    """Plasma concentration (nM) of one medicine at ``times_h`` for the given dose events."""
    med = load_medicine(name)
    system = build_system({med.name: medicine_disposition(med.name)})
    states = propagate(system, doses, np.asarray(times_h, dtype=float))
    return concentrations_nM(system, states)[med.name][0]


@dataclass(frozen=True)
class NextMorningFinding:
    """One published next-morning finding of a medicine, with the simulated levels compared against it.

    A published range gives ``morning_vs_range`` (below/within/above); a threshold gives
    ``wake_vs_threshold`` and ``morning_vs_threshold`` (below/above). ``to_dict`` is the JSON form.
    """

    summary: str
    source: str
    where: str
    concentration_ng_per_mL: tuple[float, float] | None = None  # (low, high)
    morning_vs_range: str | None = None
    threshold_ng_per_mL: float | None = None
    wake_vs_threshold: str | None = None
    morning_vs_threshold: str | None = None

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"summary": self.summary, "source": self.source, "where": self.where}
        if self.concentration_ng_per_mL is not None:
            low, high = self.concentration_ng_per_mL
            out["concentration_ng_per_mL"] = {"low": low, "high": high}
            out["morning_vs_range"] = self.morning_vs_range
        if self.threshold_ng_per_mL is not None:
            out["threshold_ng_per_mL"] = self.threshold_ng_per_mL
            out["wake_vs_threshold"] = self.wake_vs_threshold
            out["morning_vs_threshold"] = self.morning_vs_threshold
        return out


def next_morning_comparison(name: str, wake_ng_per_mL: float, morning_ng_per_mL: float) -> list[NextMorningFinding]:
    """The medicine's published next-morning data, with simulated levels compared where a number allows."""
    return [_next_morning(entry, wake_ng_per_mL, morning_ng_per_mL) for entry in load_medicine(name).next_morning]


def next_morning_level(items: Sequence[NextMorningFinding]) -> NextMorningFinding | None:
    """The first finding that gives a threshold level (what the shares of people above are read against)."""
    return next((i for i in items if i.threshold_ng_per_mL is not None), None)


def _next_morning(entry: Mapping[str, Any], wake_ng_per_mL: float, morning_ng_per_mL: float) -> NextMorningFinding:
    item = NextMorningFinding(str(entry.get("summary", "")), str(entry.get("source", "")), str(entry.get("where", "")))
    rng = entry.get("concentration_ng_per_mL")
    if isinstance(rng, Mapping) and "low" in rng and "high" in rng:
        low, high = float(rng["low"]), float(rng["high"])
        versus = "below" if morning_ng_per_mL < low else "above" if morning_ng_per_mL > high else "within"
        item = replace(item, concentration_ng_per_mL=(low, high), morning_vs_range=versus)
    threshold = entry.get("threshold_ng_per_mL")
    if isinstance(threshold, Mapping) and "value" in threshold:
        level = float(threshold["value"])
        item = replace(item, threshold_ng_per_mL=level,
                       wake_vs_threshold="above" if wake_ng_per_mL > level else "below",
                       morning_vs_threshold="above" if morning_ng_per_mL > level else "below")
    return item
