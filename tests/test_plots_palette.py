"""Plots people can read: one colour per compound, markers, thresholds and the ng/mL axis."""

from __future__ import annotations

from pathlib import Path

import pytest

from kratomsim.library import molecular_weight
from kratomsim.medicines import load_medicine
from kratomsim.night_report import night_report
from kratomsim.report.palette import ALKALOID_COLOURS, colour_for, palette
from kratomsim.report.plots import medicine_thresholds, night_curves, plot_night


def test_one_colour_per_compound_whatever_the_label() -> None:
    table = palette()
    assert len(set(ALKALOID_COLOURS.values())) == len(ALKALOID_COLOURS)
    assert not set(ALKALOID_COLOURS.values()) & {table[m] for m in table if m not in ALKALOID_COLOURS}
    for label in ("mitragynine", "mitragynine (kratom:K51:2g)", "Mitragynine"):
        assert colour_for(label) == ALKALOID_COLOURS["mitragynine"]
    assert colour_for("zolpidem:10mg") == colour_for("zolpidem with kratom") == table["zolpidem"]
    assert colour_for("no such thing") == "#555555"


@pytest.fixture(scope="module")
def report():  # type: ignore[no-untyped-def]
    return night_report(nights=2, start_date="2026-01-05", comedications=("zolpidem:10mg",))


def test_night_curves_carry_markers_and_the_published_threshold(report) -> None:  # type: ignore[no-untyped-def]
    curves = night_curves(report)
    assert [f"{m:%H:%M}" for m in curves.mornings] == ["09:00", "09:00"]
    level = next(float(e["threshold_ng_per_mL"]["value"]) for e in load_medicine("zolpidem").next_morning
                 if e.get("threshold_ng_per_mL"))
    (label, nM), = curves.thresholds
    assert "zolpidem 50 ng/mL" in label and "fda_dsc_2013_zolpidem" in label
    assert nM == pytest.approx(level * 1000.0 / molecular_weight_of_zolpidem())
    assert curves.focused("mitragynine") and curves.focused("7-hydroxymitragynine") and curves.focused("zolpidem")
    assert not curves.focused("speciociliatine")
    assert curves.axis_compound() == "mitragynine"


def molecular_weight_of_zolpidem() -> float:
    return float(load_medicine("zolpidem").molecular_weight)


def test_png_and_html_are_written_with_the_palette(report, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    png = plot_night(report, tmp_path / "n.png")
    assert png.stat().st_size > 30_000
    html = plot_night(report, tmp_path / "n.html").read_text()
    assert ALKALOID_COLOURS["mitragynine"] in html and "yaxis2" in html
    assert "mitragynine, ng" in html  # the right-hand axis title (plotly escapes the slash)
    assert molecular_weight("mitragynine") > 0


def _drawn_figure(report, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, log: bool):  # type: ignore[no-untyped-def]
    from matplotlib.figure import Figure

    saved: list[Figure] = []
    original = Figure.savefig

    def keep(self: Figure, *args: object, **kwargs: object) -> None:
        saved.append(self)
        original(self, *args, **kwargs)

    monkeypatch.setattr(Figure, "savefig", keep)
    plot_night(report, tmp_path / "n.png", log=log)
    (fig,) = saved
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    canvas = FigureCanvasAgg(fig)  # closing the figure detached its canvas; draw it again as saved
    canvas.draw()
    return fig, canvas.get_renderer()


@pytest.mark.parametrize("log", [False, True])
def test_png_legend_is_off_the_data_and_markers_are_drawn(  # type: ignore[no-untyped-def]
    report, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, log: bool
) -> None:
    fig, renderer = _drawn_figure(report, tmp_path, monkeypatch, log)
    ax = fig.axes[0]
    legend = ax.get_legend().get_window_extent(renderer)
    assert not legend.overlaps(ax.get_window_extent(renderer))  # not over the plotting area
    for label in ax.get_xticklabels(which="both"):
        if label.get_text():
            assert not legend.overlaps(label.get_window_extent(renderer)), label.get_text()
    figure = fig.bbox
    assert figure.x0 <= legend.x0 and legend.x1 <= figure.x1 and figure.y0 <= legend.y0  # not clipped
    styles = [(line.get_label(), line.get_linestyle()) for line in ax.get_lines()]
    assert ("wake-up", "--") in styles and ("morning (09:00)", ":") in styles
    assert any("next-morning level" in name and style == "-." for name, style in styles)
    assert ax.get_yscale() == ("log" if log else "linear")
    right = [a for a in fig.axes[0].child_axes]
    assert right and "ng/mL" in right[0].get_ylabel()  # ng/mL beside nM


def test_medicine_thresholds_are_the_published_next_morning_levels_in_nM() -> None:
    """Zolpidem's FDA 50 ng/mL line, in nM by hand (x 1000 / 307.397); a with-kratom curve adds no second line."""
    lines = medicine_thresholds({"zolpidem:10mg": 307.397, "zolpidem:10mg with kratom": 307.397})
    assert lines == [("zolpidem 50 ng/mL: next-morning level (fda_dsc_2013_zolpidem)", 50.0 * 1000.0 / 307.397)]
    assert medicine_thresholds({"mitragynine": 398.5}) == []
