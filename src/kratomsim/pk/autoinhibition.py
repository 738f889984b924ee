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
class Course:
    """States (subjects, times, states) in micromoles and hepatic enzyme activity (subjects, times)."""

    states: FloatArray
    enzyme: FloatArray
    activity: FloatArray


def propagate_self_inactivated(
    system: LinearSystem,
    d_matrix: FloatArray,
    inact: SelfInactivation,
    ka: FloatArray,
    doses: Sequence[DoseEvent],
    times_h: FloatArray,
    step_h: float = DEFAULT_STEP_H,
    enzyme0: float | FloatArray = 1.0,
) -> Course:
    """Solve the coupled system from zero at time 0; record states and enzyme at ``times_h``."""
    times = np.asarray(times_h, dtype=float)
    if times.ndim != 1 or times.size == 0 or np.any(np.diff(times) < 0):
        raise ValueError("times_h must be a sorted, non-empty 1-D array")
    n_sub = system.n_subjects
    arrivals: dict[float, list[tuple[int, FloatArray]]] = {}
    for dose in doses:
        at = round(float(dose.time_h) + system.lag[dose.compound], _DECIMALS)
        amount = np.broadcast_to(np.asarray(dose.amount_umol, dtype=float), (n_sub,))
        arrivals.setdefault(at, []).append((system.depot[dose.compound], amount))
    end = float(times[-1])
    # Fine steps while a dose is being absorbed (the inhibitor level moves fast), coarse ones after.
    grid = [np.arange(0.0, end, SLOW_STEP_H)]
    grid += [a + np.arange(0.0, ABSORPTION_SPAN_H, step_h) for a in arrivals if a <= end]
    steps = np.concatenate(grid)
    instants = np.union1d(np.round(np.append(steps[steps < end], end), _DECIMALS),
                          np.fromiter((a for a in arrivals if a <= end), dtype=float))
    rounded = np.round(times, _DECIMALS)
    c, g = system.central[inact.parent], system.depot[inact.parent]
    v1 = system.volume[inact.parent]

    def conc(x: FloatArray) -> FloatArray:
        return inact.inhibitor_uM(x[:, c], x[:, g], v1, ka)

    def enzyme_step(e: FloatArray, i_mean: FloatArray, h: float) -> FloatArray:
        rate = inact.kdeg_per_h + inact.kobs(i_mean)
        e_inf = inact.kdeg_per_h / rate
        return e_inf + (e - e_inf) * np.exp(-rate * h)

    def a_matrix(a: FloatArray) -> FloatArray:
        return system.A - (1.0 - a)[:, None, None] * d_matrix

    x = np.zeros((n_sub, len(system.states)))
    e = np.broadcast_to(np.asarray(enzyme0, dtype=float), (n_sub,)).copy()
    out = np.empty((n_sub, times.size, x.shape[1]))
    out_e = np.empty((n_sub, times.size))
    out_a = np.empty((n_sub, times.size))
    k = 0  # next output time to record

    def record(upto: float, inclusive: bool, state: FloatArray, enzyme: FloatArray) -> None:
        nonlocal k
        while k < times.size and (rounded[k] < upto or (inclusive and rounded[k] == upto)):
            out[:, k, :], out_e[:, k], out_a[:, k] = state, enzyme, inact.activity(enzyme, conc(state))
            k += 1

    previous = 0.0
    for instant in instants:
        h = float(instant - previous)
        if h > 0:
            # The activity is held at its midpoint value over the step (explicit midpoint rule for
            # the slow enzyme and the inhibitor level); the state moves exactly with it, through
            # every output time inside the step (one propagator per distinct gap).
            i0 = conc(x)
            a_mat = a_matrix(inact.activity(e, i0))
            dx = np.einsum("sij,sj->si", a_mat, x)
            i_mid = np.maximum(i0 + 0.5 * h * (conc(x + dx) - i0), 0.0)
            a_mid = a_matrix(inact.activity(enzyme_step(e, i0, 0.5 * h), i_mid))
            phis: dict[float, FloatArray] = {}
            y, t_now = x, previous
            while k < times.size and rounded[k] < instant:
                gap = round(float(rounded[k]) - t_now, _DECIMALS)
                if gap > 0:
                    phi = phis.get(gap)
                    if phi is None:
                        phi = phis[gap] = small_expm(a_mid * gap)
                    y, t_now = np.einsum("sij,sj->si", phi, y), float(rounded[k])
                record(t_now, True, y, enzyme_step(e, 0.5 * (i0 + conc(y)), t_now - previous))
            gap = round(float(instant) - t_now, _DECIMALS)
            if gap > 0:
                phi = phis.get(gap)
                x_new = np.einsum("sij,sj->si", small_expm(a_mid * gap) if phi is None else phi, y)
            else:
                x_new = y
            e = enzyme_step(e, 0.5 * (i0 + conc(x_new)), h)
            x = x_new
        for index, amount in arrivals.get(float(instant), ()):
            x[:, index] += amount
        record(float(instant), True, x, e)
        previous = float(instant)
    return Course(out, out_e, out_a)
