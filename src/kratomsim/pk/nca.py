"""Non-compartmental summaries of a concentration profile, showing which points gave each number.

Used to compare the model with studies that report NCA results: the model's profile is sampled at
the study's own times, above its limit of quantification, and summarised the way the study did
(Cmax and tmax observed, AUC by the linear-up/log-down trapezoid, lambda-z by log-linear regression
on the terminal points with the best adjusted R-squared).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from kratomsim.pk.model import FloatArray

MIN_TERMINAL_POINTS = 3
ADJ_R2_TOLERANCE = 1e-4


@dataclass(frozen=True)
class NcaResult:
    cmax: float
    tmax: float
    auc_last: float
    lambda_z: float
    t_half: float
    auc_inf: float
    terminal_times: tuple[float, ...]
    adj_r2: float


def auc_linear_up_log_down(times: FloatArray, conc: FloatArray) -> float:
    """AUC from the first to the last time: linear trapezoid when rising, logarithmic when falling."""
    total = 0.0
    for t0, t1, c0, c1 in zip(times[:-1], times[1:], conc[:-1], conc[1:], strict=True):
        dt = t1 - t0
        if c1 < c0 and c1 > 0 and c0 > 0:
            total += (c0 - c1) * dt / np.log(c0 / c1)
        else:
            total += 0.5 * (c0 + c1) * dt
    return float(total)


def terminal_slope(times: FloatArray, conc: FloatArray) -> tuple[float, tuple[float, ...], float]:
    """lambda-z (1/h) from the last points after the peak, choosing the count with the best adjusted R2
    (ties within 1e-4 go to more points, as is customary)."""
    peak = int(np.argmax(conc))
    candidates = [(t, c) for t, c in zip(times[peak + 1 :], conc[peak + 1 :], strict=True) if c > 0]
    best: tuple[float, tuple[float, ...], float] = (float("nan"), (), float("-inf"))
    for n in range(MIN_TERMINAL_POINTS, len(candidates) + 1):
        pts = candidates[-n:]
        t = np.array([p[0] for p in pts])
        y = np.log([p[1] for p in pts])
        slope, intercept = np.polyfit(t, y, 1)
        residual = y - (slope * t + intercept)
        ss_tot = float(np.sum((y - y.mean()) ** 2))
        r2 = 1.0 - float(np.sum(residual**2)) / ss_tot if ss_tot > 0 else 1.0
        adj = 1.0 - (1.0 - r2) * (n - 1) / (n - 2)
        if slope < 0 and adj > best[2] - ADJ_R2_TOLERANCE:
            best = (float(-slope), tuple(float(x) for x in t), adj)
    return best


def nca(times: FloatArray, conc: FloatArray, lloq: float = 0.0) -> NcaResult:
    """Summarise one profile sampled at ``times`` (h); values at or below ``lloq`` are dropped."""
    times = np.asarray(times, dtype=float)
    conc = np.asarray(conc, dtype=float)
    keep = (conc > lloq) | (times == times[0])
    t, c = times[keep], np.where(conc[keep] > lloq, conc[keep], 0.0)
    peak = int(np.argmax(c))
    lam, used, adj = terminal_slope(t, c)
    auc_last = auc_linear_up_log_down(t, c)
    auc_inf = auc_last + c[-1] / lam if np.isfinite(lam) and lam > 0 else float("nan")
    return NcaResult(
        cmax=float(c[peak]),
        tmax=float(t[peak]),
        auc_last=auc_last,
        lambda_z=lam,
        t_half=float(np.log(2) / lam) if np.isfinite(lam) and lam > 0 else float("nan"),
        auc_inf=float(auc_inf),
        terminal_times=used,
        adj_r2=adj,
    )


def window_half_life(
    times: FloatArray, conc: FloatArray, lloq: float, window_fraction: float = 1.0 / 3.0
) -> tuple[float, tuple[float, float]]:
    """Terminal half-life (h) by log-linear regression over the last ``window_fraction`` of the
    quantifiable span after the peak, and the (start, end) of that window.

    On a dense, noise-free model profile the best-adjusted-R2 rule is ill-posed (any three points are
    collinear to rounding), so model profiles use this fixed rule instead.
    """
    times = np.asarray(times, dtype=float)
    conc = np.asarray(conc, dtype=float)
    peak = int(np.argmax(conc))
    quantifiable = np.nonzero(conc > lloq)[0]
    t_last = times[quantifiable[-1]] if quantifiable.size else times[-1]
    start = max(times[peak], t_last - window_fraction * (t_last - times[0]))
    chosen = (times > start - 1e-12) & (times <= t_last + 1e-12) & (conc > lloq) & (times > times[peak])
    if np.count_nonzero(chosen) < MIN_TERMINAL_POINTS:
        return float("nan"), (float(start), float(t_last))
    slope = np.polyfit(times[chosen], np.log(conc[chosen]), 1)[0]
    half_life = float(np.log(2) / -slope) if slope < 0 else float("nan")
    return half_life, (float(start), float(t_last))
