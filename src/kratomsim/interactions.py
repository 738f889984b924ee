"""What kratom does to medicines taken the same night: CYP3A4 and CYP2D6 inhibition by mitragynine.

Two models, both from in vitro inhibition constants (``data/cyp_inhibition.yaml``), neither fitted to
any clinical interaction study:

* the **mechanistic static model** of the FDA 2020 in vitro DDI guidance, gut and liver apart::

      AUCR = 1 / (Ag Bg Cg (1 - Fg) + Fg)  x  1 / (Ah Bh Ch fm + (1 - fm))

  with A the time-dependent (TDI) term kdeg / (kdeg + kinact I / (KI + I)), B induction (1 here)
  and C the reversible term 1 / (1 + I / Ki) (the guidance's letters);
* a **dynamic** model: enzyme turnover dE/dt = kdeg (1 - E) - kinact I / (KI + I) E stepped exactly
  over the simulated mitragynine time course of a nightly regimen, the victim's clearance scaled by
  the active enzyme fraction and by reversible inhibition at the time it is taken.

It predicts exposure ratios; it says nothing about what anyone should take.
"""

from __future__ import annotations

import contextlib
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime, time
from functools import cache
from typing import Any

import numpy as np
from numpy.typing import NDArray

from kratomsim.datafiles import load_data_file
from kratomsim.errors import InputError, known_list
from kratomsim.plasma_binding import binding

FloatArray = NDArray[np.float64]

DATA_FILE = "cyp_inhibition.yaml"
MEDICINES_FILE = "medicines.yaml"
INHIBITOR = "mitragynine"
ENZYMES = ("CYP3A4", "CYP2D6")

# ------------------------------------------------------------------------------------------------
# Named assumptions. These are the FDA 2020 in vitro DDI guidance defaults for the inhibitor's
# hepatic inlet and gut concentrations. They are not in the data library because the guidance has
# no DOI or PMID; every output lists them, and docs/interactions.md shows their effect.
GUIDANCE_KA_PER_H = 6.0  # absorption rate constant 0.1/min when the inhibitor's own is unknown
GUIDANCE_QH_L_PER_H = 97.0  # hepatic blood flow, 70 kg
GUIDANCE_FA_FG = 1.0  # fraction absorbed x gut availability of the inhibitor (worst case)
GUT_LUMEN_L = 0.25  # basic screen only: Igut = dose / 250 mL
GUIDANCE_QEN_L_PER_H = 18.0  # enterocytic blood flow (mechanistic static model: Igut = Fa ka Dose / Qen)
# Our own assumptions. The inhibitor's fu and blood-to-plasma ratio (and their ranges) are the ones
# receptors use too: kratomsim.plasma_binding.
ABSORPTION_WINDOW_H = 2.0  # the victim meets the gut wall over its first 2 h (dynamic model)
DEFAULT_VICTIM_HALF_LIFE_H = 3.0  # weights hepatic activity after the victim dose if its own is unknown
DEFAULT_WAKE = time(7, 0)

ASSUMPTIONS = (
    "Inhibitor: mitragynine only; no published CYP3A4/CYP2D6 constants were found for the other "
    "alkaloids, so their contribution is missing (an under-estimate).",
    "FDA 2020 guidance mechanistic static model inputs: hepatic blood flow 97 L/h, enterocytic blood "
    "flow 18 L/h, absorption rate 0.1/min (static model), Fa x Fg of mitragynine 1, blood-to-plasma "
    "ratio 1; gut-wall concentration = Fa ka Dose / Qen (dose / 250 mL is the basic screen only).",
    "Plasma fu and blood-to-plasma ratio of mitragynine from kratomsim.plasma_binding (shared with "
    "receptors): fu 0.031 back-calculated from a review table, range 0.0155-0.15 (the upper end from "
    "'> 85 % bound'); B:P 1 (stated prior, no published value).",
    "Inhibition constants are total (not corrected for microsomal binding, which was not found).",
    "Cmax ratio: gut term only (the change in first-pass intestinal availability).",
)


# ------------------------------------------------------------------------------------ equations


def reversible_term(conc_uM: float | FloatArray, ki_uM: float) -> Any:
    """C = 1 / (1 + [I]/Ki): fraction of enzyme activity left by competitive inhibition."""
    return 1.0 / (1.0 + np.asarray(conc_uM, dtype=float) / ki_uM)


def inactivation_rate(conc_uM: float | FloatArray, ki_uM: float, kinact_per_h: float) -> Any:
    """kobs = kinact [I] / (KI + [I]), per hour."""
    conc = np.asarray(conc_uM, dtype=float)
    return kinact_per_h * conc / (ki_uM + conc)


def tdi_term(conc_uM: float, ki_uM: float, kinact_per_h: float, kdeg_per_h: float) -> float:
    """A = kdeg / (kdeg + kobs): steady-state active enzyme fraction under time-dependent inhibition."""
    kobs = float(inactivation_rate(conc_uM, ki_uM, kinact_per_h))
    return kdeg_per_h / (kdeg_per_h + kobs)


def gut_ratio(fg: float, activity: float) -> float:
    """1 / (x (1 - Fg) + Fg), x = Ag Bg Cg: how much more of the victim escapes the gut wall."""
    return 1.0 / (activity * (1.0 - fg) + fg)


def liver_ratio(fm: Mapping[str, float], activity: Mapping[str, float]) -> float:
    """1 / (sum fm_i x_i + (1 - sum fm_i)), x_i = Ah Bh Ch for each enzyme the victim uses."""
    total = sum(fm.values())
    return 1.0 / (sum(f * activity.get(e, 1.0) for e, f in fm.items()) + (1.0 - total))


def mechanistic_static_aucr(
    fm: Mapping[str, float], fg: float, gut_activity: float, liver_activity: Mapping[str, float]
) -> tuple[float, float, float]:
    """(AUCR, gut term, liver term) of the guidance's mechanistic static model."""
    g = gut_ratio(fg, gut_activity)
    h = liver_ratio(fm, liver_activity)
    return g * h, g, h


