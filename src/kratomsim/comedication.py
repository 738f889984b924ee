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

from kratomsim.aid_entries import aid_entry
from kratomsim.errors import InputError
from kratomsim.interactions_models import dynamic_prediction, kratom_regimen
from kratomsim.interactions_victims import get_victim
from kratomsim.medicine_population import concentrations_ng_per_mL, draw_people, next_morning_shares, variability
from kratomsim.medicines_data import load_medicine
from kratomsim.medicines_derivation import SEXES, derivation, medicine_disposition
from kratomsim.medicines_dosing import medicine_dose_events, next_morning_comparison
from kratomsim.night_medicines import medicine_profile
from kratomsim.night_rows import night_rows
from kratomsim.night_timeline import Timeline, plain_grid
from kratomsim.pk.engine import concentrations_nM, propagate
from kratomsim.pk.model import build_system
from kratomsim.scenario import Scenario
from kratomsim.steady_nights import steady_state
from kratomsim.units import split_medicine_spec

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


def curve_with_terms(
    spec: str, name: str, nights: int, times_h: FloatArray, gut_term: float, liver_term: float
) -> FloatArray:
    """The medicine's nightly curve (nM) with its dose x ``gut_term`` and CL/F / ``liver_term``."""
    system, events = changed_model(spec, name, nights, gut_term, liver_term)
    return concentrations_nM(system, propagate(system, events, np.asarray(times_h, dtype=float)))[name][0]


def changed_model(spec: str, name: str, nights: int, gut_term: float, liver_term: float) -> tuple[Any, list[Any]]:
    """The medicine's model and nightly doses with kratom's terms applied (for curves and exact peaks)."""
    disp = medicine_disposition(name)
    changed = replace(disp, cl=np.asarray(disp.cl, dtype=float) / liver_term)
    events = [replace(e, amount_umol=np.asarray(e.amount_umol, dtype=float) * gut_term)
              for e in medicine_dose_events(spec, time_h=0.0, count=nights, interval_h=24.0)]
    return build_system({name: changed}), events


def medicine_with_kratom(spec: str, times_h: FloatArray, regimen: Scenario) -> WithKratom | None:
    """The co-medication's curve with kratom, or None when the interaction model has no pathway for it.

    The medicine is taken at each of the regimen's nightly doses; the terms are those of the last night.
    """
    nights = regimen.count

    name = load_medicine(split_medicine_spec(spec)[0]).name
    try:
        victim = get_victim(name).name
    except InputError:
        return None
    p = dynamic_prediction(victim, regimen)
    conc = curve_with_terms(spec, name, nights, times_h, p.gut_term, p.liver_term)
    system, events = changed_model(spec, name, nights, p.gut_term, p.liver_term)
    note = (f"{name} with kratom: dynamic interaction model, AUC ratio {p.auc_ratio:.2g} (gut term "
            f"{p.gut_term:.2g}, liver term {p.liver_term:.2g}) of night {nights}, applied to every night.")
    return WithKratom(name, conc, p.auc_ratio, p.gut_term, p.liver_term, note, system, tuple(events))


@dataclass
class CompareRows:
    """``compare`` entries for each medicine taken with each kratom aid, their curves and notes."""

    entries: list[dict[str, Any]] = field(default_factory=list)
    conc_nM: dict[str, FloatArray] = field(default_factory=dict)
    molecular_weight: dict[str, float] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


def people_above_with_kratom(
    name: str, spec: str, threshold_ng_per_mL: float, hours: dict[str, float], nights: int,
    subjects: int, seed: int, withk: WithKratom,
) -> dict[str, Any]:
    """Share of people above a level with kratom: the same people as the medicine alone (same seed),
    each with CL/F divided by the liver term and the dose scaled by the gut term."""

    med = load_medicine(name)
    umol = float(np.ravel(np.asarray(medicine_dose_events(spec)[0].amount_umol))[0])
    dose_mg = med.dose_mg(umol)
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


def _single_curve(spec: str, name: str, withk: WithKratom, times_h: FloatArray) -> dict[str, FloatArray]:
    """One dose with kratom's terms, for the nights to steady state."""
    return {name: curve_with_terms(spec, name, 1, times_h, withk.gut_term, withk.liver_term)}


