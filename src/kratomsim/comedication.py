"""A co-medication's plasma curve when taken with kratom, from the interaction model's terms.

The dynamic interaction model gives a gut term (more of the dose escapes first-pass gut CYP3A) and
a liver term (lower clearance). The medicine's own one-compartment model is re-run with its dose
times the gut term and its CL/F divided by the liver term. The terms are those of the last night
of the regimen (the strongest inhibition for a time-dependent inhibitor): stated in every output.
``compare`` uses the same curves beside the medicine alone (``compare_rows``), and with --subjects the
share of people above the medicine's next-morning level, with and without kratom.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from functools import partial
from typing import Any

import numpy as np
from numpy.typing import NDArray

from kratomsim.aid_entries import AidEntry, aid_entry
from kratomsim.errors import InputError
from kratomsim.interactions_models import dynamic_prediction
from kratomsim.interactions_victims import get_victim
from kratomsim.medicine_population import concentrations_ng_per_mL, draw_people, next_morning_shares, variability
from kratomsim.medicines_derivation import SEXES, derivation, medicine_disposition
from kratomsim.medicines_dosing import MedicineDose, medicine_dose_events, next_morning_comparison, next_morning_level
from kratomsim.night_medicines import medicine_profile
from kratomsim.night_rows import night_rows
from kratomsim.night_timeline import Timeline, plain_grid
from kratomsim.pk.engine import concentrations_nM, propagate
from kratomsim.pk.model import DoseEvent, build_system
from kratomsim.scenario import Scenario
from kratomsim.steady_nights import steady_state

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
    doses: tuple[DoseEvent, ...] = ()


def curve_with_terms(
    dose: MedicineDose, nights: int, times_h: FloatArray, gut_term: float, liver_term: float
) -> FloatArray:
    """The medicine's nightly curve (nM) with its dose x ``gut_term`` and CL/F / ``liver_term``."""
    system, events = changed_model(dose, nights, gut_term, liver_term)
    return concentrations_nM(system, propagate(system, events, np.asarray(times_h, dtype=float)))[dose.name][0]


def changed_model(dose: MedicineDose, nights: int, gut_term: float, liver_term: float) -> tuple[Any, list[DoseEvent]]:
    """The medicine's model and nightly doses with kratom's terms applied (for curves and exact peaks)."""
    disp = medicine_disposition(dose.name)
    changed = replace(disp, cl=np.asarray(disp.cl, dtype=float) / liver_term)
    events = [replace(e, amount_umol=np.asarray(e.amount_umol, dtype=float) * gut_term)
              for e in medicine_dose_events(dose, time_h=0.0, count=nights, interval_h=24.0)]
    return build_system({dose.name: changed}), events


def _victim_name(name: str) -> str | None:
    """The interaction model's name for a medicine, or None when it has no CYP3A4/CYP2D6 pathway."""
    try:
        return get_victim(name).name
    except InputError:
        return None


def medicine_with_kratom(dose: MedicineDose, times_h: FloatArray, regimen: Scenario) -> WithKratom | None:
    """The co-medication's curve with kratom, or None when the interaction model has no pathway for it.

    The medicine is taken at each of the regimen's nightly doses; the terms are those of the last night.
    """
    victim = _victim_name(dose.name)
    if victim is None:
        return None
    nights, name = regimen.count, dose.name
    p = dynamic_prediction(victim, regimen)
    conc = curve_with_terms(dose, nights, times_h, p.gut_term, p.liver_term)
    system, events = changed_model(dose, nights, p.gut_term, p.liver_term)
    note = (f"{name} with kratom: dynamic interaction model, AUC ratio {p.auc_ratio:.2g} (gut term "
            f"{p.gut_term:.2g}, liver term {p.liver_term:.2g}) of night {nights}, applied to every night.")
    return WithKratom(name, conc, p.auc_ratio, p.gut_term, p.liver_term, note, system, tuple(events))


@dataclass
class CompareRows:
    """``compare`` entries for each medicine taken with each kratom aid, their curves and notes."""

    entries: list[AidEntry] = field(default_factory=list)
    conc_nM: dict[str, FloatArray] = field(default_factory=dict)
    molecular_weight: dict[str, float] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


def people_above_with_kratom(
    dose: MedicineDose, threshold_ng_per_mL: float, hours: dict[str, float], nights: int,
    subjects: int, seed: int, withk: WithKratom,
) -> dict[str, Any]:
    """Share of people above a level with kratom: the same people as the medicine alone (same seed),
    each with CL/F divided by the liver term and the dose scaled by the gut term."""
    name, dose_mg = dose.name, dose.amount_mg
    people = draw_people(name, subjects, seed)
    people = replace(people, cl=people.cl / withk.liver_term)
    labels = list(hours)
    conc = withk.gut_term * concentrations_ng_per_mL(name, people, dose_mg, np.asarray([hours[k] for k in labels]),
                                                     nights)
    share: dict[str, dict[str, float]] = {}
    for j, label in enumerate(labels):
        above = conc[:, j] > threshold_ng_per_mL
        share[label] = {"all": float(np.mean(above)), **{s: float(np.mean(above[people.sex == s])) for s in SEXES}}
    var = variability(name)
    return {"threshold_ng_per_mL": threshold_ng_per_mL, "dose_mg": dose_mg, "nights": nights, "subjects": subjects,
            "seed": seed, "share": share, "with_kratom": True,
            "variability": var.basis if var else "none published: only the sex effect"}


