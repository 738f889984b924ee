"""PopulationSummary: the one shape of a population run's JSON, frame and sources."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from kratomsim.population_histograms import interval_label, interval_percentiles, interval_quantiles
from kratomsim.population_summary import PopulationSummary
from kratomsim.populations import LINEAR_MODEL_NOTE, run_population
from kratomsim.scenario import make_scenario


def test_summary_dict_frame_and_sources_agree() -> None:
    scenario = make_scenario(product="K51", dose="2g", count=2)
    result = run_population(scenario, 300, seed=3, progress=False, band_subjects=50, workers=1)
    summary = PopulationSummary.of(result, 8.0)
    out = summary.to_dict()
    frame = summary.to_frame()
    assert out["metrics"] == frame.to_dict(orient="records")
    assert len(frame) == 3 * len(result.compounds) * 2  # metrics x compounds x nights
    assert out["sources"] == summary.sources == result.sources() and summary.sources
    assert out["model"] == LINEAR_MODEL_NOTE and out["subjects"] == 300 and out["seed"] == 3
    # the median of each row lies inside its interval
    assert np.all(frame["low"] <= frame["median"]) and np.all(frame["median"] <= frame["high"])
    with pytest.raises(dataclasses.FrozenInstanceError):
        summary.content = "market"  # type: ignore[misc]


@pytest.mark.parametrize(("level", "label", "low", "high"), [(0.9, "5-95%", 5.0, 95.0), (0.5, "25-75%", 25.0, 75.0),
                                                            (0.95, "2.5-97.5%", 2.5, 97.5)])
def test_one_interval_label(level: float, label: str, low: float, high: float) -> None:
    assert interval_label(level) == label
    assert interval_percentiles(level) == (low, high)
    assert interval_quantiles(level) == pytest.approx((low / 100, high / 100), abs=1e-15)
