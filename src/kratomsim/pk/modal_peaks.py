"""Exact maximum of a sum of exponentials on an interval, vectorised over nights and subjects.

Between two dose arrivals a linear model's concentration is ``f(t) = sum_k a_k exp(r_k t)``; its slope
``f'(t) = sum_k b_k exp(r_k t)`` with ``b_k = a_k r_k``. Descartes' rule of signs holds for exponential
sums (Laguerre): ``f'`` has at most as many real roots as sign changes of ``b_k`` in rate order.

- At most one change (every K51 subject): f is unimodal. When the change goes from rising terms
  (the fast modes, ``b_k > 0``) to falling ones (the slow modes) and f' turns from > 0 to < 0 inside
  the interval, the peak is the root of ``h(t) = ln P(t) - ln(-N(t))`` with ``P`` the sum of the
  rising terms of f' and ``N`` of the falling ones. ``h`` is strictly decreasing (its slope is a
  weighted mean of the rising rates minus one of the falling rates) and close to a straight line
  (exactly one for a single rising and a single falling term, the Bateman function), so the secant
  of h between the interval's ends starts Newton's method within a few 1e-3 h of the root.
  A fixed number of bracketed Newton steps on h (bisection when a step leaves the bracket) follows,
  for every cell at once; a cell has converged when the estimated shortfall of f from its maximum,
  ``f'^2 / (2 |f''|)``, is below 1e-14 of f. Converged cells stop moving, so each cell's result depends
  on its own numbers only (never on the chunk or the other cells); the rare cell that has not
  converged after the fixed count continues alone (:func:`refine`, Newton on f' with bisection).
  Otherwise the maximum is an end of the interval.
- Several changes: every rising-to-falling step of a 0.1 h scan is refined.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from kratomsim.pk.model import FloatArray

BoolArray = NDArray[np.bool_]

SCAN_H = 0.1  # h; scan step where f' may have several roots (as kratomsim.peaks)
_ROOT_TOL_H = 1e-9  # h; a Newton step this small has converged (the peak's error is ~f''/f * 1e-18)
_PEAK_RTOL = 1e-14  # converged once the estimated shortfall from the peak is below this fraction of it
NEWTON_FULL = 3  # evaluations of h for every cell at once (K51: 3 converge about 97 % of the cells)
NEWTON_MORE = 3  # further evaluations for the cells taken out after NEWTON_FULL; then refine()
PEAK_BLOCK = 1024  # subjects per peak search: (nights x 1024) arrays stay in a core's 2 MB cache
_MAX_ITERATIONS = 80  # bisection alone halves the bracket each step; 80 halvings reach rounding


@dataclass(frozen=True)
class _Slopes:
    """f's coefficients and f' split by sign, per mode: the rising and falling parts of the slope.

    Per mode k (lists): ``coef[k]`` f's coefficients over the cells (nights x subjects, or a flat
    selection of cells), ``rates[k]`` the rate, broadcastable to the cells; ``rise[k]`` holds
    ``max(b_k, 0)`` with ``b_k = coef_k r_k`` (None when no cell has a rising term in mode k),
    ``rise_curve[k]`` ``max(b_k, 0) r_k``; ``fall`` and ``fall_curve`` the same for ``min(b_k, 0)``.
    ``full[k]`` tells, per part, that every cell has it. Skipping a part that is None adds nothing
    (x + 0 == x), so it saves work without changing a number.
    """

    coef: list[FloatArray]
    rates: list[FloatArray]
    rise: list[FloatArray | None]
    rise_curve: list[FloatArray | None]
    fall: list[FloatArray | None]
    fall_curve: list[FloatArray | None]
    full: list[tuple[bool, bool]]

    @classmethod
    def of(cls, coef: FloatArray, rates: FloatArray) -> _Slopes:
        """From coefficients (J, K, S) and rates (K, S)."""
        out = cls([], [], [], [], [], [], [])
        for k in range(coef.shape[1]):
            c, r = coef[:, k], rates[k]
            b = c * r
            out.coef.append(c)
            out.rates.append(r)
            flags = []
            for keep, part, curve in ((b > 0, out.rise, out.rise_curve), (b < 0, out.fall, out.fall_curve)):
                every = bool(keep.all())
                flags.append(every)
                chosen = b if every else (np.where(keep, b, 0.0) if keep.any() else None)
                part.append(chosen)
                curve.append(None if chosen is None else chosen * r)
            out.full.append((flags[0], flags[1]))
        return out

    def take(self, nights: NDArray[np.intp], subjects: NDArray[np.intp]) -> _Slopes:
        """The same terms for a flat selection of cells (night, subject)."""
        def pick(values: FloatArray | None) -> FloatArray | None:
            return None if values is None else values[nights, subjects]

        out = _Slopes([], [], [], [], [], [], [])
        for k in range(len(self.coef)):
            out.coef.append(self.coef[k][nights, subjects])
            out.rates.append(self.rates[k][subjects])
            out.rise.append(pick(self.rise[k]))
            out.rise_curve.append(pick(self.rise_curve[k]))
            out.fall.append(pick(self.fall[k]))
            out.fall_curve.append(pick(self.fall_curve[k]))
            out.full.append(self.full[k])
        return out

    def single_change(self, shape: tuple[int, ...]) -> BoolArray:
        """Cells whose slope coefficients change sign at most once in rate order.

        That is: every rising rate below every falling one, or the reverse (ties count as a change).
        """
        rise_lo: FloatArray | float = np.inf
        rise_hi: FloatArray | float = -np.inf
        fall_lo: FloatArray | float = np.inf
        fall_hi: FloatArray | float = -np.inf
        for k, r in enumerate(self.rates):
            rise, fall = self.rise[k], self.fall[k]
            every_rise, every_fall = self.full[k]
            if rise is not None:
                rise_lo = np.minimum(rise_lo, r if every_rise else np.where(rise != 0, r, np.inf))
                rise_hi = np.maximum(rise_hi, r if every_rise else np.where(rise != 0, r, -np.inf))
            if fall is not None:
                fall_lo = np.minimum(fall_lo, r if every_fall else np.where(fall != 0, r, np.inf))
                fall_hi = np.maximum(fall_hi, r if every_fall else np.where(fall != 0, r, -np.inf))
        return np.broadcast_to((rise_hi < fall_lo) | (fall_hi < rise_lo), shape)

    def evaluate(self, powers: Sequence[FloatArray | None], parts: int = 5,
                 out: list[FloatArray] | None = None) -> list[FloatArray]:
        """f, P, N, P' and N' (the first ``parts`` of them) over the cells from exp(r_k t) per mode.

        A power of None stands for exp(r_k * 0) = 1 (x * 1.0 == x, so the sums are the same).
        ``out`` (cell-shaped buffers, one per part) receives the sums; each is the same number,
        term by term in mode order, whether written into a buffer or a new array.
        """
        shape = np.broadcast_shapes(self.coef[0].shape, *(p.shape for p in powers if p is not None))
        sums = [np.empty(shape) for _ in range(parts)] if out is None else out[:parts]
        started = [False] * parts
        scratch = np.empty(shape)
        for k, power in enumerate(powers):
            terms = (self.coef[k], self.rise[k], self.fall[k], self.rise_curve[k], self.fall_curve[k])
            for i in range(parts):
                part = terms[i]
                if part is None:
                    continue
                if started[i]:
                    if power is None:
                        np.add(sums[i], part, out=sums[i])
                    else:
                        np.multiply(part, power, out=scratch)
                        np.add(sums[i], scratch, out=sums[i])
                elif power is None:
                    np.copyto(sums[i], np.broadcast_to(part, shape))
                else:
                    np.multiply(part, power, out=sums[i])
                started[i] = True
        for i in range(parts):
            if not started[i]:
                sums[i].fill(0.0)
        return sums


def _log_ratio(p: FloatArray, n: FloatArray, p1: FloatArray, n1: FloatArray) -> tuple[FloatArray, FloatArray]:
    """h = ln(P / -N) and its slope h' = P'/P - N'/N (NaN or inf where a part is empty: masked by callers)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        h = np.log(p / -n)
        slope = p1 / p - n1 / n
    return h, slope


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


