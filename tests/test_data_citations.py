"""Every number in the data library names its source; every source is a DOI, PMID or label."""

import pytest

from kratomsim.datafiles import data_file_names, load_data_file, references, uncited_numbers

FILES = data_file_names()


def test_there_are_data_files():
    assert {"compounds.yaml", "products.yaml", "studies.yaml", "pk_parameters.yaml"} <= set(FILES)


@pytest.mark.parametrize("name", FILES)
def test_every_number_has_a_source(name):
    assert uncited_numbers(load_data_file(name)) == []


@pytest.mark.parametrize("name", FILES)
def test_references_are_identifiable(name):
    for key, ref in (load_data_file(name).get("references") or {}).items():
        assert ref.get("citation"), f"{name}: {key} has no citation"
        assert ref.get("doi") or ref.get("pmid") or ref.get("label"), f"{name}: {key} has no DOI/PMID/label"


def test_registry_is_consistent():
    assert "tanna2022" in references()
    assert references()["tanna2022"].doi == "10.3390/pharmaceutics14030620"


def test_the_checker_catches_an_uncited_number():
    content = {"references": {"a": {"doi": "x"}}, "x": {"value": 3}, "y": {"value": 4, "source": "a", "where": "T1"}}
    assert uncited_numbers(content) == ["x/value = 3 has no source/where"]
