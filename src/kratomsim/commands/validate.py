"""`kratomsim validate`: predicted against observed for every published statistic."""

from __future__ import annotations

import typer

from kratomsim.commands._output import console, print_json, print_table
from kratomsim.validation import validation_report


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
            keys = ("kind", "study", "compound", "statistic", "observed", "predicted", "fold_error", "limit",
                    "passed", "unit", "source")
            print_json({
                "rows": [{k: r[k] for k in keys} for r in rows],
                "independent_gmfe": report["gmfe"],
                "fitted_gmfe": report["gmfe_fitted"],
                "gmfe_checks": checks,
                "independent_outside_limit": report["independent_outside_limit"],
                "counts": report["counts"],
                "passed": report["passed"],
            })
        else:
            for kind, title in (("independent", "Independent (out-of-sample): these decide pass/fail"),
                                ("fitted", "Fitted (calibration targets): agreement expected"),
                                ("derivation", "Derivation (reproduce the statistic they were built from)")):
                chosen = [r for r in rows if r["kind"] == kind]
                if not chosen:
                    continue
                print_table(
                    title,
                    ["study", "compound", "statistic", "unit", "observed", "predicted", "fold error", "limit", "ok"],
                    [[r["study"], r["compound"], r["statistic"], r["unit"], r["observed"], r["predicted"],
                      r["fold_error"], r["limit"], ("yes" if r["passed"] else "NO") if kind == "independent" else "-"]
                     for r in chosen],
                )
            gm = report["gmfe"]
            assert isinstance(gm, dict)
            for study, stats in gm.items():
                console.print(f"independent GMFE {study}: " + ", ".join(f"{k} {v:.3f}" for k, v in stats.items()))
            console.print(f"rows by kind: {report['counts']}")
            verdict = "all independent rows within limits" if report["passed"] else (
                "[bold red]independent rows outside limits[/]")
            console.print(verdict)
        if not report["passed"]:
            raise typer.Exit(1)
