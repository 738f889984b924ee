"""Each medicine's apparent oral model (ka, CL/F, V/F or a two-compartment set), derived from its cited statistics.

The derivation is shown, not hidden: :func:`derivation` says which statistic fixed each parameter.
ke = ln 2 / t1/2 and ka from tmax, with V/F from Cmax, a reported volume or CL/F (``volume_from``);
or a joint one-compartment fit (``fit_to``); or, with ``model: two_compartment``, a fit of five
parameters to Cmax, tmax, AUC, the terminal half-life and a C(t)/Cmax fraction. Sex effects on
CL/F (:func:`sex_cl_factor`) scale the typical model.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, replace
from functools import cache
from typing import Any

from kratomsim.errors import InputError
from kratomsim.medicines_data import ASSUMED_REFERENCE_DOSE_MG, Medicine, Stat, load_medicine
from kratomsim.medicines_fit import (
    OneCompartmentTargets,
    TwoCompartmentTargets,
    bateman_shape,
    fit_one_compartment,
    fit_two_compartment,
    solve_ka,
    two_compartment_rates,
)
from kratomsim.pk.model import Disposition
from kratomsim.units import concentration_nM

REFERENCE_WEIGHT_KG = 70.0
"""Converts per-kg volumes and clearances (L/kg, mL/min/kg) to an adult; assumption."""
SEXES = ("female", "male")


_TIME_TO_H = {"h": 1.0, "min": 1.0 / 60.0}


_VOLUME_UNITS = {"L", "L/kg"}


_CLEARANCE_TO_L_PER_H = {"L/h": 1.0, "mL/min": 60.0 / 1000.0}


AUC_TO_CONCENTRATION_UNIT = {"ng*h/mL": "ng/mL", "ug*h/mL": "ug/mL", "nM*h": "nM", "uM*h": "uM"}


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


def hours_of(stat: Stat) -> float:
    if stat.unit not in _TIME_TO_H:
        raise ValueError(f"time unit {stat.unit!r} not understood")
    return stat.value * _TIME_TO_H[stat.unit]


def reported_nM(value: float, unit: str, mw: float, dose_mg: float) -> float:
    """Concentration as reported -> nM (dose-normalised units are multiplied by the dose)."""
    if unit == "nM/mg":
        return value * dose_mg
    return concentration_nM(value, unit, mw)


def volume_L(stat: Stat) -> float:
    if stat.unit not in _VOLUME_UNITS:
        raise ValueError(f"volume unit {stat.unit!r} not understood")
    return stat.value * (REFERENCE_WEIGHT_KG if stat.unit == "L/kg" else 1.0)


def clearance_L_per_h(stat: Stat) -> float:
    if stat.unit == "mL/min/kg":
        return stat.value * REFERENCE_WEIGHT_KG * 60.0 / 1000.0
    if stat.unit not in _CLEARANCE_TO_L_PER_H:
        raise ValueError(f"clearance unit {stat.unit!r} not understood")
    return stat.value * _CLEARANCE_TO_L_PER_H[stat.unit]


def study_dose_mg(med: Medicine) -> float:
    assert med.pk is not None
    if med.pk.study is not None and med.pk.study.dose_mg is not None:
        return med.pk.study.dose_mg
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
    dose_mg = study_dose_mg(med)
    if med.pk.model == "two_compartment":
        return _derive_two_compartment(med, dose_mg)
    if med.pk.fit_to:
        return _derive_joint(med, dose_mg)
    ke = math.log(2.0) / hours_of(t_half)
    ka = solve_ka(hours_of(tmax), ke)
    basis = {
        "ke": f"ln2 / t1/2 = ln2 / {hours_of(t_half):g} h ({t_half.source}, {t_half.where})",
        "ka": f"solved from tmax = {hours_of(tmax):g} h{' (midpoint of range)' if tmax.from_range else ''}"
        f" ({tmax.source}, {tmax.where})",
    }
    v1, basis["v1"] = _volume(med, med.pk.volume_from or "cmax", ka, ke, hours_of(tmax), dose_mg)
    basis["cl"] = "CL/F = ke * V/F"
    if med.name in ASSUMED_REFERENCE_DOSE_MG:
        basis["dose"] = f"assumed reference dose {dose_mg:g} mg (source reports a dose-normalised Cmax)"
    return Derivation(med.name, dose_mg, ka=ka, ke=ke, cl=ke * v1, v1=v1, basis=basis)


def _needed(med: Medicine, key: str, why: str) -> Stat:
    stat = med.stat(key)
    if stat is None:
        raise ValueError(f"{med.name}: {why}")
    return stat


def _over_oral_f(med: Medicine, value: float, text: str, method: str, with_where: bool) -> tuple[float, str]:
    """A volume or clearance divided by the cited oral F, and the text saying so."""
    f = _needed(med, "oral_f", f"volume_from {method} needs an oral F")
    cited = f"{f.source}, {f.where}" if with_where else f.source
    return value / f.value, f"{text} divided by oral F {f.value:g} ({cited})"


def _per_kg_note(unit: str) -> str:
    """The note a per-kg value gets (scaled to the reference adult), else nothing."""
    return f"; per-kg value scaled to the assumed {REFERENCE_WEIGHT_KG:g} kg" if unit.endswith("/kg") else ""


def _volume(med: Medicine, method: str, ka: float, ke: float, tmax_h: float, dose_mg: float) -> tuple[float, str]:
    """V/F and how it was found: from Cmax, a reported volume (with an oral F) or CL/F (with F) and ke."""
    if method == "cmax":
        cmax = _needed(med, "cmax", "volume_from cmax needs a Cmax")
        cmax_nM = reported_nM(cmax.value, cmax.unit, med.molecular_weight, dose_mg)
        v1 = med.dose_umol(dose_mg) * 1000.0 / cmax_nM * bateman_shape(ka, ke, tmax_h)
        return v1, f"V/F from Cmax {cmax.value:g} {cmax.unit} after {dose_mg:g} mg ({cmax.source}, {cmax.where})"
    if method in ("v_over_f", "v_and_f"):
        vol = _needed(med, "volume", f"volume_from {method} needs a volume")
        v1, text = volume_L(vol), f"V/F = {vol.value:g} {vol.unit} ({vol.source}, {vol.where})"
        if method == "v_and_f":
            v1, text = _over_oral_f(med, v1, text, method, with_where=True)
        return v1, text + _per_kg_note(vol.unit)
    if method in ("cl_over_f", "cl_and_f"):
        cl_stat = _needed(med, "cl", f"volume_from {method} needs a clearance")
        cl_f = clearance_L_per_h(cl_stat)
        text = f"CL/F = {cl_stat.value:g} {cl_stat.unit} ({cl_stat.source}, {cl_stat.where})"
        if method == "cl_and_f":
            cl_f, text = _over_oral_f(med, cl_f, text, method, with_where=False)
        return cl_f / ke, f"V/F = (CL/F) / ke with {text + _per_kg_note(cl_stat.unit)}"
    raise ValueError(f"{med.name}: unknown volume_from {method!r}")


JOINT_STATISTICS = ("cmax", "tmax", "t_half", "auc", "cl_over_f", "cl_and_f", "v_over_f")
"""What a ``fit_to`` list may name: the statistics a joint one-compartment fit reproduces together."""


def _cite(stat: Stat) -> str:
    mid = " (midpoint of range)" if stat.from_range else ""
    return f"{stat.value:g} {stat.unit}{mid} ({stat.source}, {stat.where})"


def auc_target(med: Medicine, dose_mg: float) -> tuple[float, float | None, str]:
    """The cited AUC in nM*h, the end of its interval (None: to infinity) and how it was read."""
    auc = med.stat("auc")
    if auc is None:
        raise ValueError(f"{med.name}: fit_to names auc but the data gives none")
    if auc.unit not in AUC_TO_CONCENTRATION_UNIT:
        raise ValueError(f"{med.name}: AUC unit {auc.unit!r} not understood")
    value = reported_nM(auc.value, AUC_TO_CONCENTRATION_UNIT[auc.unit], med.molecular_weight, dose_mg)
    assert med.pk is not None
    interval = str(med.pk.extra("auc", "interval", "0-inf")).replace(" ", "").removesuffix("h")
    to_h = None if interval.endswith("inf") else float(interval.split("-")[1])
    return value, to_h, f"AUC{'0-inf' if to_h is None else f'0-{to_h:g} h'} {_cite(auc)}"


def cl_over_f_target(med: Medicine, with_f: bool) -> tuple[float, str]:
    cl_stat = med.stat("cl")
    if cl_stat is None:
        raise ValueError(f"{med.name}: fit_to names a clearance but the data gives none")
    cl = clearance_L_per_h(cl_stat)
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
    assert med.pk is not None and med.pk.fit_to is not None
    names = [str(n) for n in med.pk.fit_to]
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
        cmax_nM = reported_nM(cmax.value, cmax.unit, med.molecular_weight, dose_mg)
        used.append(f"Cmax {_cite(cmax)}")
    if "auc" in names:
        auc_nM_h, auc_to, text = auc_target(med, dose_mg)
        used.append(text)
    for key in ("cl_over_f", "cl_and_f"):
        if key in names:
            cl, text = cl_over_f_target(med, key == "cl_and_f")
            auc_nM_h, auc_to = dose_umol * 1000.0 / cl, None
            used.append(f"AUC = dose / (CL/F) with {text}")
    if "v_over_f" in names:
        vol = med.stat("volume")
        assert vol is not None
        volume = volume_L(vol)
        used.append(f"V/F {_cite(vol)}")
    targets = OneCompartmentTargets(
        tmax_h=hours_of(tmax), t_half_h=hours_of(t_half), cmax_nM=cmax_nM, auc_nM_h=auc_nM_h,
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
    if any(str(getattr(med.pk.statistic(k), "unit", "")).endswith("/kg") for k in ("cl", "volume")):
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
    if auc.unit not in AUC_TO_CONCENTRATION_UNIT:
        raise ValueError(f"{med.name}: AUC unit {auc.unit!r} not understood")
    auc_nM_h = reported_nM(auc.value, AUC_TO_CONCENTRATION_UNIT[auc.unit], med.molecular_weight, dose_mg)
    fraction_at = None
    frac = stats["c_fraction"]
    if frac is not None:
        assert med.pk is not None
        at_h = float(med.pk.extra("c_fraction", "at_h"))  # hours after the dose, given with the statistic
        value = frac.value / 100.0 if frac.unit == "%" else frac.value
        fraction_at = (at_h, value)
    targets = TwoCompartmentTargets(
        cmax_nM=reported_nM(cmax.value, cmax.unit, med.molecular_weight, dose_mg),
        tmax_h=hours_of(tmax),
        auc_nM_h=auc_nM_h,
        t_half_h=hours_of(t_half),
        fraction_at=fraction_at,
    )
    ka, cl, v1, q, v2 = fit_two_compartment(med.dose_umol(dose_mg), targets)
    _, beta = two_compartment_rates(cl, v1, q, v2)

    fitted_to = (
        f"Cmax {_cite(cmax)}, tmax {_cite(tmax)}, AUC {_cite(auc)}, terminal t1/2 {_cite(t_half)}"
        + (f", C({fraction_at[0]:g} h)/Cmax {_cite(frac)}" if frac is not None and fraction_at else "")
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


def medicine_disposition(name: str) -> Disposition:
    """Apparent oral one-compartment Disposition (ka 1/h, CL/F L/h, V/F L) for a medicine."""
    return derivation(name).disposition()


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
    node = med.pk.sex if med.pk is not None else None
    if node is None:
        return 1.0
    pair = node.cl_ratio_female_to_male
    if "values" in pair:
        pair = next(v for v in pair["values"] if v.get("source") == pair["default"])
    cl_f, cl_m = _cl_pair(pair)
    mix = node.study_mix
    reference = math.sqrt(cl_f * cl_m) if mix == "mixed" else cl_f if mix == "female" else cl_m
    return (cl_f if sex == "female" else cl_m) / reference


def has_sex_effect(name: str) -> bool:
    med = load_medicine(name)
    return med.pk is not None and med.pk.sex is not None


def derivation_for(name: str, sex: str | None = None) -> Derivation:
    """The typical derivation, with CL/F scaled for ``sex`` where the data give a sex effect."""
    d = derivation(name)
    factor = sex_cl_factor(name, sex)
    if factor == 1.0:
        return d
    cl = d.cl * factor
    ke = cl / d.v1 if d.model == "one_compartment" else two_compartment_rates(cl, d.v1, d.q2, d.v2)[1]
    return replace(d, cl=cl, ke=ke)
