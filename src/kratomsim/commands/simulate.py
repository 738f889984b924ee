"""`kratomsim simulate`: the concentration table of a scenario, written as CSV or Parquet."""

from __future__ import annotations

from datetime import date as calendar_day
from pathlib import Path
from typing import Any

import pandas as pd
import typer

from kratomsim.commands._night_options import AUTOINHIBITION
from kratomsim.commands._output import console, print_json
from kratomsim.commands._population_options import PopulationRequest, population_options, with_population
from kratomsim.errors import InputError
from kratomsim.exposure import exposure_peaks, run, tidy
from kratomsim.market import check_oral_seven_oh
from kratomsim.populations import population_table
from kratomsim.scenario import Scenario, make_scenario
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


def register(app: typer.Typer) -> None:
    @app.command()
    @population_options
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
            None, help="Horizon after the first dose (default: last dose + 48 h), e.g. '72h', '3d' or 72 (hours)."
        ),
        date: str = typer.Option(None, help="Date of the first dose, YYYY-MM-DD (default: today)."),
        out: Path = typer.Option(..., "--out", help="FILE.csv or FILE.parquet"),
        json_out: bool = typer.Option(False, "--json", help="Print a JSON summary instead of a table."),
        autoinhibition: bool = AUTOINHIBITION,
        extrapolate: bool = typer.Option(False, "--extrapolate", help="Allow a dose of mg of 7-OH (no human "
                                         "PK study of oral 7-OH exists: the result is an extrapolation)."),
        population: PopulationRequest = PopulationRequest(),
    ) -> None:
        """Concentrations of every alkaloid over time, as a tidy table (one row per time and compound)."""
        if out.suffix.lower() not in OUTPUT_SUFFIXES:
            raise InputError(f"cannot write {out.name!r}: accepted outputs are FILE.csv or FILE.parquet")
        check_oral_seven_oh(dose, extrapolate)  # the same refusal as night and the web API
        request = population
        horizon = parse_duration_h(hours, "horizon (--hours)", bare_unit="h") if hours else None
        scenario = make_scenario(product, dose, at, every, count, weight, grid, horizon, date or calendar_day.today(),
                                 autoinhibition=autoinhibition)
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
        peaks = exposure_peaks(exposure)
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
    from kratomsim.exposure import scenario_notes

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
