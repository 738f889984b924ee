"""`kratomsim products` and `kratomsim compounds`: what the library holds, with sources."""

from __future__ import annotations

from pathlib import Path

import typer

from kratomsim.commands._output import console, print_json, print_table
from kratomsim.datafiles import references
from kratomsim.library import Product
from kratomsim.library import compounds as library_compounds
from kratomsim.market import filter_products, market_spread
from kratomsim.tea import CALIBRATION_STATEMENT, tea_extraction


def _cite(keys: tuple[str, ...]) -> str:
    refs = references()
    return "; ".join(refs[k].short() if k in refs else k for k in keys)


def _amounts(p: Product) -> str:
    per_g = ", ".join(f"{k} {v:g} mg/g" for k, v in p.alkaloids_mg_per_g.items())
    per_unit = ", ".join(f"{k} {v:g} mg per {p.form} (labelled)" for k, v in p.alkaloids_mg_per_unit.items())
    below = "below LOQ: " + ", ".join(p.below_loq) if p.below_loq else ""
    basis = " (reached the tea)" if p.basis == "tea_yield" else ""
    return "; ".join(x for x in (per_g + basis if per_g else "", per_unit, below) if x)


def _product_dict(p: Product) -> dict[str, object]:
    return {"id": p.id, "name": p.name, "form": p.form, "kind": p.kind, "basis": p.basis, "strain": p.strain,
            "alkaloids_mg_per_g": p.alkaloids_mg_per_g, "alkaloids_mg_per_unit": p.alkaloids_mg_per_unit,
            "below_loq": list(p.below_loq), "assay": p.assay, "where": p.where, "verified_from": p.verified_from,
            "notes": list(p.notes), "sources": [references()[k].short() for k in p.sources]}


def register(app: typer.Typer) -> None:
    @app.command()
    def products(
        form: str | None = typer.Option(None, "--form", help="Only this form (powder, leaf, tea, capsule, extract, "
                                        "liquid, tablet, strip, spent_leaf, unspecified)."),
        contains: str | None = typer.Option(None, "--contains", help="Only products holding this alkaloid, "
                                            "e.g. 7-hydroxymitragynine or 7-OH."),
        plot: Path | None = typer.Option(None, "--plot", help="Write the market-spread plot (PNG)."),
        json_out: bool = typer.Option(False, "--json", help="Machine-readable output."),
    ) -> None:
        """List assayed products (mg alkaloid per g, or per unit) with sources, and the market spread."""
        items = filter_products(form, contains)
        spread = market_spread()
        if plot is not None:
            from kratomsim.report.market_plot import plot_market  # the plotting stack loads only when asked

            plot_market(plot)
        if json_out:
            print_json({
                "products": [_product_dict(p) for p in items],
                "market_spread_mitragynine": spread.to_dict(),
                "tea_extraction": tea_extraction().statement(),
                "k51_calibration": CALIBRATION_STATEMENT,
            })
            return
        print_table(
            f"Products ({len(items)}; mg alkaloid per g, or per unit for concentrates)",
            ["id", "form", "kind", "alkaloids", "source", "seen as"],
            [[p.id, p.form, p.kind + (f", {p.strain}" if p.strain else ""), _amounts(p),
              ", ".join(p.sources), p.verified_from] for p in items],
        )
        console.print(spread.statement())
        console.print(tea_extraction().statement())
        console.print(CALIBRATION_STATEMENT)
        if plot is not None:
            console.print(f"plot written: {plot}")

    @app.command()
    def compounds(json_out: bool = typer.Option(False, "--json", help="Machine-readable output.")) -> None:
        """List the alkaloids with molecular weights and sources."""
        items = library_compounds()
        if json_out:
            print_json([
                {"name": c.name, "abbreviation": c.abbreviation, "formula": c.formula,
                 "molecular_weight_g_per_mol": c.molecular_weight,
                 "sources": [references()[k].short() for k in c.sources]}
                for c in items.values()
            ])
            return
        print_table(
            "Compounds",
            ["name", "abbr.", "formula", "MW (g/mol)", "source"],
            [[c.name, c.abbreviation, c.formula, c.molecular_weight, _cite(c.sources)] for c in items.values()],
        )
