"""OccupancyReport: one library function behind ``kratomsim receptors``, ``/api/receptors`` and the facade;
its JSON form is the CLI's, its table one row per night, instant and quantity, its sources known references."""

from __future__ import annotations

import doctest
import json
import math
from datetime import time

import pandas as pd
import pytest

import kratomsim
from kratomsim.cli import main
from kratomsim.commands import receptors as cmd
from kratomsim.datafiles import references
from kratomsim.errors import InputError
from kratomsim.exposure import Exposure
from kratomsim.night_timeline import make_timeline, nightly_exposure
from kratomsim.occupancy_report import (
    FRAME_COLUMNS,
    INSTANTS,
    QUANTITIES,
    OccupancyAsked,
    OccupancyReport,
    occupancy_report,
)
from kratomsim.receptors import get_set, unbound_assumption

DAY = "2026-01-05"
WAKE = time(6, 30)
ASKED = OccupancyAsked(product="K51", dose="4g", at="22:30", wake="06:30", nights=2)


@pytest.fixture(scope="module")
def exposure() -> Exposure:
    return nightly_exposure("K51", "4g", make_timeline("22:30", "06:30", 2, start_date=DAY))


@pytest.fixture(scope="module")
def report(exposure: Exposure) -> OccupancyReport:
    return occupancy_report(exposure, ASKED, WAKE)


def test_to_dict_is_the_cli_json(exposure: Exposure, report, monkeypatch, capsys) -> None:
    monkeypatch.setattr(cmd, "run_exposure", lambda *args: exposure)
    main(["receptors", "--product", "K51", "--dose", "4g", "--nights", "2", "--json"])
    printed = json.loads(capsys.readouterr().out)
    assert printed == json.loads(json.dumps(report.to_dict()))


def test_frame_one_row_per_night_instant_and_quantity(report) -> None:
    frame = report.to_frame()
    assert list(frame.columns) == list(FRAME_COLUMNS)
    assert len(frame) == 2 * len(INSTANTS) * len(QUANTITIES)
    assert frame[["median", "low", "high"]].isna().all().all()  # one subject: no interval
    for night in report.nights:
        for instant in INSTANTS:
            row = frame[(frame.night == night["night"]) & (frame.instant == instant)
                        & (frame.quantity == "occupancy_percent")]
            assert row.percent.item() == night[instant]["occupancy_percent"]
            assert row.clock.item() == night[instant]["clock"]
        peak = frame[(frame.night == night["night"]) & (frame.quantity == "occupancy_percent")]
        assert peak.set_index("instant").percent.idxmax() == "peak"  # the window's highest value


def test_peak_occupancy_by_hand(report, exposure: Exposure) -> None:
    """The peak row equals o = sum(C_i/K_i) / (1 + sum(C_j/K_j)) worked by hand on the unbound concentrations."""
    ligands = get_set(None, "mu").ligands("mu")
    clocks = [str(c).replace("T", " ")[:16] for c in exposure.clock.astype("datetime64[m]")]
    k = clocks.index(report.nights[0]["peak"]["clock"])
    ratios = []
    for name, conc in exposure.conc_nM.items():
        if name in ligands:
            u = unbound_assumption(name)
            ratios.append(float(conc.ravel()[k]) * u.fu * u.kpuu / ligands[name].ki_nM)
    by_hand = sum(ratios) / (1 + sum(ratios))
    assert len(ratios) >= 2  # mitragynine and 7-OH at least compete
    assert math.isclose(report.nights[0]["peak"]["occupancy_percent"], 100 * by_hand, rel_tol=1e-9)


def test_sources_are_known_references_merged(report) -> None:
    refs = references()
    assert report.sources and list(report.sources) == sorted(set(report.sources))
    assert all(key in refs for key in report.sources)
    assert set(report.to_dict()["sources"]) <= set(report.sources)
    assert report.headline["positive_control"]["study"] in report.sources


def test_population_columns_and_its_sources(exposure: Exposure) -> None:
    rep = occupancy_report(exposure, ASKED, WAKE, subjects=20, seed=1)
    frame = rep.to_frame()
    filled = frame.dropna(subset=["median"])
    # the population gives occupancy at every instant and the stimulus at the peak only
    assert len(filled) == 2 * (len(INSTANTS) + 1)
    assert (filled.low <= filled["median"]).all() and (filled["median"] <= filled.high).all()
    assert set(rep.population["variability_sources"]) <= set(rep.sources)
    assert all(key in references() for key in rep.sources)


@pytest.mark.parametrize("binding, fragment", [
    (("sigma", None, "default"), "sigma"),
    (("mu", "nosuchset", "default"), "nosuchset"),
    (("mu", None, "medium"), "accepted: default, low, high"),
])
def test_bad_binding_is_one_input_error(exposure: Exposure, binding, fragment: str) -> None:
    with pytest.raises(InputError, match=fragment):
        occupancy_report(exposure, ASKED, WAKE, binding)


def test_other_receptor_has_no_mu_headline(exposure: Exposure) -> None:
    rep = occupancy_report(exposure, ASKED, WAKE, ("kappa", None, "default"))
    assert rep.receptor == "kappa" and "positive_control" not in rep.to_dict()
    assert isinstance(rep.to_frame(), pd.DataFrame) and all(k in references() for k in rep.sources)


def test_facade_doctest() -> None:
    finder = doctest.DocTestFinder()
    (test,) = finder.find(kratomsim.occupancy_nights, "occupancy_nights", globs={})
    result = doctest.DocTestRunner().run(test)
    assert result.attempted >= 3 and result.failed == 0
