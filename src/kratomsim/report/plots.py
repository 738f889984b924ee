"""Plots of the night: concentrations over clock time, each sleep window shaded.

PNG through matplotlib (Agg, no display needed) and interactive HTML through plotly with plotly.js
embedded in the file, so it opens offline and nothing is fetched from a CDN. Occupancy plots reuse
the receptor command's plots so there is one way to draw them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import numpy as np

from kratomsim.errors import InputError
from kratomsim.medicines import medicine_names, next_morning_comparison
from kratomsim.night_result import NightReport
from kratomsim.report.occupancy_plots import plot_occupancy as occupancy_plot
from kratomsim.report.palette import (
    FOCUS,
    MEDICINE_COLOURS,
    MORNING_MARKER,
    SLEEP_WINDOW,
    THRESHOLD,
    WAKE_MARKER,
    base_name,
    colour_for,
)
from kratomsim.units import ng_per_mL_to_nM, nM_to_ng_per_mL

PLOT_SUFFIXES = (".png", ".html")
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
    mornings: list[datetime] = field(default_factory=list)
    # Published levels to compare with: (label, nM); e.g. a medicine's next-morning driving level.
    thresholds: list[tuple[str, float]] = field(default_factory=list)

    def focused(self, name: str) -> bool:
        """Mitragynine, 7-OH and medicines are drawn bold; the minor alkaloids thin (all bold if none)."""
        if not any(n in FOCUS for n in self.conc_nM):
            return True
        return name in FOCUS or name in self.dashed

    def axis_compound(self) -> str:
        """The compound whose ng/mL the right-hand axis shows (mitragynine when drawn)."""
        return next((n for n in FOCUS if n in self.conc_nM), next(iter(self.conc_nM)))

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
        dashed=frozenset(r.compound for r in report.nights if r.kind == "medicine"),
        bands=bands,
        band_label=label,
        mornings=report.mornings(),
        thresholds=medicine_thresholds({r.compound: report.series["molecular_weight"][r.compound]
                                        for r in report.nights if r.kind == "medicine"}),
    )


def medicine_thresholds(medicines: dict[str, float]) -> list[tuple[str, float]]:
    """Each plotted medicine's published next-morning level (ng/mL in the library), in nM, with its source.

    ``medicines`` maps curve labels ('zolpidem', 'zolpidem:10mg') to molecular weights; curves of a
    medicine with kratom share the medicine's line and are skipped.
    """
    known = set(medicine_names())
    out: set[tuple[str, float]] = set()
    for label, mw in medicines.items():
        name = base_name(label)
        if name not in known or label.endswith(" with kratom"):
            continue
        for item in next_morning_comparison(name, 0.0, 0.0):  # the published findings, read once
            level = item.threshold_ng_per_mL
            if level is not None:
                out.add((f"{name} {level:g} ng/mL: next-morning level ({item.source})", ng_per_mL_to_nM(level, mw)))
    return sorted(out)


def _title(report: NightReport) -> str:
    product, nights = report.scenario.product, report.timeline.nights
    what = f"{report.scenario.dose} of {product.id or product.name}" if product else str(report.scenario.dose)
    extra = f" with {', '.join(report.comedications)}" if report.comedications else ""
    return (
        f"Plasma concentrations: {what}{extra} at {report.request.at}, wake-up {report.request.wake}, "
        f"{nights} night{'s' if nights != 1 else ''} (model prediction)"
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

    x = mdates.date2num(curves.x)
    fig, ax = plt.subplots(figsize=(12, 6.5))
    for i, (bed, woke) in enumerate(curves.windows):
        ax.axvspan(mdates.date2num(bed), mdates.date2num(woke), color=SLEEP_WINDOW, alpha=0.14, lw=0,
                   label=f"sleep window (dose {bed:%H:%M} to wake-up {woke:%H:%M})" if i == 0 else None)
        ax.axvline(mdates.date2num(woke), color=WAKE_MARKER, lw=0.9, ls="--", zorder=2,
                   label="wake-up" if i == 0 else None)
    for i, morning in enumerate(curves.mornings):
        ax.axvline(mdates.date2num(morning), color=MORNING_MARKER, lw=0.9, ls=":", zorder=2,
                   label=f"morning ({morning:%H:%M})" if i == 0 else None)
    floor = _log_floor(curves) if log else 0.0
    _png_lines(ax, x, curves, log, floor)
    for label, level in curves.thresholds:
        ax.axhline(level, color=THRESHOLD, lw=1.0, ls="-.", zorder=2, label=label)
    if log:
        ax.set_yscale("log")
    else:
        ax.set_ylim(bottom=0)
    ax.set_ylabel("Plasma concentration (nM)" + (", log scale" if log else ""))
    _ng_axis(ax, curves)
    _png_time_axis(ax, x, mdates)
    ax.set_title(curves.title, fontsize=11)
    # The legend sits under the plot, never over the curves.
    ax.legend(fontsize=8.5, loc="upper center", bbox_to_anchor=(0.5, -0.16), ncol=3, frameon=False)
    footer = "Bold: mitragynine, 7-OH and medicines; thin: the minor alkaloids. Predictions, not advice."
    if curves.bands:
        footer = f"Coloured bands: {curves.band_label} (first two alkaloids); lines are medians. " + footer
    fig.text(0.01, 0.01, footer, fontsize=8, color="#555555")
    fig.tight_layout(rect=(0, 0.03, 1, 1))
    fig.savefig(path, dpi=120)
    plt.close(fig)


def _log_floor(curves: Curves) -> float:
    positive = [c[c > 0].max() for c in [*curves.conc_nM.values(), *(h for _, h in curves.bands.values())]
                if np.any(c > 0)]
    return max(positive) * 1e-4 if positive else 1e-3


def _png_lines(ax: Any, x: Any, curves: Curves, log: bool, floor: float) -> None:
    """Each compound in its own colour; bands for the first two; minor alkaloids thin and pale."""
    for k, (name, c) in enumerate(curves.conc_nM.items()):
        colour, bold = colour_for(name), curves.focused(name)
        y = np.where(c > floor, c, np.nan) if log else c
        if name in curves.bands and k < BANDED:
            low, high = (np.asarray(b, dtype=float) for b in curves.bands[name])
            ax.fill_between(
                x, np.where(low > floor, low, floor) if log else low,
                np.where(high > floor, high, np.nan) if log else high, color=colour, alpha=0.25, lw=0, zorder=1,
                label=f"{name}: {curves.band_label}" if curves.band_label else None,
            )
        dashed = name in curves.dashed
        ax.plot(x, y, color=colour, lw=2.2 if bold else 1.0, alpha=1.0 if bold else 0.55,
                ls="--" if dashed and "with kratom" not in name else "-", label=name, zorder=3 if bold else 2)


def _ng_axis(ax: Any, curves: Curves) -> None:
    """A right-hand axis in ng/mL of the focus compound (nM x its molecular weight / 1000)."""
    name = curves.axis_compound()
    factor = curves.molecular_weight[name] / 1000.0
    right = ax.secondary_yaxis("right", functions=(lambda v: v * factor, lambda v: v / factor))
    right.set_ylabel(f"{name}, ng/mL (others: nM x molecular weight / 1000)", fontsize=9)


def _png_time_axis(ax: Any, x: Any, mdates: Any) -> None:
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


def _html(curves: Curves, path: Path, log: bool) -> None:
    import plotly.graph_objects as go

    fig = go.Figure()
    _html_traces(fig, go, curves)
    for bed, woke in curves.windows:
        fig.add_vrect(x0=bed, x1=woke, fillcolor=SLEEP_WINDOW, opacity=0.12, line_width=0, layer="below")
        fig.add_vline(x=woke, line={"color": WAKE_MARKER, "width": 1, "dash": "dash"})
    for morning in curves.mornings:
        fig.add_vline(x=morning, line={"color": MORNING_MARKER, "width": 1, "dash": "dot"})
    for label, level in curves.thresholds:
        fig.add_hline(y=level, line={"color": THRESHOLD, "width": 1, "dash": "dashdot"}, annotation_text=label,
                      annotation_position="top left")
    name = curves.axis_compound()
    factor = curves.molecular_weight[name] / 1000.0
    top = max(float(np.nanmax(np.asarray(c, dtype=float))) for c in curves.conc_nM.values()) * 1.05 or 1.0
    low = top * 1e-4
    y1 = [np.log10(low), np.log10(top)] if log else [0.0, top]
    y2 = [v + np.log10(factor) for v in y1] if log else [v * factor for v in y1]
    fig.update_layout(
        title=curves.title + "; shaded: sleep window, dashed line: wake-up, dotted: morning",
        xaxis_title="Clock time",
        yaxis={"title": "Plasma concentration (nM)", "type": "log" if log else "linear", "range": y1},
        # The same scale in ng/mL of the focus compound: its range is the nM range times MW / 1000.
        yaxis2={"title": f"{name}, ng/mL", "overlaying": "y", "side": "right", "type": "log" if log else "linear",
                "range": y2, "showgrid": False},
        legend={"orientation": "h", "x": 0, "y": -0.2, "yanchor": "top"},
        hovermode="closest",
        template="plotly_white",
    )
    fig.add_trace(go.Scatter(x=[curves.x[0]], y=[None], yaxis="y2", showlegend=False, hoverinfo="skip"))
    fig.write_html(str(path), include_plotlyjs=True, full_html=True)


def _html_traces(fig: Any, go: Any, curves: Curves) -> None:
    """Bands and lines, each compound in its colour; the minor alkaloids one legend click away."""
    x = curves.x
    for name, c in curves.conc_nM.items():
        colour = colour_for(name)
        visible = True if curves.focused(name) else "legendonly"
        if name in curves.bands:
            low, high = curves.bands[name]
            fig.add_trace(go.Scatter(x=x, y=high, mode="lines", line={"width": 0, "color": colour}, visible=visible,
                                     showlegend=False, hoverinfo="skip", legendgroup=name))
            fig.add_trace(go.Scatter(x=x, y=low, mode="lines", line={"width": 0, "color": colour}, fill="tonexty",
                                     fillcolor=_rgba(colour, 0.2), name=f"{name}: {curves.band_label}",
                                     visible=visible, hoverinfo="skip", legendgroup=name))
        fig.add_trace(go.Scatter(
            x=x, y=c, name=name, mode="lines", visible=visible, legendgroup=name,
            line={"color": colour, "width": 2.2 if curves.focused(name) else 1.2,
                  "dash": "dash" if name in curves.dashed and "with kratom" not in name else "solid"},
            customdata=nM_to_ng_per_mL(c, curves.molecular_weight[name]),
            hovertemplate=f"{name}<br>%{{x|%a %d %b %H:%M}}<br>%{{y:.3g}} nM<br>%{{customdata:.3g}} ng/mL"
            "<extra></extra>",
        ))


def _rgba(hex_colour: str, alpha: float) -> str:
    r, g, b = (int(hex_colour[i:i + 2], 16) for i in (1, 3, 5))
    return f"rgba({r},{g},{b},{alpha})"


def plot_occupancy(report: NightReport, path: Path) -> Path:
    """Mu-opioid receptor occupancy over the nights, from the exposure the report itself simulated."""
    check_plot_path(path)
    if report.occupancy is None or report.exposure is None:
        raise InputError("no receptor occupancy to plot for this scenario")
    return occupancy_plot(path, report.exposure, report.occupancy, report.windows)


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
    colours = [MEDICINE_COLOURS[p[4] % len(MEDICINE_COLOURS)] for p in points]  # one colour per night
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