def _single_curve(dose: MedicineDose, withk: WithKratom, times_h: FloatArray) -> dict[str, FloatArray]:
    """One dose with kratom's terms, for the nights to steady state."""
    return {dose.name: curve_with_terms(dose, 1, times_h, withk.gut_term, withk.liver_term)}


def compare_rows(
    kratom_aids: list[tuple[str, Scenario]], medicine_aids: list[MedicineDose], timeline: Timeline,
    subjects: int = 1, seed: int = 0,
) -> CompareRows:
    """Each medicine that kratom inhibits, taken with each kratom aid (label, its nightly regimen)
    under the dynamic interaction model."""
    out = CompareRows()
    times = plain_grid(timeline)
    for kaid, regimen in kratom_aids:
        for aid in medicine_aids:
            withk = medicine_with_kratom(aid, times, regimen)
            if withk is None:
                out.notes.append(f"{aid.label} with {kaid}: no CYP3A4/CYP2D6 pathway in the interaction model; "
                                 "not simulated together.")
                continue
            label = f"{aid.label} + {kaid}"
            entry, mw = _together_entry(label, kaid, aid, withk, timeline, times)
            if subjects > 1 and (level := next_morning_level(entry.next_morning_data)) is not None:
                above = people_above_with_kratom(
                    aid, float(level.threshold_ng_per_mL or 0.0),
                    {"wake": timeline.to_wake_h, "morning": timeline.to_morning_h}, timeline.nights,
                    subjects, seed, withk)
                entry = replace(entry, share_above_next_morning_level={**above, "source": level.source})
            out.entries.append(entry)
            out.conc_nM[label] = withk.conc_nM
            out.molecular_weight[label] = mw
            out.notes.append(withk.note)
    return out


def _together_entry(label: str, kaid: str, aid: MedicineDose, withk: WithKratom, timeline: Timeline,
                    times: FloatArray) -> tuple[AidEntry, float]:
    """The compare entry of one medicine taken with one kratom aid, and the medicine's molecular weight."""
    mname, _, mw = medicine_profile(aid, timeline, times)
    rows = night_rows(f"{mname} with kratom", "medicine", withk.conc_nM, mw, times, timeline)
    d = derivation(mname)
    ss = steady_state(partial(_single_curve, aid, withk), min(d.ka, d.ke / withk.liver_term))
    entry = replace(
        aid_entry(label, rows, ss.get(mname)),
        with_kratom={"kratom": kaid, "model": "dynamic", "auc_ratio": withk.auc_ratio,
                     "gut_term": withk.gut_term, "liver_term": withk.liver_term, "note": withk.note},
        next_morning_data=tuple(next_morning_comparison(mname, rows[-1].wake_ng_per_mL, rows[-1].morning_ng_per_mL)),
    )
    return entry, mw


def night_shares_above(
    doses: list[MedicineDose], timeline: Timeline, regimen: Scenario, subjects: int, seed: int,
) -> list[dict[str, Any]]:
    """For ``night --with ... --subjects``: share of people above each co-medication's next-morning
    level after the last night, alone and with kratom (the same people, same seed)."""
    out: list[dict[str, Any]] = []
    hours = {"wake": timeline.to_wake_h, "morning": timeline.to_morning_h}
    for dose in doses:
        name = dose.name
        level = next_morning_level(next_morning_comparison(name, 0.0, 0.0))
        victim = _victim_name(name)
        if victim is None or level is None or variability(name) is None:
            continue
        p = dynamic_prediction(victim, regimen)
        terms = WithKratom(name, np.zeros(0), p.auc_ratio, p.gut_term, p.liver_term, "")
        threshold = float(level.threshold_ng_per_mL or 0.0)
        alone = next_morning_shares(name, dose.amount_mg, threshold, hours, timeline.nights, subjects, seed)["share"]
        withk = people_above_with_kratom(dose, threshold, hours, timeline.nights, subjects, seed, terms)["share"]
        out.append({"medicine": dose.label, "threshold_ng_per_mL": threshold, "source": level.source,
                    "alone": alone, "with_kratom": withk, "auc_ratio": p.auc_ratio,
                    "sentence": _share_sentence(dose.label, subjects, threshold, timeline.nights, alone, withk,
                                                level.source)})
    return out


def _share_sentence(label: str, subjects: int, threshold: float, nights: int, alone: dict[str, dict[str, float]],
                    withk: dict[str, dict[str, float]], source: str) -> str:
    a, w = alone["wake"], withk["wake"]
    return (f"{label}: share of {subjects:,} simulated people above {threshold:g} ng/mL at wake-up after "
            f"night {nights}: {100 * a['all']:.3g}% alone, {100 * w['all']:.3g}% with kratom (women "
            f"{100 * a['female']:.3g}% / {100 * w['female']:.3g}%, men {100 * a['male']:.3g}% / "
            f"{100 * w['male']:.3g}%) [{source}].")
