"""`kratomsim strains`: mitragynine by strain label (red, green, white, ...), so the strain claim can be judged."""

from __future__ import annotations

import typer

from kratomsim.commands._output import console, print_json, print_table
from kratomsim.market import strain_comparison, within_product_variation


def register(app: typer.Typer) -> None:
    @app.command()
    def strains(json_out: bool = typer.Option(False, "--json", help="Machine-readable output.")) -> None:
        """Compare alkaloid content by strain label, with the variation across and within labels."""
        result = strain_comparison()
        repeats = within_product_variation()
        if json_out:
            print_json({
                "groups": [{"label": g.label, "basis": g.basis, "n": g.n, "median_mitragynine_mg_per_g": g.median,
                            "within_label_ratio": g.within_ratio,
                            "products": [{"id": pid, "mitragynine_mg_per_g": v} for pid, v in g.products]}
                           for g in result.groups],
                "across_label_ratio": {b: result.across_ratio(b) for b in sorted({g.basis for g in result.groups})},
                "finding": result.finding, "finding_source": result.finding_source,
                "statement": result.statement(),
                "within_product": [{"product": w.product, "what": w.what, "source": w.source, "where": w.where,
                                    "n": len(w.values) or None, "low_mg_per_g": w.low, "high_mg_per_g": w.high,
                                    "ratio": w.ratio, "rsd_percent": w.rsd_percent} for w in repeats],
            })
            return
        print_table(
            "Mitragynine by strain label (mg/g)",
            ["label", "basis", "n", "median", "within label (max/min)", "products"],
            [[g.label, g.basis, g.n, g.median, g.within_ratio if g.within_ratio else "one product",
              ", ".join(f"{pid} {v:g}" for pid, v in g.products)] for g in result.groups],
        )
        console.print(result.statement())
        console.print("Within one product (no source here assayed several lots of one strain label):")
        for w in repeats:
            console.print("  " + w.statement())