def hepatic_inlet_unbound_uM(
    cmax_uM: float,
    dose_umol: float,
    fu: float,
    ka_per_h: float = GUIDANCE_KA_PER_H,
    qh_L_per_h: float = GUIDANCE_QH_L_PER_H,
    fa_fg: float = GUIDANCE_FA_FG,
    rb: float = 1.0,
) -> float:
    """Unbound hepatic inlet Cmax: fu (Cmax + Fa Fg ka Dose / Qh / Rb), per the guidance."""
    return fu * (cmax_uM + fa_fg * ka_per_h * dose_umol / qh_L_per_h / rb)


def gut_lumen_uM(dose_umol: float) -> float:
    """Basic-screen gut concentration, Igut = dose / 250 mL (a screen, not a prediction)."""
    return dose_umol / GUT_LUMEN_L


def gut_wall_uM(dose_umol: float, ka_per_h: float = GUIDANCE_KA_PER_H, fa: float = 1.0) -> float:
    """Mechanistic-static gut-wall concentration, Igut = Fa ka Dose / Qen (FDA 2020 guidance)."""
    return fa * ka_per_h * dose_umol / GUIDANCE_QEN_L_PER_H


def step_enzyme(
    times_h: FloatArray,
    conc_uM: FloatArray,
    ki_uM: float,
    kinact_per_h: float,
    kdeg_per_h: float,
    e0: float = 1.0,
) -> FloatArray:
    """Active enzyme fraction over time: dE/dt = kdeg (1 - E) - kobs(I) E, stepped exactly.

    On each step the concentration is held at the mean of its two ends; the linear ODE is then
    solved in closed form, so the only error is that piecewise-constant input.
    """
    times = np.asarray(times_h, dtype=float)
    conc = np.asarray(conc_uM, dtype=float)
    enzyme = np.empty_like(times)
    enzyme[0] = e0
    kobs = inactivation_rate(0.5 * (conc[1:] + conc[:-1]), ki_uM, kinact_per_h)
    rate = kdeg_per_h + kobs
    e_inf = kdeg_per_h / rate
    decay = np.exp(-rate * np.diff(times))
    for i in range(len(times) - 1):
        enzyme[i + 1] = e_inf[i] + (enzyme[i] - e_inf[i]) * decay[i]
    return enzyme


# ----------------------------------------------------------------------------------- parameters


@dataclass(frozen=True)
class TDI:
    """Time-dependent inhibition constants at one site (uM, 1/h)."""

    ki_uM: float
    kinact_per_h: float


@dataclass(frozen=True)
class InhibitionParameters:
    """One set of mitragynine inhibition constants, enzyme turnover and binding.

    ``central``, ``weakest`` and ``strongest`` sets span the spread across sources and the fu range.
    """

    ki_uM: dict[str, float]
    tdi: dict[str, dict[str, TDI]]
    kdeg_per_h: dict[str, dict[str, float]]
    fu: float
    label: str = "central"
    rb: float = 1.0  # blood-to-plasma ratio of the inhibitor (the hepatic inlet term divides by it)


@dataclass(frozen=True)
class Victim:
    """A medicine whose clearance kratom may inhibit: fractions metabolised and gut availability."""

    name: str
    fm: dict[str, float]
    fg: float = 1.0
    fm_range: tuple[dict[str, float], dict[str, float]] | None = None
    fg_range: tuple[float, float] | None = None
    active_metabolite: str | None = None  # formed by a CYP2D6/CYP3A4 pathway (prodrugs)
    active_enzyme: str | None = None
    half_life_h: float | None = None
    pk: dict[str, float] | None = None  # ka (1/h), cl_over_f (L/h), v_over_f (L), mw (g/mol)
    typical_dose_mg: float | None = None
    sources: tuple[str, ...] = ()
    note: str = ""

    @property
    def enzymes(self) -> tuple[str, ...]:
        return tuple(e for e in self.fm if self.fm[e] > 0)


def _num(cell: Any, key: str = "value") -> float:
    if isinstance(cell, Mapping):
        for k in (key, "value", "median", "mean"):
            if k in cell and isinstance(cell[k], int | float):
                return float(cell[k])
    if isinstance(cell, int | float) and not isinstance(cell, bool):
        return float(cell)
    raise KeyError(key)


@cache
def _data() -> dict[str, Any]:
    return load_data_file(DATA_FILE)


def _half_life_to_kdeg(h: float) -> float:
    return math.log(2.0) / h


