"""Running a population's chunks: locally on threads or on a Dask cluster, in subject order.

Why its own module: where chunks run must never change the numbers, and keeping the execution apart
from the model makes that easy to see.
"""

from __future__ import annotations

import ctypes
import multiprocessing
import os
import signal
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import Executor, Future, ProcessPoolExecutor, ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from kratomsim.errors import InputError
from kratomsim.pk.model import FloatArray
from kratomsim.pk.nightly import NightMetrics
from kratomsim.population_histograms import _NBINS, METRICS, _histogram
from kratomsim.population_subjects import _Spec, solve_subjects
from kratomsim.runtime_estimate import EstimateWatch

WORK = 8192  # subjects solved together inside a chunk (cache-sized; does not change results)


@dataclass
class ChunkResult:
    """What one chunk returns: integer histograms, and per-subject metrics when asked for."""

    start: int
    stop: int
    histogram: NDArray[np.int64]  # (metrics, compounds, nights, bins + 2)
    defective: int
    metrics: NightMetrics | None = None
    levels: FloatArray | None = None  # (subjects, instants, compounds) nM at the spec's instants, when kept


def run_chunk(spec: _Spec, start: int, stop: int, keep: bool = False) -> ChunkResult:
    """Solve subjects start..stop in work blocks; top-level so that Dask can ship it."""
    histogram: NDArray[np.int64] | None = None
    kept: list[NightMetrics] = []
    levels: list[FloatArray] = []
    defective = 0
    for lo in range(start, stop, WORK):
        hi = min(stop, lo + WORK)
        metrics, bad, at = solve_subjects(spec, lo, hi)
        defective += bad
        histogram = _histogram(metrics, histogram)
        if keep:
            kept.append(metrics)
            if at is not None:
                levels.append(at.T)
    assert histogram is not None
    if not keep:
        return ChunkResult(start, stop, histogram, defective)
    joined = (levels[0] if len(levels) == 1 else np.concatenate(levels, axis=-1)).T if levels else None
    return ChunkResult(start, stop, histogram, defective, NightMetrics.join(kept), joined)


@dataclass(frozen=True)
class _PackedChunk:
    """A histograms-only chunk as a worker process sends it: the non-zero counts and where they are.

    A chunk's dense histogram is about 19 MB (K51: 3 metrics x 7 compounds x 14 nights x 8,002 bins)
    and mostly zeros; the pipe between the processes carries about a tenth of that instead.
    """

    start: int
    stop: int
    shape: tuple[int, ...]
    where: NDArray[np.int64]  # flat positions of the non-zero counts
    counts: NDArray[np.int64]
    defective: int

    def unpack(self) -> ChunkResult:
        histogram = np.zeros(self.shape, dtype=np.int64)
        histogram.reshape(-1)[self.where] = self.counts
        return ChunkResult(self.start, self.stop, histogram, self.defective)


def _run_packed(spec: _Spec, start: int, stop: int) -> _PackedChunk:
    """run_chunk in a worker process, histograms only, packed for the pipe."""
    chunk = run_chunk(spec, start, stop)
    flat = chunk.histogram.reshape(-1)
    where = np.flatnonzero(flat)
    return _PackedChunk(start, stop, chunk.histogram.shape, where, flat[where], chunk.defective)


def _chunks(total: int, size: int) -> Iterator[tuple[int, int]]:
    for start in range(0, total, size):
        yield start, min(total, start + size)


class PopulationInterrupted(KeyboardInterrupt):
    """Ctrl-C during a population run: how far it got."""

    def __init__(self, done: int, total: int) -> None:
        super().__init__(f"interrupted after {done:,} of {total:,} subjects; no result")
        self.done, self.total = done, total


@dataclass
class ChunkTotals:
    """The one accumulator of a run's chunks: metric histograms, defective subjects, subjects done."""

    histogram: NDArray[np.int64]  # (metrics, compounds, nights, bins + 2)
    defective: int = 0
    done: int = 0

    @classmethod
    def empty(cls, spec: _Spec) -> ChunkTotals:
        return cls(np.zeros((len(METRICS), len(spec.compounds), len(spec.windows), _NBINS + 2), dtype=np.int64))

    def add(self, chunk: ChunkResult) -> None:
        self.histogram += chunk.histogram
        self.defective += chunk.defective
        self.done += chunk.stop - chunk.start

    def gather(self, chunks: Iterator[ChunkResult], on_chunk: Callable[[ChunkResult], None] | None,
               bar: Any, total: int, watch: EstimateWatch | None = None) -> None:
        """Add every chunk in order, handing each to ``on_chunk``, advancing the progress bar and ``watch``."""
        with bar if bar is not None else _NoBar():
            task = bar.add_task("subjects", total=total) if bar is not None else None
            for chunk in chunks:
                self.add(chunk)
                if on_chunk is not None:
                    on_chunk(chunk)
                if bar is not None and task is not None:
                    bar.update(task, completed=self.done)
                if watch is not None:
                    watch.progress(self.done)


class _NoBar:
    def __enter__(self) -> None:
        return None

    def __exit__(self, *exc: object) -> None:
        return None


