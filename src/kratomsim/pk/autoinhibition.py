"""A parent that inactivates the enzyme clearing it: the linear model made time-varying.

Mitragynine inactivates CYP3A4 time-dependently, and CYP3A4 clears part of mitragynine and forms
7-hydroxymitragynine. With E(t) the active fraction of hepatic CYP3A4 (1 = untouched):

    dE/dt = kdeg (1 - E) - kobs(I) E,   kobs = kinact I / (KI + I)         (enzyme turnover)
    activity(t) = E(t) / (1 + I / Ki)                                    (plus reversible block)
    parent CL(t) = CL (1 - fm + fm activity)                              (fm: enzyme's share)
    metabolite formation(t) = formation x activity                        (formed by that enzyme)

with I the unbound hepatic inlet concentration fu (C + ka A_gut / Qh / Rb), the quantity the
interaction model uses for the same enzyme. The rate matrix is affine in the activity, so
A(a) = A(1) - (1 - a) D. Each step holds the activity at its midpoint value (explicit midpoint)
and moves the state exactly by expm(A h) (steps of 0.25 h for 12 h after each dose, 1 h
otherwise): second order in the step, checked against solve_ivp on
the coupled system in the tests.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from kratomsim.pk.expm import taylor_expm
from kratomsim.pk.model import DoseEvent, FloatArray, Formation, LinearSystem

DEFAULT_STEP_H = 0.25  # while a dose is absorbed (ABSORPTION_SPAN_H after it)
SLOW_STEP_H = 1.0  # otherwise: the terminal phase and the enzyme move on a scale of days
ABSORPTION_SPAN_H = 12.0
_DECIMALS = 9
_TAYLOR_DEGREE = 10


def small_expm(m: FloatArray) -> FloatArray:
    """expm of the step matrices (degree 10: truncation below 2e-11, ample for a 0.25 h step)."""
    return taylor_expm(m, _TAYLOR_DEGREE)


@dataclass(frozen=True)
class SelfInactivation:
    """Constants of a parent's inactivation of its own clearing enzyme (uM, 1/h, L/h)."""

    parent: str
    fm: float  # share of the parent's clearance through the enzyme at full activity
    fu: float  # unbound fraction of the parent in plasma
    ki_reversible_uM: float
    ki_uM: float  # KI of time-dependent inactivation
    kinact_per_h: float
    kdeg_per_h: float
    qh_L_per_h: float
    rb: float = 1.0

    def inhibitor_uM(
        self, central_umol: FloatArray, gut_umol: FloatArray, v1_L: FloatArray, ka: FloatArray
    ) -> FloatArray:
        """Unbound hepatic inlet concentration from the parent's central and gut amounts."""
        return self.fu * (central_umol / v1_L + ka * gut_umol / self.qh_L_per_h / self.rb)

    def kobs(self, conc_uM: FloatArray) -> FloatArray:
        return self.kinact_per_h * conc_uM / (self.ki_uM + conc_uM)

    def activity(self, enzyme: FloatArray, conc_uM: FloatArray) -> FloatArray:
        return enzyme / (1.0 + conc_uM / self.ki_reversible_uM)


def inactivation_matrix(system: LinearSystem, formations: Sequence[Formation], inact: SelfInactivation,
                        ka: FloatArray, ke: FloatArray) -> FloatArray:
    """D with A(activity) = A(1) - (1 - activity) D: the parts of A the enzyme carries."""
    p = inact.parent
    d = np.zeros_like(system.A)
    c, g = system.central[p], system.depot[p]
    systemic_total = np.zeros_like(ke)
    d[:, c, c] = -ke * inact.fm  # the enzyme's share of the parent's elimination
    for f in formations:
        if f.parent != p:
            continue
        m = system.central[f.metabolite]
        systemic = np.broadcast_to(np.asarray(f.systemic, dtype=float), ke.shape)
        systemic_total = systemic_total + systemic
        d[:, m, c] += ke * systemic
        d[:, m, g] += ka * np.broadcast_to(np.asarray(f.presystemic, dtype=float), ka.shape)
    if np.any(systemic_total > inact.fm + 1e-12):
        raise ValueError("systemic metabolite formation exceeds the enzyme's share of the parent's clearance")
    return d


@dataclass(frozen=True)
class Checkpoint:
    """The state (subjects, states) and enzyme (subjects) at the end of one step, doses there added."""

    time_h: float
    states: FloatArray
    enzyme: FloatArray


@dataclass(frozen=True)
class Course:
    """States (subjects, times, states) in micromoles and hepatic enzyme activity (subjects, times);
    with ``keep_checkpoints`` also the state at every step end, to resume from (:func:`resume`)."""

    states: FloatArray
    enzyme: FloatArray
    activity: FloatArray
    checkpoints: tuple[Checkpoint, ...] = ()


