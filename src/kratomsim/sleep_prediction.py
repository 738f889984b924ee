"""Predicted change in deep sleep, REM and waking for a kratom night, with 90 % intervals.

Why: the claim under test is that kratom "promotes deep sleep" through the mu-opioid receptor. This
module carries the night's mu stimulus (kratomsim.receptors's equations) into the opioid polysomnography
evidence (kratomsim.sleep_architecture) and says, outcome by outcome, what that evidence predicts and
how much of the prediction the data can support.

Two layers, kept apart on purpose:
- direction: the stimulus thresholds of the acute morphine studies (every one cut slow-wave sleep);
- size: the studies that report stage percentages with spread. Only one acute opioid study does
  (Bonafide 2008, remifentanil, no PK or Ki in the library), and every morphine arm sits at 92-98 %
  stimulus, so no exposure-response curve can be fitted. For SWS the size is the pooled fit of
  kratomsim.sleep_size (Bonafide 2008 and Cronin 2001, linear in stimulus through the origin, with
  leave-one-study-out errors); for REM it is a labelled scenario: (night-mean stimulus / 100 %) x
  the remifentanil change. Neither is tuned to anything.

The stimulus interval is Monte Carlo over the receptor uncertainty, as in occupancy_interval: per
draw one mu data set (its Ki and efficacies), fu log-uniform between the stated bounds per alkaloid,
one Kp,uu log-uniform in KPUU_RANGE. It predicts; it never recommends a dose.
"""

from __future__ import annotations

from datetime import time
from functools import cache
from typing import Any

import numpy as np
from numpy.typing import NDArray

from kratomsim.datafiles import references
from kratomsim.evidence_data import evidence_file
from kratomsim.occupancy_interval import KPUU_RANGE, interval_cell
from kratomsim.sleep_architecture import (
    ASSUMPTION,
    OUTCOME_NAMES,
    kratom_sleep_evidence,
    predict_direction,
    psg_arms,
    thresholds,
)
from kratomsim.sleep_data import opioid_psg, reference_opioids
from kratomsim.sleep_signs import sign_summary
from kratomsim.sleep_size import UNIT, full_stimulus_effect, model_card
from kratomsim.sleep_stimulus import DRAWS, night_stimulus_draws, stimulus_draws

__all__ = ["DRAWS", "night_stimulus_draws", "predicted_changes", "stimulus_draws"]

FloatArray = NDArray[np.float64]

REFERENCE_STUDY = "bonafide2008"  # the only acute opioid PSG with placebo and drug means and SDs
PREDICTED = ("sws", "rem_percent", "waso")
STAGES = ("sws", "stage2", "rem_percent")  # sleep stages proper (not latency, waking or efficiency)
LEVEL = 0.90
TOLERANCE_NOTE = (
    "Tolerance bracket, not a fit: the chronic studies disagree (partial tolerance to morphine, Kay 1975, "
    "240 mg/day; no change in slow-wave sleep or REM over 12 months of methadone maintenance, Peles 2011; "
    "less slow-wave sleep in early methadone treatment, Xiao 2010, and with long-term prescribed opioids, "
    "Pain 2019), and none gives a rate. After night 1 'change_with_tolerance' multiplies each draw of the "
    "stimulus-only change by a retained fraction drawn uniform 0-1 (full tolerance to none)."
)

ASSUMPTIONS = (
    ASSUMPTION,
    "SWS size: linear in the night-mean mu stimulus through the origin, scaled by the pooled opioid change at "
    "analgesic exposure, which is taken as full stimulus (kratomsim.sleep_size); the curve's shape below the "
    "studied doses is not identifiable.",
    "REM size: a proportional scenario, (stimulus / 100 %) x the remifentanil change vs placebo (Bonafide 2008).",
    "WASO: no opioid study gives drug and placebo numbers, so only the direction is predicted, no size.",
    "Tolerance after night 1: a retained fraction drawn uniform 0-1 (full tolerance to none), an assumed "
    "bracket, not a fit: the chronic studies disagree and none gives a rate.",
)


def _quantiles(x: FloatArray, level: float = LEVEL) -> dict[str, float]:
    return interval_cell(x, level)