def _best_of_scan(rows_coef: FloatArray, rows_rates: FloatArray, times: FloatArray, power: FloatArray) -> FloatArray:
    """Max of f over sample times (M,) and the roots in their rising-to-falling steps.

    ``power`` is exp(rate * times) per row (N, K, M).
    """
    values, slopes = _values_slopes(rows_coef, rows_rates, power)
    best = values.max(axis=1)
    turn = (slopes[:, :-1] > 0) & (slopes[:, 1:] < 0)
    row, step = np.nonzero(turn)
    if row.size:
        left, right, g_left, g_right = times[step], times[step + 1], slopes[row, step], slopes[row, step + 1]
        secant = left + g_left * (right - left) / (g_left - g_right)
        peak, _ = refine(rows_coef[row], rows_rates[row], left, right, np.clip(secant, left, right))
        np.maximum.at(best, row, peak)  # several turns of one row are joined by their maximum
    return best


def _scan_rows(coef: FloatArray, rates: FloatArray, lo: float, hi: float) -> FloatArray:
    """Scan-and-refine peak (J, S) of every cell, at SCAN_H steps: for slopes with several sign changes."""
    J, K, S = coef.shape
    count = max(2, int(np.ceil((hi - lo) / SCAN_H)) + 1)
    rows_coef = coef.transpose(0, 2, 1).reshape(J * S, K)
    rows_rates = np.broadcast_to(rates.T[None], (J, S, K)).reshape(J * S, K)
    times = np.linspace(lo, hi, count)
    by_subject = np.exp(rates.T[:, :, None] * times[None, None, :])  # (S, K, M), shared by nights
    return _best_of_scan(rows_coef, rows_rates, times, by_subject[np.arange(J * S) % S]).reshape(J, S)


