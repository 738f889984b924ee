"""Sleep aids side by side: each taken alone at the same clock time every night, read off at wake-up
and in the morning, and (for each medicine with each kratom aid) what the interaction model predicts."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

import numpy as np
import pandas as pd

from kratomsim.aid_entries import COMPARE_FIELDS, Aid, AidEntry, aid_entry
from kratomsim.comedication import compare_rows
from kratomsim.errors import InputError
from kratomsim.interactions import comedication_warnings, data_sources
from kratomsim.library import MITRAGYNINE, SEVEN_OH
from kratomsim.medicine_population import people_above_next_morning
from kratomsim.medicines import load_medicine, next_morning_comparison
from kratomsim.medicines_dosing import MedicineDose
from kratomsim.night_assembly import assemble_night
from kratomsim.night_medicines import (
    default_dose_notes,
    medicine_peaks,
    medicine_profile,
    medicine_steady_state,
)
from kratomsim.night_request import NightClock, NightOptions
from kratomsim.night_result import NightReport, source_list
from kratomsim.night_rows import night_rows
from kratomsim.night_timeline import Timeline, fmt_clock, plain_grid
from kratomsim.pk.model import FloatArray
from kratomsim.scenario import Scenario
from kratomsim.steady_nights import STEADY_STATE_METHOD

MEDICINE_NOTE = ("Medicines use apparent one-compartment models for a 70 kg adult (see docs/medicines.md); "
                 "the body weight applies to kratom only.")
ALONE_NOTE = ("Each aid is simulated alone; a row 'MEDICINE + kratom:...' is that medicine taken with the "
              "kratom aid under the dynamic interaction model (kratomsim.comedication).")
POPULATION_KEYS = ("subjects", "seed", "level", "interval_percent", "band_subjects", "variability_sources")


@dataclass(frozen=True)
class Comparison:
    """Sleep aids side by side on the same clock: one entry per aid and compound."""

    setting: dict[str, Any]
    aids: list[AidEntry]
    notes: list[str]
    sources: list[dict[str, str]]
    series: dict[str, Any] = field(default_factory=dict, repr=False)
    windows: list[tuple[datetime, datetime]] = field(default_factory=list, repr=False)
    population: dict[str, Any] | None = None
    comedication_warnings: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        out = {
            "setting": self.setting,
            "aids": [e.to_dict() for e in self.aids],
            "steady_state_method": STEADY_STATE_METHOD,
            "comedication_warnings": self.comedication_warnings,
            "notes": self.notes,
            "sources": self.sources,
        }
        if self.population is not None:
            out["population"] = self.population
        return out

    def to_frame(self) -> pd.DataFrame:
        """One row per aid, compound and compared night (night 1 and the last night)."""
        rows = [{"aid": e.aid, "compound": e.compound, "kind": e.kind, "night": night, **values}
                for e in self.aids for night, values in ((1, e.night_1), (e.last_night, e.night_last))]
        return pd.DataFrame(rows)

    @property
    def source_keys(self) -> list[str]:
        """The reference keys of the data the comparison used."""
        return [s["key"] for s in self.sources]


CompareSetting = NightClock  # the shared clock of the comparison, as given


@dataclass
class _Gathered:
    """The comparison's pieces, gathered aid by aid before the frozen result is built (internal)."""

    entries: list[AidEntry] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    keys: set[str] = field(default_factory=set)
    conc: dict[str, FloatArray] = field(default_factory=dict)
    mws: dict[str, float] = field(default_factory=dict)
    bands: dict[str, dict[str, FloatArray]] = field(default_factory=dict)
    peaks: dict[str, list[tuple[float, float]]] = field(default_factory=dict)  # exact (hour, nM) per night
    clock: Any = None
    population: dict[str, Any] | None = None
    kratom_aids: list[tuple[str, Scenario]] = field(default_factory=list)  # label, the night's kratom regimen
    medicine_names: list[str] = field(default_factory=list)
    medicine_aids: list[MedicineDose] = field(default_factory=list)


