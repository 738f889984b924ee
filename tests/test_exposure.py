"""The simulate API and CLI: tidy table, units, bad input."""

import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

from kratomsim import simulate
from kratomsim.cli import main
from kratomsim.exposure import run
from kratomsim.scenario import make_scenario

COLUMNS = ["time_h", "clock", "compound", "conc_nM", "conc_ng_per_mL"]


def test_simulate_table_shape_and_units():
    frame = simulate(product="K51", dose="2g", at="22:30", start_date="2026-01-05", hours=24.0, grid="10min")
    assert list(frame.columns) == COLUMNS
    assert frame["time_h"].max() == 24.0
    assert frame["clock"].iloc[0] == pd.Timestamp("2026-01-05 22:30")
    mg = frame[frame.compound == "mitragynine"]
    np.testing.assert_allclose(mg.conc_ng_per_mL, mg.conc_nM * 398.503 / 1000, rtol=1e-9)
    assert set(frame.compound) >= {"mitragynine", "7-hydroxymitragynine", "speciociliatine"}


def test_dose_linearity_through_the_api():
    """The linear model (autoinhibition off) is exactly dose-proportional."""
    low = run(make_scenario(dose="2g", start_date="2026-01-05", autoinhibition=False))
    high = run(make_scenario(dose="8g", start_date="2026-01-05", autoinhibition=False))
    for name in low.conc_nM:
        np.testing.assert_allclose(high.conc_nM[name], 4 * low.conc_nM[name], rtol=1e-10, atol=1e-12)


def test_autoinhibition_makes_exposure_more_than_dose_proportional():
    """More mitragynine inactivates more CYP3A4: its AUC grows faster than the dose, 7-OH's slower;
    alkaloids outside the mitragynine/7-OH block stay exactly proportional."""
    low = run(make_scenario(dose="2g", count=7, start_date="2026-01-05"))
    high = run(make_scenario(dose="8g", count=7, start_date="2026-01-05"))
    auc = {name: (np.trapezoid(high.conc_nM[name][0], high.times_h) / np.trapezoid(low.conc_nM[name][0], low.times_h))
           for name in low.conc_nM}
    assert auc["mitragynine"] > 4.05
    assert auc["7-hydroxymitragynine"] < 3.95
    assert auc["speciociliatine"] == pytest.approx(4.0, rel=1e-9)


def test_nightly_doses_are_the_sum_of_single_doses():
    """Superposition through the API: seven nights = seven shifted single-night profiles."""
    one = run(make_scenario(count=1, hours=8 * 24.0, start_date="2026-01-05", autoinhibition=False))
    seven = run(make_scenario(count=7, hours=8 * 24.0, start_date="2026-01-05", autoinhibition=False))
    per_day = round(24.0 / one.scenario.grid_h)
    for name, single in one.conc_nM.items():
        expected = np.zeros_like(single[0])
        for night in range(7):
            expected[night * per_day:] += single[0][: single.shape[1] - night * per_day]
        np.testing.assert_allclose(seven.conc_nM[name][0], expected, rtol=1e-9, atol=1e-9)
    trough_2 = seven.conc_nM["mitragynine"][0][per_day]
    trough_7 = seven.conc_nM["mitragynine"][0][6 * per_day]
    assert trough_7 > 2 * trough_2  # mitragynine's long half-life builds up a floor


def test_single_alkaloid_dose():
    exposure = run(make_scenario(dose="20mg:mitragynine", start_date="2026-01-05"))
    assert set(exposure.conc_nM) == {"mitragynine", "7-hydroxymitragynine"}


def test_weight_scales_exposure():
    light = run(make_scenario(weight="50kg", start_date="2026-01-05"))
    heavy = run(make_scenario(weight="100kg", start_date="2026-01-05"))
    assert light.conc_nM["mitragynine"].max() > heavy.conc_nM["mitragynine"].max()
    assert any("allometric" in note for note in light.notes)


