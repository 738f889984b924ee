"""A run-time estimate for a long population run, from the real run's first chunks.

Ten million people can take minutes; the user should know soon after pressing return. The runner
tells an :class:`EstimateWatch` how many subjects are done after each chunk; once ``FIRST_SHARE`` of
them are, the watch says (once) ``elapsed * total / done``, through the listener an edge installed
with :func:`announce_estimates` (the CLI prints it on stderr). Chunks are alike, so the first few
predict the rest, and the estimate costs nothing: the two pilot runs timed before the real one until
P12 cost as much as a fifth of a million-person night. It errs long, as the first chunks share the
cores with the run's start-up work (the prediction bands).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar

ESTIMATE_FROM_SUBJECTS = 500_000  # runs of this many subjects or more announce an estimate
FIRST_SHARE = 0.1  # the estimate is made once this share of the subjects is done (past the start-up work)

_LISTENER: ContextVar[Callable[[str], None] | None] = ContextVar("kratomsim_estimate_listener", default=None)


def estimate_seconds(elapsed_s: float, done: int, total: int) -> float:
    """Seconds the whole run is expected to take, ``done`` of ``total`` subjects after ``elapsed_s``."""
    return elapsed_s * total / max(done, 1)


def describe_seconds(seconds: float) -> str:
    """'40 s', '3.5 min', '2.1 h': the unit a person reads an estimate in."""
    if seconds < 90:
        return f"{seconds:.0f} s"
    if seconds < 5400:
        return f"{seconds / 60:.1f} min"
    return f"{seconds / 3600:.1f} h"


def estimate_line(elapsed_s: float, done: int, total: int) -> str:
    """The line shown to the user."""
    return (f"estimated run time: about {describe_seconds(estimate_seconds(elapsed_s, done, total))} for "
            f"{total:,} subjects on this machine (from the first {done:,}); Ctrl-C stops it")


@contextmanager
def announce_estimates(say: Callable[[str], None]) -> Iterator[None]:
    """While active, each population run of ESTIMATE_FROM_SUBJECTS or more subjects calls ``say`` once."""
    token = _LISTENER.set(say)
    try:
        yield
    finally:
        _LISTENER.reset(token)


class EstimateWatch:
    """Follows one run's progress; speaks once, through the active listener, when enough is done."""

    def __init__(self, total: int, began: float) -> None:
        self.total, self.began = int(total), began
        self._say = _LISTENER.get() if self.total >= ESTIMATE_FROM_SUBJECTS else None

    def progress(self, done: int) -> None:
        if self._say is None or done < FIRST_SHARE * self.total or done >= self.total:
            return
        say, self._say = self._say, None
        say(estimate_line(time.perf_counter() - self.began, done, self.total))