def check_aids(aids: Sequence[object]) -> None:
    """At least one aid to compare (the one-line refusal the CLI, web and API share)."""
    if not aids:
        raise InputError("give at least one aid, e.g. --aid kratom:K51:2g --aid zolpidem:10mg")


def compare(
    aids: Sequence[Aid], setting: CompareSetting, timeline: Timeline, options: NightOptions = NightOptions()
) -> Comparison:
    """Each aid taken alone at the same clock time every night, read off at wake-up and in the morning.

    With ``options.subjects`` > 1 each kratom entry gains ``population`` (night 1 and the last night:
    median and ``level`` interval of each compared number over that many people); medicines stay the
    typical 70 kg adult, as the population module varies only kratom alkaloid parameters. ``setting``
    is the clock as given (the JSON repeats it), ``timeline`` the same clock read (each kratom aid's
    plan is on it: :func:`kratomsim.night_edge.compare_aids` reads both).
    """
    check_aids(aids)
    got = _Gathered()
    for aid in aids:
        if aid.medicine is None:
            _add_kratom_aid(got, aid, options)
        else:
            _add_medicine_aid(got, aid.label, aid.medicine, timeline, options)
    _add_together(got, timeline, options)
    co_warnings = _comedication_warnings(got)
    series: dict[str, Any] = {"clock": got.clock, "conc_nM": got.conc, "molecular_weight": got.mws,
                              "peaks": got.peaks}
    if got.bands:
        series["bands"] = got.bands
    return Comparison(
        comedication_warnings=co_warnings,
        setting={"at": setting.at, "wake": setting.wake, "morning": setting.morning, "nights": timeline.nights,
                 "weight": setting.weight, "first_dose": fmt_clock(timeline.first_dose)},
        aids=got.entries, notes=got.notes, sources=source_list(got.keys), series=series,
        windows=timeline.windows(), population=got.population,
    )


def _add_kratom_aid(got: _Gathered, kratom: Aid, options: NightOptions) -> None:
    """A kratom aid: the night report of that product and dose, one entry per alkaloid."""
    if kratom.plan is None:
        raise ValueError(f"kratom aid {kratom.label!r} has no night plan: read the aids with compare_aids")
    aid = kratom.label
    rep = assemble_night(kratom.plan, NightOptions(subjects=options.subjects, seed=options.seed, level=options.level,
                                                   dask_address=options.dask_address, progress=options.progress))
    got.kratom_aids.append((aid, rep.scenario))
    got.clock = rep.series["clock"]
    for name in rep.compounds():
        entry = aid_entry(aid, rep.rows_for(name), rep.steady_state.get(name))
        if name == MITRAGYNINE and rep.sleep_architecture:  # the opioid bridge, for the PSG table (sleep_medicines)
            entry = replace(entry, sleep_bridge={k: rep.sleep_architecture[k]
                                                 for k in ("nights", "assumption", "level")})
        pop_rows = rep.population_for(name)
        if pop_rows:
            entry = replace(entry, population={
                "night_1": {k: v for k, v in pop_rows[0].items() if k in COMPARE_FIELDS},
                "night_last": {k: v for k, v in pop_rows[-1].items() if k in COMPARE_FIELDS},
            })
        got.entries.append(entry)
    for name in (MITRAGYNINE, SEVEN_OH):
        if name in rep.series["conc_nM"]:
            label = f"{name} ({aid})"
            got.conc[label] = rep.series["conc_nM"][name]
            got.mws[label] = rep.series["molecular_weight"][name]
            got.peaks[label] = rep.series.get("peaks", {}).get(name, [])
            if name in rep.series.get("bands", {}):
                got.bands[label] = rep.series["bands"][name]
    if rep.population and got.population is None:
        got.population = {k: rep.population[k] for k in POPULATION_KEYS}
    got.notes += [f"{aid}: {w}" for w in rep.warnings]
    got.keys |= {s["key"] for s in rep.sources if s["key"] in _kratom_keys(rep)}


