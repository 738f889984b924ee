"""Ordinary bedtime medicines and opioid references, for side-by-side comparison with kratom.

The cited facts live in ``data/medicines.yaml``; this module turns them into typed objects and
derives an apparent one-compartment oral model (ka, CL/F, V/F) for each medicine from the summary
statistics its sources report. The derivation is shown, not hidden: :func:`derivation` says which
statistic fixed each parameter, and :func:`validate_medicines` simulates the studied dose with the
exact engine and compares the simulated Cmax, tmax and terminal half-life with the published ones.

Predictions only: the "usual doses" are the labels' (or the studies') doses, never advice.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import Any

import numpy as np
from scipy.optimize import brentq

from kratomsim.datafiles import load_data_file, used_references
from kratomsim.errors import InputError, known_list
from kratomsim.pk.engine import concentrations_nM, propagate
from kratomsim.pk.model import Disposition, DoseEvent, FloatArray, build_system
from kratomsim.units import parse_dose, parse_mass_mg

DATA_FILE = "medicines.yaml"

# Named assumptions (not published numbers): shown in docs/medicines.md and in each derivation.
REFERENCE_WEIGHT_KG = 70.0
"""Converts per-kg volumes and clearances (L/kg, mL/min/kg) to an adult; assumption."""
ASSUMED_REFERENCE_DOSE_MG: Mapping[str, float] = {"morphine_oral": 10.0}
"""Dose used where the source reports a dose-normalised Cmax and no single dose; assumption."""
FOLD_LIMIT = 1.5
"""Validation passes when max(p/o, o/p) is within this fold."""
GRID_H = 1.0 / 60.0
"""Validation grid: one minute."""

_TIME_TO_H = {"h": 1.0, "min": 1.0 / 60.0}
_VOLUME_UNITS = {"L", "L/kg"}
_CLEARANCE_TO_L_PER_H = {"L/h": 1.0, "mL/min": 60.0 / 1000.0}


@dataclass(frozen=True)
class Stat:
    """One cited statistic, resolved to its default value (a range gives its midpoint)."""

    value: float
    unit: str
    source: str
    where: str
    from_range: bool = False


@dataclass(frozen=True)
class Medicine:
    """A bedtime medicine as the library knows it: identity, doses, PK statistics, pathways."""

    name: str
    display: str
    formula: str
    molecular_weight: float  # g/mol of the active base
    base_fraction: float  # mass fraction of the active base in the dosed form (salt)
    dosed_as: str
    usual_doses_mg: tuple[float, ...]
    default_dose_mg: float | None
    pk: Mapping[str, Any] | None
    pk_note: str | None
    pathways: Mapping[str, Any]
    next_morning: tuple[Mapping[str, Any], ...]
    sources: frozenset[str] = field(default_factory=frozenset)

    @property
    def has_model(self) -> bool:
        return self.pk is not None

    def dose_umol(self, dose_mg: float) -> float:
        """Micromoles of active base in ``dose_mg`` of the dosed form (label strength)."""
        return dose_mg * self.base_fraction * 1000.0 / self.molecular_weight

    def stat(self, key: str) -> Stat | None:
        """The default value of a PK statistic (None when the sources do not report it)."""
        if self.pk is None or key not in self.pk:
            return None
        return _resolve(self.pk[key])


@dataclass(frozen=True)
class Derivation:
    """An apparent one-compartment oral model and the statistics that fixed each parameter."""

    medicine: str
    dose_mg: float
    ka: float  # 1/h
    ke: float  # 1/h
    cl: float  # L/h (CL/F)
    v1: float  # L (V/F)
    basis: Mapping[str, str]

    def disposition(self) -> Disposition:
        return Disposition(ka=self.ka, cl=self.cl, v1=self.v1)


def _resolve(node: Mapping[str, Any]) -> Stat:
    """Pick the default of a disagreeing-sources mapping; take a range's midpoint if no value."""
    if "values" in node and "default" in node and isinstance(node["values"], list):
        chosen = [v for v in node["values"] if v.get("source") == node["default"]]
        if not chosen:
            raise ValueError(f"default {node['default']!r} names no listed value")
        node = chosen[0]
    if "value" in node:
        return Stat(float(node["value"]), str(node["unit"]), str(node["source"]), str(node["where"]))
    if "low" in node and "high" in node:
        mid = (float(node["low"]) + float(node["high"])) / 2.0
        return Stat(mid, str(node["unit"]), str(node["source"]), str(node["where"]), from_range=True)
    raise ValueError(f"statistic without value or range: {node}")


def _hours(stat: Stat) -> float:
    if stat.unit not in _TIME_TO_H:
        raise ValueError(f"time unit {stat.unit!r} not understood")
    return stat.value * _TIME_TO_H[stat.unit]