def _progress_bar(enabled: bool, total: int) -> Any:
    if not enabled:
        return None
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn, TimeRemainingColumn

    return Progress("[progress.description]{task.description}", BarColumn(), MofNCompleteColumn(),
                    TimeElapsedColumn(), TimeRemainingColumn(), console=Console(stderr=True), transient=True)


def default_workers() -> int:
    """Local threads for a run: one per core this process may use (numpy releases the GIL)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def _execute(
    spec: _Spec, chunks: list[tuple[int, int]], keep: bool, address: str | None, workers: int = 1
) -> Iterator[ChunkResult]:
    """Run chunks locally or on a Dask cluster; in subject order.

    Local runs with several workers that return only histograms use worker processes (forked: each
    has its own interpreter lock, so both cores stay busy); runs that return per-subject metrics, or
    that start from a thread or beside other threads (a fork copies one thread only), use threads
    (numpy releases the lock inside its loops). The processes and threads are started here, before
    the first result is asked for, so that a fork happens before the caller starts its own threads.
    """
    if address is not None:
        return _on_dask(spec, chunks, keep, address)
    if workers <= 1:
        return (run_chunk(spec, start, stop, keep) for start, stop in chunks)
    pool: Executor
    if not keep and _may_fork():
        pool = ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("fork"),
                                   initializer=_start_worker)
        submit = _submitter(pool, _run_packed, spec)
    else:
        pool = ThreadPoolExecutor(max_workers=workers)
        submit = _submitter(pool, run_chunk, spec, keep=keep)
    pending = [submit(start, stop) for start, stop in chunks[:workers + 1]]
    return _drain(pool, pending, chunks[workers + 1:], submit)


def _submitter(
    pool: Executor, fn: Callable[..., Any], spec: _Spec, **options: bool
) -> Callable[[int, int], Future[Any]]:
    """submit(start, stop): runs fn(spec, start, stop, **options) on the pool."""
    return lambda start, stop: pool.submit(fn, spec, start, stop, **options)


def _may_fork() -> bool:
    """Forking is safe here: Linux-style fork exists and this is the process's only Python thread."""
    return ("fork" in multiprocessing.get_all_start_methods() and threading.active_count() == 1
            and threading.current_thread() is threading.main_thread())


def _start_worker() -> None:
    """A worker process: Ctrl-C is left to the parent (which stops the run and reports it in one line),
    and freed memory is kept for the next work block (:func:`_keep_freed_memory`)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _keep_freed_memory()


_MALLOC_TRIM_THRESHOLD, _MALLOC_TOP_PAD, _MALLOC_MMAP_THRESHOLD = -1, -2, -3  # glibc's mallopt parameters


def _keep_freed_memory() -> None:
    """glibc only, in the worker processes: serve a work block's arrays (up to 32 MB each, glibc's cap)
    from the heap and keep freed memory, instead of mapping and unmapping them every block; each block
    then reuses the pages of the last one (measured: a third of the system time, no change in numbers).
    Elsewhere nothing changes."""
    try:
        libc = ctypes.CDLL("libc.so.6")
    except OSError:  # not glibc
        return
    mallopt = getattr(libc, "mallopt", None)
    if mallopt is None:
        return
    mallopt(_MALLOC_MMAP_THRESHOLD, 32 << 20)
    mallopt(_MALLOC_TRIM_THRESHOLD, 1 << 30)
    mallopt(_MALLOC_TOP_PAD, 64 << 20)


def _drain(pool: Executor, pending: list[Future[Any]], rest: list[tuple[int, int]],
           submit: Callable[[int, int], Future[Any]]) -> Iterator[ChunkResult]:
    """Results in subject order, keeping workers + 1 chunks in flight; the pool is shut down at the end."""
    following = iter(rest)
    try:
        while pending:
            result = pending.pop(0).result()
            chunk = next(following, None)
            if chunk is not None:
                pending.append(submit(chunk[0], chunk[1]))
            yield result.unpack() if isinstance(result, _PackedChunk) else result
    finally:  # all done: wait for the (idle) workers to end; stopped early: do not wait for the running chunks
        for future in pending:
            future.cancel()
        pool.shutdown(wait=not pending, cancel_futures=True)


def _on_dask(spec: _Spec, chunks: list[tuple[int, int]], keep: bool, address: str) -> Iterator[ChunkResult]:
    """The chunks as Dask tasks, results in subject order."""
    try:
        from distributed import Client
    except ImportError as err:  # pragma: no cover - dask is a declared dependency
        raise InputError("--dask needs the 'distributed' package") from err
    try:
        client = Client(address, timeout="10s", set_as_default=False)
    except (OSError, TimeoutError, ValueError) as err:
        raise InputError(f"cannot reach the Dask scheduler at {address!r}: {err}") from None
    futures: list[Any] = []
    try:
        shared = client.scatter(spec, broadcast=True)
        futures = [client.submit(run_chunk, shared, start, stop, keep, pure=False) for start, stop in chunks]
        for future in futures:
            yield future.result()
            future.release()
    finally:
        if futures:
            client.cancel(futures)
        client.close()

