"""cyp_inhibition.yaml through its schema, and the inhibition parameter sets read from it by hand."""

from __future__ import annotations

import math

import pytest

from kratomsim import interactions as ix
from kratomsim.datafiles import load_data_file


def test_the_inhibition_file_passes_its_schema_and_broken_copies_fail_with_their_path() -> None:
    import copy

    from kratomsim.interactions_data import CypInhibitionFile
    from kratomsim.schema import DataFileError, validate_data

    content = load_data_file("cyp_inhibition.yaml")
    assert "mitragynine" in validate_data("cyp_inhibition.yaml", CypInhibitionFile, content).inhibitors
    broken = copy.deepcopy(content)
    broken["inhibitors"]["mitragynine"]["time_dependent"]["CYP3A4"]["liver"]["KI"]["value"] = "strong"
    with pytest.raises(DataFileError, match="time_dependent/CYP3A4/liver/KI"):
        validate_data("cyp_inhibition.yaml", CypInhibitionFile, broken)
    broken = copy.deepcopy(content)
    broken["inhibitors"]["mitragynine"]["reversible"]["CYP3A4"]["default"] = "nosuchsource"
    with pytest.raises(DataFileError, match="reversible/CYP3A4"):
        validate_data("cyp_inhibition.yaml", CypInhibitionFile, broken)


def test_parameter_sets_by_hand_from_the_file() -> None:
    """Central Ki are the named defaults; the strongest set takes the lowest Ki, KI - SD and kinact + SD."""
    sets = ix.parameter_sets()
    assert sets["central"].ki_uM == {"CYP3A4": 5.7, "CYP2D6": 1.17}
    assert sets["strongest"].ki_uM == {"CYP3A4": 5.7, "CYP2D6": 0.34}
    assert sets["weakest"].ki_uM == {"CYP3A4": 379.18, "CYP2D6": 12.86}
    strong = sets["strongest"].tdi["CYP3A4"]["liver"]
    assert strong.ki_uM == pytest.approx(4.1 - 0.9) and strong.kinact_per_h == pytest.approx((0.068 + 0.01) * 60)
    assert sets["central"].kdeg_per_h["CYP3A4"]["liver"] == pytest.approx(math.log(2) / 36)
    assert sets["strongest"].kdeg_per_h["CYP3A4"]["liver"] == pytest.approx(math.log(2) / 144)
    # CYP2D6 half-life 69.6 +/- 45.6 h, no range: shortest max(69.6 - 45.6, 69.6 / 3) = 24 h
    assert sets["weakest"].kdeg_per_h["CYP2D6"]["liver"] == pytest.approx(math.log(2) / 24.0)