@pytest.mark.parametrize("suffix", ["csv", "parquet"])
def test_cli_writes_table(tmp_path, suffix, capsys):
    out = tmp_path / f"k.{suffix}"
    main(["simulate", "--product", "K51", "--dose", "2g", "--at", "22:30", "--every", "24h", "--count", "3",
          "--grid", "15min", "--out", str(out), "--json", "--date", "2026-01-05"])
    frame = pd.read_csv(out) if suffix == "csv" else pd.read_parquet(out)
    assert list(frame.columns) == COLUMNS
    assert '"peaks"' in capsys.readouterr().out


BAD = [
    (["--dose", "0g"], "greater than zero"),
    (["--dose", "-1g"], "greater than zero"),
    (["--product", "nope"], "known products"),
    (["--dose", "5mg:nope"], "known compounds"),
    (["--at", "24:10"], "impossible"),
    (["--grid", "30s"], "under 1 minute"),
    (["--hours", "400d"], "365 days"),
    (["--count", "x"], "--count"),
]


@pytest.mark.parametrize(("args", "fragment"), BAD)
def test_cli_bad_input_one_line_exit_2(tmp_path, args, fragment):
    result = subprocess.run(
        [sys.executable, "-m", "kratomsim.cli", "simulate", "--out", str(tmp_path / "x.csv"), *args],
        capture_output=True, text=True, check=False,
    )
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and fragment in lines[0]
    assert "Traceback" not in result.stderr


def test_cli_malformed_yaml_names_the_line(tmp_path):
    bad = tmp_path / "p.yaml"
    bad.write_text("name: x\nform: powder\nalkaloids_mg_per_g:\n  mitragynine: [1\n")
    result = subprocess.run(
        [sys.executable, "-m", "kratomsim.cli", "simulate", "--product", str(bad), "--out", str(tmp_path / "x.csv")],
        capture_output=True, text=True, check=False,
    )
    assert result.returncode == 2 and "line" in result.stderr and "Traceback" not in result.stderr


def test_seven_oh_in_a_product_is_absorbed(tmp_path):
    """A product with 7-OH adds absorbed 7-OH on top of what mitragynine forms (and says so)."""
    plain = tmp_path / "plain.yaml"
    plain.write_text("name: plain\nform: powder\nalkaloids_mg_per_g: {mitragynine: 13.3}\n")
    spiked = tmp_path / "spiked.yaml"
    spiked.write_text(
        "name: spiked\nform: powder\nalkaloids_mg_per_g: {mitragynine: 13.3, 7-hydroxymitragynine: 1.0}\n"
    )
    a = run(make_scenario(product=str(plain), start_date="2026-01-05"))
    b = run(make_scenario(product=str(spiked), start_date="2026-01-05"))
    extra = b.conc_nM["7-hydroxymitragynine"][0] - a.conc_nM["7-hydroxymitragynine"][0]
    assert extra.max() > 1.0
    # all of it eventually leaves: the extra exposure has decayed a day after the peak
    assert extra[-1] < 0.05 * extra.max()
    assert any("7-hydroxymitragynine taken by mouth" in note for note in b.notes)


def test_simulate_refuses_oral_seven_oh_without_extrapolate(tmp_path, capsys):
    out = tmp_path / "x.csv"
    with pytest.raises(SystemExit) as stop:
        main(["simulate", "--dose", "15mg:7-hydroxymitragynine", "--out", str(out), "--date", "2026-01-05"])
    assert stop.value.code == 2 and not out.exists()
    assert "--extrapolate" in capsys.readouterr().err
    main(["simulate", "--dose", "15mg:7-hydroxymitragynine", "--out", str(out), "--date", "2026-01-05",
          "--extrapolate", "--grid", "30min"])
    assert out.exists()


def test_below_loq_note_only_for_leaf_doses():
    leaf = run(make_scenario(dose="2g", start_date="2026-01-05", hours=2.0))
    pure = run(make_scenario(dose="20mg:mitragynine", start_date="2026-01-05", hours=2.0))
    assert any("limit of quantification" in n for n in leaf.notes)
    assert not any("limit of quantification" in n for n in pure.notes)