def _concentration_nM(value: float, unit: str, mw: float, dose_mg: float) -> float:
    """Concentration as reported -> nM (dose-normalised units are multiplied by the dose)."""
    factors = {"ng/mL": 1000.0 / mw, "pg/mL": 1.0 / mw, "ug/mL": 1e6 / mw, "uM": 1000.0, "nM": 1.0}
    if unit == "nM/mg":
        return value * dose_mg
    if unit not in factors:
        raise ValueError(f"concentration unit {unit!r} not understood")
    return value * factors[unit]


def _volume_L(stat: Stat) -> float:
    if stat.unit not in _VOLUME_UNITS:
        raise ValueError(f"volume unit {stat.unit!r} not understood")
    return stat.value * (REFERENCE_WEIGHT_KG if stat.unit == "L/kg" else 1.0)


def _clearance_L_per_h(stat: Stat) -> float:
    if stat.unit == "mL/min/kg":
        return stat.value * REFERENCE_WEIGHT_KG * 60.0 / 1000.0
    if stat.unit not in _CLEARANCE_TO_L_PER_H:
        raise ValueError(f"clearance unit {stat.unit!r} not understood")
    return stat.value * _CLEARANCE_TO_L_PER_H[stat.unit]


def bateman_tmax(ka: float, ke: float) -> float:
    """Time of the peak of a one-compartment oral profile, h."""
    return math.log(ka / ke) / (ka - ke)


def bateman_shape(ka: float, ke: float, t: float) -> float:
    """C(t) * V / dose for a one-compartment oral model (dimensionless)."""
    return ka / (ka - ke) * (math.exp(-ke * t) - math.exp(-ka * t))


def solve_ka(tmax_h: float, ke: float) -> float:
    """Absorption rate that puts the one-compartment peak at ``tmax_h`` (ka > ke branch).

    tmax decreases from 1/ke (ka -> ke) towards 0 as ka grows, so a solution exists only when
    tmax < 1/ke; the root is bracketed and found by Brent's method.
    """
    if tmax_h <= 0 or tmax_h >= 1.0 / ke:
        raise ValueError(f"tmax {tmax_h} h cannot be reached with ke {ke} 1/h (needs tmax < 1/ke)")
    lo, hi = ke * (1.0 + 1e-9), ke * 2.0
    while bateman_tmax(hi, ke) > tmax_h:
        hi *= 2.0
    return float(brentq(lambda ka: bateman_tmax(ka, ke) - tmax_h, lo, hi, xtol=1e-12, rtol=1e-12))


@cache
def _library() -> dict[str, Medicine]:
    content = load_data_file(DATA_FILE)
    out: dict[str, Medicine] = {}
    for name, raw in (content.get("medicines") or {}).items():
        mw = float(raw["molecular_weight"]["value"])
        form = raw.get("dosed_form")
        base_fraction = 1.0
        if form:
            base_fraction = float(form.get("bases_per_unit", 1)) * mw / float(form["molecular_weight"])
        doses = raw.get("usual_doses_mg") or {}
        default = doses.get("default")
        if default is None:
            default = ASSUMED_REFERENCE_DOSE_MG.get(name)
        out[name] = Medicine(
            name=name,
            display=str(raw.get("display", name)),
            formula=str(raw["formula"]),
            molecular_weight=mw,
            base_fraction=base_fraction,
            dosed_as=str(raw.get("dosed_as", "")),
            usual_doses_mg=tuple(float(d) for d in doses.get("values", ())),
            default_dose_mg=None if default is None else float(default),
            pk=raw.get("pk"),
            pk_note=raw.get("pk_note"),
            pathways=raw.get("pathways") or {},
            next_morning=tuple(raw.get("next_morning") or ()),
            sources=frozenset(used_references(raw)),
        )
    return out


def medicine_names() -> list[str]:
    """Names of every medicine in the library (sorted)."""
    return sorted(_library())


def _canonical(name: str) -> str:
    key = name.strip().lower().replace(" ", "_").replace("-", "_")
    library = _library()
    if key in library:
        return key
    prefixed = [n for n in library if n.split("_")[0] == key]
    if len(prefixed) == 1:
        return prefixed[0]
    raise InputError(f"unknown medicine {name!r}; known medicines: {known_list(medicine_names())}")


def load_medicine(name: str) -> Medicine:
    """The medicine called ``name`` (case-insensitive; 'doxepin' finds 'doxepin_low_dose')."""
    return _library()[_canonical(name)]


def _study_dose_mg(med: Medicine) -> float:
    assert med.pk is not None
    study = med.pk.get("study") or {}
    if "dose_mg" in study:
        return float(study["dose_mg"])
    if med.name in ASSUMED_REFERENCE_DOSE_MG:
        return ASSUMED_REFERENCE_DOSE_MG[med.name]
    raise ValueError(f"{med.name}: PK study has no dose")