@cache
def parameter_sets() -> dict[str, InhibitionParameters]:
    """The central, weakest and strongest inhibition sets, read from the data file."""
    mg = _data()["inhibitors"][INHIBITOR]
    enz = _data()["enzymes"]
    ki_central: dict[str, float] = {}
    ki_low: dict[str, float] = {}
    ki_high: dict[str, float] = {}
    for enzyme, block in mg["reversible"].items():
        values = block["values"]
        chosen = next(v for v in values if v["source"] == block["default"])
        ki_central[enzyme] = float(chosen["value"])
        ki_low[enzyme] = min(float(v["value"]) for v in values)  # strongest inhibition
        ki_high[enzyme] = max(float(v["value"]) for v in values)  # weakest
    tdi_c: dict[str, dict[str, TDI]] = {}
    tdi_s: dict[str, dict[str, TDI]] = {}
    tdi_w: dict[str, dict[str, TDI]] = {}
    for enzyme, sites in mg.get("time_dependent", {}).items():
        for site, p in sites.items():
            ki, ki_sd = _num(p["KI"]), float(p["KI"].get("sd", 0.0))
            kin, kin_sd = _num(p["kinact"]), float(p["kinact"].get("sd", 0.0))
            tdi_c.setdefault(enzyme, {})[site] = TDI(ki, kin * 60.0)
            tdi_s.setdefault(enzyme, {})[site] = TDI(max(ki - ki_sd, 1e-6), (kin + kin_sd) * 60.0)
            tdi_w.setdefault(enzyme, {})[site] = TDI(ki + ki_sd, max(kin - kin_sd, 0.0) * 60.0)
    kd_c: dict[str, dict[str, float]] = {}
    kd_s: dict[str, dict[str, float]] = {}
    kd_w: dict[str, dict[str, float]] = {}
    for enzyme, sites in enz.items():
        for site, p in sites.items():
            hl = p["half_life"]
            centre = _num(hl)
            longest = float(hl.get("high", centre + float(hl.get("sd", 0.0))))
            shortest = float(hl.get("low", max(centre - float(hl.get("sd", 0.0)), centre / 3.0)))
            kd_c.setdefault(enzyme, {})[site] = _half_life_to_kdeg(centre)
            kd_s.setdefault(enzyme, {})[site] = _half_life_to_kdeg(longest)  # slow recovery: stronger
            kd_w.setdefault(enzyme, {})[site] = _half_life_to_kdeg(shortest)
    b = binding(INHIBITOR)
    return {
        "central": InhibitionParameters(ki_central, tdi_c, kd_c, b.fu, "central", b.bp),
        "strongest": InhibitionParameters(ki_low, tdi_s, kd_s, b.fu_high, "strongest", b.bp_low),
        "weakest": InhibitionParameters(ki_high, tdi_w, kd_w, b.fu_low, "weakest", b.bp_high),
    }


def inhibitor_molecular_weight() -> float:
    return _num(_data()["inhibitors"][INHIBITOR]["molecular_weight"])


def data_sources() -> list[str]:
    """Keys of the references behind the interaction data (for a report's citation list)."""
    from kratomsim.datafiles import used_references

    content = _data()
    return sorted(used_references({k: v for k, v in content.items() if k != "references"}))


# -------------------------------------------------------------------------------------- victims


def _own_victim(name: str, entry: Mapping[str, Any]) -> Victim:
    enzyme = str(entry["substrate_of"])
    fm_cell = entry["fm"]
    fm = _num(fm_cell)
    fm_lo = float(fm_cell.get("low", fm))
    fm_hi = float(fm_cell.get("high", fm))
    fg, fg_range = 1.0, None
    if "fg" in entry:
        fg = _num(entry["fg"])
        fg_range = (float(entry["fg"].get("low", fg)), float(entry["fg"].get("high", fg)))
    sources = tuple(sorted({str(c["source"]) for c in (entry.get("fm"), entry.get("fg")) if c}))
    return Victim(
        name=name,
        fm={enzyme: fm},
        fg=fg,
        fm_range=({enzyme: fm_lo}, {enzyme: fm_hi}),
        fg_range=fg_range,
        sources=sources,
    )


@cache
def _medicines() -> dict[str, Any]:
    """The medicines library written alongside (victim PK and pathways), if present."""
    try:
        content = load_data_file(MEDICINES_FILE)
    except (FileNotFoundError, OSError, ValueError):
        return {}
    for key in ("medicines", "drugs", "comparators"):
        if isinstance(content.get(key), Mapping):
            return {str(k).lower(): v for k, v in content[key].items()}
    return {}


def _find(entry: Mapping[str, Any], *keys: str) -> Any:
    for key in keys:
        if key in entry:
            return entry[key]
    for nested in ("pathways", "pk", "pharmacokinetics", "parameters", "metabolism", "interactions", "pk_facts"):
        inner = entry.get(nested)
        if isinstance(inner, Mapping):
            for key in keys:
                if key in inner:
                    return inner[key]
    return None


def _enzyme_name(key: Any) -> str:
    return str(key).upper().replace("CYP3A4", "CYP3A").replace("CYP3A", "CYP3A4")


def fm_from_auc_ratio(auc_ratio: float) -> float:
    """Fraction metabolised by an enzyme from the AUC ratio its complete inhibition causes.

    With the enzyme fully blocked, AUCR = 1 / (1 - fm), so fm = 1 - 1/AUCR. A clinical inhibitor
    rarely blocks completely (and a genetic poor-metaboliser comparison is the only true "complete
    block"), so the result is a lower bound; an AUCR below 1 gives 0.
    """
    if not auc_ratio > 0:
        raise ValueError(f"AUC ratio must be positive, got {auc_ratio!r}")
    return max(0.0, 1.0 - 1.0 / auc_ratio)


def reported_auc_ratio(cell: Mapping[str, Any]) -> tuple[float, float, float]:
    """(AUCR, low, high) from a cited inhibitor study, in any of the forms the data file uses.

    ``value`` (an AUC ratio as reported, with optional ``low``/``high``), ``auc_without`` and
    ``auc_with``, ``cl_without`` and ``cl_with`` (apparent oral clearances: AUCR = CL ratio), or
    ``cl_reduction_percent`` (AUCR = 1 / (1 - reduction)).
    """
    if "auc_with" in cell and "auc_without" in cell:
        r = float(cell["auc_with"]) / float(cell["auc_without"])
        return r, r, r
    if "cl_with" in cell and "cl_without" in cell:
        r = float(cell["cl_without"]) / float(cell["cl_with"])
        return r, r, r
    if "cl_reduction_percent" in cell:
        r = 1.0 / (1.0 - float(cell["cl_reduction_percent"]) / 100.0)
        return r, r, r
    r = _num(cell)
    return r, float(cell.get("low", r)), float(cell.get("high", r))