def _add_medicine_aid(got: _Gathered, aid: str, dose: MedicineDose, timeline: Timeline, options: NightOptions) -> None:
    """A medicine aid: its own one-compartment model on the report grid, with its next-morning data."""
    got.notes += default_dose_notes([dose])
    med = load_medicine(dose.name)
    got.medicine_names.append(med.name)
    got.medicine_aids.append(dose)
    if not med.has_model:
        raise InputError(f"no PK model for {med.name}, so it cannot be compared: {med.pk_note or 'no sourced PK'}")
    times = plain_grid(timeline)
    mname, mconc, mw = medicine_profile(dose, timeline, times)
    peaks = medicine_peaks(dose, timeline)
    rows = night_rows(mname, "medicine", mconc, mw, times, timeline, peaks)
    next_morning = next_morning_comparison(mname, rows[-1].wake_ng_per_mL, rows[-1].morning_ng_per_mL)
    entry = replace(aid_entry(aid, rows, medicine_steady_state(mname).get(mname)),
                    next_morning_data=tuple(next_morning))
    if options.subjects > 1:
        above = people_above_next_morning(dose, next_morning, timeline.nights,
                                          timeline.to_wake_h, timeline.to_morning_h, options.subjects, options.seed)
        entry = replace(entry, share_above_next_morning_level=above)
    got.entries.append(entry)
    got.keys |= set(med.sources)
    got.conc[aid], got.mws[aid] = mconc, mw
    got.peaks[aid] = [(p.time_h, p.conc_nM) for p in peaks or ()]
    if got.clock is None:
        got.clock = np.datetime64(timeline.first_dose, "s") + np.round(times * 3600.0).astype("timedelta64[s]")


def _add_together(got: _Gathered, timeline: Timeline, options: NightOptions) -> None:
    """The general notes, then each medicine taken with each kratom aid, then the population note."""
    has_medicine = bool(got.medicine_aids)
    if has_medicine:
        got.notes.append(MEDICINE_NOTE)
    got.notes.append(ALONE_NOTE)
    if got.kratom_aids and got.medicine_aids:
        together = compare_rows(got.kratom_aids, got.medicine_aids, timeline, options.subjects, options.seed)
        got.entries += together.entries
        got.conc.update(together.conc_nM)
        got.mws.update(together.molecular_weight)
        got.notes += together.notes
    if got.population is not None:
        lo, hi = got.population["interval_percent"]
        got.notes.append(
            f"Kratom rows: median and {lo:.3g}-{hi:.3g}% interval over {got.population['subjects']:,} simulated "
            f"people (seed {got.population['seed']}) in the tables and under 'population' in JSON; 'night_1', "
            "'night_last' and the nights to steady state are the typical subject's."
            + (" Medicines are the typical 70 kg adult only: the population module varies kratom alkaloids, "
               "not the medicines' parameters (except the share above a medicine's next-morning level, "
               "drawn from its own published spread and sex effect)." if has_medicine else "")
        )


def _comedication_warnings(got: _Gathered) -> list[str]:
    """The aids are simulated apart, but a reader comparing them may take them together: say what the
    interaction model predicts for each medicine taken with each kratom aid."""
    warnings: list[str] = []
    for kaid, regimen in got.kratom_aids:
        if not got.medicine_names:
            continue
        warned = comedication_warnings(got.medicine_names, regimen)
        warnings += [f"If taken with {kaid}: {w}" for w in warned]
        got.keys |= set(data_sources())
    return warnings


def _kratom_keys(rep: NightReport) -> set[str]:
    """Reference keys behind a kratom report's exposure numbers (not its evidence notes)."""
    ev = {str(s).split(" ")[0] for note in rep.evidence for s in note["sources"]}
    receptors = set(rep.occupancy["sources"]) if rep.occupancy else set()
    return {s["key"] for s in rep.sources} - ev - receptors
