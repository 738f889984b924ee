"""`kratomsim validate`: predicted against observed for every published statistic."""

from __future__ import annotations

import typer

from kratomsim.commands._output import console, print_json, print_table
from kratomsim.validate import validation_report


def register(app: typer.Typer) -> None:
    @app.command()
    def validate(
        json_out: bool = typer.Option(False, "--json", help="Machine-readable output."),
    ) -> None:
        """Reproduce published study tables: observed, predicted, fold error, GMFE."""
        report = validation_report()
        rows = report["rows"]
        assert isinstance(rows, list)
        checks = report["gmfe_checks"]
        assert isinstance(checks, list)
        if json_out:
            keys = ("study", "compound", "statistic", "observed", "predicted", "fold_error", "limit", "passed", "unit")
            listing = [{"kind": "statistic", **{k: r[k] for k in keys}} for r in rows]
            listing += [
                {"kind": "gmfe", "study": c["study"], "compound": "all", "statistic": c["statistic"],
                 "observed": None, "predicted": None, "fold_error": c["gmfe"], "limit": c["limit"],
                 "passed": c["passed"], "unit": ""}
                for c in checks
            ]
            print_json(listing)
        else:
            print_table(
                "Validation: model vs published statistics",
                ["study", "compound", "statistic", "unit", "observed", "predicted", "fold error", "limit", "ok"],
                [[r["study"], r["compound"], r["statistic"], r["unit"], r["observed"], r["predicted"],
                  r["fold_error"], r["limit"], "yes" if r["passed"] else "NO"] for r in rows],
            )
            gm = report["gmfe"]
            assert isinstance(gm, dict)
            for study, stats in gm.items():
                console.print(f"GMFE {study}: " + ", ".join(f"{k} {v:.3f}" for k, v in stats.items()))
            console.print("all within limits" if report["passed"] else "[bold red]some rows outside limits[/]")
        if not report["passed"]:
            raise typer.Exit(1)