def _fm_from(cell: Any) -> dict[str, tuple[float, float, float]]:
    """fm per enzyme with its (low, high) range from an ``fm:`` mapping."""
    out: dict[str, tuple[float, float, float]] = {}
    if isinstance(cell, Mapping):
        for enzyme, value in cell.items():
            name = _enzyme_name(enzyme)
            if name in ENZYMES:
                try:
                    v = _num(value)
                except KeyError:
                    continue
                lo = float(value.get("low", v)) if isinstance(value, Mapping) else v
                hi = float(value.get("high", v)) if isinstance(value, Mapping) else v
                out[name] = (v, lo, hi)
    return out


def _fm_from_auc_ratios(cell: Any) -> dict[str, tuple[float, float, float]]:
    """fm per enzyme derived as 1 - 1/AUCR from cited inhibitor (or poor-metaboliser) AUC ratios."""
    out: dict[str, tuple[float, float, float]] = {}
    if isinstance(cell, Mapping):
        for enzyme, value in cell.items():
            name = _enzyme_name(enzyme)
            if name in ENZYMES and isinstance(value, Mapping):
                r, lo, hi = reported_auc_ratio(value)
                out[name] = (fm_from_auc_ratio(r), fm_from_auc_ratio(lo), fm_from_auc_ratio(hi))
    return out


def _cited_sources(*cells: Any) -> set[str]:
    found: set[str] = set()
    for cell in cells:
        if isinstance(cell, Mapping):
            if "source" in cell:
                found.add(str(cell["source"]))
            for value in cell.values():
                found |= _cited_sources(value)
    return found


def _library_victim(name: str, entry: Mapping[str, Any]) -> Victim | None:
    """Read fm/Fg/PK from a medicines.yaml entry (shape documented in docs/interactions.md)."""
    fm_cell = _find(entry, "fm", "fraction_metabolised", "fraction_metabolized")
    ratio_cell = _find(entry, "inhibitor_auc_ratio", "auc_ratio_with_inhibitor")
    fms = _fm_from_auc_ratios(ratio_cell)
    fms.update(_fm_from(fm_cell))  # a directly reported fm wins over one derived from an AUC ratio
    for enzyme in ENZYMES:
        cell = _find(entry, f"fm_{enzyme.lower()}", f"fm_{enzyme}")
        if cell is not None:
            v = _num(cell)
            lo = float(cell.get("low", v)) if isinstance(cell, Mapping) else v
            hi = float(cell.get("high", v)) if isinstance(cell, Mapping) else v
            fms[enzyme] = (v, lo, hi)
    active = _find(entry, "active_metabolite", "prodrug")
    active_name = active_enzyme = None
    if isinstance(active, Mapping):
        active_name = str(active.get("name", active.get("metabolite", "active metabolite")))
        active_enzyme = _enzyme_name(active.get("enzyme", "CYP2D6"))
        if "fm" in active and active_enzyme not in fms:
            v = _num(active["fm"])
            fms[active_enzyme] = (v, v, v)
    if not fms:
        return None
    fm = {e: v[0] for e, v in fms.items()}
    fm_range = ({e: v[1] for e, v in fms.items()}, {e: v[2] for e, v in fms.items()})
    fg_cell = _find(entry, "fg", "fg_cyp3a4", "f_g")
    fg = _num(fg_cell) if fg_cell is not None else 1.0
    fg_range = None
    if isinstance(fg_cell, Mapping):
        fg_range = (float(fg_cell.get("low", fg)), float(fg_cell.get("high", fg)))
    pk: dict[str, float] = {}
    for key, names in {
        "ka": ("ka",),
        "cl_over_f": ("cl_over_f", "cl_f"),
        "v_over_f": ("v_over_f", "v1_over_f", "vz_over_f"),
        "mw": ("molecular_weight", "mw"),
    }.items():
        cell = _find(entry, *names)
        if cell is not None:
            with contextlib.suppress(KeyError):
                pk[key] = _num(cell)
    half_life = _find(entry, "t_half", "half_life", "effective_t_half")
    dose = _find(entry, "typical_dose", "bedtime_dose", "dose")
    try:
        hl = _num(half_life) if half_life is not None else None
    except KeyError:
        hl = None
    try:
        dose_mg = _num(dose) if dose is not None else None
    except KeyError:
        dose_mg = None
    sources = _cited_sources(fm_cell, ratio_cell, fg_cell, active) | {
        str(c["source"])
        for e in ENZYMES
        if isinstance(c := _find(entry, f"fm_{e.lower()}", f"fm_{e}"), Mapping) and "source" in c
    }
    return Victim(
        name=name,
        fm=fm,
        fg=fg,
        fm_range=fm_range,
        fg_range=fg_range,
        active_metabolite=active_name,
        active_enzyme=active_enzyme,
        half_life_h=hl,
        pk=pk if {"ka", "cl_over_f", "v_over_f"} <= set(pk) else None,
        typical_dose_mg=dose_mg,
        sources=tuple(sorted(sources)) or ("medicines.yaml",),
    )


def _medicine_pk(name: str) -> tuple[dict[str, float] | None, float | None, str]:
    """Apparent one-compartment PK and default dose from kratomsim.medicines, when it has them."""
    try:
        from kratomsim import medicines

        med = medicines.load_medicine(name)
        dose = med.default_dose_mg
        if not med.has_model or medicines.derivation(med.name).model != "one_compartment":
            return None, dose, med.name  # a two-compartment model has no one-compartment equivalent here
        d = medicines.medicine_disposition(med.name)
        pk = {
            "ka": float(np.ravel(d.ka)[0]),
            "cl_over_f": float(np.ravel(d.cl)[0]),
            "v_over_f": float(np.ravel(d.v1)[0]),
            "base_fraction": med.base_fraction,
        }
        return pk, dose, med.name
    except Exception:  # no medicines library, or no model for this medicine
        return None, None, name


