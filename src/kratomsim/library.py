"""Typed access to the cited data library: compounds, products, studies and fitted PK parameters.

Everything here is read from ``kratomsim/data/*.yaml`` (see docs/data-format.md). A user's own product
is a YAML file of the same shape as a library product, without the citations.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from functools import cache
from pathlib import Path
from typing import Any, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, StrictFloat, ValidationError, field_validator

from kratomsim.data_schemas import CompoundsFile, checked_file
from kratomsim.datafiles import read_yaml_file
from kratomsim.errors import InputError, known_list
from kratomsim.limits import check_short_text
from kratomsim.pk.model import Disposition, Formation
from kratomsim.plasma_binding import binding
from kratomsim.schema import load_validated

MITRAGYNINE = "mitragynine"
SEVEN_OH = "7-hydroxymitragynine"
REFERENCE_WEIGHT_KG = 70.0


@dataclass(frozen=True)
class Compound:
    """A kratom alkaloid: identity, molecular weight (g/mol), unbound plasma fraction and B:P.

    ``fu_plasma`` and ``blood_to_plasma`` are the central values :mod:`kratomsim.plasma_binding`
    states (published where a value exists, otherwise its stated prior; ranges and their sources
    there). ``sources`` cites the molecular weight.
    """

    name: str
    abbreviation: str
    formula: str
    molecular_weight: float
    fu_plasma: float = 1.0
    blood_to_plasma: float = 1.0
    sources: tuple[str, ...] = ()


@dataclass(frozen=True)
class Product:
    """A kratom product: mg of each alkaloid per g (or per unit for concentrates), and its form.

    ``kind`` says what it is (leaf, extract, concentrate, plant, spent, or unspecified where the
    source does not say) so the market spread uses leaf products only; ``basis`` says whether mg/g is
    the leaf content (``leaf``), what reached a tea (``tea_yield``) or a labelled amount per
    tablet/strip/shot (``unit``).
    """

    id: str
    name: str
    form: str
    alkaloids_mg_per_g: dict[str, float]
    below_loq: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()
    user_file: bool = False
    notes: tuple[str, ...] = field(default_factory=tuple)
    kind: str = "leaf"
    basis: str = "leaf"
    strain: str | None = None
    alkaloids_mg_per_unit: dict[str, float] = field(default_factory=dict)
    assay: str = ""
    where: str = ""
    verified_from: str = ""
    survey_extreme: str | None = None  # "lowest"/"highest": the one product a survey abstract names by value

    def contains(self, compound: str) -> bool:
        """True if the product holds a quantified or labelled amount of ``compound`` (above zero)."""
        return self.alkaloids_mg_per_g.get(compound, 0.0) > 0 or self.alkaloids_mg_per_unit.get(compound, 0.0) > 0


@cache
def compounds() -> dict[str, Compound]:
    """All alkaloids in the library, by name."""
    raw = load_validated("compounds.yaml", CompoundsFile).compounds
    return {
        name: Compound(
            name=name,
            abbreviation=entry.abbreviation,
            formula=entry.formula,
            molecular_weight=entry.molecular_weight.value,
            fu_plasma=binding(name).fu,
            blood_to_plasma=binding(name).bp,
            sources=(entry.molecular_weight.source,),
        )
        for name, entry in raw.items()
    }


def compound_names() -> list[str]:
    return list(compounds())


def check_compound(name: str) -> str:
    """Return the canonical name of an alkaloid, or raise listing the known ones."""
    key = name.strip().lower()
    by_abbreviation = {c.abbreviation.lower(): c.name for c in compounds().values()}
    if key in compounds():
        return key
    if key in by_abbreviation:
        return by_abbreviation[key]
    raise InputError(f"unknown compound {name!r}; known compounds: {known_list(compounds())}")


def molecular_weight(name: str) -> float:
    return compounds()[check_compound(name)].molecular_weight


# ---------------------------------------------------------------------------------------- products


class _UserProduct(BaseModel):
    """Schema of a user's product file."""

    model_config = ConfigDict(extra="forbid")
    name: str = Field(min_length=1)
    form: Literal["powder", "tea"]
    alkaloids_mg_per_g: dict[str, StrictFloat]  # strict: a YAML `true` is not 1 mg/g
    basis: Literal["leaf", "tea_yield"] = "leaf"
    strain: str | None = None

    @field_validator("alkaloids_mg_per_g")
    @classmethod
    def _contents(cls, value: dict[str, float]) -> dict[str, float]:
        if not value:
            raise ValueError("give at least one alkaloid")
        for alkaloid, amount in value.items():
            if not math.isfinite(amount) or amount < 0 or amount > 1000:
                raise ValueError(f"{alkaloid}: {amount} mg/g is outside 0 to 1000 mg/g")
        total = sum(value.values())
        if total > 1000:
            raise ValueError(f"the alkaloids sum to {total:g} mg/g; a gram holds at most 1000 mg")
        return value


