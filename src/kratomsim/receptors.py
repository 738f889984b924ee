"""Receptor occupancy and stimulus from the whole alkaloid mix (pure functions, vectorised).

Plasma concentrations (nM, any shape, usually subjects x time) become unbound concentrations at the
receptor, then competitive occupancy of every ligand at once, then stimulus by fractional efficacy.
The binding data come from ``data/receptors.yaml``; published values differ up to a hundredfold
between laboratories, so each laboratory's values are a named data set and the result says which
one was used. docs/receptors.md gives the equations, defaults and sensitivity.

It predicts; it never recommends a dose.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from functools import cache
from typing import Any

import numpy as np
from numpy.typing import NDArray

from kratomsim import populations as pop
from kratomsim.data_schemas import checked_file
from kratomsim.datafiles import used_references
from kratomsim.errors import InputError, known_list
from kratomsim.exposure import Exposure
from kratomsim.night_windows import clock_windows, sleep_windows_h
from kratomsim.plasma_binding import binding
from kratomsim.units import hours_after

FloatArray = NDArray[np.float64]

DATA_FILE = "receptors.yaml"
MITRAGYNINE = "mitragynine"

# ------------------------------------------------------------------ named assumptions (no data)
# Brain-to-plasma unbound ratio. No Kp,uu is published for any kratom alkaloid; mitragynine and
# 7-hydroxymitragynine show no significant efflux in Caco-2 and MDR-MDCK cells (Manda et al. 2014,
# Planta Med), so passive equilibrium (Kp,uu = 1) is assumed, and 0.3 in the low scenario.
KPUU_DEFAULT = 1.0
KPUU_LOW = 0.3
KPUU_RANGE = (KPUU_LOW, KPUU_DEFAULT)  # the range every uncertainty draw of Kp,uu spans

# Unbound fractions come from kratomsim.plasma_binding (one value and range per compound, shared
# with the interaction model). The scenarios use its central value and the two ends of its range.
FU_SCENARIOS: dict[str, str] = {
    "default": "central unbound fraction of each compound (published or stated prior), Kp,uu = 1",
    "low": f"low end of each compound's unbound-fraction range, Kp,uu = {KPUU_LOW:g}",
    "high": "high end of each compound's unbound-fraction range (a published bound where one exists), Kp,uu = 1",
}


# ----------------------------------------------------------------------------------- data model
@dataclass(frozen=True)
class LigandParams:
    """One ligand at one receptor in one data set."""

    ki_nM: float
    role: str = "unknown"  # "partial agonist", "full agonist", "antagonist" or "unknown"
    emax_percent: float | None = None  # relative to the assay's full agonist
    sources: tuple[str, ...] = ()

    @property
    def efficacy(self) -> float | None:
        """Fractional efficacy e (0..1) or None when no functional data exist."""
        if self.role == "antagonist":
            return 0.0
        if self.emax_percent is not None:
            return self.emax_percent / 100.0
        if self.role == "full agonist":
            return 1.0
        return None


@dataclass(frozen=True)
class ReceptorSet:
    """One laboratory's binding (and perhaps efficacy) values: a named data set."""

    name: str
    description: str
    species: str
    receptors: dict[str, dict[str, LigandParams]]
    efficacy_from: str | None = None
    caveat: str | None = None
    sources: tuple[str, ...] = ()

    def ligands(self, receptor: str) -> dict[str, LigandParams]:
        return self.receptors.get(receptor, {})


@cache
def _raw() -> dict[str, Any]:
    return checked_file(DATA_FILE)


def positive_control_inputs(drug: str) -> dict[str, Any]:
    """The inputs and pass rule of the positive control on ``drug`` (``positive_control`` in the data file)."""
    return dict(_raw()["positive_control"][drug])


def loguniform(rng: np.random.Generator, lo: float, hi: float, n: int) -> FloatArray:
    """n draws log-uniform between lo and hi (the uncertainty draws of receptors, sleep, positive control)."""
    return np.exp(rng.uniform(np.log(lo), np.log(hi), n))


