"""Exact maximum of a sum of exponentials on an interval, vectorised over nights and subjects.

Between two dose arrivals a linear model's concentration is ``f(t) = sum_k a_k exp(r_k t)``. Its
peak is either an end of the interval or a root of ``f'`` where ``f'`` turns from rising to falling.
Descartes' rule of signs holds for exponential sums (Laguerre): ``f'`` has at most as many real
roots as sign changes in its coefficients ``a_k r_k`` ordered by rate. With at most one change, ``f``
is unimodal, so its maximum lies next to the highest of a few coarse sample points; otherwise every
rising-to-falling step of a fine scan is refined. Each bracket is closed by Newton steps on ``f'``
(falling back to bisection), so the result is the model's own peak, not a grid value.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from kratomsim.pk.model import FloatArray

BoolArray = NDArray[np.bool_]

COARSE_POINTS = 9  # samples of a unimodal interval, including both ends
SCAN_H = 0.1  # h; scan step where f' may have several roots (as kratomsim.peaks)
_ROOT_TOL_H = 1e-9  # h; a Newton step this small has converged (the peak's error is ~f''/f * 1e-18)
_PEAK_RTOL = 1e-14  # a Newton iterate whose estimated shortfall from the peak is below this has converged
_FAST_ITERATIONS = 4  # Newton steps for all cells at once; the few left over continue alone
_MAX_ITERATIONS = 80  # bisection alone halves the bracket each step; 80 halvings reach rounding


def _sign_changes(coef: FloatArray, rates: FloatArray) -> NDArray[np.int64]:
    """Sign changes of f' coefficients (J, K, S) in rate order, per (night, subject) -> (J, S)."""
    order = np.argsort(rates, axis=0)
    slope = np.take_along_axis(coef * rates[None], np.broadcast_to(order[None], coef.shape), axis=1)
    signs = np.sign(slope)
    changes = np.zeros(coef.shape[::2], dtype=np.int64)
    last = signs[:, 0]
    for k in range(1, coef.shape[1]):
        now = signs[:, k]
        changes += (now * last < 0).astype(np.int64)
        last = np.where(now != 0, now, last)
    return changes


def _values_slopes(coef: FloatArray, rates: FloatArray, power: FloatArray) -> tuple[FloatArray, FloatArray]:
    """f and f' for rows (N, K) from exp(rate * t) at the sample times, power (N, K, M)."""
    weighted = coef[:, :, None] * power
    return weighted.sum(axis=1), (weighted * rates[:, :, None]).sum(axis=1)


def _safeguarded_step(t: FloatArray, slope: FloatArray, curvature: FloatArray, a: FloatArray,
                      b: FloatArray) -> tuple[FloatArray, FloatArray, FloatArray, BoolArray, FloatArray]:
    """Shrink the bracket [a, b] by the sign of f' at t; the Newton point, whether it is usable, the next t."""
    rising = slope > 0
    a, b = np.where(rising, t, a), np.where(rising, b, t)
    with np.errstate(divide="ignore", invalid="ignore"):
        newton = t - slope / curvature
    ok = (curvature < 0) & (newton > a) & (newton < b)
    return a, b, newton, ok, np.where(ok, newton, 0.5 * (a + b))


def refine(coef: FloatArray, rates: FloatArray, left: FloatArray, right: FloatArray,
           start: FloatArray | None = None) -> tuple[FloatArray, FloatArray]:
    """Max of f on brackets [left, right] (N,) where f' > 0 at left and < 0 at right: f and the root.

    ``start`` (inside the brackets) is the first guess, e.g. the secant root of f'; else the middle.
    """
    t = 0.5 * (left + right) if start is None else start.copy()
    result = np.empty_like(t)
    root = np.empty_like(t)
    active = np.arange(t.size)
    a, b = left.copy(), right.copy()
    for _ in range(_MAX_ITERATIONS):
        if active.size == 0:
            break
        c, r = coef[active], rates[active]
        weighted = c * np.exp(r * t[:, None])
        slope = (weighted * r).sum(axis=1)
        curvature = (weighted * r * r).sum(axis=1)
        a, b, _, _, step = _safeguarded_step(t, slope, curvature, a, b)
        done = (np.abs(step - t) <= _ROOT_TOL_H) | (slope == 0) | (b - a <= 0)
        result[active[done]] = weighted[done].sum(axis=1)
        root[active[done]] = t[done]
        keep = ~done
        active, t, a, b = active[keep], step[keep], a[keep], b[keep]
    if active.size:  # rounding stalls: the last point is as good as the arithmetic allows
        result[active] = (coef[active] * np.exp(rates[active] * t[:, None])).sum(axis=1)
        root[active] = t
    return result, root


def _best_of_scan(rows_coef: FloatArray, rows_rates: FloatArray, times: FloatArray, power: FloatArray,
                  only_next: bool) -> tuple[FloatArray, FloatArray]:
    """Max of f over sample times (M,) and the roots in their rising-to-falling steps.

    ``power`` is exp(rate * times) per row (N, K, M). ``only_next``: f is unimodal, so only the
    steps beside the highest sample can hold the peak.
    """
    values, slopes = _values_slopes(rows_coef, rows_rates, power)
    best = values.max(axis=1)
    when = times[values.argmax(axis=1)]
    turn = (slopes[:, :-1] > 0) & (slopes[:, 1:] < 0)
    if only_next:
        top = values.argmax(axis=1)
        near = np.zeros_like(turn)
        steps = np.arange(turn.shape[1])[None, :]
        near |= (steps == top[:, None]) | (steps == top[:, None] - 1)
        turn &= near
    row, step = np.nonzero(turn)
    if row.size:
        left, right, g_left, g_right = times[step], times[step + 1], slopes[row, step], slopes[row, step + 1]
        secant = left + g_left * (right - left) / (g_left - g_right)
        peak, root = refine(rows_coef[row], rows_rates[row], left, right, np.clip(secant, left, right))
        higher = peak > best[row]  # a row has one turn when unimodal; several are joined by maximum.at
        when[row[higher]] = root[higher]
        np.maximum.at(best, row, peak)
    return best, when


