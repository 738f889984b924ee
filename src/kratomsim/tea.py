"""How much of a leaf's alkaloids reaches a hot-water tea (data/tea_extraction.yaml).

Applied only where a product's form is ``tea`` and its content is a leaf assay (basis ``leaf``): a
solvent assay of the leaf overstates what a tea carries several-fold.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from kratomsim.data_schemas import checked_file
from kratomsim.library import MITRAGYNINE, Product

CALIBRATION_STATEMENT = (
    "The shipped calibration (Tanna 2022, product K51) is per mg of alkaloid in the 2 g of leaf powder the "
    "tea was made from (the study's alkaloid doses equal 2 g x the K51 assay within 3 %), so whatever part of the "
    "powder's alkaloids did not reach the participants is inside the apparent CL/F and V/F. K51 therefore "
    "gets no extraction factor; whether Tanna's tea was drunk with the powder was not retrievable."
)


@dataclass(frozen=True)
class TeaExtraction:
    """Fraction of each alkaloid reaching a tea: default and interval, with sources."""

    fraction: float
    low: float
    high: float
    sources: tuple[str, ...]
    assumption_for_others: str

    def statement(self) -> str:
        return (
            f"Tea: {self.fraction:.0%} of each alkaloid in the leaf is taken to reach the tea "
            f"(mitragynine, Chairerk; interval {self.low:.0%}-{self.high:.0%} from Grundmann 2023); the other "
            f"alkaloids have no tea data and are assumed to follow mitragynine."
        )


@cache
def tea_extraction() -> TeaExtraction:
    """The cited tea extraction fraction (mitragynine; the others follow it by assumption)."""
    raw = checked_file("tea_extraction.yaml")
    mg = raw[MITRAGYNINE]
    default = mg["estimates"][mg["default"]["estimate"]]["fraction"]
    bounds = mg["estimates"]["grundmann2023"]["fraction"]
    return TeaExtraction(
        fraction=float(default["value"]), low=float(bounds["low"]), high=float(bounds["high"]),
        sources=tuple(sorted({str(e["fraction"]["source"]) for e in mg["estimates"].values()})),
        assumption_for_others=str(raw["others"]["assumption"]),
    )


def applies_to(product: Product | None) -> bool:
    """True when grams of this product are a leaf assay made into tea."""
    return product is not None and product.form == "tea" and product.basis == "leaf"


def tea_factor(product: Product | None) -> float:
    """The factor on the leaf content for this product (1 when it does not apply)."""
    return tea_extraction().fraction if applies_to(product) else 1.0
