"""Observed kratom-drug interaction ratios beside the model's predictions (validation, kind independent).

The interaction inputs were chosen and committed before these observations were compared; the rows
here only report the comparison. Data: ``data/clinical_ddi.yaml``.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from kratomsim.datafiles import load_data_file

DATA_FILE = "clinical_ddi.yaml"
FOLD_LIMIT = 1.5


@cache
def _data() -> dict[str, Any]:
    return load_data_file(DATA_FILE)


def observed(victim: str, dose: str = "2g", product: str | None = "K51", nights: int = 1) -> dict[str, Any] | None:
    """The clinical study of this exact design and victim, or None when there is none."""
    for sid, study in _data()["studies"].items():
        same = (str(study["kratom_dose"]) == dose and (product or "") == str(study.get("product", ""))
                and int(study.get("nights", {}).get("value", 1)) == nights)
        if same and victim in study["pairs"]:
            cell = study["pairs"][victim]["auc_ratio"]
            ci90 = [float(cell["ci90_low"]), float(cell["ci90_high"])]
            return {"study": sid, "auc_ratio": float(cell["value"]), "ci90": ci90, "source": str(cell["source"]),
                    "design": " ".join(str(study["design"]).split())}
    return None


def screen_ratio(victim: str, product: str | None = "K51", dose: str = "2g") -> float:
    """The guidance's basic gut screen R = 1 + Igut/Ki with Igut = dose/250 mL (a screen, not a prediction)."""
    from kratomsim import interactions as ix

    dose_umol, _ = ix._mitragynine_dose_umol(product, dose)
    enzymes = ix.get_victim(victim).enzymes
    enzyme = "CYP3A4" if "CYP3A4" in enzymes else enzymes[0]  # the gut screen is meant for CYP3A
    return 1.0 + ix.gut_lumen_uM(dose_umol) / ix.parameter_sets()["central"].ki_uM[enzyme]


def fold_error(observed_value: float, predicted: float) -> float:
    """max(p/o, o/p): the symmetric fold error."""
    return max(predicted / observed_value, observed_value / predicted)


def comparison(victim: str, product: str | None = "K51", dose: str = "2g") -> dict[str, Any] | None:
    """Dynamic (default), static and screen values beside the observed ratio and its 90% CI."""
    from kratomsim import interactions as ix

    obs = observed(victim, dose, product)
    if obs is None:
        return None
    dyn = ix.dynamic_prediction(victim, product, dose)
    sta = ix.static_prediction(victim, product, dose)
    return {**obs, "dynamic": dyn.auc_ratio, "dynamic_range": [dyn.auc_ratio_low, dyn.auc_ratio_high],
            "static": sta.auc_ratio, "screen": screen_ratio(victim, product, dose),
            "fold_error": fold_error(obs["auc_ratio"], dyn.auc_ratio)}


def validate_clinical_ddi() -> list[dict[str, Any]]:
    """Validation rows: each clinical pair, the default (dynamic) AUC ratio against the observed one."""
    rows = []
    for sid, study in _data()["studies"].items():
        for victim in study["pairs"]:
            c = comparison(victim, study.get("product"), str(study["kratom_dose"]))
            if c is None:
                continue
            rows.append({"study": sid, "compound": victim, "statistic": "AUC ratio with kratom",
                         "observed": c["auc_ratio"], "predicted": c["dynamic"], "fold_error": c["fold_error"],
                         "limit": FOLD_LIMIT, "unit": "1", "source": c["source"], "kind": "independent"})
    return rows