@cache
def derivation(name: str) -> Derivation:
    """Derive ka, CL/F and V/F for one medicine from its cited statistics, saying how.

    ke = ln 2 / t1/2 (terminal half-life); ka solves the Bateman tmax equation for the reported
    tmax; V/F comes, as the data file says (``volume_from``), from Cmax and the studied dose, from a
    reported apparent volume, from a volume and an oral F, or from CL/F and ke; CL/F = ke * V/F.
    """
    med = load_medicine(name)
    if med.pk is None:
        raise InputError(f"no PK model for {med.name}: {med.pk_note or 'no sourced PK summary'}")
    t_half, tmax = med.stat("t_half"), med.stat("tmax")
    if t_half is None or tmax is None:
        raise ValueError(f"{med.name}: a half-life and a tmax are needed")
    dose_mg = _study_dose_mg(med)
    ke = math.log(2.0) / _hours(t_half)
    ka = solve_ka(_hours(tmax), ke)
    basis = {
        "ke": f"ln2 / t1/2 = ln2 / {_hours(t_half):g} h ({t_half.source}, {t_half.where})",
        "ka": f"solved from tmax = {_hours(tmax):g} h{' (midpoint of range)' if tmax.from_range else ''}"
        f" ({tmax.source}, {tmax.where})",
    }
    method = str(med.pk.get("volume_from", "cmax"))
    if method == "cmax":
        cmax = med.stat("cmax")
        if cmax is None:
            raise ValueError(f"{med.name}: volume_from cmax needs a Cmax")
        cmax_nM = _concentration_nM(cmax.value, cmax.unit, med.molecular_weight, dose_mg)
        v1 = med.dose_umol(dose_mg) * 1000.0 / cmax_nM * bateman_shape(ka, ke, _hours(tmax))
        basis["v1"] = (
            f"V/F from Cmax {cmax.value:g} {cmax.unit} after {dose_mg:g} mg ({cmax.source}, {cmax.where})"
        )
    elif method in ("v_over_f", "v_and_f"):
        vol = med.stat("volume")
        if vol is None:
            raise ValueError(f"{med.name}: volume_from {method} needs a volume")
        v1 = _volume_L(vol)
        basis["v1"] = f"V/F = {vol.value:g} {vol.unit} ({vol.source}, {vol.where})"
        if method == "v_and_f":
            f = med.stat("oral_f")
            if f is None:
                raise ValueError(f"{med.name}: volume_from v_and_f needs an oral F")
            v1 /= f.value
            basis["v1"] += f" divided by oral F {f.value:g} ({f.source}, {f.where})"
        if vol.unit == "L/kg":
            basis["v1"] += f"; per-kg value scaled to the assumed {REFERENCE_WEIGHT_KG:g} kg"
    elif method in ("cl_over_f", "cl_and_f"):
        cl_stat = med.stat("cl")
        if cl_stat is None:
            raise ValueError(f"{med.name}: volume_from {method} needs a clearance")
        cl_f = _clearance_L_per_h(cl_stat)
        text = f"CL/F = {cl_stat.value:g} {cl_stat.unit} ({cl_stat.source}, {cl_stat.where})"
        if method == "cl_and_f":
            f = med.stat("oral_f")
            if f is None:
                raise ValueError(f"{med.name}: volume_from cl_and_f needs an oral F")
            cl_f /= f.value
            text += f" divided by oral F {f.value:g} ({f.source})"
        if cl_stat.unit.endswith("/kg"):
            text += f"; per-kg value scaled to the assumed {REFERENCE_WEIGHT_KG:g} kg"
        v1 = cl_f / ke
        basis["v1"] = f"V/F = (CL/F) / ke with {text}"
    else:
        raise ValueError(f"{med.name}: unknown volume_from {method!r}")
    basis["cl"] = "CL/F = ke * V/F"
    if med.name in ASSUMED_REFERENCE_DOSE_MG:
        basis["dose"] = f"assumed reference dose {dose_mg:g} mg (source reports a dose-normalised Cmax)"
    return Derivation(med.name, dose_mg, ka=ka, ke=ke, cl=ke * v1, v1=v1, basis=basis)


def medicine_disposition(name: str) -> Disposition:
    """Apparent oral one-compartment Disposition (ka 1/h, CL/F L/h, V/F L) for a medicine."""
    return derivation(name).disposition()


def _split_spec(spec: str) -> tuple[str, float | None]:
    """'zolpidem:10mg', '10mg:zolpidem' or 'zolpidem' -> (name, mg or None)."""
    left, sep, right = spec.partition(":")
    if not sep:
        return left, None
    for name, amount in ((left, right), (right, left)):
        try:
            return name, parse_mass_mg(amount, "dose")
        except InputError:
            continue
    dose = parse_dose(spec)  # raises the house error message for a malformed amount
    return dose.compound or left, dose.amount_mg


