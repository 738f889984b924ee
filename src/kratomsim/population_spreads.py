"""Between-subject and product-content spreads of a population run, from the published studies.

Why its own module: the spreads are data (cited ranges turned into log-normal omegas), used by the
sampler and reported as the run's sources; the solver never needs them.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import Any

import numpy as np

from kratomsim.data_schemas import checked_file
from kratomsim.errors import InputError
from kratomsim.market import market_product, market_spread
from kratomsim.scenario import Scenario
from kratomsim.variability_structure import between_subject, bootstrap, split_moments

_PARAMETERS = ("cl", "volume", "ka")
SHARED_F = ("*", "bioavailability")  # one draw per person, shared by every alkaloid's F


@lru_cache(maxsize=64)
def expected_range(n: int) -> float:
    """d2(n): the expected range of n independent standard normal values (by integration)."""
    from scipy import integrate
    from scipy.stats import norm

    def integrand(x: float) -> float:
        return float(1.0 - norm.cdf(x) ** n - norm.sf(x) ** n)

    value, _ = integrate.quad(integrand, -np.inf, np.inf, limit=200)
    return float(value)


def omega_from_range(low: float, high: float, n: int) -> float:
    """Log-normal SD whose expected range over n subjects spans low..high."""
    return math.log(high / low) / expected_range(n)


def omega_from_mean_sd(mean: float, sd: float) -> float:
    """Log-normal SD with the given arithmetic mean and SD."""
    return math.sqrt(math.log1p((sd / mean) ** 2))


@dataclass(frozen=True)
class Spread:
    """One between-subject spread, with where its numbers come from."""

    compound: str
    parameter: str  # cl, volume, ka, bioavailability, formation or content
    omega: float
    method: str
    statistic: str
    source: str
    where: str
    ci90: tuple[float, float] | None = None  # uncertainty of omega where the estimator gives one


def _stat(study: Mapping[str, Any], compound: str, name: str) -> Mapping[str, Any] | None:
    cell = study.get("compounds", {}).get(compound, {}).get(name)
    return cell if isinstance(cell, Mapping) else None


def _omega(cell: Mapping[str, Any], method: str, n: int) -> float:
    if method == "range_n":
        return omega_from_range(float(cell["low"]), float(cell["high"]), n)
    if method == "mean_sd":
        return omega_from_mean_sd(float(cell["mean"]), float(cell["sd"]))
    raise ValueError(f"unknown spread method {method!r}")


@lru_cache(maxsize=8)
def variability_spreads(study: str | None = None) -> tuple[Spread, ...]:
    """Between-subject spreads of every modelled compound, computed from the cited statistics."""
    config = between_subject()
    key = study or config["default"]
    if key not in config["studies"]:
        raise InputError(f"unknown variability study {key!r}; accepted: {', '.join(config['studies'])}")
    entry = config["studies"][key]
    published = checked_file("studies.yaml")["studies"][entry["study"]]
    n = int(published[entry["n_from"]]["value"])
    method = entry["method"]
    spreads: list[Spread] = []
    for compound in published.get("compounds", {}):
        for parameter, statistic in entry.get("parameters", {}).items():
            cell = _stat(published, compound, statistic)
            if cell is None or not {"low", "high", "mean", "sd"} & set(cell):
                continue
            spreads.append(Spread(compound, parameter, _omega(cell, method, n), method, statistic,
                                  str(cell["source"]), str(cell["where"])))
    if "shared_bioavailability" in entry:
        spreads = _with_shared_bioavailability(spreads, published, entry["shared_bioavailability"], n)
    metabolite = entry.get("metabolite")
    if metabolite:
        name = metabolite["compound"]
        spreads = [s for s in spreads if s.compound != name]
        cl_cell = _stat(published, name, metabolite["cl"])
        omega_cl = 0.0
        if cl_cell is not None:
            omega_cl = _omega(cl_cell, method, n)
            spreads.append(Spread(name, "cl", omega_cl, method, metabolite["cl"], str(cl_cell["source"]),
                                  str(cl_cell["where"])))
        formation = metabolite["formation"]
        f_cell = _stat(published, name, formation["statistic"])
        if f_cell is not None:
            omega_total = _omega(f_cell, method, n)
            omega_f = math.sqrt(max(omega_total**2 - omega_cl**2, 0.0))
            spreads.append(Spread(name, "formation", omega_f, formation["method"],
                                  f"{formation['statistic']} minus {formation['minus']}",
                                  str(f_cell["source"]), str(f_cell["where"])))
    return tuple(spreads)


def _with_shared_bioavailability(
    spreads: list[Spread], published: Mapping[str, Any], stats: Mapping[str, str], n: int
) -> list[Spread]:
    """Split each alkaloid's CL/F and V/F spreads into a shared F part and CL, V parts (moments)."""
    out = list(spreads)
    for compound in published.get("compounds", {}):
        cells = {k: _stat(published, compound, v) for k, v in stats.items()}
        if any(c is None or not {"low", "high"} <= set(c) for c in cells.values()):
            continue
        w = {k: omega_from_range(float(c["low"]), float(c["high"]), n) for k, c in cells.items() if c}
        split = bootstrap(split_moments(w["cl"], w["volume"], w["half_life"]), n, expected_range(n))
        where = (f"moments of the ranges of {', '.join(stats.values())} (n = {n}); 90 % interval: parametric "
                 "bootstrap" + (f"; set to 0: {', '.join(split.clipped)}" if split.clipped else ""))
        source = str(cells["cl"]["source"]) if cells["cl"] else ""
        out = [s for s in out if not (s.compound == compound and s.parameter in ("cl", "volume"))]
        out += [
            Spread(compound, "bioavailability", split.omega_f, "moments_shared", "shared F", source, where,
                   split.omega_f_ci90),
            Spread(compound, "cl", split.omega_cl, "moments_shared", stats["cl"], source, where, split.omega_cl_ci90),
            Spread(compound, "volume", split.omega_v, "moments_shared", stats["volume"], source, where,
                   split.omega_v_ci90),
        ]
    return out


