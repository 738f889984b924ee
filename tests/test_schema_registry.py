"""Every YAML file shipped under src/kratomsim/data/ has exactly one registered schema, and passes it.

A new data file without a schema fails here: register its model with the module that owns it.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from kratomsim import clinical_ddi, interactions_data, medicines_data
from kratomsim.data_schemas import CORE_SCHEMAS
from kratomsim.datafiles import load_data_file
from kratomsim.evidence_data import EVIDENCE_SCHEMAS
from kratomsim.schema import CitedFile, validate_data
from kratomsim.sleep_data import SLEEP_SCHEMAS

DATA_DIR = Path(__file__).resolve().parents[1] / "src" / "kratomsim" / "data"
OWNERS: dict[str, dict[str, type[CitedFile]]] = {
    "kratomsim.data_schemas": CORE_SCHEMAS,
    "kratomsim.sleep_data": SLEEP_SCHEMAS,
    "kratomsim.evidence_data": EVIDENCE_SCHEMAS,
    "kratomsim.medicines_data": {medicines_data.DATA_FILE: medicines_data.MedicinesFile},
    "kratomsim.interactions_data": {interactions_data.DATA_FILE: interactions_data.CypInhibitionFile},
    "kratomsim.clinical_ddi": {clinical_ddi.DATA_FILE: clinical_ddi.ClinicalDdiFile},
}
REGISTERED = {name: model for schemas in OWNERS.values() for name, model in schemas.items()}


def _shipped() -> set[str]:
    return {path.relative_to(DATA_DIR).as_posix() for path in DATA_DIR.rglob("*.yaml")}


def test_every_yaml_file_on_disk_has_a_schema() -> None:
    shipped = _shipped()
    assert len(shipped) >= 22  # the walk found the data files (not an empty or wrong folder)
    assert sorted(shipped - set(REGISTERED)) == []
    assert sorted(set(REGISTERED) - shipped) == []


def test_each_file_has_exactly_one_owner() -> None:
    counted = [name for schemas in OWNERS.values() for name in schemas]
    assert len(counted) == len(set(counted))


@pytest.mark.parametrize("name", sorted(_shipped()))
def test_every_shipped_file_passes_its_schema(name: str) -> None:
    assert isinstance(validate_data(name, REGISTERED[name], load_data_file(name)), REGISTERED[name])
