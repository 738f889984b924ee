"""Log-binned histograms of per-subject metrics and the quantiles read from them.

Why: counts add up over any split of the subjects, so a million people fit in memory and the result
does not depend on chunking; one bin layout and one interval label serve every population output.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from kratomsim.pk.model import FloatArray
from kratomsim.pk.nightly import NightMetrics

METRICS = ("cmax", "cwake", "auc")
METRIC_UNITS = {"cmax": "nM", "cwake": "nM", "auc": "nM*h"}
_LOG_LOW, _LOG_HIGH, _LOG_WIDTH = -8.0, 8.0, 0.002
_NBINS = round((_LOG_HIGH - _LOG_LOW) / _LOG_WIDTH)


def _bin_index(values: FloatArray) -> NDArray[np.int64]:
    """Bin of each value (same shape and memory layout): 0 for zero, negative or NaN, _NBINS + 1 above the top."""
    scaled = np.empty_like(values, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        np.log10(values, out=scaled)  # zero: -inf; negative or NaN: NaN
        np.subtract(scaled, _LOG_LOW, out=scaled)
        np.divide(scaled, _LOG_WIDTH, out=scaled)
    np.floor(scaled, out=scaled)
    np.fmax(scaled, -1.0, out=scaled)  # fmax takes -1 over NaN, so zero, negative and NaN all go to bin 0
    np.minimum(scaled, float(_NBINS), out=scaled)  # before the cast: +inf is the top bin, not undefined
    index = scaled.astype(np.int64)
    index += 1
    return index


def _histogram(metrics: NightMetrics, out: NDArray[np.int64] | None = None) -> NDArray[np.int64]:
    """Counts per (metric, compound, night, bin), added into ``out`` when given (a previous result).

    Each compound's nights (subjects fastest, as stored) are binned together and counted straight
    into ``out`` by np.add.at: no dense per-call bincount to allocate, zero and add, when most of its
    bins are empty. Counts are integers, so the order of counting changes nothing.
    """
    _, J, C = metrics.cmax.shape
    if out is None:
        out = np.zeros((len(METRICS), C, J, _NBINS + 2), dtype=np.int64)
    if out.shape != (len(METRICS), C, J, _NBINS + 2) or not out.flags.c_contiguous or out.dtype != np.int64:
        raise ValueError("out must be a previous _histogram result for metrics of this shape")
    flat = out.reshape(-1)  # a view, as out is C-contiguous
    nights = (np.arange(J) * (_NBINS + 2))[:, None]
    for m, name in enumerate(METRICS):
        values = getattr(metrics, name)
        for c in range(C):
            index = _bin_index(values[:, :, c].T)  # (J, S)
            index += nights + (m * C + c) * J * (_NBINS + 2)
            np.add.at(flat, index.reshape(-1), 1)
    return out


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


def log_histogram(values: FloatArray, out: NDArray[np.int64] | None = None) -> NDArray[np.int64]:
    """Counts of log10(values) over the first axis (subjects), in the run's metric bins.

    ``values`` has shape (subjects, ...); the result (..., bins + 2) adds up over any split of the
    subjects, and :func:`histogram_interval` reads quantiles from it. Zero and NaN count as 0.
    With ``out`` (a previous result), the counts are added into it in place. One bincount per cell,
    which stays in cache; fastest when subjects are the fastest axis in memory (window_metrics' layout).
    """
    arr = np.asarray(values, dtype=float)
    rest = arr.shape[1:]
    if out is None:
        out = np.zeros((*rest, _NBINS + 2), dtype=np.int64)
    if out.shape != (*rest, _NBINS + 2) or not out.flags.c_contiguous:
        raise ValueError("out must be a previous log_histogram result for values of this shape")
    index = _bin_index(arr)
    for cell in np.ndindex(*rest):
        out[cell] += np.bincount(index[(slice(None), *cell)], minlength=_NBINS + 2)
    return out


def histogram_interval(counts: NDArray[np.int64], level: float) -> tuple[float, float, float]:
    """(median, low, high) of one cell of :func:`log_histogram` at a prediction level."""
    lo_q, hi_q = interval_quantiles(level)
    return (_quantile_from_histogram(counts, 0.5), _quantile_from_histogram(counts, lo_q),
            _quantile_from_histogram(counts, hi_q))


def interval_quantiles(level: float) -> tuple[float, float]:
    """The central interval's quantiles, (0.05, 0.95) for a prediction level of 0.9."""
    return (1 - level) / 2, 1 - (1 - level) / 2


def interval_percentiles(level: float) -> tuple[float, float]:
    """The central interval's percentiles, (5, 95) for 0.9, rounded so that 0.9 gives 95, not 95.00000000000001."""
    lo, hi = interval_quantiles(level)
    return round(100 * lo, 9), round(100 * hi, 9)


def interval_label(level: float) -> str:
    """'5-95%' for a prediction level of 0.9: the one label of every population output."""
    lo, hi = interval_percentiles(level)
    return f"{lo:.3g}-{hi:.3g}%"

