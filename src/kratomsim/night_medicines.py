"""Medicines on the night's clock: each taken at every night's dose time, on its own PK model."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from kratomsim.medicines_data import load_medicine
from kratomsim.medicines_derivation import derivation, medicine_disposition
from kratomsim.medicines_dosing import default_dose_note, medicine_dose_events, simulate_medicine
from kratomsim.night_rows import exact_night_peaks
from kratomsim.night_timeline import Timeline
from kratomsim.peaks import Peak
from kratomsim.pk.model import FloatArray, build_system
from kratomsim.steady_nights import steady_state
from kratomsim.units import split_medicine_spec


def parse_comedication(spec: str) -> tuple[str, float | None]:
    """'zolpidem:10mg' -> ('zolpidem', 10.0); an unknown name raises listing the known medicines."""
    name, mg = split_medicine_spec(spec)
    return load_medicine(name).name, mg


def default_dose_notes(specs: Iterable[str]) -> list[str]:
    """A sentence for each medicine given without a dose, naming the default dose used."""
    return [note for spec in specs if (note := default_dose_note(spec))]


def medicine_profile(spec: str, timeline: Timeline, times_h: FloatArray) -> tuple[str, FloatArray, float]:
    """Concentration (nM) of a medicine taken at each night's dose time; InputError if it has no model."""
    name, _ = parse_comedication(spec)
    med = load_medicine(name)
    medicine_disposition(name)  # raises InputError naming why there is no model
    events = medicine_dose_events(spec, time_h=0.0, count=timeline.nights, interval_h=24.0)
    return med.name, simulate_medicine(med.name, events, times_h), med.molecular_weight


def medicine_peaks(spec: str, timeline: Timeline) -> list[Peak]:
    """A medicine's exact peak each night (its own one-compartment model, taken at each dose time)."""
    name = load_medicine(parse_comedication(spec)[0]).name
    system = build_system({name: medicine_disposition(name)})
    events = medicine_dose_events(spec, time_h=0.0, count=timeline.nights, interval_h=24.0)
    return exact_night_peaks(system, events, timeline)[name]


def medicine_steady_state(name: str) -> dict[str, dict[str, Any]]:
    """Nights to steady state of a medicine at its derivation dose, from its simulated single dose."""
    d = derivation(name)
    return steady_state(
        lambda t: {name: simulate_medicine(name, medicine_dose_events((name, d.dose_mg)), t)}, min(d.ka, d.ke)
    )
