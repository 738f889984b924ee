"""``data/medicines.yaml``: its schema, validated once at load, and the typed :class:`Medicine` it gives.

This module owns the file. Each medicine carries what the rest of the package reads from it:
identity and doses, the PK statistics its model is derived from, and (for the interaction model)
its CYP3A4/CYP2D6 fractions metabolised with their ranges, read here once from the cited
``pathways`` node: a directly reported fm, or one derived as 1 - 1/AUCR from a cited inhibitor
(or poor-metaboliser) study.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from kratomsim.datafiles import load_data_file, used_references
from kratomsim.errors import InputError, known_list
from kratomsim.schema import CitedFile, CitedValue, load_validated
from kratomsim.units import mg_to_umol, umol_to_mg

DATA_FILE = "medicines.yaml"
Enzyme = Literal["CYP3A4", "CYP2D6"]
ASSUMED_REFERENCE_DOSE_MG: Mapping[str, float] = {"morphine_oral": 10.0}
"""Dose used where the source reports a dose-normalised Cmax and no single dose; assumption."""

_OPEN = ConfigDict(extra="allow", frozen=True)
_TIME_TO_H = {"h": 1.0, "min": 1.0 / 60.0}


# ------------------------------------------------------------------------------------- schema


class CitedRange(BaseModel):
    """A statistic reported only as a range (its default is the midpoint)."""

    model_config = _OPEN
    low: float = Field(allow_inf_nan=False)
    high: float = Field(allow_inf_nan=False)
    unit: str
    source: str
    where: str

    @model_validator(mode="before")
    @classmethod
    def _no_value(cls, raw: Any) -> Any:
        if isinstance(raw, dict) and "value" in raw:
            raise ValueError("a cell with a value is read as a cited value, not a range")
        return raw


class Disagreeing(BaseModel):
    """Several sources for one statistic; ``default`` names the one used, ``reason`` says why."""

    model_config = _OPEN
    default: str
    reason: str
    values: list[CitedValue | CitedRange] = Field(min_length=1)

    @model_validator(mode="after")
    def _default_listed(self) -> Disagreeing:
        if not any(v.source == self.default for v in self.values):
            raise ValueError(f"default {self.default!r} names no listed value")
        return self


Statistic = CitedValue | CitedRange | Disagreeing
STATISTICS = ("cmax", "tmax", "t_half", "auc", "cl", "volume", "oral_f", "c_fraction")


class InhibitorStudy(BaseModel):
    """A cited clinical inhibitor (or poor-metaboliser) study of one pathway, in one of four forms:
    an AUC ratio (``value``, optional ``low``/``high``), AUCs without/with, apparent oral clearances
    without/with, or a clearance reduction in percent."""

    model_config = _OPEN
    source: str
    where: str
    value: float | None = Field(default=None, gt=0)
    low: float | None = Field(default=None, gt=0)
    high: float | None = Field(default=None, gt=0)
    auc_without: float | None = Field(default=None, gt=0)
    auc_with: float | None = Field(default=None, gt=0)
    cl_without: float | None = Field(default=None, gt=0)
    cl_with: float | None = Field(default=None, gt=0)
    cl_reduction_percent: float | None = Field(default=None, ge=0, lt=100)

    @model_validator(mode="after")
    def _one_form(self) -> InhibitorStudy:
        if auc_ratio_or_none(self) is None:
            raise ValueError("an inhibitor study needs value, auc_without/auc_with, cl_without/cl_with "
                             "or cl_reduction_percent")
        return self

    def auc_ratio(self) -> tuple[float, float, float]:
        """(AUCR, low, high) as the study reports it."""
        found = auc_ratio_or_none(self)
        assert found is not None
        return found


def auc_ratio_or_none(s: InhibitorStudy) -> tuple[float, float, float] | None:
    if s.auc_with is not None and s.auc_without is not None:
        r = s.auc_with / s.auc_without
        return r, r, r
    if s.cl_with is not None and s.cl_without is not None:
        r = s.cl_without / s.cl_with
        return r, r, r
    if s.cl_reduction_percent is not None:
        r = 1.0 / (1.0 - s.cl_reduction_percent / 100.0)
        return r, r, r
    if s.value is not None:
        return s.value, s.low if s.low is not None else s.value, s.high if s.high is not None else s.value
    return None


class Prodrug(BaseModel):
    model_config = _OPEN
    metabolite: str
    enzyme: Enzyme


class Pathways(BaseModel):
    """How a medicine is cleared; only the cited fractions below feed the interaction model."""

    model_config = _OPEN
    summary: str | None = None
    fm: dict[Enzyme, CitedValue] = Field(default_factory=dict)
    fm_cyp3a4: CitedValue | None = None
    fm_cyp2d6: CitedValue | None = None
    fg: CitedValue | None = None
    inhibitor_auc_ratio: dict[Enzyme, InhibitorStudy] = Field(default_factory=dict)
    prodrug: Prodrug | None = None


class DosedForm(BaseModel):
    model_config = _OPEN
    molecular_weight: float = Field(gt=0)
    bases_per_unit: float = Field(default=1, gt=0)


class UsualDoses(BaseModel):
    model_config = _OPEN
    values: list[float] = Field(default_factory=list)
    default: float | None = Field(default=None, gt=0)


class PkStudy(BaseModel):
    model_config = _OPEN
    source: str
    where: str
    dose_mg: float | None = Field(default=None, gt=0)


class PkCheck(BaseModel):
    """An independent check: another study's statistic (a value or a range) after a stated regimen."""

    model_config = _OPEN
    statistic: str = Field(min_length=1)
    source: str
    where: str
    unit: str
    dose_mg: float = Field(gt=0)
    doses: int = Field(default=1, ge=1)
    interval_h: float = Field(default=24.0, gt=0)
    at_h: float | None = Field(default=None, gt=0)
    value: float | None = Field(default=None, allow_inf_nan=False)
    low: float | None = Field(default=None, allow_inf_nan=False)
    high: float | None = Field(default=None, allow_inf_nan=False)

    @model_validator(mode="after")
    def _given(self) -> PkCheck:
        if self.value is None and (self.low is None or self.high is None):
            raise ValueError("a check needs a value or both low and high")
        return self


