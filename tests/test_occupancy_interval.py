"""Monte Carlo occupancy interval: bounds from the hand formula, shares, no impossible draws."""

import numpy as np

from kratomsim import occupancy_interval as oi
from kratomsim import receptors as rx


def test_single_ligand_interval_inside_hand_bounds():
    # Mitragynine alone at a constant 100 nM: occupancy = x/(1+x), x = fu Kp,uu C / Ki.
    conc = {"mitragynine": np.full(5, 100.0)}
    res = oi.peak_interval(conc, draws=4000, seed=1)
    kis = [rx.get_set(s).ligands("mu")["mitragynine"].ki_nM for s in rx.receptor_sets("mu")
           if "mitragynine" in rx.get_set(s).ligands("mu")]
    fu_lo, fu_hi = oi.fu_bounds("mitragynine")
    assert (fu_lo, fu_hi) == (0.0155, 0.15)  # 0.031 / 2 to the '> 85 % bound' limit
    k_lo, k_hi = oi.KPUU_RANGE
    x_min, x_max = fu_lo * k_lo * 100 / max(kis), fu_hi * k_hi * 100 / min(kis)
    cell = res["peak_occupancy_percent"]
    assert 100 * x_min / (1 + x_min) <= cell["low"] <= cell["median"] <= cell["high"] <= 100 * x_max / (1 + x_max)
    assert res["share_of_occupied_percent"]["mitragynine"]["median"] == 100.0


def test_same_seed_same_answer_and_shares_bounded():
    t = np.linspace(0, 10, 41)
    conc = {"mitragynine": 80 * np.exp(-0.1 * t), "7-hydroxymitragynine": 10 * np.exp(-0.2 * t)}
    a = oi.peak_interval(conc, draws=500, seed=3)
    b = oi.peak_interval(conc, draws=500, seed=3)
    assert a == b
    for cell in a["share_of_occupied_percent"].values():
        assert 0.0 <= cell["low"] <= cell["median"] <= cell["high"] <= 100.0
    assert a["peak_occupancy_percent"]["high"] < 100.0


def test_every_compound_range_is_physical_and_shared_with_interactions():
    from kratomsim import interactions
    from kratomsim.plasma_binding import binding, known_compounds

    for compound in known_compounds():
        lo, hi = oi.fu_bounds(compound)
        assert 0.0 < lo <= binding(compound).fu <= hi < 1.0
    sets = interactions.parameter_sets()
    assert sets["central"].fu == binding("mitragynine").fu  # one value for receptors and interactions
    assert (sets["weakest"].fu, sets["strongest"].fu) == oi.fu_bounds("mitragynine")
