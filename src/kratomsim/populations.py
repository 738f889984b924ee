"""Populations: between-subject variability, prediction bands and nightly metrics at scale.

Why it looks like this:

- Spreads are computed from published ranges and SDs (``data/variability.yaml`` names which),
  so no spread is typed in by hand.
- Every subject's random numbers come from (seed, block of ``BLOCK`` subjects), never from the
  chunk or worker that happens to run it: the same seed gives the same subjects, bit for bit,
  whatever the chunk size, the number of workers, local or Dask.
- Subjects are processed in chunks whose memory does not grow with the population; the summary
  of all subjects is kept as integer histograms (order-free, so exact under any split).
- The solver is the exact modal one (:mod:`kratomsim.pk.modal`), checked against the expm engine.
"""

from __future__ import annotations

import itertools
import math
import os
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import lru_cache
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from kratomsim.datafiles import load_data_file
from kratomsim.errors import InputError
from kratomsim.exposure import model_for
from kratomsim.library import SEVEN_OH, kratom_dispositions, library_products, molecular_weight
from kratomsim.pk.modal import NightMetrics, build_modal, modal_concentrations, window_metrics
from kratomsim.pk.model import Disposition, DoseEvent, FloatArray, Formation, build_system
from kratomsim.scenario import Scenario
from kratomsim.variability_structure import bootstrap, split_moments

BLOCK = 1024  # subjects per random-number block: fixed forever, so seeds stay reproducible
WORK = 2048  # subjects solved together inside a chunk (cache-sized; does not change results)
DEFAULT_CHUNK = 16384  # subjects per chunk: small enough that temporaries stay out of the page-fault path
DEFAULT_BAND_SUBJECTS = 2000
DEFAULT_WAKE_H = 8.0
# Populations run the linear model: superposition of modes cannot carry mitragynine's CYP3A4
# autoinhibition, which makes clearance depend on the subject's own past concentrations.
LINEAR_MODEL_NOTE = "linear model: mitragynine's CYP3A4 autoinhibition is not applied to populations"
METRICS = ("cmax", "cwake", "auc")
METRIC_UNITS = {"cmax": "nM", "cwake": "nM", "auc": "nM*h"}
_PARAMETERS = ("cl", "volume", "ka")
SHARED_F = ("*", "bioavailability")  # one draw per person, shared by every alkaloid's F
# histogram of log10(value) used for the all-subject metric quantiles
_LOG_LOW, _LOG_HIGH, _LOG_WIDTH = -8.0, 8.0, 0.002
_NBINS = round((_LOG_HIGH - _LOG_LOW) / _LOG_WIDTH)


# --------------------------------------------------------------------------- variability model


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
    config = load_data_file("variability.yaml")["between_subject"]
    key = study or config["default"]
    if key not in config["studies"]:
        raise InputError(f"unknown variability study {key!r}; accepted: {', '.join(config['studies'])}")
    entry = config["studies"][key]
    published = load_data_file("studies.yaml")["studies"][entry["study"]]
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
    raw = load_data_file("products.yaml")["products"].get(product_id)
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
    from kratomsim.market import market_product, market_spread

    if scenario.product is None or not scenario.dose.is_leaf:
        raise InputError("--content market needs a dose in grams of leaf (e.g. 4g), not mg of one alkaloid")
    product, omega = market_product(scenario.product)
    spread = market_spread()
    where = f"log-SD of mitragynine mg/g across {spread.n} assayed leaf products (products.yaml)"
    spreads = tuple(Spread(c, "content", omega, "market_lognormal", "alkaloids_mg_per_g", ", ".join(spread.sources),
                           where) for c in product.alkaloids_mg_per_g if product.alkaloids_mg_per_g[c] > 0)
    return replace(scenario, product=product), spreads


# --------------------------------------------------------------------------- subjects


@lru_cache(maxsize=1)
def _dimensions() -> tuple[tuple[str, str], ...]:
    """The fixed order of random draws per subject, independent of scenario and options."""
    names = sorted(set(kratom_dispositions()[0]) | {c for p in library_products().values()
                                                     for c in p.alkaloids_mg_per_g})
    dims = [(c, p) for c in names for p in _PARAMETERS]
    dims += [(c, "formation") for c in names]
    dims += [(c, "content") for c in names]
    dims += [SHARED_F]  # appended last: the draws above stay what they were
    return tuple(dims)


