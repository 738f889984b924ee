"""The night: what is on board at bedtime, at the peak, at wake-up and in the morning, night after night.

Pure functions shared by the CLI (``kratomsim night``, ``kratomsim compare``) and the web app. Each
number is read from the same exact PK engine as ``kratomsim simulate``; this module only picks the
instants that matter for sleep (dose, peak, wake-up, morning) and integrates over the sleep window.
It predicts and explains; it never recommends a dose.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

import numpy as np

from kratomsim.autoinhibition_peaks import refined_peaks
from kratomsim.datafiles import references, used_references
from kratomsim.defaults import first_day
from kratomsim.errors import InputError
from kratomsim.exposure import Exposure
from kratomsim.library import MITRAGYNINE, SEVEN_OH, compounds, pk_parameter_file, studies
from kratomsim.limits import NIGHTS
from kratomsim.pk.model import DoseEvent, FloatArray, LinearSystem, build_system
from kratomsim.units import hours_after, parse_clock

if TYPE_CHECKING:
    from kratomsim.peaks import Peak

MAX_NIGHTS = int(NIGHTS.high)
STEADY_STATE_FRACTION = 0.9
GRID = "5min"
STEADY_STATE_METHOD = (
    "superposition: with one dose every 24 h, the AUC over dose interval n equals the single-dose AUC "
    "from 0 to n x 24 h; for the kratom alkaloids the single-dose cumulative AUC is a sum of exponentials "
    "(the model's modes) and is solved exactly; for medicines the single dose is simulated until 25 "
    "half-lives of the model's slowest eigenvalue and the tail extrapolated with that eigenvalue; on the "
    "linear model (without autoinhibition, which superposition cannot carry: with it on, see "
    "autoinhibition.effect)"
)


# ------------------------------------------------------------------------------------ the timeline
@dataclass(frozen=True)
class Timeline:
    """When things happen, in hours after the first dose (night n's dose is at 24 (n - 1))."""

    first_dose: datetime
    nights: int
    to_wake_h: float
    to_morning_h: float

    def dose_h(self, night: int) -> float:
        return 24.0 * (night - 1)

    def wake_h(self, night: int) -> float:
        return self.dose_h(night) + self.to_wake_h

    def morning_h(self, night: int) -> float:
        return self.dose_h(night) + self.to_morning_h

    @property
    def horizon_h(self) -> float:
        return self.morning_h(self.nights) + 0.5

    def clock(self, hours: float) -> datetime:
        return self.first_dose + timedelta(hours=hours)

    def key_times(self) -> list[float]:
        """The instants the report reads, put on the grid so they are exact, not interpolated."""
        out = []
        for n in range(1, self.nights + 1):
            out += [self.dose_h(n), self.wake_h(n), self.morning_h(n)]
        return out

    def windows_h(self) -> list[tuple[float, float]]:
        """(dose, wake-up) of each night in hours after the first dose: where the peaks are read."""
        return [(self.dose_h(n), self.wake_h(n)) for n in range(1, self.nights + 1)]

    def windows(self) -> list[tuple[datetime, datetime]]:
        """(dose, wake-up) clock times of each night: the shaded sleep windows of the plots."""
        return [(self.clock(start), self.clock(end)) for start, end in self.windows_h()]


def check_nights(nights: Any) -> int:
    """Nights as a whole number from 1 to 365 (a year is the engine's horizon): the shared limit."""
    return NIGHTS.check_whole(nights)


def make_timeline(
    at: str, wake: str, nights: int, morning: str = "09:00", start_date: str | date | None = None
) -> Timeline:
    """Parse clock times; a wake-up earlier than the dose time means the next morning."""
    n = check_nights(nights)
    dose_clock = parse_clock(at, "dose time")
    wake_clock = parse_clock(wake, "wake-up time")
    morning_clock = parse_clock(morning, "morning time")
    if wake_clock == dose_clock:
        raise InputError(f"wake-up time {wake!r} is the same as the dose time; give a different wake-up time")
    first = datetime.combine(first_day(start_date), dose_clock)
    to_wake = hours_after(first, wake_clock)
    wake_at = first + timedelta(hours=to_wake)
    to_morning = to_wake + (0.0 if morning_clock == wake_clock else hours_after(wake_at, morning_clock))
    if to_morning >= 24.0:
        raise InputError(
            f"morning time {morning!r} must fall between wake-up ({wake}) and the next dose ({at}); "
            "give a clock time in that span"
        )
    return Timeline(first, n, to_wake, to_morning)


def nightly_exposure(
    product: str, dose: str, timeline: Timeline, weight: str = "70kg", autoinhibition: bool | None = None
) -> Exposure:
    """The nightly regimen on the report grid, with the timeline's dose, wake and morning instants
    exact (on the grid, not interpolated). Shared by the night report and the receptors command."""
    from kratomsim.exposure import run
    from kratomsim.scenario import make_scenario

    at = timeline.first_dose.strftime("%H:%M")
    scenario = make_scenario(
        product=product, dose=dose, at=at, every="24h", count=timeline.nights, weight=weight, grid=GRID,
        hours=timeline.horizon_h, start_date=timeline.first_dose.date(), autoinhibition=autoinhibition,
    )
    times = np.union1d(scenario.times_h(), np.asarray(timeline.key_times()))
    return run(scenario, times_h=times)


# ------------------------------------------------------------------------------------ the numbers
def _index(times_h: FloatArray, t: float) -> int:
    return int(np.argmin(np.abs(times_h - t)))


def _trapezoid(y: FloatArray, x: FloatArray) -> float:
    return float(np.sum((y[1:] + y[:-1]) * np.diff(x)) / 2.0)


def night_rows(
    name: str, kind: str, conc_nM: FloatArray, mw: float, times_h: FloatArray, timeline: Timeline,
    peaks: Sequence[Peak] | None = None,
) -> list[dict[str, Any]]:
    """One row per night for one compound: dose time, peak, wake-up, morning, sleep-window AUC.

    ``conc_nM`` is one subject's profile on ``times_h`` (which must contain the timeline's key times).
    ``peaks`` (one per night, from :func:`exact_night_peaks`) are the model's own peaks between grid
    points; without them the peak is the highest grid value.
    """
    ng = mw / 1000.0
    rows: list[dict[str, Any]] = []
    for n in range(1, timeline.nights + 1):
        i0, iw, im = (_index(times_h, t) for t in (timeline.dose_h(n), timeline.wake_h(n), timeline.morning_h(n)))
        ip = i0 + int(np.argmax(conc_nM[i0 : iw + 1]))
        peak, peak_h = (peaks[n - 1].conc_nM, peaks[n - 1].time_h) if peaks else (float(conc_nM[ip]), times_h[ip])
        wake = float(conc_nM[iw])
        rows.append(
            {
                "night": n,
                "compound": name,
                "kind": kind,
                "dose_clock": _fmt_clock(timeline.clock(times_h[i0])),
                "at_dose_nM": float(conc_nM[i0]),
                "at_dose_ng_per_mL": float(conc_nM[i0]) * ng,
                "peak_nM": peak,
                "peak_ng_per_mL": peak * ng,
                "peak_clock": _fmt_clock(timeline.clock(float(peak_h))),
                "wake_clock": _fmt_clock(timeline.clock(times_h[iw])),
                "wake_nM": wake,
                "wake_ng_per_mL": wake * ng,
                "morning_clock": _fmt_clock(timeline.clock(times_h[im])),
                "morning_nM": float(conc_nM[im]),
                "morning_ng_per_mL": float(conc_nM[im]) * ng,
                "auc_sleep_nM_h": _trapezoid(conc_nM[i0 : iw + 1], times_h[i0 : iw + 1]),
                "fraction_of_peak_at_wake": wake / peak if peak > 0 else math.nan,
            }
        )
    first = rows[0]
    for row in rows:
        row["auc_ratio_vs_night1"] = _ratio(row["auc_sleep_nM_h"], first["auc_sleep_nM_h"])
        row["wake_ratio_vs_night1"] = _ratio(row["wake_nM"], first["wake_nM"])
    return rows


def exact_night_peaks(system: LinearSystem, doses: Sequence[DoseEvent], timeline: Timeline) -> dict[str, list[Peak]]:
    """Each compound's peak from each night's dose to its wake-up, from the model between grid points."""
    from kratomsim.peaks import window_peaks

    return window_peaks(system, doses, timeline.windows_h())


def _ratio(a: float, b: float) -> float:
    return a / b if b > 0 else math.nan


def _fmt_clock(when: datetime) -> str:
    return when.strftime("%Y-%m-%d %H:%M")


def steady_state(
    single_dose: Callable[[FloatArray], dict[str, FloatArray]], slowest_rate: float, interval_h: float = 24.0
) -> dict[str, dict[str, Any]]:
    """Nights (and days) until the dose-to-dose AUC reaches 90% of its steady-state value, per compound.

    ``single_dose(times)`` gives one subject's concentrations after a single dose at time 0;
    ``slowest_rate`` (1/h) is the smallest decay rate of the model, which sets the horizon and the tail.
    """
    horizon = min(max(25.0 * math.log(2.0) / slowest_rate * 1.0, 240.0), MAX_NIGHTS * 24.0 * 2)
    times = np.unique(np.concatenate([np.arange(0.0, 48.0, 1.0 / 60.0), np.arange(48.0, horizon + 0.25, 0.25)]))
    out: dict[str, dict[str, Any]] = {}
    for name, conc in single_dose(times).items():
        cum = np.concatenate([[0.0], np.cumsum((conc[1:] + conc[:-1]) * np.diff(times) / 2.0)])
        total = cum[-1] + conc[-1] / slowest_rate
        if total <= 0:
            continue
        target = STEADY_STATE_FRACTION * total
        k = int(np.searchsorted(cum, target))
        t90 = float(times[min(k, len(times) - 1)])
        if 0 < k < len(times):
            t90 = float(np.interp(target, cum[k - 1 : k + 1], times[k - 1 : k + 1]))
        out[name] = _steady_entry(t90, slowest_rate, interval_h)
    return out


def _steady_entry(t90: float, slowest_rate: float, interval_h: float) -> dict[str, Any]:
    return {
        "nights_to_90pct": max(1, math.ceil(t90 / interval_h - 1e-9)),
        "days_to_90pct": t90 / 24.0,
        "slowest_half_life_h": math.log(2.0) / slowest_rate,
    }


def kratom_steady_state(single: Any, interval_h: float = 24.0) -> dict[str, dict[str, Any]]:
    """:func:`steady_state` of the single-dose scenario ``single``, from the closed-form cumulative AUC.

    Exact for the linear model (:func:`kratomsim.pk.steady.auc_fraction_times`); falls back to the
    numerical path when the modal form does not apply (a defective system).
    """
    from kratomsim.exposure import model_for, run
    from kratomsim.pk.steady import auc_fraction_times

    system = build_system(*model_for(single))
    rate = _slowest_rate(system.A)
    exact = auc_fraction_times(system, single.dose_events(), STEADY_STATE_FRACTION)
    if exact is None:
        return steady_state(lambda t: {k: v[0] for k, v in run(single, times_h=t).conc_nM.items()}, rate, interval_h)
    return {name: _steady_entry(t90, rate, interval_h) for name, (t90, _) in exact.items()}


def _slowest_rate(a_matrix: FloatArray) -> float:
    eig = np.linalg.eigvals(np.asarray(a_matrix)[0])
    rates = -eig.real[eig.real < -1e-12]
    return float(rates.min())


# ---------------------------------------------------------------------------- the studied doses
def studied_mitragynine_range() -> tuple[float, float, list[str]]:
    """Lowest and highest mg of mitragynine per dose in the human PK studies of the library, and which."""
    low, high, where = math.inf, -math.inf, []
    for key, study in studies().items():
        cell = (study.get("compounds") or {}).get(MITRAGYNINE) or {}
        if "dose_mg" in cell:
            lo = hi = float(cell["dose_mg"]["value"])
        elif "dose_mg_range" in cell:
            lo, hi = float(cell["dose_mg_range"]["low"]), float(cell["dose_mg_range"]["high"])
        else:
            continue
        low, high = min(low, lo), max(high, hi)
        span = f"{lo:g} mg" if lo == hi else f"{lo:g}-{hi:g} mg"
        where.append(f"{key} ({span})")
    return low, high, where


def dose_warnings(alkaloid_mg: dict[str, float]) -> list[str]:
    """Flag a dose outside the mitragynine doses of the human studies behind the parameters."""
    low, high, where = studied_mitragynine_range()
    if not where:
        return ["No human PK study in the library reports a mitragynine dose; every prediction is an extrapolation."]
    mg = alkaloid_mg.get(MITRAGYNINE, 0.0)
    studied = f"the human studies behind the parameters gave {low:g} to {high:g} mg: {', '.join(where)}"
    if mg <= 0:
        return [f"This dose contains no mitragynine; {studied}. The prediction is an extrapolation."]
    if mg > high * (1 + 1e-9):
        return [
            f"Beyond the studied doses: this dose holds {mg:.3g} mg of mitragynine, {mg / high:.2g} times the "
            f"highest studied dose; {studied}. The model assumes linear kinetics above that, which no human "
            "study has tested."
        ]
    if mg < low * (1 - 1e-9):
        return [f"Below the studied doses: {mg:.3g} mg of mitragynine; {studied}."]
    return []


# --------------------------------------------------------------------------------------- the report
@dataclass
class NightReport:
    """Everything the night report shows; ``to_dict`` is the JSON form (the CLI and the web app)."""

    scenario: dict[str, Any]
    nights: list[dict[str, Any]]
    steady_state: dict[str, dict[str, Any]]
    occupancy: dict[str, Any] | None
    warnings: list[str]
    notes: list[str]
    evidence: list[dict[str, Any]]
    comedication_warnings: list[str]
    summary: str
    sources: list[dict[str, str]]
    # For plots only (not serialised): hours, clock times, concentrations (nM) and molecular weights.
    series: dict[str, Any] = field(default_factory=dict, repr=False)
    windows: list[tuple[datetime, datetime]] = field(default_factory=list, repr=False)
    # With subjects > 1: median and interval per night and compound (see population_nights).
    population: dict[str, Any] | None = None
    # Mitragynine's own CYP3A4 inactivation: switch, statement, activity per night, optional table.
    autoinhibition: dict[str, Any] | None = None
    # Predicted sleep-stage changes from the opioid bridge (kratomsim.sleep_prediction).
    sleep_architecture: dict[str, Any] | None = None

    def rows_for(self, compound: str) -> list[dict[str, Any]]:
        return [r for r in self.nights if r["compound"] == compound]

    def population_for(self, compound: str) -> list[dict[str, Any]]:
        """Population rows of one compound, night by night (empty for one subject or a medicine)."""
        return [r for r in (self.population or {}).get("nights", []) if r["compound"] == compound]

    def compounds(self) -> list[str]:
        return list(dict.fromkeys(r["compound"] for r in self.nights))

    def to_dict(self) -> dict[str, Any]:
        out = {
            "scenario": self.scenario,
            "summary": self.summary,
            "warnings": self.warnings,
            "nights": self.nights,
            "steady_state": {"method": STEADY_STATE_METHOD, "compounds": self.steady_state},
            "occupancy": self.occupancy,
            "comedication_warnings": self.comedication_warnings,
            "evidence": self.evidence,
            "notes": self.notes,
            "sources": self.sources,
            "sleep_windows": [{"bed": _fmt_clock(b), "wake": _fmt_clock(w)} for b, w in self.windows],
        }
        if self.population is not None:
            out["population"] = self.population
        if self.autoinhibition is not None:
            out["autoinhibition"] = self.autoinhibition
        if self.sleep_architecture is not None:
            out["sleep_architecture"] = self.sleep_architecture
        return out


def parse_comedication(spec: str) -> tuple[str, float | None]:
    """'zolpidem:10mg' -> ('zolpidem', 10.0); an unknown name raises listing the known medicines."""
    from kratomsim.medicines import _split_spec, load_medicine

    name, mg = _split_spec(spec)
    return load_medicine(name).name, mg


def _default_dose_notes(specs: Iterable[str]) -> list[str]:
    """A sentence for each medicine given without a dose, naming the default dose used."""
    from kratomsim.medicines import default_dose_note

    return [note for spec in specs if (note := default_dose_note(spec))]


def medicine_profile(spec: str, timeline: Timeline, times_h: FloatArray) -> tuple[str, FloatArray, float]:
    """Concentration (nM) of a medicine taken at each night's dose time; InputError if it has no model."""
    from kratomsim.medicines import load_medicine, medicine_disposition, medicine_dose_events, simulate_medicine

    name, _ = parse_comedication(spec)
    med = load_medicine(name)
    medicine_disposition(name)  # raises InputError naming why there is no model
    events = medicine_dose_events(spec, time_h=0.0, count=timeline.nights, interval_h=24.0)
    return med.name, simulate_medicine(med.name, events, times_h), med.molecular_weight


def medicine_peaks(spec: str, timeline: Timeline) -> list[Peak]:
    """A medicine's exact peak each night (its own one-compartment model, taken at each dose time)."""
    from kratomsim.medicines import load_medicine, medicine_disposition, medicine_dose_events

    name = load_medicine(parse_comedication(spec)[0]).name
    system = build_system({name: medicine_disposition(name)})
    events = medicine_dose_events(spec, time_h=0.0, count=timeline.nights, interval_h=24.0)
    return exact_night_peaks(system, events, timeline)[name]


def medicine_steady_state(name: str) -> dict[str, dict[str, Any]]:
    from kratomsim.medicines import derivation, medicine_dose_events, simulate_medicine

    d = derivation(name)
    return steady_state(
        lambda t: {name: simulate_medicine(name, medicine_dose_events((name, d.dose_mg)), t)}, min(d.ka, d.ke)
    )


def night_report(
    product: str = "K51",
    dose: str = "2g",
    at: str = "22:30",
    wake: str = "06:30",
    nights: int = 7,
    morning: str = "09:00",
    weight: str = "70kg",
    start_date: str | date | None = None,
    comedications: Sequence[str] = (),
    subjects: int = 1,
    seed: int = 0,
    level: float = 0.90,
    dask_address: str | None = None,
    progress: bool = False,
    extrapolate: bool = False,
    autoinhibition: bool | None = None,
    autoinhibition_effect: bool = False,
) -> NightReport:
    """Simulate nightly use and read off the night: exposure, accumulation, receptors, evidence, sources.

    A dose of mg of 7-hydroxymitragynine (a concentrate) has no human PK study: it is refused unless
    ``extrapolate`` is True, and the report then says so and shows what the dose equals in leaf.

    The rows are the typical subject's. With ``subjects`` > 1, ``report.population`` adds, per night
    and kratom alkaloid, the median and the ``level`` prediction interval over that many simulated
    people (:func:`population_nights`), the summary gives the intervals and the plot series carries
    the bands. Medicines, steady state and receptor occupancy stay the typical subject's.
    """
    from kratomsim import receptors as rx
    from kratomsim.comedication import medicine_with_kratom
    from kratomsim.exposure import model_for
    from kratomsim.market import check_oral_seven_oh, seven_oh_notes
    from kratomsim.scenario import make_scenario

    check_oral_seven_oh(dose, extrapolate)
    timeline = make_timeline(at, wake, nights, morning, start_date)
    meds = [parse_comedication(spec) for spec in comedications]  # unknown names fail before simulating
    exposure = nightly_exposure(product, dose, timeline, weight, autoinhibition)
    scenario = exposure.scenario
    times = exposure.times_h
    rows: list[dict[str, Any]] = []
    series_conc: dict[str, FloatArray] = {}
    mws: dict[str, float] = {}
    chosen, formations = model_for(scenario)
    # The autoinhibited alkaloids follow the time-varying solve: their peaks come from it, the others'
    # from the linear model's exact search (which then need not solve the coupled block as well).
    coupled = [c for c in (MITRAGYNINE, SEVEN_OH) if c in chosen] if exposure.cyp3a4_activity is not None else []
    linear = {k: d for k, d in chosen.items() if k not in coupled}
    system = build_system(linear, [f for f in formations if f.parent in linear and f.metabolite in linear])
    exact = exact_night_peaks(system, [e for e in scenario.dose_events() if e.compound in linear], timeline)
    if coupled:
        exact.update(refined_peaks(exposure, timeline.windows_h(), coupled))
    for name, conc in exposure.conc_nM.items():
        rows += night_rows(name, "kratom alkaloid", conc[0], exposure.molecular_weight[name], times, timeline,
                           exact[name])
        series_conc[name], mws[name] = conc[0], exposure.molecular_weight[name]

    # Steady state of the kratom alkaloids from one dose of the same scenario (superposition).
    single = make_scenario(product=product, dose=dose, at=at, count=1, weight=weight, hours=24.0,
                           autoinhibition=False)  # superposition needs the linear model
    ss = kratom_steady_state(single)

    notes = [*seven_oh_notes(scenario.alkaloid_doses_mg()), *exposure.notes, *_default_dose_notes(comedications)]
    source_keys: set[str] = set(scenario.product.sources if scenario.product else ())
    source_keys |= {s for c in exposure.conc_nM for s in compounds()[c].sources}
    source_keys |= used_references({c: pk_parameter_file()["compounds"].get(c) for c in exposure.conc_nM})
    source_keys |= {str(studies()[k]["source"]) for k in studies()}
    source_keys |= used_references({k: s.get("compounds", {}).get(MITRAGYNINE) for k, s in studies().items()})

    med_names: list[str] = []
    for spec, (name, _) in zip(comedications, meds, strict=True):
        from kratomsim.medicines import load_medicine

        source_keys |= set(load_medicine(name).sources)
        med_names.append(name)
        try:
            mname, mconc, mw = medicine_profile(spec, timeline, times)
        except InputError as err:
            notes.append(f"{name}: not simulated ({err.message}).")
            continue
        rows += night_rows(mname, "medicine", mconc, mw, times, timeline, medicine_peaks(spec, timeline))
        series_conc[mname], mws[mname] = mconc, mw
        ss.update(medicine_steady_state(mname))
        withk = medicine_with_kratom(spec, timeline.nights, times, product, dose, at)
        if withk is not None:  # the same medicine with the predicted interaction, drawn and tabulated
            label = f"{mname} with kratom"
            with_peaks = exact_night_peaks(withk.system, withk.doses, timeline)[mname]
            rows += night_rows(label, "medicine", withk.conc_nM, mw, times, timeline, with_peaks)
            series_conc[label], mws[label] = withk.conc_nM, mw
            notes.append(withk.note)

    occupancy: dict[str, Any] | None = None
    try:
        occupancy = _occupancy_summary(rx.summarise_night(exposure, wake=parse_clock(wake, "wake-up time")))
        source_keys |= set(occupancy["sources"])
    except InputError as err:
        notes.append(f"Receptor occupancy not computed: {err.message}")

    evidence, evidence_keys, evidence_note = _evidence()
    source_keys |= evidence_keys
    if evidence_note:
        notes.append(evidence_note)
    co_warnings, co_keys, co_note = _comedication_warnings(med_names, product, dose, timeline.nights, at)
    source_keys |= co_keys
    if co_note:
        notes.append(co_note)

    warnings = dose_warnings(scenario.alkaloid_doses_mg())
    description = {
        "product": scenario.product.name if scenario.product else None,
        "product_id": scenario.product.id if scenario.product else None,
        "dose": str(scenario.dose),
        "product_spec": product,
        "dose_text": dose,
        "alkaloid_mg_per_dose": scenario.alkaloid_doses_mg(),
        "at": at,
        "wake": wake,
        "morning": morning,
        "nights": timeline.nights,
        "weight_kg": scenario.weight_kg,
        "first_dose": _fmt_clock(timeline.first_dose),
        "hours_dose_to_wake": timeline.to_wake_h,
        "comedications": list(comedications),
        "grid": GRID,
    }
    report = NightReport(
        scenario=description,
        nights=rows,
        steady_state=ss,
        occupancy=occupancy,
        warnings=warnings,
        notes=notes,
        evidence=evidence,
        comedication_warnings=co_warnings,
        summary="",
        sources=_source_list(source_keys),
        series={"times_h": times, "clock": exposure.clock, "conc_nM": series_conc, "molecular_weight": mws},
        windows=timeline.windows(),
    )
    if int(subjects) > 1:
        report.population = population_nights(scenario, timeline, int(subjects), seed, level, dask_address, progress)
        report.series["bands"] = {
            c: {k: np.interp(times, report.population["band_times_h"], v) for k, v in b.items()}
            for c, b in report.population.pop("bands").items()
        }
        report.population.pop("band_times_h")
        if meds:
            from kratomsim.comedication import night_shares_above

            report.population["notes"].append(
                "Medicines are the typical 70 kg adult: the population varies only the kratom alkaloids, "
                "except the share above a medicine's next-morning level (its own published spread).")
            shares = night_shares_above(list(comedications), timeline, product, dose, at, int(subjects), seed)
            if shares:
                report.population["comedication_above_next_morning_level"] = shares
                report.population["notes"] += [s["sentence"] for s in shares]
    report.autoinhibition = autoinhibition_section(exposure, timeline, product, dose, at, weight,
                                                   autoinhibition_effect)
    if report.population is not None and scenario.autoinhibition:
        report.population["notes"].append(
            "The population uses the linear model (autoinhibition is not in the population solver): its "
            "mitragynine accumulation is slightly lower and its 7-OH slightly higher than the typical "
            "subject's rows.")
    from kratomsim.sleep_prediction import predicted_changes

    report.sleep_architecture = predicted_changes(exposure, parse_clock(wake, "wake-up time"))
    report.summary = plain_summary(report)
    return report


def autoinhibition_section(
    exposure: Exposure, timeline: Timeline, product: str, dose: str, at: str, weight: str, with_effect: bool
) -> dict[str, Any] | None:
    """The switch, its assumption, hepatic CYP3A4 activity each night and (on request) the on/off table."""
    from kratomsim.autoinhibition import statement
    from kratomsim.autoinhibition_effect import effect

    if MITRAGYNINE not in exposure.conc_nM:
        return None
    on = exposure.scenario.autoinhibition
    section: dict[str, Any] = {"on": on, "statement": statement(on)}
    if exposure.cyp3a4_activity is not None:
        cyp, times = exposure.cyp3a4_activity[0], exposure.times_h
        section["cyp3a4_activity"] = [
            {"night": n, "at_dose": float(cyp[_index(times, timeline.dose_h(n))]),
             "wake": float(cyp[_index(times, timeline.wake_h(n))])}
            for n in range(1, timeline.nights + 1)
        ]
    if with_effect:
        section["effect"] = effect(product, dose, at, weight)
    return section


# Fields of a night row that get a median and interval with subjects > 1.
POPULATION_FIELDS = (
    "at_dose_nM", "peak_nM", "wake_nM", "morning_nM", "auc_sleep_nM_h", "fraction_of_peak_at_wake",
    "auc_ratio_vs_night1", "wake_ratio_vs_night1",
)


def population_nights(
    scenario: Any,
    timeline: Timeline,
    subjects: int,
    seed: int = 0,
    level: float = 0.90,
    dask_address: str | None = None,
    progress: bool = False,
) -> dict[str, Any]:
    """Median and ``level`` interval over ``subjects`` people of each night's numbers, per alkaloid.

    Peak (highest 5-min grid value from dose to wake-up), wake-up level and sleep-window AUC (exact
    integral) are the population run's streamed per-subject metrics; the level at the dose and in the
    morning come from the same subjects' concentrations at those instants, and the fraction of the
    peak left at wake-up and the ratios to night 1 are formed per subject before taking quantiles.
    Quantiles come from log-binned histograms (0.46 % bins), so any number of subjects fits in memory.
    """
    from kratomsim.library import molecular_weight
    from kratomsim.populations import (
        WORK,
        histogram_interval,
        log_histogram,
        population_spec,
        run_population,
        subject_concentrations,
    )

    spec = population_spec(scenario, seed, timeline.to_wake_h)
    nights = timeline.nights
    instants = np.asarray([t for n in range(1, nights + 1) for t in (timeline.dose_h(n), timeline.morning_h(n))])
    counts: dict[str, Any] = {}

    def add(name: str, values: FloatArray) -> None:
        counts[name] = log_histogram(values, counts.get(name))

    def on_chunk(chunk: Any) -> None:
        m = chunk.metrics  # (subjects, nights, compounds)
        with np.errstate(divide="ignore", invalid="ignore"):
            add("fraction_of_peak_at_wake", m.cwake / m.cmax)
            add("auc_ratio_vs_night1", m.auc / m.auc[:, :1, :])
            add("wake_ratio_vs_night1", m.cwake / m.cwake[:, :1, :])
        for lo in range(chunk.start, chunk.stop, WORK):
            conc = subject_concentrations(spec, lo, min(chunk.stop, lo + WORK), instants)
            stacked = np.stack([conc[c] for c in spec.compounds], axis=-1)  # (subjects, 2 nights, compounds)
            add("at_dose_nM", stacked[:, 0::2, :])
            add("morning_nM", stacked[:, 1::2, :])

    result = run_population(scenario, subjects, seed=seed, level=level, dask_address=dask_address,
                            progress=progress, wake_offset_h=timeline.to_wake_h, on_chunk=on_chunk)
    for m, name in enumerate(("peak_nM", "wake_nM", "auc_sleep_nM_h")):
        counts[name] = result.histogram[m].transpose(1, 0, 2)  # (nights, compounds, bins)
    rows: list[dict[str, Any]] = []
    for ci, compound in enumerate(result.compounds):
        ng = molecular_weight(compound) / 1000.0
        for j in range(nights):
            row: dict[str, Any] = {"night": j + 1, "compound": compound}
            for name in POPULATION_FIELDS:
                median, low, high = histogram_interval(counts[name][j, ci], level)
                if j == 0 and name in ("auc_ratio_vs_night1", "wake_ratio_vs_night1"):
                    median = low = high = 1.0
                row[name] = {"median": median, "low": low, "high": high}
                if name.endswith("_nM"):
                    row[name.replace("_nM", "_ng_per_mL")] = {"median": median * ng, "low": low * ng,
                                                               "high": high * ng}
            rows.append(row)
    lo_pct, hi_pct = round(50 * (1 - level), 9), round(50 * (1 + level), 9)
    return {
        "subjects": result.subjects,
        "seed": result.seed,
        "level": result.level,
        "interval_percent": [lo_pct, hi_pct],
        "band_subjects": result.band_subjects,
        "defective_subjects": result.defective,
        "elapsed_s": result.elapsed_s,
        "variability_sources": result.sources(),
        "nights": rows,
        "notes": [
            f"Median and {lo_pct:.3g}-{hi_pct:.3g}% prediction interval over {result.subjects:,} simulated people "
            f"(seed {result.seed}); the per-row numbers without an interval are the typical subject's.",
            "Quantiles from log-binned histograms (bins 0.46% wide); the sleep-window AUC of the population is "
            "the exact integral (the typical subject's is a 5-min trapezoid); peaks are on the 5-min grid.",
            f"Plot bands from the first {result.band_subjects:,} subjects. Between-subject spreads come from "
            "published ranges of a few people (docs/population.md): treat the intervals as indicative.",
        ],
        "bands": {c: {"median": result.median[c], "low": result.low[c], "high": result.high[c]}
                  for c in result.compounds},
        "band_times_h": result.times_h,
    }


def _occupancy_summary(summary: dict[str, Any]) -> dict[str, Any]:
    """pd's night summary, with each alkaloid's share of the occupied receptors added per instant."""
    for night in summary["nights"]:
        for key in ("bedtime", "peak", "wake"):
            point = night[key]
            total = point["occupancy_percent"]
            point["share_of_occupied_percent"] = {
                n: (100.0 * v / total if total > 0 else 0.0) for n, v in point["by_alkaloid_percent"].items()
            }
    return summary


def _evidence() -> tuple[list[dict[str, Any]], set[str], str | None]:
    try:
        from kratomsim.evidence import night_evidence
    except ImportError:
        return [], set(), "Evidence notes unavailable: the evidence module is not installed in this build."
    notes = night_evidence()
    keys = {str(s).split(" ")[0] for note in notes for s in note.sources}
    return [{"text": n.text, "study": n.study, "sources": list(n.sources)} for n in notes], keys, None


def _comedication_warnings(
    victims: list[str], product: str | None, dose: str, nights: int = 1, at: str = "22:30"
) -> tuple[list[str], set[str], str | None]:
    if not victims:
        return [], set(), None
    try:
        from kratomsim.interactions import comedication_warnings, data_sources
    except ImportError:
        return [], set(), "Co-medication interaction predictions unavailable: the interactions module is absent."
    return comedication_warnings(victims, product, dose, nights, at), set(data_sources()), None


def _source_list(keys: Iterable[str]) -> list[dict[str, str]]:
    refs = references()
    return [
        {"key": k, "citation": refs[k].short() if k in refs else "(reference not in the registry)"}
        for k in sorted(set(keys))
    ]


# --------------------------------------------------------------------------------------- the words
def _g(x: float) -> str:
    """Three significant figures, plain."""
    if not math.isfinite(x):
        return "-"
    return f"{x:.3g}"


def _hm(clock: str) -> str:
    return clock[-5:]


def plain_summary(report: NightReport) -> str:
    """The numbers in plain sentences: exposure and accumulation, never advice."""
    sc = report.scenario
    n_last = sc["nights"]
    mg = sc["alkaloid_mg_per_dose"].get(MITRAGYNINE)
    what = f"{sc['dose']} of {sc['product']}" if sc["product"] else sc["dose"]
    mg_text = f" ({_g(mg)} mg mitragynine)" if mg else ""
    nights_text = "one night" if n_last == 1 else f"{n_last} nights"
    parts = [
        f"Predicted for a {sc['weight_kg']:g} kg adult taking {what}{mg_text} at {sc['at']} for {nights_text}, "
        f"waking at {sc['wake']} ({_g(sc['hours_dose_to_wake'])} h after the dose)."
    ]
    pop = report.population
    if pop:
        lo_pct, hi_pct = pop["interval_percent"]
        parts[0] = (
            f"Predicted for {pop['subjects']:,} simulated {sc['weight_kg']:g} kg adults (seed {pop['seed']}) taking "
            f"{what}{mg_text} at {sc['at']} for {nights_text}, waking at {sc['wake']} "
            f"({_g(sc['hours_dose_to_wake'])} h after the dose): median, with the {lo_pct:.3g}-{hi_pct:.3g}% "
            "prediction interval in brackets."
        )
    featured = [c for c in (MITRAGYNINE, SEVEN_OH) if report.rows_for(c)] or report.compounds()[:1]
    featured += [r["compound"] for r in report.nights if r["kind"] == "medicine" and r["night"] == 1]
    for name in featured:
        if report.population_for(name):
            parts.append(_population_sentence(report, name))
            continue
        rows = report.rows_for(name)
        first, last = rows[0], rows[-1]
        text = (
            f"{name.capitalize()}: on night 1 it peaks at {_g(first['peak_nM'])} nM ({_g(first['peak_ng_per_mL'])} "
            f"ng/mL) at {_hm(first['peak_clock'])}; at wake-up {_g(first['wake_nM'])} nM is left, "
            f"{_g(100 * first['fraction_of_peak_at_wake'])}% of the peak."
        )
        if len(rows) > 1:
            text += (
                f" On night {n_last} the bedtime level is {_g(last['at_dose_nM'])} nM, the peak "
                f"{_g(last['peak_nM'])} nM and the wake-up level {_g(last['wake_nM'])} nM "
                f"({_g(last['wake_ng_per_mL'])} ng/mL); exposure over the sleep window is "
                f"{_g(last['auc_ratio_vs_night1'])} times night 1's."
            )
        text += f" At {_hm(last['morning_clock'])} it is {_g(last['morning_nM'])} nM."
        ss = report.steady_state.get(name)
        if ss:
            text += (
                f" The nightly exposure reaches 90% of its steady state after {ss['nights_to_90pct']} "
                f"night{'s' if ss['nights_to_90pct'] != 1 else ''} ({_g(ss['days_to_90pct'])} days)."
            )
        parts.append(text)
    occ = report.occupancy
    if occ and occ["nights"]:
        o = occ["nights"][-1]
        shares = o["peak"]["share_of_occupied_percent"]
        top = max(shares, key=lambda k: shares[k]) if shares else None
        text = (
            f"Modelled {occ['receptor']}-opioid receptor occupancy on night {o['night']}"
            f"{' for the typical subject (kratomsim receptors --subjects gives intervals)' if pop else ''}: "
            f"{_g(o['bedtime']['occupancy_percent'])}% at bedtime, {_g(o['peak']['occupancy_percent'])}% at the "
            f"peak ({_hm(o['peak']['clock'])}) and {_g(o['wake']['occupancy_percent'])}% at wake-up"
        )
        if top:
            text += f"; {top} holds {_g(shares[top])}% of the occupied receptors at the peak"
        sens = occ.get("sensitivity_peak_occupancy_percent")
        if sens:
            text += (
                f" (peak {_g(sens['min'])}% to {_g(sens['max'])}% across binding data sets and "
                "unbound-fraction assumptions)"
            )
        parts.append(text + ".")
    parts += report.warnings
    parts.append(
        "These are model predictions from apparent parameters fitted to small published studies; they "
        "describe exposure, not benefit or safety."
    )
    return "\n".join(parts)


def _iv(cell: dict[str, float], unit: str = "") -> str:
    """'150 nM (60-380)': median, then the interval."""
    return f"{_g(cell['median'])}{unit} ({_g(cell['low'])}-{_g(cell['high'])})"


def _population_sentence(report: NightReport, name: str) -> str:
    """One alkaloid's nights in words, each number with its interval across the simulated people."""
    n_last = report.scenario["nights"]
    rows = report.population_for(name)
    typical = report.rows_for(name)
    first, last = rows[0], rows[-1]
    pct = {q: 100 * v for q, v in first["fraction_of_peak_at_wake"].items()}
    text = (
        f"{name.capitalize()}: on night 1 the peak is {_iv(first['peak_nM'], ' nM')}, "
        f"{_iv(first['peak_ng_per_mL'], ' ng/mL')}, around {_hm(typical[0]['peak_clock'])} for the typical "
        f"subject; at wake-up {_iv(first['wake_nM'], ' nM')} is left, {_iv(pct, '%')} of the peak."
    )
    if len(rows) > 1:
        text += (
            f" On night {n_last} the bedtime level is {_iv(last['at_dose_nM'], ' nM')}, the peak "
            f"{_iv(last['peak_nM'], ' nM')} and the wake-up level {_iv(last['wake_nM'], ' nM')}, "
            f"{_iv(last['wake_ng_per_mL'], ' ng/mL')}; exposure over the sleep window is "
            f"{_iv(last['auc_ratio_vs_night1'])} times night 1's."
        )
    text += f" At {_hm(typical[-1]['morning_clock'])} it is {_iv(last['morning_nM'], ' nM')}."
    ss = report.steady_state.get(name)
    if ss:
        text += (
            f" For the typical subject the nightly exposure reaches 90% of its steady state after "
            f"{ss['nights_to_90pct']} night{'s' if ss['nights_to_90pct'] != 1 else ''} "
            f"({_g(ss['days_to_90pct'])} days)."
        )
    return text


# ------------------------------------------------------------------------------------ side by side
KRATOM = "kratom"
COMPARE_FIELDS = (
    "peak_nM", "peak_ng_per_mL", "peak_clock", "fraction_of_peak_at_wake", "wake_nM", "wake_ng_per_mL",
    "morning_nM", "morning_ng_per_mL", "auc_sleep_nM_h", "auc_ratio_vs_night1", "wake_ratio_vs_night1",
)


@dataclass
class Comparison:
    """Sleep aids side by side on the same clock: one entry per aid and compound."""

    setting: dict[str, Any]
    aids: list[dict[str, Any]]
    notes: list[str]
    sources: list[dict[str, str]]
    series: dict[str, Any] = field(default_factory=dict, repr=False)
    windows: list[tuple[datetime, datetime]] = field(default_factory=list, repr=False)
    population: dict[str, Any] | None = None
    comedication_warnings: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        out = {
            "setting": self.setting,
            "aids": self.aids,
            "steady_state_method": STEADY_STATE_METHOD,
            "comedication_warnings": self.comedication_warnings,
            "notes": self.notes,
            "sources": self.sources,
        }
        if self.population is not None:
            out["population"] = self.population
        return out


def _aid_entry(aid: str, rows: list[dict[str, Any]], ss: dict[str, Any] | None) -> dict[str, Any]:
    first, last = rows[0], rows[-1]
    return {
        "aid": aid,
        "compound": first["compound"],
        "kind": first["kind"],
        "night_1": {k: first[k] for k in COMPARE_FIELDS},
        "night_last": {k: last[k] for k in COMPARE_FIELDS},
        "last_night": last["night"],
        "steady_state": ss,
    }


def parse_aid(spec: str) -> tuple[str, str | None, str | None]:
    """'kratom:K51:2g' -> ('kratom', 'K51', '2g'); 'kratom:2g' uses K51; 'zolpidem:10mg' -> medicine."""
    parts = [p.strip() for p in spec.split(":")]
    if parts[0].lower() == KRATOM:
        if len(parts) == 2:
            return KRATOM, "K51", parts[1]
        if len(parts) == 3:
            return KRATOM, parts[1], parts[2]
        raise InputError(f"cannot read aid {spec!r}: write kratom:PRODUCT:DOSE, e.g. 'kratom:K51:2g'")
    return "medicine", None, spec


def compare_aids(
    aids: Sequence[str],
    at: str = "22:30",
    wake: str = "06:30",
    nights: int = 7,
    morning: str = "09:00",
    weight: str = "70kg",
    start_date: str | date | None = None,
    subjects: int = 1,
    seed: int = 0,
    level: float = 0.90,
    dask_address: str | None = None,
    progress: bool = False,
) -> Comparison:
    """Each aid taken alone at the same clock time every night, read off at wake-up and in the morning.

    With ``subjects`` > 1 each kratom entry gains ``population`` (night 1 and the last night: median
    and ``level`` interval of each compared number over that many people); medicines stay the typical
    70 kg adult, as the population module varies only kratom alkaloid parameters.
    """
    from kratomsim.medicines import load_medicine

    if not aids:
        raise InputError("give at least one aid, e.g. --aid kratom:K51:2g --aid zolpidem:10mg")
    timeline = make_timeline(at, wake, nights, morning, start_date)
    entries: list[dict[str, Any]] = []
    notes: list[str] = []
    keys: set[str] = set()
    conc: dict[str, FloatArray] = {}
    mws: dict[str, float] = {}
    clock: Any = None
    has_medicine = False
    kratom_aids: list[tuple[str, str | None, str]] = []
    medicine_names: list[str] = []
    medicine_aids: list[str] = []
    bands: dict[str, dict[str, FloatArray]] = {}
    population: dict[str, Any] | None = None
    for aid in aids:
        kind, product, dose = parse_aid(aid)
        if kind == KRATOM:
            assert dose is not None
            kratom_aids.append((aid, product, dose))
            rep = night_report(product or "K51", dose, at, wake, timeline.nights, morning, weight,
                               timeline.first_dose.date(), subjects=subjects, seed=seed, level=level,
                               dask_address=dask_address, progress=progress)
            clock = rep.series["clock"]
            for name in rep.compounds():
                entry = _aid_entry(aid, rep.rows_for(name), rep.steady_state.get(name))
                entry["next_morning_data"] = []
                pop_rows = rep.population_for(name)
                if pop_rows:
                    entry["population"] = {
                        "night_1": {k: v for k, v in pop_rows[0].items() if k in COMPARE_FIELDS},
                        "night_last": {k: v for k, v in pop_rows[-1].items() if k in COMPARE_FIELDS},
                    }
                entries.append(entry)
            for name in (MITRAGYNINE, SEVEN_OH):
                if name in rep.series["conc_nM"]:
                    conc[f"{name} ({aid})"] = rep.series["conc_nM"][name]
                    mws[f"{name} ({aid})"] = rep.series["molecular_weight"][name]
                    if name in rep.series.get("bands", {}):
                        bands[f"{name} ({aid})"] = rep.series["bands"][name]
            if rep.population and population is None:
                population = {k: rep.population[k] for k in ("subjects", "seed", "level", "interval_percent",
                                                             "band_subjects", "variability_sources")}
            notes += [f"{aid}: {w}" for w in rep.warnings]
            keys |= {s["key"] for s in rep.sources if s["key"] in _kratom_keys(rep)}
            continue
        has_medicine = True
        name, _ = parse_comedication(aid)
        notes += _default_dose_notes([aid])
        med = load_medicine(name)
        medicine_names.append(med.name)
        medicine_aids.append(aid)
        if not med.has_model:
            raise InputError(f"no PK model for {med.name}, so it cannot be compared: {med.pk_note or 'no sourced PK'}")
        times = _plain_grid(timeline)
        mname, mconc, mw = medicine_profile(aid, timeline, times)
        rows = night_rows(mname, "medicine", mconc, mw, times, timeline, medicine_peaks(aid, timeline))
        entry = _aid_entry(aid, rows, medicine_steady_state(mname).get(mname))
        from kratomsim.medicines import next_morning_comparison

        entry["next_morning_data"] = next_morning_comparison(
            mname, rows[-1]["wake_ng_per_mL"], rows[-1]["morning_ng_per_mL"]
        )
        if subjects > 1:
            from kratomsim.medicine_population import people_above_next_morning

            above = people_above_next_morning(mname, aid, entry["next_morning_data"], timeline.nights,
                                              timeline.to_wake_h, timeline.to_morning_h, subjects, seed)
            if above is not None:
                entry["share_above_next_morning_level"] = above
        entries.append(entry)
        keys |= set(med.sources)
        conc[aid] = mconc
        mws[aid] = mw
        clock = clock if clock is not None else np.datetime64(timeline.first_dose, "s") + np.round(
            times * 3600.0).astype("timedelta64[s]")
    if has_medicine:
        notes.append("Medicines use apparent one-compartment models for a 70 kg adult (see docs/medicines.md); "
                     "the body weight applies to kratom only.")
    notes.append("Each aid is simulated alone; a row 'MEDICINE + kratom:...' is that medicine taken with the "
                 "kratom aid under the dynamic interaction model (kratomsim.comedication).")
    if kratom_aids and medicine_aids:
        from kratomsim.comedication import compare_rows

        together = compare_rows(kratom_aids, medicine_aids, timeline, at, subjects, seed)
        entries += together.entries
        conc.update(together.conc_nM)
        mws.update(together.molecular_weight)
        notes += together.notes
    if population is not None:
        lo, hi = population["interval_percent"]
        notes.append(
            f"Kratom rows: median and {lo:.3g}-{hi:.3g}% interval over {population['subjects']:,} simulated people "
            f"(seed {population['seed']}) in the tables and under 'population' in JSON; 'night_1', 'night_last' "
            "and the nights to steady state are the typical subject's."
            + (" Medicines are the typical 70 kg adult only: the population module varies kratom alkaloids, "
               "not the medicines' parameters (except the share above a medicine's next-morning level, "
               "drawn from its own published spread and sex effect)." if has_medicine else "")
        )
    if bands:
        series_extra: dict[str, Any] = {"bands": bands}
    else:
        series_extra = {}
    # The aids are simulated apart, but a reader comparing them may take them together: say what the
    # interaction model predicts for each medicine taken with each kratom aid.
    co_warnings: list[str] = []
    for kaid, kproduct, kdose in kratom_aids:
        warned, warn_keys, missing = _comedication_warnings(medicine_names, kproduct, kdose, timeline.nights, at)
        co_warnings += [f"If taken with {kaid}: {w}" for w in warned]
        keys |= warn_keys
        if missing:
            notes.append(missing)
    comparison = Comparison(
        comedication_warnings=co_warnings,
        setting={"at": at, "wake": wake, "morning": morning, "nights": timeline.nights, "weight": weight,
                 "first_dose": _fmt_clock(timeline.first_dose)},
        aids=entries,
        notes=notes,
        sources=_source_list(keys),
        series={"clock": clock, "conc_nM": conc, "molecular_weight": mws, **series_extra},
        windows=timeline.windows(),
    )
    comparison.population = population
    return comparison


def _plain_grid(timeline: Timeline) -> FloatArray:
    """The night report's grid (5 min plus the key instants) for a medicine simulated on its own."""
    from kratomsim.units import parse_duration_h

    step = parse_duration_h(GRID)
    grid = np.arange(int(np.floor(timeline.horizon_h / step + 1e-9)) + 1) * step
    return np.union1d(grid, np.asarray(timeline.key_times()))


def _kratom_keys(rep: NightReport) -> set[str]:
    """Reference keys behind a kratom report's exposure numbers (not its evidence notes)."""
    ev = {str(s).split(" ")[0] for note in rep.evidence for s in note["sources"]}
    receptors = set(rep.occupancy["sources"]) if rep.occupancy else set()
    return {s["key"] for s in rep.sources} - ev - receptors
