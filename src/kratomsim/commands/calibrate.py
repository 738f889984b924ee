"""`kratomsim calibrate`: refit the apparent PK parameters to the published statistics."""

from __future__ import annotations

from pathlib import Path

import typer

from kratomsim.calibrate import calibrate_all, default_parameter_path, write_parameters
from kratomsim.commands._output import console, print_json, print_table


def register(app: typer.Typer) -> None:
    @app.command()
    def calibrate(
        out: Path = typer.Option(None, "--out", help="Where to write the parameters (default: the library)."),
        json_out: bool = typer.Option(False, "--json", help="Machine-readable output."),
    ) -> None:
        """Fit each alkaloid's model to Tanna 2022's medians; writes parameters with residuals."""
        results = calibrate_all()
        target = out or default_parameter_path()
        write_parameters(results, target)
        if json_out:
            print_json({name: {"parameters": r.parameters, "formation": r.formation, "residuals": r.residuals}
                        for name, r in results.items()})
            return
        rows = [[name, row["statistic"], row["observed"], row["predicted"], row["fold_error"]]
                for name, r in results.items() for row in r.residuals]
        print_table("Calibration residuals", ["compound", "statistic", "observed", "predicted", "fold"], rows)
        console.print(f"parameters written to {target.name}")
