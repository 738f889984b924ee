"""Populations: modal solver exactness, spreads, seeds, chunking, Dask, coverage, CLI."""

from __future__ import annotations

import json
import math
from dataclasses import replace

import numpy as np
import pytest
from scipy.stats import norm

from kratomsim.library import kratom_dispositions
from kratomsim.peaks import window_peaks
from kratomsim.pk.engine import concentrations_nM, propagate
from kratomsim.pk.modal import build_modal, modal_concentrations
from kratomsim.pk.model import Disposition, DoseEvent, build_system
from kratomsim.pk.nightly import reference_window_metrics, window_metrics
from kratomsim.populations import (
    ChunkResult,
    PopulationInterrupted,
    Spread,
    expected_range,
    omega_from_range,
    run_population,
    sample_subjects,
    subject_doses,
    subject_model,
    variability_spreads,
)
from kratomsim.scenario import make_scenario

REL = 1e-9


def _random_system(n: int, seed: int = 3):
    base, formations = kratom_dispositions()
    subjects = sample_subjects(n, seed)
    return subject_model(base, formations, subjects)


def _close(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.max(np.abs(a - b)) / np.max(np.abs(b)))


def test_modal_time_course_equals_propagate() -> None:
    dispositions, formations = _random_system(24)
    system = build_system(dispositions, formations)
    scenario = make_scenario(count=3)
    doses = scenario.dose_events()
    times = scenario.times_h()
    reference = concentrations_nM(system, propagate(system, doses, times))
    model = build_modal(system, sorted({d.compound for d in doses}))
    modal = modal_concentrations(model, doses, times)
    assert not model.defective.any()
    for compound, conc in reference.items():
        assert _close(modal[compound], conc) < REL, compound


def test_window_metrics_equal_expm_reference() -> None:
    dispositions, formations = _random_system(16, seed=5)
    system = build_system(dispositions, formations)
    doses = make_scenario(count=3).dose_events()
    windows = [(24.0 * j + 0.5, 24.0 * j + 8.0) for j in range(3)]
    model = build_modal(system, sorted({d.compound for d in doses}))
    fast = window_metrics(model, doses, windows)
    slow = reference_window_metrics(system, doses, windows, 5 / 60, fast.compounds)
    for name in ("cwake", "auc"):
        assert _close(getattr(fast, name), getattr(slow, name)) < REL, name
    assert np.all(fast.cmax >= slow.cmax * (1 - 1e-12))  # the exact peak bounds every grid value
    for subject in (0, 7, 15):  # and equals the one-subject exact-peak search (kratomsim.peaks)
        peaks = window_peaks(system, doses, windows, subject)
        for ci, c in enumerate(fast.compounds):
            assert fast.cmax[subject, :, ci] == pytest.approx([p.conc_nM for p in peaks[c]], rel=1e-10)


def test_defective_subjects_fall_back_to_expm() -> None:
    # subject 0: absorption rate equal to the elimination rate (a Jordan block); subject 1: not
    d = Disposition(ka=np.array([0.5, 1.0]), cl=np.array([5.0, 5.0]), v1=np.array([10.0, 10.0]))
    system = build_system({"x": d})
    doses = [DoseEvent(24.0 * j, "x", 10.0) for j in range(3)]
    model = build_modal(system, ["x"])
    assert model.defective.tolist() == [True, False]
    times = np.arange(0, 72.0, 0.25)
    reference = concentrations_nM(system, propagate(system, doses, times))["x"]
    assert _close(modal_concentrations(model, doses, times)["x"], reference) < REL
    windows = [(24.0 * j, 24.0 * j + 8.0) for j in range(3)]
    fast = window_metrics(model, doses, windows)
    slow = reference_window_metrics(system, doses, windows, 0.25, ("x",))
    assert _close(fast.cwake, slow.cwake) < REL and _close(fast.auc, slow.auc) < REL
    for subject in (0, 1):  # the defective subject's peak comes from the one-subject exact search
        peaks = [p.conc_nM for p in window_peaks(system, doses, windows, subject)["x"]]
        assert fast.cmax[subject, :, 0] == pytest.approx(peaks, rel=1e-10)


def test_spreads_come_from_the_published_ranges() -> None:
    assert expected_range(5) == pytest.approx(2.326, abs=1e-3)  # tabulated d2(5)
    spreads = {(s.compound, s.parameter): s for s in variability_spreads()}
    cl, f = spreads[("mitragynine", "cl")], spreads[("mitragynine", "bioavailability")]
    # CL/F's published spread is split into F and CL parts: their variances add back up to it
    assert math.hypot(cl.omega, f.omega) == pytest.approx(math.log(302 / 71.7) / expected_range(5))
    assert cl.source and cl.where and f.ci90 is not None and f.ci90[0] < f.omega < f.ci90[1]
    assert spreads[("7-hydroxymitragynine", "formation")].omega > 0
    assert omega_from_range(1.0, 1.0, 5) == 0.0
    assert {s.parameter for s in variability_spreads("trakulsrichai2015")} == {"volume", "ka"}


