"""kratomsim's own simulation as evidence for claims about timing, next-day effects and deep sleep.

"Kratom wears off by morning" is a claim about pharmacokinetics, which kratomsim models. For such
a claim the audit runs the night report (:func:`kratomsim.night_report.night_report`) for the dose the
sentence states in grams of leaf, or else a typical one (:data:`TYPICAL_DOSE` of product
:data:`PRODUCT`, the product of the human PK study behind the model), at :data:`BEDTIME` with
wake-up at :data:`WAKE` for :data:`NIGHTS` nights, and quotes what is left at wake-up on the first
and last night.

The rule, fixed before the comparison: the model contradicts "gone by morning" when at wake-up on
night 1 mitragynine or 7-hydroxymitragynine is still at least :data:`LEFT_FRACTION` of that night's
peak. Levels are not effects: the quote says so.

For "deep sleep" and "sleep architecture" claims the same scenario's exposure goes through the sleep
bridge (:func:`kratomsim.sleep_prediction.predicted_changes`), and the audit quotes the predicted change
in slow-wave sleep on night 1 and night :data:`NIGHTS` (percentage points of total sleep time, 90 %
interval), with the bridge's direction paragraph and its assumption
(:func:`kratomsim.sleep_architecture.audit_quote`).

Each scenario is simulated once per process (cached per dose), not once per sentence.
"""

from __future__ import annotations

import re
from datetime import time
from functools import cache
from typing import Any

import kratomsim.night_assembly as night_assembly
from kratomsim.night_request import NightRequest, plan_night
from kratomsim.night_timeline import make_timeline, nightly_exposure
from kratomsim.sleep_architecture import audit_quote
from kratomsim.sleep_prediction import predicted_changes

PRODUCT = "K51"
TYPICAL_DOSE = "2g"
BEDTIME = "22:30"
WAKE = "06:30"
NIGHTS = 7
LEFT_FRACTION = 0.10
"""Share of the night's peak still present at wake-up above which "gone by morning" is contradicted."""

TIMING_CLAIMS = frozenset({"no_next_day_effects"})
SLEEP_CLAIMS = frozenset({"deep_sleep", "sleep_architecture"})
"""Claims the sleep bridge speaks to: graded with the predicted change in slow-wave sleep quoted."""
SWS_GAIN_POINTS = 1.0
"""The project's rule, not a study's: the model predicts no deep-sleep gain when the upper end of the 90 %
interval of the night-1 slow-wave sleep change is below this many percentage points of total sleep time."""
COMPOUNDS = ("mitragynine", "7-hydroxymitragynine")
_GRAMS = re.compile(r"\b(\d+(?:\.\d+)?)\s*(?:g|grams?)\b", re.IGNORECASE)
_MIN_G, _MAX_G = 0.5, 12.0
"""Stated doses outside this range (grams of leaf) fall back to the typical dose."""


def stated_dose(sentence: str) -> str | None:
    """The dose a sentence states in grams of leaf ("5 grams" -> "5g"), if it states one in range."""
    found = _GRAMS.search(sentence)
    if not found:
        return None
    grams = float(found.group(1))
    return f"{grams:g}g" if _MIN_G <= grams <= _MAX_G else None


def _wake_row(report: Any, compound: str, night: int) -> dict[str, float]:
    row = next(r for r in report.rows_for(compound) if r.night == night)
    return {"ng_per_mL": round(float(row.wake_ng_per_mL), 3),
            "fraction_of_peak": round(float(row.fraction_of_peak_at_wake), 3)}


def _occupancy_at_wake(report: Any, night: int) -> float | None:
    nights = (report.occupancy or {}).get("nights") or []
    row = next((n for n in nights if n.get("night") == night), None)
    return round(float(row["wake"]["occupancy_percent"]), 1) if row else None


