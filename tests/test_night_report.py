"""The night report: its numbers against ``simulate``, steady state, warnings, plots, CLI errors."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from kratomsim.errors import InputError
from kratomsim.exposure import run, tidy
from kratomsim.medicines import load_medicine, medicine_names
from kratomsim.night_report import NightReport, make_timeline, night_report
from kratomsim.report.plots import plot_night
from kratomsim.scenario import make_scenario

MG, OH = "mitragynine", "7-hydroxymitragynine"
DAY = "2026-01-05"


def _table(**scenario_text: Any) -> pd.DataFrame:
    """The tidy concentration table of the scenario typed as text (what `kratomsim simulate` prints)."""
    return tidy(run(make_scenario(**scenario_text)))


@pytest.fixture(scope="module")
def report3() -> NightReport:
    return night_report("K51", "2g", "22:30", "06:30", 3, "09:00", "70kg", DAY)


@pytest.fixture(scope="module")
def table3() -> pd.DataFrame:
    """The same scenario through the tidy ``simulate`` table (horizon: last morning + 30 min)."""
    return _table(product="K51", dose="2g", at="22:30", every="24h", count=3, hours=2 * 24 + 11.0,
                    start_date=DAY)


@pytest.mark.parametrize("compound", [MG, OH, "speciociliatine"])
def test_numbers_agree_with_simulate(report3: NightReport, table3: pd.DataFrame, compound: str) -> None:
    rows = table3[table3.compound == compound].set_index("clock")
    for r in report3.rows_for(compound):
        dose_at, wake_at = pd.Timestamp(r.dose_clock), pd.Timestamp(r.wake_clock)
        window = rows.loc[dose_at:wake_at]
        assert r.wake_nM == pytest.approx(rows.loc[wake_at, "conc_nM"], rel=1e-9)
        assert r.wake_ng_per_mL == pytest.approx(rows.loc[wake_at, "conc_ng_per_mL"], rel=1e-9)
        assert r.morning_nM == pytest.approx(rows.loc[pd.Timestamp(r.morning_clock), "conc_nM"], rel=1e-9)
        assert r.at_dose_nM == pytest.approx(rows.loc[dose_at, "conc_nM"], rel=1e-9, abs=1e-12)
        # The peak is the model's, between grid points (tests/test_peaks.py checks it against an ODE
        # solve): never below the highest 5-min grid value, and within 5 minutes of it.
        assert window["conc_nM"].max() * (1 - 1e-12) <= r.peak_nM <= window["conc_nM"].max() * 1.01
        assert abs(pd.Timestamp(r.peak_clock) - window["conc_nM"].idxmax()) <= pd.Timedelta(minutes=5)
        hours = (window.index - window.index[0]).total_seconds().to_numpy() / 3600.0
        y = window["conc_nM"].to_numpy()
        auc = float(np.sum((y[1:] + y[:-1]) * np.diff(hours)) / 2)
        assert r.auc_sleep_nM_h == pytest.approx(auc, rel=1e-9)
        assert r.fraction_of_peak_at_wake == pytest.approx(r.wake_nM / r.peak_nM)


def test_accumulation_ratios(report3: NightReport) -> None:
    rows = report3.rows_for(MG)
    assert rows[0].auc_ratio_vs_night1 == 1.0
    assert rows[2].auc_ratio_vs_night1 == pytest.approx(rows[2].auc_sleep_nM_h / rows[0].auc_sleep_nM_h)
    assert rows[2].wake_ratio_vs_night1 > rows[1].wake_ratio_vs_night1 > 1.0


def test_steady_state_matches_many_nights(report3: NightReport) -> None:
    """Nights to 90% (superposition of one dose) agree with a 20-night simulation's dose-to-dose AUCs."""
    n = 20
    frame = _table(product="K51", dose="2g", at="22:30", every="24h", count=n, hours=24.0 * n, grid="2min",
                     start_date=DAY)
    mg = frame[frame.compound == MG]
    t, c = mg.time_h.to_numpy(), mg.conc_nM.to_numpy()
    aucs = []
    for k in range(n):
        sel = (t >= 24 * k - 1e-9) & (t <= 24 * (k + 1) + 1e-9)
        aucs.append(float(np.sum((c[sel][1:] + c[sel][:-1]) * np.diff(t[sel])) / 2))
    tail = report3.steady_state[MG]
    ss_auc = aucs[-1]  # 20 nights: within 0.1% of steady state for a 45 h half-life
    needed = tail["nights_to_90pct"]
    assert aucs[needed - 1] >= 0.9 * ss_auc * 0.995
    assert aucs[needed - 2] < 0.9 * ss_auc
    assert tail["days_to_90pct"] == pytest.approx(needed, abs=1.0)


def test_wake_before_dose_is_next_morning(report3: NightReport) -> None:
    first = report3.rows_for(MG)[0]
    assert first.dose_clock == "2026-01-05 22:30"
    assert first.wake_clock == "2026-01-06 06:30"
    assert report3.timeline.to_wake_h == 8.0
    assert report3.windows[0][1].isoformat() == "2026-01-06T06:30:00"


