"""Population histograms: counts per cell against a per-cell bincount of the defining bin formula."""

from __future__ import annotations

import numpy as np
import pytest

from kratomsim.pk.nightly import NightMetrics
from kratomsim.population_histograms import _LOG_LOW, _LOG_WIDTH, _NBINS, _histogram


def _formula_bins(values: np.ndarray) -> np.ndarray:
    """floor((log10(v) - LOW) / WIDTH) + 1 clamped to [0, bins + 1]; 0 for zero, negative or NaN."""
    with np.errstate(divide="ignore", invalid="ignore"):
        scaled = np.floor((np.log10(values) - _LOG_LOW) / _LOG_WIDTH)
    scaled = np.where(np.isnan(scaled), -1.0, scaled)
    return (np.clip(scaled, -1.0, float(_NBINS)) + 1).astype(np.int64)


def test_histogram_counts_into_out_and_refuses_a_foreign_one() -> None:
    rng = np.random.default_rng(3)
    memory = 10.0 ** rng.uniform(-9.0, 9.0, (3, 2, 4, 50))  # (metrics, compounds, nights, subjects)
    memory[0, 1, 2, :5] = [0.0, np.nan, -1.0, np.inf, 1e-8]
    views = [memory[m].transpose(2, 1, 0) for m in range(3)]  # (subjects, nights, compounds), as stored
    metrics = NightMetrics(("a", "b"), *views)
    counts = _histogram(metrics)
    for m, v in enumerate(views):
        for c in range(2):
            for j in range(4):
                want = np.bincount(_formula_bins(v[:, j, c]), minlength=_NBINS + 2)
                assert np.array_equal(counts[m, c, j], want), (m, c, j)
    assert _histogram(metrics, counts) is counts and counts.sum() == 2 * memory.size
    with pytest.raises(ValueError, match="previous _histogram result"):
        _histogram(metrics, np.zeros((3, 2, 4, _NBINS + 2), dtype=np.int64)[:, ::-1])
