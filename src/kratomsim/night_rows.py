"""Nightly rows: one compound's levels at the dose, the peak, wake-up and the morning, and the
sleep-window AUC, read from a profile whose grid holds the timeline's instants exactly."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, fields
from typing import Any

import numpy as np

from kratomsim.night_timeline import Timeline, fmt_clock
from kratomsim.peaks import Peak, window_peaks
from kratomsim.pk.model import DoseEvent, FloatArray, LinearSystem


def index_of(times_h: FloatArray, t: float) -> int:
    """The grid index nearest to ``t`` (the key instants are on the grid, so this is exact)."""
    return int(np.argmin(np.abs(times_h - t)))


def _trapezoid(y: FloatArray, x: FloatArray) -> float:
    return float(np.sum((y[1:] + y[:-1]) * np.diff(x)) / 2.0)


@dataclass(frozen=True)
class NightRow:
    """One night of one compound: levels at the dose, the peak, wake-up and the morning, the sleep-window
    AUC and the accumulation against night 1. Concentrations in nM and ng/mL, clocks as text.

    Rows are read by attribute (``row.peak_nM``); ``to_dict()`` is the JSON form. A row cannot be changed.
    """

    night: int
    compound: str
    kind: str
    dose_clock: str
    at_dose_nM: float
    at_dose_ng_per_mL: float
    peak_nM: float
    peak_ng_per_mL: float
    peak_clock: str
    wake_clock: str
    wake_nM: float
    wake_ng_per_mL: float
    morning_clock: str
    morning_nM: float
    morning_ng_per_mL: float
    auc_sleep_nM_h: float
    fraction_of_peak_at_wake: float
    auc_ratio_vs_night1: float
    wake_ratio_vs_night1: float

    def to_dict(self) -> dict[str, Any]:
        return {k: getattr(self, k) for k in _ROW_FIELDS}


_ROW_FIELDS = tuple(f.name for f in fields(NightRow))


def night_rows(
    name: str, kind: str, conc_nM: FloatArray, mw: float, times_h: FloatArray, timeline: Timeline,
    peaks: Sequence[Peak] | None = None,
) -> list[NightRow]:
    """One row per night for one compound: dose time, peak, wake-up, morning, sleep-window AUC.

    ``conc_nM`` is one subject's profile on ``times_h`` (which must contain the timeline's key times).
    ``peaks`` (one per night, from :func:`exact_night_peaks`) are the model's own peaks between grid
    points; without them the peak is the highest grid value.
    """
    ng = mw / 1000.0
    cells: list[dict[str, Any]] = []
    for n in range(1, timeline.nights + 1):
        i0, iw, im = (index_of(times_h, t) for t in (timeline.dose_h(n), timeline.wake_h(n), timeline.morning_h(n)))
        ip = i0 + int(np.argmax(conc_nM[i0 : iw + 1]))
        peak, peak_h = (peaks[n - 1].conc_nM, peaks[n - 1].time_h) if peaks else (float(conc_nM[ip]), times_h[ip])
        wake = float(conc_nM[iw])
        cells.append(
            {
                "night": n,
                "compound": name,
                "kind": kind,
                "dose_clock": fmt_clock(timeline.clock(times_h[i0])),
                "at_dose_nM": float(conc_nM[i0]),
                "at_dose_ng_per_mL": float(conc_nM[i0]) * ng,
                "peak_nM": peak,
                "peak_ng_per_mL": peak * ng,
                "peak_clock": fmt_clock(timeline.clock(float(peak_h))),
                "wake_clock": fmt_clock(timeline.clock(times_h[iw])),
                "wake_nM": wake,
                "wake_ng_per_mL": wake * ng,
                "morning_clock": fmt_clock(timeline.clock(times_h[im])),
                "morning_nM": float(conc_nM[im]),
                "morning_ng_per_mL": float(conc_nM[im]) * ng,
                "auc_sleep_nM_h": _trapezoid(conc_nM[i0 : iw + 1], times_h[i0 : iw + 1]),
                "fraction_of_peak_at_wake": wake / peak if peak > 0 else math.nan,
            }
        )
    first = cells[0]
    return [NightRow(**c, auc_ratio_vs_night1=_ratio(c["auc_sleep_nM_h"], first["auc_sleep_nM_h"]),
                     wake_ratio_vs_night1=_ratio(c["wake_nM"], first["wake_nM"])) for c in cells]


def exact_night_peaks(system: LinearSystem, doses: Sequence[DoseEvent], timeline: Timeline) -> dict[str, list[Peak]]:
    """Each compound's peak from each night's dose to its wake-up, from the model between grid points."""
    return window_peaks(system, doses, timeline.windows_h())


def _ratio(a: float, b: float) -> float:
    return a / b if b > 0 else math.nan

