"""Chart data at the resolution a chart needs: values rounded to a few significant digits, curves
thinned to 15-minute steps with their exact peaks (:mod:`kratomsim.web.chart_trim`).

Why: the night report's curves are a week of 5-minute points for every alkaloid in two units;
printed with 17 significant digits they made most of a 574 kB answer. Four significant digits
(0.05 % at worst) are far below what a chart or its hover label shows; the tables keep full precision.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from kratomsim.units import nM_to_ng_per_mL
from kratomsim.web.chart_trim import CHART_STEP_H, TrimmedCurves, trim_curves

CHART_DIGITS = 4


def chart_values(values: ArrayLike, digits: int = CHART_DIGITS) -> list[float | None]:
    """``values`` rounded to ``digits`` significant digits, as a JSON-ready list (non-finite -> None).

    Each result is the double nearest to a decimal of ``digits`` digits (an integer divided or
    multiplied by an exact power of ten), so it prints short.
    """
    x = np.asarray(values, dtype=float).ravel()
    finite = np.isfinite(x)
    out = np.where(finite, x, 0.0)
    nonzero = out != 0
    with np.errstate(divide="ignore"):
        decimals = np.where(nonzero, digits - 1 - np.floor(np.log10(np.abs(out), where=nonzero, out=np.ones_like(out))),
                            0.0)
    up = decimals >= 0
    power = 10.0 ** np.minimum(np.abs(decimals), 22)  # powers of ten are exact doubles up to 1e22
    rounded = np.where(up, np.round(out * power) / power, np.round(out / power) * power)
    extreme = np.nonzero(np.abs(decimals) > 22)[0]  # below 1e-19 or above 1e25: rare, done one by one
    rounded[extreme] = [float(f"{v:.{digits}g}") for v in out[extreme].tolist()]
    listed: list[float | None] = rounded.tolist()
    if not finite.all():
        listed = [v if ok else None for v, ok in zip(listed, finite.tolist(), strict=True)]
    return listed


def isoformat(clock: np.ndarray) -> list[str]:
    return [str(c) for c in np.asarray(clock).astype("datetime64[s]")]


def _band(band: dict[str, Any], mw: float) -> dict[str, list[float | None]]:
    """Median and interval arrays of one curve, in nM and ng/mL."""
    out: dict[str, list[float | None]] = {}
    for key in ("median", "low", "high"):
        values = np.asarray(band[key], dtype=float)
        out[f"{key}_nM"] = chart_values(values)
        out[f"{key}_ng_per_mL"] = chart_values(nM_to_ng_per_mL(values, mw))
    return out


def _curves(series: dict[str, Any], trimmed: TrimmedCurves, key: str) -> list[dict[str, Any]]:
    """One curve per compound or aid (typical subject), with its prediction band when there is one."""
    curves = []
    for name, conc in trimmed.curves.items():
        mw = series["molecular_weight"][name]
        curve: dict[str, Any] = {key: name, "conc_nM": chart_values(conc),
                                 "conc_ng_per_mL": chart_values(nM_to_ng_per_mL(np.asarray(conc), mw))}
        if name in trimmed.bands:
            curve["band"] = _band(trimmed.bands[name], mw)
        curves.append(curve)
    return curves


def _band_note(population: dict[str, Any] | None) -> dict[str, Any] | None:
    if not population:
        return None
    lo, hi = population["interval_percent"]
    return {"subjects": population["band_subjects"], "interval": f"{lo:.3g}-{hi:.3g}%",
            "what": f"median and {lo:.3g}-{hi:.3g}% interval at each time over the first "
                    f"{population['band_subjects']:,} of {population['subjects']:,} simulated people"}


def chart_block(series: dict[str, Any], key: str, windows: Any, population: Any,
                keep_times_h: Sequence[float] = (), step_h: float = CHART_STEP_H) -> dict[str, Any]:
    """The chart block of the night and compare answers: clock, curves, sleep windows, band note.

    The curves are thinned to the chart's resolution (:mod:`kratomsim.web.chart_trim`): 15-minute
    steps (``step_h``), every turn of every curve, ``keep_times_h`` and the exact nightly peaks the
    report computed.
    """
    clock = np.asarray(series["clock"]).astype("datetime64[ms]")
    times_h = (np.asarray(series["times_h"], dtype=float) if "times_h" in series
               else (clock - clock[0]).astype("int64") / 3.6e6)
    trimmed = trim_curves(times_h, series["conc_nM"], series.get("peaks"), series.get("bands"), keep_times_h,
                          step_h)
    start = clock[0].astype("datetime64[s]")
    offsets = np.round((trimmed.times_h - times_h[0]) * 3600.0).astype("int64").astype("timedelta64[s]")
    return {
        "clock": isoformat(start + offsets),
        "curves": _curves(series, trimmed, key),
        "sleep_windows": [[b.isoformat(), w.isoformat()] for b, w in windows],
        "band": _band_note(population),
    }


def key_instants(timeline: Any) -> list[float]:
    """Dose, wake-up and morning of every night, in the report's hours (kept on the chart)."""
    if timeline is None:
        return []
    return [t for n in range(1, timeline.nights + 1)
            for t in (timeline.dose_h(n), timeline.wake_h(n), timeline.morning_h(n))]


