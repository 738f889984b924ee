"""Peaks and times of peak from the model itself, not from the output grid.

A peak read off a sampled curve depends on the sampling: a 2-hour grid can miss most of a peak that
lasts one hour. Between two dose arrivals the state follows x(t + s) = expm(A s) x(t) exactly, so the
concentration's slope dC/dt = (A x)_central / V is known everywhere. This module scans each window at
a fixed step (independent of any output grid) for the slope turning from rising to falling, and
finds the instant with Brent's method on the exact slope; the peak is the highest of those instants
and the window's ends. Dose arrivals are scan points, as the slope jumps there.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy.optimize import brentq

from kratomsim.pk.engine import propagate
from kratomsim.pk.expm import taylor_expm
from kratomsim.pk.model import DoseEvent, FloatArray, LinearSystem

SCAN_H = 0.1  # h; two maxima closer than this cannot come from first-order absorption
ROOT_XTOL_H = 1e-10
_MAX_EIGEN_CONDITION = 1e8  # beyond this the eigenvectors are unreliable: use matrix exponentials


@dataclass(frozen=True)
class Peak:
    """The highest concentration of one compound in a window and when it happens."""

    time_h: float
    conc_nM: float


class _Flow:
    """x(s) = expm(A s) x0 for one subject's matrix: by eigen-decomposition, or expm if defective."""

    def __init__(self, a: FloatArray) -> None:
        self.a = a
        lam, vec = np.linalg.eig(a)
        self.exact = bool(np.linalg.cond(vec) < _MAX_EIGEN_CONDITION)
        if self.exact:
            self.lam, self.vec, self.inv = lam, vec, np.linalg.inv(vec)

    def advance(self, x0: FloatArray, s: float) -> FloatArray:
        if self.exact:
            return np.real(self.vec @ (np.exp(self.lam * s) * (self.inv @ x0)))
        return np.asarray(taylor_expm((self.a * s)[None])[0] @ x0)

    def advance_each(self, states: FloatArray, steps: FloatArray) -> FloatArray:
        """states[k] advanced by steps[k], for every k at once."""
        if self.exact:
            modes = (states @ self.inv.T) * np.exp(np.outer(steps, self.lam))
            return np.real(modes @ self.vec.T)
        return np.array([self.advance(x, float(h)) for x, h in zip(states, steps, strict=True)])


def arrival_times(system: LinearSystem, doses: Sequence[DoseEvent]) -> FloatArray:
    """When each dose reaches its gut depot (dose time plus the compound's lag), hours."""
    return np.unique([float(d.time_h) + system.lag[d.compound] for d in doses])


def window_peaks(
    system: LinearSystem,
    doses: Sequence[DoseEvent],
    windows: Sequence[tuple[float, float]],
    subject: int = 0,
) -> dict[str, list[Peak]]:
    """Each compound's exact peak in each (start, end) window (hours), for one subject."""
    flow = _Flow(np.asarray(system.A[subject], dtype=float))
    arrivals = arrival_times(system, doses)
    out: dict[str, list[Peak]] = {name: [] for name in system.central}
    if not windows:
        return out
    scans = [_scan_points(float(start), float(end), arrivals) for start, end in windows]
    # One pass of the engine over every window's scan points (sorted), then split back per window.
    joined = np.concatenate(scans)
    order = np.argsort(joined, kind="stable")
    states = np.empty((len(joined), len(system.states)))
    states[order] = propagate(system, doses, joined[order])[subject]
    bounds = np.cumsum([0, *(len(scan) for scan in scans)])
    for k, scan in enumerate(scans):
        for name, peak in _peaks_in(system, flow, scan, states[bounds[k]:bounds[k + 1]], subject).items():
            out[name].append(peak)
    return out


def _scan_points(start: float, end: float, arrivals: FloatArray) -> FloatArray:
    steps = max(1, int(np.ceil((end - start) / SCAN_H - 1e-9)))
    inside = arrivals[(arrivals > start) & (arrivals < end)]
    return np.union1d(np.linspace(start, end, steps + 1), inside)


def _peaks_in(
    system: LinearSystem, flow: _Flow, scan: FloatArray, states: FloatArray, subject: int
) -> dict[str, Peak]:
    """The exact peaks on one scanned window, given the states recorded at the scan points."""
    steps = np.diff(scan)
    # The state just before each scan point (no dose arriving there yet), for the slope's left limit.
    before = flow.advance_each(states[:-1], steps)
    slope_after = states @ flow.a.T
    slope_before = before @ flow.a.T
    result: dict[str, Peak] = {}
    for name, c in system.central.items():
        scale = 1000.0 / float(np.asarray(system.volume[name])[subject])
        conc = states[:, c] * scale
        k_best = int(np.argmax(conc))
        best = Peak(float(scan[k_best]), float(conc[k_best]))
        for k in np.nonzero((slope_after[:-1, c] > 0) & (slope_before[:, c] < 0))[0]:
            x0 = states[k]

            def slope(s: float, x0: FloatArray = x0, c: int = c) -> float:
                return float((flow.a @ flow.advance(x0, s))[c])

            if slope(0.0) <= 0:  # the turn is within rounding of the step's start: a scan point
                continue
            if slope(float(steps[k])) >= 0:
                # The slope turns within rounding of the step's end: the peak is that end's left limit.
                s = float(steps[k])
            else:
                s = brentq(slope, 0.0, float(steps[k]), xtol=ROOT_XTOL_H)
            value = float(flow.advance(x0, s)[c]) * scale
            if value > best.conc_nM:
                best = Peak(float(scan[k] + s), value)
        result[name] = best
    return result