@cache
def reference_changes() -> dict[str, dict[str, Any]]:
    """Drug minus placebo (percentage points of total sleep time) and its SE, from the reference study.

    SE = sqrt(sd_placebo^2 + sd_drug^2) / sqrt(n): the crossover's pairing is not reported, so the
    unpaired SE is used, which widens the interval unless the two nights were negatively correlated.
    """
    study = opioid_psg()["studies"][REFERENCE_STUDY]
    n = float(study["n"]["value"])
    out = {}
    for outcome, cell in study["arms"][0]["outcomes"].items():
        if not isinstance(cell.get("placebo"), dict) or "drug" not in cell:
            continue
        p, d = cell["placebo"], cell["drug"]
        out[outcome] = {
            "change": float(d["mean"]) - float(p["mean"]),
            "se": float(np.hypot(float(p["sd"]), float(d["sd"])) / np.sqrt(n)),
            "placebo_mean": float(p["mean"]), "unit": "percentage points of total sleep time",
            "drug": str(study["arms"][0]["drug"]), "study": REFERENCE_STUDY, "source": str(p["source"]),
        }
    return out


def pooled_sws_change(stim_percent: FloatArray, seed: int = 1) -> dict[str, Any]:
    """SWS change = stimulus/100 x beta, beta drawn from the pooled model's predictive spread (sleep_size)."""
    fit = full_stimulus_effect()
    rng = np.random.default_rng(seed)
    beta = rng.normal(fit.mean, fit.predictive_sd(), stim_percent.shape)
    cell = _quantiles(stim_percent / 100.0 * beta)
    return {**cell, "unit": UNIT, "reference": f"pooled opioid SWS change at full stimulus {fit.mean:+.2f} points "
            f"(SE {fit.se:.2f}, between-study SD {fit.tau:.2f}) from {', '.join(fit.studies)}",
            "basis": "fit: random-effects mean of the opioid studies, linear in stimulus through the origin "
                     "(kratomsim.sleep_size; leave-one-study-out errors in validate)"}


def scenario_change(stim_percent: FloatArray, outcome: str, seed: int = 1) -> dict[str, Any] | None:
    """Size of the change: the pooled fit for SWS; for other outcomes stimulus/100 x the reference change."""
    if outcome == "sws":
        return pooled_sws_change(stim_percent, seed)
    ref = reference_changes().get(outcome)
    if ref is None:
        return None
    rng = np.random.default_rng(seed)
    effect = rng.normal(ref["change"], ref["se"], stim_percent.shape)
    cell = _quantiles(stim_percent / 100.0 * effect)
    return {**cell, "unit": ref["unit"], "reference": f"{ref['drug']} ({ref['study']}): "
            f"{ref['change']:+.1f} points vs placebo {ref['placebo_mean']:g} %, SE {ref['se']:.2f}",
            "basis": "scenario, not a fit: linear through the origin, reference taken as full stimulus"}


def identifiability() -> dict[str, Any]:
    """Why the size of the change cannot be fitted, in numbers the output can quote."""
    stims = [a.stimulus_percent for a in psg_arms() if a.stimulus_percent is not None]
    studies = opioid_psg()["studies"]

    def has(study: dict[str, Any], test: Any, only: tuple[str, ...] | None = None) -> bool:
        return any(test(o) for a in study["arms"] for name, o in a["outcomes"].items() if only is None or name in only)

    with_placebo = sorted(k for k, st in studies.items() if has(st, lambda o: isinstance(o.get("placebo"), dict)))
    with_numbers = sorted(k for k, st in studies.items()
                          if has(st, lambda o: any(isinstance(v, dict) for k, v in o.items() if k != "p_below"),
                                 STAGES))
    lo, hi = (min(stims), max(stims)) if stims else (float("nan"), float("nan"))
    return {
        "fit": "dose-response slope not identifiable; SWS size at full stimulus pooled (sws_size_model)",
        "morphine_arm_stimulus_percent": [min(stims), max(stims)] if stims else None,
        "studies_with_placebo_mean_and_spread": with_placebo,
        "studies_with_stage_numbers": with_numbers,
        "reason": (f"every acute morphine arm is at {lo:.0f}-{hi:.0f} % night-mean mu stimulus (the receptor is "
                   "near saturated at every studied dose) and the morphine/methadone studies report directions "
                   "only; of the acute studies with placebo means and spread, remifentanil (Bonafide 2008) has no "
                   "PK or Ki in the library and 3-day morphine (Altree 2025) reports sleep efficiency only, and "
                   "the others with numbers are chronic or against an active control. No "
                   "dose-response curve can be fitted, so only directions are predicted from the opioid studies "
                   "and the size is a labelled scenario."),
    }


