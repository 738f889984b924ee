"""A scenario: which product, how much, at what clock times, for whom. Turned into dose events.

Parsing user strings happens here, once, for the CLI, the web app and the Python API alike.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from datetime import date, datetime, time
from typing import Any

import numpy as np

from kratomsim import defaults
from kratomsim.autoinhibition import default_on
from kratomsim.errors import InputError
from kratomsim.library import Product, check_compound, library_products, load_product, molecular_weight
from kratomsim.pk.model import DoseEvent
from kratomsim.tea import tea_factor
from kratomsim.units import Dose, mg_to_umol, parse_clock, parse_dose, parse_duration_h, parse_weight_kg

MIN_GRID_H = 1.0 / 60.0
MAX_HORIZON_H = 365.0 * 24.0
MAX_DOSES = 1000
DEFAULT_TAIL_H = 48.0


@dataclass(frozen=True)
class Scenario:
    """What is taken, when, by whom; times in hours from the first dose."""

    product: Product | None  # None when the dose is mg of one alkaloid
    dose: Dose
    first_dose: datetime
    interval_h: float
    count: int
    weight_kg: float
    grid_h: float
    horizon_h: float
    autoinhibition: bool = True  # mitragynine's own CYP3A4 inactivation (kratomsim.autoinhibition)

    def dose_times_h(self) -> list[float]:
        return [i * self.interval_h for i in range(self.count)]

    def alkaloid_doses_mg(self) -> dict[str, float]:
        """mg of each alkaloid in one dose."""
        if self.dose.compound is not None:
            return {self.dose.compound: self.dose.amount_mg}
        assert self.product is not None
        grams = self.dose.amount_mg / 1000.0 * tea_factor(self.product)
        return {name: grams * mg_per_g for name, mg_per_g in self.product.alkaloids_mg_per_g.items()}

    def dose_events(self) -> list[DoseEvent]:
        """Oral doses of each alkaloid, in micromoles."""
        per_dose = {
            name: mg_to_umol(mg, molecular_weight(name))
            for name, mg in self.alkaloid_doses_mg().items()
            if mg > 0
        }
        return [
            DoseEvent(time_h=t, compound=name, amount_umol=amount)
            for t in self.dose_times_h()
            for name, amount in per_dose.items()
        ]

    def times_h(self) -> np.ndarray:
        """The output grid: from the first dose to the horizon, every grid step."""
        steps = int(np.floor(self.horizon_h / self.grid_h + 1e-9))
        return np.arange(steps + 1) * self.grid_h

    def clock(self, times_h: np.ndarray) -> np.ndarray:
        """Clock times (numpy datetime64[s]) for hours since the first dose."""
        start = np.datetime64(self.first_dose.replace(tzinfo=None), "s")
        return start + np.round(np.asarray(times_h) * 3600.0).astype("timedelta64[s]")

    @classmethod
    def create(
        cls,
        product: str | None = defaults.PRODUCT,
        dose: str | float | Dose = defaults.DOSE,
        at: str | time = defaults.AT,
        every: str | float | None = defaults.EVERY,
        count: int = defaults.COUNT,
        weight: str | float = defaults.WEIGHT,
        grid: str | float = defaults.GRID,
        hours: str | float | None = None,
        start_date: str | date | None = None,
        autoinhibition: bool | None = None,
    ) -> Scenario:
        """The one way to build a scenario from what a person types or a notebook passes.

        Numbers are read in the default unit: ``dose=2`` is 2 g of leaf, ``every=24`` and
        ``hours=72`` are hours, ``weight=70`` is kg, ``grid=0.25`` is hours. Without
        ``start_date`` the first dose falls on ``defaults.UNDATED_DAY`` (edges pass today).

        >>> Scenario.create(dose=2, at="22:30", count=7, start_date="2026-01-05").describe()
        '2 g of leaf (Yellow Indonesian Micro Powder (study ID K51)) at 2026-01-05 22:30, every 24 h x 7, 70 kg'
        """
        return make_scenario(
            product=product,
            dose=dose_text(dose),
            at=at.strftime("%H:%M") if isinstance(at, time) else at,
            every=None if every is None else with_unit(every, "h", "dose interval"),
            count=count,
            weight=with_unit(weight, "kg", "weight"),
            grid=with_unit(grid, "h", "grid step"),
            hours=None if hours is None else parse_duration_h(with_unit(hours, "h", "horizon"), "horizon"),
            start_date=start_date,
            autoinhibition=autoinhibition,
        )

    def replace(self, **changes: Any) -> Scenario:
        """A copy with some fields changed (the scenario itself is immutable)."""
        return replace(self, **changes)

    def describe(self) -> str:
        what = self.product.name if self.product and self.dose.is_leaf else self.dose.compound
        repeat = f", every {self.interval_h:g} h x {self.count}" if self.count > 1 else ""
        return f"{self.dose} ({what}) at {self.first_dose:%Y-%m-%d %H:%M}{repeat}, {self.weight_kg:g} kg"


def with_unit(value: str | float, unit: str, what: str) -> str:
    """A number given without a unit, written with the default one; text passes through."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise InputError(f"{what} must be a finite number or a text with a unit, got {value!r}")
    return f"{value!r}{unit}"


