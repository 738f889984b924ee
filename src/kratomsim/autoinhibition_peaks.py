"""Peaks of the autoinhibited alkaloids between grid points.

The exact-peak search of :mod:`kratomsim.peaks` works on a linear system; with autoinhibition on,
mitragynine and 7-OH follow the time-varying solve instead. Their peak is found by solving again
at 121 points across the two grid steps around each night's highest grid value (5 s apart on a
5-minute grid) and taking the highest: the same solver as the rest of the night, so peak, wake-up
and AUC come from one model. The solve is resumed from its stored state at the step end before each
bracket (and runs to the step end after it), so the steps are the full solve's and only the few
steps around each peak are taken again.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

from kratomsim.exposure import Exposure, run
from kratomsim.peaks import Peak
from kratomsim.pk.engine import concentrations_nM

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
    if exposure.coupled_solve is not None:  # resume from the solve's own step ends: no second solve
        solve = exposure.coupled_solve
        again = concentrations_nM(solve.system, solve.at(fine).states)
    else:
        again = run(exposure.scenario, times_h=fine).conc_nM
    out: dict[str, list[Peak]] = {}
    for name, lo, hi in brackets:
        pick = (fine >= lo) & (fine <= hi)
        conc = again[name][0][pick]
        i = int(np.argmax(conc))
        out.setdefault(name, []).append(Peak(time_h=float(fine[pick][i]), conc_nM=float(conc[i])))
    return out
