"""The inhibitor side of the interaction model: ``data/cyp_inhibition.yaml``, its schema and parameter sets.

This module owns the file. It is validated once at load (:func:`kratomsim.schema.load_validated`)
and turned into the central, weakest and strongest :class:`InhibitionParameters` of mitragynine,
the only alkaloid with published CYP3A4/CYP2D6 inhibition constants. It sits low in the import
graph (no scenario, no PK engine) so that :mod:`kratomsim.autoinhibition` and
:mod:`kratomsim.exposure` can read the same constants the interaction model uses.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import time
from functools import cache
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from kratomsim.datafiles import load_data_file, used_references
from kratomsim.medicines_data import Disagreeing
from kratomsim.plasma_binding import binding
from kratomsim.schema import CitedFile, CitedValue, load_validated

DATA_FILE = "cyp_inhibition.yaml"
INHIBITOR = "mitragynine"
ENZYMES = ("CYP3A4", "CYP2D6")
Enzyme = Literal["CYP3A4", "CYP2D6"]
Site = Literal["liver", "gut"]

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
PER_MIN_TO_PER_H = 60.0

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

_OPEN = ConfigDict(extra="allow", frozen=True)


# ------------------------------------------------------------------------------------- schema


class ReversibleBlock(Disagreeing):
    """Published reversible Ki values of one enzyme (single values only); ``default`` names the one used
    centrally (checked at load, like any set of disagreeing sources)."""

    values: list[CitedValue] = Field(min_length=1)  # type: ignore[assignment]  # narrower: no ranges

    def chosen(self) -> CitedValue:
        return next(v for v in self.values if v.source == self.default)


class TdiConstants(BaseModel):
    """KI (uM) and kinact (1/min) of time-dependent inhibition at one site."""

    model_config = _OPEN
    KI: CitedValue
    kinact: CitedValue


class InhibitorEntry(BaseModel):
    model_config = _OPEN
    reversible: dict[Enzyme, ReversibleBlock] = Field(min_length=1)
    time_dependent: dict[Enzyme, dict[Site, TdiConstants]] = Field(default_factory=dict)
    molecular_weight: CitedValue


class EnzymeSite(BaseModel):
    model_config = _OPEN
    half_life: CitedValue


class OwnVictim(BaseModel):
    """A victim's fm (and Fg) when medicines.yaml carries none: index substrates of the clinical study."""

    model_config = _OPEN
    substrate_of: Enzyme
    fm: CitedValue
    fg: CitedValue | None = None


class CypInhibitionFile(CitedFile):
    inhibitors: dict[str, InhibitorEntry] = Field(min_length=1)
    enzymes: dict[Enzyme, dict[Site, EnzymeSite]] = Field(min_length=1)
    victims: dict[str, OwnVictim] = Field(default_factory=dict)


def cyp_data() -> CypInhibitionFile:
    """The validated ``cyp_inhibition.yaml`` (read and checked once per process)."""
    return load_validated(DATA_FILE, CypInhibitionFile)


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


def _half_life_to_kdeg(h: float) -> float:
    return math.log(2.0) / h


def _reversible_sets(entry: InhibitorEntry) -> tuple[dict[str, float], dict[str, float], dict[str, float]]:
    """(central, lowest, highest) Ki per enzyme: the lowest Ki is the strongest inhibition."""
    central: dict[str, float] = {}
    low: dict[str, float] = {}
    high: dict[str, float] = {}
    for enzyme, block in entry.reversible.items():
        central[enzyme] = block.chosen().value
        low[enzyme] = min(v.value for v in block.values)
        high[enzyme] = max(v.value for v in block.values)
    return central, low, high


def _tdi_sets(entry: InhibitorEntry) -> tuple[dict[str, dict[str, TDI]], ...]:
    """(central, strongest, weakest) TDI constants: KI -/+ its SD, kinact +/- its SD."""
    central: dict[str, dict[str, TDI]] = {}
    strong: dict[str, dict[str, TDI]] = {}
    weak: dict[str, dict[str, TDI]] = {}
    for enzyme, sites in entry.time_dependent.items():
        for site, p in sites.items():
            ki, ki_sd = p.KI.value, p.KI.sd or 0.0
            kin, kin_sd = p.kinact.value, p.kinact.sd or 0.0
            central.setdefault(enzyme, {})[site] = TDI(ki, kin * PER_MIN_TO_PER_H)
            strong.setdefault(enzyme, {})[site] = TDI(max(ki - ki_sd, 1e-6), (kin + kin_sd) * PER_MIN_TO_PER_H)
            weak.setdefault(enzyme, {})[site] = TDI(ki + ki_sd, max(kin - kin_sd, 0.0) * PER_MIN_TO_PER_H)
    return central, strong, weak


def _turnover_sets(enzymes: dict[Enzyme, dict[Site, EnzymeSite]]) -> tuple[dict[str, dict[str, float]], ...]:
    """(central, strongest, weakest) kdeg: the longest half-life recovers slowest (strongest)."""
    central: dict[str, dict[str, float]] = {}
    strong: dict[str, dict[str, float]] = {}
    weak: dict[str, dict[str, float]] = {}
    for enzyme, sites in enzymes.items():
        for site, p in sites.items():
            hl = p.half_life
            centre, sd = hl.value, hl.sd or 0.0
            longest = hl.high if hl.high is not None else centre + sd
            shortest = hl.low if hl.low is not None else max(centre - sd, centre / 3.0)
            central.setdefault(enzyme, {})[site] = _half_life_to_kdeg(centre)
            strong.setdefault(enzyme, {})[site] = _half_life_to_kdeg(longest)
            weak.setdefault(enzyme, {})[site] = _half_life_to_kdeg(shortest)
    return central, strong, weak


@cache
def parameter_sets() -> dict[str, InhibitionParameters]:
    """The central, weakest and strongest inhibition sets, read from the data file."""
    data = cyp_data()
    entry = data.inhibitors[INHIBITOR]
    ki_central, ki_low, ki_high = _reversible_sets(entry)
    tdi_c, tdi_s, tdi_w = _tdi_sets(entry)
    kd_c, kd_s, kd_w = _turnover_sets(data.enzymes)
    b = binding(INHIBITOR)
    return {
        "central": InhibitionParameters(ki_central, tdi_c, kd_c, b.fu, "central", b.bp),
        "strongest": InhibitionParameters(ki_low, tdi_s, kd_s, b.fu_high, "strongest", b.bp_low),
        "weakest": InhibitionParameters(ki_high, tdi_w, kd_w, b.fu_low, "weakest", b.bp_high),
    }


def inhibitor_molecular_weight() -> float:
    return cyp_data().inhibitors[INHIBITOR].molecular_weight.value


@cache
def _data_sources() -> tuple[str, ...]:
    content = load_data_file(DATA_FILE)
    return tuple(sorted(used_references({k: v for k, v in content.items() if k != "references"})))


def data_sources() -> list[str]:
    """Keys of the references behind the interaction data (for a report's citation list)."""
    return list(_data_sources())
