"""Nightly metrics of a modal model: each window's exact peak, its end value and its exact AUC.

Why its own module: this is what a population run computes for every subject, so it is written for
speed, and apart from the time courses of :mod:`kratomsim.pk.modal`.

- The modal amplitudes at each window's start are closed forms when each compound's doses repeat
  every T hours (a nightly schedule): the amplitude of mode ``l`` after ``n`` equal doses is
  ``dose * exp(l * d) * (1 - q^n) / (1 - q)`` with ``q = exp(l * T)`` and ``d`` the time since the
  last dose, a geometric sum written with ``expm1`` so that slow modes (q near 1) keep their digits.
  Other schedules step the amplitudes from arrival to arrival (exact too, one product per step).
- Within a window the concentration is ``sum_k a_k exp(r_k t)`` between arrivals; its integral and
  end value are closed forms per mode, its maximum :func:`kratomsim.pk.modal_peaks.interval_peak`.
- Results are stored compound by compound with subjects as the fastest axis (the layout every
  vectorised step and the histograms read), and shown as (subjects, nights, compounds) views.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np

from kratomsim.peaks import window_peaks
from kratomsim.pk.engine import propagate
from kratomsim.pk.modal import (
    _TIME_DECIMALS,
    ModalModel,
    _arrivals,
    _fix_defective_courses,
    _shared,
    _subset,
    _subset_doses,
    _used_labels,
)
from kratomsim.pk.modal_peaks import interval_peak
from kratomsim.pk.model import DoseEvent, FloatArray, LinearSystem

_REFERENCE_GRID_H = 1.0  # h; grid of the expm reference for defective subjects (its peaks are replaced)
_REGULAR_TOL_H = 1e-9  # h; dose intervals equal to this are one interval

Arrival = tuple[float, str, FloatArray]


@dataclass(frozen=True)
class NightMetrics:
    """Per subject, night and compound: exact peak within the window, value at its end, exact AUC.

    Each array is (subjects, nights, compounds); window_metrics returns views of (compounds, nights,
    subjects) memory, so a compound's night is one contiguous run of subjects.
    """

    compounds: tuple[str, ...]
    cmax: FloatArray  # (subjects, nights, compounds), nM
    cwake: FloatArray  # nM
    auc: FloatArray  # nM*h, exact integral over the window

    @classmethod
    def join(cls, parts: Sequence[NightMetrics]) -> NightMetrics:
        """The subjects of several blocks, in order, in the same layout (one block: itself)."""
        if len(parts) == 1:
            return parts[0]

        def cat(name: str) -> FloatArray:
            return np.concatenate([getattr(p, name).T for p in parts], axis=-1).T

        return cls(parts[0].compounds, cat("cmax"), cat("cwake"), cat("auc"))


def _integral(rate: FloatArray, start: float, stop: float) -> FloatArray:
    """Exact integral of exp(rate * t) from start to stop (rate <= 0)."""
    length = stop - start
    with np.errstate(divide="ignore", invalid="ignore"):
        value = np.exp(rate * start) * np.expm1(rate * length) / rate
    return np.where(rate == 0, length, value)


def _window_starts(
    model: ModalModel, arrivals: list[Arrival], windows: Sequence[tuple[float, float]]
) -> list[dict[str, FloatArray]]:
    """Modal amplitudes per input at each window start (arrivals at the start included)."""
    used = _used_labels(model)
    amp = {x: np.zeros((len(used[x]), model.n_subjects)) for x in model.inputs}
    clock = 0.0
    starts: list[dict[str, FloatArray]] = []
    p = 0
    for ws, _ in windows:
        ws = round(ws, _TIME_DECIMALS)
        while p < len(arrivals) and arrivals[p][0] <= ws:
            at, x, amount = arrivals[p]
            clock = _decay(model, amp, used, clock, at)
            amp[x] += amount
            p += 1
        clock = _decay(model, amp, used, clock, ws)
        starts.append({x: v.copy() for x, v in amp.items()})
    return starts


def _decay(model: ModalModel, amp: dict[str, FloatArray], used: dict[str, list[int]], clock: float, t: float) -> float:
    """Advance every amplitude from ``clock`` to ``t`` (never backwards); the new clock."""
    if t > clock:
        for x in amp:
            amp[x] *= np.exp(model.rates[used[x]] * (t - clock))
        return t
    return clock


def _regular_amplitudes(
    model: ModalModel, arrivals: list[Arrival], windows: Sequence[tuple[float, float]]
) -> dict[str, FloatArray] | None:
    """Amplitudes (windows, modes, subjects) per input at each window start, by the geometric sum.

    None unless every input's arrivals are equally spaced (one arrival counts as spaced). Windows
    with the same number of arrivals before them and the same time since the last share the work.
    """
    used = _used_labels(model)
    starts = np.round(np.asarray([ws for ws, _ in windows], dtype=float), _TIME_DECIMALS)
    out: dict[str, FloatArray] = {}
    for x in model.inputs:
        times = np.asarray([at for at, y, _ in arrivals if y == x])
        gaps = np.diff(times)
        if gaps.size and np.ptp(gaps) > _REGULAR_TOL_H:
            return None
        rates = model.rates[used[x]]  # (modes, subjects)
        amp = np.zeros((len(windows), *rates.shape))
        if times.size == 0:
            out[x] = amp
            continue
        given = [a for _, y, a in arrivals if y == x]
        if any(not np.array_equal(given[0], other) for other in given[1:]):
            return None
        amount = given[0]
        period = float(gaps.mean()) if gaps.size else 1.0
        idle = bool(np.any(rates == 0))
        with np.errstate(divide="ignore", invalid="ignore"):
            per_dose = np.expm1(rates * period)  # q - 1
        count = np.searchsorted(times, starts, side="right")  # arrivals up to each start, included
        decays: dict[float, FloatArray] = {}
        sums: dict[int, FloatArray] = {}
        for j, n in enumerate(count.tolist()):
            if n == 0:
                continue
            since = round(float(starts[j] - times[n - 1]), _TIME_DECIMALS)
            if since not in decays:
                decays[since] = amount * np.exp(rates * since)
            if n == 1:
                amp[j] = decays[since]
                continue
            if n not in sums:
                with np.errstate(divide="ignore", invalid="ignore"):
                    total = np.expm1(rates * (n * period)) / per_dose  # (1 - q^n) / (1 - q)
                sums[n] = np.where(rates == 0, float(n), total) if idle else total
            np.multiply(decays[since], sums[n], out=amp[j])
        out[x] = amp
    return out


def _window_amplitudes(
    model: ModalModel, arrivals: list[Arrival], windows: Sequence[tuple[float, float]]
) -> dict[str, FloatArray]:
    """Modal amplitudes (windows, modes, subjects) per input at each window start, arrivals at it included."""
    regular = _regular_amplitudes(model, arrivals, windows)
    if regular is not None:
        return regular
    stepped = _window_starts(model, arrivals, windows)
    return {x: np.stack([s[x] for s in stepped]) for x in model.inputs}


def _window_groups(
    arrivals: list[Arrival], windows: Sequence[tuple[float, float]]
) -> list[tuple[list[int], list[Arrival], float]]:
    """Windows with the same arrivals relative to their start and the same length, evaluated together."""
    groups: dict[tuple[object, ...], tuple[list[int], list[Arrival], float]] = {}
    for j, (ws, we) in enumerate(windows):
        ws, we = round(ws, _TIME_DECIMALS), round(we, _TIME_DECIMALS)
        within = [(round(at - ws, _TIME_DECIMALS), x, amount) for at, x, amount in arrivals if ws < at <= we]
        length = round(we - ws, _TIME_DECIMALS)
        key = (tuple((d, x) for d, x, _ in within), length)
        groups.setdefault(key, ([], within, length))[0].append(j)
    return list(groups.values())


def _segments(
    a: FloatArray, rates: FloatArray, coefs: dict[str, FloatArray],
    within: list[Arrival], length: float,
) -> list[tuple[float, float, FloatArray]]:
    """Pieces (lo, hi, coefficients referenced at the window start) between arrivals in a window."""
    segments: list[tuple[float, float, FloatArray]] = []
    lo = 0.0
    for cut in sorted({d for d, x, _ in within if x in coefs}):
        segments.append((lo, cut, a))
        a = a.copy()
        for d, x, amount in within:
            if d == cut and x in coefs:
                a += (coefs[x] * amount * np.exp(-rates * d))[None]
        lo = cut
    segments.append((lo, length, a))
    return segments


def _mode_sum(coef: FloatArray, weight: FloatArray | None) -> FloatArray:
    """sum_k coef[:, k] * weight[k] (J, S), mode by mode in order: each cell's sum is the same whatever
    the number of subjects (einsum and axis sums may group the terms by the array's size)."""
    total = coef[:, 0].copy() if weight is None else coef[:, 0] * weight[0]
    for k in range(1, coef.shape[1]):
        total += coef[:, k] if weight is None else coef[:, k] * weight[k]
    return total


def _start_coefficients(
    model: ModalModel, compound: str, nights: list[int], amplitudes: dict[str, FloatArray]
) -> tuple[FloatArray, dict[str, FloatArray], FloatArray] | None:
    """Rates (K, S), per-input coefficients and f's coefficients (nights, K, S) of one compound at the
    starts of ``nights``; None for a compound no dose reaches."""
    labels, coefs = model.compound_terms(compound)
    if not labels:
        return None
    used = _used_labels(model)
    every = nights == list(range(next(iter(amplitudes.values())).shape[0]))
    a: FloatArray | None = None
    for x, coef in coefs.items():
        rows, pos = _shared(labels, used[x])
        if not rows:
            continue
        amp = amplitudes[x] if every else amplitudes[x][nights]
        pairs = list(zip(rows, pos, strict=True))
        if a is None and len(rows) == len(labels):  # one input reaches every mode: no scatter
            a = np.empty((len(nights), len(labels), model.n_subjects))
            for i, (r, p) in enumerate(pairs):  # mode by mode into place: no gathered copy of amp
                np.multiply(coef[r], amp[:, p], out=a[:, i])
            continue
        if a is None:
            a = np.zeros((len(nights), len(labels), model.n_subjects))
        for r, p in pairs:
            a[:, r] += coef[r] * amp[:, p]
    if a is None:
        a = np.zeros((len(nights), len(labels), model.n_subjects))
    return model.rates[list(labels)], coefs, a


def _group_metrics(
    model: ModalModel, compound: str, nights: list[int], amplitudes: dict[str, FloatArray],
    within: list[Arrival], length: float,
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Exact peak, end value and integral (nights, subjects) of one compound over a group of windows."""
    terms = _start_coefficients(model, compound, nights, amplitudes)
    if terms is None:
        zero = np.zeros((len(nights), model.n_subjects))
        return zero, zero.copy(), zero.copy()
    rates, coefs, a = terms
    best = np.full(a.shape[::2], -np.inf)
    total = np.zeros(a.shape[::2])
    segments = _segments(a, rates, coefs, within, length)
    for lo, hi, coef in segments:
        total += _mode_sum(coef, _integral(rates, lo, hi))
        np.maximum(best, interval_peak(coef, rates, lo, hi), out=best)
    wake = _mode_sum(segments[-1][2], np.exp(rates * length))
    return best, wake, total


def levels_at(
    model: ModalModel, doses: Sequence[DoseEvent], instants: Sequence[float], compounds: Sequence[str]
) -> FloatArray:
    """Plasma concentrations (compounds, instants, subjects), nM, arrivals at an instant included.

    The same closed-form amplitudes as the window starts, summed over modes (as
    :func:`kratomsim.pk.modal.modal_concentrations` at these instants); defective subjects by expm.
    """
    times = np.round(np.asarray(instants, dtype=float), _TIME_DECIMALS)
    amplitudes = _window_amplitudes(model, _arrivals(model, doses), [(t, t) for t in times.tolist()])
    return _levels(model, doses, times, compounds, amplitudes)


def _levels(model: ModalModel, doses: Sequence[DoseEvent], times: FloatArray, compounds: Sequence[str],
            amplitudes: dict[str, FloatArray]) -> FloatArray:
    out = np.zeros((len(compounds), times.size, model.n_subjects))
    for ci, c in enumerate(compounds):
        terms = _start_coefficients(model, c, list(range(times.size)), amplitudes)
        if terms is not None:
            out[ci] = _mode_sum(terms[2], None)
    _fix_defective_courses(model, doses, times, {c: out[ci].T for ci, c in enumerate(compounds)})
    return out


def window_metrics(
    model: ModalModel,
    doses: Sequence[DoseEvent],
    windows: Sequence[tuple[float, float]],
    compounds: Sequence[str] | None = None,
) -> NightMetrics:
    """Exact peak, concentration at the window end and exact AUC for each window (night).

    The peak is the model's own maximum in the window (:func:`kratomsim.pk.modal_peaks.interval_peak`),
    not a grid value; windows with the same arrangement of arrivals are evaluated together.
    """
    return nightly_metrics(model, doses, windows, compounds)[0]


def nightly_metrics(
    model: ModalModel,
    doses: Sequence[DoseEvent],
    windows: Sequence[tuple[float, float]],
    compounds: Sequence[str] | None = None,
    instants: Sequence[float] = (),
) -> tuple[NightMetrics, FloatArray | None]:
    """:func:`window_metrics`, and with ``instants`` the levels there (as :func:`levels_at`) from the
    same geometric sums (one pass for the windows' starts and the instants)."""
    compounds = tuple(model.response) if compounds is None else tuple(compounds)
    arrivals = _arrivals(model, doses)
    for x in model.inputs:
        given = [amount for _, y, amount in arrivals if y == x]
        if any(not np.array_equal(given[0], other) for other in given[1:]):
            raise ValueError(f"doses of {x} must be the same at every night for window metrics")
    times = np.round(np.asarray(instants, dtype=float), _TIME_DECIMALS)
    J = len(windows)
    both = _regular_amplitudes(model, arrivals, [*windows, *[(t, t) for t in times.tolist()]])
    if both is None:
        amplitudes = _window_amplitudes(model, arrivals, windows)
        at = _window_amplitudes(model, arrivals, [(t, t) for t in times.tolist()]) if times.size else {}
    else:
        amplitudes, at = {x: v[:J] for x, v in both.items()}, {x: v[J:] for x, v in both.items()}
    out = np.empty((3, len(compounds), J, model.n_subjects))  # every window is in one group
    for nights, within, length in _window_groups(arrivals, windows):
        cut = slice(nights[0], nights[-1] + 1) if nights == list(range(nights[0], nights[-1] + 1)) else nights
        for ci, c in enumerate(compounds):
            out[0, ci, cut], out[1, ci, cut], out[2, ci, cut] = _group_metrics(
                model, c, nights, amplitudes, within, length)
    cmax, cwake, auc = (out[i].transpose(2, 1, 0) for i in range(3))
    metrics = NightMetrics(compounds, cmax, cwake, auc)
    _fix_defective_metrics(model, doses, windows, metrics)
    return metrics, (_levels(model, doses, times, compounds, at) if times.size else None)


def _fix_defective_metrics(
    model: ModalModel,
    doses: Sequence[DoseEvent],
    windows: Sequence[tuple[float, float]],
    metrics: NightMetrics,
) -> None:
    """Defective subjects: end values and AUC by expm stepping, peaks by the one-subject exact search."""
    mask = model.defective
    if not mask.any():
        return
    system, chosen = _subset(model.system, mask), _subset_doses(doses, mask, model.n_subjects)
    fixed = reference_window_metrics(system, chosen, windows, _REFERENCE_GRID_H, metrics.compounds)
    for row in range(system.n_subjects):
        peaks = window_peaks(system, chosen, windows, row)
        for ci, c in enumerate(metrics.compounds):
            fixed.cmax[row, :, ci] = [p.conc_nM for p in peaks[c]]
    metrics.cmax[mask] = fixed.cmax
    metrics.cwake[mask] = fixed.cwake
    metrics.auc[mask] = fixed.auc


def reference_window_metrics(
    system: LinearSystem,
    doses: Sequence[DoseEvent],
    windows: Sequence[tuple[float, float]],
    grid_h: float,
    compounds: Sequence[str],
) -> NightMetrics:
    """The same metrics by expm stepping (engine), with one integrator state per compound for AUC."""
    n_sub, n = system.n_subjects, len(system.states)
    k = len(compounds)
    A = np.zeros((n_sub, n + k, n + k))
    A[:, :n, :n] = system.A
    for i, c in enumerate(compounds):
        A[:, n + i, system.central[c]] = 1000.0 / system.volume[c]
    states = system.states + tuple(f"{c}.auc" for c in compounds)
    augmented = replace(system, A=A, states=states)
    times: list[float] = []
    for ws, we in windows:
        first = np.ceil(ws / grid_h - 1e-9) * grid_h
        grid = np.arange(first, we + 1e-9, grid_h)
        times += [ws, *grid.tolist(), we]
    t = np.unique(np.round(np.asarray(times), _TIME_DECIMALS))
    x = propagate(augmented, doses, t)
    J = len(windows)
    cmax = np.empty((n_sub, J, k))
    cwake = np.empty((n_sub, J, k))
    auc = np.empty((n_sub, J, k))
    for j, (ws, we) in enumerate(windows):
        ws, we = round(ws, _TIME_DECIMALS), round(we, _TIME_DECIMALS)
        i0, i1 = np.searchsorted(t, ws), np.searchsorted(t, we)
        on_grid = (t >= ws - 1e-9) & (t <= we + 1e-9) & (np.abs(t / grid_h - np.round(t / grid_h)) < 1e-6)
        for i, c in enumerate(compounds):
            conc = x[:, :, system.central[c]] / system.volume[c][:, None] * 1000.0
            cmax[:, j, i] = conc[:, on_grid].max(axis=1) if on_grid.any() else -np.inf
            cwake[:, j, i] = conc[:, i1]
            auc[:, j, i] = x[:, i1, n + i] - x[:, i0, n + i]
    return NightMetrics(tuple(compounds), cmax, cwake, auc)

