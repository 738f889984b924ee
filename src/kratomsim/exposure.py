"""Run a scenario through the PK engine: concentrations of every alkaloid over time.

``run`` returns arrays (for the night, receptor and interaction modules); ``simulate`` returns the
tidy table the CLI writes. Both are thin over the exact solvers in :mod:`kratomsim.pk`.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import pandas as pd

from kratomsim.autoinhibition import mitragynine_inactivation
from kratomsim.autoinhibition import statement as autoinhibition_statement
from kratomsim.errors import InputError
from kratomsim.interactions_data import INHIBITOR
from kratomsim.library import REFERENCE_WEIGHT_KG, SEVEN_OH, kratom_dispositions, molecular_weight
from kratomsim.peaks import window_peaks
from kratomsim.pk.autoinhibition import Resumable, inactivation_matrix, propagate_self_inactivated
from kratomsim.pk.engine import concentrations_nM
from kratomsim.pk.modal import exact_concentrations
from kratomsim.pk.model import Disposition, DoseEvent, FloatArray, Formation, build_system
from kratomsim.scenario import Scenario
from kratomsim.tea import CALIBRATION_STATEMENT, applies_to, tea_extraction

ALLOMETRIC_CL = 0.75
ALLOMETRIC_V = 1.0


@dataclass(frozen=True)
class Exposure:
    """Plasma concentrations (nM) of each alkaloid, shape (subjects, times)."""

    scenario: Scenario
    times_h: FloatArray
    clock: np.ndarray
    conc_nM: dict[str, FloatArray]
    molecular_weight: dict[str, float]
    notes: tuple[str, ...] = field(default_factory=tuple)
    cyp3a4_activity: FloatArray | None = None  # hepatic CYP3A4 active fraction (subjects, times)
    coupled_solve: Resumable | None = None  # the autoinhibited solve (one subject), to read at other times

    def conc_ng_per_mL(self, compound: str) -> FloatArray:
        return self.conc_nM[compound] * self.molecular_weight[compound] / 1000.0


def scale_for_weight(disposition: Disposition, weight_kg: float) -> Disposition:
    """Allometric scaling from the 70 kg reference (exponent 0.75 for flows, 1 for volumes)."""
    f_cl = (weight_kg / REFERENCE_WEIGHT_KG) ** ALLOMETRIC_CL
    f_v = (weight_kg / REFERENCE_WEIGHT_KG) ** ALLOMETRIC_V
    d = disposition
    return replace(
        d,
        cl=np.asarray(d.cl) * f_cl, q2=np.asarray(d.q2) * f_cl, q3=np.asarray(d.q3) * f_cl,
        v1=np.asarray(d.v1) * f_v, v2=np.asarray(d.v2) * f_v, v3=np.asarray(d.v3) * f_v,
    )


def scenario_notes(scenario: Scenario) -> tuple[str, ...]:
    """Assumptions and extrapolations this scenario relies on, said plainly."""
    notes = []
    if scenario.product is not None and scenario.product.form == "powder" and scenario.dose.is_leaf:
        notes.append(
            "Parameters come from a study of kratom tea; the powder is assumed to be absorbed like the tea."
        )
    if scenario.product is not None and scenario.dose.is_leaf and applies_to(scenario.product):
        notes.append(tea_extraction().statement() + " " + CALIBRATION_STATEMENT)
    if scenario.product is not None and scenario.dose.is_leaf and scenario.product.below_loq:
        notes.append(
            "Below the assay's limit of quantification, taken as zero: " + ", ".join(scenario.product.below_loq)
        )
    if SEVEN_OH in scenario.alkaloid_doses_mg():
        notes.append(
            "7-hydroxymitragynine taken by mouth has no human PK study; it is assumed to be absorbed like "
            "mitragynine and then to behave like the 7-hydroxymitragynine formed from mitragynine "
            "(an extrapolation)."
        )
    if abs(scenario.weight_kg - REFERENCE_WEIGHT_KG) > 1e-9:
        notes.append(
            f"Scaled from a 70 kg adult to {scenario.weight_kg:g} kg (allometric exponents 0.75 and 1)."
        )
    return tuple(notes)


def model_for(
    scenario: Scenario,
    dispositions: dict[str, Disposition] | None = None,
    formations: list[Formation] | None = None,
) -> tuple[dict[str, Disposition], list[Formation]]:
    """The dispositions needed for this scenario's alkaloids (plus formed metabolites), scaled."""
    base, base_formations = kratom_dispositions()
    dispositions = dispositions or base
    formations = base_formations if formations is None else formations
    needed = set(scenario.alkaloid_doses_mg())
    needed |= {f.metabolite for f in formations if f.parent in needed}
    missing = needed - set(dispositions)
    if missing:
        raise InputError(f"no pharmacokinetic model for {', '.join(sorted(missing))}; "
                         f"modelled alkaloids: {', '.join(sorted(dispositions))}")
    chosen = {name: scale_for_weight(d, scenario.weight_kg) for name, d in dispositions.items() if name in needed}
    chosen_formations = [f for f in formations if f.parent in chosen and f.metabolite in chosen]
    return chosen, chosen_formations


