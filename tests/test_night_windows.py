"""One builder of sleep windows: the night report's timeline, the receptors and the population runs agree."""

from __future__ import annotations

from datetime import datetime, time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kratomsim import populations
from kratomsim import receptors as rx
from kratomsim.night_timeline import make_timeline
from kratomsim.night_windows import clock_windows, sleep_windows_h
from kratomsim.scenario import make_scenario
from tests.synthetic import synthetic_exposure


def test_windows_by_hand() -> None:
    assert sleep_windows_h([0.0, 24.0], 8.0) == [(0.0, 8.0), (24.0, 32.0)]
    assert sleep_windows_h([0.0, 24.0], 8.0, 0.5) == [(0.5, 8.0), (24.5, 32.0)]
    first = datetime(2026, 1, 5, 22, 30)
    assert clock_windows(first, [(0.0, 8.0), (24.5, 32.0)]) == [
        (first, datetime(2026, 1, 6, 6, 30)), (datetime(2026, 1, 6, 23, 0), datetime(2026, 1, 7, 6, 30))]


def test_receptor_windows_by_hand() -> None:
    """22:30 doses, wake-up 06:30: each night from the dose to 06:30 the next morning; bedtime 23:15 moves the start."""
    exposure = synthetic_exposure(nights=3)  # 72 h simulated: the third night's wake-up is inside
    assert rx.night_windows(exposure, time(6, 30)) == [
        (datetime(2026, 1, d, 22, 30), datetime(2026, 1, d + 1, 6, 30)) for d in (5, 6, 7)]
    assert rx.night_windows(exposure, time(6, 30), bedtime=time(23, 15))[1] == (
        datetime(2026, 1, 6, 23, 15), datetime(2026, 1, 7, 6, 30))
    # a bedtime clock before the dose clock (within 12 h) is the same evening, before the dose
    assert rx.night_windows(exposure, time(6, 30), bedtime=time(21, 0))[0][0] == datetime(2026, 1, 5, 21, 0)


@settings(deadline=None, max_examples=40)
@given(nights=st.integers(1, 30), wake_minutes=st.integers(1, 23 * 12).map(lambda k: 5 * k))
def test_timeline_and_population_windows_agree(nights: int, wake_minutes: int) -> None:
    clock = 22 * 60 + 30 + wake_minutes
    wake = f"{clock // 60 % 24:02d}:{clock % 60:02d}"
    timeline = make_timeline("22:30", wake, nights, morning=wake, start_date="2026-01-05")
    assert timeline.to_wake_h == pytest.approx(wake_minutes / 60.0)
    scenario = make_scenario(product="K51", dose="2g", at="22:30", every="24h", count=nights, start_date="2026-01-05")
    spec = populations.population_spec(scenario, 0, wake_offset_h=timeline.to_wake_h)
    assert spec.windows == timeline.windows_h() == [(24.0 * n, 24.0 * n + timeline.to_wake_h) for n in range(nights)]
    assert timeline.windows() == clock_windows(timeline.first_dose, timeline.windows_h())
