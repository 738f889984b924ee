"""Ordinary bedtime medicines and opioid references, for side-by-side comparison with kratom.

The cited facts live in ``data/medicines.yaml``; this module turns them into typed objects and
derives an apparent one-compartment oral model (ka, CL/F, V/F) for each medicine from the summary
statistics its sources report; a medicine whose data entry says ``model: two_compartment`` gets an
apparent two-compartment model (ka, CL/F, V1/F, Q/F, V2/F) fitted to Cmax, tmax, AUC, the terminal
half-life and, where reported, a concentration as a fraction of Cmax. The derivation is shown, not
hidden: :func:`derivation` says which statistic fixed each parameter, and :func:`validate_medicines`
simulates the studied dose with the exact engine and compares the simulated Cmax, tmax and terminal
half-life with the published ones.

Predictions only: the "usual doses" are the labels' (or the studies') doses, never advice.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import cache
from typing import Any

import numpy as np
from scipy.optimize import brentq, least_squares, minimize_scalar

from kratomsim.datafiles import load_data_file, used_references
from kratomsim.errors import InputError, known_list
from kratomsim.pk.engine import concentrations_nM, propagate
from kratomsim.pk.model import Disposition, DoseEvent, FloatArray, build_system
from kratomsim.units import parse_mass_mg

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
_AUC_TO_CONCENTRATION_UNIT = {"ng*h/mL": "ng/mL", "ug*h/mL": "ug/mL", "nM*h": "nM", "uM*h": "uM"}


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
    """An apparent oral model and the statistics that fixed each parameter.

    One compartment: ``q2 = v2 = 0`` and ``ke = CL/V``. Two compartments: ``ke`` is the terminal
    rate constant (beta), so ``ln 2 / ke`` is the terminal half-life in both cases.
    """

    medicine: str
    dose_mg: float
    ka: float  # 1/h
    ke: float  # 1/h (terminal)
    cl: float  # L/h (CL/F)
    v1: float  # L (V/F, or central V1/F)
    basis: Mapping[str, str]
    q2: float = 0.0  # L/h (Q/F), two-compartment only
    v2: float = 0.0  # L (V2/F), two-compartment only
    model: str = "one_compartment"

    def disposition(self) -> Disposition:
        return Disposition(ka=self.ka, cl=self.cl, v1=self.v1, q2=self.q2, v2=self.v2)


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


def two_compartment_rates(cl: float, v1: float, q: float, v2: float) -> tuple[float, float]:
    """Disposition rate constants (alpha > beta, 1/h) of a two-compartment model."""
    k10, k12, k21 = cl / v1, q / v1, q / v2
    total = k10 + k12 + k21
    root = math.sqrt(max(total * total - 4.0 * k10 * k21, 0.0))
    return (total + root) / 2.0, (total - root) / 2.0


def two_compartment_conc(
    dose: float, ka: float, cl: float, v1: float, q: float, v2: float, t: FloatArray | float
) -> FloatArray:
    """Central concentration after an oral dose (first-order absorption), dose/V1 units.

    Closed form: the sum of three exponentials (alpha, beta, ka). Equal rates are not handled (the
    fit keeps ka away from alpha and beta).
    """
    alpha, beta = two_compartment_rates(cl, v1, q, v2)
    k21 = q / v2
    tt = np.asarray(t, dtype=float)
    terms = (
        (k21 - alpha) / ((ka - alpha) * (beta - alpha)) * np.exp(-alpha * tt)
        + (k21 - beta) / ((ka - beta) * (alpha - beta)) * np.exp(-beta * tt)
        + (k21 - ka) / ((alpha - ka) * (beta - ka)) * np.exp(-ka * tt)
    )
    return np.asarray(ka * dose / v1 * terms, dtype=float)


def two_compartment_peak(dose: float, ka: float, cl: float, v1: float, q: float, v2: float) -> tuple[float, float]:
    """(Cmax, tmax) of the oral two-compartment profile: 1-min grid over 48 h, then refined."""
    grid = np.arange(0.0, 48.0 + 1e-9, 1.0 / 60.0)
    conc = two_compartment_conc(dose, ka, cl, v1, q, v2, grid)
    i = int(np.argmax(conc))
    lo, hi = grid[max(i - 1, 0)], grid[min(i + 1, len(grid) - 1)]
    if hi <= lo:
        return float(conc[i]), float(grid[i])
    res = minimize_scalar(
        lambda x: -float(two_compartment_conc(dose, ka, cl, v1, q, v2, x)),
        bounds=(lo, hi),
        method="bounded",
        options={"xatol": 1e-7},
    )
    return float(-res.fun), float(res.x)


@dataclass(frozen=True)
class TwoCompartmentTargets:
    """Published statistics a two-compartment oral model is fitted to (nM, h, nM*h)."""

    cmax_nM: float
    tmax_h: float
    auc_nM_h: float
    t_half_h: float
    fraction_at: tuple[float, float] | None = None  # (hours after the dose, C(t)/Cmax)


def fit_two_compartment(dose_umol: float, targets: TwoCompartmentTargets) -> tuple[float, float, float, float, float]:
    """(ka, CL/F, V1/F, Q/F, V2/F) that reproduce the targets; least squares in log space.

    Residuals are log ratios (predicted/observed) of Cmax, tmax, AUC (= dose / CL), the terminal
    half-life (ln 2 / beta) and, if given, C(t)/Cmax. Starting point: CL = dose/AUC, Vz = CL/beta,
    V1 = dose/Cmax, V2 = Vz - V1, Q = 2 CL, ka from the one-compartment tmax equation.
    """
    dose = dose_umol * 1000.0  # nmol, so that dose / L is nM
    cl0 = dose / targets.auc_nM_h
    beta0 = math.log(2.0) / targets.t_half_h
    v1_0 = dose / targets.cmax_nM
    v2_0 = max(cl0 / beta0 - v1_0, v1_0)
    ka0 = solve_ka(targets.tmax_h, 1.0 / (2.0 * targets.tmax_h)) if targets.tmax_h > 0 else 1.0
    x0 = np.log([ka0, cl0, v1_0, 2.0 * cl0, v2_0])

    def residuals(x: FloatArray) -> FloatArray:
        ka, cl, v1, q, v2 = np.exp(x)
        _, beta = two_compartment_rates(cl, v1, q, v2)
        cmax, tmax = two_compartment_peak(dose, ka, cl, v1, q, v2)
        out = [
            math.log(cmax / targets.cmax_nM),
            math.log(tmax / targets.tmax_h),
            math.log(dose / cl / targets.auc_nM_h),
            math.log(math.log(2.0) / beta / targets.t_half_h),
        ]
        if targets.fraction_at is not None:
            at, frac = targets.fraction_at
            c_at = float(two_compartment_conc(dose, ka, cl, v1, q, v2, at))
            out.append(math.log(max(c_at, 1e-300) / cmax / frac))
        return np.asarray(out)

    fit = least_squares(residuals, x0, method="trf", xtol=1e-12, ftol=1e-12, gtol=1e-12, max_nfev=2000)
    ka, cl, v1, q, v2 = (float(v) for v in np.exp(fit.x))
    return ka, cl, v1, q, v2


@dataclass(frozen=True)
class OneCompartmentTargets:
    """Published statistics a one-compartment oral model is fitted to together (nM, h, nM*h, L).

    Any of ``cmax_nM``, ``auc_nM_h`` and ``volume_L`` may be missing; ``auc_to_h`` is the end of
    a truncated AUC (None: AUC to infinity, which is dose / CL).
    """

    tmax_h: float
    t_half_h: float
    cmax_nM: float | None = None
    auc_nM_h: float | None = None
    auc_to_h: float | None = None
    volume_L: float | None = None


def one_compartment_auc(dose: float, ka: float, cl: float, v: float, to_h: float | None) -> float:
    """AUC of the oral one-compartment profile from 0 to ``to_h`` (None: infinity), dose/L*h units."""
    total = dose / cl
    if to_h is None:
        return total
    ke = cl / v
    tail = (ka * math.exp(-ke * to_h) - ke * math.exp(-ka * to_h)) / (ka - ke)
    return total * (1.0 - tail)


def fit_one_compartment(dose_umol: float, targets: OneCompartmentTargets) -> tuple[float, float, float]:
    """(ka, CL/F, V/F) that reproduce the targets together; least squares on log ratios.

    Three parameters, three to five statistics: with more statistics than parameters the fit is
    a compromise, and the validation rows show how far each statistic is missed. Start: ke from
    the half-life, ka from tmax, V from Cmax (or the reported volume, or dose / AUC / ke).
    """
    dose = dose_umol * 1000.0  # nmol, so that dose / L is nM
    ke0 = math.log(2.0) / targets.t_half_h
    ka0 = solve_ka(targets.tmax_h, ke0)
    if targets.cmax_nM is not None:
        v0 = dose / targets.cmax_nM * bateman_shape(ka0, ke0, targets.tmax_h)
    elif targets.volume_L is not None:
        v0 = targets.volume_L
    else:
        assert targets.auc_nM_h is not None
        v0 = dose / targets.auc_nM_h / ke0
    x0 = np.log([ka0, ke0 * v0, v0])

    def residuals(x: FloatArray) -> FloatArray:
        ka, cl, v = np.exp(x)
        ke = cl / v
        if abs(ka - ke) < 1e-9 * ke:
            ka = ke * (1.0 + 1e-6)
        tmax = bateman_tmax(ka, ke)
        out = [math.log(tmax / targets.tmax_h), math.log(math.log(2.0) / ke / targets.t_half_h)]
        if targets.cmax_nM is not None:
            out.append(math.log(dose / v * bateman_shape(ka, ke, tmax) / targets.cmax_nM))
        if targets.auc_nM_h is not None:
            out.append(math.log(one_compartment_auc(dose, ka, cl, v, targets.auc_to_h) / targets.auc_nM_h))
        if targets.volume_L is not None:
            out.append(math.log(v / targets.volume_L))
        return np.asarray(out)

    fit = least_squares(residuals, x0, method="trf", xtol=1e-13, ftol=1e-13, gtol=1e-13, max_nfev=5000)
    ka, cl, v = (float(val) for val in np.exp(fit.x))
    return ka, cl, v


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
    if med.pk.get("model") == "two_compartment":
        return _derive_two_compartment(med, dose_mg)
    if med.pk.get("fit_to"):
        return _derive_joint(med, dose_mg)
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


JOINT_STATISTICS = ("cmax", "tmax", "t_half", "auc", "cl_over_f", "cl_and_f", "v_over_f")
"""What a ``fit_to`` list may name: the statistics a joint one-compartment fit reproduces together."""


def _cite(stat: Stat) -> str:
    mid = " (midpoint of range)" if stat.from_range else ""
    return f"{stat.value:g} {stat.unit}{mid} ({stat.source}, {stat.where})"


def _auc_target(med: Medicine, dose_mg: float) -> tuple[float, float | None, str]:
    """The cited AUC in nM*h, the end of its interval (None: to infinity) and how it was read."""
    auc = med.stat("auc")
    if auc is None:
        raise ValueError(f"{med.name}: fit_to names auc but the data gives none")
    if auc.unit not in _AUC_TO_CONCENTRATION_UNIT:
        raise ValueError(f"{med.name}: AUC unit {auc.unit!r} not understood")
    value = _concentration_nM(auc.value, _AUC_TO_CONCENTRATION_UNIT[auc.unit], med.molecular_weight, dose_mg)
    assert med.pk is not None
    interval = str(med.pk["auc"].get("interval", "0-inf")).replace(" ", "").removesuffix("h")
    to_h = None if interval.endswith("inf") else float(interval.split("-")[1])
    return value, to_h, f"AUC{'0-inf' if to_h is None else f'0-{to_h:g} h'} {_cite(auc)}"


def _cl_over_f(med: Medicine, with_f: bool) -> tuple[float, str]:
    cl_stat = med.stat("cl")
    if cl_stat is None:
        raise ValueError(f"{med.name}: fit_to names a clearance but the data gives none")
    cl = _clearance_L_per_h(cl_stat)
    text = f"CL {_cite(cl_stat)}"
    if with_f:
        f = med.stat("oral_f")
        if f is None:
            raise ValueError(f"{med.name}: cl_and_f needs an oral F")
        cl /= f.value
        text += f" divided by oral F {_cite(f)}"
    return cl, text


def _derive_joint(med: Medicine, dose_mg: float) -> Derivation:
    """Fit ka, CL/F and V/F of a one-compartment model to every statistic ``fit_to`` names, together."""
    assert med.pk is not None
    names = [str(n) for n in med.pk["fit_to"]]
    unknown = sorted(set(names) - set(JOINT_STATISTICS))
    if unknown or not {"tmax", "t_half"} <= set(names):
        raise ValueError(f"{med.name}: fit_to must include tmax and t_half and name only {JOINT_STATISTICS}")
    t_half, tmax = med.stat("t_half"), med.stat("tmax")
    assert t_half is not None and tmax is not None
    dose_umol = med.dose_umol(dose_mg)
    used = [f"tmax {_cite(tmax)}", f"terminal t1/2 {_cite(t_half)}"]
    cmax_nM = auc_nM_h = auc_to = volume = None
    if "cmax" in names:
        cmax = med.stat("cmax")
        assert cmax is not None
        cmax_nM = _concentration_nM(cmax.value, cmax.unit, med.molecular_weight, dose_mg)
        used.append(f"Cmax {_cite(cmax)}")
    if "auc" in names:
        auc_nM_h, auc_to, text = _auc_target(med, dose_mg)
        used.append(text)
    for key in ("cl_over_f", "cl_and_f"):
        if key in names:
            cl, text = _cl_over_f(med, key == "cl_and_f")
            auc_nM_h, auc_to = dose_umol * 1000.0 / cl, None
            used.append(f"AUC = dose / (CL/F) with {text}")
    if "v_over_f" in names:
        vol = med.stat("volume")
        assert vol is not None
        volume = _volume_L(vol)
        used.append(f"V/F {_cite(vol)}")
    targets = OneCompartmentTargets(
        tmax_h=_hours(tmax), t_half_h=_hours(t_half), cmax_nM=cmax_nM, auc_nM_h=auc_nM_h,
        auc_to_h=auc_to, volume_L=volume,
    )
    ka, cl, v1 = fit_one_compartment(dose_umol, targets)
    basis = {
        "model": "apparent one-compartment oral model (ka, CL/F, V/F)",
        "fit": "least squares on log ratios (scipy.optimize.least_squares), all together, to "
        + "; ".join(used) + f" after {dose_mg:g} mg",
        "ka": "fitted (mainly fixed by tmax)",
        "v1": "fitted (mainly fixed by Cmax, or the reported volume)",
        "cl": "fitted (mainly fixed by the AUC or clearance, and the half-life)",
        "ke": f"CL/V = {cl / v1:.4g} 1/h (ln2/ke = {math.log(2.0) * v1 / cl:.3g} h)",
    }
    if any(s.endswith("/kg") for s in (str((med.pk.get(k) or {}).get("unit", "")) for k in ("cl", "volume"))):
        basis["weight"] = f"per-kg values scaled to the assumed {REFERENCE_WEIGHT_KG:g} kg"
    return Derivation(med.name, dose_mg, ka=ka, ke=cl / v1, cl=cl, v1=v1, basis=basis)


def _derive_two_compartment(med: Medicine, dose_mg: float) -> Derivation:
    """Fit ka, CL/F, V1/F, Q/F, V2/F to the cited Cmax, tmax, AUC, terminal t1/2 (and C(t)/Cmax)."""
    stats = {key: med.stat(key) for key in ("cmax", "tmax", "auc", "t_half", "c_fraction")}
    missing = [k for k in ("cmax", "tmax", "auc", "t_half") if stats[k] is None]
    if missing:
        raise ValueError(f"{med.name}: a two-compartment fit needs {', '.join(missing)}")
    cmax, tmax, auc, t_half = (stats[k] for k in ("cmax", "tmax", "auc", "t_half"))
    assert cmax is not None and tmax is not None and auc is not None and t_half is not None
    if auc.unit not in _AUC_TO_CONCENTRATION_UNIT:
        raise ValueError(f"{med.name}: AUC unit {auc.unit!r} not understood")
    auc_nM_h = _concentration_nM(auc.value, _AUC_TO_CONCENTRATION_UNIT[auc.unit], med.molecular_weight, dose_mg)
    fraction_at = None
    frac = stats["c_fraction"]
    if frac is not None:
        assert med.pk is not None
        at_h = float(med.pk["c_fraction"]["at_h"])  # hours after the dose, given with the statistic
        value = frac.value / 100.0 if frac.unit == "%" else frac.value
        fraction_at = (at_h, value)
    targets = TwoCompartmentTargets(
        cmax_nM=_concentration_nM(cmax.value, cmax.unit, med.molecular_weight, dose_mg),
        tmax_h=_hours(tmax),
        auc_nM_h=auc_nM_h,
        t_half_h=_hours(t_half),
        fraction_at=fraction_at,
    )
    ka, cl, v1, q, v2 = fit_two_compartment(med.dose_umol(dose_mg), targets)
    _, beta = two_compartment_rates(cl, v1, q, v2)

    def cite(stat: Stat) -> str:
        mid = " (midpoint of range)" if stat.from_range else ""
        return f"{stat.value:g} {stat.unit}{mid} ({stat.source}, {stat.where})"

    fitted_to = (
        f"Cmax {cite(cmax)}, tmax {cite(tmax)}, AUC {cite(auc)}, terminal t1/2 {cite(t_half)}"
        + (f", C({fraction_at[0]:g} h)/Cmax {cite(frac)}" if frac is not None and fraction_at else "")
        + f" after {dose_mg:g} mg"
    )
    basis = {
        "model": "apparent two-compartment oral model (ka, CL/F, V1/F, Q/F, V2/F)",
        "fit": "least squares in log space (scipy.optimize.least_squares) to " + fitted_to,
        "ka": "fitted (mainly fixed by tmax)",
        "v1": "fitted (mainly fixed by Cmax)",
        "cl": "fitted: CL/F = dose / AUC",
        "v2": "fitted with Q/F (fixed by the terminal half-life and the C(t)/Cmax fraction)",
        "ke": f"terminal rate constant beta = {beta:.4g} 1/h (ln2/beta = {math.log(2.0) / beta:.3g} h)",
    }
    return Derivation(
        med.name, dose_mg, ka=ka, ke=beta, cl=cl, v1=v1, basis=basis, q2=q, v2=v2, model="two_compartment"
    )


def next_morning_comparison(name: str, wake_ng_per_mL: float, morning_ng_per_mL: float) -> list[dict[str, Any]]:
    """The medicine's published next-morning data, with simulated levels compared where a number allows.

    A ``concentration_ng_per_mL`` range gives ``morning_vs_range`` (below/within/above); a
    ``threshold_ng_per_mL`` gives ``wake_vs_threshold`` and ``morning_vs_threshold`` (below/above).
    """
    out: list[dict[str, Any]] = []
    for entry in load_medicine(name).next_morning:
        item: dict[str, Any] = {
            "summary": str(entry.get("summary", "")),
            "source": str(entry.get("source", "")),
            "where": str(entry.get("where", "")),
        }
        rng = entry.get("concentration_ng_per_mL")
        if isinstance(rng, Mapping) and "low" in rng and "high" in rng:
            low, high = float(rng["low"]), float(rng["high"])
            item["concentration_ng_per_mL"] = {"low": low, "high": high}
            item["morning_vs_range"] = (
                "below" if morning_ng_per_mL < low else "above" if morning_ng_per_mL > high else "within"
            )
        threshold = entry.get("threshold_ng_per_mL")
        if isinstance(threshold, Mapping) and "value" in threshold:
            level = float(threshold["value"])
            item["threshold_ng_per_mL"] = level
            item["wake_vs_threshold"] = "above" if wake_ng_per_mL > level else "below"
            item["morning_vs_threshold"] = "above" if morning_ng_per_mL > level else "below"
        out.append(item)
    return out


def medicine_disposition(name: str) -> Disposition:
    """Apparent oral one-compartment Disposition (ka 1/h, CL/F L/h, V/F L) for a medicine."""
    return derivation(name).disposition()


def _split_spec(spec: str) -> tuple[str, float | None]:
    """'zolpidem:10mg', '10mg:zolpidem' or 'zolpidem' -> (name, mg or None).

    The side that starts like a number is the dose, so a bad amount ('zolpidem:-10mg') is reported as
    the dose it is, not as an unreadable medicine name.
    """
    left, sep, right = spec.partition(":")
    if not sep:
        return left, None
    amount_first = _looks_like_amount(left) and not _looks_like_amount(right)
    name, amount = (right, left) if amount_first else (left, right)
    if not _looks_like_amount(amount):
        raise InputError(f"cannot read {spec!r}: expected MEDICINE:DOSE, e.g. 'zolpidem:10mg'")
    what = f"dose {amount.strip()!r} of {name.strip() or 'the medicine'}"
    if amount.strip().startswith("-"):
        raise InputError(f"{what} must be greater than zero; write MEDICINE:DOSE, e.g. 'zolpidem:10mg'")
    try:
        return name, parse_mass_mg(amount, "dose")
    except InputError as err:
        raise InputError(f"cannot read {what}: {err.message}; write MEDICINE:DOSE, e.g. 'zolpidem:10mg'") from None


def _looks_like_amount(text: str) -> bool:
    return bool(re.match(r"\s*[-+]?(?:[0-9]|\.[0-9])", text))


def default_dose_note(spec: str) -> str | None:
    """'zolpidem' (no dose) -> the sentence saying which dose was used and why; None with a dose."""
    name, mg = _split_spec(spec)
    if mg is not None:
        return None
    med = load_medicine(name)
    if med.default_dose_mg is None:
        return None
    return (f"{med.name}: no dose given, so the library's default {med.default_dose_mg:g} mg (the label's "
            f"starting dose) is used; give one as {med.name}:DOSE.")


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


SEXES = ("female", "male")


def _cl_pair(node: Mapping[str, Any]) -> tuple[float, float]:
    """(female, male) apparent clearances, or an exposure ratio read as the inverse clearance ratio."""
    if "cl_female" in node:
        return float(node["cl_female"]), float(node["cl_male"])
    low, high = float(node["auc_ratio_low"]), float(node["auc_ratio_high"])
    return 1.0, (low + high) / 2.0  # AUC_f/AUC_m = CL_m/CL_f


def sex_cl_factor(name: str, sex: str | None) -> float:
    """Factor on the typical CL/F for one sex (1 for None or a medicine without a sex effect).

    ``study_mix: mixed`` (sex mix of the derivation study unknown) puts the typical model at the
    geometric middle of the two sexes; ``female``/``male`` means the typical model is that sex's.
    """
    if sex is None:
        return 1.0
    if sex not in SEXES:
        raise InputError(f"sex must be one of {', '.join(SEXES)}, got {sex!r}")
    med = load_medicine(name)
    node = (med.pk or {}).get("sex")
    if not node:
        return 1.0
    pair = node["cl_ratio_female_to_male"]
    if "values" in pair:
        pair = next(v for v in pair["values"] if v.get("source") == pair["default"])
    cl_f, cl_m = _cl_pair(pair)
    mix = str(node.get("study_mix", "mixed"))
    reference = math.sqrt(cl_f * cl_m) if mix == "mixed" else cl_f if mix == "female" else cl_m
    return (cl_f if sex == "female" else cl_m) / reference


def has_sex_effect(name: str) -> bool:
    med = load_medicine(name)
    return bool((med.pk or {}).get("sex"))


def derivation_for(name: str, sex: str | None = None) -> Derivation:
    """The typical derivation, with CL/F scaled for ``sex`` where the data give a sex effect."""
    d = derivation(name)
    factor = sex_cl_factor(name, sex)
    if factor == 1.0:
        return d
    cl = d.cl * factor
    ke = cl / d.v1 if d.model == "one_compartment" else two_compartment_rates(cl, d.v1, d.q2, d.v2)[1]
    return replace(d, cl=cl, ke=ke)


def _simulate_disposition(d: Derivation, doses: Sequence[DoseEvent], times_h: FloatArray) -> FloatArray:
    system = build_system({d.medicine: d.disposition()})
    states = propagate(system, doses, np.asarray(times_h, dtype=float))
    return concentrations_nM(system, states)[d.medicine][0]


def _measure(
    name: str, dose_mg: float, count: int, interval_h: float, sex: str | None = None, at_h: float | None = None
) -> dict[str, float]:
    """Statistics of a profile simulated with the exact engine on a 1-min grid, after the last dose.

    Cmax (nM), tmax (h), terminal half-life (h, log-linear fit to the last 30 % of the window),
    AUC0-inf (nM*h: trapezoids plus the terminal tail), C(at_h)/Cmax, and the AUC over one
    interval after the last dose divided by that after the first (accumulation).
    """
    d = derivation_for(name, sex)
    t_half = math.log(2.0) / d.ke
    last = (count - 1) * interval_h
    horizon = last + max(24.0, 10.0 * t_half)
    times = np.arange(0.0, horizon + GRID_H / 2, GRID_H)
    events = medicine_dose_events((name, dose_mg), count=count, interval_h=interval_h)
    conc = _simulate_disposition(d, events, times)
    after = times >= last - 1e-9
    t_after, c_after = times[after], conc[after]
    peak = int(np.argmax(c_after))
    tail = t_after >= last + 0.7 * (horizon - last)  # last 30 % of the window: terminal phase
    slope = float(np.polyfit(t_after[tail], np.log(c_after[tail]), 1)[0])
    out = {
        "cmax": float(c_after[peak]),
        "tmax": float(t_after[peak] - last),
        "t_half": float(-math.log(2.0) / slope),
        "auc_inf": float(np.trapezoid(c_after, t_after) + c_after[-1] / -slope),
        "cl_over_f": float(d.cl),
    }
    if at_h is not None:
        out["c_fraction"] = float(np.interp(last + at_h, times, conc) / c_after[peak])
    if count > 1:
        first = times <= interval_h + 1e-9
        window = (times >= last - 1e-9) & (times <= last + interval_h + 1e-9)
        out["accumulation_auc"] = float(
            np.trapezoid(conc[window], times[window]) / np.trapezoid(conc[first], times[first])
        )
    return out


def _row(
    study: str, compound: str, statistic: str, observed: float, predicted: float, unit: str, kind: str,
    limit: float = FOLD_LIMIT,
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
        "limit": limit,
        "kind": kind,
    }


_SEX_SUFFIX = {"_female": "female", "_male": "male"}


def _observed(med: Medicine, key: str, stat: Stat, dose_mg: float, node: Mapping[str, Any]) -> tuple[float, str]:
    """A cited statistic in the units the simulation reports (nM, h, nM*h, L/h, fraction, ratio)."""
    base = key
    for suffix in _SEX_SUFFIX:
        base = base.removesuffix(suffix)
    if base == "cmax":
        return _concentration_nM(stat.value, stat.unit, med.molecular_weight, dose_mg), "nM"
    if base in ("tmax", "t_half"):
        return _hours(stat), "h"
    if base == "auc_inf":
        unit = _AUC_TO_CONCENTRATION_UNIT[stat.unit]
        return _concentration_nM(stat.value, unit, med.molecular_weight, dose_mg), "nM*h"
    if base in ("cl", "cl_over_f"):
        return _clearance_L_per_h(stat), "L/h"
    if base == "c_fraction":
        return (stat.value / 100.0 if stat.unit == "%" else stat.value), "1"
    if base == "accumulation_auc":
        return stat.value, "1"
    raise ValueError(f"{med.name}: check statistic {key!r} not understood")


def _derivation_statistics(med: Medicine) -> list[str]:
    """The statistics the model was built from (their rows only check derivation and engine)."""
    assert med.pk is not None
    if med.pk.get("model") == "two_compartment":
        used = ["cmax", "tmax", "t_half", "auc"] + (["c_fraction"] if "c_fraction" in med.pk else [])
    elif med.pk.get("fit_to"):
        used = [str(n) for n in med.pk["fit_to"]]
    else:
        by_volume = {"cmax": ["cmax"], "cl_over_f": ["cl"], "cl_and_f": ["cl"]}
        used = ["tmax", "t_half", *by_volume.get(str(med.pk.get("volume_from", "cmax")), [])]
    return used


def validate_medicines() -> list[dict[str, Any]]:
    """Simulate each studied dose with the exact engine and compare with the sources, row by row.

    Each row says its ``kind``: ``derivation`` when the statistic also built the model (the row
    checks the fit and the engine; a fold above 1 shows how far a joint fit had to compromise),
    ``independent`` for everything else (another study, another sex, repeated dosing, the FDA
    next-morning shares), which no parameter was tuned to.
    """
    rows: list[dict[str, Any]] = []
    for name in medicine_names():
        med = load_medicine(name)
        if med.pk is None:
            continue
        dose_mg = _study_dose_mg(med)
        used = _derivation_statistics(med)
        frac = med.pk.get("c_fraction")
        sim = _measure(name, dose_mg, 1, 24.0, at_h=float(frac["at_h"]) if frac else None)
        for key in ("cmax", "tmax", "t_half", "auc", "c_fraction"):
            stat = med.stat(key)
            if stat is None or (key in ("auc", "c_fraction") and key not in used):
                continue
            kind = "derivation" if key in used else "independent"
            if key == "auc":
                auc_nM_h, to_h, _ = _auc_target(med, dose_mg)
                d = derivation(name)
                if to_h is None:
                    predicted, statistic = sim["auc_inf"], "auc_inf"
                else:
                    predicted, statistic = _auc_window(d, dose_mg, to_h), f"auc_0_{to_h:g}h"
                rows.append(_row(stat.source, name, statistic, auc_nM_h, predicted, "nM*h", kind))
                continue
            obs, unit = _observed(med, key, stat, dose_mg, med.pk[key])
            rows.append(_row(stat.source, name, key, obs, sim[key], unit, kind))
        d = derivation(name)
        for key in ("cl_over_f", "cl_and_f"):
            if key in used and med.pk.get("fit_to"):
                cl_target, _ = _cl_over_f(med, key == "cl_and_f")
                rows.append(_row(str(med.pk["cl"]["source"]), name, "cl_over_f", cl_target, d.cl, "L/h", "derivation"))
        if "v_over_f" in used:
            vol = med.stat("volume")
            assert vol is not None
            rows.append(_row(vol.source, name, "v_over_f", _volume_L(vol), d.v1, "L", "derivation"))
        for check in med.pk.get("checks") or ():
            rows.append(_check_row(med, check))
        rows += population_rows(name)
    return rows


def _auc_window(d: Derivation, dose_mg: float, to_h: float) -> float:
    times = np.arange(0.0, to_h + GRID_H / 2, GRID_H)
    conc = _simulate_disposition(d, medicine_dose_events((d.medicine, dose_mg)), times)
    return float(np.trapezoid(conc, times))


def _check_row(med: Medicine, check: Mapping[str, Any]) -> dict[str, Any]:
    """An independent row: another study's statistic, another sex, or repeated dosing."""
    stat = _resolve(check)
    key = str(check["statistic"])
    sex = next((sx for suffix, sx in _SEX_SUFFIX.items() if key.endswith(suffix)), None)
    base = key.removesuffix("_female").removesuffix("_male")
    count, interval = int(check.get("doses", 1)), float(check.get("interval_h", 24.0))
    dose_mg = float(check["dose_mg"])
    sim = _measure(med.name, dose_mg, count, interval, sex=sex, at_h=check.get("at_h"))
    sim_key = "cl_over_f" if base == "cl" else base
    obs, unit = _observed(med, key, stat, dose_mg, check)
    return _row(stat.source, med.name, key, obs, sim[sim_key], unit, "independent")


def population_rows(name: str) -> list[dict[str, Any]]:
    """Independent rows for published shares of people above a level (e.g. FDA zolpidem 2013)."""
    from kratomsim.medicine_population import share_above_after_dose

    med = load_medicine(name)
    rows: list[dict[str, Any]] = []
    for check in (med.pk or {}).get("population_checks") or ():
        for sex in SEXES:
            node = check.get(sex)
            if not node:
                continue
            observed = float(node["value"])
            share = share_above_after_dose(
                name, float(check["dose_mg"]), float(check["hours_after_dose"]),
                float(check["threshold_ng_per_mL"]), sex=sex,
            )
            statistic = f"share_above_{check['threshold_ng_per_mL']:g}ng_per_mL_{check['hours_after_dose']:g}h_{sex}"
            predicted = max(100.0 * share, 1e-6)
            rows.append(_row(str(node["source"]), name, statistic, observed, predicted, "%", "independent"))
    return rows
