"""`kratomsim strains`: mitragynine by strain label (red, green, white, ...), so the strain claim can be judged."""

from __future__ import annotations

import typer

from kratomsim.commands._output import console, print_json, print_table
from kratomsim.market import strain_comparison


def register(app: typer.Typer) -> None:
    @app.command()
    def strains(json_out: bool = typer.Option(False, "--json", help="Machine-readable output.")) -> None:
        """Compare alkaloid content by strain label, with the variation across and within labels."""
        result = strain_comparison()
        if json_out:
            print_json({
                "groups": [{"label": g.label, "basis": g.basis, "n": g.n, "median_mitragynine_mg_per_g": g.median,
                            "within_label_ratio": g.within_ratio,
                            "products": [{"id": pid, "mitragynine_mg_per_g": v} for pid, v in g.products]}
                           for g in result.groups],
                "across_label_ratio": {b: result.across_ratio(b) for b in sorted({g.basis for g in result.groups})},
                "finding": result.finding, "finding_source": result.finding_source,
                "statement": result.statement(),
            })
            return
        print_table(
            "Mitragynine by strain label (mg/g)",
            ["label", "basis", "n", "median", "within label (max/min)", "products"],
            [[g.label, g.basis, g.n, g.median, g.within_ratio if g.within_ratio else "one product",
              ", ".join(f"{pid} {v:g}" for pid, v in g.products)] for g in result.groups],
        )
        console.print(result.statement())