def dose_text(dose: str | float | Dose) -> str:
    if isinstance(dose, Dose):
        return f"{dose.amount_mg!r}mg" + (f":{dose.compound}" if dose.compound else "")
    return with_unit(dose, "g", "dose")


def _resolve_product(product: str | None, dose: Dose) -> tuple[Product | None, Dose]:
    """The product a dose refers to (leaf doses need one with mg/g), and the dose with a canonical compound."""
    if dose.compound is not None:
        dose = Dose(dose.amount_mg, check_compound(dose.compound))
        return (load_product(product) if product and product.upper() in library_products() else None), dose
    resolved = load_product(product or "")
    if not resolved.alkaloids_mg_per_g:
        if resolved.alkaloids_mg_per_unit:
            alkaloid = next(iter(resolved.alkaloids_mg_per_unit))
            raise InputError(
                f"product {resolved.name!r} is labelled per unit, not per g; give the dose as mg of the "
                f"alkaloid, e.g. {resolved.alkaloids_mg_per_unit[alkaloid]:g}mg:{alkaloid}"
            )
        raise InputError(f"product {resolved.name!r} lists no quantified alkaloid")
    return resolved, dose


def _horizon_h(hours: float | None, count: int, interval_h: float, grid_h: float, grid: str) -> float:
    """The simulated span: as asked, or the doses plus a 48 h tail, within 365 days and 2e6 points."""
    last_dose_h = (count - 1) * interval_h
    if last_dose_h >= MAX_HORIZON_H:
        raise InputError(f"dose count {count} every {interval_h:g} h spans {last_dose_h / 24:g} days; "
                         "the doses must fit in 365 days")
    # Without --hours the tail after the last dose is cut at the 365-day horizon, not refused.
    horizon_h = float(hours) if hours is not None else min(last_dose_h + DEFAULT_TAIL_H, MAX_HORIZON_H)
    if not 0 < horizon_h <= MAX_HORIZON_H:
        raise InputError(f"horizon of {horizon_h:g} h is outside the accepted range: over 0 and at most 365 days")
    if horizon_h / grid_h > 2_000_000:
        raise InputError(
            f"{horizon_h:g} h on a {grid} grid is {horizon_h / grid_h:.0f} points; at most 2,000,000 are "
            "accepted: use a coarser grid"
        )
    return horizon_h


def make_scenario(
    product: str | None = defaults.PRODUCT,
    dose: str = defaults.DOSE,
    at: str = defaults.AT,
    every: str | None = defaults.EVERY,
    count: int = defaults.COUNT,
    weight: str = defaults.WEIGHT,
    grid: str = defaults.GRID,
    hours: float | None = None,
    start_date: str | date | None = None,
    autoinhibition: bool | None = None,
) -> Scenario:
    """Parse and check a scenario; every mistake is an InputError naming what is accepted.

    Without ``start_date`` the first dose falls on ``defaults.UNDATED_DAY``: only the edges (CLI,
    web, facade) fill in today, so library results never depend on the day they are run.
    """
    resolved, parsed_dose = _resolve_product(product, parse_dose(dose))
    if isinstance(count, bool) or not 1 <= int(count) <= MAX_DOSES:
        raise InputError(f"dose count must be a whole number from 1 to {MAX_DOSES}, got {count!r}")
    interval_h = parse_duration_h(every, "dose interval") if every else 24.0
    grid_h = parse_duration_h(grid, "grid step")
    if grid_h < MIN_GRID_H - 1e-12:
        raise InputError(f"grid step {grid!r} is under 1 minute; accepted: 1min or more")
    first = datetime.combine(defaults.first_day(start_date), parse_clock(at, "dose time"))
    horizon_h = _horizon_h(hours, int(count), interval_h, grid_h, grid)
    return Scenario(
        product=resolved,
        dose=parsed_dose,
        first_dose=first,
        interval_h=interval_h,
        count=int(count),
        weight_kg=parse_weight_kg(weight),
        grid_h=grid_h,
        horizon_h=horizon_h,
        autoinhibition=default_on() if autoinhibition is None else bool(autoinhibition),
    )
