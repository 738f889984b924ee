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
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from kratomsim.errors import InputError
from kratomsim.exposure import model_for
from kratomsim.library import SEVEN_OH, molecular_weight
from kratomsim.night_windows import sleep_windows_h
from kratomsim.pk.modal import modal_concentrations
from kratomsim.pk.model import FloatArray
from kratomsim.population_histograms import (
    METRIC_UNITS,
    METRICS,
    _quantile_from_histogram,
    histogram_interval,
    interval_label,
    interval_quantiles,
    log_histogram,
)
from kratomsim.population_runner import (
    WORK,
    ChunkResult,
    ChunkTotals,
    PopulationInterrupted,
    _chunks,
    _execute,
    _progress_bar,
    default_workers,
    run_chunk,
)
from kratomsim.population_spreads import (
    Spread,
    content_spreads,
    expected_range,
    market_content,
    omega_from_mean_sd,
    omega_from_range,
    variability_spreads,
)
from kratomsim.population_subjects import (
    BLOCK,
    _Spec,
    sample_subjects,
    subject_concentrations,
    subject_doses,
    subject_modal,
    subject_model,
)
from kratomsim.runtime_estimate import EstimateWatch
from kratomsim.scenario import Scenario

DEFAULT_CHUNK = 16384  # subjects per chunk: small enough that temporaries stay out of the page-fault path
DEFAULT_BAND_SUBJECTS = 2000
DEFAULT_WAKE_H = 8.0
# Populations run the linear model: superposition of modes cannot carry mitragynine's CYP3A4
# autoinhibition, which makes clearance depend on the subject's own past concentrations.
LINEAR_MODEL_NOTE = "linear model: mitragynine's CYP3A4 autoinhibition is not applied to populations"
# histogram of log10(value) used for the all-subject metric quantiles


# --------------------------------------------------------------------------- variability model






















# --------------------------------------------------------------------------- subjects














# --------------------------------------------------------------------------- running
















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
        lo_q, hi_q = interval_quantiles(self.level)
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
    return sleep_windows_h(scenario.dose_times_h(), wake_offset_h, bedtime_offset_h)


def population_spec(
    scenario: Scenario,
    seed: int,
    wake_offset_h: float = DEFAULT_WAKE_H,
    bedtime_offset_h: float = 0.0,
    content: bool | Sequence[Spread] = False,
    study: str | None = None,
    spreads: Sequence[Spread] | None = None,
    windows: Sequence[tuple[float, float]] | None = None,
    instants: Sequence[float] = (),
) -> _Spec:
    """The picklable description of a population run (model, doses, windows, spreads).

    ``spreads`` replaces the published between-subject spreads (e.g. () for none); ``content`` is
    True for the product assay's spread, or the content spreads themselves. ``windows`` (hours
    after the first dose) replaces the nightly bedtime-to-wake-up windows, e.g. one per dose
    interval for the peak of a whole time course. ``instants`` (hours after the first dose): each
    chunk also returns every subject's levels there (``ChunkResult.levels``, with ``on_chunk``).
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
        content=content_chosen, instants=tuple(float(t) for t in instants),
    )


Bands = tuple[FloatArray, dict[str, FloatArray], dict[str, FloatArray], dict[str, FloatArray]]


def _bands(spec: _Spec, scenario: Scenario, n: int, level: float) -> Bands:
    """Quantiles over time of the first ``n`` subjects, computed one stretch of times at a time."""
    times = scenario.times_h()
    model, doses = subject_modal(spec, 0, n)
    lo_q, hi_q = interval_quantiles(level)
    qs = [lo_q, 0.5, hi_q]
    out = {name: {c: np.empty(times.size) for c in spec.compounds} for name in ("low", "median", "high")}
    step = max(1, int(4_000_000 // max(n * len(spec.compounds), 1)))
    for lo in range(0, times.size, step):
        sl = slice(lo, min(times.size, lo + step))
        conc = modal_concentrations(model, doses, times[sl])
        for c in spec.compounds:
            # each time's subjects (contiguous) sorted first: numpy's vectorised sort is faster than its
            # select, and the quantiles depend only on the values, so they are the same bit for bit
            q = np.quantile(np.sort(np.ascontiguousarray(conc[c].T), axis=1), qs, axis=1)
            out["low"][c][sl], out["median"][c][sl], out["high"][c][sl] = q
    return np.asarray(times, dtype=float), out["low"], out["median"], out["high"]




def _check_run(subjects: int, level: float, chunk_size: int) -> None:
    """One clear line for a bad subject count, level or chunk size."""
    if isinstance(subjects, bool) or int(subjects) < 1:
        raise InputError(f"subjects must be a whole number of at least 1, got {subjects!r}")
    if not 0 < level < 1:
        raise InputError(f"level must be between 0 and 1 (e.g. 0.9 for 5-95 %), got {level!r}")
    if int(chunk_size) < 1:
        raise InputError("chunk size must be at least 1")


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
    instants: Sequence[float] = (),
) -> PopulationResult:
    """Simulate ``subjects`` people: prediction bands over time and nightly metric quantiles.

    Bands (median and ``level`` interval) come from the first ``band_subjects`` subjects at every
    grid time; nightly Cmax, concentration at wake-up and AUC over the sleep window come from all
    subjects, in chunks. ``on_chunk`` receives each chunk's per-subject metrics in subject order, and
    with ``instants`` (hours after the first dose) each subject's levels there.
    The result depends only on the scenario, ``subjects``, ``seed`` and the options, never on
    ``chunk_size``, ``workers`` (local threads; None: one per available core) or where the chunks ran.
    """
    _check_run(subjects, level, chunk_size)
    subjects = int(subjects)
    began = time.perf_counter()
    spec = population_spec(scenario, seed, wake_offset_h, bedtime_offset_h, content, study, spreads, windows,
                           instants)
    n_band = max(1, min(subjects, int(band_subjects)))
    totals = ChunkTotals.empty(spec)
    run = _execute(spec, list(_chunks(subjects, int(chunk_size))), on_chunk is not None, dask_address,
                   default_workers() if workers is None else workers)  # workers start before the bands' thread
    side = ThreadPoolExecutor(max_workers=1)  # the bands are computed beside the chunks, not before them
    bands = side.submit(_bands, spec, scenario, n_band, level)
    try:
        totals.gather(run, on_chunk, _progress_bar(progress, subjects), subjects, EstimateWatch(subjects, began))
    except BaseException as stop:
        side.shutdown(wait=False, cancel_futures=True)  # do not wait for the bands of a failed run
        if isinstance(stop, KeyboardInterrupt):
            raise PopulationInterrupted(totals.done, subjects) from None
        raise
    histogram, defective = totals.histogram, totals.defective
    times, low, median, high = bands.result()
    side.shutdown()
    return PopulationResult(
        scenario=scenario, subjects=subjects, seed=int(seed), level=float(level), times_h=times,
        clock=scenario.clock(times), compounds=spec.compounds, median=median, low=low, high=high,
        band_subjects=n_band, windows=spec.windows, histogram=histogram, defective=defective,
        elapsed_s=time.perf_counter() - began, spreads=spec.spreads + spec.content,
    )
















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
    "LINEAR_MODEL_NOTE",
    "SEVEN_OH",
    "WORK",
    "ChunkResult",
    "PopulationInterrupted",
    "PopulationResult",
    "Spread",
    "bands_for",
    "content_spreads",
    "expected_range",
    "histogram_interval",
    "interval_label",
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
