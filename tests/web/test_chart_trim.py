"""The chart's thinned curves: exact peaks kept, time strictly increasing, ends and named instants kept.

Truth: a one-compartment oral curve (Bateman function) whose peak time and height are known in closed
form, t* = ln(ka/ke)/(ka-ke); and, through the API, the night report's own nightly peaks.
"""

from __future__ import annotations

import math

import numpy as np
from fastapi.testclient import TestClient
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from kratomsim.web.chart import chart_values
from kratomsim.web.chart_trim import CHART_STEP_H, kept_indices, sampled_turns, trim_curves

GRID_H = 5.0 / 60.0


def bateman(t: np.ndarray, ka: float, ke: float, dose_h: float = 0.0) -> np.ndarray:
    s = np.clip(t - dose_h, 0.0, None)
    return np.where(t >= dose_h, ka / (ka - ke) * (np.exp(-ke * s) - np.exp(-ka * s)), 0.0)


def exact_peak(ka: float, ke: float, dose_h: float = 0.0) -> tuple[float, float]:
    t_star = math.log(ka / ke) / (ka - ke)
    return dose_h + t_star, float(bateman(np.array([dose_h + t_star]), ka, ke, dose_h)[0])


@settings(max_examples=60, deadline=None)
@given(ka=st.floats(0.3, 6.0), ke=st.floats(0.02, 0.25), dose_h=st.floats(0.0, 3.0))
def test_exact_peak_is_the_charts_highest_point(ka: float, ke: float, dose_h: float) -> None:
    t = np.arange(0.0, 48.0 + 1e-9, GRID_H)
    t_star, c_star = exact_peak(ka, ke, dose_h)
    trimmed = trim_curves(t, {"a": bateman(t, ka, ke, dose_h)}, peaks={"a": [(t_star, c_star)]})
    y = trimmed.curves["a"]
    assert y.max() == c_star  # the model's peak, not a sampled one
    assert abs(trimmed.times_h[int(np.argmax(y))] - t_star) <= 0.5 / 3600  # at its time, to the second
    assert y.max() >= bateman(t, ka, ke, dose_h).max()  # never below a sample


def test_without_the_exact_peak_the_sampled_maximum_is_kept() -> None:
    t = np.arange(0.0, 24.0 + 1e-9, GRID_H)
    y = bateman(t, 2.0, 0.1, dose_h=0.05)  # sampled maximum falls between 15-minute steps
    trimmed = trim_curves(t, {"a": y})
    assert trimmed.curves["a"].max() == y.max()


@settings(max_examples=80, deadline=None)
@given(
    steps=arrays(float, st.integers(2, 400), elements=st.floats(1e-3, 0.5)),
    values=st.data(),
    peaks=st.lists(st.floats(0.0, 1.0), max_size=5),
)
def test_time_is_strictly_increasing_and_ends_are_kept(steps: np.ndarray, values: st.DataObject,
                                                        peaks: list[float]) -> None:
    t = np.concatenate([[0.0], np.cumsum(steps)])
    y = values.draw(arrays(float, t.size, elements=st.floats(0.0, 1e4)))
    peak_list = [(p * t[-1], float(y.max()) + 1.0) for p in peaks]
    trimmed = trim_curves(t, {"a": y, "b": y[::-1].copy()}, peaks={"a": peak_list})
    times = trimmed.times_h
    assert np.all(np.diff(times) > 0)
    assert abs(times[0] - t[0]) <= 0.5 / 3600 and abs(times[-1] - t[-1]) <= 0.5 / 3600
    assert np.allclose(times * 3600, np.round(times * 3600))  # whole seconds
    for name in ("a", "b"):
        assert trimmed.curves[name].shape == times.shape


def test_grid_points_keep_their_values_and_named_instants_stay() -> None:
    t = np.arange(0.0, 72.0 + 1e-9, GRID_H)
    y = bateman(t, 1.5, 0.08) + bateman(t, 1.5, 0.08, 24.0) + bateman(t, 1.5, 0.08, 48.0)
    named = [6.0 + 5 / 60, 31.0 + 10 / 60]  # wake-up times off the 15-minute steps
    trimmed = trim_curves(t, {"a": y}, keep_times_h=named)
    for instant in named:
        i = int(np.argmin(np.abs(trimmed.times_h - instant)))
        assert abs(trimmed.times_h[i] - instant) < 1e-6
        assert math.isclose(trimmed.curves["a"][i], y[int(np.argmin(np.abs(t - instant)))], rel_tol=1e-9)
    assert np.max(np.diff(trimmed.times_h)) <= CHART_STEP_H + 1e-6
    # about one point per 15 minutes: a third of the 5-minute grid, plus the few turns and instants
    assert trimmed.times_h.size <= t.size // 3 + 10


