"""The population options shared by ``simulate``, ``night``, ``compare`` and ``receptors``.

``--subjects N`` (default 1: the typical subject, exactly as without the option), ``--seed``,
``--level`` and ``--dask``. :func:`population_request` checks them before anything is simulated, and
:func:`with_population` turns them into the keyword arguments of a library call, printing one line
and exiting with status 130 on Ctrl-C (the progress bar is the population module's).
"""

from __future__ import annotations

import functools
import inspect
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, TypeVar

import typer

from kratomsim.errors import InputError
from kratomsim.limits import SUBJECTS as SUBJECTS_LIMIT

MAX_SUBJECTS = int(SUBJECTS_LIMIT.high)
T = TypeVar("T")

SUBJECTS = typer.Option(
    1, "--subjects", help="Simulated people; 1 = the typical subject. With more: median and prediction interval."
)
SEED = typer.Option(0, "--seed", help="Random seed of the subjects; the same seed gives the same numbers.")
LEVEL = typer.Option(0.90, "--level", help="Prediction interval level with --subjects (0.9 = 5-95 %).")
DASK = typer.Option(None, "--dask", help="Dask scheduler address for --subjects, e.g. tcp://host:8786.")


def population_options(command: Callable[..., T]) -> Callable[..., T]:
    """Give a command the four options (one definition for every command that has them): the command
    declares ``population: PopulationRequest`` and receives them checked by :func:`population_request`
    (its ``json_out``, when it has one, turns the progress bar off)."""
    signature = inspect.signature(command, eval_str=True)
    kept = [p for p in signature.parameters.values() if p.name != "population"]
    added = [inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, default=option, annotation=kind)
             for name, option, kind in (("subjects", SUBJECTS, int), ("seed", SEED, int), ("level", LEVEL, float),
                                        ("dask", DASK, str | None))]

    @functools.wraps(command)
    def run(*args: Any, subjects: int, seed: int, level: float, dask: str | None, **kwargs: Any) -> T:
        request = population_request(subjects, seed, level, dask, bool(kwargs.get("json_out", False)))
        return command(*args, **kwargs, population=request)

    run.__signature__ = signature.replace(parameters=[*kept, *added])  # type: ignore[attr-defined]
    run.__annotations__ = {k: v for k, v in command.__annotations__.items() if k != "population"}
    return run


@dataclass(frozen=True)
class PopulationRequest:
    """What the four options asked for, checked."""

    subjects: int = 1
    seed: int = 0
    level: float = 0.90
    dask: str | None = None
    progress: bool = False

    @property
    def active(self) -> bool:
        """More than one subject: report medians and intervals."""
        return self.subjects > 1

    def kwargs(self) -> dict[str, Any]:
        """Keyword arguments of the library functions (night_report, compare_aids, ...)."""
        return {"subjects": self.subjects, "seed": self.seed, "level": self.level,
                "dask_address": self.dask, "progress": self.progress}


def population_request(
    subjects: int, seed: int, level: float, dask: str | None, json_out: bool = False
) -> PopulationRequest:
    """Check --subjects, --level, --seed and --dask (a short handshake); the progress bar shows on a
    terminal, not with --json."""
    check_subjects(subjects)
    check_level(level)
    if int(seed) < 0:
        raise InputError(f"--seed must be 0 or more, got {seed!r}")
    address = checked_dask(dask) if int(subjects) > 1 else None
    return PopulationRequest(int(subjects), int(seed), float(level), address,
                             progress=not json_out and sys.stderr.isatty())


def check_subjects(subjects: object) -> int:
    """--subjects within the shared limit (1 to 10 million)."""
    try:
        return SUBJECTS_LIMIT.check_whole(subjects)
    except InputError as err:
        raise InputError(f"--{err.message}") from None


def check_level(level: float) -> float:
    if not 0 < float(level) < 1:
        raise InputError(f"--level must be between 0 and 1 (e.g. 0.9 for 5-95 %), got {level!r}")
    return float(level)


def checked_dask(dask: str | None) -> str | None:
    """None, or an address whose scheduler answered (kratomsim.dask_check)."""
    if not dask:
        return None
    from kratomsim.dask_check import check_dask_address

    return check_dask_address(dask)


@contextmanager
def estimates_on_stderr() -> Iterator[None]:
    """Long population runs inside print one line on stderr with their estimated run time, from their
    first chunks (kratomsim.runtime_estimate)."""
    from kratomsim.runtime_estimate import announce_estimates

    with announce_estimates(lambda line: print(line, file=sys.stderr, flush=True)):
        yield


def with_population(request: PopulationRequest, call: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """``call(*args, **kwargs, subjects=..., seed=..., level=..., dask_address=..., progress=...)``.

    With one subject the population keywords are left out, so the call is exactly today's.
    Ctrl-C during the population run prints how far it got and exits with status 130.
    """
    from kratomsim.populations import PopulationInterrupted

    if not request.active:
        return call(*args, **kwargs)
    try:
        with estimates_on_stderr():
            return call(*args, **kwargs, **request.kwargs())
    except PopulationInterrupted as stop:
        print(str(stop), file=sys.stderr)
        raise SystemExit(130) from None
