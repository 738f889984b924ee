"""Peaks of the autoinhibited alkaloids between grid points.

The exact-peak search of :mod:`kratomsim.peaks` works on a linear system; with autoinhibition on,
mitragynine and 7-OH follow the time-varying solve instead. Their peak is found by solving again
with 121 points across the two grid steps around each night's highest grid value (5 s apart on a
5-minute grid) and taking the highest: the same solver as the rest of the night, so peak, wake-up
and AUC come from one model.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np

from kratomsim.exposure import Exposure, run
from kratomsim.peaks import Peak

POINTS = 121


def refined_peaks(
    exposure: Exposure, windows: Iterable[tuple[float, float]], names: Iterable[str]
) -> dict[str, list[Peak]]:
    """Each named compound's peak in each (start, end) window (hours), from the exposure's own solver."""
    t = exposure.times_h
    brackets: list[tuple[str, float, float]] = []
    for start, end in windows:
        inside = np.nonzero((t >= start - 1e-9) & (t <= end + 1e-9))[0]
        for name in names:
            conc = exposure.conc_nM[name][0]
            ip = int(inside[np.argmax(conc[inside])])
            lo, hi = t[max(ip - 1, int(inside[0]))], t[min(ip + 1, int(inside[-1]))]
            brackets.append((name, float(lo), float(hi)))
    if not brackets:
        return {}
    fine = np.unique(np.concatenate([np.linspace(lo, hi, POINTS) for _, lo, hi in brackets]))
    again: Any = run(exposure.scenario, times_h=fine)
    out: dict[str, list[Peak]] = {}
    for name, lo, hi in brackets:
        pick = (fine >= lo) & (fine <= hi)
        conc = again.conc_nM[name][0][pick]
        i = int(np.argmax(conc))
        out.setdefault(name, []).append(Peak(time_h=float(fine[pick][i]), conc_nM=float(conc[i])))
    return out