def _normals(seed: int, start: int, stop: int) -> NDArray[np.float64]:
    """Standard normal draws (dims, stop - start): block b always comes from SeedSequence(seed, (b,))."""
    dims = len(_dimensions())
    out = np.empty((dims, stop - start))
    first, last = start // BLOCK, (stop - 1) // BLOCK
    for block in range(first, last + 1):
        rng = np.random.Generator(np.random.PCG64(np.random.SeedSequence(seed, spawn_key=(block,))))
        draws = rng.standard_normal((dims, BLOCK))
        lo, hi = max(start, block * BLOCK), min(stop, (block + 1) * BLOCK)
        out[:, lo - start:hi - start] = draws[:, lo - block * BLOCK:hi - block * BLOCK]
    return out


@dataclass(frozen=True)
class Subjects:
    """Per-subject multipliers of the typical (70 kg, median) parameters, subjects start..start+n."""

    start: int
    count: int
    factors: dict[tuple[str, str], FloatArray]  # (compound, parameter) -> (n,)

    def __len__(self) -> int:
        return self.count

    def factor(self, compound: str, parameter: str) -> FloatArray | float:
        return self.factors.get((compound, parameter), 1.0)


def sample_subjects(
    n: int,
    seed: int,
    start: int = 0,
    spreads: Sequence[Spread] | None = None,
    content: Sequence[Spread] = (),
) -> Subjects:
    """Log-normal multipliers for subjects ``start .. start+n`` (median 1; content: mean 1)."""
    if n < 0 or start < 0:
        raise InputError("the number of subjects must be 0 or more")
    spreads = variability_spreads() if spreads is None else spreads
    z = _normals(int(seed), start, start + n) if n else np.empty((len(_dimensions()), 0))
    index = {d: i for i, d in enumerate(_dimensions())}
    factors: dict[tuple[str, str], FloatArray] = {}
    for s in spreads:
        if s.parameter == "bioavailability":
            factors[(s.compound, s.parameter)] = np.exp(s.omega * z[index[SHARED_F]])
        elif (s.compound, s.parameter) in index:
            factors[(s.compound, s.parameter)] = np.exp(s.omega * z[index[(s.compound, s.parameter)]])
    for s in content:
        if (s.compound, "content") in index:
            factors[(s.compound, "content")] = np.exp(s.omega * z[index[(s.compound, "content")]] - 0.5 * s.omega**2)
    return Subjects(start, n, factors)


def subject_model(
    base: Mapping[str, Disposition], formations: Sequence[Formation], subjects: Subjects
) -> tuple[dict[str, Disposition], list[Formation]]:
    """Dispositions and formations for these subjects: typical values times their multipliers."""
    out: dict[str, Disposition] = {}
    for name, d in base.items():
        f_bio = subjects.factor(name, "bioavailability")  # apparent CL/F, Q/F and V/F all divide by F
        f_v = subjects.factor(name, "volume") / f_bio
        out[name] = replace(
            d,
            cl=np.asarray(d.cl) * subjects.factor(name, "cl") / f_bio,
            q2=np.asarray(d.q2) / f_bio,
            q3=np.asarray(d.q3) / f_bio,
            v1=np.asarray(d.v1) * f_v,
            v2=np.asarray(d.v2) * f_v,
            v3=np.asarray(d.v3) * f_v,
            ka=np.asarray(d.ka) * subjects.factor(name, "ka"),
        )
    varied = []
    for f in formations:
        k = subjects.factor(f.metabolite, "formation")
        varied.append(replace(f, presystemic=np.minimum(np.asarray(f.presystemic) * k, 1.0),
                              systemic=np.minimum(np.asarray(f.systemic) * k, 1.0)))
    n = len(subjects)

    def each(value: Any) -> FloatArray:
        return np.broadcast_to(np.asarray(value, dtype=float), (n,))

    for name, d in out.items():  # broadcast every parameter to the subjects
        out[name] = replace(d, ka=each(d.ka), cl=each(d.cl), v1=each(d.v1), q2=each(d.q2), v2=each(d.v2),
                            q3=each(d.q3), v3=each(d.v3))
    varied = [replace(f, presystemic=np.broadcast_to(np.asarray(f.presystemic, dtype=float), (n,)),
                      systemic=np.broadcast_to(np.asarray(f.systemic, dtype=float), (n,))) for f in varied]
    return out, varied


