"""Plots of the night: concentrations over clock time, each sleep window shaded.

PNG through matplotlib (Agg, no display needed) and interactive HTML through plotly with plotly.js
embedded in the file, so it opens offline and nothing is fetched from a CDN. Occupancy plots reuse
the receptor command's plots so there is one way to draw them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from kratomsim.errors import InputError

if TYPE_CHECKING:
    from kratomsim.night import NightReport

PLOT_SUFFIXES = (".png", ".html")
# Colour-blind-safe palette (Okabe-Ito), one colour per compound, in order.
PALETTE = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000", "#F0E442", "#999999")
SLEEP_COLOUR = "#4C72B0"
BANDED = 2  # the PNG shades prediction bands of the first two curves only (mitragynine, 7-OH); HTML: all


def check_plot_path(path: Path) -> Path:
    """A plot file must end in .png or .html and go into an existing folder."""
    if path.suffix.lower() not in PLOT_SUFFIXES:
        raise InputError(f"cannot plot to {path.name!r}: accepted file types are {', '.join(PLOT_SUFFIXES)}")
    if path.parent and not path.parent.exists():
        raise InputError(f"folder does not exist for plot {path.name!r}: {path.parent}")
    return path


@dataclass(frozen=True)
class Curves:
    """What a concentration plot needs: clock times, nM per trace, molecular weights, sleep windows."""

    clock: Any
    conc_nM: dict[str, Any]
    molecular_weight: dict[str, float]
    windows: list[tuple[datetime, datetime]]
    title: str
    dashed: frozenset[str] = frozenset()
    # Prediction bands: name -> (low, high) on the same clock; the trace in conc_nM is then the median.
    bands: dict[str, tuple[Any, Any]] = field(default_factory=dict)
    band_label: str = ""

    @property
    def x(self) -> list[datetime]:
        return list(np.asarray(self.clock).astype("datetime64[s]").astype(datetime))


def night_curves(report: NightReport) -> Curves:
    """The curves of a night report: every compound, medicines dashed; with a population, the
    alkaloids' median curves with their prediction bands."""
    conc = dict(report.series["conc_nM"])
    bands: dict[str, tuple[Any, Any]] = {}
    label = ""
    for name, band in report.series.get("bands", {}).items():
        conc[name] = band["median"]
        bands[name] = (band["low"], band["high"])
    if bands and report.population:
        lo, hi = report.population["interval_percent"]
        label = f"{lo:.3g}-{hi:.3g}% band of {report.population['subjects']:,} people"
    return Curves(
        clock=report.series["clock"],
        conc_nM=conc,
        molecular_weight=report.series["molecular_weight"],
        windows=report.windows,
        title=_title(report),
        dashed=frozenset(r["compound"] for r in report.nights if r["kind"] == "medicine"),
        bands=bands,
        band_label=label,
    )


def _title(report: NightReport) -> str:
    sc = report.scenario
    what = f"{sc['dose']} of {sc['product_id'] or sc['product']}" if sc["product"] else sc["dose"]
    extra = f" with {', '.join(sc['comedications'])}" if sc["comedications"] else ""
    return (
        f"Plasma concentrations: {what}{extra} at {sc['at']}, wake-up {sc['wake']}, "
        f"{sc['nights']} night{'s' if sc['nights'] != 1 else ''} (model prediction)"
    )


def plot_night(report: NightReport, path: Path, log: bool = False) -> Path:
    """Write the night report's concentration plot; the suffix (.png or .html) chooses the format."""
    return plot_curves(night_curves(report), path, log)


def plot_curves(curves: Curves, path: Path, log: bool = False) -> Path:
    """Write a concentration plot; the suffix (.png or .html) chooses the format."""
    check_plot_path(path)
    if path.suffix.lower() == ".png":
        _png(curves, path, log)
    else:
        _html(curves, path, log)
    return path


