"""`kratomsim simulate`: the concentration table of a scenario, written as CSV or Parquet."""

from __future__ import annotations

import itertools
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import typer

from kratomsim.commands._output import console, print_json
from kratomsim.commands._population_options import (
    DASK,
    LEVEL,
    SEED,
    SUBJECTS,
    interval_label,
    population_request,
    with_population,
)
from kratomsim.errors import InputError
from kratomsim.scenario import Scenario, make_scenario
from kratomsim.simulate import run, tidy
from kratomsim.units import parse_duration_h

OUTPUT_SUFFIXES = (".csv", ".parquet")


def write_table(frame: pd.DataFrame, out: Path) -> None:
    """Write a tidy table; the suffix chooses the format."""
    suffix = out.suffix.lower()
    if suffix not in OUTPUT_SUFFIXES:
        raise InputError(f"cannot write {out.name!r}: accepted outputs are FILE.csv or FILE.parquet")
    if out.parent and not out.parent.exists():
        raise InputError(f"folder does not exist: {out.parent}")
    if suffix == ".csv":
        frame.to_csv(out, index=False)
    else:
        frame.to_parquet(out, index=False)


BAND_COLUMNS = {
    "median_nM": "conc_nM_median", "low_nM": "conc_nM_low", "high_nM": "conc_nM_high",
    "median_ng_per_mL": "conc_ng_per_mL_median", "low_ng_per_mL": "conc_ng_per_mL_low",
    "high_ng_per_mL": "conc_ng_per_mL_high",
}


def population_table(
    scenario: Scenario,
    subjects: int,
    seed: int = 0,
    level: float = 0.90,
    dask_address: str | None = None,
    progress: bool = False,
) -> tuple[pd.DataFrame, list[dict[str, Any]], dict[str, Any]]:
    """The tidy table with median, low and high concentration columns, the peaks and the run's facts.

    Bands over time come from the first min(subjects, MAX_BAND_SUBJECTS) subjects (exact empirical
    quantiles at every grid time); each subject's peak (highest grid value of the whole time course)
    comes from all subjects, through the population run's per-dose-interval maxima.
    """
    from kratomsim.library import molecular_weight
    from kratomsim.population import MAX_BAND_SUBJECTS, histogram_interval, log_histogram, run_population

    end = float(scenario.times_h()[-1])
    edges = sorted({t for t in scenario.dose_times_h() if t < end} | {end})
    windows = list(itertools.pairwise(edges))
    counts: dict[str, Any] = {}

    def on_chunk(chunk: Any) -> None:
        peak = chunk.metrics.cmax.max(axis=1)  # (subjects, compounds): the highest of every interval
        counts["peak"] = counts.get("peak", 0) + log_histogram(peak)

    result = run_population(
        scenario, subjects, seed=seed, level=level, dask_address=dask_address, progress=progress,
        band_subjects=min(int(subjects), MAX_BAND_SUBJECTS), on_chunk=on_chunk, windows=windows,
    )
    table = result.bands_table().rename(columns=BAND_COLUMNS)
    peaks = []
    for ci, compound in enumerate(result.compounds):
        median, low, high = histogram_interval(counts["peak"][ci], level)
        mw = molecular_weight(compound) / 1000.0
        i = int(np.argmax(result.median[compound]))
        peaks.append({
            "compound": compound, "cmax_nM": median, "cmax_nM_low": low, "cmax_nM_high": high,
            "cmax_ng_per_mL": median * mw, "cmax_ng_per_mL_low": low * mw, "cmax_ng_per_mL_high": high * mw,
            "clock": str(result.clock[i]), "time_h": float(result.times_h[i]),
        })
    facts = {
        "subjects": result.subjects, "seed": result.seed, "level": result.level,
        "interval": interval_label(level), "band_subjects": result.band_subjects,
        "defective_subjects": result.defective, "elapsed_s": result.elapsed_s,
        "variability_sources": result.sources(),
        "what": (f"median and {interval_label(level)} prediction interval over {result.subjects:,} simulated "
                 f"people (seed {result.seed}); the concentration columns come from the first "
                 f"{result.band_subjects:,}; peak: each person's highest grid value, its clock is the median "
                 "curve's highest point"),
    }
    return table, peaks, facts


