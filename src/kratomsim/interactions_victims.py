"""The victims of the interaction model: medicines with a cited CYP3A4/CYP2D6 fraction metabolised.

A victim is read from the typed :class:`~kratomsim.medicines_data.Medicine` (its enzyme fractions,
gut availability and prodrug pathway, read once from ``medicines.yaml``), completed by the index
substrates of ``cyp_inhibition.yaml`` and, where the medicine has an apparent one-compartment
model, by that model (for the next-morning level and the elimination weighting).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from functools import cache

from kratomsim.errors import InputError, known_list
from kratomsim.interactions_data import OwnVictim, cyp_data
from kratomsim.medicines_data import Medicine, canonical_name, library
from kratomsim.medicines_derivation import derivation


@dataclass(frozen=True)
class VictimPk:
    """Apparent one-compartment oral PK of a victim (ka 1/h, CL/F L/h, V/F L) and its salt fraction."""

    ka: float
    cl_over_f: float
    v_over_f: float
    base_fraction: float = 1.0


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
    pk: VictimPk | None = None
    typical_dose_mg: float | None = None
    sources: tuple[str, ...] = ()
    note: str = ""

    @property
    def enzymes(self) -> tuple[str, ...]:
        return tuple(e for e in self.fm if self.fm[e] > 0)


def _own_victim(name: str, entry: OwnVictim) -> Victim:
    enzyme, fm = entry.substrate_of, entry.fm
    fm_lo = fm.low if fm.low is not None else fm.value
    fm_hi = fm.high if fm.high is not None else fm.value
    fg, fg_range = 1.0, None
    if entry.fg is not None:
        fg = entry.fg.value
        low, high = entry.fg.low, entry.fg.high
        fg_range = (low if low is not None else fg, high if high is not None else fg)
    sources = tuple(sorted({c.source for c in (entry.fm, entry.fg) if c is not None}))
    return Victim(name=name, fm={enzyme: fm.value}, fg=fg, fm_range=({enzyme: fm_lo}, {enzyme: fm_hi}),
                  fg_range=fg_range, sources=sources)


def _library_victim(med: Medicine) -> Victim | None:
    """The victim a medicine makes, or None when it has no cited CYP3A4/CYP2D6 fraction."""
    fractions = med.enzyme_fractions
    if not fractions:
        return None
    sources = {f.source for f in fractions.values()} | ({med.fg.source} if med.fg else set())
    return Victim(
        name=med.name,
        fm={e: f.value for e, f in fractions.items()},
        fg=med.fg.value if med.fg else 1.0,
        fm_range=({e: f.low for e, f in fractions.items()}, {e: f.high for e, f in fractions.items()}),
        fg_range=(med.fg.low, med.fg.high) if med.fg else None,
        active_metabolite=med.active_metabolite,
        active_enzyme=med.active_enzyme,
        half_life_h=med.cited_half_life_h,
        sources=tuple(sorted(sources)),
    )


def _medicine_pk(med: Medicine) -> VictimPk | None:
    """The medicine's apparent one-compartment PK (a two-compartment model has no equivalent here)."""
    if not med.has_model:
        return None
    d = derivation(med.name)
    if d.model != "one_compartment":
        return None
    return VictimPk(ka=float(d.ka), cl_over_f=float(d.cl), v_over_f=float(d.v1), base_fraction=med.base_fraction)


def _with_model(victim: Victim, med: Medicine | None) -> Victim:
    """The victim completed by its medicine's model and default dose, when the library has them."""
    if med is None:
        return victim
    pk = _medicine_pk(med)
    half_life = victim.half_life_h
    if pk is not None and half_life is None:
        half_life = math.log(2.0) * pk.v_over_f / pk.cl_over_f
    return replace(victim, pk=pk or victim.pk, typical_dose_mg=victim.typical_dose_mg or med.default_dose_mg,
                   half_life_h=half_life)


@cache
def victims() -> dict[str, Victim]:
    """Every medicine with a cited CYP3A4/CYP2D6 pathway: medicines.yaml first, then cyp_inhibition.yaml."""
    meds = library()
    found = {name: v for name, med in meds.items() if (v := _library_victim(med)) is not None}
    for name, entry in cyp_data().victims.items():
        own = _own_victim(name, entry)
        lib = found.get(name)
        found[name] = own if lib is None else replace(
            lib,
            fg=lib.fg if lib.fg != 1.0 else own.fg,
            fm_range=lib.fm_range or own.fm_range,
            fg_range=lib.fg_range or own.fg_range,
            sources=tuple(sorted(set(lib.sources) | set(own.sources))),
        )
    return {name: _with_model(v, meds.get(name)) for name, v in sorted(found.items())}


def known_victims() -> list[str]:
    """Names of every victim the model can predict for."""
    return list(victims())


def medicines_without_pathway() -> list[str]:
    """Medicines in the library with no cited CYP3A4/CYP2D6 fraction (no prediction possible)."""
    return sorted(set(library()) - set(victims()))


def get_victim(name: str) -> Victim:
    """A victim by name; an unknown name is an InputError listing the known ones."""
    key = name.strip().lower().replace(" ", "_").replace("-", "_")
    known = victims()
    if key in known:
        return known[key]
    prefixed = [n for n in known if n.split("_")[0] == key]
    if len(prefixed) == 1:
        return known[prefixed[0]]
    medicine = canonical_name(key)
    if medicine is not None:
        raise InputError(
            f"{name!r} is in the medicines library but has no cited CYP3A4/CYP2D6 fraction "
            f"metabolised, so no interaction can be predicted; victims with one: {known_list(list(known))}"
        )
    raise InputError(f"unknown victim {name!r}; known victims: {known_list(list(known))}")