class PopulationCheck(BaseModel):
    """A published share of people above a level some hours after a dose, by sex."""

    model_config = _OPEN
    statistic: Literal["share_above"]
    source: str
    where: str
    threshold_ng_per_mL: float = Field(gt=0)
    hours_after_dose: float = Field(gt=0)
    dose_mg: float = Field(gt=0)
    female: CitedValue | None = None
    male: CitedValue | None = None


class VariabilityNode(BaseModel):
    model_config = _OPEN
    n: CitedValue


class SexNode(BaseModel):
    model_config = _OPEN
    study_mix: Literal["mixed", "female", "male"] = "mixed"
    cl_ratio_female_to_male: dict[str, Any]


class PkNode(BaseModel):
    """The cited PK summary a model is derived from; the statistics named here are checked at load."""

    model_config = _OPEN
    cmax: Statistic | None = None
    tmax: Statistic | None = None
    t_half: Statistic | None = None
    auc: Statistic | None = None
    cl: Statistic | None = None
    volume: Statistic | None = None
    oral_f: Statistic | None = None
    c_fraction: Statistic | None = None
    model: Literal["one_compartment", "two_compartment"] | None = None
    volume_from: Literal["cmax", "v_over_f", "v_and_f", "cl_over_f", "cl_and_f"] | None = None
    fit_to: list[str] | None = None
    study: PkStudy | None = None
    checks: list[PkCheck] = Field(default_factory=list)
    population_checks: list[PopulationCheck] = Field(default_factory=list)
    variability: VariabilityNode | None = None
    sex: SexNode | None = None

    def statistic(self, key: str) -> CitedValue | CitedRange | Disagreeing | None:
        """The cited statistic ``key`` (cmax, tmax, t_half, auc, cl, volume, oral_f, c_fraction), if reported."""
        if key not in STATISTICS:
            raise KeyError(f"not a PK statistic: {key!r}")
        cell = getattr(self, key)
        assert cell is None or isinstance(cell, CitedValue | CitedRange | Disagreeing)
        return cell

    def extra(self, key: str, name: str, default: Any = None) -> Any:
        """A detail given beside a statistic, e.g. the ``at_h`` of c_fraction or the ``interval`` of auc."""
        cell = self.statistic(key)
        return default if cell is None else (cell.model_extra or {}).get(name, default)


