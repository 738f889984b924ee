"""Chart curves at the resolution a chart needs: 15-minute steps, with every maximum kept exactly.

Why: the night report computes its curves on a 5-minute grid (the nightly numbers need it), but a
chart a few hundred pixels wide gains nothing from a week of 5-minute points. Thinned to 15 minutes
alone, a chart would show a lower peak than the table beside it, so the thinned curve also keeps

- the first and last point, and the instants the caller names (dose, wake-up, morning);
- every sampled local maximum and minimum of every curve and band, so no turn is cut off;
- each exact peak the report computed between grid points (time and value from the model), so the
  chart's highest point of a night is the report's peak. The other curves get their value at such an
  instant by linear interpolation between their neighbouring 5-minute samples (a few minutes apart,
  far below what a chart shows).

Times are whole seconds (the chart's clock is printed to the second); an exact peak that falls on a
kept second replaces that point's value when higher.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from kratomsim.pk.model import FloatArray

CHART_STEP_H = 0.25
_SECOND_H = 1.0 / 3600.0


@dataclass(frozen=True)
class TrimmedCurves:
    """Curves on the thinned clock: hours, and each curve (and band line) by name."""

    times_h: FloatArray
    curves: dict[str, FloatArray]
    bands: dict[str, dict[str, FloatArray]]


def sampled_turns(values: FloatArray) -> FloatArray:
    """Indices (bool mask) of the interior local maxima and minima of one sampled curve."""
    y = np.asarray(values, dtype=float)
    mask = np.zeros(y.shape, dtype=bool)
    if y.size < 3:
        return mask
    left, mid, right = y[:-2], y[1:-1], y[2:]
    mask[1:-1] = ((mid > left) & (mid >= right)) | ((mid < left) & (mid <= right))
    return mask


def kept_indices(times_h: FloatArray, lines: Iterable[FloatArray], step_h: float = CHART_STEP_H,
                 keep_times_h: Iterable[float] = ()) -> np.ndarray:
    """Grid indices a chart keeps: one per ``step_h``, the ends, the named instants and every turn."""
    t = np.asarray(times_h, dtype=float)
    if step_h <= 0:
        raise ValueError(f"chart step is {step_h} h; it must be positive")
    bucket = np.floor((t - t[0]) / step_h + 1e-9)
    keep = np.zeros(t.shape, dtype=bool)
    keep[0] = keep[-1] = True
    keep[np.flatnonzero(np.diff(bucket)) + 1] = True  # the first sample of each step
    for line in lines:
        keep |= sampled_turns(line)
    for instant in keep_times_h:
        keep[int(np.argmin(np.abs(t - instant)))] = True
    return np.flatnonzero(keep)


def trim_curves(
    times_h: FloatArray,
    curves: Mapping[str, FloatArray],
    peaks: Mapping[str, Sequence[tuple[float, float]]] | None = None,
    bands: Mapping[str, Mapping[str, FloatArray]] | None = None,
    keep_times_h: Iterable[float] = (),
    step_h: float = CHART_STEP_H,
) -> TrimmedCurves:
    """The curves (and bands) thinned for a chart, with each curve's exact ``peaks`` (hour, value) put in.

    ``curves`` and each band line are sampled on ``times_h`` (increasing). The result's clock is in
    whole seconds, strictly increasing, and starts and ends where ``times_h`` does.
    """
    t = np.asarray(times_h, dtype=float)
    bands = bands or {}
    peaks = peaks or {}
    lines = [*curves.values(), *(line for band in bands.values() for line in band.values())]
    kept = _whole_seconds(t[kept_indices(t, lines, step_h, keep_times_h)])
    inside = [(name, float(h), float(c)) for name, items in peaks.items() if name in curves
              for h, c in items if t[0] <= h <= t[-1]]
    clock = np.union1d(kept, _whole_seconds(np.array([h for _, h, _ in inside], dtype=float)))
    out = {name: np.interp(clock, t, np.asarray(y, dtype=float)) for name, y in curves.items()}
    for name, h, value in inside:
        i = int(np.searchsorted(clock, _whole_seconds(np.array([h]))[0]))
        out[name][i] = max(out[name][i], value)
    trimmed_bands = {name: {key: np.interp(clock, t, np.asarray(y, dtype=float)) for key, y in band.items()}
                     for name, band in bands.items()}
    return TrimmedCurves(times_h=clock, curves=out, bands=trimmed_bands)


def _whole_seconds(hours: FloatArray) -> FloatArray:
    """Hours rounded to the nearest whole second (the chart clock's resolution)."""
    return np.round(np.asarray(hours, dtype=float) / _SECOND_H) * _SECOND_H
