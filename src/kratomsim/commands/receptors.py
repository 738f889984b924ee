"""``kratomsim receptors``: receptor occupancy across the night, a thin layer over :mod:`kratomsim.occupancy_report`.

It simulates the nights, hands the exposure to :func:`kratomsim.occupancy_report.occupancy_report`,
and prints, writes its JSON form or plots. It predicts; it never
recommends a dose.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, time
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from kratomsim.commands._night_options import AT, JSON_OUT, WAKE
from kratomsim.commands._output import console, fmt, print_json, print_table
from kratomsim.commands._population_options import PopulationRequest, population_options, with_population
from kratomsim.errors import InputError
from kratomsim.limits import NIGHTS
from kratomsim.occupancy_report import OccupancyAsked, check_binding, occupancy_report
from kratomsim.units import parse_clock

if TYPE_CHECKING:
    from kratomsim.exposure import Exposure

MAX_NIGHTS = int(NIGHTS.high)  # the shared limit
PLOT_SUFFIXES = (".png", ".html")


def run_exposure(product: str, dose: str, at: str, wake: time, nights: int) -> Exposure:
    """Simulate ``nights`` nightly doses through the last wake-up (the night report's own grid)."""
    from kratomsim.night_report import make_timeline, nightly_exposure

    return nightly_exposure(product, dose, make_timeline(at, wake.strftime("%H:%M"), nights,
                                                               start_date=date.today()))


def _check_plot(path: Path | None) -> None:
    if path is not None and path.suffix.lower() not in PLOT_SUFFIXES:
        raise InputError(f"cannot plot to {path.name!r}: accepted file types are {', '.join(PLOT_SUFFIXES)}")


def _cell(c: dict[str, float]) -> str:
    """A median and its interval, in percent."""
    return f"{c['median']:.3g}% ({c['low']:.3g}-{c['high']:.3g})"


def _print_summary(summary: dict[str, Any], header: str) -> None:
    console.print(header)
    console.print(
        f"Receptor: {summary['receptor']}; binding data set: {summary['data_set']}; "
        f"efficacy from: {summary['efficacy_set']}; unbound fraction: {summary['fu_scenario']}"
    )
    rows = []
    for n in summary["nights"]:
        rows.append(
            [
                n["night"],
                f"{n['bedtime']['occupancy_percent']:.3g}% at {n['bedtime']['clock'][-5:]}",
                f"{n['peak']['occupancy_percent']:.3g}% at {n['peak']['clock']}",
                f"{n['wake']['occupancy_percent']:.3g}% at {n['wake']['clock'][-5:]}",
                f"{n['peak']['stimulus_percent']:.3g}%",
            ]
        )
    print_table(
        "Occupancy (% of receptors)", ["night", "bedtime", "peak", "wake-up", "stimulus at peak"], rows
    )
    pop = summary.get("population")
    if pop:
        iv = _cell
        print_table(
            f"Across {pop['subjects']:,} simulated people (seed {pop['seed']}): median ({pop['interval']})",
            ["night", "bedtime", "peak", "wake-up", "stimulus at peak"],
            [[n["night"], iv(n["bedtime"]["occupancy_percent"]), iv(n["peak"]["occupancy_percent"]),
              iv(n["wake"]["occupancy_percent"]), iv(n["peak"]["stimulus_percent"])] for n in pop["nights"]],
        )
        console.print(f"population: {pop['method']}; the other tables are the typical subject.", highlight=False)
    last = summary["nights"][-1]["peak"]["by_alkaloid_percent"] if summary["nights"] else {}
    print_table(
        "Each alkaloid at the last night's peak (% of receptors)",
        ["alkaloid", "occupancy", "efficacy e"],
        [
            [k, fmt(v), "unknown" if summary["efficacy"].get(k) is None else fmt(summary["efficacy"][k])]
            for k, v in last.items()
        ],
    )
    sens = summary["sensitivity_peak_occupancy_percent"]
    print_table(
        f"Sensitivity: peak occupancy under every data set and unbound fraction "
        f"(range {sens['min']:.3g}% to {sens['max']:.3g}%)",
        ["data set", "unbound fraction", "peak occupancy %"],
        [[r["data_set"], r["fu_scenario"], r["peak_occupancy_percent"]] for r in sens["rows"]],
    )
    for note in summary["notes"]:
        console.print(f"note: {note}", highlight=False)
    from kratomsim.datafiles import references

    refs = references()
    console.print("Sources:")
    for key in summary["sources"]:
        console.print(f"  [{key}] {refs[key].short() if key in refs else key}", highlight=False)
    console.print("This is a prediction from in-vitro data; it is not advice on any dose.")


def _print_interval(summary: dict[str, Any]) -> None:
    """The headline: the 90 % interval of peak occupancy, each alkaloid's share, the positive control."""
    iv = summary.get("interval")
    if not iv:
        return
    cell = _cell
    console.print(f"Peak {iv['receptor']} occupancy, median (90 % interval) over binding sets, unbound fraction "
                  f"and Kp,uu: {cell(iv['peak_occupancy_percent'])}", highlight=False)
    print_table("Share of the occupied receptors at the peak, median (90 % interval)", ["alkaloid", "share"],
                [[k, cell(v)] for k, v in iv["share_of_occupied_percent"].items()])
    pc = summary.get("positive_control")
    if pc:
        print_table(f"Positive control: the same chain on {pc['drug']} against PET ({pc['study']})",
                    ["dose", "plasma ng/mL", "observed % (95 % range)", "predicted % (90 % interval)", "inside"],
                    [[f"{a['dose_mg']:g} mg", f"{a['plasma_ng_per_mL'][0]:g}-{a['plasma_ng_per_mL'][1]:g}",
                      f"{a['observed_percent']:g} ({a['observed_range_percent'][0]:.3g}-"
                      f"{a['observed_range_percent'][1]:.3g})",
                      f"{a['predicted_percent']:.3g} ({a['predicted_interval_percent'][0]:.3g}-"
                      f"{a['predicted_interval_percent'][1]:.3g})", "yes" if a["passed"] else "no"]
                     for a in pc["arms"]])


def _checked_receptor(receptor: str, receptor_data: str | None, fu: str, plot: Path | None) -> str:
    """Fail fast on a bad receptor, data set, unbound-fraction scenario or plot file, before simulating."""
    rec = check_binding(receptor, receptor_data, fu)
    _check_plot(plot)
    return rec


def _night_summary(
    product: str, dose: str, at: str, wake: tuple[str, time], nights: int, binding: tuple[str, str | None, str],
    request: PopulationRequest, plot: Path | None,
) -> dict[str, Any]:
    """The night's occupancy report (with the population and the plot when asked), in its JSON form."""
    wake_text, wake_clock = wake
    exposure = run_exposure(product, dose, at, wake_clock, nights)
    asked = OccupancyAsked(product=product, dose=dose, at=at, wake=wake_text, nights=nights)
    report = with_population(request, occupancy_report, exposure, asked, wake_clock, binding)
    if plot is not None:
        from kratomsim.report.occupancy_plots import plot_occupancy

        plot_occupancy(plot, exposure, report.to_dict(), list(report.windows))
        report = replace(report, plot=str(plot))
    return report.to_dict()


def register(app: typer.Typer) -> None:
    @app.command("receptors")
    @population_options
    def receptors(
        product: str = typer.Option(
            "K51", "--product", help="Library product id (e.g. K51) or a product YAML file."
        ),
        dose: str = typer.Option(
            "2g", "--dose", help="Grams of leaf ('2g') or mg of one alkaloid ('20mg:mitragynine')."
        ),
        at: str = AT,
        wake: str = WAKE,
        nights: int = typer.Option(1, "--nights", help="Number of nights with one dose each."),
        receptor: str = typer.Option("mu", "--receptor", help="mu, kappa, delta, 5-HT1A or 5-HT2B."),
        receptor_data: str | None = typer.Option(
            None, "--receptor-data", help="Binding data set (default per receptor)."
        ),
        fu: str = typer.Option("default", "--fu", help="Unbound fraction scenario: default, low or high."),
        json_out: bool = JSON_OUT,
        plot: Path | None = typer.Option(None, "--plot", help="Write a plot: FILE.png or FILE.html."),
        population: PopulationRequest = PopulationRequest(),
    ) -> None:
        """Opioid and serotonin receptor occupancy and stimulus from the alkaloid mix, night by night."""
        request = population
        wake_clock = parse_clock(wake, "wake-up time")
        rec = _checked_receptor(receptor, receptor_data, fu, plot)
        summary = _night_summary(product, dose, at, (wake, wake_clock), nights, (rec, receptor_data, fu), request, plot)
        if json_out:
            print_json(summary)
        else:
            _print_summary(summary, f"{dose} of {product} at {at}, wake {wake}, {nights} night(s)")
            _print_interval(summary)
            if plot is not None:
                console.print(f"plot written: {plot}")
