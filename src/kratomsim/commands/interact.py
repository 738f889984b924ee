"""`kratomsim interact`: what kratom is predicted to do to a medicine taken the same night.

A thin layer over :mod:`kratomsim.interactions`: it parses, calls, and prints a table or JSON.
"""

from __future__ import annotations

from typing import Annotated, Any

import typer

from kratomsim import interactions
from kratomsim.errors import InputError
from kratomsim.units import parse_clock, parse_mass_mg


def _print_human(p: dict[str, Any]) -> None:
    from kratomsim.commands._output import console, fmt, print_table

    where = "gut wall" if p["site"] == "gut" else "liver"
    rows: list[list[Any]] = [
        ["AUC ratio", p["auc_ratio"], f"{fmt(p['auc_ratio_low'])} - {fmt(p['auc_ratio_high'])}"],
        ["Cmax ratio", p["cmax_ratio"], f"{fmt(p['cmax_ratio_low'])} - {fmt(p['cmax_ratio_high'])}"],
        ["gut term", p["gut_term"], ""],
        ["liver term", p["liver_term"], ""],
    ]
    if p.get("active_metabolite_auc_ratio") is not None:
        rows.append([f"{p['active_metabolite']} AUC ratio", p["active_metabolite_auc_ratio"], ""])
    after = "" if p["nights"] == 1 else f", after {p['nights']} nights"
    title = f"{p['victim']} with {p['kratom_dose']} of {p['product'] or 'kratom'}{after} ({p['model']} model)"
    print_table(title, ["quantity", "predicted", "range"], rows)
    console.print(f"Driven by {p['enzyme']} inhibition in the {where}.")
    study = p.get("clinical_study")
    if study:
        console.print(
            f"Observed in {study['study']} ({study['source']}): AUC ratio {fmt(study['auc_ratio'])} "
            f"(90% CI {fmt(study['ci90'][0])}-{fmt(study['ci90'][1])}); predicted {fmt(study['dynamic'])} "
            f"(dynamic, default), {fmt(study['static'])} (mechanistic static), "
            f"{fmt(study['screen'])} (basic gut screen, dose/250 mL: a screen, not a prediction)."
        )
    morning = p["next_morning"]
    if morning and morning.get("available"):
        console.print(
            f"At {morning['wake']} ({fmt(morning['hours_after_dose'])} h after a "
            f"{fmt(morning['victim_dose_mg'])} mg dose): "
            f"{fmt(morning['without_kratom_ng_per_mL'])} ng/mL without kratom, "
            f"{fmt(morning['with_kratom_ng_per_mL'])} ng/mL with."
        )
    elif morning:
        console.print(morning["reason"])
    console.print("Assumptions:")
    for line in p["assumptions"]:
        console.print(f"  - {line}")
    console.print("Sources: " + ", ".join(p["sources"]))
    console.print("A prediction from in vitro data, not advice about any dose.")


def register(app: typer.Typer) -> None:
    """Add the `interact` command to the app."""

    @app.command("interact")
    def interact(
        victim: Annotated[
            str, typer.Option("--victim", help="medicine taken the same night, e.g. midazolam")
        ],
        product: Annotated[
            str, typer.Option("--product", help="library product id or a product YAML file")
        ] = "K51",
        dose: Annotated[str, typer.Option("--dose", help="kratom dose, e.g. 2g or 20mg:mitragynine")] = "2g",
        victim_dose: Annotated[
            str | None, typer.Option("--victim-dose", help="dose of the medicine, e.g. 2.5mg")
        ] = None,
        nights: Annotated[
            int, typer.Option("--nights", help="nights of kratom, the medicine on the last")
        ] = 1,
        dynamic: Annotated[
            bool, typer.Option("--dynamic/--static",
                               help="enzyme-turnover model (default) or the mechanistic static model")
        ] = True,
        at: Annotated[str, typer.Option("--at", help="clock time of kratom and the medicine")] = "22:30",
        wake: Annotated[
            str, typer.Option("--wake", help="wake-up time for the next-morning level")
        ] = "07:00",
        as_json: Annotated[bool, typer.Option("--json", help="machine-readable output")] = False,
    ) -> None:
        """Predicted AUC and Cmax ratios of a medicine taken with kratom (CYP3A4/CYP2D6), with a range."""
        if nights < 1:
            raise InputError(f"--nights must be 1 or more, got {nights}")
        regimen = interactions.kratom_regimen(product, dose, nights, at)
        mg = parse_mass_mg(victim_dose, "victim dose") if victim_dose else None
        payload = interactions.interaction(victim, regimen, mg, parse_clock(wake, "wake-up time"), dynamic).to_dict()
        if as_json:
            from kratomsim.commands._output import print_json

            print_json(payload)
        else:
            _print_human(payload)