def _png(curves: Curves, path: Path, log: bool) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.dates as mdates
    import matplotlib.pyplot as plt

    dates = curves.x
    x = mdates.date2num(dates)
    conc = curves.conc_nM
    fig, ax = plt.subplots(figsize=(12, 5.5))
    for i, (bed, woke) in enumerate(curves.windows):
        ax.axvspan(
            mdates.date2num(bed), mdates.date2num(woke), color=SLEEP_COLOUR, alpha=0.18, lw=0,
            label=f"sleep window (dose {bed:%H:%M} to wake-up {woke:%H:%M})" if i == 0 else None,
        )
    floor = 0.0
    if log:
        positive = [c[c > 0].max() for c in [*conc.values(), *(h for _, h in curves.bands.values())]
                    if np.any(c > 0)]
        floor = max(positive) * 1e-4 if positive else 1e-3
    for k, (name, c) in enumerate(conc.items()):
        y = np.where(c > floor, c, np.nan) if log else c
        if name in curves.bands and k < BANDED:
            low, high = (np.asarray(b, dtype=float) for b in curves.bands[name])
            ax.fill_between(
                x, np.where(low > floor, low, floor) if log else low, np.where(high > floor, high, np.nan) if log
                else high, color=PALETTE[k % len(PALETTE)], alpha=0.25, lw=0, zorder=1,
                label=f"{name}: {curves.band_label}" if curves.band_label else None,
            )
        dashed = name in curves.dashed
        ax.plot(
            x, y, color=PALETTE[k % len(PALETTE)], lw=2.2 if k < 2 or dashed else 1.2,
            ls="--" if dashed else "-", label=name, zorder=3 if k < 2 or dashed else 2,
        )
    if log:
        ax.set_yscale("log")
    else:
        ax.set_ylim(bottom=0)
    ax.set_ylabel("Plasma concentration (nM)" + (", log scale" if log else ""))
    ax.set_xlabel("Clock time")
    ax.set_xlim(x[0], x[-1])
    span_days = float(x[-1] - x[0])
    ax.xaxis.set_major_locator(mdates.HourLocator(byhour=[0]))
    ax.xaxis.set_major_formatter(mdates.DateFormatter("00:00\n%a %d %b"))
    ax.xaxis.set_minor_locator(mdates.HourLocator(byhour=[12] if span_days > 4 else [6, 12, 18]))
    ax.xaxis.set_minor_formatter(mdates.DateFormatter("%H:%M"))
    ax.tick_params(axis="x", which="minor", labelsize=7, colors="#555555")
    if span_days > 20:
        ax.xaxis.set_major_locator(mdates.AutoDateLocator())
        ax.xaxis.set_major_formatter(mdates.DateFormatter("%d %b"))
        ax.xaxis.set_minor_formatter(mdates.DateFormatter(""))
    ax.tick_params(axis="x", labelsize=8)
    ax.grid(True, which="major", alpha=0.25)
    ax.set_title(curves.title, fontsize=11)
    ax.legend(fontsize=9, loc="upper left", bbox_to_anchor=(1.01, 1.0), borderaxespad=0, frameon=False)
    footer = "Shaded: sleep window. ng/mL = nM x molecular weight / 1000. Predictions, not advice."
    if curves.bands:
        footer = (f"Blue shading: sleep window; coloured bands: {curves.band_label} (first two alkaloids); "
                  "lines are medians. "
                  "ng/mL = nM x molecular weight / 1000. Predictions, not advice.")
    fig.text(
        0.01, 0.01, footer,
        fontsize=8, color="#555555",
    )
    fig.tight_layout(rect=(0, 0.03, 1, 1))
    fig.savefig(path, dpi=120)
    plt.close(fig)


def _html(curves: Curves, path: Path, log: bool) -> None:
    import plotly.graph_objects as go

    x = curves.x
    conc = curves.conc_nM
    mws = curves.molecular_weight
    fig = go.Figure()
    for k, (name, c) in enumerate(conc.items()):
        ng = c * mws[name] / 1000.0
        if name in curves.bands:
            low, high = curves.bands[name]
            colour = PALETTE[k % len(PALETTE)]
            fig.add_trace(go.Scatter(x=x, y=high, mode="lines", line={"width": 0, "color": colour},
                                     showlegend=False, hoverinfo="skip", legendgroup=name))
            fig.add_trace(go.Scatter(x=x, y=low, mode="lines", line={"width": 0, "color": colour}, fill="tonexty",
                                     fillcolor=_rgba(colour, 0.2), name=f"{name}: {curves.band_label}",
                                     hoverinfo="skip", legendgroup=name))
        fig.add_trace(
            go.Scatter(
                x=x, y=c, name=name, mode="lines",
                line={"color": PALETTE[k % len(PALETTE)], "dash": "dash" if name in curves.dashed else "solid"},
                customdata=ng,
                hovertemplate=f"{name}<br>%{{x|%a %d %b %H:%M}}<br>%{{y:.3g}} nM<br>%{{customdata:.3g}} ng/mL"
                "<extra></extra>",
            )
        )
    for bed, woke in curves.windows:
        fig.add_vrect(x0=bed, x1=woke, fillcolor=SLEEP_COLOUR, opacity=0.12, line_width=0, layer="below")
    fig.update_layout(
        title=curves.title + "; shaded: sleep window",
        xaxis_title="Clock time",
        yaxis_title="Plasma concentration (nM)",
        yaxis_type="log" if log else "linear",
        hovermode="closest",
        template="plotly_white",
    )
    fig.write_html(str(path), include_plotlyjs=True, full_html=True)


