"""medicines.yaml through its schema: shipped file accepted, broken copies refused, fractions read once."""

from __future__ import annotations

import pytest

from kratomsim import medicines as meds
from kratomsim.datafiles import load_data_file


def test_the_shipped_medicines_file_passes_its_schema_and_broken_copies_fail_with_their_path() -> None:
    import copy

    from kratomsim.medicines_data import MedicinesFile
    from kratomsim.schema import DataFileError, validate_data

    content = load_data_file("medicines.yaml")
    assert set(validate_data("medicines.yaml", MedicinesFile, content).medicines) == set(meds.medicine_names())
    broken = copy.deepcopy(content)
    broken["medicines"]["zolpidem"]["pk"]["cmax"]["value"] = "a lot"
    with pytest.raises(DataFileError, match="medicines/zolpidem/pk/cmax"):
        validate_data("medicines.yaml", MedicinesFile, broken)
    broken = copy.deepcopy(content)
    broken["medicines"]["zolpidem"]["pathways"]["inhibitor_auc_ratio"]["CYP3A4"] = {"source": "ambien_label",
                                                                                   "where": "x"}
    with pytest.raises(DataFileError, match="inhibitor_auc_ratio/CYP3A4"):
        validate_data("medicines.yaml", MedicinesFile, broken)
    broken = copy.deepcopy(content)
    broken["medicines"]["codeine"]["pathways"]["fm"]["CYP2C19"] = broken["medicines"]["codeine"]["pathways"]["fm"][
        "CYP2D6"]
    with pytest.raises(DataFileError, match="CYP2C19"):
        validate_data("medicines.yaml", MedicinesFile, broken)


def test_medicine_carries_its_enzyme_fractions_read_once() -> None:
    zolpidem = meds.load_medicine("zolpidem")
    # Greenblatt 1998: CL/F 422 -> 250 mL/min with ketoconazole, fm = 1 - 250/422.
    (fm,) = zolpidem.enzyme_fractions.values()
    assert fm.value == pytest.approx(1 - 250 / 422) and fm.source == "greenblatt1998_zolpidem"
    codeine = meds.load_medicine("codeine")  # Swiss PI: 10 % as morphine, 9 % as norcodeine
    assert {e: f.value for e, f in codeine.enzyme_fractions.items()} == {"CYP2D6": 0.1, "CYP3A4": 0.09}
    assert (codeine.active_metabolite, codeine.active_enzyme) == ("morphine", "CYP2D6")
    oxy = meds.load_medicine("oxycodone").enzyme_fractions["CYP3A4"]  # voriconazole 3.6 (2.7-5.6)
    assert (oxy.low, oxy.value, oxy.high) == pytest.approx((1 - 1 / 2.7, 1 - 1 / 3.6, 1 - 1 / 5.6))
    assert meds.load_medicine("temazepam").enzyme_fractions == {}
    # A half-life cited by several sources resolves to the named default (Nilsen 1992, 7.3 h).
    assert meds.load_medicine("trazodone").cited_half_life_h == 7.3
    assert meds.load_medicine("melatonin").cited_half_life_h == pytest.approx(
        meds.load_medicine("melatonin").stat("t_half").value / 60.0)  # type: ignore[union-attr]


@pytest.mark.parametrize(("path", "value", "where"), [
    (("zolpidem", "pk", "checks", 0, "value"), None, "checks/0"),  # neither a value nor a range
    (("zolpidem", "pk", "population_checks", 0, "threshold_ng_per_mL"), -50, "population_checks/0"),
    (("zolpidem", "pk", "sex", "study_mix"), "unknown", "sex/study_mix"),
    (("zolpidem", "pk", "study", "dose_mg"), 0, "study/dose_mg"),
    (("zolpidem", "pk", "volume_from"), "guess", "volume_from"),
])
def test_a_malformed_pk_node_fails_at_load_with_its_path(path: tuple[object, ...], value: object, where: str) -> None:
    import copy

    from kratomsim.medicines_data import MedicinesFile
    from kratomsim.schema import DataFileError, validate_data

    broken = copy.deepcopy(load_data_file("medicines.yaml"))
    node = broken["medicines"]
    for key in path[:-1]:
        node = node[key]
    if value is None:
        del node[path[-1]]
    else:
        node[path[-1]] = value
    with pytest.raises(DataFileError, match=where):
        validate_data("medicines.yaml", MedicinesFile, broken)