def content_spreads(product_id: str) -> tuple[Spread, ...]:
    """Log-normal spread of each alkaloid's content from the product assay's mean and SD."""
    raw = checked_file("products.yaml")["products"].get(product_id)
    if raw is None:
        return ()
    out = []
    for compound, cell in raw.get("alkaloids_mg_per_g", {}).items():
        if isinstance(cell, Mapping) and "sd" in cell and "value" in cell and float(cell["value"]) > 0:
            out.append(Spread(compound, "content", omega_from_mean_sd(float(cell["value"]), float(cell["sd"])),
                              "mean_sd", "alkaloids_mg_per_g", str(raw["source"]), str(raw["where"])))
    return tuple(out)


def market_content(scenario: Scenario) -> tuple[Scenario, tuple[Spread, ...]]:
    """``--content market``: each person's product drawn from the assayed leaf market (mitragynine mg/g).

    The scenario's product keeps its alkaloid profile, rescaled so that its mitragynine is the market mean;
    every alkaloid then gets the market's log-SD (mean-1 factor), so a person's mitragynine has the market's
    median and spread. The other alkaloids follow mitragynine's spread (the surveys report mitragynine only)
    and are drawn independently of it.
    """

    if scenario.product is None or not scenario.dose.is_leaf:
        raise InputError("--content market needs a dose in grams of leaf (e.g. 4g), not mg of one alkaloid")
    product, omega = market_product(scenario.product)
    spread = market_spread()
    where = f"log-SD of mitragynine mg/g across {spread.n} assayed leaf products (products.yaml)"
    spreads = tuple(Spread(c, "content", omega, "market_lognormal", "alkaloids_mg_per_g", ", ".join(spread.sources),
                           where) for c in product.alkaloids_mg_per_g if product.alkaloids_mg_per_g[c] > 0)
    return replace(scenario, product=product), spreads

