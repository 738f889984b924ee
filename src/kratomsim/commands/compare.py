"""``kratomsim compare``: kratom and bedtime medicines side by side on the same clock.

A thin layer over :func:`kratomsim.night_report.compare_aids`. It predicts; it never recommends.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer

from kratomsim.commands._night_options import AT, DATE, JSON_OUT, MORNING, NIGHTS, WAKE
from kratomsim.commands._output import console, fmt, print_json, print_table
from kratomsim.commands._population_options import PopulationRequest, population_options, with_population
from kratomsim.commands.night import _abbreviations, print_sources


def _threshold_text(entry: dict[str, Any]) -> str:
    items = entry.get("next_morning_data") or []
    if not items:
        return "none"
    texts = []
    for item in items:
        if "concentration_ng_per_mL" in item:
            r = item["concentration_ng_per_mL"]
            texts.append(f"{item['morning_vs_range']} {r['low']:g}-{r['high']:g} ng/mL [{item['source']}]")
        elif "threshold_ng_per_mL" in item:
            texts.append(
                f"wake-up {item['wake_vs_threshold']}, morning {item['morning_vs_threshold']} "
                f"{item['threshold_ng_per_mL']:g} ng/mL [{item['source']}]"
            )
        else:
            texts.append(f"see below [{item['source']}]")
    return "; ".join(texts)


def _both(values: dict[str, Any], key: str) -> str:
    return f"{fmt(values[key + '_nM'])} ({fmt(values[key + '_ng_per_mL'])})"


def _iv(cell: dict[str, float], scale: float = 1.0, suffix: str = "") -> str:
    return f"{fmt(scale * cell['median'])}{suffix} [{fmt(scale * cell['low'])}-{fmt(scale * cell['high'])}]"


def _value(e: dict[str, Any], night: str, key: str) -> str:
    """A compared number: with a population, median [interval] in nM and ng/mL; else the typical value."""
    pop = (e.get("population") or {}).get(night)
    if pop is None:
        if key == "fraction_of_peak_at_wake":
            return f"{100 * e[night][key]:.3g}%"
        if key.endswith("ratio_vs_night1"):
            return fmt(e[night][key])
        return _both(e[night], key)
    if key == "fraction_of_peak_at_wake":
        return _iv(pop[key], 100.0, "%")
    if key.endswith("ratio_vs_night1"):
        return _iv(pop[key])
    return _iv(pop[key + "_nM"])  # nM only, to fit a terminal; the JSON has ng/mL too


def print_comparison(result: Any) -> None:
    s = result.setting
    aids = [e.to_dict() for e in result.aids]  # the printed tables read the JSON form
    console.print(
        f"[bold]Side by side[/bold]: each aid alone at {s['at']} for {s['nights']} night(s), wake-up {s['wake']}, "
        f"morning {s['morning']}", highlight=False,
    )
    def label(e: dict[str, Any]) -> str:
        if e["kind"] == "medicine":
            return str(e["aid"])
        return f"{e['aid'].split(':', 1)[1]} {short.get(e['compound'], e['compound'])}"

    short = _abbreviations([e["compound"] for e in aids])
    last = s["nights"]
    pop = getattr(result, "population", None)
    how = ""
    if pop:
        lo, hi = pop["interval_percent"]
        how = (f"; kratom: nM, median [{lo:.3g}-{hi:.3g}%] of {pop['subjects']:,} people; "
               "medicines: typical adult")
    print_table(
        "Wake-up and morning, nM (ng/mL)" + how,
        ["aid", "% of peak at wake", "wake-up n1", f"wake-up n{last}", f"{s['morning']} n{last}"],
        [[label(e), _value(e, "night_1", "fraction_of_peak_at_wake"), _value(e, "night_1", "wake"),
          _value(e, "night_last", "wake"), _value(e, "night_last", "morning")]
         for e in aids],
    )
    print_table(
        f"Accumulation after {last} night(s), and published next-morning data" + how,
        ["aid", f"AUC sleep n{last}/n1", f"wake-up n{last}/n1", "nights to 90% SS", "next-morning data"],
        [[label(e), _value(e, "night_last", "auc_ratio_vs_night1"), _value(e, "night_last", "wake_ratio_vs_night1"),
          str((e["steady_state"] or {}).get("nights_to_90pct", "-")), _threshold_text(e)]
         for e in aids],
    )
    abbreviated = [f"{v} = {k}" for k, v in short.items() if v != k]
    if abbreviated:
        console.print("Kratom alkaloids: " + ", ".join(abbreviated), highlight=False)
    _print_next_morning(aids)
    _print_with_kratom(aids)
    for warning in result.comedication_warnings:
        console.print(f"interaction: {warning}", highlight=False, markup=False)
    for note in result.notes:
        console.print(f"note: {note}", highlight=False)
    print_sources(result.sources)


def _print_next_morning(aids: list[dict[str, Any]]) -> None:
    """The published next-morning data of each aid (once per compound), and the share of people above its level."""
    shown = set()
    for e in aids:
        for item in e.get("next_morning_data") or []:
            key = (e["compound"], item["summary"])
            if key not in shown:
                shown.add(key)
                console.print(f"{e['compound']}, next morning: {item['summary']} "
                              f"[{item['source']}, {item['where']}]", highlight=False, markup=False)
    for e in aids:
        above = e.get("share_above_next_morning_level")
        if above:
            cells = "; ".join(
                f"{when}: {100 * v['all']:.3g}% (women {100 * v['female']:.3g}%, men {100 * v['male']:.3g}%)"
                for when, v in above["share"].items()
            )
            console.print(f"{e['aid']}: share of {above['subjects']:,} simulated people above "
                          f"{above['threshold_ng_per_mL']:g} ng/mL after night {above['nights']}: {cells} "
                          f"[{above['source']}; see docs/medicines.md]", highlight=False, markup=False)


def _print_psg(rows: list[dict[str, Any]]) -> None:
    """What each aid does to sleep stages in its own polysomnography (not a model output)."""
    from kratomsim.sleep_medicines import KRATOM_NOTE, psg_sources, psg_table

    if not rows:
        return
    header, cells = psg_table(rows)
    title = "What each does to sleep stages (published PSG vs placebo or baseline; pt = points of total sleep time)"
    print_table(title, header, cells)
    if any(r["medicine"] == "kratom" for r in rows):
        console.print(f"kratom: {KRATOM_NOTE}", highlight=False, markup=False)
    for src in psg_sources(rows):
        console.print(f"  [{src['key']}] {src['citation']}", highlight=False, markup=False)


def _print_with_kratom(aids: list[dict[str, Any]]) -> None:
    """Each medicine taken with kratom beside the same medicine alone: wake-up level against its threshold."""
    alone = {e["aid"]: e for e in aids if e["kind"] == "medicine" and "with_kratom" not in e}
    for e in aids:
        w = e.get("with_kratom")
        base = alone.get(e["aid"].split(" + ", 1)[0]) if w else None
        if not w or base is None:
            continue
        level = next((i["threshold_ng_per_mL"] for i in e.get("next_morning_data") or []
                      if "threshold_ng_per_mL" in i), None)
        against = f"; next-morning level {level:g} ng/mL" if level is not None else ""
        console.print(
            f"{e['aid']}: wake-up after night {e['last_night']} {fmt(e['night_last']['wake_ng_per_mL'])} ng/mL "
            f"with kratom vs {fmt(base['night_last']['wake_ng_per_mL'])} alone{against}; AUC ratio "
            f"{w['auc_ratio']:.3g} (dynamic model: gut {w['gut_term']:.3g}, liver {w['liver_term']:.3g})",
            highlight=False, markup=False)


SLEEP_PLOT = typer.Option(None, "--sleep-plot",
                          help="FILE.png or FILE.html: what each aid does to each sleep stage (PSG; kratom: model).")


def register(app: typer.Typer) -> None:
    @app.command()
    @population_options
    def compare(
        aid: list[str] = typer.Option(
            ..., "--aid", help="kratom:PRODUCT:DOSE (e.g. kratom:K51:2g) or MEDICINE:DOSE (e.g. zolpidem:10mg)."
        ),
        at: str = AT,
        wake: str = WAKE,
        nights: int = NIGHTS,
        morning: str = MORNING,
        weight: str = typer.Option("70kg", help="Body weight (kratom only; medicines use a 70 kg adult)."),
        date: str = DATE,
        plot: list[Path] = typer.Option([], "--plot", help="FILE.png or FILE.html (repeatable)."),
        sleep_plot: Path | None = SLEEP_PLOT,
        log: bool = typer.Option(True, "--log/--linear", help="Log scale (default: the aids differ a lot)."),
        json_out: bool = JSON_OUT,
        population: PopulationRequest = PopulationRequest(),
    ) -> None:
        """Fraction of peak left at wake-up, wake-up and morning levels and accumulation, aid by aid."""
        from kratomsim.night_report import compare_aids
        from kratomsim.report.plots import Curves, check_plot_path, medicine_thresholds, plot_curves

        request = population
        for path in [*plot, *([sleep_plot] if sleep_plot else [])]:
            check_plot_path(path)
        result = with_population(request, compare_aids, aid, at, wake, nights, morning, weight, date)
        conc = dict(result.series["conc_nM"])
        bands = {}
        for name, band in result.series.get("bands", {}).items():
            conc[name] = band["median"]
            bands[name] = (band["low"], band["high"])
        band_label = ""
        if result.population:
            lo, hi = result.population["interval_percent"]
            band_label = f"{lo:.3g}-{hi:.3g}% band of {result.population['subjects']:,} people"
        curves = Curves(
            clock=result.series["clock"], conc_nM=conc,
            molecular_weight=result.series["molecular_weight"], windows=result.windows,
            title=f"Sleep aids side by side, each alone at {at}, wake-up {wake} (model prediction)",
            dashed=frozenset(k for k in result.series["conc_nM"] if "kratom" not in k),
            bands=bands, band_label=band_label,
            thresholds=medicine_thresholds({k: result.series["molecular_weight"][k]
                                            for k in result.series["conc_nM"] if "kratom" not in k}),
        )
        written = [str(plot_curves(curves, path, log)) for path in plot]
        from kratomsim.report.sleep_grid_plot import plot_sleep_grid
        from kratomsim.sleep_medicines import psg_for_aids, psg_sources

        psg = psg_for_aids(result.aids)
        if sleep_plot is not None:
            written.append(str(plot_sleep_grid(psg, sleep_plot)))
        if json_out:
            print_json({**result.to_dict(), "sleep_stages_psg": {"rows": psg, "sources": psg_sources(psg)},
                        "plots": written})
            return
        print_comparison(result)
        _print_psg(psg)
        for path_text in written:
            console.print(f"plot written: {path_text}", highlight=False)
