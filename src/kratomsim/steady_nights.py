"""Nights to steady state: how many nightly doses until the dose-to-dose AUC reaches 90% of its plateau."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np

from kratomsim.exposure import model_for, run
from kratomsim.night_timeline import MAX_NIGHTS
from kratomsim.pk.model import FloatArray, build_system
from kratomsim.pk.steady import auc_fraction_times
from kratomsim.scenario import Scenario

STEADY_STATE_FRACTION = 0.9
STEADY_STATE_METHOD = (
    "superposition: with one dose every 24 h, the AUC over dose interval n equals the single-dose AUC "
    "from 0 to n x 24 h; for the kratom alkaloids the single-dose cumulative AUC is a sum of exponentials "
    "(the model's modes) and is solved exactly; for medicines the single dose is simulated until 25 "
    "half-lives of the model's slowest eigenvalue and the tail extrapolated with that eigenvalue; on the "
    "linear model (without autoinhibition, which superposition cannot carry: with it on, see "
    "autoinhibition.effect)"
)


def steady_state(
    single_dose: Callable[[FloatArray], dict[str, FloatArray]], slowest_rate: float, interval_h: float = 24.0
) -> dict[str, dict[str, Any]]:
    """Nights (and days) until the dose-to-dose AUC reaches 90% of its steady-state value, per compound.

    ``single_dose(times)`` gives one subject's concentrations after a single dose at time 0;
    ``slowest_rate`` (1/h) is the smallest decay rate of the model, which sets the horizon and the tail.
    """
    horizon = min(max(25.0 * math.log(2.0) / slowest_rate * 1.0, 240.0), MAX_NIGHTS * 24.0 * 2)
    times = np.unique(np.concatenate([np.arange(0.0, 48.0, 1.0 / 60.0), np.arange(48.0, horizon + 0.25, 0.25)]))
    out: dict[str, dict[str, Any]] = {}
    for name, conc in single_dose(times).items():
        cum = np.concatenate([[0.0], np.cumsum((conc[1:] + conc[:-1]) * np.diff(times) / 2.0)])
        total = cum[-1] + conc[-1] / slowest_rate
        if total <= 0:
            continue
        target = STEADY_STATE_FRACTION * total
        k = int(np.searchsorted(cum, target))
        t90 = float(times[min(k, len(times) - 1)])
        if 0 < k < len(times):
            t90 = float(np.interp(target, cum[k - 1 : k + 1], times[k - 1 : k + 1]))
        out[name] = _steady_entry(t90, slowest_rate, interval_h)
    return out


def _steady_entry(t90: float, slowest_rate: float, interval_h: float) -> dict[str, Any]:
    return {
        "nights_to_90pct": max(1, math.ceil(t90 / interval_h - 1e-9)),
        "days_to_90pct": t90 / 24.0,
        "slowest_half_life_h": math.log(2.0) / slowest_rate,
    }


def kratom_steady_state(single: Scenario, interval_h: float = 24.0) -> dict[str, dict[str, Any]]:
    """:func:`steady_state` of the single-dose scenario ``single``, from the closed-form cumulative AUC.

    Exact for the linear model (:func:`kratomsim.pk.steady.auc_fraction_times`); falls back to the
    numerical path when the modal form does not apply (a defective system).
    """
    system = build_system(*model_for(single))
    rate = slowest_rate(system.A)
    exact = auc_fraction_times(system, single.dose_events(), STEADY_STATE_FRACTION)
    if exact is None:
        return steady_state(lambda t: {k: v[0] for k, v in run(single, times_h=t).conc_nM.items()}, rate, interval_h)
    return {name: _steady_entry(t90, rate, interval_h) for name, (t90, _) in exact.items()}


def slowest_rate(a_matrix: FloatArray) -> float:
    """The smallest decay rate (1/h) of the model: it sets the steady-state horizon and the tail."""
    eig = np.linalg.eigvals(np.asarray(a_matrix)[0])
    rates = -eig.real[eig.real < -1e-12]
    return float(rates.min())

