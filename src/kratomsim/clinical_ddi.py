"""Observed kratom-drug interaction ratios beside the model's predictions (validation, kind independent).

The interaction inputs were chosen and committed before these observations were compared; the rows
here only report the comparison. Data: ``data/clinical_ddi.yaml`` (this module owns it and its schema).
"""

from __future__ import annotations

from functools import cache
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from kratomsim.interactions_data import parameter_sets
from kratomsim.interactions_equations import gut_lumen_uM
from kratomsim.interactions_models import (
    dynamic_prediction,
    kratom_regimen,
    mitragynine_dose_umol,
    static_prediction,
)
from kratomsim.interactions_victims import get_victim
from kratomsim.scenario import Scenario
from kratomsim.schema import CitedFile, CitedValue, load_validated
from kratomsim.units import parse_dose

DATA_FILE = "clinical_ddi.yaml"
FOLD_LIMIT = 1.5
_OPEN = ConfigDict(extra="allow", frozen=True)


class ObservedRatio(CitedValue):
    """A geometric mean ratio with its 90% confidence interval."""

    ci90_low: float = Field(gt=0)
    ci90_high: float = Field(gt=0)


class ObservedPair(BaseModel):
    model_config = _OPEN
    auc_ratio: ObservedRatio
    cmax_ratio: ObservedRatio | None = None


class ClinicalStudy(BaseModel):
    model_config = _OPEN
    design: str
    product: str | None = None
    kratom_dose: str
    nights: CitedValue
    pairs: dict[str, ObservedPair] = Field(min_length=1)


class ClinicalDdiFile(CitedFile):
    studies: dict[str, ClinicalStudy] = Field(min_length=1)


@cache
def _data() -> ClinicalDdiFile:
    return load_validated(DATA_FILE, ClinicalDdiFile)


def observed(victim: str, scenario: Scenario) -> dict[str, Any] | None:
    """The clinical study of this exact design (same product, dose and nights) and victim, or None.

    The study's dose is read like any typed dose, so '2000mg' of K51 is the study's '2g'.
    """
    product = scenario.product.id if scenario.product is not None else ""
    for sid, study in _data().studies.items():
        same = (parse_dose(study.kratom_dose) == scenario.dose and product == (study.product or "")
                and int(study.nights.value) == scenario.count)
        if same and victim in study.pairs:
            cell = study.pairs[victim].auc_ratio
            return {"study": sid, "auc_ratio": cell.value, "ci90": [cell.ci90_low, cell.ci90_high],
                    "source": cell.source, "design": " ".join(study.design.split())}
    return None


def screen_ratio(victim: str, scenario: Scenario) -> float:
    """The guidance's basic gut screen R = 1 + Igut/Ki with Igut = dose/250 mL (a screen, not a prediction)."""
    enzymes = get_victim(victim).enzymes
    enzyme = "CYP3A4" if "CYP3A4" in enzymes else enzymes[0]  # the gut screen is meant for CYP3A
    return 1.0 + gut_lumen_uM(mitragynine_dose_umol(scenario)) / parameter_sets()["central"].ki_uM[enzyme]


def fold_error(observed_value: float, predicted: float) -> float:
    """max(p/o, o/p): the symmetric fold error."""
    return max(predicted / observed_value, observed_value / predicted)


def comparison(victim: str, scenario: Scenario) -> dict[str, Any] | None:
    """Dynamic (default), static and screen values beside the observed ratio and its 90% CI."""
    obs = observed(victim, scenario)
    if obs is None:
        return None
    dyn = dynamic_prediction(victim, scenario)
    sta = static_prediction(victim, scenario)
    return {**obs, "dynamic": dyn.auc_ratio, "dynamic_range": [dyn.auc_ratio_low, dyn.auc_ratio_high],
            "static": sta.auc_ratio, "screen": screen_ratio(victim, scenario),
            "fold_error": fold_error(obs["auc_ratio"], dyn.auc_ratio)}


def validate_clinical_ddi() -> list[dict[str, Any]]:
    """Validation rows: each clinical pair, the default (dynamic) AUC ratio against the observed one."""
    rows = []
    for sid, study in _data().studies.items():
        scenario = kratom_regimen(study.product, study.kratom_dose, int(study.nights.value))
        for victim in study.pairs:
            c = comparison(victim, scenario)
            if c is None:
                continue
            rows.append({"study": sid, "compound": victim, "statistic": "AUC ratio with kratom",
                         "observed": c["auc_ratio"], "predicted": c["dynamic"], "fold_error": c["fold_error"],
                         "limit": FOLD_LIMIT, "unit": "1", "source": c["source"], "kind": "independent"})
    return rows