def run(
    scenario: Scenario,
    dispositions: dict[str, Disposition] | None = None,
    formations: list[Formation] | None = None,
    times_h: FloatArray | None = None,
) -> Exposure:
    """Concentrations of each alkaloid for one scenario (subjects = 1 unless parameters are arrays)."""
    chosen, chosen_formations = model_for(scenario, dispositions, formations)
    times = scenario.times_h() if times_h is None else np.asarray(times_h, dtype=float)
    events = scenario.dose_events()
    activity, coupled = None, None
    if scenario.autoinhibition and INHIBITOR in chosen:
        conc, activity, coupled = _self_inactivated(chosen, chosen_formations, events, times)
    else:
        conc = exact_concentrations(build_system(chosen, chosen_formations), events, times)
    return Exposure(
        scenario=scenario,
        times_h=times,
        clock=scenario.clock(times),
        conc_nM=conc,
        molecular_weight={name: molecular_weight(name) for name in conc},
        notes=(*scenario_notes(scenario), *_switch_note(scenario, chosen)),
        cyp3a4_activity=activity,
        coupled_solve=coupled,
    )


def _switch_note(scenario: Scenario, chosen: dict[str, Disposition]) -> tuple[str, ...]:
    return (autoinhibition_statement(scenario.autoinhibition),) if INHIBITOR in chosen else ()


def _self_inactivated(
    chosen: dict[str, Disposition], formations: list[Formation], events: list[DoseEvent], times: FloatArray
) -> tuple[dict[str, FloatArray], FloatArray, Resumable | None]:
    """Mitragynine and what it forms, solved with its own CYP3A4 inactivation; the rest linearly."""
    block = {INHIBITOR} | {f.metabolite for f in formations if f.parent == INHIBITOR}
    coupled = {k: d for k, d in chosen.items() if k in block}
    rest = {k: d for k, d in chosen.items() if k not in block}
    coupled_formations = [f for f in formations if f.parent in block and f.metabolite in block]
    system = build_system(coupled, coupled_formations)
    parent = coupled[INHIBITOR]
    n = system.n_subjects
    ka = np.broadcast_to(np.asarray(parent.ka, dtype=float), (n,))
    ke = np.broadcast_to(np.asarray(parent.cl, dtype=float) / np.asarray(parent.v1, dtype=float), (n,))
    inact = mitragynine_inactivation()
    d_matrix = inactivation_matrix(system, coupled_formations, inact, ka, ke)
    coupled_events = tuple(e for e in events if e.compound in block)
    course = propagate_self_inactivated(system, d_matrix, inact, ka, coupled_events, times, keep_checkpoints=n == 1)
    resumable = Resumable(system, d_matrix, inact, ka, coupled_events, course) if n == 1 else None
    conc = concentrations_nM(system, course.states)
    if rest:
        other = build_system(rest, [f for f in formations if f.parent in rest])
        conc.update(exact_concentrations(other, [e for e in events if e.compound in rest], times))
    return {k: conc[k] for k in chosen if k in conc}, course.activity, resumable


def tidy(exposure: Exposure, subject: int = 0) -> pd.DataFrame:
    """One row per time point and compound: time_h, clock, compound, conc_nM, conc_ng_per_mL."""
    frames = []
    for compound, conc in exposure.conc_nM.items():
        frames.append(
            pd.DataFrame(
                {
                    "time_h": exposure.times_h,
                    "clock": pd.to_datetime(exposure.clock),
                    "compound": compound,
                    "conc_nM": conc[subject],
                    "conc_ng_per_mL": exposure.conc_ng_per_mL(compound)[subject],
                }
            )
        )
    return pd.concat(frames, ignore_index=True)


def exposure_peaks(exposure: Exposure, subject: int = 0) -> list[dict[str, Any]]:
    """Each compound's peak over the simulated span, from the model between grid points
    (kratomsim.peaks), so the output grid changes only the table, not the peak."""
    scenario = exposure.scenario
    chosen, formations = model_for(scenario)
    system = build_system(chosen, formations)
    span = [(float(exposure.times_h[0]), float(exposure.times_h[-1]))]
    found = window_peaks(system, scenario.dose_events(), span, subject)
    peaks = []
    for compound in exposure.conc_nM:
        peak = found[compound][0]
        clock = scenario.clock(np.asarray([peak.time_h]))[0]
        peaks.append({"compound": compound, "cmax_nM": peak.conc_nM,
                      "cmax_ng_per_mL": peak.conc_nM * exposure.molecular_weight[compound] / 1000.0,
                      "clock": str(clock), "time_h": peak.time_h})
    return peaks
