"""The shared data-file schema: every shipped file passes the common part, and bad cells fail."""

from __future__ import annotations

import pytest

from kratomsim.datafiles import data_file_names, load_data_file
from kratomsim.schema import CitedFile, CitedValue, DataFileError, validate_data

REFS = {"references": {"a2020": {"citation": "A. 2020.", "doi": "10.1/x"}}}


@pytest.mark.parametrize("name", data_file_names())
def test_every_shipped_file_has_known_sources(name: str) -> None:
    assert validate_data(name, CitedFile, load_data_file(name)).references


def test_cited_value_keeps_its_source_and_spread() -> None:
    cell = CitedValue.model_validate({"value": 2.0, "unit": "h", "source": "a2020", "where": "Table 2",
                                      "low": 1.0, "high": 3.0, "n": 12})
    assert (cell.value, cell.unit, cell.low, cell.high) == (2.0, "h", 1.0, 3.0)
    assert cell.model_extra == {"n": 12}


@pytest.mark.parametrize(
    ("cell", "problem"),
    [
        ({"value": float("nan"), "source": "a2020", "where": "T1"}, "finite"),
        ({"value": 1.0, "source": "a2020"}, "where"),
        ({"value": 1.0, "source": "a2020", "where": "T1", "low": 3.0, "high": 2.0}, "above high"),
        ({"value": 1.0, "source": "a2020", "where": "T1", "verified_from": "blog"}, "verified_from"),
    ],
)
def test_a_bad_cell_is_refused(cell: dict[str, object], problem: str) -> None:
    with pytest.raises(ValueError, match=problem):
        CitedValue.model_validate(cell)


def test_an_unknown_source_names_the_file_and_the_key() -> None:
    content = {**REFS, "x": {"value": 1.0, "source": "b1999", "where": "T1"}}
    with pytest.raises(DataFileError, match=r"data/demo.yaml: .*b1999"):
        validate_data("demo.yaml", CitedFile, content)
