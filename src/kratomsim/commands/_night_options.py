"""Typer options shared by the commands that read a night (night, compare, receptors)."""

from __future__ import annotations

from datetime import date

import typer

AT = typer.Option("22:30", "--at", help="Clock time of the nightly dose (24-hour).")
WAKE = typer.Option("06:30", "--wake", help="Wake-up time; earlier than --at means the next morning.")
NIGHTS = typer.Option(7, "--nights", help="Number of nights (1-365).")
MORNING = typer.Option("09:00", "--morning", help="A later morning time to read the levels at.")
# The edge fills in today; library code below never asks the clock (kratomsim.defaults).
DATE = typer.Option(..., "--date", default_factory=lambda: date.today().isoformat(), show_default="today",
                    help="Date of the first night, YYYY-MM-DD.")
JSON_OUT = typer.Option(False, "--json", help="Print JSON instead of tables.")
AUTOINHIBITION = typer.Option(
    True, "--autoinhibition/--no-autoinhibition",
    help="Mitragynine's own CYP3A4 inactivation over repeated nights (on by default: docs/model.md).")
