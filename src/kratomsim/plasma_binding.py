"""One unbound fraction (fu) and blood-to-plasma ratio (B:P) per compound, with its range.

Receptor occupancy (``kratomsim.receptors``, ``kratomsim.occupancy_interval``) and the interaction model
(``kratomsim.interactions``) both read them here, so the two can never disagree about the same
molecule. Published values live in ``data/compounds.yaml`` (``fu_plasma``); where none exists the
compound takes the stated prior below, and the result says so (``basis``). No range reaches fu = 1.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any

from kratomsim.data_schemas import checked_file
from kratomsim.datafiles import used_references
from kratomsim.errors import InputError, known_list

DATA_FILE = "compounds.yaml"
ANALOGUE = "mitragynine"

# ------------------------------------------------------------------ stated priors (no data)
# fu of mitragynine is back-calculated, not measured: its low end is the central value / 2.
FU_LOW_DIVISOR = 2.0
# Alkaloids without a published fu are diastereomers or close analogues of mitragynine and take its
# central value and range. Tanna 2022 (abstract) attributes the 3R alkaloids' much smaller volumes
# partly to plasma protein binding, without a number, so for 3R the range extends 10-fold lower.
FU_3R_LOW_DIVISOR = 10.0
# Where only a lower bound on fu would come from a measurement's own compound, the low end is
# mitragynine's central value (7-hydroxymitragynine binds less than mitragynine per Chiang 2025).
# B:P: no value is published for any kratom alkaloid. 1 is the FDA guidance default when unknown;
# 0.55 (= 1 - haematocrit 0.45, no entry into red cells) and 2 bound it (stated prior).
BP_PRIOR = (1.0, 0.55, 2.0)


@dataclass(frozen=True)
class PlasmaBinding:
    """fu and B:P of one compound: central value, range and how each was obtained."""

    compound: str
    fu: float
    fu_low: float
    fu_high: float
    bp: float
    bp_low: float
    bp_high: float
    basis: str
    bp_basis: str
    sources: tuple[str, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        return {"fu": self.fu, "fu_range": [self.fu_low, self.fu_high], "blood_to_plasma": self.bp,
                "blood_to_plasma_range": [self.bp_low, self.bp_high], "basis": self.basis,
                "bp_basis": self.bp_basis, "sources": list(self.sources)}


@cache
def _compounds() -> dict[str, Any]:
    return dict(checked_file(DATA_FILE)["compounds"])


def _published(entry: Mapping[str, Any]) -> tuple[float, str, float | None, tuple[str, ...]] | None:
    """(fu, how, published upper bound or None, sources) from a compound's ``fu_plasma``, if any."""
    cell = entry.get("fu_plasma")
    if not cell:
        return None
    chosen = next(v for v in cell["values"] if v["source"] == cell["default"])
    upper = (cell.get("bound") or {}).get("upper")
    how = f"{chosen['value']:g} ({chosen['source']}, {chosen.get('species', 'species not stated')})"
    if upper:
        how += f"; upper bound {upper['value']:g} ({upper['source']})"
    return float(chosen["value"]), how, float(upper["value"]) if upper else None, tuple(
        sorted(used_references(cell)))


@cache
def binding(compound: str) -> PlasmaBinding:
    """The unbound fraction and B:P of ``compound`` (a simulated alkaloid), with their ranges."""
    compounds = _compounds()
    if compound not in compounds:
        raise InputError(f"no plasma-binding entry for {compound!r}; known compounds: {known_list(list(compounds))}")
    bp, bp_lo, bp_hi = BP_PRIOR
    bp_basis = f"stated prior {bp:g} ({bp_lo:g}-{bp_hi:g}): no published B:P"
    own = _published(compounds[compound])
    analogue = _published(compounds[ANALOGUE])
    if analogue is None:  # pragma: no cover - the data file carries mitragynine's value
        raise InputError("compounds.yaml has no fu_plasma for mitragynine")
    mg_fu, _, mg_upper, mg_sources = analogue
    if compound == ANALOGUE:
        return PlasmaBinding(compound, mg_fu, mg_fu / FU_LOW_DIVISOR, mg_upper or mg_fu, bp, bp_lo, bp_hi,
                             f"published: {analogue[1]}; low end {mg_fu / FU_LOW_DIVISOR:.3g} = value / "
                             f"{FU_LOW_DIVISOR:g} (back-calculated, not measured)", bp_basis, mg_sources)
    if own is not None:
        fu, how, upper, sources = own
        low = min(fu, mg_fu)
        return PlasmaBinding(compound, fu, low, upper or fu, bp, bp_lo, bp_hi,
                             f"published: {how}; low end {low:.3g} (mitragynine's value, stated prior)",
                             bp_basis, sources)
    is_3r = compounds[compound].get("configuration") == "3R"
    low = mg_fu / (FU_3R_LOW_DIVISOR if is_3r else FU_LOW_DIVISOR)
    extra = f"; 3R alkaloid: low end mitragynine's / {FU_3R_LOW_DIVISOR:g}" if is_3r else ""
    return PlasmaBinding(compound, mg_fu, low, mg_upper or mg_fu, bp, bp_lo, bp_hi,
                         f"stated prior: no published fu; mitragynine's {mg_fu:g} (range {low:.3g}-"
                         f"{mg_upper or mg_fu:g}){extra}", bp_basis, mg_sources)


def known_compounds() -> list[str]:
    """Compounds with an entry (published or prior)."""
    return list(_compounds())
