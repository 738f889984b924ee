"""The compare sleep-stage grid: each cell says what its source says (hand-built rows), and the
real comparison's rows give a grid whose medicine cells are the PSG directions."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from kratomsim.errors import InputError
from kratomsim.report.sleep_grid_plot import DIRECTION_COLOURS, plot_sleep_grid, sleep_grid
from kratomsim.sleep_medicines import SHOWN

MODEL = {
    "medicine": "kratom", "aid": "kratom:K51:2g", "study": None,
    "outcomes": {
        "sws": {"night_1": {"direction": None, "change": {"median": -0.0028, "low": -0.1, "high": 0.0017}},
                "night_3": {"direction": None, "change": {"median": -0.003, "low": -0.12, "high": 0.002}}},
        "waso": {"night_1": {"direction": 0, "change": {"median": None, "low": None, "high": None}}},
    },
}
MEDICINE = {
    "medicine": "zolpidem", "aid": "zolpidem", "study": "monti2000",
    "outcomes": {"sws": {"effect": "no change", "direction": 0}, "waso": {"effect": "less", "direction": -1},
                 "total_sleep_time": {"effect": "more", "direction": 1}},
}


def test_cells_say_what_their_source_says() -> None:
    grid = sleep_grid([MODEL, MEDICINE])
    assert grid.rows == ("kratom:K51:2g (model)", "zolpidem (monti2000)")
    assert grid.columns == ("deep (SWS)", "WASO", "total sleep")
    # kratom: the last night's model numbers; WASO "no change" without a size; no TST outcome at all
    assert grid.texts[0] == ("n3: -0.003 (-0.12 to +0.002) pt", "n1: no change", "")
    assert grid.directions[0] == (None, 0, None)
    assert grid.directions[1] == (0, -1, 1)
    assert grid.texts[1] == ("no change", "less", "more")


def test_no_rows_and_a_wrong_suffix_are_refused(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no sleep-stage data"):
        sleep_grid([])
    with pytest.raises(InputError, match=r"FILE\.png or FILE\.html"):
        plot_sleep_grid([MEDICINE], tmp_path / "grid.svg")


@pytest.mark.parametrize("suffix", [".png", ".html"])
def test_both_formats_are_written(tmp_path: Path, suffix: str) -> None:
    out = plot_sleep_grid([MODEL, MEDICINE], tmp_path / f"grid{suffix}")
    assert out.stat().st_size > 1000
    if suffix == ".html":
        text = out.read_text(encoding="utf-8")
        assert "monti2000" in text and DIRECTION_COLOURS[-1] in text


def test_the_comparisons_own_rows(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """Through the CLI: compare --sleep-plot writes the grid of the rows its --json carries."""
    from kratomsim.cli import main

    plot = tmp_path / "stages.html"
    args = ["compare", "--aid", "kratom:K51:2g", "--aid", "zolpidem", "--nights", "2", "--date", "2026-01-05",
            "--json", "--sleep-plot", str(plot)]
    try:
        main(args)
    except SystemExit as stop:
        assert not stop.code, capsys.readouterr().err
    report = json.loads(capsys.readouterr().out)
    rows = report["sleep_stages_psg"]["rows"]
    assert str(plot) in report["plots"] and plot.stat().st_size > 1000
    grid = sleep_grid(rows)
    assert grid.rows[0].endswith("(model)")
    keys = [k for k in SHOWN if any(k in r["outcomes"] for r in rows)]
    for row, directions in zip(rows[1:], grid.directions[1:], strict=True):
        assert directions == tuple(row["outcomes"].get(k, {}).get("direction") for k in keys)
