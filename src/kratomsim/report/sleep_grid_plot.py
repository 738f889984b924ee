"""What each sleep aid does to each sleep stage, on one grid: the medicines' own polysomnography
(direction against placebo or baseline) beside kratom's modelled change (median and interval).

Why a grid and not bars: most published PSG rows give a direction and a p-value, not a size with a
spread, so a bar chart would invent sizes. Each cell says what the source says, coloured by direction;
kratom's cells carry the opioid bridge's numbers and are labelled a model, not PSG.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kratomsim.errors import InputError
from kratomsim.sleep_medicines import SHORT, SHOWN

DIRECTION_COLOURS = {-1: "#B2182B", 0: "#D9D9D9", 1: "#2166AC"}  # less, no change, more
NO_DATA = "#FFFFFF"
TITLE = ("What each aid does to sleep stages: published PSG for the medicines, the opioid-bridge model for kratom\n"
         "(red less, blue more, grey no change, blank not reported; kratom cells: model median and 90 % interval)")


@dataclass(frozen=True)
class SleepGrid:
    """Rows of the grid (one per aid and study), its columns (outcomes) and each cell's direction and words."""

    rows: tuple[str, ...]
    columns: tuple[str, ...]
    directions: tuple[tuple[int | None, ...], ...]
    texts: tuple[tuple[str, ...], ...]


def _kratom_cell(outcome: Mapping[str, Any]) -> tuple[int | None, str]:
    """The last night the row carries: its direction and 'median (low to high) pt', or what is missing."""
    nights = sorted((k for k in outcome if k.startswith("night_")), key=lambda k: int(k.split("_")[1]))
    if not nights:
        return None, ""
    last = outcome[nights[-1]]
    change = last.get("change") or {}
    label = f"n{nights[-1].split('_')[1]}: "
    if change.get("median") is None:
        return last.get("direction"), label + ("no change" if last.get("direction") == 0 else "no size")
    return last.get("direction"), label + f"{change['median']:+.2g} ({change['low']:+.2g} to {change['high']:+.2g}) pt"


def sleep_grid(psg_rows: Sequence[Mapping[str, Any]]) -> SleepGrid:
    """The grid of ``compare``'s sleep-stage rows (``sleep_medicines.psg_for_aids``)."""
    if not psg_rows:
        raise InputError("no sleep-stage data for these aids, so there is no sleep-stage plot")
    columns = tuple(k for k in SHOWN if any(k in r.get("outcomes", {}) for r in psg_rows))
    names, directions, texts = [], [], []
    for row in psg_rows:
        is_model = row.get("study") is None
        names.append(f"{row['aid'] if is_model else row['medicine']} ({'model' if is_model else row['study']})")
        cells: list[tuple[int | None, str]] = []
        for key in columns:
            outcome = row.get("outcomes", {}).get(key)
            if outcome is None:
                cells.append((None, ""))
            elif is_model:
                cells.append(_kratom_cell(outcome))
            else:
                cells.append((outcome.get("direction"), str(outcome.get("effect") or "")))
        directions.append(tuple(c[0] for c in cells))
        texts.append(tuple(c[1] for c in cells))
    return SleepGrid(tuple(names), tuple(SHORT.get(k, k) for k in columns), tuple(directions), tuple(texts))


def _colour(direction: int | None) -> str:
    return NO_DATA if direction is None else DIRECTION_COLOURS[int(direction)]


def plot_sleep_grid(psg_rows: Sequence[Mapping[str, Any]], path: Path) -> Path:
    """Write the grid as PNG (matplotlib) or HTML (plotly); the suffix chooses."""
    grid = sleep_grid(psg_rows)
    if path.suffix.lower() == ".png":
        return _png(grid, path)
    if path.suffix.lower() == ".html":
        return _html(grid, path)
    raise InputError(f"--sleep-plot {path.name!r}: accepted FILE.png or FILE.html")


def _png(grid: SleepGrid, path: Path) -> Path:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    n_rows, n_cols = len(grid.rows), len(grid.columns)
    fig, ax = plt.subplots(figsize=(2.3 * n_cols + 3, 0.7 * n_rows + 2))
    for i in range(n_rows):
        for j in range(n_cols):
            ax.add_patch(plt.Rectangle((j, i), 1, 1, facecolor=_colour(grid.directions[i][j]), edgecolor="#888888"))
            ax.text(j + 0.5, i + 0.5, grid.texts[i][j], ha="center", va="center", fontsize=7, wrap=True)
    ax.set_xlim(0, n_cols)
    ax.set_ylim(n_rows, 0)
    ax.set_xticks([j + 0.5 for j in range(n_cols)], grid.columns)
    ax.set_yticks([i + 0.5 for i in range(n_rows)], grid.rows)
    ax.xaxis.tick_top()
    ax.set_title(TITLE, fontsize=8, pad=24)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return path


def _html(grid: SleepGrid, path: Path) -> Path:
    import plotly.graph_objects as go

    values = [[None if d is None else int(d) for d in row] for row in grid.directions]
    scale = [[0.0, DIRECTION_COLOURS[-1]], [0.5, DIRECTION_COLOURS[0]], [1.0, DIRECTION_COLOURS[1]]]
    fig = go.Figure(go.Heatmap(z=values, x=list(grid.columns), y=list(grid.rows), text=[list(t) for t in grid.texts],
                               texttemplate="%{text}", zmin=-1, zmax=1, colorscale=scale, showscale=False,
                               hovertemplate="%{y}, %{x}: %{text}<extra></extra>", xgap=2, ygap=2))
    fig.update_layout(title=TITLE.replace("\n", "<br>"), yaxis={"autorange": "reversed"})
    fig.write_html(path, include_plotlyjs=True)
    return path
