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


def test_a_text_molecular_weight_is_refused_with_its_path() -> None:
    broken = copy.deepcopy(load_data_file("compounds.yaml"))
    broken["compounds"]["mitragynine"]["molecular_weight"]["value"] = "heavy"
    with pytest.raises(DataFileError, match="compounds/mitragynine/molecular_weight/value"):
        validate_data("compounds.yaml", CORE_SCHEMAS["compounds.yaml"], broken)


def test_a_negative_product_amount_is_refused() -> None:
    broken = copy.deepcopy(load_data_file("products.yaml"))
    broken["products"]["K51"]["alkaloids_mg_per_g"]["mitragynine"]["value"] = -1.0
    with pytest.raises(DataFileError, match="products/K51/alkaloids_mg_per_g/mitragynine"):
        validate_data("products.yaml", CORE_SCHEMAS["products.yaml"], broken)


def test_tea_fraction_needs_a_value_or_bounds() -> None:
    broken = copy.deepcopy(load_data_file("tea_extraction.yaml"))
    del broken["mitragynine"]["estimates"]["grundmann2023"]["fraction"]["high"]
    with pytest.raises(DataFileError, match="grundmann2023/fraction"):
        validate_data("tea_extraction.yaml", CORE_SCHEMAS["tea_extraction.yaml"], broken)


def test_compound_carries_the_published_unbound_fraction() -> None:
    mitragynine = compounds()["mitragynine"]
    # Tanna 2023 (DMD) Table 5, back-calculated fu,p of mitragynine, as written in compounds.yaml.
    assert mitragynine.fu_plasma == pytest.approx(0.031)
    assert mitragynine.blood_to_plasma == binding("mitragynine").bp
    assert "tanna2023dmd" in binding("mitragynine").sources


def test_a_variability_study_with_an_unknown_method_is_refused() -> None:
    broken = copy.deepcopy(load_data_file("variability.yaml"))
    broken["between_subject"]["studies"]["tanna2022"]["method"] = "eyeballed"
    with pytest.raises(DataFileError, match="between_subject/studies/tanna2022/method"):
        validate_data("variability.yaml", CORE_SCHEMAS["variability.yaml"], broken)


def test_the_default_variability_study_must_be_listed() -> None:
    broken = copy.deepcopy(load_data_file("variability.yaml"))
    broken["between_subject"]["default"] = "nobody2020"
    with pytest.raises(DataFileError, match="nobody2020"):
        validate_data("variability.yaml", CORE_SCHEMAS["variability.yaml"], broken)


def test_between_subject_reads_the_checked_file() -> None:
    config = between_subject()
    assert config == load_data_file("variability.yaml")["between_subject"]
    studies = load_data_file("studies.yaml")["studies"]
    for entry in config["studies"].values():  # each names a published study and its participant count
        assert "value" in studies[entry["study"]][entry["n_from"]]
