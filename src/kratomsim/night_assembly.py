"""The night report assembled: a short sequence of steps over the modules that do the work:
the clock (:mod:`kratomsim.night_timeline`), the nightly rows (:mod:`kratomsim.night_rows`), steady
state (:mod:`kratomsim.steady_nights`), medicines (:mod:`kratomsim.night_medicines`), population
nights (:mod:`kratomsim.night_population`) and the words (:mod:`kratomsim.report.night_text`). Each
number comes from the same exact PK engine as ``kratomsim simulate``. It predicts and explains; it
never recommends a dose.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from kratomsim import receptors as rx
from kratomsim.autoinhibition import statement as autoinhibition_statement
from kratomsim.autoinhibition_effect import effect as autoinhibition_effect_table
from kratomsim.autoinhibition_peaks import refined_peaks
from kratomsim.comedication import medicine_with_kratom, night_shares_above
from kratomsim.datafiles import used_references
from kratomsim.errors import InputError
from kratomsim.evidence import night_evidence
from kratomsim.exposure import Exposure, model_for
from kratomsim.interactions import comedication_warnings, data_sources
from kratomsim.library import MITRAGYNINE, SEVEN_OH, compounds, pk_parameter_file, studies
from kratomsim.market import refuse_oral_seven_oh, seven_oh_notes
from kratomsim.medicines import load_medicine
from kratomsim.medicines_dosing import MedicineDose
from kratomsim.night_medicines import (
    default_dose_notes,
    medicine_peaks,
    medicine_profile,
    medicine_steady_state,
)
from kratomsim.night_population import occupancy_summary, population_nights
from kratomsim.night_request import NightOptions, NightPlan
from kratomsim.night_result import NightReport, source_list
from kratomsim.night_rows import NightRow, exact_night_peaks, index_of, night_rows
from kratomsim.night_timeline import Timeline, exposure_on
from kratomsim.pk.model import FloatArray, build_system
from kratomsim.report.night_text import plain_summary
from kratomsim.scenario import Scenario
from kratomsim.sleep_prediction import predicted_changes
from kratomsim.steady_nights import kratom_steady_state
from kratomsim.studied_doses import dose_warnings


@dataclass
class _Collected:
    """The pieces gathered step by step before the frozen report is built (internal, mutable)."""

    rows: list[NightRow] = field(default_factory=list)
    conc: dict[str, FloatArray] = field(default_factory=dict)
    mws: dict[str, float] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    keys: set[str] = field(default_factory=set)
    peaks: dict[str, list[tuple[float, float]]] = field(default_factory=dict)

    def add(self, label: str, kind: str, conc: FloatArray, mw: float, times: FloatArray, timeline: Timeline,
            peaks: Any) -> None:
        self.rows += night_rows(label, kind, conc, mw, times, timeline, peaks)
        self.conc[label], self.mws[label] = conc, mw
        if peaks:
            self.peaks[label] = [(p.time_h, p.conc_nM) for p in peaks]


def assemble_night(plan: NightPlan, options: NightOptions = NightOptions()) -> NightReport:
    """Simulate nightly use and read off the night: exposure, accumulation, receptors, evidence, sources.

    A dose of mg of 7-hydroxymitragynine (a concentrate) has no human PK study: it is refused unless
    ``options.extrapolate``, and the report then says so and shows what the dose equals in leaf.
    The rows are the typical subject's. With ``options.subjects`` > 1, ``report.population`` adds, per
    night and kratom alkaloid, the median and the ``level`` prediction interval over that many
    simulated people (:func:`population_nights`) and the plot series carries the bands. Medicines,
    steady state and receptor occupancy stay the typical subject's.
    """
    request, timeline = plan.request, plan.timeline
    refuse_oral_seven_oh(plan.regimen.dose, request.dose, options.extrapolate)
    meds = list(options.comedications)
    exposure = exposure_on(plan.regimen, timeline)
    got = _Collected()
    _add_kratom(got, exposure, timeline)
    got.notes += [*seven_oh_notes(exposure.scenario.alkaloid_doses_mg()), *exposure.notes,
                  *default_dose_notes(meds)]
    got.keys |= _kratom_sources(exposure)
    ss = kratom_steady_state(plan.regimen.replace(autoinhibition=False))  # linear: superposition
    ss.update(_add_medicines(got, exposure.scenario, meds, timeline, exposure.times_h))
    occupancy = _occupancy(got, exposure, timeline)
    evidence = _evidence(got)
    co_warnings = _comedication_warnings(got, [m.name for m in meds], exposure.scenario)
    population, bands = _population(options, exposure, timeline, meds)
    report = NightReport(
        scenario=exposure.scenario, request=request, comedications=tuple(m.label for m in meds),
        nights=got.rows, steady_state=ss,
        occupancy=occupancy, warnings=dose_warnings(exposure.scenario.alkaloid_doses_mg()), notes=got.notes,
        evidence=evidence, comedication_warnings=co_warnings, summary="", sources=source_list(got.keys),
        series=_series(exposure, got, bands), windows=timeline.windows(), population=population,
        autoinhibition=autoinhibition_section(exposure, timeline, options.autoinhibition_effect),
        sleep_architecture=predicted_changes(exposure, timeline.wake_clock),
        exposure=exposure, timeline=timeline,
    )
    return replace(report, summary=plain_summary(report))


def _add_kratom(got: _Collected, exposure: Exposure, timeline: Timeline) -> None:
    """The kratom alkaloids' rows, each night's peak read exactly from the model between grid points."""
    scenario = exposure.scenario
    chosen, formations = model_for(scenario)
    # The autoinhibited alkaloids follow the time-varying solve: their peaks come from it, the others'
    # from the linear model's exact search (which then need not solve the coupled block as well).
    coupled = [c for c in (MITRAGYNINE, SEVEN_OH) if c in chosen] if exposure.cyp3a4_activity is not None else []
    linear = {k: d for k, d in chosen.items() if k not in coupled}
    system = build_system(linear, [f for f in formations if f.parent in linear and f.metabolite in linear])
    # A product of mitragynine and 7-OH alone leaves no linear compound (and an empty system) to search.
    exact = exact_night_peaks(system, [e for e in scenario.dose_events() if e.compound in linear],
                              timeline) if linear else {}
    if coupled:
        exact.update(refined_peaks(exposure, timeline.windows_h(), coupled))
    for name, conc in exposure.conc_nM.items():
        got.add(name, "kratom alkaloid", conc[0], exposure.molecular_weight[name], exposure.times_h, timeline,
                exact[name])


def _kratom_sources(exposure: Exposure) -> set[str]:
    """Reference keys behind the product, the alkaloids' parameters and the human PK studies."""
    scenario = exposure.scenario
    keys: set[str] = set(scenario.product.sources if scenario.product else ())
    keys |= {s for c in exposure.conc_nM for s in compounds()[c].sources}
    keys |= used_references({c: pk_parameter_file()["compounds"].get(c) for c in exposure.conc_nM})
    keys |= {str(studies()[k]["source"]) for k in studies()}
    keys |= used_references({k: s.get("compounds", {}).get(MITRAGYNINE) for k, s in studies().items()})
    return keys


