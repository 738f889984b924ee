"""One sleep aid's entry in the comparison: its first and last night side by side, and how aids are named."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from kratomsim.errors import InputError
from kratomsim.medicines_dosing import MedicineDose, NextMorningFinding, medicine_dose
from kratomsim.night_request import NightPlan
from kratomsim.night_rows import NightRow

KRATOM = "kratom"
COMPARE_FIELDS = (
    "peak_nM", "peak_ng_per_mL", "peak_clock", "fraction_of_peak_at_wake", "wake_nM", "wake_ng_per_mL",
    "morning_nM", "morning_ng_per_mL", "auc_sleep_nM_h", "auc_ratio_vs_night1", "wake_ratio_vs_night1",
)


@dataclass(frozen=True)
class AidEntry:
    """One aid and compound in the comparison: night 1 and the last night side by side (the compared
    fields), the nights to steady state, the published next-morning data and what the comparison adds."""

    aid: str
    compound: str
    kind: str  # "kratom alkaloid" or "medicine"
    night_1: dict[str, Any]
    night_last: dict[str, Any]
    last_night: int
    steady_state: dict[str, Any] | None
    next_morning_data: tuple[NextMorningFinding, ...] = ()
    with_kratom: dict[str, Any] | None = None  # a medicine taken with a kratom aid: the dynamic model's terms
    sleep_bridge: dict[str, Any] | None = None  # mitragynine: the opioid bridge's sleep-stage prediction
    population: dict[str, Any] | None = None  # kratom with subjects > 1: medians and intervals
    share_above_next_morning_level: dict[str, Any] | None = None  # medicines with subjects > 1

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "aid": self.aid, "compound": self.compound, "kind": self.kind, "night_1": self.night_1,
            "night_last": self.night_last, "last_night": self.last_night, "steady_state": self.steady_state,
        }
        if self.with_kratom is not None:
            out["with_kratom"] = self.with_kratom
        out["next_morning_data"] = [i.to_dict() for i in self.next_morning_data]
        optional = {"sleep_bridge": self.sleep_bridge, "population": self.population,
                    "share_above_next_morning_level": self.share_above_next_morning_level}
        out.update({k: v for k, v in optional.items() if v is not None})
        return out


def aid_entry(aid: str, rows: Sequence[NightRow], ss: dict[str, Any] | None) -> AidEntry:
    """Night 1 and the last night of one compound's rows, with its nights to steady state."""
    first, last = rows[0], rows[-1]
    return AidEntry(
        aid=aid, compound=first.compound, kind=first.kind,
        night_1={k: getattr(first, k) for k in COMPARE_FIELDS},
        night_last={k: getattr(last, k) for k in COMPARE_FIELDS},
        last_night=last.night, steady_state=ss,
    )


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


@dataclass(frozen=True)
class Aid:
    """One aid to compare, read from its text once (at an edge): a kratom product and dose, or a medicine.

    ``label`` is the text as written (tables, notes and plot labels repeat it); a kratom aid's night
    (its :class:`NightPlan`) needs the comparison's clock, which the edge adds
    (:func:`kratomsim.night_edge.compare_aids`).
    """

    label: str
    product: str | None = None
    dose: str | None = None
    medicine: MedicineDose | None = None
    plan: NightPlan | None = None  # a kratom aid's night on the comparison's clock (read at the edge)


def read_aid(spec: str) -> Aid:
    """'kratom:K51:2g' -> a kratom Aid; 'zolpidem:10mg' -> a medicine Aid (an unknown name lists the known)."""
    kind, product, dose = parse_aid(spec)
    if kind == KRATOM and dose is not None:
        return Aid(spec, product=product, dose=dose)
    return Aid(spec, medicine=medicine_dose(spec))

