"""Size of the opioid slow-wave-sleep change: a pooled between-study model and its leave-one-out check.

Why: the direction layer (kratomsim.sleep_architecture) says opioids cut slow-wave sleep, but not by how
much. Only two opioid PSG studies in the library give SWS numbers for drug and control nights:
Bonafide 2008 (remifentanil vs saline, means and SDs) and Cronin 2001 (epidural fentanyl vs epidural
bupivacaine after surgery, means per night, no spread). Neither drug has PK or Ki in the library, and
the morphine arms that do sit at 92-98 % stimulus, so no dose-response slope is identifiable.

The model, fixed before the leave-one-study-out comparison was run:
    change(stimulus) = beta x stimulus / 100,
    beta = the random-effects (DerSimonian-Laird) mean of the studies' SWS changes, each study's
    analgesic opioid exposure taken as full mu stimulus (as the morphine arms were),
and a study's change is drug minus control in percentage points of total sleep time; its SE is the
unpaired SE for Bonafide (pairing not reported) and, for Cronin, the SD across its reported
postoperative nights over sqrt(nights) (every reported night is used, none chosen). It identifies one
number, the change at full stimulus, and the between-study spread; it cannot identify the shape of the
curve below full stimulus (linear through the origin is an assumption) nor a tolerance rate.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any

import numpy as np

from kratomsim.sleep_data import opioid_psg

Z90 = 1.6448536269514722  # two-sided 90 % normal quantile
UNIT = "percentage points of total sleep time"
LOSO_STATISTIC = "sws_change_loso"
LOSO_LIMIT = 2.0  # 1 + |error| / 90 % half-width: <= 2 means the held-out study lies in the interval


@dataclass(frozen=True)
class StudyChange:
    """One study's SWS change (drug minus control) with its standard error."""

    study: str
    drug: str
    change: float
    se: float
    control: str
    how: str
    source: str


@dataclass(frozen=True)
class PooledChange:
    """Random-effects mean change at full stimulus, its SE and the between-study SD (tau)."""

    mean: float
    se: float
    tau: float
    studies: tuple[str, ...]

    def predictive_sd(self, extra_se: float = 0.0) -> float:
        """SD for a new study: pooled SE, between-study spread and the new study's own SE."""
        return float(np.sqrt(self.se**2 + self.tau**2 + extra_se**2))


def _placebo_contrast(study: str, raw: dict[str, Any]) -> StudyChange:
    cell = raw["arms"][0]["outcomes"]["sws"]
    n = float(raw["n"]["value"])
    p, d = cell["placebo"], cell["drug"]
    se = float(np.hypot(float(p["sd"]), float(d["sd"])) / np.sqrt(n))
    return StudyChange(study, str(raw["arms"][0]["drug"]), float(d["mean"]) - float(p["mean"]), se,
                       "placebo", "drug minus placebo mean; unpaired SE (pairing not reported)", str(p["source"]))


def _by_night_contrast(study: str, raw: dict[str, Any]) -> StudyChange:
    cell = raw["arms"][0]["outcomes"]["sws"]
    drug = np.asarray(cell["drug_by_night"]["values"], float)
    diffs = drug - np.asarray(cell["comparator_by_night"]["values"], float)
    se = float(np.std(diffs, ddof=1) / np.sqrt(diffs.size))
    return StudyChange(study, str(raw["arms"][0]["drug"]), float(diffs.mean()), se, "active comparator",
                       f"mean over {diffs.size} reported nights of drug minus comparator; SE = SD across nights"
                       " / sqrt(nights) (the abstract gives no spread)", str(cell["drug_by_night"]["source"]))


@cache
def study_changes() -> tuple[StudyChange, ...]:
    """Every acute opioid study whose SWS numbers give a drug-minus-control change."""
    out = []
    for study, raw in opioid_psg()["studies"].items():
        if raw.get("chronic"):
            continue
        cell = raw["arms"][0]["outcomes"].get("sws", {})
        if isinstance(cell.get("placebo"), dict) and isinstance(cell.get("drug"), dict):
            out.append(_placebo_contrast(study, raw))
        elif "drug_by_night" in cell and "comparator_by_night" in cell:
            out.append(_by_night_contrast(study, raw))
    return tuple(out)


def pool(changes: tuple[StudyChange, ...]) -> PooledChange:
    """DerSimonian-Laird random-effects mean; with one study, tau is 0 (not estimable)."""
    y = np.array([c.change for c in changes])
    w = 1.0 / np.array([c.se for c in changes]) ** 2
    fixed = float(np.sum(w * y) / np.sum(w))
    q = float(np.sum(w * (y - fixed) ** 2))
    denom = float(np.sum(w) - np.sum(w**2) / np.sum(w))
    tau2 = max(0.0, (q - (len(y) - 1)) / denom) if len(y) > 1 and denom > 0 else 0.0
    w_star = 1.0 / (1.0 / w + tau2)
    mean = float(np.sum(w_star * y) / np.sum(w_star))
    return PooledChange(mean, float(np.sqrt(1.0 / np.sum(w_star))), float(np.sqrt(tau2)),
                        tuple(c.study for c in changes))


def loso() -> list[dict[str, Any]]:
    """Each study's SWS change predicted from the others, error = predicted - observed (points of TST)."""
    changes = study_changes()
    rows = []
    for held in changes:
        rest = tuple(c for c in changes if c.study != held.study)
        if not rest:
            continue
        fit = pool(rest)
        half = Z90 * fit.predictive_sd(held.se)
        error = fit.mean - held.change
        rows.append({
            "study": held.study, "compound": held.drug, "statistic": LOSO_STATISTIC,
            "observed": held.change, "predicted": fit.mean, "error_points": error,
            "low": fit.mean - half, "high": fit.mean + half,
            "fold_error": 1.0 + abs(error) / half, "limit": LOSO_LIMIT, "unit": UNIT,
            "source": held.source, "kind": "independent", "predicted_from": list(fit.studies),
        })
    return rows


def full_stimulus_effect() -> PooledChange:
    """The pooled SWS change at full mu stimulus from every study with numbers."""
    return pool(study_changes())


def model_card() -> dict[str, Any]:
    """What the size model is, what it fits, and its leave-one-out errors, for night --json and docs."""
    fit = full_stimulus_effect()
    return {
        "model": "SWS change = beta x night-mean mu stimulus / 100; beta = random-effects mean of the "
                 "opioid studies' SWS changes at analgesic (taken as full) stimulus",
        "beta_points": fit.mean, "beta_se": fit.se, "between_study_sd": fit.tau, "studies": list(fit.studies),
        "identifies": "the change at full stimulus and the between-study spread",
        "cannot_identify": "the curve's shape below full stimulus (linear through the origin is assumed), "
                           "an Emax or threshold, and a tolerance rate",
        "per_study": [c.__dict__ for c in study_changes()],
        "loso": loso(), "unit": UNIT,
    }
