"""Predicted sleep-stage changes from the night's mu-receptor stimulus, bridged from opioid PSG.

Why: the claim under test is about sleep architecture ("deep sleep"), and the only controlled
polysomnography of mu agonists is for morphine and methadone. Each study arm's mu stimulus over the
night is computed with the same receptor functions as kratom (kratomsim.receptors), from the medicines
library's morphine PK. The stored texts give each outcome's direction, not its size (the tables
could not be reached), so the model is a stimulus threshold per outcome: the lowest night-mean
stimulus at which any study saw a change, and the highest at which one saw none.
kratomsim.sleep_prediction places a kratom night against those thresholds, with a Monte Carlo
interval over receptor uncertainty. docs/sleep.md gives the equations and the limits.

It predicts; it never recommends a dose.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import time
from functools import cache
from typing import Any

import numpy as np

from kratomsim.evidence_data import evidence_file
from kratomsim.medicines import load_medicine, medicine_dose_events, simulate_medicine
from kratomsim.occupancy_interval import interval_cell
from kratomsim.receptors import (
    competitive_occupancy,
    fractional_stimulus,
)
from kratomsim.sleep_data import opioid_psg, reference_opioids
from kratomsim.sleep_size import loso as sws_change_loso
from kratomsim.sleep_stimulus import night_stimulus_draws

NIGHT_H = 8.0  # every PSG study recorded one night after a bedtime dose; 8 h is the scored window
BODY_KG = 70.0  # doses given per kg or per 70 kg are converted at 70 kg
OUTCOMES = ("sws", "stage2", "rem_percent", "rem_latency", "waso", "sleep_efficiency")
OUTCOME_NAMES = {
    "sws": "slow-wave (deep) sleep", "stage2": "stage 2 (light) sleep", "rem_percent": "REM sleep",
    "rem_latency": "REM latency", "waso": "wake after sleep onset", "sleep_efficiency": "sleep efficiency",
}
AUDIT_WAKE = time(6, 30)  # the wake-up of predicted_changes' default, so the audit quotes the same night
LOSO_LIMIT = 3.0  # held-out lowest effective stimulus within 3-fold of the others' threshold

ASSUMPTION = (
    "Bridge assumption: the kratom alkaloids' mu-receptor stimulus acts on sleep as morphine's does. "
    "Mitragynine is a G-protein-biased partial agonist (no beta-arrestin-2 recruitment) and also acts at "
    "adrenergic and serotonin receptors, so the bridge may overstate or misstate the effect; no "
    "polysomnography study of kratom exists to test it."
)
ROUTE_NOTE = (
    "Morphine PK is the medicines library's oral immediate-release model; sustained-release, intramuscular "
    "and intravenous doses are run through it (parenteral doses divided by the oral bioavailability), which "
    "blunts their early peak: an approximation, and the reason the night-mean stimulus is used, not the peak."
)


@dataclass(frozen=True)
class Arm:
    """One dosed arm of one PSG study, with its computed night-mean mu stimulus."""

    study: str
    drug: str
    route: str
    dose_mg: float | None
    chronic: bool
    outcomes: dict[str, int]
    stimulus_percent: float | None
    source: str


@dataclass(frozen=True)
class Threshold:
    """Per outcome: the lowest stimulus with a change, the highest with none, and the change seen."""

    outcome: str
    direction: int
    lowest_effect_percent: float | None
    highest_null_percent: float | None
    studies: tuple[str, ...]


@cache
def _psg() -> dict[str, Any]:
    return opioid_psg()


@cache
def _reference() -> dict[str, Any]:
    return reference_opioids()


def _dose_mg(arm: dict[str, Any]) -> float | None:
    if "dose_mg" in arm:
        return float(arm["dose_mg"]["value"])
    for key in ("dose_mg_per_kg", "dose_mg_per_70kg"):
        if key in arm:
            per = float(arm[key]["value"])
            return per * BODY_KG if key == "dose_mg_per_kg" else per * BODY_KG / 70.0
    return None


def morphine_night_stimulus(dose_mg: float, route: str) -> float:
    """Night-mean mu stimulus (%) over 8 h after a bedtime morphine dose, by kratomsim.receptors's equations."""
    ref = _reference()["opioids"]["morphine"]
    med_name = str(ref["medicine"])
    bioavailable = dose_mg
    if route in ("iv", "im"):
        oral_f = load_medicine(med_name).stat("oral_f")
        assert oral_f is not None, f"{med_name} needs a cited oral F"
        bioavailable = dose_mg / oral_f.value
    t = np.linspace(0.0, NIGHT_H, 8 * 12 + 1)
    conc = simulate_medicine(med_name, medicine_dose_events((med_name, bioavailable)), t)
    bound = max(float(v["value"]) for v in ref["plasma_bound_percent"]["values"])
    fu = 1.0 - bound / 100.0  # reference_opioids.yaml default: upper end of the label's bound range
    _total, per = competitive_occupancy({"morphine": conc * fu}, {"morphine": float(ref["mu"]["ki"]["value"])})
    stim = fractional_stimulus(per, {"morphine": float(ref["mu"]["efficacy"]["value"])})
    return 100.0 * float(np.mean(stim))