def _sources() -> list[dict[str, str]]:
    """Every work behind the prediction: PSG studies, the morphine reference data, kratom sleep evidence."""
    keys = {a.source for a in psg_arms()} | {e["source"] for e in kratom_sleep_evidence()}
    keys |= set(reference_opioids().get("references") or {})
    refs = references()
    out = []
    for key in sorted(k for k in keys if k in refs):
        ref = refs[key]
        ident = f"doi:{ref.doi}" if ref.doi else f"PMID {ref.pmid}" if ref.pmid else str(ref.label or "")
        out.append({"key": key, "citation": ref.citation, "id": ident})
    return out


def withdrawal_evidence() -> list[dict[str, str]]:
    """What happens to sleep on stopping: chronic methadone (Kay 1975) and kratom cessation surveys."""
    out = [{"study": key, "source": str(s["source"]), "finding": " ".join(str(s["withdrawal"]).split())}
           for key, s in opioid_psg()["studies"].items() if s.get("withdrawal")]
    raw = evidence_file("evidence/sleep.yaml")["studies"]
    out += [{"study": key, "source": str(s["source"]), "finding": " ".join(str(s.get("effect", "")).split())}
            for key, s in raw.items() if s.get("topic") == "withdrawal_sleep"]
    return out


def _with_tolerance(stim: FloatArray, name: str, seed: int = 2) -> dict[str, Any] | None:
    """The change after repeated nights: the stimulus-scaled draws times a retained fraction U(0, 1)."""
    retained = np.random.default_rng(seed).uniform(0.0, 1.0, stim.shape)
    cell = scenario_change(stim * retained, name)
    return None if cell is None else {**cell, "tolerance": "retained fraction uniform 0-1 (bracket)"}


def _outcome(name: str, stim: FloatArray, th: dict[str, Any], night: int = 1) -> dict[str, Any]:
    cell = _quantiles(stim)
    t = th.get(name)
    out: dict[str, Any] = {"outcome": OUTCOME_NAMES[name]}
    if t is None:
        out.update(direction=None, why="no acute morphine study reported it")
    else:
        direction, why = predict_direction(cell["median"], t)
        out.update(direction=direction, why=why,
                   direction_range=[predict_direction(cell["low"], t)[0], predict_direction(cell["high"], t)[0]])
    change = scenario_change(stim, name)
    out["change"] = change if change is not None else {
        "median": None, "low": None, "high": None,
        "basis": "no opioid study with placebo mean and spread reports it: size not predicted"}
    if night > 1:
        out["change_with_tolerance"] = _with_tolerance(stim, name)
    return out


def predicted_changes(exposure: Any, wake: time = time(6, 30), nights: tuple[int, ...] = (),
                      draws: int = DRAWS, seed: int = 0) -> dict[str, Any]:
    """Night-by-night predicted change (vs no kratom) in SWS, REM and WASO, with the assumption and sources."""
    grid = night_stimulus_draws(exposure, wake, draws, seed)
    n_nights = grid.shape[1]
    wanted = [n for n in dict.fromkeys(nights or (1, min(14, n_nights), n_nights)) if 1 <= n <= n_nights]
    th = thresholds()
    out_nights = []
    for n in wanted:
        stim = grid[:, n - 1]
        out_nights.append({
            "night": n, "night_mean_mu_stimulus_percent": _quantiles(stim),
            "changes": {name: _outcome(name, stim, th, n) for name in PREDICTED},
            "tolerance": TOLERANCE_NOTE if n > 1 else None,
        })
    return {
        "assumption": ASSUMPTION,
        "assumptions": list(ASSUMPTIONS),
        "level": LEVEL, "draws": draws, "seed": seed,
        "interval": ("Monte Carlo over receptor uncertainty: per draw one mu data set (Ki, efficacy), fu "
                     "log-uniform in each compound's bounds (kratomsim.plasma_binding), Kp,uu log-uniform "
                     f"{KPUU_RANGE}; "
                     "median subject's concentrations; the scenario's size also draws the reference study's SE"),
        "identifiability": identifiability(),
        "sws_size_model": {**model_card(), "sign_loso": sign_summary()},
        "nights": out_nights,
        "kratom_evidence": kratom_sleep_evidence(),
        "withdrawal": withdrawal_evidence(),
        "sources": _sources(),
    }