def subject_doses(doses: Sequence[DoseEvent], subjects: Subjects) -> list[DoseEvent]:
    """The scenario's doses with each subject's product-content factor (1 when not varied)."""
    return [replace(d, amount_umol=np.asarray(d.amount_umol, dtype=float) * subjects.factor(d.compound, "content")
                    * np.ones(len(subjects))) for d in doses]


# --------------------------------------------------------------------------- running


@dataclass(frozen=True)
class _Spec:
    """Everything a chunk needs; small and picklable, sent once to each worker."""

    base: dict[str, Disposition]
    formations: list[Formation]
    doses: list[DoseEvent]
    windows: list[tuple[float, float]]
    grid_h: float
    compounds: tuple[str, ...]
    seed: int
    spreads: tuple[Spread, ...]
    content: tuple[Spread, ...]


@dataclass
class ChunkResult:
    """What one chunk returns: integer histograms, and per-subject metrics when asked for."""

    start: int
    stop: int
    histogram: NDArray[np.int64]  # (metrics, compounds, nights, bins + 2)
    defective: int
    metrics: NightMetrics | None = None


def _bin_index(values: FloatArray) -> NDArray[np.int64]:
    with np.errstate(divide="ignore", invalid="ignore"):
        scaled = (np.log10(values) - _LOG_LOW) / _LOG_WIDTH
    scaled = np.where(values > 0, scaled, -1.0)
    return np.clip(np.floor(scaled).astype(np.int64) + 1, 0, _NBINS + 1)


def _histogram(metrics: NightMetrics, out: NDArray[np.int64] | None = None) -> NDArray[np.int64]:
    """Counts per (metric, compound, night, bin), added into ``out`` when given.

    One bincount per metric and compound over that cell's own bins: a small output that stays in
    cache, where one bincount over all cells wrote (and first touched) tens of MB per work block.
    """
    _, J, C = metrics.cmax.shape
    if out is None:
        out = np.zeros((len(METRICS), C, J, _NBINS + 2), dtype=np.int64)
    offsets = (np.arange(J) * (_NBINS + 2))[None, :]
    for m, name in enumerate(METRICS):
        index = _bin_index(getattr(metrics, name))  # (S, J, C)
        for c in range(C):
            counts = np.bincount((index[:, :, c] + offsets).ravel(), minlength=J * (_NBINS + 2))
            out[m, c] += counts.reshape(J, _NBINS + 2)
    return out


def solve_subjects(spec: _Spec, start: int, stop: int) -> tuple[NightMetrics, int]:
    """Nightly metrics of subjects start..stop (one work block)."""
    subjects = sample_subjects(stop - start, spec.seed, start, spec.spreads, spec.content)
    dispositions, formations = subject_model(spec.base, spec.formations, subjects)
    system = build_system(dispositions, formations)
    doses = subject_doses(spec.doses, subjects)
    model = build_modal(system, sorted({d.compound for d in doses}))
    metrics = window_metrics(model, doses, spec.windows, spec.compounds)
    return metrics, int(model.defective.sum())


def run_chunk(spec: _Spec, start: int, stop: int, keep: bool = False) -> ChunkResult:
    """Solve subjects start..stop in work blocks; top-level so that Dask can ship it."""
    histogram: NDArray[np.int64] | None = None
    kept: list[NightMetrics] = []
    defective = 0
    for lo in range(start, stop, WORK):
        hi = min(stop, lo + WORK)
        metrics, bad = solve_subjects(spec, lo, hi)
        defective += bad
        histogram = _histogram(metrics, histogram)
        if keep:
            kept.append(metrics)
    assert histogram is not None
    joined = None
    if keep:
        joined = NightMetrics(kept[0].compounds, *(np.concatenate([getattr(k, a) for k in kept])
                                                   for a in METRICS))
    return ChunkResult(start, stop, histogram, defective, joined)


