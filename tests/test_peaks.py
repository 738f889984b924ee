"""Exact peaks: the model's own maximum between grid points, checked against an ODE solve."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.integrate import solve_ivp
from scipy.optimize import minimize_scalar

from kratomsim.exposure import exposure_peaks, run
from kratomsim.night_report import night_report
from kratomsim.peaks import window_peaks
from kratomsim.pk.model import Disposition, DoseEvent, Formation, build_system
from kratomsim.scenario import make_scenario


def ode_peak(system, doses, start, end, compound):  # type: ignore[no-untyped-def]
    """Highest concentration on [start, end] by an independent route: solve_ivp between dose
    arrivals (rtol 1e-11), then a bounded scalar maximisation of its dense output."""
    a = system.A[0]
    c, vol = system.central[compound], float(system.volume[compound][0])
    arrivals = sorted({d.time_h + system.lag[d.compound] for d in doses})
    x = np.zeros(len(system.states))
    t0, best = 0.0, (-np.inf, np.nan)
    for t_next in [*[t for t in arrivals if t < end], end]:
        if t_next > t0:
            sol = solve_ivp(lambda _t, y: a @ y, (t0, t_next), x, rtol=1e-11, atol=1e-16, dense_output=True,
                            method="DOP853")
            lo, hi = max(t0, start), min(t_next, end)
            if hi > lo:
                grid = np.linspace(lo, hi, 400)
                values = sol.sol(grid)[c]
                k = int(np.argmax(values))
                res = minimize_scalar(lambda t, sol=sol: -sol.sol(t)[c], bounds=(grid[max(k - 1, 0)],
                                      grid[min(k + 1, len(grid) - 1)]), method="bounded",
                                      options={"xatol": 1e-9})
                for t, v in ((grid[k], values[k]), (res.x, -res.fun)):
                    if v * 1000 / vol > best[0]:
                        best = (v * 1000 / vol, float(t))
            x = sol.y[:, -1].copy()
        for d in doses:
            if abs(d.time_h + system.lag[d.compound] - t_next) < 1e-12 and t_next < end:
                x[system.depot[d.compound]] += float(d.amount_umol)
        t0 = t_next
    return best


# no exchange, or a real one (a clearance of 1e-300 L/h underflows to a compartment that exchanges nothing)
EXCHANGE = st.one_of(st.just(0.0), st.floats(1e-3, 3.0))


@settings(max_examples=25, deadline=None)
@given(ka=st.floats(0.3, 6.0), ke=st.floats(0.02, 0.8), q=EXCHANGE, lag=st.floats(0.0, 1.0),
       frac=st.floats(0.0, 0.5))
def test_exact_peak_matches_an_ode_solve(ka: float, ke: float, q: float, lag: float, frac: float) -> None:
    parent = Disposition(ka=ka, cl=ke * 50.0, v1=50.0, q2=q * 20.0, v2=200.0, lag=lag)
    metabolite = Disposition(ka=1.0, cl=30.0, v1=80.0)
    system = build_system({"p": parent, "m": metabolite}, [Formation("p", "m", presystemic=frac, systemic=0.3)])
    doses = [DoseEvent(24.0 * i, "p", 100.0) for i in range(3)]
    windows = [(0.0, 8.0), (24.0, 32.0), (48.0, 56.0)]
    exact = window_peaks(system, doses, windows)
    for compound in ("p", "m"):
        for (start, end), peak in zip(windows, exact[compound], strict=True):
            value, when = ode_peak(system, doses, start, end, compound)
            assert peak.conc_nM == pytest.approx(value, rel=1e-7)
            assert start <= peak.time_h <= end
            assert abs(peak.time_h - when) < 1e-3 or peak.conc_nM == pytest.approx(value, rel=1e-12)


def test_simulate_peak_does_not_depend_on_the_grid() -> None:
    coarse = exposure_peaks(run(make_scenario(grid="2h", start_date="2026-01-05")))
    fine = exposure_peaks(run(make_scenario(grid="1min", start_date="2026-01-05")))
    for a, b in zip(coarse, fine, strict=True):
        assert a["compound"] == b["compound"]
        assert a["cmax_nM"] == pytest.approx(b["cmax_nM"], rel=0.005)
        assert abs(a["time_h"] - b["time_h"]) < 1 / 60
    # the 2 h grid alone misses most of mitragynine's peak (about 1 h after the dose)
    grid = run(make_scenario(grid="2h", start_date="2026-01-05")).conc_nM["mitragynine"][0].max()
    assert grid < 0.9 * coarse[0]["cmax_nM"]


def test_night_peak_is_at_least_every_grid_value_and_matches_the_ode() -> None:
    # the linear model's exact peaks (autoinhibited peaks: tests/test_autoinhibition_night.py)
    report = night_report(nights=2, start_date="2026-01-05", autoinhibition=False)
    times, conc = report.series["times_h"], report.series["conc_nM"]
    scenario = make_scenario(start_date="2026-01-05", count=2, autoinhibition=False)
    from kratomsim.exposure import model_for

    system = build_system(*model_for(scenario))
    for row in report.nights:
        name, n = row.compound, row.night
        window = (times >= 24.0 * (n - 1)) & (times <= 24.0 * (n - 1) + 8.0)
        assert row.peak_nM >= conc[name][window].max() * (1 - 1e-12)
        value, _ = ode_peak(system, scenario.dose_events(), 24.0 * (n - 1), 24.0 * (n - 1) + 8.0, name)
        assert row.peak_nM == pytest.approx(value, rel=1e-7)