@dataclass(frozen=True)
class _Stepper:
    """One explicit-midpoint step of the coupled system: the activity held at its midpoint value."""

    system: LinearSystem
    d_matrix: FloatArray
    inact: SelfInactivation
    ka: FloatArray

    def conc(self, x: FloatArray) -> FloatArray:
        """Inhibitor level from states (..., states), any leading shape."""
        p = self.inact.parent
        c, g = self.system.central[p], self.system.depot[p]
        return self.inact.inhibitor_uM(x[..., c], x[..., g], self.system.volume[p], self.ka)

    def enzyme_step(self, e: FloatArray, i_mean: FloatArray, h: FloatArray | float) -> FloatArray:
        """Enzyme after ``h`` hours at inhibitor level ``i_mean`` (exact for a constant level)."""
        rate = self.inact.kdeg_per_h + self.inact.kobs(i_mean)
        e_inf = self.inact.kdeg_per_h / rate
        return e_inf + (e - e_inf) * np.exp(-rate * h)

    def a_matrix(self, a: FloatArray) -> FloatArray:
        return self.system.A - (1.0 - a)[:, None, None] * self.d_matrix

    def midpoint_matrix(self, x: FloatArray, e: FloatArray, i0: FloatArray, h: float) -> FloatArray:
        """A at the midpoint activity of a step of ``h`` hours from state ``x`` and enzyme ``e``."""
        dx = np.einsum("sij,sj->si", self.a_matrix(self.inact.activity(e, i0)), x)
        i_mid = np.maximum(i0 + 0.5 * h * (self.conc(x + dx) - i0), 0.0)
        return self.a_matrix(self.inact.activity(self.enzyme_step(e, i0, 0.5 * h), i_mid))


def _arrivals(system: LinearSystem, doses: Sequence[DoseEvent]) -> dict[float, list[tuple[int, FloatArray]]]:
    """Dose amounts by the (rounded) hour they reach their depot."""
    arrivals: dict[float, list[tuple[int, FloatArray]]] = {}
    for dose in doses:
        at = round(float(dose.time_h) + system.lag[dose.compound], _DECIMALS)
        amount = np.broadcast_to(np.asarray(dose.amount_umol, dtype=float), (system.n_subjects,))
        arrivals.setdefault(at, []).append((system.depot[dose.compound], amount))
    return arrivals


def _instants(arrivals: dict[float, list[tuple[int, FloatArray]]], end: float, step_h: float) -> FloatArray:
    """Step ends: fine steps while a dose is absorbed (the inhibitor level moves fast), coarse after."""
    grid = [np.arange(0.0, end, SLOW_STEP_H)]
    grid += [a + np.arange(0.0, ABSORPTION_SPAN_H, step_h) for a in arrivals if a <= end]
    steps = np.concatenate(grid)
    return np.union1d(np.round(np.append(steps[steps < end], end), _DECIMALS),
                      np.fromiter((a for a in arrivals if a <= end), dtype=float))


def propagate_self_inactivated(
    system: LinearSystem,
    d_matrix: FloatArray,
    inact: SelfInactivation,
    ka: FloatArray,
    doses: Sequence[DoseEvent],
    times_h: FloatArray,
    step_h: float = DEFAULT_STEP_H,
    enzyme0: float | FloatArray = 1.0,
    keep_checkpoints: bool = False,
) -> Course:
    """Solve the coupled system from zero at time 0; record states and enzyme at ``times_h``.

    The loop stores, per output time, the state and the step's starting enzyme and inhibitor level;
    the enzyme and activity at the outputs are then computed for all of them at once.
    """
    times = np.asarray(times_h, dtype=float)
    if times.ndim != 1 or times.size == 0 or np.any(np.diff(times) < 0):
        raise ValueError("times_h must be a sorted, non-empty 1-D array")
    n_sub = system.n_subjects
    e0 = np.broadcast_to(np.asarray(enzyme0, dtype=float), (n_sub,)).copy()
    arrivals = _arrivals(system, doses)
    x0 = np.zeros((n_sub, len(system.states)))
    for index, amount in arrivals.get(0.0, ()):
        x0[:, index] += amount
    return _solve(_Stepper(system, d_matrix, inact, ka), arrivals, times, float(times[-1]), step_h,
                  Checkpoint(0.0, x0, e0), keep_checkpoints)