def _sums(coef: FloatArray, rates: FloatArray, t: FloatArray) -> tuple[FloatArray, FloatArray, FloatArray]:
    """f, f' and f'' at t (J, S) for coefficients (J, K, S): one exponential per mode, in place."""
    value, slope, curvature = np.zeros_like(t), np.zeros_like(t), np.zeros_like(t)
    for k in range(coef.shape[1]):
        term = np.exp(rates[k] * t)
        term *= coef[:, k]
        value += term
        term *= rates[k]
        slope += term
        term *= rates[k]
        curvature += term
    return value, slope, curvature


def _ends(coef: FloatArray, rates: FloatArray, t: float) -> tuple[FloatArray, FloatArray]:
    """f and f' (J, S) at one instant shared by every night."""
    power = np.exp(rates * t)
    return np.einsum("jks,ks->js", coef, power), np.einsum("jks,ks->js", coef, power * rates)


def _newton_all(coef: FloatArray, rates: FloatArray, t: FloatArray, a: FloatArray, b: FloatArray,
                inner: BoolArray) -> tuple[FloatArray, FloatArray, BoolArray]:
    """A few safeguarded Newton steps on f' for every (night, subject) at once; which converged."""
    converged = ~inner
    value = np.zeros_like(t)
    for _ in range(_FAST_ITERATIONS):
        value, slope, curvature = _sums(coef, rates, t)
        a, b, newton, ok, step = _safeguarded_step(t, slope, curvature, a, b)
        # The peak's shortfall at t is about slope^2 / (2 |curvature|): stop when it is below rounding.
        shortfall = np.where(ok, 0.5 * np.abs(slope * (t - newton)), np.inf)
        converged = converged | (shortfall <= _PEAK_RTOL * np.abs(value)) | (slope == 0)
        t = np.where(converged, t, step)
        if converged.all():  # never a fraction: each cell's steps must not depend on the others
            break
    return value, t, converged


def _unimodal_peaks(coef: FloatArray, rates: FloatArray, lo: float, hi: float, single: BoolArray) -> FloatArray:
    """Peaks of the (night, subject) cells whose f' has at most one root; others left at -inf.

    The first and last nights' roots (from a coarse scan and the secant of f') start the Newton
    steps of night 1 and of every later night: accumulation moves the peak time mostly on night 2.
    """
    J, K, S = coef.shape
    lo_t, hi_t = np.full((J, S), lo), np.full((J, S), hi)
    f_lo, g_lo = _ends(coef, rates, lo)
    f_hi, g_hi = _ends(coef, rates, hi)
    best = np.where(single, np.maximum(f_lo, f_hi), -np.inf)
    inner = single & (g_lo > 0) & (g_hi < 0)
    if not inner.any():
        return best
    start = np.empty((J, S))
    start[:] = _scan_rows(coef[-1:], rates, lo, hi, COARSE_POINTS, True)[1]  # the last night's peak time
    if J > 1:
        start[0] = _scan_rows(coef[:1], rates, lo, hi, COARSE_POINTS, True)[1]
    value, t, converged = _newton_all(coef, rates, start, lo_t, hi_t, inner)
    best = np.where(inner & converged, np.maximum(best, value), best)
    late = np.nonzero((inner & ~converged).ravel())[0]
    if late.size:
        rows_coef = coef.transpose(0, 2, 1).reshape(J * S, K)[late]
        rows_rates = np.broadcast_to(rates.T[None], (J, S, K)).reshape(J * S, K)[late]
        flat = best.reshape(J * S)
        flat[late] = np.maximum(flat[late], refine(rows_coef, rows_rates, np.full(late.size, lo),
                                                   np.full(late.size, hi), t.ravel()[late])[0])
    return best


def _scan_rows(coef: FloatArray, rates: FloatArray, lo: float, hi: float, count: int,
               only_next: bool) -> tuple[FloatArray, FloatArray]:
    """Scan-and-refine peak (J, S) of every cell, and for the first night the time of its top sample."""
    J, K, S = coef.shape
    rows_coef = coef.transpose(0, 2, 1).reshape(J * S, K)
    rows_rates = np.broadcast_to(rates.T[None], (J, S, K)).reshape(J * S, K)
    times = np.linspace(lo, hi, count)
    by_subject = np.exp(rates.T[:, :, None] * times[None, None, :])  # (S, K, M), shared by nights
    peak, when = _best_of_scan(rows_coef, rows_rates, times, by_subject[np.arange(J * S) % S], only_next)
    return peak.reshape(J, S), when.reshape(J, S)[0]


def interval_peak(coef: FloatArray, rates: FloatArray, lo: float, hi: float) -> FloatArray:
    """Exact max over [lo, hi] of sum_k coef[j, k, s] exp(rates[k, s] t), shape (J, S)."""
    single = _sign_changes(coef, rates) <= 1
    best = _unimodal_peaks(coef, rates, lo, hi, single)
    several = np.nonzero((~single).any(axis=0))[0]
    if several.size:
        count = max(2, int(np.ceil((hi - lo) / SCAN_H)) + 1)
        scanned = _scan_rows(coef[:, :, several], rates[:, several], lo, hi, count, False)[0]
        best[:, several] = np.where(single[:, several], best[:, several], scanned)
    return best
