"""The time-varying (autoinhibited) solver against solve_ivp on the coupled system, written out here."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.integrate import solve_ivp

from kratomsim.pk.autoinhibition import SelfInactivation, inactivation_matrix, propagate_self_inactivated
from kratomsim.pk.engine import concentrations_nM, propagate
from kratomsim.pk.model import Disposition, DoseEvent, Formation, build_system

PARENT, METABOLITE = "p", "m"


def _inact(fm: float = 0.55, kinact: float = 4.08, kdeg: float = np.log(2) / 36) -> SelfInactivation:
    return SelfInactivation(parent=PARENT, fm=fm, fu=0.031, ki_reversible_uM=5.7, ki_uM=4.1,
                            kinact_per_h=kinact, kdeg_per_h=kdeg, qh_L_per_h=97.0)


def _reference(parent: Disposition, met_cl: float, met_v: float, presys: float, systemic: float,
               inact: SelfInactivation, doses: list[tuple[float, float]], times: np.ndarray) -> np.ndarray:
    """Parent and metabolite central concentrations (nM) from the ODEs integrated by solve_ivp."""
    ka, cl, v1, q, v2 = (float(x) for x in (parent.ka, parent.cl, parent.v1, parent.q2, parent.v2))  # type: ignore[arg-type]
    ke = cl / v1

    def rhs(_t: float, y: np.ndarray) -> np.ndarray:
        gut, c, per, mc, e = y
        inhib = inact.fu * (c / v1 + ka * gut / inact.qh_L_per_h)
        act = e / (1 + inhib / inact.ki_reversible_uM)
        k_el = ke * (1 - inact.fm + inact.fm * act)
        kobs = inact.kinact_per_h * inhib / (inact.ki_uM + inhib)
        return np.array([
            -ka * gut,
            ka * (1 - presys) * gut - k_el * c - q / v1 * c + q / v2 * per,
            q / v1 * c - q / v2 * per,
            ka * presys * act * gut + ke * systemic * act * c - met_cl / met_v * mc,
            inact.kdeg_per_h * (1 - e) - kobs * e,
        ])

    y = np.array([0.0, 0.0, 0.0, 0.0, 1.0])
    out = np.empty((times.size, 2))
    edges = sorted({0.0, *[t for t, _ in doses], float(times[-1])})
    for a, b in itertools.pairwise(edges):
        y[0] += sum(amount for t, amount in doses if t == a)
        inside = times[(times >= a) & (times <= b)]
        sol = solve_ivp(rhs, (a, b), y, method="LSODA", rtol=1e-11, atol=1e-14, t_eval=inside, dense_output=True)
        mask = (times >= a) & (times <= b)
        out[mask, 0] = sol.y[1] / v1 * 1000
        out[mask, 1] = sol.y[3] / met_v * 1000
        y = sol.y[:, -1].copy()
    return out


def _ours(parent: Disposition, met_cl: float, met_v: float, presys: float, systemic: float,
          inact: SelfInactivation, doses: list[tuple[float, float]], times: np.ndarray,
          step_h: float = 0.25) -> np.ndarray:
    dispositions = {PARENT: parent, METABOLITE: Disposition(ka=parent.ka, cl=met_cl, v1=met_v)}
    formations = [Formation(PARENT, METABOLITE, presystemic=presys, systemic=systemic)]
    system = build_system(dispositions, formations)
    ka = np.array([float(parent.ka)])  # type: ignore[arg-type]
    ke = np.array([float(parent.cl) / float(parent.v1)])  # type: ignore[arg-type]
    d = inactivation_matrix(system, formations, inact, ka, ke)
    events = [DoseEvent(t, PARENT, amount) for t, amount in doses]
    course = propagate_self_inactivated(system, d, inact, ka, events, times, step_h=step_h)
    conc = concentrations_nM(system, course.states)
    return np.stack([conc[PARENT][0], conc[METABOLITE][0]], axis=1)


MG = Disposition(ka=1.86, cl=196.0, v1=702.0, q2=153.0, v2=5480.0)


def test_matches_solve_ivp_over_two_weeks_of_nightly_doses() -> None:
    doses = [(24.0 * n, 98.0) for n in range(14)]
    times = np.unique(np.concatenate([np.arange(0, 14 * 24 + 72, 0.25), [t + 1.0 for t, _ in doses]]))
    ref = _reference(MG, 74.0, 586.0, 0.1, 0.05, _inact(), doses, times)
    got = _ours(MG, 74.0, 586.0, 0.1, 0.05, _inact(), doses, times)
    late = times > 0.5
    assert np.max(np.abs(got[late] / ref[late] - 1)) < 2e-3
    # and it differs from the linear model by far more than that: the test can tell the two apart
    linear = build_system({PARENT: MG, METABOLITE: Disposition(ka=1.86, cl=74.0, v1=586.0)},
                          [Formation(PARENT, METABOLITE, 0.1, 0.05)])
    lin = concentrations_nM(linear, propagate(linear, [DoseEvent(t, PARENT, a) for t, a in doses], times))
    assert np.max(np.abs(lin[PARENT][0][late] / ref[late, 0] - 1)) > 0.05


def test_error_falls_with_the_step() -> None:
    doses = [(0.0, 98.0), (24.0, 98.0)]
    times = np.arange(0.0, 48.0, 0.5)
    ref = _reference(MG, 74.0, 586.0, 0.1, 0.0, _inact(), doses, times)
    errors = [np.max(np.abs(_ours(MG, 74.0, 586.0, 0.1, 0.0, _inact(), doses, times, step_h=h)[1:] / ref[1:] - 1))
              for h in (0.5, 0.25, 0.125)]
    assert errors[0] > errors[1] > errors[2]


def test_no_inactivation_is_the_linear_model() -> None:
    doses = [(0.0, 50.0), (24.0, 50.0)]
    times = np.arange(0.0, 72.0, 0.5)
    got = _ours(MG, 74.0, 586.0, 0.1, 0.05, _inact(kinact=0.0), doses, times)
    # reversible block only (tiny) remains; with fm = 0 nothing at all changes the parent
    none = _ours(MG, 74.0, 586.0, 0.1, 0.0, _inact(fm=0.0, kinact=0.0), doses, times)
    linear = build_system({PARENT: MG, METABOLITE: Disposition(ka=1.86, cl=74.0, v1=586.0)},
                          [Formation(PARENT, METABOLITE, 0.1, 0.0)])
    lin = concentrations_nM(linear, propagate(linear, [DoseEvent(t, PARENT, a) for t, a in doses], times))
    np.testing.assert_allclose(none[:, 0], lin[PARENT][0], rtol=1e-9, atol=1e-12)
    assert np.all(got[1:, 0] >= lin[PARENT][0][1:] * (1 - 1e-9))


@settings(max_examples=15, deadline=None)
@given(fm=st.floats(0.1, 0.9), kinact=st.floats(0.5, 8.0), dose=st.floats(5.0, 500.0))
def test_inactivation_only_ever_raises_the_parent_and_lowers_formation(fm: float, kinact: float, dose: float) -> None:
    doses = [(24.0 * n, dose) for n in range(5)]
    times = np.arange(0.0, 140.0, 1.0)
    on = _ours(MG, 74.0, 586.0, 0.1, 0.0, _inact(fm=fm, kinact=kinact), doses, times)
    off = _ours(MG, 74.0, 586.0, 0.1, 0.0, _inact(fm=fm, kinact=0.0), doses, times)
    assert np.all(on[1:, 0] >= off[1:, 0] * (1 - 1e-9))
    assert np.all(on[1:, 1] <= off[1:, 1] * (1 + 1e-9))


def test_systemic_formation_beyond_the_enzyme_share_is_refused() -> None:
    with pytest.raises(ValueError, match="exceeds"):
        _ours(MG, 74.0, 586.0, 0.0, 0.6, _inact(fm=0.5), [(0.0, 10.0)], np.arange(0.0, 2.0, 1.0))


@settings(max_examples=30, deadline=None)
@given(seed=st.integers(0, 2**31 - 1), scale=st.floats(1e-3, 40.0))
def test_small_expm_equals_scipy(seed: int, scale: float) -> None:
    from scipy.linalg import expm

    from kratomsim.pk.autoinhibition import small_expm

    m = np.random.default_rng(seed).normal(size=(3, 5, 5)) * scale / 5
    np.testing.assert_allclose(small_expm(m), expm(m), rtol=1e-9, atol=1e-11 * max(1.0, float(np.abs(expm(m)).max())))
