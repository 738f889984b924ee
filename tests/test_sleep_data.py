"""The sleep data files' schemas (kratomsim.sleep_data) accept the shipped files and refuse broken copies,
each refusal naming the file and the cell."""

from __future__ import annotations

import math
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from kratomsim.datafiles import load_data_file
from kratomsim.schema import DataFileError, validate_data
from kratomsim.sleep_data import (
    OPIOID_PSG,
    REFERENCE_OPIOIDS,
    SLEEP_MEDICINE_PSG,
    SLEEP_SCHEMAS,
    Count,
    opioid_psg,
    reference_opioids,
    sleep_medicine_psg,
)
from tests.broken_copy import DELETE, NewKey, broken_copy


@pytest.mark.parametrize("name", sorted(SLEEP_SCHEMAS))
def test_shipped_file_validates(name: str) -> None:
    model = SLEEP_SCHEMAS[name]
    assert isinstance(validate_data(name, model, load_data_file(name)), model)


def test_checked_loaders_return_the_file_itself() -> None:
    # The readers keep reading the raw mapping; the loader only adds the check in front of it.
    assert opioid_psg() is load_data_file(OPIOID_PSG)
    assert reference_opioids() is load_data_file(REFERENCE_OPIOIDS)
    assert sleep_medicine_psg() is load_data_file(SLEEP_MEDICINE_PSG)


BONAFIDE_SWS = ("studies", "bonafide2008", "arms", 0, "outcomes", "sws")
# (file, path to the cell, the broken value or DELETE, what the error must name)
BROKEN_COPIES = [
    (OPIOID_PSG, (*BONAFIDE_SWS, "placebo", "mean"), math.nan,
     "studies/bonafide2008/arms/0/outcomes/sws/placebo/CitedMean/mean: Input should be a finite number"),
    (OPIOID_PSG, ("studies", "dimsdale2007", "n", "source"), DELETE, "studies/dimsdale2007/n/source"),
    (OPIOID_PSG, ("studies", "dimsdale2007", "n", "source"), "nobody2020", "sources not in references: nobody2020"),
    (OPIOID_PSG, ("studies", "dimsdale2007", "arms", 0, "outcomes", "sws", "direction"), "down",
     "studies/dimsdale2007/arms/0/outcomes/sws/direction"),
    (OPIOID_PSG, ("studies", "dimsdale2007", "n", "value"), 0, "studies/dimsdale2007/n/value"),  # nobody studied
    (OPIOID_PSG, ("studies", "dimsdale2007", "arms", 0, "outcomes", "sws", "p_below", "value"), 1.5,
     "outcomes/sws/p_below/value"),
    (OPIOID_PSG, ("studies", "bonafide2008", "arms", 0, "rate_ug_per_kg_min", "low", "value"), 0.5,
     "rate_ug_per_kg_min"),  # low above high
    (OPIOID_PSG, ("studies", "dimsdale2007", NewKey("dose_mgg")), 30, "studies/dimsdale2007/dose_mgg"),  # a typo'd key
    (OPIOID_PSG, ("studies", "dimsdale2007", "verified_from"), "memory", "studies/dimsdale2007/verified_from"),
    (REFERENCE_OPIOIDS, ("opioids", "morphine", "mu", "ki", "value"), math.inf,
     "opioids/morphine/mu/MuBinding/ki/value: Input should be a finite number"),
    (REFERENCE_OPIOIDS, ("opioids", "morphine", "mu", "efficacy", "value"), 1.5,
     "opioids/morphine/mu/MuBinding/efficacy/value"),  # above the full agonist
    (REFERENCE_OPIOIDS, ("opioids", "morphine", "plasma_bound_percent", "values", 0, "value"), 120,
     "opioids/morphine/plasma_bound_percent/values/0/value"),
    (REFERENCE_OPIOIDS, ("opioids", "morphine", "mu", "ki", "source"), "hemby2062", "hemby2062"),
    (SLEEP_MEDICINE_PSG, ("medicines", "zolpidem", "studies", 0, "dose_mg", "value"), "ten",
     "medicines/zolpidem/studies/0/dose_mg/value"),
    (SLEEP_MEDICINE_PSG, ("medicines", "zolpidem", "studies", 0, "source"), DELETE,
     "medicines/zolpidem/studies/0/source"),
    (SLEEP_MEDICINE_PSG, ("medicines", "zolpidem", "studies", 0, "outcomes", "sws", "direction"), 2,
     "medicines/zolpidem/studies/0/outcomes/sws/direction"),
]


@pytest.mark.parametrize("name, path, value, named", BROKEN_COPIES)
def test_a_broken_copy_is_refused_naming_file_and_cell(name: str, path: tuple[str | int, ...], value: object,
                                                       named: str) -> None:
    broken = broken_copy(name, path, value)
    with pytest.raises(DataFileError, match=f"^data/{re.escape(name)}: .*{re.escape(named)}"):
        validate_data(name, SLEEP_SCHEMAS[name], broken)


@given(st.integers(min_value=1, max_value=1_000_000))
def test_a_whole_head_count_is_accepted(n: int) -> None:
    assert Count(value=n, source="x", where="Abstract").value == n


@given(st.floats(min_value=1, max_value=1_000_000).filter(lambda v: v != int(v)))
def test_a_fractional_head_count_is_refused(n: float) -> None:
    with pytest.raises(ValidationError, match="whole number"):
        Count(value=n, source="x", where="Abstract")