def test_sampled_turns_are_maxima_and_minima_only() -> None:
    # a maximum at 2, a plateau 3-4 entered from above (its first point is a turn), a minimum at 5,
    # a plateau 6-7 entered from below (its first point is a turn); monotone runs give nothing
    y = np.array([0.0, 1.0, 3.0, 2.0, 2.0, 1.0, 4.0, 4.0])
    assert np.flatnonzero(sampled_turns(y)).tolist() == [2, 3, 5, 6]
    assert kept_indices(np.arange(8.0), [y], step_h=100.0).tolist() == [0, 2, 3, 5, 6, 7]
    assert not sampled_turns(np.linspace(0.0, 1.0, 50)).any()


def test_band_lines_follow_the_thinned_clock() -> None:
    t = np.arange(0.0, 24.0 + 1e-9, GRID_H)
    mid = bateman(t, 2.0, 0.1)
    band = {"median": mid, "low": 0.5 * mid, "high": 2.0 * mid}
    trimmed = trim_curves(t, {"a": mid}, bands={"a": band})
    for key, line in trimmed.bands["a"].items():
        assert line.shape == trimmed.times_h.shape
        assert np.allclose(line, np.interp(trimmed.times_h, t, band[key]))


def test_api_night_chart_peak_equals_the_reported_peak(client: TestClient) -> None:
    answer = client.post("/api/night", json={"nights": 3, "comedications": ["zolpidem:10mg"]}).json()
    chart = answer["chart"]
    clock = np.array(chart["clock"], dtype="datetime64[s]")
    assert np.all(np.diff(clock.astype("int64")) > 0)
    hours = (clock[-1] - clock[0]).astype("int64") / 3600
    assert clock.size <= hours / CHART_STEP_H + 60  # 15-minute steps plus turns, peaks and instants
    for curve in chart["curves"]:
        y = np.array(curve["conc_nM"], dtype=float)
        rows = [r for r in answer["nights"] if r["compound"] == curve["compound"]]
        assert len(rows) == 3
        for row, (bed, wake) in zip(rows, chart["sleep_windows"], strict=True):
            inside = (clock >= np.datetime64(bed)) & (clock <= np.datetime64(wake))
            assert y[inside].max() == chart_values([row["peak_nM"]])[0], (curve["compound"], row["night"])
            # a flat peak may tie at 4 digits with a neighbouring step: the reported minute is among the tops
            tops = {str(c).replace("T", " ")[:16] for c in clock[inside][y[inside] == y[inside].max()]}
            assert row["peak_clock"] in tops, (curve["compound"], row["night"])


def test_api_compare_chart_peaks_equal_the_entries(client: TestClient) -> None:
    answer = client.post("/api/compare", json={"nights": 2}).json()
    chart = answer["chart"]
    clock = np.array(chart["clock"], dtype="datetime64[s]")
    assert np.all(np.diff(clock.astype("int64")) > 0)
    bed, wake = (np.datetime64(x) for x in chart["sleep_windows"][0])
    inside = (clock >= bed) & (clock <= wake)
    entries = {e["aid"] if e["kind"] == "medicine" else f"{e['compound']} ({e['aid']})": e
               for e in answer["aids"] if "night_1" in e}
    checked = 0
    for curve in chart["curves"]:
        entry = entries.get(curve["name"])
        if entry is None or "peak_nM" not in entry["night_1"]:
            continue
        y = np.array(curve["conc_nM"], dtype=float)
        assert y[inside].max() == chart_values([entry["night_1"]["peak_nM"]])[0], curve["name"]
        checked += 1
    assert checked >= 2  # mitragynine of the kratom aid and zolpidem at least


def test_api_receptors_chart_is_thinned_and_keeps_the_nightly_peaks(client: TestClient) -> None:
    answer = client.post("/api/receptors", json={"nights": 3}).json()
    chart = answer["chart"]
    clock = np.array(chart["clock"], dtype="datetime64[s]")
    assert np.all(np.diff(clock.astype("int64")) > 0)
    hours = (clock[-1] - clock[0]).astype("int64") / 3600
    assert clock.size <= hours / CHART_STEP_H + 40
    total = np.array(chart["curves"]["default"]["total"], dtype=float)
    assert total.shape == clock.shape
    for night, (bed, wake) in zip(answer["nights"], chart["sleep_windows"], strict=True):
        inside = (clock >= np.datetime64(bed)) & (clock <= np.datetime64(wake))
        assert total[inside].max() == chart_values([night["peak"]["occupancy_percent"]])[0], night["night"]
        assert np.datetime64(bed) in clock and np.datetime64(wake) in clock  # bedtime and wake-up kept
