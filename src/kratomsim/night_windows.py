"""The sleep windows of a nightly schedule: the one builder the night report, the receptors and the
population runs share.

A window runs from bedtime to wake-up after each dose, both given as hours after that dose; the
windows are in hours after the first dose (the time axis of every simulation), and
:func:`clock_windows` turns them into clock times. Nothing here simulates or parses text.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta


def sleep_windows_h(
    dose_times_h: Sequence[float], wake_offset_h: float, bedtime_offset_h: float = 0.0
) -> list[tuple[float, float]]:
    """(bedtime, wake-up) after each dose, in hours after the first dose."""
    return [(t + bedtime_offset_h, t + wake_offset_h) for t in dose_times_h]


def clock_windows(first_dose: datetime, windows_h: Sequence[tuple[float, float]]) -> list[tuple[datetime, datetime]]:
    """The same windows as clock times."""
    return [(first_dose + timedelta(hours=a), first_dose + timedelta(hours=b)) for a, b in windows_h]