def _ligand(entry: Mapping[str, Any]) -> LigandParams:
    emax = entry.get("emax")
    return LigandParams(
        ki_nM=float(entry["ki"]["value"]),
        role=str(entry.get("role", "partial agonist" if emax else "unknown")),
        emax_percent=float(emax["value"]) if emax else None,
        sources=tuple(sorted(used_references(entry))),
    )


@cache
def _sets() -> dict[str, ReceptorSet]:
    out: dict[str, ReceptorSet] = {}
    for name, raw in _raw()["data_sets"].items():
        receptors = {
            rec: {lig: _ligand(entry) for lig, entry in ligs.items()}
            for rec, ligs in raw["receptors"].items()
        }
        out[name] = ReceptorSet(
            name=name,
            description=str(raw.get("description", "")),
            species=str(raw.get("species", "")),
            receptors=receptors,
            efficacy_from=raw.get("efficacy_from"),
            caveat=" ".join(str(raw["caveat"]).split()) if raw.get("caveat") else None,
            sources=tuple(sorted(used_references(raw))),
        )
    return out


def receptor_sets(receptor: str | None = None) -> list[str]:
    """Names of the data sets (those covering ``receptor`` if given)."""
    return [n for n, s in _sets().items() if receptor is None or receptor in s.receptors]


def receptor_names() -> list[str]:
    """Receptors with at least one data set."""
    return list(_raw()["receptors"])


def check_receptor(receptor: str) -> str:
    """Canonical receptor name (case-insensitive), or an InputError listing the known ones."""
    by_lower = {r.lower(): r for r in receptor_names()}
    key = receptor.strip().lower()
    if key in by_lower:
        return by_lower[key]
    raise InputError(f"unknown receptor {receptor!r}; known receptors: {known_list(receptor_names())}")


def default_set(receptor: str = "mu") -> str:
    return str(_raw()["defaults"][check_receptor(receptor)]["set"])


def default_reason(receptor: str = "mu") -> str:
    return " ".join(str(_raw()["defaults"][check_receptor(receptor)]["reason"]).split())


def get_set(name: str | None, receptor: str = "mu") -> ReceptorSet:
    """A data set by name (None = the receptor's default); an InputError lists the known ones."""
    receptor = check_receptor(receptor)
    chosen = default_set(receptor) if name is None else name.strip()
    if chosen not in _sets():
        raise InputError(f"unknown receptor data set {name!r}; known data sets: {known_list(list(_sets()))}")
    found = _sets()[chosen]
    if receptor not in found.receptors:
        raise InputError(
            f"data set {chosen!r} has no values for the {receptor} receptor; "
            f"data sets for {receptor}: {known_list(receptor_sets(receptor))}"
        )
    return found


# ------------------------------------------------------------------------- unbound concentration
@dataclass(frozen=True)
class UnboundAssumption:
    """How plasma concentration becomes concentration at the receptor, for one alkaloid."""

    fu: float
    kpuu: float
    basis: str
    sources: tuple[str, ...] = ()

    @property
    def factor(self) -> float:
        return self.fu * self.kpuu


def unbound_assumption(compound: str, fu_scenario: str = "default") -> UnboundAssumption:
    """fu and Kp,uu for one alkaloid under a named scenario (see FU_SCENARIOS)."""
    if fu_scenario not in FU_SCENARIOS:
        raise InputError(
            f"unknown unbound-fraction scenario {fu_scenario!r}; known: {known_list(list(FU_SCENARIOS))}"
        )
    b = binding(compound)
    if fu_scenario == "low":
        return UnboundAssumption(b.fu_low, KPUU_LOW, f"{b.basis}; low end {b.fu_low:.3g}; Kp,uu {KPUU_LOW:g}",
                                 b.sources)
    if fu_scenario == "high":
        return UnboundAssumption(b.fu_high, KPUU_DEFAULT, f"{b.basis}; high end {b.fu_high:.3g}; Kp,uu 1", b.sources)
    return UnboundAssumption(b.fu, KPUU_DEFAULT, f"{b.basis}; Kp,uu {KPUU_DEFAULT:g} assumed", b.sources)