@cache
def psg_arms() -> tuple[Arm, ...]:
    """Every arm of the PSG set; stimulus is None where the drug's PK or binding is not in the library."""
    out = []
    for key, study in _psg()["studies"].items():
        for raw in study["arms"]:
            dose = _dose_mg(raw)
            stim = None
            if raw["drug"] == "morphine" and dose is not None and not study["chronic"]:
                stim = morphine_night_stimulus(dose, str(raw["route"]))
            out.append(Arm(key, str(raw["drug"]), str(raw["route"]), dose, bool(study["chronic"]),
                           {k: int(v["direction"]) for k, v in raw["outcomes"].items()}, stim, str(study["source"])))
    return tuple(out)


def thresholds(exclude: str | None = None) -> dict[str, Threshold]:
    """Per-outcome stimulus thresholds from the acute morphine arms (optionally leaving one study out)."""
    arms = [a for a in psg_arms() if a.stimulus_percent is not None and a.study != exclude]
    out = {}
    for outcome in OUTCOMES:
        seen = [a for a in arms if outcome in a.outcomes]
        effect = [a for a in seen if a.outcomes[outcome] != 0]
        null = [a for a in seen if a.outcomes[outcome] == 0]
        if not seen:
            continue
        signs = {a.outcomes[outcome] for a in effect}
        out[outcome] = Threshold(
            outcome, signs.pop() if len(signs) == 1 else 0,
            min(float(a.stimulus_percent) for a in effect) if effect else None,  # type: ignore[arg-type]
            max(float(a.stimulus_percent) for a in null) if null else None,  # type: ignore[arg-type]
            tuple(sorted({a.study for a in seen})),
        )
    return out


def predict_direction(stimulus_percent: float, th: Threshold) -> tuple[int | None, str]:
    """Direction predicted at a stimulus: the change seen (at or above the lowest effective stimulus),
    none (at or below a stimulus that changed nothing), or None (between or below all studied doses)."""
    if th.lowest_effect_percent is not None and stimulus_percent >= th.lowest_effect_percent:
        return th.direction, "at or above the lowest stimulus at which a study saw this change"
    if th.highest_null_percent is not None and stimulus_percent <= th.highest_null_percent:
        return 0, "at or below a stimulus at which a study saw no change"
    return None, "below every studied opioid stimulus that changed it: not predicted (extrapolation)"


def loso_rows() -> list[dict[str, Any]]:
    """Leave-one-study-out checks of the SWS threshold and of the SWS change size (kratomsim.sleep_size),
    as validate rows (kind: independent).

    observed: the held-out study's lowest night-mean stimulus at which SWS fell; predicted: the lowest
    stimulus at which SWS fell in the other studies. Agreement within LOSO_LIMIT-fold means one
    exposure-response threshold is consistent across studies.
    """
    rows = []
    for study in sorted({a.study for a in psg_arms() if a.stimulus_percent is not None}):
        own = [a for a in psg_arms() if a.study == study and a.stimulus_percent is not None
               and a.outcomes.get("sws", 0) != 0]
        th = thresholds(exclude=study).get("sws")
        if not own or th is None or th.lowest_effect_percent is None:
            continue
        observed = min(float(a.stimulus_percent) for a in own)  # type: ignore[arg-type]
        predicted = th.lowest_effect_percent
        rows.append({
            "study": study, "compound": "morphine", "statistic": "sws_lowest_effective_stimulus",
            "observed": observed, "predicted": predicted,
            "fold_error": max(observed, predicted) / min(observed, predicted), "limit": LOSO_LIMIT,
            "unit": "% mu stimulus (night mean)", "source": own[0].source, "kind": "independent",
        })
    return rows + sws_change_loso()


def kratom_sleep_evidence() -> list[dict[str, str]]:
    """Kratom's own human sleep evidence and withdrawal insomnia, quoted from data/evidence/sleep.yaml."""
    raw = evidence_file("evidence/sleep.yaml")
    out = []
    for key, study in raw.get("studies", {}).items():
        note = study.get("night_note") or study.get("effect") or ""
        out.append({"study": key, "source": str(study.get("source", "")), "finding": " ".join(str(note).split())})
    return out


def audit_quote(exposure: Any | None = None) -> str:
    """One paragraph the audit can quote for 'deep sleep' / 'sleep architecture' claims."""
    th = thresholds().get("sws")
    studies = ", ".join(th.studies) if th else "none"
    text = (f"Every acute morphine polysomnography study in the library ({studies}) found less slow-wave "
            "(deep) sleep; no opioid study found more while the drug acted (only in rebound). ")
    if exposure is not None and th is not None and th.lowest_effect_percent is not None:
        cell = interval_cell(night_stimulus_draws(exposure, AUDIT_WAKE)[:, 0], 0.90)
        lo, med, hi = (cell[k] / th.lowest_effect_percent for k in ("low", "median", "high"))
        where = "below every studied dose" if hi < 1.0 else "within the studied doses"
        text += (f"For this kratom night the mu stimulus is {med:.2g} times [90 % interval {lo:.2g}-{hi:.2g}] "
                 f"the lowest morphine stimulus that reduced deep sleep, {where}. ")
    text += "If kratom acted on sleep through the mu receptor as claimed, the expected direction is less deep sleep. "
    return text + ASSUMPTION