def test_subjects_do_not_depend_on_how_they_are_drawn() -> None:
    whole = sample_subjects(3000, seed=11)
    part = sample_subjects(700, seed=11, start=1900)
    for key, values in part.factors.items():
        assert np.array_equal(values, whole.factors[key][1900:2600])
    other = sample_subjects(3000, seed=12)
    assert not np.array_equal(other.factors[("mitragynine", "cl")], whole.factors[("mitragynine", "cl")])


def _collect(**kwargs: object) -> tuple[object, dict[str, np.ndarray]]:
    parts: list[ChunkResult] = []
    result = run_population(make_scenario(count=2), progress=False, band_subjects=300,
                            on_chunk=parts.append, **kwargs)  # type: ignore[arg-type]
    metrics = {name: np.concatenate([getattr(p.metrics, name) for p in parts]) for name in ("cmax", "cwake", "auc")}
    return result, metrics


def test_same_seed_same_numbers_whatever_the_chunking() -> None:
    a, ma = _collect(subjects=2500, seed=7, chunk_size=2500)
    b, mb = _collect(subjects=2500, seed=7, chunk_size=333, workers=2)
    for name in ma:
        assert np.array_equal(ma[name], mb[name]), name
    assert np.array_equal(a.histogram, b.histogram)  # type: ignore[attr-defined]
    for c in a.compounds:  # type: ignore[attr-defined]
        assert np.array_equal(a.high[c], b.high[c])  # type: ignore[attr-defined]


def test_worker_processes_give_the_numbers_of_one_thread(monkeypatch: pytest.MonkeyPatch) -> None:
    """Histogram-only runs with several workers go to forked processes: the same counts, bit for bit."""
    from concurrent.futures import ProcessPoolExecutor

    from kratomsim import population_runner

    used: list[str] = []
    real = population_runner._drain

    def spy(pool, *args):  # type: ignore[no-untyped-def]
        used.append(type(pool).__name__)
        return real(pool, *args)

    monkeypatch.setattr(population_runner, "_drain", spy)
    monkeypatch.setattr(population_runner, "_may_fork", lambda: True)  # a test runner may hold threads of its own
    scenario = make_scenario(count=3)
    one = run_population(scenario, 3000, seed=5, chunk_size=3000, workers=1, progress=False, band_subjects=20)
    two = run_population(scenario, 3000, seed=5, chunk_size=700, workers=2, progress=False, band_subjects=20)
    assert used == [ProcessPoolExecutor.__name__]
    assert np.array_equal(one.histogram, two.histogram)
    assert one.defective == two.defective


def test_no_fork_from_a_thread() -> None:
    """A fork copies one thread only: beside other threads the runner keeps to threads."""
    import threading

    from kratomsim.population_runner import _may_fork

    seen: list[bool] = []
    worker = threading.Thread(target=lambda: seen.append(_may_fork()))
    worker.start()
    worker.join()
    assert seen == [False]


def test_interrupt_with_worker_processes(monkeypatch: pytest.MonkeyPatch) -> None:
    """Ctrl-C in the parent of worker processes: the one-line PopulationInterrupted, the chunks done so far."""
    from kratomsim import population_runner

    real = population_runner.ChunkTotals.add

    def add(self, chunk):  # type: ignore[no-untyped-def]
        real(self, chunk)
        if self.done >= 1000:
            raise KeyboardInterrupt

    monkeypatch.setattr(population_runner.ChunkTotals, "add", add)
    monkeypatch.setattr(population_runner, "_may_fork", lambda: True)
    with pytest.raises(PopulationInterrupted) as info:
        run_population(make_scenario(count=1), 5000, seed=0, chunk_size=500, workers=2, progress=False,
                       band_subjects=10)
    assert info.value.done == 1000


def test_dask_equals_local() -> None:
    distributed = pytest.importorskip("distributed")
    local, ml = _collect(subjects=1500, seed=4, chunk_size=500)
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=False,
                                  dashboard_address=None) as cluster:
        remote, mr = _collect(subjects=1500, seed=4, chunk_size=400, dask_address=cluster.scheduler_address)
    for name in ml:
        assert np.array_equal(ml[name], mr[name]), name
    assert np.array_equal(local.histogram, remote.histogram)  # type: ignore[attr-defined]


def test_intervals_cover_the_analytic_lognormal() -> None:
    # only the dose varies (log-normal, mean 1): every concentration is log-normal with that omega
    omega = 0.4
    content = [Spread("mitragynine", "content", omega, "test", "-", "-", "-")]
    scenario = make_scenario(dose="40mg:mitragynine", count=1, hours=24)
    result = run_population(scenario, 20000, seed=1, spreads=(), content=content, progress=False,
                            band_subjects=4000, level=0.9)
    typical = run_population(scenario, 1, seed=1, spreads=(), progress=False, band_subjects=1)
    z = norm.ppf(0.95)
    i = int(np.searchsorted(result.times_h, 3.0))
    centre = typical.median["mitragynine"][i] * math.exp(-omega**2 / 2)
    assert result.median["mitragynine"][i] == pytest.approx(centre, rel=0.05)
    assert result.low["mitragynine"][i] == pytest.approx(centre * math.exp(-z * omega), rel=0.08)
    assert result.high["mitragynine"][i] == pytest.approx(centre * math.exp(z * omega), rel=0.08)
    table = result.metrics_table()
    row = table[(table.compound == "mitragynine") & (table.metric == "cmax")].iloc[0]
    typical_row = typical.metrics_table()
    cmax = typical_row[(typical_row.compound == "mitragynine") & (typical_row.metric == "cmax")].iloc[0]["median"]
    centre = cmax * math.exp(-omega**2 / 2)
    assert row["low"] == pytest.approx(centre * math.exp(-z * omega), rel=0.04)
    assert row["high"] == pytest.approx(centre * math.exp(z * omega), rel=0.04)


