"""--subjects/--seed/--level/--dask on simulate, night, compare and receptors.

Intervals are ordered, the same seed gives the same numbers, one subject gives exactly today's output,
bad input is one line with exit status 2, and the night plot has bands.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from kratomsim.cli import main

DAY = "2026-01-05"
N = "200"


def run_json(capsys: pytest.CaptureFixture[str], args: list[str]) -> dict[str, Any]:
    capsys.readouterr()
    main(args)
    out: dict[str, Any] = json.loads(capsys.readouterr().out)
    return out


def cells(tree: Any) -> Iterator[dict[str, float]]:
    """Every {median, low, high} cell in a JSON tree."""
    if isinstance(tree, dict):
        if {"median", "low", "high"} <= set(tree):
            yield tree
        else:
            for value in tree.values():
                yield from cells(value)
    elif isinstance(tree, list):
        for value in tree:
            yield from cells(value)


def assert_ordered(found: list[dict[str, float]]) -> None:
    assert found
    for c in found:
        assert c["low"] <= c["median"] <= c["high"], c


def night_args(*extra: str) -> list[str]:
    return ["night", "--nights", "2", "--date", DAY, "--json", *extra]


# ------------------------------------------------------------------------------ intervals, seeds


def test_simulate_intervals(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "pop.csv"
    payload = run_json(capsys, ["simulate", "--count", "2", "--date", DAY, "--out", str(out), "--json",
                                "--subjects", N, "--seed", "1"])
    assert payload["population"]["subjects"] == 200 and payload["population"]["interval"] == "5-95%"
    for p in payload["peaks"]:
        assert p["cmax_nM_low"] <= p["cmax_nM"] <= p["cmax_nM_high"]
        assert p["cmax_ng_per_mL_low"] <= p["cmax_ng_per_mL"] <= p["cmax_ng_per_mL_high"]
        assert p["cmax_nM_low"] < p["cmax_nM_high"]
    table = pd.read_csv(out)
    assert list(table.columns) == ["time_h", "clock", "compound", "conc_nM_median", "conc_nM_low", "conc_nM_high",
                                   "conc_ng_per_mL_median", "conc_ng_per_mL_low", "conc_ng_per_mL_high"]
    assert (table.conc_nM_low <= table.conc_nM_median).all() and (table.conc_nM_median <= table.conc_nM_high).all()
    # the table is prediction_bands' (same subjects, same quantiles)
    from kratomsim.populations import prediction_bands
    from kratomsim.scenario import make_scenario

    bands = prediction_bands(make_scenario(count=2, start_date=DAY), 200, seed=1)
    assert np.allclose(table.conc_nM_median, bands.median_nM, rtol=1e-12, atol=0)


def test_night_intervals_and_summary(capsys: pytest.CaptureFixture[str]) -> None:
    payload = run_json(capsys, night_args("--subjects", N))
    pop = payload["population"]
    assert pop["subjects"] == 200 and pop["interval_percent"] == [5.0, 95.0]
    assert len(pop["nights"]) == 2 * len({r["compound"] for r in payload["nights"]})
    for row in pop["nights"]:
        for key in ("peak_nM", "wake_nM", "morning_nM", "auc_sleep_nM_h", "peak_ng_per_mL"):
            assert row[key]["low"] < row[key]["median"] < row[key]["high"], (row["compound"], key)
    assert_ordered(list(cells(pop["nights"])))
    assert "5-95% prediction interval" in payload["summary"] and "200 simulated" in payload["summary"]
    # the typical subject sits inside its own population's interval
    typical = {(r["compound"], r["night"]): r for r in payload["nights"]}
    for row in pop["nights"]:
        t = typical[(row["compound"], row["night"])]
        assert row["peak_nM"]["low"] < t["peak_nM"] < row["peak_nM"]["high"]


def test_night_population_metrics_match_per_subject_arrays() -> None:
    """Peak, wake-up and morning quantiles agree with the same subjects' concentrations on the grid."""
    from kratomsim.night_report import make_timeline, population_nights
    from kratomsim.populations import population_spec, subject_concentrations
    from kratomsim.scenario import make_scenario

    timeline = make_timeline("22:30", "06:30", 1, "09:00", DAY)
    scenario = make_scenario(count=1, grid="5min", hours=timeline.horizon_h, start_date=DAY)
    pop = population_nights(scenario, timeline, 300, seed=2)
    spec = population_spec(scenario, 2, timeline.to_wake_h)
    times = scenario.times_h()
    conc = subject_concentrations(spec, 0, 300, times)["mitragynine"]
    window = (times >= 0) & (times <= timeline.to_wake_h + 1e-9)
    row = next(r for r in pop["nights"] if r["compound"] == "mitragynine")
    iw, im = (int(np.argmin(abs(times - t))) for t in (timeline.wake_h(1), timeline.morning_h(1)))
    for key, values in (("peak_nM", conc[:, window].max(axis=1)), ("wake_nM", conc[:, iw]),
                        ("morning_nM", conc[:, im])):
        ordered = np.sort(values)
        for name, q in (("median", 0.5), ("low", 0.05), ("high", 0.95)):
            # Sample quantile conventions differ by up to one order statistic; histogram bins are 0.46 % wide.
            k = q * (len(ordered) - 1)
            below = ordered[max(0, int(np.floor(k)) - 1)] * (1 - 0.005)
            above = ordered[min(len(ordered) - 1, int(np.ceil(k)) + 1)] * (1 + 0.005)
            assert below <= row[key][name] <= above, (key, name)