def resume(
    system: LinearSystem,
    d_matrix: FloatArray,
    inact: SelfInactivation,
    ka: FloatArray,
    doses: Sequence[DoseEvent],
    course: Course,
    times_h: FloatArray,
    step_h: float = DEFAULT_STEP_H,
) -> Course:
    """The same solution as :func:`propagate_self_inactivated` at other times, from ``course``'s
    checkpoints: each cluster of times restarts at the step end before it and runs to the step end
    after it, so every step is the one the full solve takes (equal up to rounding)."""
    times = np.asarray(times_h, dtype=float)
    marks = np.fromiter((cp.time_h for cp in course.checkpoints), dtype=float)
    if times.ndim != 1 or times.size == 0 or np.any(np.diff(times) < 0) or marks.size == 0:
        raise ValueError("resume needs sorted, non-empty times and a course solved with keep_checkpoints")
    if times[0] < marks[0] or times[-1] > marks[-1]:
        raise ValueError("resume's times must lie inside the solved course")
    stepper, arrivals = _Stepper(system, d_matrix, inact, ka), _arrivals(system, doses)
    parts = []
    for group in np.split(times, np.nonzero(np.diff(times) > SLOW_STEP_H)[0] + 1):
        first = course.checkpoints[int(np.searchsorted(marks, round(group[0], _DECIMALS), side="right")) - 1]
        end = float(marks[int(np.searchsorted(marks, round(group[-1], _DECIMALS), side="left"))])
        parts.append(_solve(stepper, arrivals, group, end, step_h, first, False))
    return Course(np.concatenate([p.states for p in parts], axis=1), np.concatenate([p.enzyme for p in parts], axis=1),
                  np.concatenate([p.activity for p in parts], axis=1))


@dataclass(frozen=True)
class Resumable:
    """A finished coupled solve with what :func:`resume` needs to read it at other times."""

    system: LinearSystem
    d_matrix: FloatArray
    inact: SelfInactivation
    ka: FloatArray
    doses: tuple[DoseEvent, ...]
    course: Course

    def at(self, times_h: FloatArray) -> Course:
        return resume(self.system, self.d_matrix, self.inact, self.ka, self.doses, self.course, times_h)


def _solve(stepper: _Stepper, arrivals: dict[float, list[tuple[int, FloatArray]]], times: FloatArray, end: float,
           step_h: float, start: Checkpoint, keep_checkpoints: bool) -> Course:
    """Steps from ``start`` (doses arriving then already added) to ``end`` (a step end of the full
    solve), recording at ``times``."""
    rounded = np.round(times, _DECIMALS)
    x, e = start.states.copy(), start.enzyme.copy()
    out = np.empty((times.size, *x.shape))
    e_start, i_start, elapsed = (np.empty((times.size, x.shape[0])) for _ in range(3))
    record = (out, e_start, i_start, elapsed)
    k, previous, checkpoints = 0, start.time_h, []
    instants = _instants(arrivals, end, step_h)
    for instant in [previous, *instants[instants > previous]]:
        i0 = stepper.conc(x)
        if instant > previous:
            x_new, k = _step(stepper, x, e, i0, previous, float(instant), rounded, k, record)
            e = stepper.enzyme_step(e, 0.5 * (i0 + stepper.conc(x_new)), float(instant - previous))
            x = x_new
            for index, amount in arrivals.get(float(instant), ()):
                x[:, index] += amount
        while k < times.size and rounded[k] <= instant:  # at the step's end: its final state and enzyme
            out[k], e_start[k], i_start[k], elapsed[k] = x, e, 0.0, 0.0
            k += 1
        if keep_checkpoints:
            checkpoints.append(Checkpoint(float(instant), x.copy(), e.copy()))
        previous = float(instant)
    c_out = stepper.conc(out)
    enzyme = np.where(elapsed > 0, stepper.enzyme_step(e_start, 0.5 * (i_start + c_out), elapsed), e_start)
    return Course(out.transpose(1, 0, 2), enzyme.T, stepper.inact.activity(enzyme, c_out).T, tuple(checkpoints))


def _step(stepper: _Stepper, x: FloatArray, e: FloatArray, i0: FloatArray, start: float, end: float,
          rounded: FloatArray, k: int, record: tuple[FloatArray, ...]) -> tuple[FloatArray, int]:
    """Move ``x`` from ``start`` to ``end`` exactly with the midpoint matrix, through every output time
    inside (one propagator per distinct gap); return the state at ``end`` and the next output index."""
    out, e_start, i_start, elapsed = record
    a_mid = stepper.midpoint_matrix(x, e, i0, end - start)
    phis: dict[float, FloatArray] = {}

    def advance(y: FloatArray, gap: float) -> FloatArray:
        if gap <= 0:
            return y
        phi = phis.get(gap)
        if phi is None:
            phi = phis[gap] = small_expm(a_mid * gap)
        return np.asarray(np.einsum("sij,sj->si", phi, y))

    y, t_now = x, start
    while k < rounded.size and rounded[k] < end:
        y = advance(y, round(float(rounded[k]) - t_now, _DECIMALS))
        t_now = max(t_now, float(rounded[k]))
        out[k], e_start[k], i_start[k], elapsed[k] = y, e, i0, t_now - start
        k += 1
    return advance(y, round(end - t_now, _DECIMALS)), k