def test_memory_does_not_grow_with_subjects() -> None:
    small = run_population(make_scenario(count=2), 500, seed=2, progress=False, band_subjects=100)
    large = run_population(make_scenario(count=2), 5000, seed=2, progress=False, band_subjects=100,
                           chunk_size=1000)
    assert small.histogram.shape == large.histogram.shape
    assert small.median["mitragynine"].shape == large.median["mitragynine"].shape
    assert int(large.histogram[0, 0, 0].sum()) == 5000


def test_interrupt_reports_progress() -> None:
    def stop(chunk: ChunkResult) -> None:
        if chunk.start >= 200:
            raise KeyboardInterrupt

    with pytest.raises(PopulationInterrupted) as info:
        run_population(make_scenario(count=1), 600, seed=0, chunk_size=200, progress=False,
                       band_subjects=10, on_chunk=stop)
    assert info.value.done == 400 and "400 of 600" in str(info.value)


def test_doses_and_model_broadcast_per_subject() -> None:
    subjects = sample_subjects(5, seed=0)
    base, formations = kratom_dispositions()
    dispositions, _ = subject_model(base, formations, subjects)
    assert np.asarray(dispositions["mitragynine"].cl).shape == (5,)
    doses = subject_doses(make_scenario().dose_events(), subjects)
    assert np.asarray(doses[0].amount_umol).shape == (5,)
    assert replace(doses[0]).compound == doses[0].compound


def test_cli_population_json_and_bad_input(capsys: pytest.CaptureFixture[str]) -> None:
    from kratomsim.cli import main

    main(["population", "--subjects", "300", "--nights", "2", "--json", "--seed", "3"])
    payload = json.loads(capsys.readouterr().out)
    assert payload["subjects"] == 300 and payload["metrics"]
    with pytest.raises(SystemExit) as exit_info:
        main(["population", "--subjects", "0"])
    assert exit_info.value.code == 2


def test_prediction_bands_table_is_tidy() -> None:
    from kratomsim.populations import prediction_bands

    table = prediction_bands(make_scenario(count=1, hours=12), subjects=200, seed=1)
    assert {"time_h", "clock", "compound", "median_nM", "low_nM", "high_nM"} <= set(table.columns)
    assert (table["low_nM"] <= table["median_nM"]).all() and (table["median_nM"] <= table["high_nM"]).all()


def test_moments_recover_known_spreads_by_hand() -> None:
    from kratomsim.variability_structure import split_moments

    w_f, w_cl, w_v = 0.4, 0.3, 0.2
    got = split_moments(math.hypot(w_cl, w_f), math.hypot(w_v, w_f), math.hypot(w_cl, w_v))
    assert (got.omega_f, got.omega_cl, got.omega_v) == pytest.approx((w_f, w_cl, w_v), rel=1e-12)
    assert got.clipped == ()
    # a half-life spread wider than CL/F and V/F together leaves no room for F: F is set to 0, said so
    assert split_moments(0.1, 0.1, 0.5).omega_f == 0.0
    assert "bioavailability" in split_moments(0.1, 0.1, 0.5).clipped


def test_simulated_mitragynine_half_lives_match_the_observed_range() -> None:
    """Shared F: CL/F and V/F move together, so the half-life spread is the observed one's size
    (Tanna 2022: 31.9-50.2 h, n = 5); independent draws spread it over 17-143 h."""
    subjects = sample_subjects(20000, seed=5)
    base, formations = kratom_dispositions()
    dispositions, _ = subject_model(base, formations, subjects)
    a = build_system({"mitragynine": dispositions["mitragynine"]}).A
    eig = np.linalg.eigvals(a)
    rate = np.min(np.where(eig.real < -1e-12, -eig.real, np.inf), axis=1)
    low, high = np.percentile(np.log(2) / rate, [5, 95])
    assert 31.9 / 1.5 <= low <= 31.9 * 1.5 and 50.2 / 1.5 <= high <= 50.2 * 1.5
    # the shared draw: one person's F factor is the same standard normal for every alkaloid
    z_mg = np.log(subjects.factor("mitragynine", "bioavailability"))
    z_sc = np.log(subjects.factor("speciociliatine", "bioavailability"))
    assert np.corrcoef(z_mg, z_sc)[0, 1] == pytest.approx(1.0, abs=1e-12)