def test_occupancy_evidence_and_sources(report3: NightReport) -> None:
    occ = report3.occupancy
    assert occ is not None and len(occ["nights"]) == 3
    peak = occ["nights"][0]["peak"]
    assert 0 < peak["occupancy_percent"] <= 100
    assert sum(peak["share_of_occupied_percent"].values()) == pytest.approx(100.0)
    keys = {s["key"] for s in report3.sources}
    assert {"tanna2022", "trakulsrichai2015", "iupac2021"} <= keys
    assert set(occ["sources"]) <= keys
    assert all(s["citation"] != "(reference not in the registry)" for s in report3.sources)
    json.dumps(report3.to_dict())  # JSON-serialisable as it stands


def test_summary_has_numbers_and_no_advice(report3: NightReport) -> None:
    text = report3.summary.lower()
    assert "nm" in text and "ng/ml" in text and "wake-up" in text
    for word in ("you should", "recommend", "we suggest", "safe dose", "best dose"):
        assert word not in text


def test_study_dose_warning() -> None:
    assert night_report("K51", "2g", nights=1, start_date=DAY).warnings == []
    high = night_report("K51", "6g", nights=1, start_date=DAY)
    text = " ".join(high.warnings)
    assert "117 mg" in text and "tanna2022 (39 mg)" in text and "trakulsrichai2015 (6.25-23 mg)" in text
    assert "Beyond the studied doses" in high.summary


def test_comedication_in_report() -> None:
    rep = night_report("K51", "2g", nights=2, start_date=DAY, comedications=("zolpidem:10mg",))
    rows = rep.rows_for("zolpidem")
    assert len(rows) == 2 and rows[0].kind == "medicine"
    assert rows[0].peak_ng_per_mL == pytest.approx(121, rel=0.05)  # the label's Cmax after 10 mg
    assert "zolpidem" in rep.steady_state
    assert rep.comedication_warnings and "ambien_label" in {s["key"] for s in rep.sources}


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        ({"nights": 0}, "accepted range: 1 to 365"),
        ({"nights": 366}, "accepted range: 1 to 365"),
        ({"wake": "22:30"}, "same as the dose time"),
        ({"at": "25:00"}, "impossible dose time"),
        ({"morning": "23:00"}, "between wake-up"),
    ],
)
def test_bad_timeline(args: dict[str, object], fragment: str) -> None:
    kw: dict[str, object] = {"at": "22:30", "wake": "06:30", "nights": 7, "morning": "09:00"}
    kw.update(args)
    with pytest.raises(InputError, match=fragment):
        make_timeline(**kw)  # type: ignore[arg-type]


def test_png_and_html(report3: NightReport, tmp_path: Path) -> None:
    import matplotlib.image as mpimg

    png = plot_night(report3, tmp_path / "night.png")
    image = mpimg.imread(png)
    assert image.shape[0] > 400 and image.shape[1] > 800
    assert float(np.var(image[..., :3])) > 1e-3  # not blank
    html = plot_night(report3, tmp_path / "night.html", log=True).read_text()
    compact = html.replace(" ", "")
    assert compact.count('"type":"scatter"') >= len(report3.compounds())
    assert '"type":"log"' in compact
    assert 'src="https://cdn.plot.ly' not in html and len(html) > 1_000_000  # plotly.js embedded
    assert "ng\\u002fmL" in html or "ng/mL" in html  # hover text (plotly escapes the slash)


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "kratomsim.cli", *args], capture_output=True, text=True,
                          timeout=300)


def test_cli_json_and_plots(tmp_path: Path) -> None:
    out = _cli("night", "--nights", "2", "--at", "23:00", "--wake", "07:00", "--date", DAY, "--json",
               "--plot", str(tmp_path / "n.png"), "--plot", str(tmp_path / "n.html"))
    assert out.returncode == 0, out.stderr
    doc = json.loads(out.stdout)
    assert doc["scenario"]["hours_dose_to_wake"] == 8.0
    assert doc["nights"][0]["wake_clock"] == "2026-01-06 07:00"
    assert doc["steady_state"]["method"].startswith("superposition")
    assert len(doc["plots"]) == 2 and (tmp_path / "n.png").stat().st_size > 10_000


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (["--nights", "0"], "accepted range: 1 to 365"),
        (["--nights", "366"], "accepted range: 1 to 365"),
        (["--with", "nosuchpill:5mg"], "known medicines: "),
        (["--wake", "22:30"], "same as the dose time"),
        (["--plot", "night.svg"], "accepted file types"),
    ],
)
def test_cli_bad_input_one_line_exit_2(args: list[str], fragment: str) -> None:
    out = _cli("night", *args)
    assert out.returncode == 2
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1 and fragment in lines[0] and "Traceback" not in out.stderr
    if "known medicines" in fragment:
        assert all(name in lines[0] for name in medicine_names())


def test_validate_includes_every_medicine() -> None:
    from kratomsim.medicines import validate_medicines
    from kratomsim.validation import validation_rows

    rows = validation_rows()
    # Independent rows (other studies, the FDA 2013 shares) report whatever they show; only the
    # rows that reproduce a model's own statistics must pass.
    independent = {(r["compound"], r["statistic"]) for r in validate_medicines() if r["kind"] == "independent"}
    modelled = [n for n in medicine_names() if load_medicine(n).has_model]
    for name in modelled:
        mine = [r for r in rows if r.compound == name]
        assert {"cmax", "tmax", "t_half"} & {r.statistic for r in mine}, name
        assert all(r.limit == 1.5 for r in mine), name
        assert all(r.passed for r in mine if (name, r.statistic) not in independent), name
