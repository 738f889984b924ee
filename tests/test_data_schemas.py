"""Every shipped data file has exactly one schema owner, and the core's schemas accept the shipped files
and refuse broken copies of them."""

from __future__ import annotations

import copy

import pytest

from kratomsim.data_schemas import CORE_SCHEMAS
from kratomsim.datafiles import data_file_names, load_data_file
from kratomsim.library import compounds
from kratomsim.plasma_binding import binding
from kratomsim.schema import DataFileError, load_validated, validate_data
from kratomsim.variability_structure import between_subject

# Files whose schemas other modules own (medicines, interactions, sleep, evidence helpers).
OWNED_ELSEWHERE = {
    "medicines.yaml", "cyp_inhibition.yaml", "clinical_ddi.yaml", "opioid_psg.yaml",
    "sleep_medicine_psg.yaml", "reference_opioids.yaml",
}


def test_every_shipped_file_has_exactly_one_owner() -> None:
    shipped = {n for n in data_file_names() if not n.startswith("evidence/")}
    assert set(CORE_SCHEMAS).isdisjoint(OWNED_ELSEWHERE)
    assert shipped == set(CORE_SCHEMAS) | OWNED_ELSEWHERE


@pytest.mark.parametrize("name", sorted(CORE_SCHEMAS))
def test_shipped_file_validates(name: str) -> None:
    assert isinstance(load_validated(name, CORE_SCHEMAS[name]), CORE_SCHEMAS[name])


# (file, path to the cell, the broken value or DELETE, what the error must name)
DELETE = object()
BROKEN_COPIES = [
    ("compounds.yaml", ("compounds", "mitragynine", "molecular_weight", "value"), "heavy",
     "compounds/mitragynine/molecular_weight/value"),  # a text molecular weight, refused with its path
    ("products.yaml", ("products", "K51", "alkaloids_mg_per_g", "mitragynine", "value"), -1.0,
     "products/K51/alkaloids_mg_per_g/mitragynine"),  # a negative amount
    ("tea_extraction.yaml", ("mitragynine", "estimates", "grundmann2023", "fraction", "high"), DELETE,
     "grundmann2023/fraction"),  # a fraction needs a value or both bounds
    ("variability.yaml", ("between_subject", "studies", "tanna2022", "method"), "eyeballed",
     "between_subject/studies/tanna2022/method"),  # an unknown spread method
    ("variability.yaml", ("between_subject", "default"), "nobody2020", "nobody2020"),  # the default must be listed
]


@pytest.mark.parametrize("name, path, value, named", BROKEN_COPIES)
def test_a_broken_copy_is_refused_naming_the_cell(name: str, path: tuple[str, ...], value: object, named: str) -> None:
    broken = copy.deepcopy(load_data_file(name))
    holder = broken
    for key in path[:-1]:
        holder = holder[key]
    if value is DELETE:
        del holder[path[-1]]
    else:
        holder[path[-1]] = value
    with pytest.raises(DataFileError, match=named):
        validate_data(name, CORE_SCHEMAS[name], broken)


def test_compound_carries_the_published_unbound_fraction() -> None:
    mitragynine = compounds()["mitragynine"]
    # Tanna 2023 (DMD) Table 5, back-calculated fu,p of mitragynine, as written in compounds.yaml.
    assert mitragynine.fu_plasma == pytest.approx(0.031)
    assert mitragynine.blood_to_plasma == binding("mitragynine").bp
    assert "tanna2023dmd" in binding("mitragynine").sources


def test_between_subject_reads_the_checked_file() -> None:
    config = between_subject()
    assert config == load_data_file("variability.yaml")["between_subject"]
    studies = load_data_file("studies.yaml")["studies"]
    for entry in config["studies"].values():  # each names a published study and its participant count
        assert "value" in studies[entry["study"]][entry["n_from"]]
