"""The evidence files' schemas (kratomsim.evidence_data) accept the shipped files and refuse broken copies,
each refusal naming the file and the cell."""

from __future__ import annotations

import math
import re

import pytest

from kratomsim.datafiles import data_file_names, load_data_file
from kratomsim.evidence_data import CLAIMS, EVIDENCE_SCHEMAS, ClaimsFile, EvidenceStudiesFile, evidence_file
from kratomsim.schema import DataFileError, validate_data
from tests.broken_copy import DELETE, NewKey, broken_copy


def test_every_shipped_evidence_file_is_registered() -> None:
    assert set(EVIDENCE_SCHEMAS) == {n for n in data_file_names() if n.startswith("evidence/")}
    assert EVIDENCE_SCHEMAS[CLAIMS] is ClaimsFile


@pytest.mark.parametrize("name", sorted(EVIDENCE_SCHEMAS))
def test_shipped_file_validates_and_loads_unchanged(name: str) -> None:
    model = EVIDENCE_SCHEMAS[name]
    assert isinstance(validate_data(name, model, load_data_file(name)), model)
    assert evidence_file(name) is load_data_file(name)


def test_an_unregistered_file_is_refused_by_name() -> None:
    with pytest.raises(DataFileError, match=r"^data/evidence/rumours\.yaml: no schema registered"):
        evidence_file("evidence/rumours.yaml")


SLEEP = "evidence/sleep.yaml"
EMA = ("studies", "ema_bedtime_2025")
# (file, path to the cell, the broken value or DELETE, what the error must name)
BROKEN_COPIES = [
    (SLEEP, (*EMA, "results", 0, "value"), math.nan, "studies/ema_bedtime_2025/results/0/value"),
    (SLEEP, (*EMA, "source"), DELETE, "studies/ema_bedtime_2025/source: Field required"),
    (SLEEP, (*EMA, "source"), "nobody2020", "sources not in references: nobody2020"),
    (SLEEP, (*EMA, "n"), "many", "studies/ema_bedtime_2025/n"),
    (SLEEP, (*EMA, "n"), 0, "n must be at least 1"),
    (SLEEP, (*EMA, "n"), True, "studies/ema_bedtime_2025/n"),  # a yes/no is not a head count
    ("evidence/opioid_sleep.yaml", ("studies", "dimsdale_opioids_psg_2007", "results", 0, "p_below"), math.nan,
     "results/0/p_below"),
    (SLEEP, (*EMA, "results", 0, NewKey("sd")), -1.0, "studies/ema_bedtime_2025/results/0/sd"),
    (SLEEP, (*EMA, "results", 0, "value"), DELETE, "needs a value, a mean or a direction"),
    (SLEEP, (*EMA, NewKey("nigth_note")), "typo", "studies/ema_bedtime_2025/nigth_note"),
    ("evidence/regulatory.yaml", ("studies", "dea_notice_2016", "date"), "31 Aug 2016",
     "studies/dea_notice_2016/date"),
    ("evidence/pk_timing.yaml", ("studies", "tanna_pk_2022", "results", 2, "source"), "tanna2032",
     "sources not in references: tanna2032"),
    (CLAIMS, ("claims", "deep_sleep", "verdict"), "probably", "claims/deep_sleep/verdict"),
    (CLAIMS, ("claims", "deep_sleep", "evidence"), [], "claims/deep_sleep/evidence"),
    (CLAIMS, ("claims", "deep_sleep", "verdict"), "not graded", "claims/deep_sleep: Value error, verdict 'not graded'"),
    (CLAIMS, ("claims", "deep_sleep", "polarity"), 1, "claims/deep_sleep/polarity"),
]


@pytest.mark.parametrize("name, path, value, named", BROKEN_COPIES)
def test_a_broken_copy_is_refused_naming_file_and_cell(name: str, path: tuple[str | int, ...], value: object,
                                                       named: str) -> None:
    broken = broken_copy(name, path, value)
    model = EVIDENCE_SCHEMAS[name]
    with pytest.raises(DataFileError, match=f"^data/{re.escape(name)}: .*{re.escape(named)}"):
        validate_data(name, model, broken)


def test_a_study_file_needs_at_least_one_study() -> None:
    with pytest.raises(DataFileError, match=r"^data/evidence/strains\.yaml: studies: "):
        validate_data("evidence/strains.yaml", EvidenceStudiesFile, broken_copy("evidence/strains.yaml",
                                                                                ("studies",), {}))