def medicine_dose_events(
    spec: str | tuple[str, float], time_h: float = 0.0, count: int = 1, interval_h: float = 24.0
) -> list[DoseEvent]:
    """Dose events (micromol of active base) for e.g. "zolpidem:10mg" or ("zolpidem", 10.0).

    The amount is mg of the dosed form as labelled (e.g. zolpidem tartrate); without an amount the
    library's default (the label's starting dose) is used.
    """
    if isinstance(spec, str):
        name, dose_mg = _split_spec(spec)
    else:
        name, dose_mg = spec[0], float(spec[1])
        if not dose_mg > 0:
            raise InputError(f"dose must be greater than zero, got {spec[1]!r}")
    med = load_medicine(name)
    if dose_mg is None:
        if med.default_dose_mg is None:
            raise InputError(f"no default dose for {med.name}; give one, e.g. '{med.name}:10mg'")
        dose_mg = med.default_dose_mg
    umol = med.dose_umol(dose_mg)
    return [DoseEvent(time_h + i * interval_h, med.name, umol) for i in range(count)]


def simulate_medicine(name: str, doses: Sequence[DoseEvent], times_h: FloatArray) -> FloatArray:
    """Plasma concentration (nM) of one medicine at ``times_h`` for the given dose events."""
    med = load_medicine(name)
    system = build_system({med.name: medicine_disposition(med.name)})
    states = propagate(system, doses, np.asarray(times_h, dtype=float))
    return concentrations_nM(system, states)[med.name][0]


def _measure(name: str, dose_mg: float, count: int, interval_h: float) -> dict[str, float]:
    """Cmax (nM), tmax (h after the last dose) and terminal half-life (h) of a simulated profile."""
    t_half = math.log(2.0) / derivation(name).ke
    last = (count - 1) * interval_h
    horizon = last + max(24.0, 10.0 * t_half)
    times = np.arange(0.0, horizon + GRID_H / 2, GRID_H)
    events = medicine_dose_events((name, dose_mg), count=count, interval_h=interval_h)
    conc = simulate_medicine(name, events, times)
    after = times >= last - 1e-9
    t_after, c_after = times[after], conc[after]
    peak = int(np.argmax(c_after))
    tail = t_after >= last + 0.7 * (horizon - last)  # last 30 % of the window: terminal phase
    slope = np.polyfit(t_after[tail], np.log(c_after[tail]), 1)[0]
    return {
        "cmax": float(c_after[peak]),
        "tmax": float(t_after[peak] - last),
        "t_half": float(-math.log(2.0) / slope),
    }


def _row(
    study: str, compound: str, statistic: str, observed: float, predicted: float, unit: str
) -> dict[str, Any]:
    fold = max(predicted / observed, observed / predicted)
    return {
        "study": study,
        "compound": compound,
        "statistic": statistic,
        "observed": observed,
        "predicted": predicted,
        "unit": unit,
        "fold_error": fold,
    }


def validate_medicines() -> list[dict[str, Any]]:
    """Simulate each studied dose on a 1-min grid and compare Cmax, tmax and t1/2 with the sources.

    Rows whose statistic also fixed a model parameter check the derivation and the engine
    (they should agree closely); rows from ``checks`` (other studies, repeated dosing) are
    independent predictions.
    """
    rows: list[dict[str, Any]] = []
    for name in medicine_names():
        med = load_medicine(name)
        if med.pk is None:
            continue
        dose_mg = _study_dose_mg(med)
        sim = _measure(name, dose_mg, 1, 24.0)
        for key in ("cmax", "tmax", "t_half"):
            stat = med.stat(key)
            if stat is None:
                continue
            if key == "cmax":
                obs = _concentration_nM(stat.value, stat.unit, med.molecular_weight, dose_mg)
                rows.append(_row(stat.source, name, key, obs, sim[key], "nM"))
            else:
                rows.append(_row(stat.source, name, key, _hours(stat), sim[key], "h"))
        for check in med.pk.get("checks") or ():
            stat = _resolve(check)
            count, interval = int(check.get("doses", 1)), float(check.get("interval_h", 24.0))
            sim_check = _measure(name, float(check["dose_mg"]), count, interval)
            key = str(check["statistic"])
            if key == "cmax":
                obs = _concentration_nM(stat.value, stat.unit, med.molecular_weight, float(check["dose_mg"]))
                rows.append(_row(stat.source, name, key, obs, sim_check[key], "nM"))
            else:
                rows.append(_row(stat.source, name, key, _hours(stat), sim_check[key], "h"))
    return rows
