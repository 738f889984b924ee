"""The market, not one product: spread of mitragynine across assayed leaf products, strains by label,
and what a 7-OH concentrate equals in leaf.

Everything is computed from data/products.yaml; nothing here holds a number of its own.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from functools import cache
from typing import Any

import numpy as np

from kratomsim.data_schemas import checked_file
from kratomsim.errors import InputError
from kratomsim.library import MITRAGYNINE, SEVEN_OH, Product, check_compound, library_products
from kratomsim.units import Dose, parse_dose

MARKET_KINDS = frozenset({"leaf"})  # extracts, concentrates, plants and spent leaf are not "a product bought"
NO_ORAL_7OH_PK = (
    "No human pharmacokinetic study of orally taken 7-hydroxymitragynine exists; any simulation of it is an "
    "extrapolation (absorption borrowed from mitragynine, disposition from 7-OH formed in the body), never a "
    "validated prediction."
)


@dataclass(frozen=True)
class SurveyRange:
    """A product survey for which only the range across products is available."""

    key: str
    source: str
    n_products: int | None
    low: float
    high: float


@dataclass(frozen=True)
class MarketSpread:
    """Mitragynine mg/g across assayed leaf products on a leaf basis, with the survey ranges beside it."""

    values: tuple[tuple[str, float], ...]
    median: float
    p5: float
    p95: float
    low: float
    high: float
    log_mean: float
    log_sd: float
    surveys: tuple[SurveyRange, ...]
    sources: tuple[str, ...]
    extremes: tuple[str, ...] = ()  # ids among ``values`` that are a survey's lowest or highest product

    @property
    def n(self) -> int:
        return len(self.values)

    def statement(self) -> str:
        survey = "; ".join(f"{s.source} {s.low:g}-{s.high:g} mg/g (n={s.n_products})" for s in self.surveys)
        text = (
            f"Mitragynine across {self.n} assayed leaf products: median {self.median:.1f} mg/g, "
            f"5th-95th percentile {self.p5:.1f}-{self.p95:.1f}, range {self.low:g}-{self.high:g} mg/g."
        )
        if self.extremes:
            inner = market_spread(include_extremes=False)
            text += (
                f" {len(self.extremes)} of them are a survey's lowest or highest product (the only ones its "
                f"abstract gives), which widens the spread; without them (n={inner.n}): median "
                f"{inner.median:.1f}, 5th-95th {inner.p5:.1f}-{inner.p95:.1f} mg/g."
            )
        return text + f" Survey ranges (per-product values not retrievable): {survey}."

    def to_dict(self) -> dict[str, Any]:
        return {
            "n_products": self.n, "median_mg_per_g": self.median, "p5_mg_per_g": self.p5,
            "p95_mg_per_g": self.p95, "low_mg_per_g": self.low, "high_mg_per_g": self.high,
            "log_mean": self.log_mean, "log_sd": self.log_sd,
            "products": [{"id": pid, "mitragynine_mg_per_g": v, "survey_extreme": pid in self.extremes}
                         for pid, v in self.values],
            "surveys": [{"key": s.key, "source": s.source, "n_products": s.n_products, "low_mg_per_g": s.low,
                         "high_mg_per_g": s.high} for s in self.surveys],
            "sources": list(self.sources),
        }


def is_market_product(product: Product) -> bool:
    """A leaf product someone buys and doses by the gram, assayed on a leaf basis, with mitragynine."""
    return product.kind in MARKET_KINDS and product.basis == "leaf" and product.contains(MITRAGYNINE)


def filter_products(form: str | None = None, contains: str | None = None) -> list[Product]:
    """Library products of one form and/or holding one alkaloid (names as in `kratomsim compounds`)."""
    items = list(library_products().values())
    if form is not None:
        forms = sorted({p.form for p in items})
        if form.strip().lower() not in forms:
            raise InputError(f"unknown form {form!r}; accepted forms: {', '.join(forms)}")
        items = [p for p in items if p.form == form.strip().lower()]
    if contains is not None:
        name = check_compound(contains)
        items = [p for p in items if p.contains(name)]
    return items


def _surveys() -> tuple[SurveyRange, ...]:
    out = []
    for key, raw in (checked_file("products.yaml").get("surveys") or {}).items():
        cell = raw.get("mitragynine_mg_per_g")
        if isinstance(cell, dict) and "low" in cell and "high" in cell:
            out.append(SurveyRange(str(key), str(raw["source"]), raw.get("n_products"),
                                   float(cell["low"]), float(cell["high"])))
    return tuple(out)


@cache
def market_spread(include_extremes: bool = True) -> MarketSpread:
    """Median, 5th-95th percentile (linear interpolation) and range of mitragynine mg/g over leaf products.

    ``include_extremes=False`` leaves out the products that stand for a survey's lowest or highest value.
    """
    products = library_products()
    chosen = sorted(((p.id, p.alkaloids_mg_per_g[MITRAGYNINE]) for p in products.values()
                     if is_market_product(p) and (include_extremes or p.survey_extreme is None)),
                    key=lambda item: item[1])
    values = np.array([v for _, v in chosen])
    logs = np.log(values)
    return MarketSpread(
        values=tuple(chosen), median=float(np.median(values)),
        p5=float(np.percentile(values, 5)), p95=float(np.percentile(values, 95)),
        low=float(values.min()), high=float(values.max()),
        log_mean=float(logs.mean()), log_sd=float(logs.std(ddof=1)),
        surveys=_surveys(),
        sources=tuple(sorted({s for pid, _ in chosen for s in products[pid].sources})),
        extremes=tuple(pid for pid, _ in chosen if products[pid].survey_extreme is not None),
    )


def market_product(product: Product) -> tuple[Product, float]:
    """The product rescaled so its mitragynine is the market's mean, and the market log-SD.

    For ``--content market``: each simulated person's content factor (log-normal, mean 1, SD ``log_sd``)
    then gives mitragynine with the market's median and spread; the product's own alkaloid profile is kept.
    """
    spread = market_spread()
    own = product.alkaloids_mg_per_g.get(MITRAGYNINE, 0.0)
    if own <= 0:
        raise InputError(f"--content market needs a product with mitragynine; {product.name!r} has none")
    mean = math.exp(spread.log_mean + 0.5 * spread.log_sd**2)
    scale = mean / own
    return replace(product, alkaloids_mg_per_g={k: v * scale for k, v in product.alkaloids_mg_per_g.items()},
                   notes=(*product.notes, f"content drawn from the market of {spread.n} assayed leaf products")), \
        spread.log_sd


# ------------------------------------------------------------------------------------- strains


@dataclass(frozen=True)
class StrainGroup:
    """Products sharing a strain label (red, green, white, ...) on one content basis."""

    label: str
    basis: str
    products: tuple[tuple[str, float], ...]

    @property
    def n(self) -> int:
        return len(self.products)

    @property
    def median(self) -> float:
        return float(np.median([v for _, v in self.products]))

    @property
    def within_ratio(self) -> float | None:
        """Highest over lowest mitragynine within the label; None with fewer than two products."""
        vals = [v for _, v in self.products]
        return max(vals) / min(vals) if len(vals) > 1 else None


@dataclass(frozen=True)
class StrainComparison:
    """Mitragynine by strain label, with the variation across and within labels."""

    groups: tuple[StrainGroup, ...]
    finding: str
    finding_source: str

    def across_ratio(self, basis: str) -> float | None:
        """Highest over lowest label median among labels on one basis; None with fewer than two labels."""
        medians = [g.median for g in self.groups if g.basis == basis]
        return max(medians) / min(medians) if len(medians) > 1 else None

    def statement(self) -> str:
        parts = []
        for basis in sorted({g.basis for g in self.groups}):
            groups = [g for g in self.groups if g.basis == basis]
            shown = ", ".join(f"{g.label} {g.median:g} (n={g.n})" for g in groups)
            across = self.across_ratio(basis)
            within = [g.within_ratio for g in groups if g.within_ratio is not None]
            parts.append(
                f"{basis} basis: {shown} mg/g mitragynine; across labels x{across:.2f}" if across else
                f"{basis} basis: {shown} mg/g mitragynine"
            )
            parts[-1] += (f", within labels up to x{max(within):.2f}" if within else
                          "; within-label variation cannot be computed (one assayed product per label)")
        return "; ".join(parts) + f". {self.finding} ({self.finding_source})."


def strain_comparison() -> StrainComparison:
    """Group labelled products by strain label and content basis."""
    groups: dict[tuple[str, str], list[tuple[str, float]]] = {}
    for p in library_products().values():
        if p.strain and p.contains(MITRAGYNINE) and p.kind == "leaf":
            groups.setdefault((p.strain, p.basis), []).append((p.id, p.alkaloids_mg_per_g[MITRAGYNINE]))
    survey = checked_file("products.yaml")["surveys"]["huisman2023_strains"]
    return StrainComparison(
        groups=tuple(StrainGroup(label, basis, tuple(items)) for (label, basis), items in sorted(groups.items())),
        finding="Huisman 2023 (one vendor's red, green and white products, independent assay): "
                + str(survey["finding"]),
        finding_source=str(survey["source"]),
    )


@dataclass(frozen=True)
class WithinProduct:
    """Repeat assays of one product: several samples of one label, or one lot assayed again and again."""

    product: str
    what: str
    source: str
    where: str
    low: float
    high: float
    values: tuple[float, ...] = ()  # mg/g, when the source prints each assay

    @property
    def ratio(self) -> float:
        return self.high / self.low

    @property
    def rsd_percent(self) -> float | None:
        """Relative SD (sample SD over mean) when each assay is printed; None for a low-high range only."""
        if len(self.values) < 2:
            return None
        return float(np.std(self.values, ddof=1) / np.mean(self.values) * 100)

    def statement(self) -> str:
        n = f"n={len(self.values)}, RSD {self.rsd_percent:.1f} %, " if self.values else "n not given, "
        return (f"{self.product} ({self.what}; {self.source} {self.where}): mitragynine {self.low:g}-{self.high:g} "
                f"mg/g, {n}highest/lowest x{self.ratio:.2f}")


def within_product_variation() -> list[WithinProduct]:
    """Every product assayed more than once in its source, from ``within_product`` and ``repeat_assays``."""
    out: list[WithinProduct] = []
    for pid, raw in checked_file("products.yaml")["products"].items():
        if "within_product" in raw:
            cell = raw["within_product"]
            rng = cell["mitragynine_mg_per_g"]
            out.append(WithinProduct(str(pid), str(cell["what"]), str(raw["source"]), str(cell["where"]),
                                     float(rng["low"]), float(rng["high"])))
        if "repeat_assays" in raw:
            cell = raw["repeat_assays"]
            mg = tuple(10.0 * float(v) for v in cell["mitragynine_percent"])  # 1 % w/w = 10 mg/g
            out.append(WithinProduct(str(pid), str(cell["what"]), str(raw["source"]), str(cell["where"]),
                                     min(mg), max(mg), mg))
    return out


# ------------------------------------------------------------------------------ 7-OH in leaf


@dataclass(frozen=True)
class LeafEquivalence:
    """How many grams of leaf hold a given mg of 7-OH, from the range of 7-OH measured in leaf products."""

    seven_oh_mg: float
    low_g: float
    high_g: float
    leaf_low_mg_per_g: float
    leaf_high_mg_per_g: float
    source: str

    def statement(self) -> str:
        return (
            f"{self.seven_oh_mg:g} mg of 7-OH is the 7-OH content of {self.low_g:.0f} to {self.high_g:.0f} g of "
            f"leaf ({self.leaf_low_mg_per_g:g}-{self.leaf_high_mg_per_g:g} mg/g in leaf products, "
            f"{self.source})."
        )


def leaf_equivalence(seven_oh_mg: float) -> LeafEquivalence:
    """Grams of leaf with the same 7-OH: mg divided by the highest and the lowest leaf 7-OH content."""
    if not seven_oh_mg > 0:
        raise InputError(f"7-OH amount must be above 0 mg, got {seven_oh_mg:g}")
    cell = checked_file("products.yaml")["surveys"]["kikurahanajiri2009_japan"]
    low, high = float(cell["seven_oh_mg_per_g"]["low"]), float(cell["seven_oh_mg_per_g"]["high"])
    return LeafEquivalence(seven_oh_mg, seven_oh_mg / high, seven_oh_mg / low, low, high, str(cell["source"]))


def concentrates() -> list[Product]:
    """7-OH concentrates: labelled mg per unit (tablets, strips, shots) or assayed mg per g of product."""
    return [p for p in library_products().values() if p.kind == "concentrate" and p.contains(SEVEN_OH)]


# ------------------------------------------------------------------------ oral 7-OH in reports


def check_oral_seven_oh(dose: str, extrapolate: bool) -> None:
    """Text form of :func:`refuse_oral_seven_oh` (for the edges): the dose as typed."""
    refuse_oral_seven_oh(parse_dose(dose), dose, extrapolate)


def refuse_oral_seven_oh(dose: Dose, label: str, extrapolate: bool) -> None:
    """Refuse a dose of mg of 7-OH (a concentrate) unless the caller asked for an extrapolation;
    ``label`` is the dose as the person wrote it, which the message repeats."""
    if dose.compound is not None and check_compound(dose.compound) == SEVEN_OH and not extrapolate:
        raise InputError(
            f"{label!r} is 7-hydroxymitragynine taken by mouth, which no human PK study covers; "
            "add --extrapolate (extrapolate=True) to simulate it as an extrapolation"
        )


def seven_oh_notes(alkaloid_mg: dict[str, float]) -> list[str]:
    """The statement every report with oral 7-OH carries: no human PK, and what the dose equals in leaf."""
    mg = alkaloid_mg.get(SEVEN_OH, 0.0)
    if mg <= 0:
        return []
    return [f"EXTRAPOLATION: {NO_ORAL_7OH_PK} {leaf_equivalence(mg).statement()}"]