def _newton(slopes: _Slopes, t: FloatArray, lo: float, hi: float, done: BoolArray,
            count: int) -> tuple[FloatArray, FloatArray, BoolArray]:
    """``count`` Newton evaluations of h on the cells (any shape), kept in [lo, hi]: f at the last t, t, done.

    h is strictly decreasing with its one root in [lo, hi], so a step is clipped to the interval
    rather than bisected. A cell is done once ``f'^2 / (2 |f''|)`` (the shortfall of f(t) from the
    peak) is at most 1e-14 of f(t); done cells stop moving, so later evaluations give them the same f.
    """
    value = np.zeros(t.shape)
    powers = [np.empty(t.shape) for _ in slopes.rates]
    sums = [np.empty(t.shape) for _ in range(5)]
    slope, curve, bound = np.empty(t.shape), np.empty(t.shape), np.empty(t.shape)
    moving = np.empty(t.shape, dtype=bool)
    with np.errstate(divide="ignore", invalid="ignore"):  # cells that are done may hold 0/0: never used
        for _ in range(count):
            for r, power in zip(slopes.rates, powers, strict=True):
                np.multiply(r, t, out=power)
                np.exp(power, out=power)
            value, p, n, p1, n1 = slopes.evaluate(powers, out=sums)
            np.add(p, n, out=slope)
            np.add(p1, n1, out=curve)
            done |= slope == 0
            np.multiply(value, -2.0 * _PEAK_RTOL, out=bound)  # the test: f'^2 <= -2e-14 f f''
            np.multiply(bound, curve, out=bound)
            np.multiply(slope, slope, out=slope)
            done |= slope <= bound
            if done.all():
                break
            np.divide(p1, p, out=p1)  # h' = P'/P - N'/N
            np.divide(n1, n, out=n1)
            np.subtract(p1, n1, out=p1)
            np.divide(p, n, out=p)  # h = ln(P / -N)
            np.negative(p, out=p)
            np.log(p, out=p)
            np.divide(p, p1, out=p)  # the step t - h / h', kept in [lo, hi]
            np.subtract(t, p, out=p)
            np.clip(p, lo, hi, out=p)
            np.logical_not(done, out=moving)
            np.copyto(t, p, where=moving)
    return value, t, done