def unbound_at_receptor(conc_plasma_nM: FloatArray, fu: float, kpuu: float = 1.0) -> FloatArray:
    """Unbound concentration at a brain receptor: C_u = fu * Kp,uu * C_plasma (nM)."""
    if not (0.0 <= fu <= 1.0) or kpuu < 0.0:
        raise ValueError(f"fu must be in [0, 1] and Kp,uu >= 0, got fu={fu}, Kp,uu={kpuu}")
    return np.asarray(conc_plasma_nM, dtype=float) * (fu * kpuu)


# ------------------------------------------------------------------------------- the equations
def competitive_occupancy(
    conc_nM: Mapping[str, FloatArray], ki_nM: Mapping[str, float]
) -> tuple[FloatArray, dict[str, FloatArray]]:
    """Occupancy of each ligand competing for one site: o_i = (C_i/K_i) / (1 + sum_j C_j/K_j).

    Returns (total occupancy, per-ligand occupancy); all arrays broadcast to a common shape.
    Ligands present in ``conc_nM`` but absent from ``ki_nM`` are ignored (not measured).
    """
    names = [n for n in conc_nM if n in ki_nM]
    if not names:
        raise ValueError("no ligand has both a concentration and a Ki")
    ratios = {}
    for n in names:
        ki = float(ki_nM[n])
        if not ki > 0:
            raise ValueError(f"Ki of {n} must be positive, got {ki}")
        c = np.asarray(conc_nM[n], dtype=float)
        if np.any(c < 0):
            raise ValueError(f"negative concentration for {n}")
        ratios[n] = c / ki
    shape = np.broadcast_shapes(*(r.shape for r in ratios.values()))
    denom = np.ones(shape)
    for r in ratios.values():
        denom = denom + r
    per = {n: np.broadcast_to(r, shape) / denom for n, r in ratios.items()}
    total = np.zeros(shape)
    for o in per.values():
        total = total + o
    return total, per


def fractional_stimulus(
    occupancy_by_ligand: Mapping[str, FloatArray], efficacy: Mapping[str, float]
) -> FloatArray:
    """Stimulus relative to a full agonist at full occupancy: S = sum_i e_i * o_i.

    e_i = Emax_i / 100 of the ligand's functional assay; antagonists have e = 0. Ligands with no
    entry in ``efficacy`` count as e = 0 (the caller reports them as of unknown efficacy).
    """
    arrays = list(occupancy_by_ligand.values())
    out = np.zeros(np.broadcast_shapes(*(np.shape(a) for a in arrays))) if arrays else np.zeros(())
    for name, occ in occupancy_by_ligand.items():
        out = out + float(efficacy.get(name, 0.0)) * np.asarray(occ)
    return out


# ---------------------------------------------------------------------------------- the result
@dataclass(frozen=True)
class OccupancyResult:
    """Occupancy (fractions 0..1) and stimulus at one receptor, and how they were obtained."""

    receptor: str
    data_set: str
    fu_scenario: str
    total: FloatArray
    by_ligand: dict[str, FloatArray]
    stimulus: FloatArray
    efficacy: dict[str, float | None]
    efficacy_set: str | None
    not_covered: tuple[str, ...]
    unbound: dict[str, UnboundAssumption]
    notes: tuple[str, ...] = field(default_factory=tuple)
    sources: tuple[str, ...] = ()

    def share_of_occupied(self, ligand: str) -> FloatArray:
        """Fraction of the occupied receptors held by ``ligand`` (0 where nothing is bound)."""
        occ = self.by_ligand[ligand]
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(self.total > 0, occ / np.where(self.total > 0, self.total, 1.0), 0.0)


def _efficacies(chosen: ReceptorSet, receptor: str) -> tuple[dict[str, float | None], str | None]:
    """Efficacy per ligand: from the set itself, else from its ``efficacy_from`` set."""
    own = {lig: p.efficacy for lig, p in chosen.ligands(receptor).items()}
    if all(e is None for e in own.values()) and chosen.efficacy_from:
        donor = _sets()[chosen.efficacy_from].ligands(receptor)
        return {lig: donor[lig].efficacy if lig in donor else None for lig in own}, chosen.efficacy_from
    return own, chosen.name