def test_compare_intervals(capsys: pytest.CaptureFixture[str]) -> None:
    payload = run_json(capsys, ["compare", "--aid", "kratom:K51:2g", "--aid", "zolpidem:10mg", "--nights", "2",
                                "--date", DAY, "--json", "--subjects", N])
    kratom = [e for e in payload["aids"] if e["kind"] != "medicine"]
    medicine = [e for e in payload["aids"] if e["kind"] == "medicine"]
    assert kratom and all("population" in e for e in kratom)
    assert medicine and all("population" not in e for e in medicine)
    assert_ordered(list(cells([e["population"] for e in kratom])))
    assert payload["population"]["subjects"] == 200
    assert any("typical 70 kg adult only" in n for n in payload["notes"])


def test_receptors_intervals(capsys: pytest.CaptureFixture[str]) -> None:
    payload = run_json(capsys, ["receptors", "--nights", "2", "--json", "--subjects", N])
    pop = payload["population"]
    assert pop["subjects"] == 200 and len(pop["nights"]) == 2
    for night in pop["nights"]:
        for point in ("peak", "wake"):
            c = night[point]["occupancy_percent"]
            assert 0 < c["low"] < c["median"] < c["high"] < 100
    assert_ordered(list(cells(pop["nights"])))
    # the typical subject's occupancy is inside the interval
    typical = payload["nights"][0]["peak"]["occupancy_percent"]
    assert pop["nights"][0]["peak"]["occupancy_percent"]["low"] < typical
    assert typical < pop["nights"][0]["peak"]["occupancy_percent"]["high"]


def test_same_seed_same_numbers(capsys: pytest.CaptureFixture[str]) -> None:
    a = run_json(capsys, night_args("--subjects", N, "--seed", "7"))["population"]
    b = run_json(capsys, night_args("--subjects", N, "--seed", "7"))["population"]
    c = run_json(capsys, night_args("--subjects", N, "--seed", "8"))["population"]
    for p in (a, b, c):
        p.pop("elapsed_s")
    assert a == b
    assert a["nights"] != c["nights"]
    r1 = run_json(capsys, ["receptors", "--json", "--subjects", N, "--seed", "7"])["population"]
    r2 = run_json(capsys, ["receptors", "--json", "--subjects", N, "--seed", "7"])["population"]
    assert r1 == r2