class MedicineEntry(BaseModel):
    model_config = _OPEN
    display: str
    formula: str = Field(min_length=1)
    dosed_as: str = ""
    molecular_weight: CitedValue
    dosed_form: DosedForm | None = None
    usual_doses_mg: UsualDoses | None = None
    pk: PkNode | None = None
    pk_facts: dict[str, Statistic] = Field(default_factory=dict)
    pk_note: str | None = None
    pathways: Pathways | None = None
    next_morning: list[dict[str, Any]] = Field(default_factory=list)


class MedicinesFile(CitedFile):
    medicines: dict[str, MedicineEntry] = Field(min_length=1)


# ------------------------------------------------------------------------------------ typed objects


@dataclass(frozen=True)
class Stat:
    """One cited statistic, resolved to its default value (a range gives its midpoint)."""

    value: float
    unit: str
    source: str
    where: str
    from_range: bool = False


@dataclass(frozen=True)
class Fraction:
    """A fraction (fm or Fg) with its published range and the reference it comes from."""

    value: float
    low: float
    high: float
    source: str


@dataclass(frozen=True)
class Medicine:
    """A bedtime medicine as the library knows it: identity, doses, PK statistics, enzyme fractions."""

    name: str
    display: str
    formula: str
    molecular_weight: float  # g/mol of the active base
    base_fraction: float  # mass fraction of the active base in the dosed form (salt)
    dosed_as: str
    usual_doses_mg: tuple[float, ...]
    default_dose_mg: float | None
    pk: PkNode | None  # the validated PK summary its model is derived from
    pk_note: str | None
    next_morning: tuple[Mapping[str, Any], ...]
    sources: frozenset[str] = field(default_factory=frozenset)
    enzyme_fractions: Mapping[str, Fraction] = field(default_factory=dict)  # fm per CYP3A4/CYP2D6
    fg: Fraction | None = None  # gut availability through CYP3A, when cited
    active_metabolite: str | None = None  # prodrugs: the active product of ``active_enzyme``
    active_enzyme: str | None = None
    cited_half_life_h: float | None = None  # terminal half-life as cited (pk, else pk_facts)

    @property
    def has_model(self) -> bool:
        return self.pk is not None

    def dose_umol(self, dose_mg: float) -> float:
        """Micromoles of active base in ``dose_mg`` of the dosed form (label strength)."""
        return mg_to_umol(dose_mg * self.base_fraction, self.molecular_weight)

    def dose_mg(self, umol: float) -> float:
        """mg of the dosed form that hold ``umol`` micromoles of active base (inverse of dose_umol)."""
        return umol_to_mg(umol, self.molecular_weight) / self.base_fraction

    def stat(self, key: str) -> Stat | None:
        """The default value of a PK statistic (None when the sources do not report it)."""
        cell = None if self.pk is None else self.pk.statistic(key)
        return None if cell is None else resolve_statistic(cell)


def resolve_statistic(cell: BaseModel) -> Stat:
    """The default of a validated statistic (a cited value, a range's midpoint or the named source's)."""
    return resolve(cell.model_dump(exclude_none=True))


def resolve(node: Mapping[str, Any]) -> Stat:
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


def fm_from_auc_ratio(auc_ratio: float) -> float:
    """Fraction metabolised by an enzyme from the AUC ratio its complete inhibition causes.

    With the enzyme fully blocked, AUCR = 1 / (1 - fm), so fm = 1 - 1/AUCR. A clinical inhibitor
    rarely blocks completely (and a genetic poor-metaboliser comparison is the only true "complete
    block"), so the result is a lower bound; an AUCR below 1 gives 0.
    """
    if not auc_ratio > 0:
        raise ValueError(f"AUC ratio must be positive, got {auc_ratio!r}")
    return max(0.0, 1.0 - 1.0 / auc_ratio)


