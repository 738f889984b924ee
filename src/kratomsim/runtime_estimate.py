"""A run-time estimate before a long population run, from two short pilot runs of the same call.

Ten million people can take minutes; the user should know before waiting. The same call is timed on
``PILOT`` and ``2 * PILOT`` subjects: the difference is the cost per subject (fixed costs such as the
typical subject's report cancel), and the estimate is the larger run plus that cost for the rest.
"""

from __future__ import annotations

import time
from collections.abc import Callable

ESTIMATE_FROM_SUBJECTS = 500_000  # runs of this many subjects or more get an estimate first
PILOT = 10_000


def estimate_seconds(run: Callable[[int], object], subjects: int, pilot: int = PILOT) -> float:
    """Seconds ``run(subjects)`` is expected to take, from timing ``run(pilot)`` and ``run(2 * pilot)``."""
    start = time.perf_counter()
    run(pilot)
    small = time.perf_counter() - start
    start = time.perf_counter()
    run(2 * pilot)
    large = time.perf_counter() - start
    per_subject = (large - small) / pilot if large > small else large / (2 * pilot)  # noise: no fixed cost
    return large + per_subject * max(subjects - 2 * pilot, 0)


def describe_seconds(seconds: float) -> str:
    """'40 s', '3.5 min', '2.1 h': the unit a person reads an estimate in."""
    if seconds < 90:
        return f"{seconds:.0f} s"
    if seconds < 5400:
        return f"{seconds / 60:.1f} min"
    return f"{seconds / 3600:.1f} h"


def announce(run: Callable[[int], object], subjects: int, pilot: int = PILOT) -> str | None:
    """The line to print before a run of ``subjects`` (None for a short run, which gets no pilot)."""
    if subjects < ESTIMATE_FROM_SUBJECTS:
        return None
    seconds = estimate_seconds(run, subjects, pilot)
    return (f"estimated run time: about {describe_seconds(seconds)} for {subjects:,} subjects on this machine "
            f"(timed on {pilot:,} and {2 * pilot:,}); Ctrl-C stops it")
