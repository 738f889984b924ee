"""What autoinhibition changes over repeated nights: the same regimen with the switch on and off.

For a regimen stopped after N nights (N = 1, 7, 14, 30) it reads, for mitragynine and
7-hydroxymitragynine: the peak after the last dose, the trough 24 h after it, the terminal
half-life after it (log-linear fit from 24 to 120 h after the last dose, the window a sampling
schedule to 120 h allows) and the 7-OH/mitragynine AUC ratio over the last dose interval, with the
hepatic CYP3A4 activity left at the trough.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from datetime import date, datetime

import numpy as np

from kratomsim.autoinhibition import statement
from kratomsim.exposure import Exposure, run
from kratomsim.library import MITRAGYNINE, SEVEN_OH
from kratomsim.pk.model import FloatArray
from kratomsim.scenario import Scenario

EFFECT_NIGHTS = (1, 7, 14, 30)
TAIL_H = 120.0
HALF_LIFE_FROM_H = 24.0
COARSE_H = 0.5
FINE_H = 1.0 / 12.0
FINE_SPAN_H = 4.0
INTERVAL_H = 24.0
UNDATED = date(2000, 1, 1)  # the table's nights are undated (the same day whatever the report's)


@dataclass(frozen=True)
class EffectRow:
    """One compound after N nights, with autoinhibition on and off."""

    nights: int
    compound: str
    peak_nM: tuple[float, float]
    trough_nM: tuple[float, float]
    half_life_h: tuple[float, float]

    def as_dict(self) -> dict[str, object]:
        d = asdict(self)
        for key in ("peak_nM", "trough_nM", "half_life_h"):
            on, off = d.pop(key)
            d[key] = {"on": on, "off": off, "ratio": on / off if off > 0 else math.nan}
        return d


def _times(last_dose_h: float) -> FloatArray:
    coarse = np.arange(0.0, last_dose_h + TAIL_H + COARSE_H / 2, COARSE_H)
    fine = last_dose_h + np.arange(0.0, FINE_SPAN_H, FINE_H)
    return np.union1d(coarse, fine)


def terminal_half_life_h(times: FloatArray, conc: FloatArray, last_dose_h: float) -> float:
    """ln 2 / slope of ln C on time from 24 h to 120 h after the last dose."""
    pick = (times >= last_dose_h + HALF_LIFE_FROM_H) & (times <= last_dose_h + TAIL_H) & (conc > 0)
    slope = np.polyfit(times[pick], np.log(conc[pick]), 1)[0]
    return float(math.log(2.0) / -slope) if slope < 0 else math.inf


def _regimen(regimen: Scenario, nights: int, on: bool) -> Exposure:
    """The regimen's product, dose, clock time and weight, taken every 24 h for ``nights`` nights (undated)."""
    last = (nights - 1) * INTERVAL_H
    first = datetime.combine(UNDATED, regimen.first_dose.time())
    scenario = regimen.replace(first_dose=first, interval_h=INTERVAL_H, count=nights, horizon_h=last + TAIL_H,
                               autoinhibition=on)
    return run(scenario, times_h=_times(last))


def effect(regimen: Scenario, nights: tuple[int, ...] = EFFECT_NIGHTS) -> dict[str, object]:
    """The with/without table, the CYP3A4 activity at each trough and the 7-OH/MG ratio, for the product,
    dose, clock time and body weight of ``regimen`` (its count, dates and switch are replaced)."""
    rows: list[dict[str, object]] = []
    activity: dict[int, float] = {}
    ratio: dict[int, dict[str, float]] = {}
    for n in nights:
        last = (n - 1) * INTERVAL_H
        both = {on: _regimen(regimen, n, on) for on in (True, False)}
        t = both[True].times_h
        i_peak = (t >= last) & (t <= last + INTERVAL_H)
        i_trough = int(np.argmin(np.abs(t - (last + INTERVAL_H))))
        for compound in (MITRAGYNINE, SEVEN_OH):
            if compound not in both[True].conc_nM:
                continue
            c = {on: both[on].conc_nM[compound][0] for on in both}
            rows.append(EffectRow(
                nights=n, compound=compound,
                peak_nM=(float(c[True][i_peak].max()), float(c[False][i_peak].max())),
                trough_nM=(float(c[True][i_trough]), float(c[False][i_trough])),
                half_life_h=(terminal_half_life_h(t, c[True], last), terminal_half_life_h(t, c[False], last)),
            ).as_dict())
        if SEVEN_OH in both[True].conc_nM and MITRAGYNINE in both[True].conc_nM:
            ratio[n] = {
                "on" if on else "off": float(np.trapezoid(both[on].conc_nM[SEVEN_OH][0][i_peak], t[i_peak])
                                             / np.trapezoid(both[on].conc_nM[MITRAGYNINE][0][i_peak], t[i_peak]))
                for on in both
            }
        cyp = both[True].cyp3a4_activity
        if cyp is not None:
            activity[n] = float(cyp[0][i_trough])
    return {
        "statement": statement(True),
        "method": (f"regimen stopped after N nights; peak over the last dose interval, trough {INTERVAL_H:g} h "
                   f"after the last dose, half-life from a log-linear fit {HALF_LIFE_FROM_H:g}-{TAIL_H:g} h "
                   "after it, ratio of 7-OH to mitragynine AUC (nM h) over the last dose interval"),
        "rows": rows,
        "ratio_7oh_to_mitragynine": {str(k): v for k, v in ratio.items()},
        "cyp3a4_activity_at_trough": {str(k): v for k, v in activity.items()},
    }
