"""What each bedtime sleep medicine does to sleep stages, from its own polysomnography.

Why: `compare` shows how much of each aid is in the blood at wake-up; the question people ask is
what each does to deep sleep. This reads data/sleep_medicine_psg.yaml and lays the medicines out on
the same outcomes as the opioid bridge (kratomsim.sleep_architecture), with sources. Kratom has no
polysomnography study; its row carries the bridge's prediction (labelled a model, not PSG) instead of
inventing a study.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from typing import Any

from kratomsim.aid_entries import AidEntry
from kratomsim.datafiles import references
from kratomsim.sleep_architecture import OUTCOME_NAMES
from kratomsim.sleep_data import sleep_medicine_psg

SHOWN = ("sws", "stage2", "rem_percent", "waso", "sleep_efficiency", "total_sleep_time")
SHORT = {"sws": "deep (SWS)", "stage2": "stage 2", "rem_percent": "REM", "waso": "WASO",
         "sleep_efficiency": "efficiency", "total_sleep_time": "total sleep"}
EXTRA_NAMES = {"total_sleep_time": "total sleep time", "arousals": "arousals"}
WORDS = {-1: "less", 0: "no change", 1: "more"}
KRATOM_NOTE = ("no polysomnography study of kratom exists; the opioid bridge's prediction is in "
               "`night --json` (sleep_architecture) and docs/sleep.md")


@cache
def _raw() -> dict[str, Any]:
    return sleep_medicine_psg()


def medicines_with_psg() -> list[str]:
    return sorted(_raw()["medicines"])


def _cell(outcome: dict[str, Any]) -> str:
    text = WORDS[int(outcome["direction"])]
    size = outcome.get("change_percent_points_at_most")
    if size is not None:
        text += f" (at most {float(size['value']):+g} pt)"
    return text


def medicine_psg(name: str) -> list[dict[str, Any]]:
    """One row per study of a medicine: population, n, dose, contrast and each outcome in words."""
    entry = _raw()["medicines"].get(name)
    if entry is None:
        return []
    rows = []
    for study in entry["studies"]:
        outcomes = study["outcomes"]
        rows.append({
            "medicine": name, "study": study["source"], "where": study["where"],
            "verified_from": study["verified_from"], "population": study["population"],
            "n": int(study["n"]["value"]), "dose_mg": float(study["dose_mg"]["value"]),
            "contrast": study["contrast"],
            "outcomes": {k: {"outcome": OUTCOME_NAMES.get(k, EXTRA_NAMES.get(k, k)), "effect": _cell(v),
                             "direction": int(v["direction"]), "note": v.get("note")}
                         for k, v in outcomes.items()},
        })
    return rows


def _bridge_effect(nights: list[dict[str, Any]], key: str) -> dict[str, Any]:
    """One outcome of the bridge in words: direction and sized change on night 1 and the last night."""
    parts, cells = [], {}
    for n in (nights[0], nights[-1]) if len(nights) > 1 else nights[:1]:
        c = n["changes"][key]
        ch = c["change"]
        size = "" if ch.get("median") is None else f"; {ch['median']:+.2g} ({ch['low']:+.2g} to {ch['high']:+.2g}) pt"
        word = "not predicted" if c["direction"] is None else WORDS[int(c["direction"])]
        parts.append(f"night {n['night']}: {word}{size}")
        cells[f"night_{n['night']}"] = {"direction": c["direction"], "change": ch}
    return {"outcome": OUTCOME_NAMES[key], "effect": "model: " + "; ".join(parts), "direction": None, **cells}


def kratom_bridge_row(aid: AidEntry) -> dict[str, Any]:
    """Kratom's row: no PSG exists, so the opioid bridge's predicted change (night --json's sleep_architecture)."""
    bridge = aid.sleep_bridge
    if not bridge:
        return {"medicine": "kratom", "aid": aid.aid, "study": None, "note": KRATOM_NOTE, "outcomes": {}}
    keys = [k for k in bridge["nights"][0]["changes"] if k in SHOWN]
    return {"medicine": "kratom", "aid": aid.aid, "study": None,
            "kind": f"model prediction (opioid bridge, median and {round(100 * bridge['level'])} % interval), not PSG",
            "note": KRATOM_NOTE, "assumption": bridge["assumption"],
            "outcomes": {k: _bridge_effect(bridge["nights"], k) for k in keys}}


def psg_for_aids(aids: Sequence[AidEntry]) -> list[dict[str, Any]]:
    """PSG rows for the aids of a comparison (compare_aids entries); each kratom aid gets the bridge's prediction."""
    out: list[dict[str, Any]] = []
    for aid in aids:
        if aid.kind == "medicine":
            out += medicine_psg(aid.compound)
        elif not any(r["medicine"] == "kratom" and r.get("aid") == aid.aid for r in out):
            out.append(kratom_bridge_row(aid))
    return out


def psg_sources(rows: list[dict[str, Any]]) -> list[dict[str, str]]:
    """Citations of the studies behind PSG rows."""
    refs = references()
    keys = sorted({str(r["study"]) for r in rows if r.get("study") in refs})
    return [{"key": k, "citation": refs[k].citation} for k in keys]


def psg_table(rows: list[dict[str, Any]]) -> tuple[list[str], list[list[str]]]:
    """Header and cells of the 'what each does to sleep stages' table (text output of compare)."""
    header = ["aid", "study (n)", *(SHORT[k] for k in SHOWN)]
    cells = []
    for r in rows:
        if r["medicine"] == "kratom":
            label = "model (opioid bridge)" if r["outcomes"] else "none"
            cells.append([r.get("aid") or "kratom", label,
                          *(r["outcomes"][k]["effect"] if k in r["outcomes"] else "-" for k in SHOWN)])
            continue
        cells.append([r["medicine"], f"{r['study']} ({r['n']})",
                      *(r["outcomes"][k]["effect"] if k in r["outcomes"] else "-" for k in SHOWN)])
    return header, cells