def _add_medicines(
    got: _Collected, regimen: Scenario, doses: Sequence[MedicineDose], timeline: Timeline, times: FloatArray
) -> dict[str, dict[str, Any]]:
    """Each medicine's rows alone and (where the interaction model has a pathway) with the night's kratom."""
    ss: dict[str, dict[str, Any]] = {}
    for dose in doses:
        name = dose.name
        got.keys |= set(load_medicine(name).sources)
        try:
            mname, mconc, mw = medicine_profile(dose, timeline, times)
        except InputError as err:
            got.notes.append(f"{name}: not simulated ({err.message}).")
            continue
        got.add(mname, "medicine", mconc, mw, times, timeline, medicine_peaks(dose, timeline))
        ss.update(medicine_steady_state(mname))
        withk = medicine_with_kratom(dose, times, regimen)
        if withk is not None:  # the same medicine with the predicted interaction, drawn and tabulated
            with_peaks = exact_night_peaks(withk.system, withk.doses, timeline)[mname]
            got.add(f"{mname} with kratom", "medicine", withk.conc_nM, mw, times, timeline, with_peaks)
            got.notes.append(withk.note)
    return ss


def _occupancy(got: _Collected, exposure: Exposure, timeline: Timeline) -> dict[str, Any] | None:
    """Modelled receptor occupancy of the nights, or a note saying why it is missing."""
    try:
        occupancy = occupancy_summary(rx.summarise_night(exposure, wake=timeline.wake_clock))
    except InputError as err:
        got.notes.append(f"Receptor occupancy not computed: {err.message}")
        return None
    got.keys |= set(occupancy["sources"])
    return occupancy


