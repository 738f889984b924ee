"""When a nightly regimen nears steady state, in closed form (one subject).

Why: with one dose every interval, the AUC over dose interval n equals the single-dose AUC from 0
to n intervals (superposition), so the nights to 90 % of steady state follow from the time at which
the single-dose cumulative AUC reaches 90 % of its total. The modal solution
(:mod:`kratomsim.pk.modal`) gives the concentration as a sum of exponentials, so the cumulative
AUC is one too, ``sum_k a_k (exp(rate_k t) - 1) / rate_k``, and the total is ``-sum_k a_k / rate_k``.
The time is then found by bisection on that monotone function, to 1e-12 h, instead of integrating a
simulated curve over 25 half-lives (which took most of a night report's time).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from kratomsim.pk.modal import _arrivals, build_modal
from kratomsim.pk.model import DoseEvent, FloatArray, LinearSystem

_BISECTIONS = 200


def _cumulative(terms: Sequence[tuple[float, FloatArray]], rates: FloatArray, t: float) -> float:
    """Cumulative AUC (nM*h) from 0 to ``t`` of the terms (arrival time, coefficients per mode)."""
    total = 0.0
    for at, coef in terms:
        if t > at:
            total += float(np.sum(coef * np.expm1(rates * (t - at)) / rates))
    return total


def _solve(terms: Sequence[tuple[float, FloatArray]], rates: FloatArray, target: float) -> float:
    """The time at which the cumulative AUC reaches ``target`` (bracketed by doubling, then bisected)."""
    lo = 0.0
    hi = max(1.0, max(at for at, _ in terms) + 1.0)
    while _cumulative(terms, rates, hi) < target:
        lo, hi = hi, 2.0 * hi
        if hi > 1e9:
            raise ArithmeticError("the cumulative AUC does not reach its target")
    for _ in range(_BISECTIONS):
        mid = 0.5 * (lo + hi)
        if _cumulative(terms, rates, mid) < target:
            lo = mid
        else:
            hi = mid
        if hi - lo <= 1e-12 * max(hi, 1.0):
            break
    return 0.5 * (lo + hi)


def auc_fraction_times(
    system: LinearSystem, doses: Sequence[DoseEvent], fraction: float
) -> dict[str, tuple[float, float]] | None:
    """Per compound, (hours until the cumulative AUC is ``fraction`` of the total, total AUC in nM*h).

    ``system`` holds one subject; ``doses`` is the single-dose schedule (any lags included). Returns
    None when the modal form does not apply (a defective subject, or a mode that does not decay);
    callers then integrate numerically. Compounds with no exposure are left out.
    """
    if system.n_subjects != 1 or not 0 < fraction < 1:
        raise ValueError("one subject and a fraction between 0 and 1 are required")
    model = build_modal(system, sorted({d.compound for d in doses}))
    if model.defective.any() or np.any(model.rates >= 0):
        return None
    arrivals = _arrivals(model, doses)
    out: dict[str, tuple[float, float]] = {}
    for compound in model.response:
        labels, coefs = model.compound_terms(compound)
        if not labels:
            continue
        rates = model.rates[list(labels), 0]
        terms = [(at, coefs[x][:, 0] * float(amount[0])) for at, x, amount in arrivals if x in coefs]
        total = sum(float(-np.sum(coef / rates)) for _, coef in terms)
        if not terms or not total > 0:
            continue
        out[compound] = (_solve(terms, rates, fraction * total), total)
    return out