def _quantile_from_histogram(counts: NDArray[np.int64], q: float) -> float:
    """Quantile of log10-binned values, interpolated linearly in log within the bin."""
    total = int(counts.sum())
    if total == 0:
        return float("nan")
    target = q * total
    cum = np.cumsum(counts)
    b = int(np.searchsorted(cum, target, side="left"))
    if b == 0:
        return 0.0
    if b >= _NBINS + 1:
        return float("inf")
    before = cum[b - 1]
    frac = (target - before) / counts[b] if counts[b] else 0.5
    return float(10.0 ** (_LOG_LOW + (b - 1 + frac) * _LOG_WIDTH))


@dataclass(frozen=True)
class PopulationResult:
    """Median and prediction band over time, and all-subject quantiles of nightly metrics."""

    scenario: Scenario
    subjects: int
    seed: int
    level: float
    times_h: FloatArray
    clock: np.ndarray
    compounds: tuple[str, ...]
    median: dict[str, FloatArray]
    low: dict[str, FloatArray]
    high: dict[str, FloatArray]
    band_subjects: int
    windows: list[tuple[float, float]]
    histogram: NDArray[np.int64]  # (metrics, compounds, nights, bins + 2)
    defective: int
    elapsed_s: float
    spreads: tuple[Spread, ...] = field(default_factory=tuple)

    @property
    def nights(self) -> int:
        return len(self.windows)

    def bands_table(self) -> pd.DataFrame:
        """Tidy: one row per time and compound, with median, low and high (nM and ng/mL)."""
        frames = []
        for c in self.compounds:
            mw = molecular_weight(c) / 1000.0
            frames.append(pd.DataFrame({
                "time_h": self.times_h, "clock": pd.to_datetime(self.clock), "compound": c,
                "median_nM": self.median[c], "low_nM": self.low[c], "high_nM": self.high[c],
                "median_ng_per_mL": self.median[c] * mw, "low_ng_per_mL": self.low[c] * mw,
                "high_ng_per_mL": self.high[c] * mw,
            }))
        return pd.concat(frames, ignore_index=True)

    def metrics_table(self) -> pd.DataFrame:
        """Tidy: one row per night, compound and metric, with median, low and high over all subjects."""
        lo_q, hi_q = (1 - self.level) / 2, 1 - (1 - self.level) / 2
        rows = []
        for m, name in enumerate(METRICS):
            for ci, c in enumerate(self.compounds):
                for j in range(self.nights):
                    counts = self.histogram[m, ci, j]
                    rows.append({
                        "night": j + 1, "compound": c, "metric": name, "unit": METRIC_UNITS[name],
                        "median": _quantile_from_histogram(counts, 0.5),
                        "low": _quantile_from_histogram(counts, lo_q),
                        "high": _quantile_from_histogram(counts, hi_q),
                    })
        return pd.DataFrame(rows)

    def sources(self) -> list[str]:
        return sorted({s.source for s in self.spreads})


def _windows(scenario: Scenario, wake_offset_h: float, bedtime_offset_h: float) -> list[tuple[float, float]]:
    if not 0 <= bedtime_offset_h < wake_offset_h:
        raise InputError("the wake-up must come after bedtime, and bedtime at or after the dose")
    if scenario.count > 1 and wake_offset_h > scenario.interval_h:
        raise InputError(f"wake-up {wake_offset_h:g} h after the dose is after the next dose "
                         f"({scenario.interval_h:g} h later); accepted: a wake-up before the next dose")
    return [(t + bedtime_offset_h, t + wake_offset_h) for t in scenario.dose_times_h()]


def _chunks(total: int, size: int) -> Iterator[tuple[int, int]]:
    for start in range(0, total, size):
        yield start, min(total, start + size)


