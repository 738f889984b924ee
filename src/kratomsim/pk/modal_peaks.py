"""Exact maximum of a sum of exponentials on an interval, vectorised over nights and subjects.

Between two dose arrivals a linear model's concentration is ``f(t) = sum_k a_k exp(r_k t)``; its slope
``f'(t) = sum_k b_k exp(r_k t)`` with ``b_k = a_k r_k``. Descartes' rule of signs holds for exponential
sums (Laguerre): ``f'`` has at most as many real roots as sign changes of ``b_k`` in rate order.

- At most one change (every K51 subject): f is unimodal. When the change goes from rising terms
  (the fast modes, ``b_k > 0``) to falling ones (the slow modes) and f' turns from > 0 to < 0 inside
  the interval, the peak is the root of ``h(t) = ln P(t) - ln F(t)`` with ``P`` the sum of the
  rising terms of f' and ``-F`` of the falling ones. ``h`` is strictly decreasing (its slope is a
  weighted mean of the rising rates minus one of the falling rates) and close to a straight line
  (exactly one for a single rising and a single falling term, the Bateman function), so the secant
  of h between the interval's ends starts Newton's method within a few 1e-3 h of the root.
  Two Newton steps on h follow for every cell at once (none for two modes: the secant is the root),
  each kept in the interval, with no test and no mask between them; then the peak is the top of the
  parabola through the last point, ``f + f'^2 / (2 |f''|)``, whose error is third order in the
  distance from the root. A cell is accepted when that shortfall is at most 1e-11 of f (the error is
  then below 1e-16 of f, under the rounding of f itself); the others (about 1 in 100 K51 cells)
  take two more steps, and any still refused continue alone (:func:`refine`, Newton on f' with
  bisection). Each cell's arithmetic is its own, so no result depends on the chunk or on the others.
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
PEAK_RTOL = 1e-11  # the parabola's top is accepted when the shortfall from it is below this fraction of f
H_STEPS = 2  # Newton steps on h for every cell at once, before the parabola's top is taken
PEAK_BLOCK = 2048  # subjects per peak search (K51, one core: 1,024 was 4 % slower, 4,096 the same)
_MAX_ITERATIONS = 80  # bisection alone halves the bracket each step; 80 halvings reach rounding


VALUE, RISE, FALL, RISE_CURVE, FALL_CURVE = range(5)  # the parts of _Slopes, in this order
ENDS = (VALUE, RISE, FALL)  # what the interval's ends need: f and the two parts of f'
SLOPE_PARTS = (RISE, FALL, RISE_CURVE, FALL_CURVE)  # what a Newton step on h needs
ALL_PARTS = (VALUE, RISE, FALL, RISE_CURVE, FALL_CURVE)


@dataclass(frozen=True)
class _Slopes:
    """f's coefficients and f' split by sign, per mode: the rising and (negated) falling parts of the slope.

    Per mode k (lists): ``coef[k]`` f's coefficients over the cells (nights x subjects), ``rates[k]``
    the rate per subject; with ``b_k = coef_k r_k``, ``rise[k]`` holds ``b_k`` where it is > 0 and
    ``fall[k]`` ``-b_k`` where it is < 0 (0 elsewhere; None when no cell has such a term), so that
    ``f' = P - F`` with ``P, F >= 0``; ``rise_curve[k]`` and ``fall_curve[k]`` are those times ``r_k``,
    so ``f'' = P' - F'``. Skipping a part that is None adds nothing (x + 0 == x): it saves work, not a
    number. :meth:`single_change` reads the signs per subject (``rising[k]``, ``falling[k]``: on any
    night), so a subject whose mode changes sign between nights (two inputs) counts it as both and
    goes to the scan: slower, never wrong.
    """

    coef: list[FloatArray]
    rates: list[FloatArray]
    rise: list[FloatArray | None]
    rise_curve: list[FloatArray | None]
    fall: list[FloatArray | None]
    fall_curve: list[FloatArray | None]
    rising: list[BoolArray]  # (S,) per mode: the slope term is > 0 on some night
    falling: list[BoolArray]

    @classmethod
    def of(cls, coef: FloatArray, rates: FloatArray) -> _Slopes:
        """From coefficients (J, K, S) and rates (K, S)."""
        out = cls([], [], [], [], [], [], [], [])
        for k in range(coef.shape[1]):
            c, r = coef[:, k], rates[k]
            b = c * r
            rising, falling = (b > 0).any(axis=0), (b < 0).any(axis=0)
            out.coef.append(c)
            out.rates.append(r)
            out.rising.append(rising)
            out.falling.append(falling)
            for signed, has, other, part, curve in ((b, rising, falling, out.rise, out.rise_curve),
                                                    (-b, falling, rising, out.fall, out.fall_curve)):
                if not has.any():
                    chosen = None
                elif has.all() and not other.any():
                    chosen = signed
                elif (has & other).any():  # a subject's sign changes between nights: cell by cell
                    chosen = np.where(signed > 0, signed, 0.0)
                else:  # each subject keeps its sign: x * 1.0 == x, and x * 0.0 is a zero
                    chosen = signed * has
                part.append(chosen)
                curve.append(None if chosen is None else chosen * r)
        return out

    def single_change(self, shape: tuple[int, ...]) -> BoolArray:
        """Cells whose slope coefficients change sign at most once in rate order (per subject).

        That is: every rising rate below every falling one, or the reverse (ties count as a change).
        """
        rise_lo: FloatArray | float = np.inf
        rise_hi: FloatArray | float = -np.inf
        fall_lo: FloatArray | float = np.inf
        fall_hi: FloatArray | float = -np.inf
        for r, rising, falling in zip(self.rates, self.rising, self.falling, strict=True):
            rise_lo = np.minimum(rise_lo, np.where(rising, r, np.inf))
            rise_hi = np.maximum(rise_hi, np.where(rising, r, -np.inf))
            fall_lo = np.minimum(fall_lo, np.where(falling, r, np.inf))
            fall_hi = np.maximum(fall_hi, np.where(falling, r, -np.inf))
        return np.broadcast_to((rise_hi < fall_lo) | (fall_hi < rise_lo), shape)

    def evaluate(self, powers: Sequence[FloatArray | None], parts: Sequence[int] = ALL_PARTS,
                 out: list[FloatArray] | None = None) -> list[FloatArray]:
        """The sums of the chosen ``parts`` (of f, P, F, P', F') over the cells, from exp(r_k t) per mode.

        A power of None stands for exp(r_k * 0) = 1 (x * 1.0 == x, so the sums are the same).
        ``out`` (cell-shaped buffers, one per part) receives the sums; each is the same number,
        term by term in mode order, whether written into a buffer or a new array, and whichever
        other parts are asked for.
        """
        shape = np.broadcast_shapes(self.coef[0].shape, *(p.shape for p in powers if p is not None))
        sums = [np.empty(shape) for _ in parts] if out is None else out[:len(parts)]
        started = [False] * len(parts)
        scratch = np.empty(shape)
        for k, power in enumerate(powers):
            terms = (self.coef[k], self.rise[k], self.fall[k], self.rise_curve[k], self.fall_curve[k])
            for i, which in enumerate(parts):
                part = terms[which]
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
        for i in range(len(parts)):
            if not started[i]:
                sums[i].fill(0.0)
        return sums

    def take(self, cells: tuple[NDArray[np.intp], ...]) -> _Slopes:
        """The same terms for a flat selection of cells (nights, subjects); a rate is per subject."""
        def pick(values: FloatArray | None) -> FloatArray | None:
            return None if values is None else values[cells]

        subjects = cells[-1]
        return _Slopes([c[cells] for c in self.coef], [r[subjects] for r in self.rates],
                       [pick(v) for v in self.rise], [pick(v) for v in self.rise_curve],
                       [pick(v) for v in self.fall], [pick(v) for v in self.fall_curve],
                       [m[subjects] for m in self.rising], [m[subjects] for m in self.falling])

    def rows(self) -> tuple[FloatArray, FloatArray]:
        """Coefficients and rates (N, K) of flat cells (from :meth:`take`), for :func:`refine`."""
        return np.stack(self.coef, axis=1), np.stack(self.rates, axis=1)


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


def _fill_powers(rates: Sequence[FloatArray], t: FloatArray, powers: list[FloatArray]) -> list[FloatArray]:
    """exp(r_k t) per mode into the buffers."""
    for r, power in zip(rates, powers, strict=True):
        np.multiply(r, t, out=power)
        np.exp(power, out=power)
    return powers


def _h_steps(slopes: _Slopes, t: FloatArray, lo: float, hi: float, count: int) -> None:
    """``count`` Newton steps on h = ln(P / F) for every cell, in place on ``t``, each kept in [lo, hi].

    h is strictly decreasing with its one root in [lo, hi] and nearly straight, so a step is clipped
    to the interval rather than bisected. Every cell takes the same steps: no test, no mask, and a
    cell's numbers never depend on the others'.
    """
    powers = [np.empty(t.shape) for _ in slopes.rates]
    sums = [np.empty(t.shape) for _ in SLOPE_PARTS]
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):  # cells outside `inner`: never used
        for _ in range(count):
            p, fall, p1, fall1 = slopes.evaluate(_fill_powers(slopes.rates, t, powers), SLOPE_PARTS, out=sums)
            np.divide(p1, p, out=p1)  # h' = P'/P - F'/F
            np.divide(fall1, fall, out=fall1)
            np.subtract(p1, fall1, out=p1)
            np.divide(p, fall, out=p)  # h = ln(P / F)
            np.log(p, out=p)
            np.divide(p, p1, out=p)  # the step t - h / h'
            np.subtract(t, p, out=t)
            np.clip(t, lo, hi, out=t)


def _parabola_peak(slopes: _Slopes, t: FloatArray) -> tuple[FloatArray, BoolArray]:
    """The peak from the last point: f(t) + f'(t)^2 / (2 |f''(t)|), and whether that is close enough.

    The parabola through (t, f, f', f'') has its top at that value; its error is f''' e^3 / 6 for a
    point e from the peak, about (2 s)^1.5 / 6 of f where s is the shortfall f'^2 / (2 |f''|) / f. A
    cell is accepted when f'' < 0 and s <= PEAK_RTOL (1e-11: the error is then below 1e-16 of f, far
    under the rounding of f itself); the others go on to :func:`refine`.
    """
    powers = _fill_powers(slopes.rates, t, [np.empty(t.shape) for _ in slopes.rates])
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        value, p, fall, p1, fall1 = slopes.evaluate(powers, ALL_PARTS)
        np.subtract(p, fall, out=p)  # f'
        np.subtract(p1, fall1, out=p1)  # f''
        ok = p1 < 0
        np.multiply(p, p, out=p)
        np.multiply(p1, -2.0, out=p1)
        np.divide(p, p1, out=p)  # the shortfall f'^2 / (2 |f''|)
        np.multiply(value, PEAK_RTOL, out=fall)
        ok &= p <= fall
        np.add(value, p, out=value)
    return value, ok


def _newton_peaks(slopes: _Slopes, lo: float, hi: float, start: FloatArray, inner: BoolArray) -> FloatArray:
    """Peaks (J, S) of the ``inner`` cells (f' > 0 at lo, < 0 at hi, one sign change): Newton on h.

    H_STEPS steps for every cell at once from the secant start, then the parabola's top at the last
    point (:func:`_parabola_peak`). The cells it does not accept are taken out for H_STEPS more, and
    those still not accepted continue alone, bracketed on [lo, hi], from their last point
    (:func:`refine`). A cell's arithmetic is the same at every stage, so the split changes no number.
    Other cells' values are not meaningful.
    """
    t = np.where(inner, start, lo)
    # two modes: an inner cell has one rising and one falling term, h is a straight line and the
    # secant start is its root (the Bateman peak); more modes take H_STEPS first
    _h_steps(slopes, t, lo, hi, 0 if len(slopes.coef) == 2 else H_STEPS)
    value, ok = _parabola_peak(slopes, t)
    late = np.nonzero(inner & ~ok)
    if late[0].size:
        chosen, t_late = slopes.take(late), t[late]
        _h_steps(chosen, t_late, lo, hi, H_STEPS)
        more, accepted = _parabola_peak(chosen, t_late)
        rest = np.nonzero(~accepted)[0]
        if rest.size:
            coef, rates = chosen.take((rest,)).rows()
            ends = np.full(rest.size, float(lo)), np.full(rest.size, float(hi))
            more[rest] = refine(coef, rates, *ends, t_late[rest])[0]
        value[late] = more
    return value


def interval_peak(coef: FloatArray, rates: FloatArray, lo: float, hi: float) -> FloatArray:
    """Exact max over [lo, hi] of sum_k coef[j, k, s] exp(rates[k, s] t), shape (J, S).

    Subjects are taken ``PEAK_BLOCK`` at a time, so that the arrays of a Newton step stay in the
    core's cache; every cell's arithmetic is its own, so the block size changes no number.
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
    f_lo, p_lo, fall_lo = slopes.evaluate([None if lo == 0 else np.exp(r * lo) for r in slopes.rates], ENDS)
    f_hi, p_hi, fall_hi = slopes.evaluate([np.exp(r * hi) for r in slopes.rates], ENDS)
    best = np.maximum(f_lo, f_hi)
    inner = single & (p_lo > fall_lo) & (p_hi < fall_hi)
    if inner.any():
        with np.errstate(divide="ignore", invalid="ignore"):
            h_lo, h_hi = np.log(p_lo / fall_lo), np.log(p_hi / fall_hi)
            start = lo + (hi - lo) * h_lo / (h_lo - h_hi)  # the secant of h: inside (lo, hi) where inner
        best = np.where(inner, np.maximum(best, _newton_peaks(slopes, lo, hi, start, inner)), best)
    several = np.nonzero((~single).any(axis=0))[0]
    if several.size:
        scanned = _scan_rows(coef[:, :, several], rates[:, several], lo, hi)
        best[:, several] = np.where(single[:, several], best[:, several], scanned)
    return best