@cache
def library_products() -> dict[str, Product]:
    """Products with published assays, by id."""
    raw = checked_file("products.yaml")["products"]
    products: dict[str, Product] = {}
    for pid, entry in raw.items():
        amounts: dict[str, float] = {}
        below: list[str] = []
        per_g = entry.get("alkaloids_mg_per_g") or {}
        per_unit = entry.get("alkaloids_mg_per_unit") or {}
        for alkaloid, cell in per_g.items():
            if cell.get("below_loq"):
                below.append(alkaloid)
            else:
                amounts[alkaloid] = float(cell["value"])
        cells = [*per_g.values(), *per_unit.values()]
        sources = {entry["source"], *(c["source"] for c in cells if "source" in c)}
        products[str(pid)] = Product(
            id=str(pid),
            name=entry["name"],
            form=entry["form"],
            alkaloids_mg_per_g=amounts,
            below_loq=tuple(below),
            sources=tuple(sorted(sources)),
            notes=(str(entry["note"]),) if entry.get("note") else (),
            kind=str(entry.get("kind", "leaf")),
            basis=str(entry.get("basis", "leaf")),
            strain=str(entry["strain"]) if entry.get("strain") else None,
            alkaloids_mg_per_unit={k: float(c["value"]) for k, c in per_unit.items()},
            assay=str(entry.get("assay", "")),
            where=str(entry.get("where", "")),
            verified_from=str(entry.get("verified_from", "")),
            survey_extreme=str(entry["survey_extreme"]) if entry.get("survey_extreme") else None,
        )
    return products


def load_product(spec: str) -> Product:
    """A library product by id (case-insensitive), or a user's YAML file."""
    if not spec or not spec.strip():
        raise InputError(f"no product given; known products: {known_list(library_products())}")
    spec = check_short_text(spec, "product")
    by_upper = {pid.upper(): p for pid, p in library_products().items()}
    if spec.strip().upper() in by_upper:
        return by_upper[spec.strip().upper()]
    path = Path(spec)
    if path.suffix.lower() not in {".yaml", ".yml"} and not path.exists():
        raise InputError(
            f"unknown product {spec!r}; known products: {known_list(library_products())}, "
            "or a YAML file of your own (see docs/products.md)"
        )
    return _user_product(path)


def _user_product(path: Path) -> Product:
    raw: Any = read_yaml_file(path)
    if not isinstance(raw, dict):
        raise InputError(f"{path}: a product file is a mapping with name, form and alkaloids_mg_per_g")
    try:
        parsed = _UserProduct.model_validate(raw)
    except ValidationError as err:
        first = err.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "file"
        raise InputError(
            f"{path}: {where}: {first['msg']} (accepted: name, form: powder|tea, "
            "alkaloids_mg_per_g: {alkaloid: mg per g})"
        ) from None
    amounts = {check_compound(name): value for name, value in parsed.alkaloids_mg_per_g.items()}
    return Product(
        id=path.stem, name=parsed.name, form=parsed.form, alkaloids_mg_per_g=amounts, user_file=True,
        basis=parsed.basis, strain=parsed.strain,
    )


# ---------------------------------------------------------------------------------------- studies


@cache
def studies() -> dict[str, dict[str, Any]]:
    """Published human PK studies, as reported (raw mappings; see studies.yaml)."""
    return dict(checked_file("studies.yaml")["studies"])


# ------------------------------------------------------------------------------- fitted parameters


@cache
def pk_parameter_file() -> dict[str, Any]:
    return checked_file("pk_parameters.yaml")


def _value(block: dict[str, Any], key: str) -> float:
    cell = block.get(key)
    return float(cell["value"]) if isinstance(cell, dict) else 0.0


def kratom_dispositions() -> tuple[dict[str, Disposition], list[Formation]]:
    """Calibrated apparent dispositions of the alkaloids (70 kg reference) and the 7-OH formation."""
    content = pk_parameter_file()["compounds"]
    dispositions: dict[str, Disposition] = {}
    formations: list[Formation] = []
    for name, entry in content.items():
        p = entry["parameters"]
        dispositions[name] = Disposition(
            ka=_value(p, "ka"), cl=_value(p, "cl_over_f"), v1=_value(p, "v1_over_f"),
            q2=_value(p, "q2_over_f"), v2=_value(p, "v2_over_f"), lag=_value(p, "lag"),
        )
        if "formation" in entry:
            f = entry["formation"]
            formations.append(
                Formation(
                    parent=f["parent"], metabolite=name,
                    presystemic=_value(f, "presystemic_fraction"), systemic=_value(f, "systemic_fraction"),
                )
            )
    for f in formations:
        metabolite = dispositions[f.metabolite]
        if float(np.asarray(metabolite.ka)) == 0.0:
            # ASSUMPTION: a formed metabolite taken by mouth (7-OH in a product) has no human
            # absorption data; it is absorbed like its parent. simulate.scenario_notes says so.
            parent = dispositions[f.parent]
            dispositions[f.metabolite] = replace(metabolite, ka=parent.ka, lag=parent.lag)
    return dispositions, formations