def occupancy(
    conc_nM: Mapping[str, FloatArray],
    receptor: str = "mu",
    data_set: str | None = None,
    fu_scenario: str = "default",
) -> OccupancyResult:
    """Occupancy and stimulus of the whole alkaloid mix at one receptor, from plasma nM."""
    receptor = check_receptor(receptor)
    chosen = get_set(data_set, receptor)
    ligands = chosen.ligands(receptor)
    unbound = {n: unbound_assumption(n, fu_scenario) for n in conc_nM}
    free = {
        n: unbound_at_receptor(np.asarray(c, dtype=float), unbound[n].fu, unbound[n].kpuu)
        for n, c in conc_nM.items()
        if n in ligands
    }
    if not free:
        raise InputError(
            f"none of the alkaloids given ({known_list(list(conc_nM))}) has a Ki at {receptor} in data set "
            f"{chosen.name!r}; it covers {known_list(list(ligands))}"
        )
    total, per = competitive_occupancy(free, {n: ligands[n].ki_nM for n in free})
    efficacy, efficacy_set = _efficacies(chosen, receptor)
    efficacy = {n: efficacy.get(n) for n in per}
    stimulus = fractional_stimulus(per, {n: e for n, e in efficacy.items() if e is not None})
    not_covered = tuple(sorted(n for n in conc_nM if n not in ligands))
    notes: list[str] = []
    if chosen.caveat:
        notes.append(f"{chosen.name}: {chosen.caveat}")
    if not_covered:
        notes.append(
            f"No checked Ki at {receptor} in {chosen.name} for: {', '.join(not_covered)}; "
            "they are left out of the competition (occupancy is a lower bound if they bind)."
        )
    unknown = sorted(n for n, e in efficacy.items() if e is None)
    if unknown:
        notes.append(f"Efficacy unknown for {', '.join(unknown)}: counted as 0 in the stimulus.")
    if efficacy_set and efficacy_set != chosen.name:
        notes.append(f"Efficacy (stimulus) taken from data set {efficacy_set}; binding from {chosen.name}.")
    notes.append(f"Unbound fraction scenario {fu_scenario!r}: {FU_SCENARIOS[fu_scenario]}.")
    sources = set(chosen.sources)
    if efficacy_set:
        sources |= set(_sets()[efficacy_set].sources)
    for u in unbound.values():
        sources |= set(u.sources)
    return OccupancyResult(
        receptor=receptor,
        data_set=chosen.name,
        fu_scenario=fu_scenario,
        total=total,
        by_ligand=per,
        stimulus=stimulus,
        efficacy=efficacy,
        efficacy_set=efficacy_set,
        not_covered=not_covered,
        unbound={n: unbound[n] for n in per},
        notes=tuple(notes),
        sources=tuple(sorted(sources)),
    )


def sensitivity_at_peak(
    conc_nM: Mapping[str, FloatArray], receptor: str = "mu", subject: int = 0
) -> list[dict[str, Any]]:
    """Peak total occupancy (%) under every data set x unbound-fraction scenario, for one subject."""
    rows = []
    for name in receptor_sets(check_receptor(receptor)):
        for scenario in FU_SCENARIOS:
            res = occupancy(conc_nM, receptor, name, scenario)
            total = np.atleast_2d(res.total)[min(subject, np.atleast_2d(res.total).shape[0] - 1)]
            rows.append(
                {
                    "data_set": name,
                    "fu_scenario": scenario,
                    "peak_occupancy_percent": 100 * float(total.max()),
                }
            )
    return rows


# ----------------------------------------------------------------------------------- the night
def _index_at(clock: np.ndarray, when: datetime) -> int:
    target = np.datetime64(when.replace(tzinfo=None), "s")
    return int(np.argmin(np.abs(clock.astype("datetime64[s]") - target)))


def median_subjects(a: FloatArray) -> FloatArray:
    """Median over subjects of a (subjects, T) array; 1-D input is one subject."""
    arr = np.asarray(a, dtype=float)
    return arr if arr.ndim == 1 else np.median(arr, axis=0)


