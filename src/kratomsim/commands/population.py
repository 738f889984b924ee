"""`kratomsim population`: many simulated people, nightly exposure with prediction intervals."""

from __future__ import annotations

import sys
from datetime import date
from typing import Any

import typer

from kratomsim.commands._output import console, print_json, print_table
from kratomsim.errors import InputError


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
        workers: int = typer.Option(0, "--workers", help="Local threads; 0 = one per available core "
                                    "(ignored with --dask)."),
        dask: str | None = typer.Option(None, "--dask", help="Dask scheduler address, e.g. tcp://host:8786."),
        content: str | None = typer.Option(
            None, "--content", help="assay: vary content by the product's assay SD; market: draw each person's "
            "product from the assayed market (mitragynine mg/g of leaf products)."),
        json_out: bool = typer.Option(False, "--json", help="Machine-readable output."),
    ) -> None:
        """Nightly Cmax, concentration at wake-up and sleep-window AUC across a population."""
        from kratomsim.commands._population_options import (
            check_level,
            check_subjects,
            checked_dask,
            estimates_on_stderr,
        )
        from kratomsim.limits import NIGHTS
        from kratomsim.population_histograms import interval_percentiles
        from kratomsim.population_summary import PopulationSummary
        from kratomsim.populations import LINEAR_MODEL_NOTE, PopulationInterrupted, Spread, run_population
        from kratomsim.scenario import make_scenario
        from kratomsim.units import sleep_hours

        if workers < 0:
            raise InputError(f"--workers must be 0 (one per core) or more, got {workers}")
        if chunk_size < 1:
            raise InputError(f"--chunk-size must be at least 1, got {chunk_size}")
        NIGHTS.check_whole(nights)
        check_subjects(subjects)
        check_level(level)
        wake_h = sleep_hours(at, wake)
        dask = checked_dask(dask)
        scenario = make_scenario(product=product, dose=dose, at=at, every="24h", count=nights, weight=weight,
                                 start_date=date.today())
        content_spreads: bool | tuple[Spread, ...] = False
        if content is not None:
            if content.strip().lower() not in {"assay", "market"}:
                raise InputError(f"--content {content!r} is not known; accepted: assay, market")
            if content.strip().lower() == "market":
                from kratomsim.populations import market_content

                scenario, content_spreads = market_content(scenario)
            else:
                content_spreads = True
        options: dict[str, Any] = {"seed": seed, "level": level, "chunk_size": chunk_size, "dask_address": dask,
                   "wake_offset_h": wake_h, "content": content_spreads, "workers": workers or None}
        try:
            with estimates_on_stderr():
                result = run_population(scenario, subjects, progress=not json_out and sys.stderr.isatty(), **options)
        except PopulationInterrupted as stop:
            print(str(stop), file=sys.stderr)
            raise SystemExit(130) from None
        table = result.metrics_table()
        lo_pct, hi_pct = interval_percentiles(level)
        if json_out:
            print_json(PopulationSummary.of(result, wake_h, content, _content_notes(content, scenario)).to_dict())
            return
        shown = table[table["night"].isin([1, result.nights])]
        print_table(
            f"{scenario.describe()}: {result.subjects:,} people, median [{lo_pct:g}-{hi_pct:g} %]",
            ["night", "compound", "metric", "unit", "median", "low", "high"],
            [[r.night, r.compound, r.metric, r.unit, r.median, r.low, r.high] for r in shown.itertuples()],
        )
        console.print(f"{result.subjects:,} subjects in {result.elapsed_s:.1f} s (seed {result.seed}); "
                      f"Cmax: each person's exact peak, AUC from bedtime to wake-up ({wake_h:g} h); "
                      f"{LINEAR_MODEL_NOTE}. Spreads from: {', '.join(result.sources())}.")
        for note in _content_notes(content, scenario):
            console.print(note)


def _content_notes(content: str | None, scenario: object) -> tuple[str, ...]:
    """What ``--content market`` and a tea product assumed, said in the output."""
    from kratomsim.exposure import scenario_notes

    notes = [n for n in scenario_notes(scenario) if n.startswith("Tea:")]  # type: ignore[arg-type]
    if content is not None and content.strip().lower() == "market":
        from kratomsim.market import market_spread

        notes.insert(0, "Content: each person's product drawn from the market. " + market_spread().statement())
    return tuple(notes)