def _newton_peaks(slopes: _Slopes, lo: float, hi: float, start: FloatArray, inner: BoolArray) -> FloatArray:
    """Peaks (J, S) of the ``inner`` cells (f' > 0 at lo, < 0 at hi, one sign change): Newton on h.

    NEWTON_FULL evaluations for every cell at once; the cells not yet converged are taken out and
    get NEWTON_MORE further evaluations, then the bracketed :func:`refine` on [lo, hi]. A cell's
    arithmetic is the same in either stage, so the split changes no number.
    """
    t = np.where(inner, start, lo)
    value, t, done = _newton(slopes, t, lo, hi, ~inner, NEWTON_FULL)
    late = np.nonzero(~done)
    if late[0].size:
        chosen = slopes.take(*late)
        more, t_more, done_more = _newton(chosen, t[late], lo, hi, np.zeros(late[0].size, dtype=bool), NEWTON_MORE)
        rest = ~done_more
        if rest.any():  # not converged in the fixed count: continue alone, bracketed, from the last point
            rows_coef = np.stack(chosen.coef, axis=1)[rest]
            rows_rates = np.stack(chosen.rates, axis=1)[rest]
            ends = np.full(int(rest.sum()), float(lo)), np.full(int(rest.sum()), float(hi))
            more[rest] = refine(rows_coef, rows_rates, *ends, t_more[rest])[0]
        value[late] = more
    return value


def interval_peak(coef: FloatArray, rates: FloatArray, lo: float, hi: float) -> FloatArray:
    """Exact max over [lo, hi] of sum_k coef[j, k, s] exp(rates[k, s] t), shape (J, S).

    Subjects are taken ``PEAK_BLOCK`` at a time, so that the dozen arrays of a Newton step stay in
    the core's cache; every cell's arithmetic is its own, so the block size changes no number.
    """
    out = np.empty(coef.shape[::2])
    for s0 in range(0, coef.shape[2], PEAK_BLOCK):
        cut = slice(s0, s0 + PEAK_BLOCK)
        out[:, cut] = _block_peak(coef[:, :, cut], rates[:, cut], lo, hi)
    return out


def _block_peak(coef: FloatArray, rates: FloatArray, lo: float, hi: float) -> FloatArray:
    """:func:`interval_peak` of one block of subjects."""
    shape = coef.shape[::2]
    slopes = _Slopes.of(coef, rates)
    single = slopes.single_change(shape)
    f_lo, p_lo, n_lo = slopes.evaluate([None if lo == 0 else np.exp(r * lo) for r in slopes.rates], parts=3)
    f_hi, p_hi, n_hi = slopes.evaluate([np.exp(r * hi) for r in slopes.rates], parts=3)
    best = np.maximum(f_lo, f_hi)
    inner = single & (p_lo + n_lo > 0) & (p_hi + n_hi < 0)
    if inner.any():
        with np.errstate(divide="ignore", invalid="ignore"):
            h_lo, h_hi = np.log(p_lo / -n_lo), np.log(p_hi / -n_hi)
            start = lo + (hi - lo) * h_lo / (h_lo - h_hi)  # the secant of h: inside (lo, hi) where inner
        best = np.where(inner, np.maximum(best, _newton_peaks(slopes, lo, hi, start, inner)), best)
    several = np.nonzero((~single).any(axis=0))[0]
    if several.size:
        scanned = _scan_rows(coef[:, :, several], rates[:, several], lo, hi)
        best[:, several] = np.where(single[:, several], best[:, several], scanned)
    return best