def night_windows(
    exposure: Exposure, wake: time, bedtime: time | None = None
) -> list[tuple[datetime, datetime]]:
    """(bedtime, wake) for each dose night that ends inside the simulation; bedtime defaults to the dose time.

    The first night's bedtime (the ``bedtime`` clock within 12 h of the dose) and wake-up (the next
    ``wake`` clock after bedtime) give the span after the dose that every night shares
    (:func:`kratomsim.night_windows.sleep_windows_h`).
    """
    sc = exposure.scenario
    first = sc.first_dose
    bed_h = 0.0 if bedtime is None else hours_after(first - timedelta(hours=12), bedtime) - 12.0
    wake_h = bed_h + hours_after(first + timedelta(hours=bed_h), wake)
    end = np.datetime64(exposure.clock[-1], "s").astype(datetime)
    windows = clock_windows(first, sleep_windows_h(sc.dose_times_h(), wake_h, bed_h))
    return [(b, w) for b, w in windows if w <= end]


def summarise_night(
    exposure: Exposure,
    receptor: str = "mu",
    data_set: str | None = None,
    fu_scenario: str = "default",
    wake: time = time(6, 30),
    bedtime: time | None = None,
) -> dict[str, Any]:
    """Per night: occupancy (%) at bedtime, its peak (clock time) and at wake-up, with each alkaloid's share.

    With several subjects the median over subjects is reported.
    """
    res = occupancy(exposure.conc_nM, receptor, data_set, fu_scenario)
    total = median_subjects(res.total)
    stim = median_subjects(res.stimulus)
    per = {n: median_subjects(o) for n, o in res.by_ligand.items()}
    clock = np.asarray(exposure.clock).astype("datetime64[s]")
    nights = []
    windows = night_windows(exposure, wake, bedtime)
    for i, (bed, woke) in enumerate(windows, start=1):
        i0, i1 = _index_at(clock, bed), _index_at(clock, woke)
        ip = i0 + int(np.argmax(total[i0 : i1 + 1]))

        def point(k: int) -> dict[str, Any]:
            return {
                "clock": str(clock[k].astype(datetime).strftime("%Y-%m-%d %H:%M")),
                "occupancy_percent": 100 * float(total[k]),
                "stimulus_percent": 100 * float(stim[k]),
                "by_alkaloid_percent": {n: 100 * float(o[k]) for n, o in per.items()},
            }

        nights.append({"night": i, "bedtime": point(i0), "peak": point(ip), "wake": point(i1)})
    sens = sensitivity_at_peak(
        {
            n: np.atleast_2d(np.asarray(c))[:, : _index_at(clock, windows[-1][1]) + 1]
            for n, c in exposure.conc_nM.items()
        }
        if windows
        else exposure.conc_nM,
        res.receptor,
    )
    peaks = [r["peak_occupancy_percent"] for r in sens]
    return {
        "receptor": res.receptor,
        "data_set": res.data_set,
        "efficacy_set": res.efficacy_set,
        "fu_scenario": fu_scenario,
        "model": "competitive binding, fractional efficacy (stimulus = sum e_i * occupancy_i)",
        "subjects": int(np.atleast_2d(np.asarray(res.total)).shape[0]),
        "nights": nights,
        "sensitivity_peak_occupancy_percent": {"min": min(peaks), "max": max(peaks), "rows": sens},
        "unbound": {n: {"fu": u.fu, "kpuu": u.kpuu, "basis": u.basis} for n, u in res.unbound.items()},
        "efficacy": res.efficacy,
        "not_covered": list(res.not_covered),
        "notes": list(res.notes) + list(getattr(exposure, "notes", ())),
        "sources": res.sources,
    }


def occupancy_curves(exposure: Any, receptor: str, data_set: str | None) -> dict[str, Any]:
    """Median occupancy curves (%) over time for plotting, under each unbound-fraction scenario."""
    out: dict[str, Any] = {}
    for scenario in FU_SCENARIOS:
        res = occupancy(exposure.conc_nM, receptor, data_set, scenario)
        out[scenario] = {
            "total": 100 * median_subjects(res.total),
            "by_ligand": {n: 100 * median_subjects(o) for n, o in res.by_ligand.items()},
            "stimulus": 100 * median_subjects(res.stimulus),
            "data_set": res.data_set,
        }
    return out


_INTERVAL_KEYS = ("bedtime", "peak", "wake", "stimulus_at_peak")


