"""``kratomsim night``: the night report, a thin layer over :func:`kratomsim.night_report.night_report`.

Prints rich tables and the plain-language summary (or JSON), and writes PNG/HTML plots.
It predicts and explains; it never recommends a dose.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer

from kratomsim.commands._night_options import AT, AUTOINHIBITION, DATE, JSON_OUT, MORNING, NIGHTS, WAKE
from kratomsim.commands._output import console, fmt, print_json, print_table
from kratomsim.commands._population_options import PopulationRequest, population_options, with_population


def _whole(x: float) -> str:
    """AUCs read better as whole numbers than in exponent notation."""
    return f"{x:.0f}" if x >= 100 else fmt(x)


def _abbreviations(names: list[str]) -> dict[str, str]:
    """Short alkaloid names so the tables fit a terminal; medicines keep their names."""
    from kratomsim.library import compounds

    known = compounds()
    return {n: known[n].abbreviation if n in known else n for n in names}


def print_sources(sources: list[dict[str, str]]) -> None:
    """The citations list that ends every report."""
    console.print("\nSources of the numbers used:", style="bold")
    for s in sources:
        console.print(f"  [{s['key']}] {s['citation']}", highlight=False, markup=False)


def _print_header(report: Any) -> dict[str, str]:
    """The scenario line and the alkaloids; returns the short names the tables use."""
    sc = report.describe()
    console.print(
        f"[bold]Night report[/bold]: {sc['dose']} of {sc['product']} at {sc['at']}, wake-up {sc['wake']}, "
        f"morning {sc['morning']}, {sc['nights']} night(s) from {sc['first_dose']}, {sc['weight_kg']:g} kg",
        highlight=False,
    )
    doses = ", ".join(f"{k} {v:.3g} mg" for k, v in sc["alkaloid_mg_per_dose"].items() if v > 0)
    console.print(f"Alkaloids per dose: {doses}", highlight=False)
    names = report.compounds()
    short = _abbreviations(names)
    console.print("Alkaloids: " + ", ".join(f"{short[n]} = {n}" for n in names if short[n] != n), highlight=False)
    return short


def _print_concentrations(report: Any, short: dict[str, str]) -> None:
    """Night 1 and the last night in nM and ng/mL, every night of the focus compound, time to steady state."""
    last_n, morning = report.timeline.nights, report.request.morning
    pick = [(n, r) for n in report.compounds() for r in report.rows_for(n) if r.night in (1, last_n)]
    print_table(
        f"Night 1 and night {last_n}: plasma concentration (nM)",
        ["", "night", "at dose", "peak", "at", "wake-up", "% of peak", morning, "AUC*"],
        [[short[n], r.night, r.at_dose_nM, r.peak_nM, r.peak_clock[-5:], r.wake_nM,
          f"{100 * r.fraction_of_peak_at_wake:.3g}%", r.morning_nM, _whole(r.auc_sleep_nM_h)]
         for n, r in pick],
    )
    console.print("* AUC over the sleep window (dose to wake-up), nM*h.")
    print_table(
        f"ng/mL, and accumulation against night 1 (night 1 and night {last_n})",
        ["", "night", "at dose", "peak", "wake-up", morning, "AUC / n1", "wake-up / n1"],
        [[short[n], r.night, r.at_dose_ng_per_mL, r.peak_ng_per_mL, r.wake_ng_per_mL,
          r.morning_ng_per_mL, r.auc_ratio_vs_night1, r.wake_ratio_vs_night1] for n, r in pick],
    )
    focus = "mitragynine" if "mitragynine" in report.compounds() else report.compounds()[0]
    if last_n > 2:
        print_table(
            f"Every night: {focus}, nM",
            ["night", "at dose", "peak", "at", "wake-up", "AUC*", "AUC / n1", "wake-up / n1"],
            [[r.night, r.at_dose_nM, r.peak_nM, r.peak_clock[-5:], r.wake_nM,
              _whole(r.auc_sleep_nM_h), r.auc_ratio_vs_night1, r.wake_ratio_vs_night1]
             for r in report.rows_for(focus)],
        )
    print_table(
        "Nightly use: time to 90% of steady state (dose-to-dose AUC; linear model, superposition of one dose)",
        ["compound", "nights", "days"],
        [[k, v["nights_to_90pct"], v["days_to_90pct"]] for k, v in report.steady_state.items()],
    )


def _print_occupancy(occ: dict[str, Any], short: dict[str, str]) -> None:
    print_table(
        f"{occ['receptor']}-opioid receptor occupancy (% of receptors; data set {occ['data_set']}); "
        "share of occupied receptors at the peak",
        ["night", "bedtime", "peak", "wake-up", "shares at peak"],
        [[n["night"], f"{n['bedtime']['occupancy_percent']:.3g}%",
          f"{n['peak']['occupancy_percent']:.3g}% at {n['peak']['clock'][-5:]}",
          f"{n['wake']['occupancy_percent']:.3g}%",
          ", ".join(f"{short.get(k, k)} {v:.2g}%" for k, v in sorted(n["peak"]["share_of_occupied_percent"].items(),
                                                       key=lambda kv: -kv[1]) if v >= 0.5)]
         for n in occ["nights"]],
    )


def _print_closing(report: Any) -> None:
    """The summary, co-medication warnings, evidence, notes and sources."""
    console.print("\n[bold]Summary[/bold]")
    console.print(report.summary, highlight=False, markup=False)
    for w in report.comedication_warnings:
        console.print(f"co-medication: {w}", highlight=False, markup=False)
    if report.evidence:
        console.print("\n[bold]What the studies show[/bold]")
        for e in report.evidence:
            console.print(f"  - {e['text']} [{'; '.join(e['sources'])}]", highlight=False, markup=False)
    for note in report.notes:
        console.print(f"note: {note}", highlight=False, markup=False)
    if report.occupancy:
        for note in (n for n in report.occupancy["notes"] if n not in report.notes):
            console.print(f"receptor note: {note}", highlight=False)
    print_sources(report.sources)


def print_report(report: Any) -> None:
    """Tables, then the summary, warnings, evidence and sources (for people)."""
    short = _print_header(report)
    _print_concentrations(report, short)
    if report.occupancy:
        _print_occupancy(report.occupancy, short)
    if report.autoinhibition:
        print_autoinhibition(report.autoinhibition, short)
    if report.sleep_architecture:
        print_sleep(report.sleep_architecture)
    if report.population:
        print_population(report, short)
    _print_closing(report)


def print_autoinhibition(section: dict[str, Any], short: dict[str, str]) -> None:
    """Hepatic CYP3A4 activity by night and, when asked, the on/off table after 1-30 nights."""
    console.print(f"autoinhibition: {section['statement']}", highlight=False, markup=False)
    activity = section.get("cyp3a4_activity") or []
    if activity:
        shown = [a for a in activity if a["night"] in (1, 2, 7, 14, 30, activity[-1]["night"])]
        print_table("Hepatic CYP3A4 activity left (1 = untouched), at the dose and at wake-up",
                    ["night", "at dose", "wake-up"], [[a["night"], a["at_dose"], a["wake"]] for a in shown])
    eff = section.get("effect")
    if eff:
        print_table(
            "Autoinhibition on against off, regimen stopped after N nights (on / off)",
            ["N", "", "peak nM", "trough 24 h nM", "t1/2 after last dose h"],
            [[r["nights"], short.get(r["compound"], r["compound"]),
              f"{fmt(r['peak_nM']['on'])} / {fmt(r['peak_nM']['off'])}",
              f"{fmt(r['trough_nM']['on'])} / {fmt(r['trough_nM']['off'])}",
              f"{fmt(r['half_life_h']['on'])} / {fmt(r['half_life_h']['off'])}"] for r in eff["rows"]],
        )
        ratio = eff["ratio_7oh_to_mitragynine"]
        console.print("7-OH/mitragynine AUC ratio over the last night (on / off): " + ", ".join(
            f"N={n}: {fmt(v['on'])} / {fmt(v['off'])}" for n, v in ratio.items()), highlight=False)
        console.print(f"method: {eff['method']}", highlight=False, markup=False)


def _sleep_size(c: dict[str, Any], key: str = "change") -> str:
    ch = c.get(key) or {}
    return "-" if ch.get("median") is None else f"{ch['median']:+.2g} ({ch['low']:+.2g} to {ch['high']:+.2g})"


def _sleep_rows(sleep: dict[str, Any]) -> list[list[Any]]:
    """One row per reported night; after night 1 a second row with the tolerance bracket."""
    words = {None: "not predicted", 0: "no change", -1: "less", 1: "more"}
    rows = []
    for n in sleep["nights"]:
        stim = _cell(n["night_mean_mu_stimulus_percent"], suffix="%")
        rows.append([n["night"], stim, *(f"{words[c['direction']]}; {_sleep_size(c)}" for c in n["changes"].values())])
        if n["night"] > 1:
            rows.append([f"{n['night']}, tolerance bracket", "",
                         *(_sleep_size(c, "change_with_tolerance") for c in n["changes"].values())])
    return rows


def _sleep_checks(sleep: dict[str, Any]) -> str:
    """The leave-one-study-out checks in one line: SWS change errors and the sign agreement."""
    card = sleep["sws_size_model"]
    errs = ", ".join(f"{r['study']} {r['error_points']:+.1f}" for r in card["loso"])
    signs = card["sign_loso"]
    return (f"sleep: leave-one-study-out: SWS change predicted - observed (points) {errs or 'none'}; "
            f"direction agreed in {signs['agreed']} of {signs['compared']} arm-outcomes "
            f"({signs['not_predicted']} not predicted)")


def print_sleep(sleep: dict[str, Any]) -> None:
    """Predicted sleep-stage changes (opioid bridge), with the assumption, the checks and the evidence beside it."""
    print_table(
        "Sleep stages vs no kratom (opioid bridge; points of total sleep time, median (90% interval); "
        "SWS size: pooled opioid fit, REM: proportional scenario)",
        ["night", "mu stimulus", *(c["outcome"] for c in sleep["nights"][0]["changes"].values())],
        _sleep_rows(sleep),
    )
    lines = [f"sleep: fit {sleep['identifiability']['fit']}: {sleep['identifiability']['reason']}",
             _sleep_checks(sleep), f"sleep: {sleep['assumption']}"]
    lines += [f"sleep: {n['tolerance']}" for n in sleep["nights"][-1:] if n.get("tolerance")]
    lines += [f"  kratom's own evidence: {e['finding']} [{e['source']}]"
              for e in sleep["kratom_evidence"] if e["finding"]]
    lines += [f"  on stopping: {w['finding']} [{w['source']}]" for w in sleep.get("withdrawal", []) if w["finding"]]
    for line in lines:
        console.print(line, highlight=False, markup=False)


def _cell(cell: dict[str, float], scale: float = 1.0, suffix: str = "", f: Any = fmt) -> str:
    """'81.8 (31.6-187)': median, then the interval."""
    return f"{f(scale * cell['median'])}{suffix} ({f(scale * cell['low'])}-{f(scale * cell['high'])})"


def print_population(report: Any, short: dict[str, str]) -> None:
    """Median and prediction interval across the simulated people, night 1 and the last night."""
    pop = report.population
    lo, hi = pop["interval_percent"]
    last_n = report.timeline.nights
    rows = [r for r in pop["nights"] if r["night"] in (1, last_n)]
    title = f"Across {pop['subjects']:,} simulated people (seed {pop['seed']}): median ({lo:.3g}-{hi:.3g}%)"
    morning = report.request.morning

    def who(r: dict[str, Any]) -> list[Any]:
        return [short.get(r["compound"], r["compound"]), r["night"]]

    print_table(
        f"{title}, nM",
        ["", "night", "at dose", "peak", "wake-up", morning],
        [[*who(r), _cell(r["at_dose_nM"]), _cell(r["peak_nM"]), _cell(r["wake_nM"]), _cell(r["morning_nM"])]
         for r in rows],
    )
    print_table(
        f"{title}: peak left at wake-up, AUC* (nM*h) and accumulation",
        ["", "night", "% of peak", "AUC*", "AUC / n1", "wake-up / n1"],
        [[*who(r), _cell(r["fraction_of_peak_at_wake"], 100.0, "%"), _cell(r["auc_sleep_nM_h"], f=_whole),
          _cell(r["auc_ratio_vs_night1"]), _cell(r["wake_ratio_vs_night1"])] for r in rows],
    )
    print_table(
        f"{title}, ng/mL",
        ["", "night", "peak", "wake-up", morning],
        [[*who(r), _cell(r["peak_ng_per_mL"]), _cell(r["wake_ng_per_mL"]), _cell(r["morning_ng_per_mL"])]
         for r in rows],
    )
    for note in pop["notes"]:
        console.print(f"population: {note}", highlight=False, markup=False)


def register(app: typer.Typer) -> None:
    @app.command()
    @population_options
    def night(
        product: str = typer.Option("K51", help="Library product id or a product YAML file."),
        dose: str = typer.Option("2g", help="Grams of leaf ('2g') or mg of one alkaloid ('20mg:mitragynine')."),
        at: str = AT,
        wake: str = WAKE,
        nights: int = NIGHTS,
        morning: str = MORNING,
        weight: str = typer.Option("70kg", help="Body weight."),
        date: str = DATE,
        with_: list[str] = typer.Option([], "--with", help="Medicine taken at the same time, e.g. zolpidem:10mg."),
        plot: list[Path] = typer.Option([], "--plot", help="FILE.png or FILE.html (repeatable)."),
        occupancy_plot: Path = typer.Option(None, "--occupancy-plot", help="Receptor occupancy plot, .png/.html."),
        sleep_plot: Path = typer.Option(None, "--sleep-plot", help="Predicted sleep-stage changes, .png/.html."),
        log: bool = typer.Option(False, "--log", help="Log scale for the concentration axis."),
        json_out: bool = JSON_OUT,
        extrapolate: bool = typer.Option(False, "--extrapolate", help="Allow a dose of mg of 7-OH (no human "
                                         "PK study of oral 7-OH exists: the result is an extrapolation)."),
        autoinhibition: bool = AUTOINHIBITION,
        autoinhibition_effect: bool = typer.Option(
            False, "--autoinhibition-effect",
            help="Also tabulate what autoinhibition changes after 1, 7, 14 and 30 nights (on against off)."),
        population: PopulationRequest = PopulationRequest(),
    ) -> None:
        """Bedtime, peak, wake-up and morning exposure over the nights, accumulation and receptor occupancy."""
        from kratomsim.night_report import night_report
        from kratomsim.report.plots import check_plot_path, plot_night, plot_occupancy, plot_sleep_changes

        request = population
        for path in [*plot, *([occupancy_plot] if occupancy_plot else []), *([sleep_plot] if sleep_plot else [])]:
            check_plot_path(path)
        report = with_population(request, night_report, product, dose, at, wake, nights, morning, weight, date,
                                 tuple(with_), extrapolate=extrapolate, autoinhibition=autoinhibition,
                                 autoinhibition_effect=autoinhibition_effect)
        written = [str(plot_night(report, path, log)) for path in plot]
        if occupancy_plot:
            written.append(str(plot_occupancy(report, occupancy_plot)))
        if sleep_plot and report.sleep_architecture:
            written.append(str(plot_sleep_changes(report.sleep_architecture, sleep_plot)))
        if json_out:
            print_json({**report.to_dict(), "plots": written})
            return
        print_report(report)
        for path_text in written:
            console.print(f"plot written: {path_text}", highlight=False)
