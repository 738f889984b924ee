"""`kratomsim products` and `kratomsim compounds`: what the library holds, with sources."""

from __future__ import annotations

import typer

from kratomsim.commands._output import print_json, print_table
from kratomsim.datafiles import references
from kratomsim.library import compounds as library_compounds
from kratomsim.library import library_products


def _cite(keys: tuple[str, ...]) -> str:
    refs = references()
    return "; ".join(refs[k].short() if k in refs else k for k in keys)


def register(app: typer.Typer) -> None:
    @app.command()
    def products(json_out: bool = typer.Option(False, "--json", help="Machine-readable output.")) -> None:
        """List the products with published assays (mg of alkaloid per g of leaf) and their sources."""
        items = library_products()
        if json_out:
            print_json([
                {"id": p.id, "name": p.name, "form": p.form, "alkaloids_mg_per_g": p.alkaloids_mg_per_g,
                 "below_loq": list(p.below_loq), "sources": [references()[k].short() for k in p.sources]}
                for p in items.values()
            ])
            return
        print_table(
            "Products (mg alkaloid per g leaf)",
            ["id", "name", "form", "alkaloids (mg/g)", "source"],
            [[p.id, p.name, p.form,
              ", ".join(f"{k} {v:g}" for k, v in p.alkaloids_mg_per_g.items())
              + ("; below LOQ: " + ", ".join(p.below_loq) if p.below_loq else ""),
              _cite(p.sources)] for p in items.values()],
        )

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
