"""Resuming the autoinhibited solve from its step-end checkpoints gives the full solve's values.

The truth is the full solve itself from time 0 with the extra times among its outputs: the steps are
the same, so the two agree to rounding (1e-12), and a resumed read never re-solves from the start.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kratomsim.pk.autoinhibition import Resumable, inactivation_matrix, propagate_self_inactivated
from kratomsim.pk.model import Disposition, DoseEvent, Formation, build_system
from tests.pk.test_autoinhibition import MG, _inact

HORIZON_H = 4 * 24.0 + 9.0


def _solved(lag_h: float) -> Resumable:
    dispositions = {"p": replace(MG, lag=lag_h), "m": Disposition(ka=MG.ka, cl=74.0, v1=586.0)}
    formations = [Formation("p", "m", presystemic=0.1, systemic=0.05)]
    system = build_system(dispositions, formations)
    ka, ke = np.array([float(MG.ka)]), np.array([float(MG.cl) / float(MG.v1)])  # type: ignore[arg-type]
    inact = _inact()
    d = inactivation_matrix(system, formations, inact, ka, ke)
    events = tuple(DoseEvent(22.5 + 24.0 * n, "p", 98.0) for n in range(4))
    grid = np.arange(0.0, HORIZON_H + 1e-9, 5 / 60)
    course = propagate_self_inactivated(system, d, inact, ka, events, grid, keep_checkpoints=True)
    return Resumable(system, d, inact, ka, events, course)


@settings(max_examples=25, deadline=None)
@given(lag=st.sampled_from([0.0, 0.3]),
       starts=st.lists(st.floats(0.0, HORIZON_H - 0.2), min_size=1, max_size=3))
def test_resume_equals_the_full_solve(lag: float, starts: list[float]) -> None:
    solved = _solved(lag)
    fine = np.unique(np.concatenate([np.linspace(s, s + 0.2, 13) for s in starts]))
    resumed = solved.at(fine)
    grid = np.arange(0.0, HORIZON_H + 1e-9, 5 / 60)
    full = propagate_self_inactivated(solved.system, solved.d_matrix, solved.inact, solved.ka, solved.doses,
                                      np.union1d(fine, grid[-1:]))
    n = fine.size
    scale = float(np.max(np.abs(full.states)))
    np.testing.assert_allclose(resumed.states, full.states[:, :n], rtol=1e-11, atol=1e-12 * scale)
    np.testing.assert_allclose(resumed.enzyme, full.enzyme[:, :n], rtol=1e-12)
    np.testing.assert_allclose(resumed.activity, full.activity[:, :n], rtol=1e-11)


def test_resume_refuses_times_outside_the_course_and_a_course_without_checkpoints() -> None:
    solved = _solved(0.0)
    with pytest.raises(ValueError, match="inside the solved course"):
        solved.at(np.array([HORIZON_H + 1.0]))
    bare = Resumable(solved.system, solved.d_matrix, solved.inact, solved.ka, solved.doses,
                     propagate_self_inactivated(solved.system, solved.d_matrix, solved.inact, solved.ka,
                                                solved.doses, np.array([1.0, 2.0])))
    with pytest.raises(ValueError, match="keep_checkpoints"):
        bare.at(np.array([1.5]))