def compare_rows(
    kratom_aids: list[tuple[str, str | None, str]], medicine_aids: list[str], timeline: Timeline, at: str,
    subjects: int = 1, seed: int = 0,
) -> CompareRows:
    """Each medicine that kratom inhibits, taken with each kratom aid (dynamic interaction model)."""
    out = CompareRows()
    times = plain_grid(timeline)
    for kaid, product, dose in kratom_aids:
        regimen = kratom_regimen(product, dose, timeline.nights, at)
        for aid in medicine_aids:
            withk = medicine_with_kratom(aid, times, regimen)
            if withk is None:
                out.notes.append(f"{aid} with {kaid}: no CYP3A4/CYP2D6 pathway in the interaction model; "
                                 "not simulated together.")
                continue
            mname, _, mw = medicine_profile(aid, timeline, times)
            label = f"{aid} + {kaid}"
            rows = night_rows(f"{mname} with kratom", "medicine", withk.conc_nM, mw, times, timeline)
            d = derivation(mname)
            ss = steady_state(partial(_single_curve, aid, mname, withk), min(d.ka, d.ke / withk.liver_term))
            entry = aid_entry(label, rows, ss.get(mname))
            entry["with_kratom"] = {"kratom": kaid, "model": "dynamic", "auc_ratio": withk.auc_ratio,
                                    "gut_term": withk.gut_term, "liver_term": withk.liver_term, "note": withk.note}
            entry["next_morning_data"] = next_morning_comparison(mname, rows[-1]["wake_ng_per_mL"],
                                                                 rows[-1]["morning_ng_per_mL"])
            level = next((i for i in entry["next_morning_data"] if "threshold_ng_per_mL" in i), None)
            if subjects > 1 and level is not None:
                above = people_above_with_kratom(
                    mname, aid, float(level["threshold_ng_per_mL"]),
                    {"wake": timeline.to_wake_h, "morning": timeline.to_morning_h}, timeline.nights,
                    subjects, seed, withk)
                entry["share_above_next_morning_level"] = {**above, "source": level["source"]}
            out.entries.append(entry)
            out.conc_nM[label] = withk.conc_nM
            out.molecular_weight[label] = mw
            out.notes.append(withk.note)
    return out


def night_shares_above(
    specs: list[str], timeline: Timeline, regimen: Scenario, subjects: int, seed: int,
) -> list[dict[str, Any]]:
    """For ``night --with ... --subjects``: share of people above each co-medication's next-morning
    level after the last night, alone and with kratom (the same people, same seed)."""
    out: list[dict[str, Any]] = []
    hours = {"wake": timeline.to_wake_h, "morning": timeline.to_morning_h}
    for spec in specs:
        name = load_medicine(split_medicine_spec(spec)[0]).name
        level = next((i for i in next_morning_comparison(name, 0.0, 0.0) if "threshold_ng_per_mL" in i), None)
        try:
            victim = get_victim(name).name
        except InputError:
            continue
        if level is None or variability(name) is None:
            continue
        p = dynamic_prediction(victim, regimen)
        terms = WithKratom(name, np.zeros(0), p.auc_ratio, p.gut_term, p.liver_term, "")
        threshold = float(level["threshold_ng_per_mL"])
        med = load_medicine(name)
        umol = float(np.ravel(np.asarray(medicine_dose_events(spec)[0].amount_umol))[0])
        dose_mg = med.dose_mg(umol)
        alone = next_morning_shares(name, dose_mg, threshold, hours, timeline.nights, subjects, seed)["share"]
        withk = people_above_with_kratom(name, spec, threshold, hours, timeline.nights, subjects, seed, terms)["share"]
        sentence = (f"{spec}: share of {subjects:,} simulated people above {threshold:g} ng/mL at wake-up after "
                    f"night {timeline.nights}: {100 * alone['wake']['all']:.3g}% alone, "
                    f"{100 * withk['wake']['all']:.3g}% with kratom (women {100 * alone['wake']['female']:.3g}% / "
                    f"{100 * withk['wake']['female']:.3g}%, men {100 * alone['wake']['male']:.3g}% / "
                    f"{100 * withk['wake']['male']:.3g}%) [{level['source']}].")
        out.append({"medicine": spec, "threshold_ng_per_mL": threshold, "source": level["source"],
                    "alone": alone, "with_kratom": withk, "auc_ratio": p.auc_ratio, "sentence": sentence})
    return out
