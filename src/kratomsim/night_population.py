"""Population nights: the median and interval over many simulated people of each night's numbers."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from kratomsim import populations
from kratomsim.library import molecular_weight
from kratomsim.night_timeline import Timeline
from kratomsim.pk.model import FloatArray
from kratomsim.populations import histogram_interval, log_histogram
from kratomsim.scenario import Scenario

# Fields of a night row that get a median and interval with subjects > 1.
POPULATION_FIELDS = (
    "at_dose_nM", "peak_nM", "wake_nM", "morning_nM", "auc_sleep_nM_h", "fraction_of_peak_at_wake",
    "auc_ratio_vs_night1", "wake_ratio_vs_night1",
)


def population_nights(
    scenario: Scenario,
    timeline: Timeline,
    subjects: int,
    seed: int = 0,
    level: float = 0.90,
    dask_address: str | None = None,
    progress: bool = False,
) -> dict[str, Any]:
    """Median and ``level`` interval over ``subjects`` people of each night's numbers, per alkaloid.

    Peak (the model's exact maximum from dose to wake-up), wake-up level and sleep-window AUC (exact
    integral) are the population run's streamed per-subject metrics; the level at the dose and in the
    morning come from the same subjects' concentrations at those instants, and the fraction of the
    peak left at wake-up and the ratios to night 1 are formed per subject before taking quantiles.
    Quantiles come from log-binned histograms (0.46 % bins), so any number of subjects fits in memory.
    """
    nights = timeline.nights
    instants = [t for n in range(1, nights + 1) for t in (timeline.dose_h(n), timeline.morning_h(n))]
    counts: dict[str, Any] = {}

    def add(name: str, values: FloatArray) -> None:
        counts[name] = log_histogram(values, counts.get(name))

    def on_chunk(chunk: Any) -> None:
        m = chunk.metrics  # (subjects, nights, compounds)
        with np.errstate(divide="ignore", invalid="ignore"):
            add("fraction_of_peak_at_wake", m.cwake / m.cmax)
            add("auc_ratio_vs_night1", m.auc / m.auc[:, :1, :])
            add("wake_ratio_vs_night1", m.cwake / m.cwake[:, :1, :])
        levels = chunk.levels  # (subjects, 2 nights, compounds), from the chunk's own modal model
        add("at_dose_nM", levels[:, 0::2, :])
        add("morning_nM", levels[:, 1::2, :])

    result = populations.run_population(scenario, subjects, seed=seed, level=level, dask_address=dask_address,
                                        progress=progress, wake_offset_h=timeline.to_wake_h, on_chunk=on_chunk,
                                        instants=instants)
    for m, name in enumerate(("peak_nM", "wake_nM", "auc_sleep_nM_h")):
        counts[name] = result.histogram[m].transpose(1, 0, 2)  # (nights, compounds, bins)
    rows = _population_rows(result.compounds, counts, nights, level)
    return _population_section(result, rows, level)


def _population_rows(
    compounds: Sequence[str], counts: dict[str, Any], nights: int, level: float
) -> list[dict[str, Any]]:
    """Median and interval of each night's numbers, per compound; the ratios to night 1 are 1 there."""
    rows: list[dict[str, Any]] = []
    for ci, compound in enumerate(compounds):
        ng = molecular_weight(compound) / 1000.0
        for j in range(nights):
            row: dict[str, Any] = {"night": j + 1, "compound": compound}
            for name in POPULATION_FIELDS:
                median, low, high = histogram_interval(counts[name][j, ci], level)
                if j == 0 and name in ("auc_ratio_vs_night1", "wake_ratio_vs_night1"):
                    median = low = high = 1.0
                row[name] = {"median": median, "low": low, "high": high}
                if name.endswith("_nM"):
                    row[name.replace("_nM", "_ng_per_mL")] = {"median": median * ng, "low": low * ng,
                                                               "high": high * ng}
            rows.append(row)
    return rows


def _population_section(result: Any, rows: list[dict[str, Any]], level: float) -> dict[str, Any]:
    """The JSON 'population' section with its notes, bands and band times (the last two for the plots)."""
    lo_pct, hi_pct = round(50 * (1 - level), 9), round(50 * (1 + level), 9)
    return {
        "subjects": result.subjects,
        "seed": result.seed,
        "level": result.level,
        "interval_percent": [lo_pct, hi_pct],
        "band_subjects": result.band_subjects,
        "defective_subjects": result.defective,
        "elapsed_s": result.elapsed_s,
        "variability_sources": result.sources(),
        "nights": rows,
        "notes": [
            f"Median and {lo_pct:.3g}-{hi_pct:.3g}% prediction interval over {result.subjects:,} simulated people "
            f"(seed {result.seed}); the per-row numbers without an interval are the typical subject's.",
            "Quantiles from log-binned histograms (bins 0.46% wide); the sleep-window AUC of the population is "
            "the exact integral (the typical subject's is a 5-min trapezoid); peaks are each person's exact maximum.",
            f"Plot bands from the first {result.band_subjects:,} subjects. Between-subject spreads come from "
            "published ranges of a few people (docs/population.md): treat the intervals as indicative.",
        ],
        "bands": {c: {"median": result.median[c], "low": result.low[c], "high": result.high[c]}
                  for c in result.compounds},
        "band_times_h": result.times_h,
    }


def occupancy_summary(summary: dict[str, Any]) -> dict[str, Any]:
    """pd's night summary, with each alkaloid's share of the occupied receptors added per instant."""
    for night in summary["nights"]:
        for key in ("bedtime", "peak", "wake"):
            point = night[key]
            total = point["occupancy_percent"]
            point["share_of_occupied_percent"] = {
                n: (100.0 * v / total if total > 0 else 0.0) for n, v in point["by_alkaloid_percent"].items()
            }
    return summary