def population_spec(
    scenario: Scenario,
    seed: int,
    wake_offset_h: float = DEFAULT_WAKE_H,
    bedtime_offset_h: float = 0.0,
    content: bool | Sequence[Spread] = False,
    study: str | None = None,
    spreads: Sequence[Spread] | None = None,
    windows: Sequence[tuple[float, float]] | None = None,
) -> _Spec:
    """The picklable description of a population run (model, doses, windows, spreads).

    ``spreads`` replaces the published between-subject spreads (e.g. () for none); ``content`` is
    True for the product assay's spread, or the content spreads themselves. ``windows`` (hours
    after the first dose) replaces the nightly bedtime-to-wake-up windows, e.g. one per dose
    interval for the peak of a whole time course.
    """
    base, formations = model_for(scenario)
    if windows is None:
        windows = _windows(scenario, wake_offset_h, bedtime_offset_h)
    else:
        windows = [(float(a), float(b)) for a, b in windows]
        if not windows or any(not 0 <= a < b for a, b in windows):
            raise InputError("each window must start at or after the first dose and end after it starts")
    chosen = variability_spreads(study) if spreads is None else tuple(spreads)
    product = scenario.product.id if scenario.product is not None else ""
    content_chosen = (content_spreads(product) if content else ()) if isinstance(content, bool) else tuple(content)
    return _Spec(
        base=base, formations=list(formations), doses=scenario.dose_events(), windows=windows,
        grid_h=scenario.grid_h, compounds=tuple(base), seed=int(seed), spreads=chosen,
        content=content_chosen,
    )


Bands = tuple[FloatArray, dict[str, FloatArray], dict[str, FloatArray], dict[str, FloatArray]]