def _cited_fraction(cell: CitedValue) -> Fraction:
    low = cell.low if cell.low is not None else cell.value
    high = cell.high if cell.high is not None else cell.value
    return Fraction(cell.value, low, high, cell.source)


def enzyme_fractions(pathways: Pathways | None) -> dict[str, Fraction]:
    """fm per enzyme: derived from inhibitor studies, overridden by a directly reported fm."""
    if pathways is None:
        return {}
    out: dict[str, Fraction] = {}
    for enzyme, study in pathways.inhibitor_auc_ratio.items():
        r, lo, hi = study.auc_ratio()
        out[enzyme] = Fraction(fm_from_auc_ratio(r), fm_from_auc_ratio(lo), fm_from_auc_ratio(hi), study.source)
    for enzyme, cell in pathways.fm.items():
        out[enzyme] = _cited_fraction(cell)
    for enzyme, single in (("CYP3A4", pathways.fm_cyp3a4), ("CYP2D6", pathways.fm_cyp2d6)):
        if single is not None:
            out[enzyme] = _cited_fraction(single)
    return out


def _cited_half_life_h(entry: MedicineEntry) -> float | None:
    cell = entry.pk.t_half if entry.pk is not None and entry.pk.t_half is not None else entry.pk_facts.get("t_half")
    if cell is None:
        return None
    stat = resolve_statistic(cell)
    if stat.unit not in _TIME_TO_H:
        raise ValueError(f"half-life unit {stat.unit!r} not understood")
    return stat.value * _TIME_TO_H[stat.unit]


def _medicine(name: str, entry: MedicineEntry, raw: Mapping[str, Any]) -> Medicine:
    mw = entry.molecular_weight.value
    form = entry.dosed_form
    base_fraction = 1.0 if form is None else form.bases_per_unit * mw / form.molecular_weight
    doses = entry.usual_doses_mg or UsualDoses()
    default = doses.default if doses.default is not None else ASSUMED_REFERENCE_DOSE_MG.get(name)
    pathways = entry.pathways
    prodrug = pathways.prodrug if pathways is not None else None
    return Medicine(
        name=name,
        display=entry.display,
        formula=entry.formula,
        molecular_weight=mw,
        base_fraction=base_fraction,
        dosed_as=entry.dosed_as,
        usual_doses_mg=tuple(float(d) for d in doses.values),
        default_dose_mg=None if default is None else float(default),
        pk=entry.pk,
        pk_note=entry.pk_note,
        next_morning=tuple(entry.next_morning),
        sources=frozenset(used_references(raw)),
        enzyme_fractions=enzyme_fractions(pathways),
        fg=_cited_fraction(pathways.fg) if pathways is not None and pathways.fg is not None else None,
        active_metabolite=prodrug.metabolite if prodrug else None,
        active_enzyme=prodrug.enzyme if prodrug else None,
        cited_half_life_h=_cited_half_life_h(entry),
    )


@cache
def library() -> dict[str, Medicine]:
    """Every medicine in the validated data file, by name."""
    validated = load_validated(DATA_FILE, MedicinesFile)
    raw = load_data_file(DATA_FILE)["medicines"]
    return {name: _medicine(name, entry, raw[name]) for name, entry in validated.medicines.items()}


def medicine_names() -> list[str]:
    """Names of every medicine in the library (sorted)."""
    return sorted(library())


def canonical_name(name: str) -> str | None:
    """The library name ``name`` refers to ('Doxepin' finds 'doxepin_low_dose'), or None."""
    key = name.strip().lower().replace(" ", "_").replace("-", "_")
    known = library()
    if key in known:
        return key
    prefixed = [n for n in known if n.split("_")[0] == key]
    return prefixed[0] if len(prefixed) == 1 else None


def load_medicine(name: str) -> Medicine:
    """The medicine called ``name`` (case-insensitive; 'doxepin' finds 'doxepin_low_dose')."""
    key = canonical_name(name)
    if key is None:
        raise InputError(f"unknown medicine {name!r}; known medicines: {known_list(medicine_names())}")
    return library()[key]