@cache
def simulate_wake_up(dose: str = TYPICAL_DOSE) -> dict[str, Any]:
    """Levels left at wake-up on night 1 and night :data:`NIGHTS` (cached per dose and process)."""
    report = night_assembly.assemble_night(plan_night(NightRequest(BEDTIME, WAKE, NIGHTS, product=PRODUCT, dose=dose)))
    wake = {f"night {n}": {c: _wake_row(report, c, n) for c in COMPOUNDS} for n in (1, NIGHTS)}
    occupancy = {f"night {n}": _occupancy_at_wake(report, n) for n in (1, NIGHTS)}
    first = wake["night 1"]
    contradicted = any(first[c]["fraction_of_peak"] >= LEFT_FRACTION for c in COMPOUNDS)
    last = wake[f"night {NIGHTS}"]
    grams = dose.removesuffix("g")
    quote = (
        f"kratomsim's simulation ({PRODUCT}, {grams} g of leaf at {BEDTIME} for {NIGHTS} nights, wake-up "
        f"{WAKE}, 70 kg adult): at wake-up on night 1, mitragynine is {first['mitragynine']['ng_per_mL']:.2f} "
        f"ng/mL ({first['mitragynine']['fraction_of_peak']:.0%} of that night's peak) and 7-hydroxymitragynine "
        f"{first['7-hydroxymitragynine']['ng_per_mL']:.2f} ng/mL "
        f"({first['7-hydroxymitragynine']['fraction_of_peak']:.0%}); on night {NIGHTS}, "
        f"{last['mitragynine']['ng_per_mL']:.2f} and {last['7-hydroxymitragynine']['ng_per_mL']:.2f} ng/mL."
    )
    if occupancy["night 1"] is not None:
        quote += (f" Modelled mu-opioid receptor occupancy at wake-up: {occupancy['night 1']:.1f}% on night 1, "
                  f"{occupancy[f'night {NIGHTS}']:.1f}% on night {NIGHTS}.")
    quote += " These are blood levels, not measured effects."
    return {
        "scenario": _scenario(dose),
        "wake_up": wake,
        "mu_occupancy_at_wake_percent": occupancy,
        "rule": f"'gone by morning' is contradicted when mitragynine or 7-hydroxymitragynine at wake-up on "
                f"night 1 is at least {LEFT_FRACTION:.0%} of that night's peak",
        "model_verdict": "contradicted" if contradicted else "not contradicted",
        "quote": quote,
    }


def _scenario(dose: str) -> dict[str, Any]:
    return {"product": PRODUCT, "dose": dose, "at": BEDTIME, "wake": WAKE, "nights": NIGHTS,
            "command": f"kratomsim night --product {PRODUCT} --dose {dose} --at {BEDTIME} --wake {WAKE} "
                       f"--nights {NIGHTS}"}


def _points(cell: dict[str, Any]) -> dict[str, float]:
    return {k: round(float(cell[k]), 3) for k in ("median", "low", "high")}


def _signed(value: float) -> str:
    return f"{value:+.2g}" if value else "0"


@cache
def simulate_sleep_change(dose: str = TYPICAL_DOSE) -> dict[str, Any]:
    """The sleep bridge's predicted slow-wave sleep change for the scenario (cached per dose and process)."""
    exposure = nightly_exposure(PRODUCT, dose, make_timeline(BEDTIME, WAKE, NIGHTS, "09:00", None))
    hour, minute = (int(x) for x in WAKE.split(":"))
    nights = {n["night"]: n for n in predicted_changes(exposure, wake=time(hour, minute), nights=(1, NIGHTS))["nights"]}
    first = nights[1]["changes"]["sws"]
    last = nights[NIGHTS]["changes"]["sws"]
    sws = {"night 1": _points(first["change"]), f"night {NIGHTS}": _points(last["change"])}
    if last.get("change_with_tolerance"):
        sws[f"night {NIGHTS} with tolerance bracket"] = _points(last["change_with_tolerance"])
    one = sws["night 1"]
    seventh = sws[f"night {NIGHTS}"]
    unit = str(first["change"]["unit"])
    grams = dose.removesuffix("g")
    night = "reference night" if dose == TYPICAL_DOSE else "stated dose"
    quote = (f"Model ({night}: {PRODUCT}, {grams} g of leaf at {BEDTIME} for {NIGHTS} nights, wake-up {WAKE}; "
             f"kratomsim's sleep bridge): predicted change in slow-wave (deep) sleep {_signed(one['median'])} {unit} "
             "on night 1 "
             f"[90 % interval {_signed(one['low'])} to {_signed(one['high'])}] and {_signed(seventh['median'])} "
             f"[{_signed(seventh['low'])} to {_signed(seventh['high'])}] on night {NIGHTS}, against "
             f"{first['change']['reference']}. Direction: {first['why']}. " + audit_quote(exposure))
    return {"scenario": _scenario(dose), "sws_change": sws, "unit": unit, "direction": first["direction"],
            "direction_why": first["why"], "basis": first["change"]["basis"],
            "rule": f"no deep-sleep gain is predicted when the upper end of the 90 % interval on night 1 is below "
                    f"{SWS_GAIN_POINTS:+g} {unit} (the project's rule, not a study's)",
            "model_verdict": "no deep-sleep gain predicted" if one["high"] < SWS_GAIN_POINTS else
                             "a deep-sleep gain is within the interval",
            "quote": quote}


def evidence_for(claim_id: str, sentence: str) -> dict[str, Any] | None:
    """The model evidence for a matched claim (None for claims the model says nothing about)."""
    if claim_id not in TIMING_CLAIMS | SLEEP_CLAIMS:
        return None
    dose = stated_dose(sentence)
    simulate = simulate_wake_up if claim_id in TIMING_CLAIMS else simulate_sleep_change
    out = dict(simulate(dose or TYPICAL_DOSE))
    out["dose_source"] = "stated in the sentence" if dose else "typical dose (none stated)"
    return out