@cache
def victims() -> dict[str, Victim]:
    """Every medicine with a cited CYP3A4/CYP2D6 pathway: medicines.yaml first, then our own file."""
    found: dict[str, Victim] = {}
    for name, entry in _medicines().items():
        if isinstance(entry, Mapping):
            victim = _library_victim(name, entry)
            if victim is not None:
                found[name] = victim
    for name, entry in _data().get("victims", {}).items():
        own = _own_victim(name, entry)
        if name in found:
            lib = found[name]
            found[name] = replace(
                lib,
                fm=lib.fm or own.fm,
                fg=lib.fg if lib.fg != 1.0 else own.fg,
                fm_range=lib.fm_range or own.fm_range,
                fg_range=lib.fg_range or own.fg_range,
                sources=tuple(sorted(set(lib.sources) | set(own.sources))),
            )
        else:
            found[name] = own
    for name, victim in list(found.items()):
        pk, dose, _ = _medicine_pk(name)
        if pk is not None or dose is not None:
            half_life = victim.half_life_h
            if pk is not None and half_life is None:
                half_life = math.log(2.0) * pk["v_over_f"] / pk["cl_over_f"]
            found[name] = replace(
                victim,
                pk=pk or victim.pk,
                typical_dose_mg=victim.typical_dose_mg or dose,
                half_life_h=half_life,
            )
    return dict(sorted(found.items()))


def known_victims() -> list[str]:
    """Names of every victim the model can predict for."""
    return list(victims())


def medicines_without_pathway() -> list[str]:
    """Medicines in the library with no cited CYP3A4/CYP2D6 fraction (no prediction possible)."""
    return sorted(set(_medicines()) - set(victims()))


def get_victim(name: str) -> Victim:
    """A victim by name; an unknown name is an InputError listing the known ones."""
    key = name.strip().lower().replace(" ", "_").replace("-", "_")
    known = victims()
    if key in known:
        return known[key]
    for pool in (known, _medicines()):
        prefixed = [n for n in pool if n.split("_")[0] == key]
        if len(prefixed) == 1:
            key = prefixed[0]
            if key in known:
                return known[key]
    if key in _medicines():
        raise InputError(
            f"{name!r} is in the medicines library but has no cited CYP3A4/CYP2D6 fraction "
            f"metabolised, so no interaction can be predicted; victims with one: {known_list(list(known))}"
        )
    raise InputError(f"unknown victim {name!r}; known victims: {known_list(list(known))}")


# ---------------------------------------------------------------------------------- predictions


