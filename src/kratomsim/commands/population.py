"""`kratomsim population`: many simulated people, nightly exposure with prediction intervals."""

from __future__ import annotations

import sys
from datetime import date
from typing import Any

import typer

from kratomsim import populations as pop
from kratomsim.commands._output import console, print_json, print_table
from kratomsim.commands._population_options import check_level, check_subjects, checked_dask, estimates_on_stderr
from kratomsim.errors import InputError
from kratomsim.exposure import scenario_notes
from kratomsim.limits import NIGHTS
from kratomsim.market import market_spread
from kratomsim.population_histograms import interval_percentiles
from kratomsim.population_summary import PopulationSummary
from kratomsim.scenario import Scenario, make_scenario
from kratomsim.units import sleep_hours


def register(app: typer.Typer) -> None:
    @app.command()
    def population(
        product: str = typer.Option("K51", "--product", help="Library product id or a product YAML file."),
        dose: str = typer.Option("2g", "--dose", help="Dose per night: grams of leaf (2g) or mg of an alkaloid."),
        at: str = typer.Option("22:30", "--at", help="Clock time of the nightly dose (bedtime)."),
        wake: str = typer.Option("06:30", "--wake", help="Clock time of waking up."),
        nights: int = typer.Option(14, "--nights", help="Number of nightly doses."),
        weight: str = typer.Option("70kg", "--weight", help="Body weight (allometric scaling)."),
        subjects: int = typer.Option(10_000, "--subjects", help="Number of simulated people."),
        seed: int = typer.Option(0, "--seed", help="Random seed; the same seed gives the same numbers."),
        level: float = typer.Option(0.90, "--level", help="Prediction interval level (0.9 = 5-95 %)."),
        chunk_size: int = typer.Option(16384, "--chunk-size", help="Subjects per chunk (memory, not results)."),
        workers: int = typer.Option(0, "--workers", help="Local workers; 0 = one per available core "
                                    "(ignored with --dask)."),
        dask: str | None = typer.Option(None, "--dask", help="Dask scheduler address, e.g. tcp://host:8786."),
        content: str | None = typer.Option(
            None, "--content", help="assay: vary content by the product's assay SD; market: draw each person's "
            "product from the assayed market (mitragynine mg/g of leaf products)."),
        json_out: bool = typer.Option(False, "--json", help="Machine-readable output."),
    ) -> None:
        """Nightly Cmax, concentration at wake-up and sleep-window AUC across a population."""
        _check_run_options(workers, chunk_size, nights, subjects, level)
        wake_h = sleep_hours(at, wake)
        scenario = make_scenario(product=product, dose=dose, at=at, every="24h", count=nights, weight=weight,
                                 start_date=date.today())
        scenario, content_spreads = _content(scenario, content)
        options: dict[str, Any] = {"seed": seed, "level": level, "chunk_size": chunk_size,
                                   "dask_address": checked_dask(dask), "wake_offset_h": wake_h,
                                   "content": content_spreads, "workers": workers or None}
        try:
            with estimates_on_stderr():
                result = pop.run_population(scenario, subjects, progress=not json_out and sys.stderr.isatty(),
                                            **options)
        except pop.PopulationInterrupted as stop:
            print(str(stop), file=sys.stderr)
            raise SystemExit(130) from None
        notes = _content_notes(content, scenario)
        if json_out:
            print_json(PopulationSummary.of(result, wake_h, content, notes).to_dict())
        else:
            _print_population(result, scenario, wake_h, notes)


def _check_run_options(workers: int, chunk_size: int, nights: int, subjects: int, level: float) -> None:
    if workers < 0:
        raise InputError(f"--workers must be 0 (one per core) or more, got {workers}")
    if chunk_size < 1:
        raise InputError(f"--chunk-size must be at least 1, got {chunk_size}")
    NIGHTS.check_whole(nights)
    check_subjects(subjects)
    check_level(level)


def _content(scenario: Scenario, content: str | None) -> tuple[Scenario, bool | tuple[pop.Spread, ...]]:
    """``--content``: none, the product's assay SD, or each person's product drawn from the market."""
    if content is None:
        return scenario, False
    if content.strip().lower() not in {"assay", "market"}:
        raise InputError(f"--content {content!r} is not known; accepted: assay, market")
    if content.strip().lower() == "market":
        return pop.market_content(scenario)
    return scenario, True


def _print_population(result: Any, scenario: Scenario, wake_h: float, notes: tuple[str, ...]) -> None:
    table = result.metrics_table()
    lo_pct, hi_pct = interval_percentiles(result.level)
    shown = table[table["night"].isin([1, result.nights])]
    print_table(
        f"{scenario.describe()}: {result.subjects:,} people, median [{lo_pct:g}-{hi_pct:g} %]",
        ["night", "compound", "metric", "unit", "median", "low", "high"],
        [[r.night, r.compound, r.metric, r.unit, r.median, r.low, r.high] for r in shown.itertuples()],
    )
    console.print(f"{result.subjects:,} subjects in {result.elapsed_s:.1f} s (seed {result.seed}); "
                  f"Cmax: each person's exact peak, AUC from bedtime to wake-up ({wake_h:g} h); "
                  f"{pop.LINEAR_MODEL_NOTE}. Spreads from: {', '.join(result.sources())}.")
    for note in notes:
        console.print(note)


def _content_notes(content: str | None, scenario: Scenario) -> tuple[str, ...]:
    """What ``--content market`` and a tea product assumed, said in the output."""
    notes = [n for n in scenario_notes(scenario) if n.startswith("Tea:")]
    if content is not None and content.strip().lower() == "market":
        notes.insert(0, "Content: each person's product drawn from the market. " + market_spread().statement())
    return tuple(notes)
