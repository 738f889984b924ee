"""NCA against hand calculations."""

import numpy as np

from kratomsim.pk.nca import auc_linear_up_log_down, nca, window_half_life


def test_auc_linear_up_log_down_by_hand():
    t = np.array([0.0, 1.0, 2.0, 4.0])
    c = np.array([0.0, 10.0, 8.0, 4.0])
    rising = 0.5 * (0 + 10) * 1
    falling = (10 - 8) * 1 / np.log(10 / 8) + (8 - 4) * 2 / np.log(8 / 4)
    assert auc_linear_up_log_down(t, c) == np.float64(rising + falling)


def test_monoexponential_half_life_and_auc():
    k = np.log(2) / 6.0
    t = np.array([0.0, 0.5, 1, 2, 4, 8, 12, 24, 36, 48])
    c = 100.0 * (np.exp(-k * t) - np.exp(-3.0 * t))
    result = nca(t, c)
    assert abs(result.t_half - 6.0) / 6.0 < 0.01
    exact_auc = 100.0 * (1 / k - 1 / 3.0)
    assert abs(result.auc_inf - exact_auc) / exact_auc < 0.03
    dense = np.linspace(0.0, 48.0, 481)
    half_life, (start, end) = window_half_life(dense, 100.0 * (np.exp(-k * dense) - np.exp(-3.0 * dense)), 0.0)
    assert abs(half_life - 6.0) < 1e-6
    assert end == 48.0 and start == 32.0
    # too few points in the window: no half-life rather than a guess
    assert np.isnan(window_half_life(t, c, lloq=0.0)[0])
