"""The peak search against 40-digit arithmetic: K51 subjects' real nights, every compound.

Truth: Newton's method on f' in Python's decimal module at 40 significant digits, from the best point
of a 2,001-point grid, the larger end value where f' does not change sign inside. The search may be
off only by the rounding of f itself: a few units in the last place of the sum of |terms|.
"""

from __future__ import annotations

from decimal import Decimal, localcontext

import numpy as np
import pytest

from kratomsim.pk import modal_peaks, nightly
from kratomsim.pk.model import FloatArray
from tests.pk.test_nightly import _k51

Captured = list[tuple[FloatArray, FloatArray, float, float, FloatArray]]


def _decimal_peak(coef: FloatArray, rates: FloatArray, lo: float, hi: float) -> tuple[Decimal, Decimal]:
    """Max of sum_k c_k exp(r_k t) on [lo, hi] at 40 digits, and the sum of |terms| there."""
    with localcontext() as context:
        context.prec = 40
        c = [Decimal(float(x)) for x in coef]
        r = [Decimal(float(x)) for x in rates]

        def terms(t: Decimal, power: int) -> list[Decimal]:
            return [ci * ri**power * (ri * t).exp() for ci, ri in zip(c, r, strict=True)]

        grid = np.linspace(lo, hi, 2001)
        values = (coef[:, None] * np.exp(rates[:, None] * grid[None])).sum(axis=0)
        t = Decimal(float(grid[int(np.argmax(values))]))
        candidates = [Decimal(lo), Decimal(hi)]
        if lo < float(t) < hi:
            for _ in range(30):
                t -= sum(terms(t, 1)) / sum(terms(t, 2))
            if Decimal(lo) <= t <= Decimal(hi):
                candidates.append(t)
        best = max(candidates, key=lambda x: sum(terms(x, 0)))
        return sum(terms(best, 0)), sum(abs(x) for x in terms(best, 0))


@pytest.fixture(scope="module")
def captured() -> Captured:
    """Every interval_peak call of a K51 night run (200 subjects x 14 nights), with its answer."""
    spec, model, doses = _k51(200, seed=11)
    calls: Captured = []
    original = nightly.interval_peak

    def keep(coef: FloatArray, rates: FloatArray, lo: float, hi: float) -> FloatArray:
        result = original(coef, rates, lo, hi)
        calls.append((coef.copy(), rates.copy(), lo, hi, result))
        return result

    nightly.interval_peak = keep
    try:
        nightly.window_metrics(model, doses, spec.windows, spec.compounds)
    finally:
        nightly.interval_peak = original
    assert len(calls) >= len(spec.compounds)
    return calls


def test_peaks_equal_forty_digit_arithmetic(captured: Captured) -> None:
    rng = np.random.default_rng(0)
    for coef, rates, lo, hi, result in captured:
        J, _, S = coef.shape
        for j, s in zip(rng.integers(0, J, 25), rng.integers(0, S, 25), strict=True):
            truth, magnitude = _decimal_peak(coef[j, :, s], rates[:, s], lo, hi)
            assert abs(Decimal(float(result[j, s])) - truth) <= Decimal("4e-16") * magnitude, (j, s)


def test_the_parabola_accepts_nearly_every_cell(captured: Captured, monkeypatch: pytest.MonkeyPatch) -> None:
    """The fixed steps and the parabola's top settle all but a few cells; the bracketed search is rare."""
    refined: list[int] = []
    original = modal_peaks.refine

    def count(coef: FloatArray, *rest: FloatArray) -> tuple[FloatArray, FloatArray]:
        refined.append(coef.shape[0])
        return original(coef, *rest)

    monkeypatch.setattr(modal_peaks, "refine", count)
    cells = 0
    for coef, rates, lo, hi, result in captured:
        assert np.array_equal(modal_peaks.interval_peak(coef, rates, lo, hi), result)
        cells += coef.shape[0] * coef.shape[2]
    assert sum(refined) <= 0.002 * cells  # K51: none of 401,408 cells in a measured block
