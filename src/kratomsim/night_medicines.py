"""Medicines on the night's clock: each taken at every night's dose time, on its own PK model."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from kratomsim.medicines_data import load_medicine
from kratomsim.medicines_derivation import derivation, medicine_disposition
from kratomsim.medicines_dosing import (
    MedicineDose,
    default_dose_note,
    medicine_dose,
    medicine_dose_events,
    simulate_medicine,
)
from kratomsim.night_rows import exact_night_peaks
from kratomsim.night_timeline import Timeline
from kratomsim.peaks import Peak
from kratomsim.pk.model import FloatArray, build_system
from kratomsim.steady_nights import steady_state


def parse_comedication(spec: str) -> MedicineDose:
    """'zolpidem:10mg' -> MedicineDose('zolpidem', 10.0, ...); an unknown name raises listing the known medicines.

    The one place a co-medication's text is read; everything after it takes the MedicineDose.
    """
    return medicine_dose(spec)


def default_dose_notes(doses: Iterable[MedicineDose]) -> list[str]:
    """A sentence for each medicine given without a dose, naming the default dose used."""
    return [note for dose in doses if (note := default_dose_note(dose))]


def medicine_profile(dose: MedicineDose, timeline: Timeline, times_h: FloatArray) -> tuple[str, FloatArray, float]:
    """Concentration (nM) of a medicine taken at each night's dose time; InputError if it has no model."""
    med = load_medicine(dose.name)
    medicine_disposition(med.name)  # raises InputError naming why there is no model
    events = medicine_dose_events(dose, time_h=0.0, count=timeline.nights, interval_h=24.0)
    return med.name, simulate_medicine(med.name, events, times_h), med.molecular_weight


def medicine_peaks(dose: MedicineDose, timeline: Timeline) -> list[Peak]:
    """A medicine's exact peak each night (its own one-compartment model, taken at each dose time)."""
    system = build_system({dose.name: medicine_disposition(dose.name)})
    events = medicine_dose_events(dose, time_h=0.0, count=timeline.nights, interval_h=24.0)
    return exact_night_peaks(system, events, timeline)[dose.name]


def medicine_steady_state(name: str) -> dict[str, dict[str, Any]]:
    """Nights to steady state of a medicine at its derivation dose, from its simulated single dose."""
    d = derivation(name)
    return steady_state(
        lambda t: {name: simulate_medicine(name, medicine_dose_events((name, d.dose_mg)), t)}, min(d.ka, d.ke)
    )
