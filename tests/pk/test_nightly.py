"""Nightly metrics of a population: closed forms against stepping, the ODE, a dense search; block independence.

Truth: the amplitudes stepped from arrival to arrival (one exact decay per step), the modal time course,
solve_ivp (LSODA, rtol 1e-11) with its dense output maximised, and a bounded scalar search around the
best point of a 20,001-point grid.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.optimize import minimize_scalar

from kratomsim.pk import modal_peaks
from kratomsim.pk.modal import _arrivals, _subset, build_modal, modal_concentrations
from kratomsim.pk.model import build_system
from kratomsim.pk.nightly import _regular_amplitudes, _window_starts, levels_at, nightly_metrics, window_metrics
from kratomsim.population_runner import ChunkResult
from kratomsim.population_subjects import sample_subjects, subject_modal, subject_model
from kratomsim.populations import population_spec, run_population
from kratomsim.scenario import make_scenario
from tests.pk.test_modal_exact import ode_metrics

NIGHTS = 14


def _k51(n: int, seed: int, nights: int = NIGHTS):  # type: ignore[no-untyped-def]
    scenario = make_scenario(product="K51", dose="2g", at="22:30", count=nights, grid="5min")
    spec = population_spec(scenario, seed)
    model, doses = subject_modal(spec, 0, n)
    return spec, model, doses


def test_geometric_amplitudes_equal_stepping() -> None:
    spec, model, doses = _k51(500, seed=3)
    arrivals = _arrivals(model, doses)
    windows = sorted([*spec.windows, (400.0, 401.0), (5.5, 6.0)])  # also mid-night and after the last dose
    closed = _regular_amplitudes(model, arrivals, windows)
    assert closed is not None
    stepped = _window_starts(model, arrivals, windows)
    for x, amp in closed.items():
        reference = np.stack([s[x] for s in stepped])
        assert np.all(reference >= 0) and np.all(reference[:NIGHTS + 1] > 0)  # a gut empties to 0 only long after
        assert np.all(np.abs(amp - reference) <= 1e-12 * reference + 1e-300), x


def test_irregular_doses_are_stepped() -> None:
    """Doses that do not repeat at one interval have no geometric sum: the stepping path answers."""
    spec, model, doses = _k51(50, seed=3, nights=3)
    shifted = [d if d.time_h < 24 else type(d)(d.time_h + 1.5, d.compound, d.amount_umol) for d in doses]
    assert _regular_amplitudes(model, _arrivals(model, shifted), spec.windows) is None
    times = np.array([w[0] + 3.0 for w in spec.windows])
    levels = levels_at(model, shifted, times.tolist(), spec.compounds)
    course = modal_concentrations(model, shifted, times)
    for ci, c in enumerate(spec.compounds):
        assert np.all(np.abs(levels[ci].T - course[c]) <= 1e-11 * np.abs(course[c]) + 1e-13 * course[c].max())


def test_levels_at_equal_the_time_course() -> None:
    spec, model, doses = _k51(300, seed=5)
    instants = [t for n in range(NIGHTS) for t in (24.0 * n, 24.0 * n + 10.5)] + [0.0, 3.3, 400.0]
    levels = levels_at(model, doses, instants, spec.compounds)
    course = modal_concentrations(model, doses, np.asarray(instants))
    for ci, c in enumerate(spec.compounds):
        scale = np.abs(course[c]).max(axis=1, keepdims=True)
        assert np.max(np.abs(levels[ci].T - course[c]) / scale) < 1e-10, c
    metrics, beside = nightly_metrics(model, doses, spec.windows, spec.compounds, instants)  # the run's one pass
    assert beside is not None and np.array_equal(beside, levels)
    assert np.array_equal(metrics.cmax, window_metrics(model, doses, spec.windows, spec.compounds).cmax)


@settings(max_examples=6, deadline=None)
@given(seed=st.integers(0, 10_000), subject=st.integers(0, 199))
def test_population_subject_metrics_match_solve_ivp(seed: int, subject: int) -> None:
    """A drawn K51 subject over 3 nights: peak, wake-up level and AUC against an independent ODE solve."""
    scenario = make_scenario(product="K51", dose="2g", at="22:30", count=3, grid="5min")
    spec = population_spec(scenario, seed)
    dispositions, formations = subject_model(spec.base, spec.formations, sample_subjects(200, seed, 0, spec.spreads))
    system = _subset(build_system(dispositions, formations), np.arange(200) == subject)
    doses = scenario.dose_events()
    metrics = window_metrics(build_modal(system, sorted({d.compound for d in doses})), doses, spec.windows)
    reference = ode_metrics(system, doses, spec.windows, 5.0 / 60.0)
    for ci, c in enumerate(metrics.compounds):
        got = np.stack([metrics.cmax[0, :, ci], metrics.cwake[0, :, ci], metrics.auc[0, :, ci]], axis=1)
        assert got == pytest.approx(reference[c], rel=1e-8), c


def _dense_max(coef: np.ndarray, rates: np.ndarray, lo: float, hi: float) -> float:
    grid = np.linspace(lo, hi, 20_001)
    values = (coef[:, None] * np.exp(rates[:, None] * grid[None])).sum(axis=0)
    k = int(np.argmax(values))
    f = lambda t: -float((coef * np.exp(rates * t)).sum())  # noqa: E731
    res = minimize_scalar(f, bounds=(grid[max(k - 1, 0)], grid[min(k + 1, grid.size - 1)]), method="bounded",
                          options={"xatol": 1e-12})
    return max(float(values[k]), -float(res.fun))


@settings(max_examples=40, deadline=None)
@given(coef=st.lists(st.floats(-50.0, 50.0), min_size=2, max_size=4),
       rates=st.lists(st.floats(-6.0, -0.001), min_size=4, max_size=4, unique=True),
       hi=st.floats(0.5, 12.0))
def test_interval_peak_equals_a_dense_search(coef: list[float], rates: list[float], hi: float) -> None:
    """Any signs (several sign changes go to the scan), any order of rates: the exact maximum."""
    c = np.asarray(coef)[None, :, None]
    r = np.asarray(rates[: len(coef)])[:, None]
    got = float(modal_peaks.interval_peak(c, r, 0.0, hi)[0, 0])
    want = _dense_max(c[0, :, 0], r[:, 0], 0.0, hi)
    scale = float(np.abs(c).sum())
    assert got == pytest.approx(want, rel=1e-9, abs=1e-12 * scale)


def _collect(monkeypatch: pytest.MonkeyPatch, peak_block: int, work: int, chunk: int, workers: int
             ) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    monkeypatch.setattr(modal_peaks, "PEAK_BLOCK", peak_block)
    monkeypatch.setattr("kratomsim.population_runner.WORK", work)
    parts: list[ChunkResult] = []
    scenario = make_scenario(product="K51", dose="2g", at="22:30", count=NIGHTS, grid="5min")
    result = run_population(scenario, 2500, seed=9, chunk_size=chunk, workers=workers, progress=False,
                            band_subjects=50, on_chunk=parts.append)
    metrics = {name: np.concatenate([getattr(p.metrics, name) for p in parts]) for name in ("cmax", "cwake", "auc")}
    return result.histogram, metrics


def test_metrics_do_not_depend_on_blocks_chunks_or_workers(monkeypatch: pytest.MonkeyPatch) -> None:
    """Bit for bit: peak-search blocks, work blocks, chunk sizes and threads only split the same arithmetic."""
    histogram, metrics = _collect(monkeypatch, 1024, 8192, 2500, 1)
    for peak_block, work, chunk, workers in ((7, 333, 1000, 2), (300, 1024, 777, 2)):
        other_histogram, other = _collect(monkeypatch, peak_block, work, chunk, workers)
        assert np.array_equal(histogram, other_histogram)
        for name, values in metrics.items():
            assert np.array_equal(values, other[name]), name


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), at=st.floats(0.0, 12.0))
def test_slope_sums_into_buffers_and_at_zero_are_the_plain_sums(seed: int, at: float) -> None:
    """The peak search's shortcuts change no number: sums written into reused buffers equal new arrays,
    and a power of None (exp(r * 0) = 1) equals multiplying by exp(r * 0), bit for bit."""
    rng = np.random.default_rng(seed)
    coef = rng.normal(size=(5, 3, 64)) * 10.0 ** rng.uniform(-3, 3, size=(1, 3, 1))
    rates = -(10.0 ** rng.uniform(-2, 1, size=(3, 64)))
    slopes = modal_peaks._Slopes.of(coef, rates)
    powers = [np.exp(r * at) for r in slopes.rates]
    plain = slopes.evaluate(powers)
    buffers = [np.full((5, 64), np.nan) for _ in range(5)]
    into = slopes.evaluate(powers, out=buffers)
    for a, b in zip(plain, into, strict=True):
        assert np.array_equal(a, b)
    at_zero = slopes.evaluate([np.exp(r * 0.0) for r in slopes.rates], modal_peaks.ENDS)
    skipped = slopes.evaluate([None] * len(slopes.rates), modal_peaks.ENDS)
    for a, b in zip(at_zero, skipped, strict=True):
        assert np.array_equal(a, b)
    terms = coef * np.exp(rates * at)[None]  # independent: f and f' summed directly
    scale = float(np.abs(terms).sum())
    np.testing.assert_allclose(plain[0], terms.sum(axis=1), rtol=1e-12, atol=1e-13 * scale)
    slope_scale = float(np.abs(terms * rates[None]).sum())
    np.testing.assert_allclose(plain[1] - plain[2], (terms * rates[None]).sum(axis=1), rtol=1e-12,
                               atol=1e-13 * slope_scale)
