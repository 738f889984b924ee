"""`kratomsim calibrate`: refit the apparent PK parameters to the published statistics.

Writes only where ``--out`` says (the shipped file is rebuilt by `make calibration`).
"""

from __future__ import annotations

from pathlib import Path

import typer

from kratomsim.calibrate import calibrate_all, share_profile, write_parameters
from kratomsim.commands._output import console, print_json, print_table
from kratomsim.errors import InputError


def _target(out: Path | None) -> Path:
    if out is None:
        raise InputError("--out is required: give the file to write, e.g. --out pk_parameters.yaml")
    folder = out.parent if str(out.parent) else Path(".")
    if not folder.is_dir():
        raise InputError(f"--out folder does not exist: {folder}; give a path in an existing folder")
    if out.is_dir():
        raise InputError(f"--out is a folder: {out}; give a file name")
    return out


def register(app: typer.Typer) -> None:
    @app.command()
    def calibrate(
        out: Path = typer.Option(None, "--out", help="File to write the fitted parameters to (required)."),
        json_out: bool = typer.Option(False, "--json", help="Machine-readable output."),
    ) -> None:
        """Fit each alkaloid's model to Tanna 2022's medians; writes parameters with residuals."""
        target = _target(out)  # checked before the (slow) fit
        results = calibrate_all()
        write_parameters(results, target)
        profile = share_profile()
        if json_out:
            print_json({
                "compounds": {name: {"parameters": r.parameters, "ci90": r.intervals, "formation": r.formation,
                                     "residuals": r.residuals} for name, r in results.items()},
                "systemic_share_profile": {"grid": profile.grid, "cost": profile.cost, "best": profile.best,
                                           "ci90": profile.ci90},
                "written_to": str(target),
            })
            return
        rows = [[name, k, f"{v:.4g}", *(f"{x:.4g}" for x in r.intervals.get(k, (float("nan"),) * 2))]
                for name, r in results.items() for k, v in r.parameters.items()]
        print_table("Fitted parameters (90 % interval, delta method)",
                    ["compound", "parameter", "value", "low", "high"], rows)
        rows = [[name, row["statistic"], row["observed"], row["predicted"], row["fold_error"]]
                for name, r in results.items() for row in r.residuals]
        print_table("Calibration residuals", ["compound", "statistic", "observed", "predicted", "fold"], rows)
        low, high = profile.ci90
        console.print(f"7-OH systemic share: {profile.best} (90 % profile interval {low}-{high})")
        console.print(f"parameters written to {target}")