def _rgba(hex_colour: str, alpha: float) -> str:
    r, g, b = (int(hex_colour[i:i + 2], 16) for i in (1, 3, 5))
    return f"rgba({r},{g},{b},{alpha})"


def plot_occupancy(report: NightReport, path: Path) -> Path:
    """Mu-opioid receptor occupancy over the nights (the receptor command's plot, reused)."""
    from kratomsim.commands import receptors as rc
    from kratomsim.scenario import make_scenario
    from kratomsim.simulate import run

    check_plot_path(path)
    if report.occupancy is None:
        raise InputError("no receptor occupancy to plot for this scenario")
    sc = report.scenario
    last_morning = datetime.strptime(report.nights[-1]["morning_clock"], "%Y-%m-%d %H:%M")
    first = datetime.strptime(sc["first_dose"], "%Y-%m-%d %H:%M")
    hours = (last_morning - first).total_seconds() / 3600.0 + 0.5
    scenario = make_scenario(
        product=sc["product_spec"], dose=sc["dose_text"], at=sc["at"], count=sc["nights"],
        weight=f"{sc['weight_kg']}kg", hours=hours, start_date=first.date(),
    )
    exposure = run(scenario)
    writer = rc.plot_png if path.suffix.lower() == ".png" else rc.plot_html
    writer(path, exposure, report.occupancy, report.windows)
    return path


def _sleep_points(sleep: dict[str, Any]) -> list[tuple[str, float, float, float, int]]:
    """(label, median, low, high, night) of every predicted change that has a size."""
    out = []
    for night in sleep["nights"]:
        for change in night["changes"].values():
            c = change["change"]
            if c.get("median") is not None:
                out.append((f"{change['outcome']}, night {night['night']}", c["median"], c["low"], c["high"],
                            int(night["night"])))
    return out


def plot_sleep_changes(sleep: dict[str, Any], path: Path) -> Path:
    """Predicted change in sleep stages (percentage points) with the 90 % interval, night by night.

    Why a separate figure: the change is a labelled scenario of the opioid bridge, not a measurement;
    the title carries that, and outcomes without a size (no placebo-controlled numbers) are left out.
    """
    check_plot_path(path)
    points = _sleep_points(sleep)
    if not points:
        raise InputError("no predicted sleep-stage change with a size to plot for this scenario")
    title = ("Predicted change vs no kratom, median and 90% interval\n"
             "(opioid bridge, proportional scenario: an assumption, not a measurement)")
    labels = [p[0] for p in points]
    med = np.array([p[1] for p in points])
    lo, hi = med - np.array([p[2] for p in points]), np.array([p[3] for p in points]) - med
    colours = [PALETTE[p[4] % len(PALETTE)] for p in points]
    if path.suffix.lower() == ".png":
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt

        fig, ax = plt.subplots(figsize=(10, 0.6 * len(points) + 1.8))
        y = np.arange(len(points))
        for k in range(len(points)):
            ax.errorbar(med[k], y[k], xerr=[[lo[k]], [hi[k]]], fmt="none", ecolor=colours[k], capsize=4)
        ax.scatter(med, y, c=colours, zorder=3)
        ax.axvline(0.0, color="#999999", lw=1)
        ax.set_yticks(y, labels)
        ax.invert_yaxis()
        ax.set_xlabel("change, percentage points of total sleep time")
        ax.set_title(title, fontsize=9)
        fig.tight_layout()
        fig.savefig(path, dpi=120)
        plt.close(fig)
        return path
    import plotly.graph_objects as go

    fig = go.Figure(go.Scatter(x=med, y=labels, mode="markers", marker={"color": colours},
                               error_x={"type": "data", "symmetric": False, "array": hi, "arrayminus": lo}))
    fig.add_vline(x=0.0, line_color="#999999")
    fig.update_layout(title=title, xaxis_title="change, percentage points of total sleep time",
                      yaxis={"autorange": "reversed"})
    fig.write_html(path, include_plotlyjs=True)
    return path
