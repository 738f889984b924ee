"""Receptor occupancy over the nights, sleep windows shaded: the plot of ``kratomsim receptors`` and of
the night report. The plotting libraries load inside the functions so importing kratomsim stays quick."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

import numpy as np

from kratomsim import receptors as rx
from kratomsim.exposure import Exposure


def plot_occupancy(
    path: Path, exposure: Exposure, summary: dict[str, Any], windows: list[tuple[datetime, datetime]]
) -> Path:
    """Write the occupancy plot; the suffix (.png, else interactive .html) chooses the format."""
    (_png if path.suffix.lower() == ".png" else _html)(path, exposure, summary, windows)
    return path


def _png(
    path: Path, exposure: Exposure, summary: dict[str, Any], windows: list[tuple[datetime, datetime]]
) -> None:
    """Occupancy (%) over clock time, sleep windows shaded (matplotlib)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.dates as mdates
    import matplotlib.pyplot as plt

    curves = rx.occupancy_curves(exposure, summary["receptor"], summary["data_set"])
    x = np.asarray(exposure.clock).astype("datetime64[s]").astype(datetime)
    fig, ax = plt.subplots(figsize=(10, 5))
    for i, (bed, woke) in enumerate(windows):
        x0, x1 = mdates.date2num(bed), mdates.date2num(woke)
        ax.axvspan(x0, x1, color="tab:blue", alpha=0.08, label="sleep window" if i == 0 else None)
    ax.fill_between(
        x,
        curves["low"]["total"],
        curves["high"]["total"],
        color="grey",
        alpha=0.2,
        label="range: low to high unbound fraction",
    )
    ax.plot(
        x, curves["default"]["total"], color="black", lw=2, label="all alkaloids (default unbound fraction)"
    )
    for name, occ in curves["default"]["by_ligand"].items():
        ax.plot(x, occ, lw=1, label=name)
    ax.plot(
        x,
        curves["default"]["stimulus"],
        color="tab:red",
        ls="--",
        lw=1.2,
        label="stimulus (% of a full agonist at full occupancy)",
    )
    ax.set_ylabel(f"{summary['receptor']} receptor occupancy (% of receptors)")
    ax.set_xlabel("Clock time")
    ax.set_ylim(0, 100)
    ax.xaxis.set_major_formatter(mdates.DateFormatter("%H:%M\n%d %b"))
    ax.set_title(f"{summary['receptor']} receptor occupancy; binding data: {summary['data_set']}")
    ax.legend(fontsize=8, loc="upper right")
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def _html(
    path: Path, exposure: Exposure, summary: dict[str, Any], windows: list[tuple[datetime, datetime]]
) -> None:
    """Interactive occupancy plot (plotly, plotly.js embedded so it opens offline)."""
    import plotly.graph_objects as go

    curves = rx.occupancy_curves(exposure, summary["receptor"], summary["data_set"])
    x = np.asarray(exposure.clock).astype("datetime64[s]").astype(datetime)
    fig = go.Figure()
    fig.add_trace(
        go.Scatter(x=x, y=curves["high"]["total"], line={"width": 0}, showlegend=False, hoverinfo="skip")
    )
    fig.add_trace(
        go.Scatter(
            x=x,
            y=curves["low"]["total"],
            fill="tonexty",
            line={"width": 0},
            fillcolor="rgba(128,128,128,0.25)",
            name="range: low to high unbound fraction",
        )
    )
    fig.add_trace(
        go.Scatter(
            x=x, y=curves["default"]["total"], name="all alkaloids", line={"color": "black", "width": 3}
        )
    )
    for name, occ in curves["default"]["by_ligand"].items():
        fig.add_trace(go.Scatter(x=x, y=occ, name=name))
    fig.add_trace(
        go.Scatter(
            x=x,
            y=curves["default"]["stimulus"],
            name="stimulus (% of full agonist)",
            line={"dash": "dash", "color": "red"},
        )
    )
    for bed, woke in windows:
        fig.add_vrect(x0=bed, x1=woke, fillcolor="blue", opacity=0.08, line_width=0)
    fig.update_layout(
        title=f"{summary['receptor']} receptor occupancy; binding data: {summary['data_set']} (sleep shaded)",
        xaxis_title="Clock time",
        yaxis_title=f"{summary['receptor']} receptor occupancy (% of receptors)",
        yaxis_range=[0, 100],
    )
    fig.write_html(str(path), include_plotlyjs=True)
