"""Closed-form time to a fraction of the single-dose AUC, against solve_ivp and the numerical path.

Truth: the total AUC of dx/dt = A x after a dose x0 is c^T (-A)^-1 x0 (linear algebra, no modes);
the time at which the cumulative AUC reaches 90 % of it is found by an ODE solve (LSODA, rtol 1e-11)
of the system augmented with one AUC state, stopped by an event.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.integrate import solve_ivp

from kratomsim.pk.model import Disposition, DoseEvent, Formation, LinearSystem, build_system
from kratomsim.pk.steady import auc_fraction_times


def ode_fraction_time(system: LinearSystem, doses: list[DoseEvent], compound: str, fraction: float) -> float:
    """t with AUC(0, t) = fraction * total, by solve_ivp with an event on an augmented AUC state."""
    A = system.A[0]
    n = A.shape[0]
    aug = np.zeros((n + 1, n + 1))
    aug[:n, :n] = A
    aug[n, system.central[compound]] = 1000.0 / system.volume[compound][0]
    # arrival instants to 1e-9 h, as the model defines them (a 1e-300 h gap would stall the solver)
    arrivals = sorted((round(d.time_h + system.lag[d.compound], 9), system.depot[d.compound],
                       float(d.amount_umol)) for d in doses)
    x0 = np.zeros(n)
    for _, index, amount in arrivals:
        x0[index] += amount
    total = float(aug[n, :n] @ np.linalg.solve(-A, x0))
    target = fraction * total
    state = np.zeros(n + 1)
    t_now = 0.0
    for at, index, amount in [*arrivals, (np.inf, -1, 0.0)]:
        end = min(at, 1e5)
        if end > t_now:
            def hit(_t: float, x: np.ndarray) -> float:
                return float(x[n] - target)
            hit.terminal = True  # type: ignore[attr-defined]
            sol = solve_ivp(lambda _t, x: aug @ x, (t_now, end), state, method="LSODA", rtol=1e-11, atol=1e-16,
                            jac=lambda _t, _x: aug, events=hit)
            if sol.t_events[0].size:
                return float(sol.t_events[0][0])
            state, t_now = sol.y[:, -1], end
        if index >= 0:
            state[index] += amount
    raise AssertionError("target not reached")


positive = st.floats(min_value=0.05, max_value=5.0)


# no exchange, or a real one (a clearance of 1e-300 L/h underflows to a compartment that exchanges nothing)
EXCHANGE = st.one_of(st.just(0.0), st.floats(1e-3, 3.0))


@settings(max_examples=25, deadline=None)
@given(ka=positive, ke=st.floats(0.01, 1.0), v1=st.floats(10.0, 2000.0), q_ratio=EXCHANGE,
       v2_ratio=st.floats(0.5, 20.0), lag=st.floats(0.0, 1.5), ka_m=positive, ke_m=st.floats(0.02, 2.0),
       pre=st.floats(0.0, 0.5), sys_f=st.floats(0.0, 0.5), second=st.floats(0.0, 6.0))
def test_closed_form_matches_solve_ivp(ka: float, ke: float, v1: float, q_ratio: float, v2_ratio: float,
                                       lag: float, ka_m: float, ke_m: float, pre: float, sys_f: float,
                                       second: float) -> None:
    parent = Disposition(ka=ka, cl=ke * v1, v1=v1, q2=q_ratio * ke * v1, v2=v2_ratio * v1, lag=lag)
    metabolite = Disposition(ka=ka_m, cl=ke_m * 300.0, v1=300.0)
    system = build_system({"p": parent, "m": metabolite}, [Formation("p", "m", presystemic=pre, systemic=sys_f)])
    doses = [DoseEvent(0.0, "p", 100.0), DoseEvent(second, "m", 5.0)]  # two arrival times, one with a lag
    exact = auc_fraction_times(system, doses, 0.9)
    if exact is None:  # a defective draw (equal rates): the caller integrates numerically instead
        return
    for compound, (t90, total) in exact.items():
        reference = ode_fraction_time(system, doses, compound, 0.9)
        assert t90 == pytest.approx(reference, rel=1e-7, abs=1e-9)
        assert total > 0


def test_defective_system_is_refused() -> None:
    same = Disposition(ka=0.5, cl=50.0, v1=100.0)  # ka equal to ke: a Jordan block
    assert auc_fraction_times(build_system({"a": same}), [DoseEvent(0.0, "a", 1.0)], 0.9) is None


def test_report_steady_state_equals_the_numerical_path() -> None:
    """The night report's closed form against the former numerical path (trapezoid, 1-15 min steps)."""
    from kratomsim import steady_nights
    from kratomsim.exposure import model_for, run
    from kratomsim.scenario import make_scenario

    single = make_scenario(product="K51", dose="2g", at="22:30", count=1, weight="70kg", hours=24.0,
                           autoinhibition=False)  # the steady state is the linear model's
    exact = steady_nights.kratom_steady_state(single)
    rate = steady_nights.slowest_rate(build_system(*model_for(single)).A)
    numerical = steady_nights.steady_state(lambda t: {k: v[0] for k, v in run(single, times_h=t).conc_nM.items()}, rate)
    assert set(exact) == set(numerical)
    for name, row in numerical.items():
        # the numerical path's own error: trapezoid on 15-minute steps, about 1e-5 relative
        assert exact[name]["days_to_90pct"] == pytest.approx(row["days_to_90pct"], rel=3e-5)
        assert exact[name]["nights_to_90pct"] == row["nights_to_90pct"]
        assert exact[name]["slowest_half_life_h"] == row["slowest_half_life_h"]