def register(app: typer.Typer) -> None:
    @app.command()
    def simulate(
        product: str = typer.Option("K51", help="Library product id or a product YAML file."),
        dose: str = typer.Option(
            "2g", help="Grams of leaf ('2g', '2000mg') or mg of one alkaloid ('20mg:mitragynine')."
        ),
        at: str = typer.Option("22:30", help="Clock time of the first dose (24-hour)."),
        every: str = typer.Option("24h", help="Interval between doses."),
        count: int = typer.Option(1, help="Number of doses."),
        weight: str = typer.Option("70kg", help="Body weight."),
        grid: str = typer.Option("5min", help="Output grid step (1min or more)."),
        hours: str = typer.Option(
            None, help="Horizon after the first dose (default: last dose + 48 h), e.g. '72h'."
        ),
        date: str = typer.Option(None, help="Date of the first dose, YYYY-MM-DD (default: today)."),
        out: Path = typer.Option(..., "--out", help="FILE.csv or FILE.parquet"),
        json_out: bool = typer.Option(False, "--json", help="Print a JSON summary instead of a table."),
        subjects: int = SUBJECTS,
        seed: int = SEED,
        level: float = LEVEL,
        dask: str | None = DASK,
    ) -> None:
        """Concentrations of every alkaloid over time, as a tidy table (one row per time and compound)."""
        if out.suffix.lower() not in OUTPUT_SUFFIXES:
            raise InputError(f"cannot write {out.name!r}: accepted outputs are FILE.csv or FILE.parquet")
        request = population_request(subjects, seed, level, dask, json_out)
        horizon = parse_duration_h(hours, "horizon") if hours else None
        scenario = make_scenario(product, dose, at, every, count, weight, grid, horizon, date)
        if request.active:
            if out.parent and not out.parent.exists():
                raise InputError(f"folder does not exist: {out.parent}")
            table, pop_peaks, facts = with_population(request, population_table, scenario)
            write_table(table, out)
            _report_population(scenario, out, table, pop_peaks, facts, json_out)
            return
        exposure = run(scenario)
        frame = tidy(exposure)
        write_table(frame, out)
        peaks = []
        for compound, conc in exposure.conc_nM.items():
            i = int(conc[0].argmax())
            peaks.append({"compound": compound, "cmax_nM": float(conc[0, i]),
                          "cmax_ng_per_mL": float(exposure.conc_ng_per_mL(compound)[0, i]),
                          "clock": str(exposure.clock[i]), "time_h": float(exposure.times_h[i])})
        summary = {"scenario": scenario.describe(), "out": str(out), "rows": len(frame), "peaks": peaks,
                   "notes": list(exposure.notes)}
        if json_out:
            print_json(summary)
            return
        console.print(f"{scenario.describe()}: {len(frame)} rows written to {out}")
        for peak in peaks:
            console.print(f"  {peak['compound']}: peak {peak['cmax_nM']:.3g} nM ({peak['cmax_ng_per_mL']:.3g} ng/mL)"
                          f" at {str(peak['clock']).replace('T', ' ')[:16]}")
        for note in exposure.notes:
            console.print(f"  note: {note}")


def _report_population(
    scenario: Scenario, out: Path, table: pd.DataFrame, peaks: list[dict[str, Any]], facts: dict[str, Any],
    json_out: bool,
) -> None:
    from kratomsim.simulate import scenario_notes

    notes = list(scenario_notes(scenario))
    notes.append("Between-subject spreads come from published ranges of a few people (docs/population.md): "
                 "treat the intervals as indicative.")
    if json_out:
        print_json({"scenario": scenario.describe(), "out": str(out), "rows": len(table), "population": facts,
                    "peaks": peaks, "notes": notes})
        return
    console.print(f"{scenario.describe()}: {len(table)} rows written to {out}", highlight=False)
    console.print(f"  {facts['what']}.", highlight=False)
    for p in peaks:
        console.print(
            f"  {p['compound']}: peak {p['cmax_nM']:.3g} nM ({facts['interval']}: {p['cmax_nM_low']:.3g}-"
            f"{p['cmax_nM_high']:.3g}), {p['cmax_ng_per_mL']:.3g} ng/mL ({p['cmax_ng_per_mL_low']:.3g}-"
            f"{p['cmax_ng_per_mL_high']:.3g}); median curve highest at {str(p['clock']).replace('T', ' ')[:16]}",
            highlight=False,
        )
    for note in notes:
        console.print(f"  note: {note}", highlight=False)