def _bands(spec: _Spec, scenario: Scenario, n: int, level: float) -> Bands:
    """Quantiles over time of the first ``n`` subjects, computed one stretch of times at a time."""
    times = scenario.times_h()
    subjects = sample_subjects(n, spec.seed, 0, spec.spreads, spec.content)
    dispositions, formations = subject_model(spec.base, spec.formations, subjects)
    system = build_system(dispositions, formations)
    doses = subject_doses(spec.doses, subjects)
    model = build_modal(system, sorted({d.compound for d in doses}))
    qs = [(1 - level) / 2, 0.5, 1 - (1 - level) / 2]
    out = {name: {c: np.empty(times.size) for c in spec.compounds} for name in ("low", "median", "high")}
    step = max(1, int(4_000_000 // max(n * len(spec.compounds), 1)))
    for lo in range(0, times.size, step):
        sl = slice(lo, min(times.size, lo + step))
        conc = modal_concentrations(model, doses, times[sl])
        for c in spec.compounds:
            q = np.quantile(conc[c], qs, axis=0)
            out["low"][c][sl], out["median"][c][sl], out["high"][c][sl] = q
    return np.asarray(times, dtype=float), out["low"], out["median"], out["high"]


class PopulationInterrupted(KeyboardInterrupt):
    """Ctrl-C during a population run: how far it got."""

    def __init__(self, done: int, total: int) -> None:
        super().__init__(f"interrupted after {done:,} of {total:,} subjects; no result")
        self.done, self.total = done, total


def run_population(
    scenario: Scenario,
    subjects: int,
    seed: int = 0,
    level: float = 0.90,
    chunk_size: int = DEFAULT_CHUNK,
    dask_address: str | None = None,
    progress: bool = True,
    wake_offset_h: float = DEFAULT_WAKE_H,
    bedtime_offset_h: float = 0.0,
    band_subjects: int = DEFAULT_BAND_SUBJECTS,
    content: bool | Sequence[Spread] = False,
    study: str | None = None,
    on_chunk: Callable[[ChunkResult], None] | None = None,
    workers: int | None = None,
    spreads: Sequence[Spread] | None = None,
    windows: Sequence[tuple[float, float]] | None = None,
) -> PopulationResult:
    """Simulate ``subjects`` people: prediction bands over time and nightly metric quantiles.

    Bands (median and ``level`` interval) come from the first ``band_subjects`` subjects at every
    grid time; nightly Cmax, concentration at wake-up and AUC over the sleep window come from all
    subjects, in chunks. ``on_chunk`` receives each chunk's per-subject metrics in subject order.
    The result depends only on the scenario, ``subjects``, ``seed`` and the options, never on
    ``chunk_size``, ``workers`` (local threads; None: one per available core) or where the chunks ran.
    """
    if isinstance(subjects, bool) or int(subjects) < 1:
        raise InputError(f"subjects must be a whole number of at least 1, got {subjects!r}")
    if not 0 < level < 1:
        raise InputError(f"level must be between 0 and 1 (e.g. 0.9 for 5-95 %), got {level!r}")
    if int(chunk_size) < 1:
        raise InputError("chunk size must be at least 1")
    subjects, chunk_size = int(subjects), int(chunk_size)
    began = time.perf_counter()
    spec = population_spec(scenario, seed, wake_offset_h, bedtime_offset_h, content, study, spreads, windows)
    n_band = max(1, min(subjects, int(band_subjects)))
    from concurrent.futures import ThreadPoolExecutor

    side = ThreadPoolExecutor(max_workers=1)  # the bands are computed beside the chunks, not before them
    bands = side.submit(_bands, spec, scenario, n_band, level)
    chunks = list(_chunks(subjects, chunk_size))
    histogram = np.zeros((len(METRICS), len(spec.compounds), len(spec.windows), _NBINS + 2), dtype=np.int64)
    defective = 0
    done = 0
    keep = on_chunk is not None
    bar = _progress_bar(progress, subjects)
    try:
        with bar if bar is not None else _NoBar():
            task = bar.add_task("subjects", total=subjects) if bar else None
            for result in _execute(spec, chunks, keep, dask_address, default_workers() if workers is None else workers):
                histogram += result.histogram
                defective += result.defective
                done += result.stop - result.start
                if on_chunk is not None:
                    on_chunk(result)
                if bar is not None and task is not None:
                    bar.update(task, completed=done)
    except BaseException as stop:
        side.shutdown(wait=False, cancel_futures=True)  # do not wait for the bands of a failed run
        if isinstance(stop, KeyboardInterrupt):
            raise PopulationInterrupted(done, subjects) from None
        raise
    times, low, median, high = bands.result()
    side.shutdown()
    return PopulationResult(
        scenario=scenario, subjects=subjects, seed=int(seed), level=float(level), times_h=times,
        clock=scenario.clock(times), compounds=spec.compounds, median=median, low=low, high=high,
        band_subjects=n_band, windows=spec.windows, histogram=histogram, defective=defective,
        elapsed_s=time.perf_counter() - began, spreads=spec.spreads + spec.content,
    )


class _NoBar:
    def __enter__(self) -> None:
        return None

    def __exit__(self, *exc: object) -> None:
        return None


def _progress_bar(enabled: bool, total: int) -> Any:
    if not enabled:
        return None
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn, TimeRemainingColumn

    return Progress("[progress.description]{task.description}", BarColumn(), MofNCompleteColumn(),
                    TimeElapsedColumn(), TimeRemainingColumn(), console=Console(stderr=True), transient=True)


def default_workers() -> int:
    """Local threads for a run: one per core this process may use (numpy releases the GIL)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def _execute(
    spec: _Spec, chunks: list[tuple[int, int]], keep: bool, address: str | None, workers: int = 1
) -> Iterator[ChunkResult]:
    """Run chunks locally (threads: numpy releases the GIL) or on a Dask cluster; in subject order."""
    if address is None:
        if workers <= 1:
            for start, stop in chunks:
                yield run_chunk(spec, start, stop, keep)
            return
        from concurrent.futures import ThreadPoolExecutor

        with ThreadPoolExecutor(max_workers=workers) as pool:
            pending = [pool.submit(run_chunk, spec, start, stop, keep) for start, stop in chunks[:workers + 1]]
            following = workers + 1
            try:
                while pending:
                    result = pending.pop(0).result()
                    if following < len(chunks):
                        start, stop = chunks[following]
                        pending.append(pool.submit(run_chunk, spec, start, stop, keep))
                        following += 1
                    yield result
            finally:
                for future in pending:
                    future.cancel()
        return
    try:
        from distributed import Client
    except ImportError as err:  # pragma: no cover - dask is a declared dependency
        raise InputError("--dask needs the 'distributed' package") from err
    try:
        client = Client(address, timeout="10s", set_as_default=False)
    except (OSError, TimeoutError, ValueError) as err:
        raise InputError(f"cannot reach the Dask scheduler at {address!r}: {err}") from None
    futures: list[Any] = []
    try:
        shared = client.scatter(spec, broadcast=True)
        futures = [client.submit(run_chunk, shared, start, stop, keep, pure=False) for start, stop in chunks]
        for future in futures:
            yield future.result()
            future.release()
    finally:
        if futures:
            client.cancel(futures)
        client.close()


def subject_concentrations(
    spec: _Spec, start: int, stop: int, times_h: FloatArray
) -> dict[str, FloatArray]:
    """Concentrations (nM), {compound: (subjects, times)}, of subjects start..stop of a run.

    The same subjects, model and solver as the run's nightly metrics, for values the metrics do
    not hold (e.g. a morning level, or receptor occupancy over a window). Call it on blocks of a
    few thousand subjects: the result holds subjects x times values per compound.
    """
    subjects = sample_subjects(stop - start, spec.seed, start, spec.spreads, spec.content)
    dispositions, formations = subject_model(spec.base, spec.formations, subjects)
    doses = subject_doses(spec.doses, subjects)
    model = build_modal(build_system(dispositions, formations), sorted({d.compound for d in doses}))
    conc = modal_concentrations(model, doses, np.asarray(times_h, dtype=float))
    return {c: conc[c] for c in spec.compounds if c in conc}


def log_histogram(values: FloatArray, out: NDArray[np.int64] | None = None) -> NDArray[np.int64]:
    """Counts of log10(values) over the first axis (subjects), in the run's metric bins.

    ``values`` has shape (subjects, ...); the result (..., bins + 2) adds up over any split of the
    subjects, and :func:`histogram_interval` reads quantiles from it. Zero and NaN count as 0.
    With ``out`` (a previous result), the counts are added into it in place.
    """
    arr = np.asarray(values, dtype=float)
    rest = arr.shape[1:]
    cells = int(np.prod(rest)) if rest else 1
    flat = arr.reshape(arr.shape[0], cells)
    index = _bin_index(np.nan_to_num(flat, nan=0.0))
    if out is None:
        out = np.zeros((*rest, _NBINS + 2), dtype=np.int64)
    if out.shape != (*rest, _NBINS + 2) or not out.flags.c_contiguous:
        raise ValueError("out must be a previous log_histogram result for values of this shape")
    target = out.reshape(cells, _NBINS + 2)
    for cell in range(cells):  # one small bincount per cell: stays in cache
        target[cell] += np.bincount(index[:, cell], minlength=_NBINS + 2)
    return out


def histogram_interval(counts: NDArray[np.int64], level: float) -> tuple[float, float, float]:
    """(median, low, high) of one cell of :func:`log_histogram` at a prediction level."""
    lo_q, hi_q = (1 - level) / 2, 1 - (1 - level) / 2
    return (_quantile_from_histogram(counts, 0.5), _quantile_from_histogram(counts, lo_q),
            _quantile_from_histogram(counts, hi_q))


def bands_for(result: PopulationResult) -> pd.DataFrame:
    """The tidy median/low/high table (for the CLI's --subjects on other commands)."""
    return result.bands_table()


MAX_BAND_SUBJECTS = 50_000


def prediction_bands(
    scenario: Scenario, subjects: int, seed: int = 0, level: float = 0.90, content: bool = False
) -> pd.DataFrame:
    """Median and prediction band over time for ``subjects`` people, without nightly metrics.

    For commands that show a time course (simulate, night, compare, receptors) with --subjects.
    Exact empirical quantiles need every subject's value at each time, so at most
    ``MAX_BAND_SUBJECTS`` subjects are used (more would change the bands by Monte Carlo noise only).
    """
    if isinstance(subjects, bool) or int(subjects) < 1:
        raise InputError(f"subjects must be a whole number of at least 1, got {subjects!r}")
    if not 0 < level < 1:
        raise InputError(f"level must be between 0 and 1 (e.g. 0.9 for 5-95 %), got {level!r}")
    spec = population_spec(scenario, seed, min(DEFAULT_WAKE_H, scenario.interval_h), 0.0, content)
    n = min(int(subjects), MAX_BAND_SUBJECTS)
    times, low, median, high = _bands(spec, scenario, n, level)
    result = PopulationResult(
        scenario=scenario, subjects=n, seed=int(seed), level=float(level), times_h=times,
        clock=scenario.clock(times), compounds=spec.compounds, median=median, low=low, high=high,
        band_subjects=n, windows=spec.windows, histogram=np.zeros((0, 0, 0, 0), dtype=np.int64),
        defective=0, elapsed_s=0.0, spreads=spec.spreads + spec.content,
    )
    return result.bands_table()


__all__ = [
    "BLOCK",
    "SEVEN_OH",
    "ChunkResult",
    "PopulationInterrupted",
    "PopulationResult",
    "Spread",
    "bands_for",
    "content_spreads",
    "expected_range",
    "histogram_interval",
    "log_histogram",
    "market_content",
    "omega_from_mean_sd",
    "omega_from_range",
    "population_spec",
    "prediction_bands",
    "run_chunk",
    "run_population",
    "sample_subjects",
    "subject_concentrations",
    "subject_doses",
    "subject_model",
    "variability_spreads",
]


def interval_label(level: float) -> str:
    """'5-95%' for a prediction level of 0.9 (the central interval's percentiles)."""
    lo, hi = 50 * (1 - level), 50 * (1 + level)
    return f"{lo:.3g}-{hi:.3g}%"


BAND_COLUMNS = {
    "median_nM": "conc_nM_median", "low_nM": "conc_nM_low", "high_nM": "conc_nM_high",
    "median_ng_per_mL": "conc_ng_per_mL_median", "low_ng_per_mL": "conc_ng_per_mL_low",
    "high_ng_per_mL": "conc_ng_per_mL_high",
}


def population_table(
    scenario: Scenario,
    subjects: int,
    seed: int = 0,
    level: float = 0.90,
    dask_address: str | None = None,
    progress: bool = False,
) -> tuple[pd.DataFrame, list[dict[str, Any]], dict[str, Any]]:
    """The tidy table with median, low and high concentration columns, the peaks and the run's facts.

    Bands over time come from the first min(subjects, MAX_BAND_SUBJECTS) subjects (exact empirical
    quantiles at every grid time); each subject's peak (highest grid value of the whole time course)
    comes from all subjects, through the population run's per-dose-interval maxima.
    """
    from kratomsim.library import molecular_weight

    end = float(scenario.times_h()[-1])
    edges = sorted({t for t in scenario.dose_times_h() if t < end} | {end})
    windows = list(itertools.pairwise(edges))
    counts: dict[str, Any] = {}

    def on_chunk(chunk: Any) -> None:
        peak = chunk.metrics.cmax.max(axis=1)  # (subjects, compounds): the highest of every interval
        counts["peak"] = log_histogram(peak, counts.get("peak"))

    result = run_population(
        scenario, subjects, seed=seed, level=level, dask_address=dask_address, progress=progress,
        band_subjects=min(int(subjects), MAX_BAND_SUBJECTS), on_chunk=on_chunk, windows=windows,
    )
    table = result.bands_table().rename(columns=BAND_COLUMNS)
    peaks = []
    for ci, compound in enumerate(result.compounds):
        median, low, high = histogram_interval(counts["peak"][ci], level)
        mw = molecular_weight(compound) / 1000.0
        i = int(np.argmax(result.median[compound]))
        peaks.append({
            "compound": compound, "cmax_nM": median, "cmax_nM_low": low, "cmax_nM_high": high,
            "cmax_ng_per_mL": median * mw, "cmax_ng_per_mL_low": low * mw, "cmax_ng_per_mL_high": high * mw,
            "clock": str(result.clock[i]), "time_h": float(result.times_h[i]),
        })
    facts = {
        "subjects": result.subjects, "seed": result.seed, "level": result.level,
        "interval": interval_label(level), "band_subjects": result.band_subjects,
        "defective_subjects": result.defective, "elapsed_s": result.elapsed_s,
        "variability_sources": result.sources(), "model": LINEAR_MODEL_NOTE,
        "what": (f"median and {interval_label(level)} prediction interval over {result.subjects:,} simulated "
                 f"people (seed {result.seed}); the concentration columns come from the first "
                 f"{result.band_subjects:,}; peak: each person's highest grid value, its clock is the median "
                 "curve's highest point"),
    }
    return table, peaks, facts