def night_markers(report: Any) -> dict[str, Any]:
    """What the night chart draws besides the curves: each morning's instant, each medicine's published
    next-morning level (ng/mL, with its source) and the nM scale of mitragynine for a second axis."""
    from kratomsim.report.plots import medicine_thresholds

    mws = report.series["molecular_weight"]
    thresholds = []
    for name in dict.fromkeys(r.compound for r in report.nights if r.kind == "medicine"):
        for label, level_nM in medicine_thresholds({name: mws[name]}):
            thresholds.append({"compound": name, "label": label, "ng_per_mL": level_nM * mws[name] / 1000.0})
    focus = next((n for n in ("mitragynine", "7-hydroxymitragynine") if n in mws), None)
    return {
        "mornings": [m.isoformat() for m in report.mornings()],
        "thresholds": thresholds,
        "nM_axis": None if focus is None else {"compound": focus, "nM_per_ng_per_mL": 1000.0 / mws[focus]},
    }


def occupancy_chart(times_h: Any, clock: Any, curves: dict[str, Any], windows: Any) -> dict[str, Any]:
    """The receptors chart: occupancy and stimulus curves of each unbound-fraction scenario, thinned
    like the night's (15-minute steps, every sampled turn, each bedtime and wake-up kept) and rounded
    to 4 significant digits, so the chart's peaks are the sampled peaks the nightly table reports."""
    lines: dict[str, Any] = {}
    for scenario, v in curves.items():
        lines[f"{scenario}|total"], lines[f"{scenario}|stimulus"] = v["total"], v["stimulus"]
        lines.update({f"{scenario}|by_ligand|{n}": o for n, o in v["by_ligand"].items()})
    t = np.asarray(times_h, dtype=float)
    start = np.asarray(clock).astype("datetime64[s]")[0]
    instants = [float((np.datetime64(x, "s") - start).astype("int64")) / 3600.0 + t[0]
                for window in windows for x in window]
    trimmed = trim_curves(t, lines, keep_times_h=instants)
    offsets = np.round((trimmed.times_h - t[0]) * 3600.0).astype("int64").astype("timedelta64[s]")
    out: dict[str, Any] = {}
    for key, values in trimmed.curves.items():
        scenario, kind, *ligand = key.split("|")
        entry = out.setdefault(scenario, {"total": [], "stimulus": [], "by_ligand": {}})
        if ligand:
            entry["by_ligand"][ligand[0]] = chart_values(values)
        else:
            entry[kind] = chart_values(values)
    return {"clock": isoformat(start + offsets), "curves": out,
            "sleep_windows": [[b.isoformat(), w.isoformat()] for b, w in windows]}