def test_level_changes_the_interval(capsys: pytest.CaptureFixture[str]) -> None:
    wide = run_json(capsys, night_args("--subjects", N, "--level", "0.9"))["population"]["nights"][0]["peak_nM"]
    narrow = run_json(capsys, night_args("--subjects", N, "--level", "0.5"))["population"]["nights"][0]["peak_nM"]
    assert narrow["median"] == wide["median"]
    assert wide["low"] < narrow["low"] < narrow["high"] < wide["high"]


# ------------------------------------------------------------------------------ one subject = today


def test_one_subject_is_todays_output(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    for args in (night_args(), ["compare", "--aid", "kratom:K51:2g", "--nights", "2", "--date", DAY, "--json"],
                 ["receptors", "--nights", "2", "--json"]):
        today = run_json(capsys, args)
        one = run_json(capsys, [*args, "--subjects", "1", "--seed", "9", "--level", "0.5"])
        assert one == today, args[0]
        assert "population" not in one
    a, b = tmp_path / "a.csv", tmp_path / "b.csv"
    today = run_json(capsys, ["simulate", "--date", DAY, "--out", str(a), "--json"])
    one = run_json(capsys, ["simulate", "--date", DAY, "--out", str(b), "--json", "--subjects", "1"])
    assert {k: v for k, v in one.items() if k != "out"} == {k: v for k, v in today.items() if k != "out"}
    assert a.read_bytes() == b.read_bytes()


def test_text_output_gives_intervals(capsys: pytest.CaptureFixture[str]) -> None:
    capsys.readouterr()
    main(["night", "--nights", "2", "--date", DAY, "--subjects", N])
    text = capsys.readouterr().out
    assert "Across 200 simulated people" in text and "(5-95%)" in text


# ------------------------------------------------------------------------------ bad input, plot


@pytest.mark.parametrize("command", [
    ["simulate", "--out", "x.csv"], ["night"], ["compare", "--aid", "kratom:K51:2g"], ["receptors"],
])
@pytest.mark.parametrize("bad, fragment", [
    (["--subjects", "0"], "--subjects"), (["--subjects", "10000001"], "--subjects"),
    (["--level", "0"], "--level"), (["--level", "1"], "--level"), (["--level", "1.5"], "--level"),
])
def test_bad_input_one_line_exit_2(
    command: list[str], bad: list[str], fragment: str, capsys: pytest.CaptureFixture[str]
) -> None:
    capsys.readouterr()
    with pytest.raises(SystemExit) as info:
        main([*command, *bad])
    assert info.value.code == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("error:") and fragment in err


def test_night_plot_with_bands(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    import matplotlib.image as mpimg

    png, html = tmp_path / "night.png", tmp_path / "night.html"
    payload = run_json(capsys, night_args("--subjects", N, "--plot", str(png), "--plot", str(html)))
    assert payload["plots"] == [str(png), str(html)]
    image = mpimg.imread(png)
    assert image.shape[0] > 300 and image.shape[1] > 600
    assert float(np.std(image[..., :3])) > 0.05  # not blank
    assert "band of 200 people" in html.read_text()

    from kratomsim.night_report import night_report
    from kratomsim.report.plots import night_curves

    report = night_report("K51", "2g", "22:30", "06:30", 2, "09:00", "70kg", DAY, subjects=200)
    curves = night_curves(report)
    low, high = curves.bands["mitragynine"]
    median = curves.conc_nM["mitragynine"]
    assert np.all(low <= median + 1e-9) and np.all(median <= high + 1e-9) and np.any(high > low)
    assert len(curves.windows) == 2  # the sleep windows are still shaded


def test_interrupt_exits_130(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    import kratomsim.populations as population

    def stop(*args: Any, **kwargs: Any) -> Any:
        raise population.PopulationInterrupted(1024, 5000)

    monkeypatch.setattr(population, "run_population", stop)
    with pytest.raises(SystemExit) as info:
        main(["night", "--subjects", "5000"])
    assert info.value.code == 130
    assert "interrupted after 1,024 of 5,000 subjects" in capsys.readouterr().err
