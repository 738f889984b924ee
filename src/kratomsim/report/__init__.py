"""Reports: plots (PNG, interactive HTML) of the night, built from :mod:`kratomsim.night_report` results.

The plotting libraries load lazily (inside the functions) so that importing kratomsim stays quick.
"""

from __future__ import annotations

from kratomsim.report.plots import (
    PLOT_SUFFIXES,
    Curves,
    check_plot_path,
    night_curves,
    plot_curves,
    plot_night,
    plot_occupancy,
)

__all__ = [
    "PLOT_SUFFIXES",
    "Curves",
    "check_plot_path",
    "night_curves",
    "plot_curves",
    "plot_night",
    "plot_occupancy",
]