@dataclass(frozen=True)
class Prediction:
    """Predicted exposure change of a victim taken with kratom, with its range and its reasons."""

    victim: str
    model: str
    auc_ratio: float
    cmax_ratio: float
    auc_ratio_low: float
    auc_ratio_high: float
    cmax_ratio_low: float
    cmax_ratio_high: float
    gut_term: float
    liver_term: float
    site: str
    enzyme: str
    nights: int
    kratom_dose: str
    product: str | None
    active_metabolite: str | None = None
    active_metabolite_auc_ratio: float | None = None
    inhibitor_conc_uM: dict[str, float] = field(default_factory=dict)
    next_morning: dict[str, Any] | None = None
    assumptions: tuple[str, ...] = ASSUMPTIONS
    sources: tuple[str, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        return {
            "victim": self.victim,
            "model": self.model,
            "auc_ratio": self.auc_ratio,
            "cmax_ratio": self.cmax_ratio,
            "auc_ratio_low": self.auc_ratio_low,
            "auc_ratio_high": self.auc_ratio_high,
            "cmax_ratio_low": self.cmax_ratio_low,
            "cmax_ratio_high": self.cmax_ratio_high,
            "site": self.site,
            "enzyme": self.enzyme,
            "gut_term": self.gut_term,
            "liver_term": self.liver_term,
            "nights": self.nights,
            "kratom_dose": self.kratom_dose,
            "product": self.product,
            "active_metabolite": self.active_metabolite,
            "active_metabolite_auc_ratio": self.active_metabolite_auc_ratio,
            "inhibitor_conc_uM": self.inhibitor_conc_uM,
            "next_morning": self.next_morning,
            "assumptions": list(self.assumptions),
            "sources": list(self.sources),
        }


@dataclass(frozen=True)
class _Terms:
    gut_activity: float
    liver_activity: dict[str, float]


def _victim_bounds(victim: Victim) -> tuple[Victim, Victim]:
    """(least sensitive, most sensitive) versions of the victim from its fm and Fg ranges."""
    fm_lo, fm_hi = victim.fm_range or (victim.fm, victim.fm)
    fg_lo, fg_hi = victim.fg_range or (victim.fg, victim.fg)
    return replace(victim, fm=fm_lo, fg=fg_hi), replace(victim, fm=fm_hi, fg=fg_lo)


def _ratios(victim: Victim, terms: _Terms) -> tuple[float, float, float, float | None]:
    """AUCR, gut term, liver term and (prodrugs) the active-metabolite AUC ratio."""
    fg = victim.fg if "CYP3A4" in victim.fm else 1.0
    aucr, g, h = mechanistic_static_aucr(victim.fm, fg, terms.gut_activity, terms.liver_activity)
    metabolite = None
    if victim.active_enzyme is not None:
        metabolite = terms.liver_activity.get(victim.active_enzyme, 1.0) * aucr
    return aucr, g, h, metabolite


def _static_terms(
    p: InhibitionParameters, dose_umol: float, cmax_uM: float
) -> tuple[_Terms, dict[str, float]]:
    i_h = hepatic_inlet_unbound_uM(cmax_uM, dose_umol, p.fu, rb=p.rb)
    i_g = gut_wall_uM(dose_umol)
    liver: dict[str, float] = {}
    for enzyme in ENZYMES:
        c = float(reversible_term(i_h, p.ki_uM[enzyme])) if enzyme in p.ki_uM else 1.0
        a = 1.0
        if "liver" in p.tdi.get(enzyme, {}):
            t = p.tdi[enzyme]["liver"]
            a = tdi_term(i_h, t.ki_uM, t.kinact_per_h, p.kdeg_per_h[enzyme]["liver"])
        liver[enzyme] = a * c
    gut_c = float(reversible_term(i_g, p.ki_uM["CYP3A4"]))
    gut_a = 1.0
    if "gut" in p.tdi.get("CYP3A4", {}):
        t = p.tdi["CYP3A4"]["gut"]
        gut_a = tdi_term(i_g, t.ki_uM, t.kinact_per_h, p.kdeg_per_h["CYP3A4"]["gut"])
    return _Terms(gut_a * gut_c, liver), {"hepatic_inlet_unbound": i_h, "gut_wall": i_g}


def _site_and_enzyme(victim: Victim, g: float, h: float) -> tuple[str, str]:
    site = "gut" if g > h else "liver"
    if "CYP3A4" in victim.fm and (site == "gut" or len(victim.enzymes) == 1):
        return site, "CYP3A4"
    return site, max(victim.fm, key=lambda e: victim.fm[e])


def _mitragynine_dose_umol(product: str | None, dose: str) -> tuple[float, str | None]:
    from kratomsim.scenario import make_scenario

    scenario = make_scenario(product=product, dose=dose)
    mg = scenario.alkaloid_doses_mg().get(INHIBITOR, 0.0)
    if mg <= 0:
        raise InputError(
            f"the dose {dose!r} holds no mitragynine, the only alkaloid with CYP inhibition data"
        )
    pid = scenario.product.id if scenario.product is not None else None
    return mg * 1000.0 / inhibitor_molecular_weight(), pid


def mitragynine_cmax_uM(
    product: str | None, dose: str, nights: int = 1, at: str = "22:30"
) -> tuple[float, str]:
    """Peak plasma mitragynine over the regimen, from the PK engine (or, failing that, the study scaled).

    The fallback scales the reported 81.9 nM at 39 mg (Tanna 2022) linearly and says so.
    """
    try:
        from kratomsim.exposure import run
        from kratomsim.scenario import make_scenario

        exposure = run(make_scenario(product=product, dose=dose, at=at, count=nights, grid="5min"))
        return float(np.max(exposure.conc_nM[INHIBITOR][0])) / 1000.0, "PK engine (kratomsim.exposure)"
    except InputError:
        raise
    except Exception:  # the engine or its fitted parameters are missing: use the study, scaled
        from kratomsim.library import studies

        row = studies()["tanna2022"]
        alk = row["alkaloids"][INHIBITOR] if "alkaloids" in row else row["compounds"][INHIBITOR]
        cmax_nM, dose_mg = _num(alk["cmax"], "median"), _num(alk["dose_mg"])
        umol, _ = _mitragynine_dose_umol(product, dose)
        mg = umol * inhibitor_molecular_weight() / 1000.0
        return (
            cmax_nM * mg / dose_mg / 1000.0,
            "Tanna 2022 median Cmax scaled linearly by dose (no accumulation)",
        )


def static_prediction(
    victim_name: str,
    product: str | None = "K51",
    dose: str = "2g",
    nights: int = 1,
    at: str = "22:30",
) -> Prediction:
    """Mechanistic static model: the guidance's worst-case concentrations at the regimen's peak."""
    victim = get_victim(victim_name)
    dose_umol, pid = _mitragynine_dose_umol(product, dose)
    cmax_uM, cmax_source = mitragynine_cmax_uM(product, dose, nights, at)
    sets = parameter_sets()
    central_terms, conc = _static_terms(sets["central"], dose_umol, cmax_uM)
    weak_v, strong_v = _victim_bounds(victim)
    return _prediction(
        victim,
        "static",
        central=_ratios(victim, central_terms),
        weakest=_ratios(weak_v, _static_terms(sets["weakest"], dose_umol, cmax_uM)[0]),
        strongest=_ratios(strong_v, _static_terms(sets["strongest"], dose_umol, cmax_uM)[0]),
        nights=nights,
        dose=dose,
        product=pid,
        inhibitor_conc_uM={"cmax_plasma": cmax_uM, **conc},
        assumption=f"Mitragynine Cmax from the {cmax_source}.",
    )


def _prediction(
    victim: Victim,
    model: str,
    central: tuple[float, float, float, float | None],
    weakest: tuple[float, float, float, float | None],
    strongest: tuple[float, float, float, float | None],
    nights: int,
    dose: str,
    product: str | None,
    inhibitor_conc_uM: dict[str, float],
    assumption: str,
) -> Prediction:
    """One Prediction from the (AUCR, gut, liver, metabolite) ratios under the central, weakest
    and strongest parameter sets; shared by the static and the dynamic model."""
    aucr, g, h, met = central
    lo, g_lo = weakest[0], weakest[1]
    hi, g_hi = strongest[0], strongest[1]
    site, enzyme = _site_and_enzyme(victim, g, h)
    return Prediction(
        victim=victim.name,
        model=model,
        auc_ratio=aucr,
        cmax_ratio=g,
        auc_ratio_low=min(lo, aucr),
        auc_ratio_high=max(hi, aucr),
        cmax_ratio_low=min(g_lo, g),
        cmax_ratio_high=max(g_hi, g),
        gut_term=g,
        liver_term=h,
        site=site,
        enzyme=enzyme,
        nights=nights,
        kratom_dose=dose,
        product=product,
        active_metabolite=victim.active_metabolite,
        active_metabolite_auc_ratio=met,
        inhibitor_conc_uM=inhibitor_conc_uM,
        assumptions=(*ASSUMPTIONS, assumption),
        sources=tuple(sorted(set(data_sources()) | set(victim.sources))),
    )


# --------------------------------------------------------------------------------- dynamic model


@dataclass(frozen=True)
class InhibitorCourse:
    """Mitragynine over a regimen: unbound hepatic inlet and gut-lumen concentrations (uM)."""

    times_h: FloatArray
    plasma_uM: FloatArray
    gut_amount_umol: FloatArray
    interval_h: float
    ka_per_h: float


def inhibitor_course(
    product: str | None,
    dose: str,
    nights: int,
    at: str = "22:30",
    tail_h: float = 36.0,
    step_h: float = 1 / 60,
) -> InhibitorCourse:
    """Simulated plasma mitragynine and the amount still in the gut, on a fine grid."""
    from kratomsim.exposure import run
    from kratomsim.library import kratom_dispositions
    from kratomsim.scenario import make_scenario

    scenario = make_scenario(product=product, dose=dose, at=at, count=nights)
    horizon = (nights - 1) * scenario.interval_h + tail_h
    times = np.arange(0.0, horizon + step_h / 2, step_h)
    exposure = run(scenario, times_h=times)
    disposition = kratom_dispositions()[0][INHIBITOR]
    ka, lag = float(np.ravel(disposition.ka)[0]), float(disposition.lag)
    gut = np.zeros_like(times)
    for event in scenario.dose_events():
        if event.compound != INHIBITOR:
            continue
        amount = float(np.ravel(event.amount_umol)[0])
        dt = times - event.time_h
        gut += np.where(
            dt < 0, 0.0, np.where(dt < lag, amount, amount * np.exp(-ka * np.clip(dt - lag, 0, None)))
        )
    return InhibitorCourse(times, exposure.conc_nM[INHIBITOR][0] / 1000.0, gut, scenario.interval_h, ka)


def _dynamic_terms(
    course: InhibitorCourse,
    p: InhibitionParameters,
    victim: Victim,
    t_victim_h: float,
) -> _Terms:
    """Time-resolved enzyme activity, averaged where the victim meets it."""
    t = course.times_h
    i_h = p.fu * (
        course.plasma_uM
        + GUIDANCE_FA_FG * course.ka_per_h * course.gut_amount_umol / GUIDANCE_QH_L_PER_H / p.rb
    )
    i_g = course.ka_per_h * course.gut_amount_umol / GUIDANCE_QEN_L_PER_H  # gut-wall inflow / Qen
    half_life = victim.half_life_h or DEFAULT_VICTIM_HALF_LIFE_H
    after = t - t_victim_h
    w_liver = np.where(after >= 0, np.exp(-math.log(2.0) * np.clip(after, 0, None) / half_life), 0.0)
    w_gut = ((after >= 0) & (after <= ABSORPTION_WINDOW_H)).astype(float)
    if w_gut.sum() == 0 or w_liver.sum() == 0:
        raise InputError("the victim dose falls outside the simulated nights")
    liver: dict[str, float] = {}
    for enzyme in ENZYMES:
        activity = reversible_term(i_h, p.ki_uM[enzyme]) if enzyme in p.ki_uM else np.ones_like(t)
        if "liver" in p.tdi.get(enzyme, {}):
            tdi = p.tdi[enzyme]["liver"]
            activity = activity * step_enzyme(
                t, i_h, tdi.ki_uM, tdi.kinact_per_h, p.kdeg_per_h[enzyme]["liver"]
            )
        liver[enzyme] = float(np.sum(activity * w_liver) / np.sum(w_liver))
    gut = reversible_term(i_g, p.ki_uM["CYP3A4"])
    if "gut" in p.tdi.get("CYP3A4", {}):
        tdi = p.tdi["CYP3A4"]["gut"]
        gut = gut * step_enzyme(t, i_g, tdi.ki_uM, tdi.kinact_per_h, p.kdeg_per_h["CYP3A4"]["gut"])
    return _Terms(float(np.sum(gut * w_gut) / np.sum(w_gut)), liver)


def dynamic_prediction(
    victim_name: str,
    product: str | None = "K51",
    dose: str = "2g",
    nights: int = 1,
    victim_night: int | None = None,
    victim_offset_h: float = 0.0,
    at: str = "22:30",
) -> Prediction:
    """Enzyme-turnover model over the simulated nights; the victim is taken on ``victim_night``.

    The victim is taken ``victim_offset_h`` after that night's kratom dose (0: together).
    """
    victim = get_victim(victim_name)
    if nights < 1:
        raise InputError(f"nights must be 1 or more, got {nights}")
    night = nights if victim_night is None else victim_night
    if not 1 <= night <= nights:
        raise InputError(f"the victim's night must be between 1 and {nights}, got {night}")
    _, pid = _mitragynine_dose_umol(product, dose)  # refuses a dose without mitragynine, as the static model
    course = inhibitor_course(product, dose, nights, at)
    t_v = (night - 1) * course.interval_h + victim_offset_h
    sets = parameter_sets()
    weak_v, strong_v = _victim_bounds(victim)
    return _prediction(
        victim,
        "dynamic",
        central=_ratios(victim, _dynamic_terms(course, sets["central"], victim, t_v)),
        weakest=_ratios(weak_v, _dynamic_terms(course, sets["weakest"], weak_v, t_v)),
        strongest=_ratios(strong_v, _dynamic_terms(course, sets["strongest"], strong_v, t_v)),
        nights=nights,
        dose=dose,
        product=pid,
        inhibitor_conc_uM={"cmax_plasma": float(course.plasma_uM.max())},
        assumption=(
            f"Dynamic model: victim taken {victim_offset_h:g} h after kratom on night {night}; gut "
            f"activity averaged over its first {ABSORPTION_WINDOW_H:g} h, liver activity weighted by "
            f"its elimination (half-life {victim.half_life_h or DEFAULT_VICTIM_HALF_LIFE_H:g} h"
            f"{'' if victim.half_life_h else ', assumed'})."
        ),
    )


def predict(
    victim: str,
    product: str | None = "K51",
    dose: str = "2g",
    nights: int = 1,
    dynamic: bool = True,
    at: str = "22:30",
) -> Prediction:
    """Enzyme-turnover (dynamic) model by default; ``dynamic=False`` runs the mechanistic static model."""
    if isinstance(nights, bool) or not 1 <= int(nights) <= 365:
        raise InputError(f"nights must be a whole number from 1 to 365, got {nights!r}")
    if dynamic:
        return dynamic_prediction(victim, product, dose, int(nights), at=at)
    return static_prediction(victim, product, dose, int(nights), at)


# ------------------------------------------------------------------------------ next morning


def oral_one_compartment_ng_per_mL(
    t_h: float,
    dose_mg: float,
    ka: float,
    cl_over_f: float,
    v_over_f: float,
) -> float:
    """Concentration of a one-compartment oral drug (apparent parameters), ng/mL."""
    k = cl_over_f / v_over_f
    if t_h <= 0:
        return 0.0
    if abs(ka - k) < 1e-9:
        return dose_mg * 1000.0 / v_over_f * k * t_h * math.exp(-k * t_h)
    return dose_mg * 1000.0 * ka / (v_over_f * (ka - k)) * (math.exp(-k * t_h) - math.exp(-ka * t_h))


def next_morning(
    prediction: Prediction,
    victim_dose_mg: float | None,
    at: str = "22:30",
    wake: time = DEFAULT_WAKE,
) -> dict[str, Any]:
    """The victim's concentration at wake-up with and without kratom (when its PK is in the library)."""
    from kratomsim.units import hours_after, parse_clock

    victim = get_victim(prediction.victim)
    dose_mg = victim_dose_mg if victim_dose_mg is not None else victim.typical_dose_mg
    if victim.pk is None or dose_mg is None:
        missing = "its PK (ka, CL/F, V/F)" if victim.pk is None else "a dose (give --victim-dose)"
        return {"available": False, "reason": f"no next-morning estimate: the library lacks {missing}"}
    start = datetime.combine(datetime(2000, 1, 1).date(), parse_clock(at, "dose time"))
    t = hours_after(start, wake)
    pk = victim.pk
    base_mg = dose_mg * pk.get("base_fraction", 1.0)
    without = oral_one_compartment_ng_per_mL(t, base_mg, pk["ka"], pk["cl_over_f"], pk["v_over_f"])
    # Gut term raises the fraction absorbed intact; liver term lowers clearance.
    with_k = prediction.gut_term * oral_one_compartment_ng_per_mL(
        t, base_mg, pk["ka"], pk["cl_over_f"] / prediction.liver_term, pk["v_over_f"]
    )
    return {
        "available": True,
        "wake": wake.strftime("%H:%M"),
        "hours_after_dose": t,
        "victim_dose_mg": dose_mg,
        "without_kratom_ng_per_mL": without,
        "with_kratom_ng_per_mL": with_k,
    }


# ------------------------------------------------------------------------------------- warnings


def comedication_warnings(
    victims: Iterable[str], product: str | None, dose: str, nights: int = 1, at: str = "22:30"
) -> list[str]:
    """One line per co-medication for the night report: predicted exposure change, range and why.

    The prediction is for the medicine taken with the last of ``nights`` nightly kratom doses (the
    same terms the drawn "with kratom" curve uses); a clinical study of that design, if one exists,
    is quoted beside it. Unknown names raise InputError; library medicines with no CYP3A4/CYP2D6
    pathway get a line that says no prediction is possible. The lines state predictions, never advice.
    """
    from kratomsim.clinical_ddi import observed

    lines: list[str] = []
    for name in victims:
        key = name.strip().lower()
        try:
            key = get_victim(key).name
        except InputError:
            if not any(n == key or n.split("_")[0] == key for n in _medicines()):
                raise
            lines.append(
                f"{name}: no cited CYP3A4/CYP2D6 fraction metabolised in the library, so the "
                "interaction model makes no prediction for it."
            )
            continue
        p = dynamic_prediction(key, product, dose, nights=nights, at=at)
        where = "gut wall" if p.site == "gut" else "liver"
        when = f" on night {nights}" if nights > 1 else ""
        line = (
            f"{p.victim}: predicted AUC ratio {p.auc_ratio:.3g} (range {p.auc_ratio_low:.3g}-"
            f"{p.auc_ratio_high:.3g}) with {dose} of {p.product or 'kratom'}{when}, mostly {p.enzyme} "
            f"inhibition in the {where} (enzyme-turnover model from in vitro data)."
        )
        seen = observed(p.victim, dose, product, nights)
        if seen is not None:
            line += (f" Observed in {seen['study']}: {seen['auc_ratio']:.3g} "
                     f"(90% CI {seen['ci90'][0]:.3g}-{seen['ci90'][1]:.3g}).")
        if p.active_metabolite and p.active_metabolite_auc_ratio is not None:
            line += (
                f" Its active metabolite {p.active_metabolite}: AUC ratio "
                f"{p.active_metabolite_auc_ratio:.2g} (less of it is formed)."
            )
        lines.append(line)
    return lines


def interaction_report(
    victim: str,
    product: str | None = "K51",
    dose: str = "2g",
    victim_dose: str | None = None,
    nights: int = 1,
    dynamic: bool = True,
    at: str = "22:30",
    wake: str = "07:00",
) -> dict[str, Any]:
    """The prediction and the victim's next-morning concentration, as the CLI and the API show it."""
    from kratomsim.units import parse_clock, parse_mass_mg, sleep_hours

    sleep_hours(at, wake)  # refuses a wake-up at the dose time
    wake_time = parse_clock(wake, "wake-up time")
    victim_dose_mg = parse_mass_mg(victim_dose, "victim dose") if victim_dose else None
    prediction = predict(victim, product, dose, nights, dynamic=dynamic, at=at)
    payload = prediction.as_dict()
    payload["next_morning"] = next_morning(prediction, victim_dose_mg, at=at, wake=wake_time)
    from kratomsim.clinical_ddi import comparison

    payload["clinical_study"] = comparison(prediction.victim, product, dose) if nights == 1 else None
    return payload
