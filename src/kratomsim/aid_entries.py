"""One sleep aid's entry in the comparison: its first and last night side by side, and how aids are named."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from kratomsim.errors import InputError
from kratomsim.night_rows import NightRow

KRATOM = "kratom"
COMPARE_FIELDS = (
    "peak_nM", "peak_ng_per_mL", "peak_clock", "fraction_of_peak_at_wake", "wake_nM", "wake_ng_per_mL",
    "morning_nM", "morning_ng_per_mL", "auc_sleep_nM_h", "auc_ratio_vs_night1", "wake_ratio_vs_night1",
)


def aid_entry(aid: str, rows: Sequence[NightRow], ss: dict[str, Any] | None) -> dict[str, Any]:
    """Night 1 and the last night of one compound's rows, with its nights to steady state."""
    first, last = rows[0], rows[-1]
    return {
        "aid": aid,
        "compound": first.compound,
        "kind": first.kind,
        "night_1": {k: getattr(first, k) for k in COMPARE_FIELDS},
        "night_last": {k: getattr(last, k) for k in COMPARE_FIELDS},
        "last_night": last.night,
        "steady_state": ss,
    }


def parse_aid(spec: str) -> tuple[str, str | None, str | None]:
    """'kratom:K51:2g' -> ('kratom', 'K51', '2g'); 'kratom:2g' uses K51; 'zolpidem:10mg' -> medicine."""
    parts = [p.strip() for p in spec.split(":")]
    if parts[0].lower() == KRATOM:
        if len(parts) == 2:
            return KRATOM, "K51", parts[1]
        if len(parts) == 3:
            return KRATOM, parts[1], parts[2]
        raise InputError(f"cannot read aid {spec!r}: write kratom:PRODUCT:DOSE, e.g. 'kratom:K51:2g'")
    return "medicine", None, spec