def _evidence(got: _Collected) -> list[dict[str, Any]]:
    """The cited evidence notes on nightly use, their reference keys added to the sources."""
    notes = night_evidence()
    got.keys |= {str(s).split(" ")[0] for note in notes for s in note.sources}
    return [{"text": n.text, "study": n.study, "sources": list(n.sources)} for n in notes]


def _comedication_warnings(got: _Collected, victims: list[str], regimen: Scenario) -> list[str]:
    """What the interaction model predicts for the medicines taken with the night's kratom regimen."""
    if not victims:
        return []
    got.keys |= set(data_sources())
    return comedication_warnings(victims, regimen)


def _series(exposure: Exposure, got: _Collected, bands: dict[str, Any]) -> dict[str, Any]:
    """The curves for the plots: hours, clock times, nM per trace, molecular weights, bands."""
    series = {"times_h": exposure.times_h, "clock": exposure.clock, "conc_nM": got.conc,
              "molecular_weight": got.mws, "peaks": got.peaks}
    if bands:
        series["bands"] = bands
    return series


def _population(
    options: NightOptions, exposure: Exposure, timeline: Timeline,
    meds: Sequence[MedicineDose] = (),
) -> tuple[dict[str, Any] | None, dict[str, Any]]:
    """With subjects > 1: the population section and its bands on the report's grid; else (None, {})."""
    subjects = int(options.subjects)
    if subjects <= 1:
        return None, {}
    scenario, times = exposure.scenario, exposure.times_h
    population = population_nights(scenario, timeline, subjects, options.seed, options.level,
                                   options.dask_address, options.progress)
    bands = {
        c: {k: np.interp(times, population["band_times_h"], v) for k, v in b.items()}
        for c, b in population.pop("bands").items()
    }
    population.pop("band_times_h")
    if meds:
        population["notes"].append(
            "Medicines are the typical 70 kg adult: the population varies only the kratom alkaloids, "
            "except the share above a medicine's next-morning level (its own published spread).")
        shares = night_shares_above(list(meds), timeline, scenario, subjects, options.seed)
        if shares:
            population["comedication_above_next_morning_level"] = shares
            population["notes"] += [s["sentence"] for s in shares]
    if scenario.autoinhibition:
        population["notes"].append(
            "The population uses the linear model (autoinhibition is not in the population solver): its "
            "mitragynine accumulation is slightly lower and its 7-OH slightly higher than the typical "
            "subject's rows.")
    return population, bands


def autoinhibition_section(exposure: Exposure, timeline: Timeline, with_effect: bool) -> dict[str, Any] | None:
    """The switch, its assumption, hepatic CYP3A4 activity each night and (on request) the on/off table."""
    if MITRAGYNINE not in exposure.conc_nM:
        return None
    on = exposure.scenario.autoinhibition
    section: dict[str, Any] = {"on": on, "statement": autoinhibition_statement(on)}
    if exposure.cyp3a4_activity is not None:
        cyp, times = exposure.cyp3a4_activity[0], exposure.times_h
        section["cyp3a4_activity"] = [
            {"night": n, "at_dose": float(cyp[index_of(times, timeline.dose_h(n))]),
             "wake": float(cyp[index_of(times, timeline.wake_h(n))])}
            for n in range(1, timeline.nights + 1)
        ]
    if with_effect:
        section["effect"] = autoinhibition_effect_table(exposure.scenario)
    return section