def _subject_night_values(
    spec: Any, lo: int, hi: int, times: list[FloatArray], receptor: str, data_set: str | None, fu_scenario: str
) -> dict[str, FloatArray]:
    """Subjects lo..hi: occupancy at bedtime, at each one's own peak and at wake, and the stimulus at that peak."""
    values = {k: np.empty((hi - lo, len(times))) for k in _INTERVAL_KEYS}
    for j, t in enumerate(times):
        conc = {c: np.maximum(v, 0.0) for c, v in pop.subject_concentrations(spec, lo, hi, t).items()}
        res = occupancy(conc, receptor, data_set, fu_scenario)  # modal round-off can give -1e-18
        total = np.atleast_2d(res.total)
        at_peak = np.argmax(total, axis=1)
        rows = np.arange(total.shape[0])
        values["bedtime"][:, j] = total[:, 0]
        values["peak"][:, j] = total[rows, at_peak]
        values["wake"][:, j] = total[:, -1]
        values["stimulus_at_peak"][:, j] = np.atleast_2d(res.stimulus)[rows, at_peak]
    return values


def _interval_nights(counts: dict[str, Any], level: float, n_nights: int) -> list[dict[str, Any]]:
    nights = []
    for j in range(n_nights):
        cells = {k: dict(zip(("median", "low", "high"), pop.histogram_interval(counts[k][j], level), strict=True))
                 for k in _INTERVAL_KEYS}
        nights.append({
            "night": j + 1,
            "bedtime": {"occupancy_percent": cells["bedtime"]},
            "peak": {"occupancy_percent": cells["peak"], "stimulus_percent": cells["stimulus_at_peak"]},
            "wake": {"occupancy_percent": cells["wake"]},
        })
    return nights


def occupancy_intervals(
    exposure: Exposure,
    wake: time,
    receptor: str = "mu",
    data_set: str | None = None,
    fu_scenario: str = "default",
    subjects: int = 2,
    seed: int = 0,
    level: float = 0.90,
    dask_address: str | None = None,
    progress: bool = False,
) -> dict[str, Any]:
    """Occupancy at bedtime, at its peak and at wake-up, night by night: median and interval over people.

    Each subject's concentrations (the population module's subjects, model and solver) on the
    exposure's grid over each sleep window give that subject's occupancy curve; its value at bedtime,
    its highest value and its value at wake-up are taken per subject, then the quantiles (log-binned
    histograms, so any number of subjects fits in memory). The stimulus at the subject's own peak too.
    """
    clock = np.asarray(exposure.clock).astype("datetime64[s]")
    spans = [(_index_at(clock, bed), _index_at(clock, woke)) for bed, woke in night_windows(exposure, wake)]
    times = [np.asarray(exposure.times_h[i0 : i1 + 1], dtype=float) for i0, i1 in spans]
    hours = [(float(t[0]), float(t[-1])) for t in times]
    spec = pop.population_spec(exposure.scenario, seed, windows=hours)
    counts: dict[str, Any] = {}

    def on_chunk(chunk: Any) -> None:
        for lo in range(chunk.start, chunk.stop, pop.WORK):
            hi = min(chunk.stop, lo + pop.WORK)
            values = _subject_night_values(spec, lo, hi, times, receptor, data_set, fu_scenario)
            for k in _INTERVAL_KEYS:
                counts[k] = counts.get(k, 0) + pop.log_histogram(100.0 * values[k])

    result = pop.run_population(exposure.scenario, subjects, seed=seed, level=level, dask_address=dask_address,
                                progress=progress, windows=hours, on_chunk=on_chunk, band_subjects=1)
    return {
        "subjects": result.subjects, "seed": result.seed, "level": result.level,
        "interval": pop.interval_label(level), "defective_subjects": result.defective,
        "variability_sources": result.sources(), "nights": _interval_nights(counts, level, len(times)),
        "method": ("occupancy computed per subject from that subject's concentrations on the 5-min grid of "
                   "each sleep window, then the median and interval across subjects (histograms with 0.46% bins); "
                   "the peak is each subject's own highest occupancy, wherever it falls in the window"),
    }
