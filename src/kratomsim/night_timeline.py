"""The nights' clock: when each dose, wake-up and morning falls, and the regimen simulated on that clock.

One night-window builder for the night report, the receptors command and the population nights, so
the instants they read are the same everywhere.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

import numpy as np

from kratomsim.defaults import first_day
from kratomsim.errors import InputError
from kratomsim.exposure import Exposure, run
from kratomsim.limits import NIGHTS
from kratomsim.night_windows import clock_windows, sleep_windows_h
from kratomsim.pk.model import FloatArray
from kratomsim.scenario import Scenario, make_scenario
from kratomsim.units import hours_after, parse_clock, parse_duration_h

MAX_NIGHTS = int(NIGHTS.high)
GRID = "5min"
GRID_H = parse_duration_h(GRID)


@dataclass(frozen=True)
class Timeline:
    """When things happen, in hours after the first dose (night n's dose is at 24 (n - 1))."""

    first_dose: datetime
    nights: int
    to_wake_h: float
    to_morning_h: float

    def dose_h(self, night: int) -> float:
        return 24.0 * (night - 1)

    def wake_h(self, night: int) -> float:
        return self.dose_h(night) + self.to_wake_h

    def morning_h(self, night: int) -> float:
        return self.dose_h(night) + self.to_morning_h

    @property
    def wake_clock(self) -> time:
        """The wake-up clock time (as given, read once when the timeline was made)."""
        return (self.first_dose + timedelta(seconds=round(self.to_wake_h * 3600.0))).time()

    @property
    def horizon_h(self) -> float:
        return self.morning_h(self.nights) + 0.5

    def clock(self, hours: float) -> datetime:
        return self.first_dose + timedelta(hours=hours)

    def key_times(self) -> list[float]:
        """The instants the report reads, put on the grid so they are exact, not interpolated."""
        out = []
        for n in range(1, self.nights + 1):
            out += [self.dose_h(n), self.wake_h(n), self.morning_h(n)]
        return out

    def windows_h(self) -> list[tuple[float, float]]:
        """(dose, wake-up) of each night in hours after the first dose: where the peaks are read."""
        return sleep_windows_h([self.dose_h(n) for n in range(1, self.nights + 1)], self.to_wake_h)

    def windows(self) -> list[tuple[datetime, datetime]]:
        """(dose, wake-up) clock times of each night: the shaded sleep windows of the plots."""
        return clock_windows(self.first_dose, self.windows_h())


def check_nights(nights: Any) -> int:
    """Nights as a whole number from 1 to 365 (a year is the engine's horizon): the shared limit."""
    return NIGHTS.check_whole(nights)


def make_timeline(
    at: str, wake: str, nights: int, morning: str = "09:00", start_date: str | date | None = None
) -> Timeline:
    """Parse clock times; a wake-up earlier than the dose time means the next morning."""
    n = check_nights(nights)
    dose_clock = parse_clock(at, "dose time")
    wake_clock = parse_clock(wake, "wake-up time")
    morning_clock = parse_clock(morning, "morning time")
    if wake_clock == dose_clock:
        raise InputError(f"wake-up time {wake!r} is the same as the dose time; give a different wake-up time")
    day = first_day(start_date)
    first = datetime.combine(day, dose_clock)
    to_wake = hours_after(first, wake_clock)
    wake_at = first + timedelta(hours=to_wake)
    to_morning = to_wake + (0.0 if morning_clock == wake_clock else hours_after(wake_at, morning_clock))
    if to_morning >= 24.0:
        raise InputError(
            f"morning time {morning!r} must fall between wake-up ({wake}) and the next dose ({at}); "
            "give a clock time in that span"
        )
    return Timeline(first, n, to_wake, to_morning)


def nightly_exposure(
    product: str, dose: str, timeline: Timeline, weight: str = "70kg", autoinhibition: bool | None = None
) -> Exposure:
    """Text form of :func:`exposure_on`: the product, dose and weight as typed (for the edges and tests)."""
    at = timeline.first_dose.strftime("%H:%M")
    return exposure_on(make_scenario(product=product, dose=dose, at=at, weight=weight,
                                     autoinhibition=autoinhibition), timeline)


def exposure_on(regimen: Scenario, timeline: Timeline) -> Exposure:
    """The regimen's dose taken every 24 h on the timeline, simulated on the report grid with the
    timeline's dose, wake and morning instants exact (on the grid, not interpolated). Only the
    product, dose, weight and autoinhibition switch of ``regimen`` are read. Shared by the night
    report and the receptors command."""
    scenario = regimen.replace(first_dose=timeline.first_dose, interval_h=24.0, count=timeline.nights,
                               grid_h=GRID_H, horizon_h=timeline.horizon_h)
    times = np.union1d(scenario.times_h(), np.asarray(timeline.key_times()))
    return run(scenario, times_h=times)


def plain_grid(timeline: Timeline) -> FloatArray:
    """The night report's grid (5 min plus the key instants) for a medicine simulated on its own."""
    step = GRID_H
    grid = np.arange(int(np.floor(timeline.horizon_h / step + 1e-9)) + 1) * step
    return np.union1d(grid, np.asarray(timeline.key_times()))


def fmt_clock(when: datetime) -> str:
    """The clock format of every report: '2026-01-05 22:30'."""
    return when.strftime("%Y-%m-%d %H:%M")
