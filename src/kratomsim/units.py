"""Parsing of the quantities users type: doses, durations, clock times, body weight.

Users give grams of leaf or mg of one alkaloid and clock times; the engine works in hours and mg.
Each parser raises :class:`~kratomsim.errors.InputError` naming the accepted forms.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from kratomsim.errors import InputError
from kratomsim.limits import ALKALOID_DOSE_MG, LEAF_DOSE_MG, YEAR

_NUMBER = r"(?P<num>[0-9]*\.?[0-9]+(?:[eE][-+]?[0-9]+)?)"

_MASS_TO_MG = {"g": 1000.0, "mg": 1.0, "ug": 1e-3, "µg": 1e-3, "mcg": 1e-3}
_DURATION_TO_H = {
    "s": 1 / 3600, "sec": 1 / 3600, "min": 1 / 60, "m": 1 / 60, "h": 1.0, "hr": 1.0,
    "d": 24.0, "day": 24.0, "days": 24.0, "w": 168.0, "week": 168.0, "weeks": 168.0,
}
_WEIGHT_TO_KG = {"kg": 1.0, "lb": 0.45359237, "lbs": 0.45359237}

DOSE_FORMS = "a mass of leaf such as '2g' or '2000mg', or mg of one alkaloid such as '20mg:mitragynine'"


@dataclass(frozen=True)
class Dose:
    """A dose as typed: ``amount_mg`` of leaf, or of one alkaloid when ``compound`` is set."""

    amount_mg: float
    compound: str | None = None

    @property
    def is_leaf(self) -> bool:
        return self.compound is None

    @property
    def label(self) -> str:
        """The dose written compactly as a person types it: '2g', '500mg', '20mg:mitragynine'."""
        mass = f"{self.amount_mg / 1000:.12g}g" if self.amount_mg >= 1000 else f"{self.amount_mg:.12g}mg"
        return f"{mass}:{self.compound}" if self.compound else mass

    def __str__(self) -> str:
        mass = f"{self.amount_mg / 1000:g} g" if self.amount_mg >= 1000 else f"{self.amount_mg:g} mg"
        return f"{mass} of {self.compound}" if self.compound else f"{mass} of leaf"


def _split(
    text: str, pattern_units: dict[str, float], what: str, accepted: str, bare_unit: str | None = None
) -> float:
    match = re.fullmatch(rf"\s*{_NUMBER}\s*(?P<unit>[a-zA-Zµ]+)?\s*", text or "")
    if not match:
        raise InputError(f"cannot read {what} {text!r}: expected {accepted}")
    unit = (match.group("unit") or bare_unit or "").lower()
    if unit not in pattern_units:
        raise InputError(
            f"unknown unit {unit or '(none)'!r} in {what} {text!r}: accepted units are "
            f"{', '.join(pattern_units)}"
        )
    return float(match.group("num")) * pattern_units[unit]


def _positive(
    text: str, units: dict[str, float], what: str, accepted: str, bare_unit: str | None = None
) -> float:
    if (text or "").strip().startswith("-"):
        raise InputError(f"{what} must be greater than zero, got {text!r}")
    value = _split(text, units, what, accepted, bare_unit)
    if not math.isfinite(value):
        raise InputError(f"{what} {text!r} is not a finite number; expected {accepted}")
    if value <= 0:
        raise InputError(f"{what} must be greater than zero, got {text!r}")
    return value


def parse_mass_mg(text: str, what: str = "mass") -> float:
    """'2g' -> 2000.0 mg; '500 mg' -> 500.0. Positive values only."""
    return _positive(text, _MASS_TO_MG, what, "a number with a unit, e.g. '2g' or '2000mg'")


def parse_dose(text: str) -> Dose:
    """Parse '2g' (leaf) or '20mg:mitragynine' (one alkaloid)."""
    if not text or not text.strip():
        raise InputError(f"empty dose: give {DOSE_FORMS}")
    amount, has_colon, compound_text = text.partition(":")
    if text.strip().startswith("-"):
        raise InputError(f"dose must be greater than zero, got {text!r}; give {DOSE_FORMS}")
    try:
        mg = parse_mass_mg(amount, "dose")
    except InputError as err:
        raise InputError(f"{err.message}; a dose is {DOSE_FORMS}") from None
    if not has_colon:
        LEAF_DOSE_MG.check(mg, text.strip())
        return Dose(mg)
    ALKALOID_DOSE_MG.check(mg, text.strip())
    compound = compound_text.strip().lower()
    if not compound:
        raise InputError(f"no alkaloid after ':' in dose {text!r}; give {DOSE_FORMS}")
    return Dose(mg, compound)


def parse_duration_h(text: str, what: str = "duration", bare_unit: str | None = None) -> float:
    """'24h' -> 24.0; '5min' -> 0.0833; '7d' -> 168.0. Positive values only.

    ``bare_unit`` is the unit of a number typed without one (``--hours 48`` means 48 h); without it a
    bare number is refused, since '5' could be minutes or hours.
    """
    accepted = "a number with a unit, e.g. '24h', '5min' or '7d'"
    return _positive(text, _DURATION_TO_H, what, accepted, bare_unit)


def parse_weight_kg(text: str) -> float:
    """'70kg' -> 70.0; '154lb' -> 69.9. Plausible adult range only."""
    value = _split(text, _WEIGHT_TO_KG, "body weight", "a number with a unit, e.g. '70kg' or '154lb'")
    if not 20.0 <= value <= 300.0:
        raise InputError(f"body weight {text!r} is outside the accepted range 20 to 300 kg")
    return value


def parse_clock(text: str, what: str = "clock time") -> time:
    """'22:30' or '7:05' (24-hour clock) -> datetime.time."""
    match = re.fullmatch(r"\s*(?P<h>\d{1,2}):(?P<m>\d{2})\s*", text or "")
    if not match:
        raise InputError(f"cannot read {what} {text!r}: expected a 24-hour time such as '22:30'")
    hour, minute = int(match.group("h")), int(match.group("m"))
    if hour > 23 or minute > 59:
        raise InputError(f"impossible {what} {text!r}: hours run 00-23 and minutes 00-59")
    return time(hour, minute)


def parse_date(text: str) -> date:
    """'2026-01-05' -> date."""
    try:
        day = date.fromisoformat(text.strip())
    except ValueError:
        raise InputError(f"cannot read date {text!r}: expected YYYY-MM-DD, e.g. '2026-01-05'") from None
    YEAR.check(day.year, text.strip())
    return day


def sleep_hours(at: str, wake: str) -> float:
    """Hours from the dose time to the wake-up time (the next morning when earlier), both 'HH:MM'.

    A wake-up at the dose time itself would leave no sleep window (or a 24 h one): it is refused.
    """
    dose_clock, wake_clock = parse_clock(at, "dose time"), parse_clock(wake, "wake-up time")
    if dose_clock == wake_clock:
        raise InputError(f"wake-up time {wake!r} is the same as the dose time {at!r}; give a different wake-up time")
    start = datetime.combine(date(2000, 1, 1), dose_clock)
    return hours_after(start, wake_clock)


def hours_after(start: datetime, clock: time) -> float:
    """Hours from ``start`` to the next occurrence of ``clock`` (same instant counts as 24 h later).

    A wake-up time earlier than the dose time on the same night means the next morning.
    """
    candidate = datetime.combine(start.date(), clock)
    if candidate <= start:
        candidate += timedelta(days=1)
    return (candidate - start).total_seconds() / 3600.0


# ------------------------------------------------------------------------- amounts and concentrations
# One place for the mass <-> amount conversions the engine needs (mg and g/mol -> micromol, and the
# concentration units studies report -> nM); the order of operations is kept fixed so results match.

def mg_to_umol(mg: float, molecular_weight: float) -> float:
    """Micromoles in ``mg`` milligrams of a compound of ``molecular_weight`` g/mol."""
    return mg * 1000.0 / molecular_weight


def umol_to_mg(umol: float, molecular_weight: float) -> float:
    """Milligrams in ``umol`` micromoles (inverse of :func:`mg_to_umol`)."""
    return umol * molecular_weight / 1000.0


def nM_to_ng_per_mL(nM: Any, molecular_weight: float) -> Any:
    """nmol/L -> ng/mL: multiply by g/mol and divide by 1000."""
    return nM * molecular_weight / 1000.0


def ng_per_mL_to_nM(ng_per_mL: Any, molecular_weight: float) -> Any:
    """ng/mL -> nmol/L: multiply by 1000 and divide by g/mol (inverse of :func:`nM_to_ng_per_mL`)."""
    return ng_per_mL * 1000.0 / molecular_weight


_CONCENTRATION_PER_MW = {"ng/mL": 1000.0, "pg/mL": 1.0, "ug/mL": 1e6}
_CONCENTRATION_MOLAR = {"uM": 1000.0, "nM": 1.0}


def concentration_nM(value: float, unit: str, molecular_weight: float) -> float:
    """A concentration as a study reports it (ng/mL, pg/mL, ug/mL, uM, nM) in nM."""
    if unit in _CONCENTRATION_PER_MW:
        return value * (_CONCENTRATION_PER_MW[unit] / molecular_weight)
    if unit in _CONCENTRATION_MOLAR:
        return value * _CONCENTRATION_MOLAR[unit]
    raise ValueError(f"concentration unit {unit!r} not understood")


def split_medicine_spec(spec: str) -> tuple[str, float | None]:
    """'zolpidem:10mg', '10mg:zolpidem' or 'zolpidem' -> (name, mg or None).

    The side that starts like a number is the dose, so a bad amount ('zolpidem:-10mg') is reported as
    the dose it is, not as an unreadable medicine name.
    """
    left, sep, right = spec.partition(":")
    if not sep:
        return left, None
    amount_first = _looks_like_amount(left) and not _looks_like_amount(right)
    name, amount = (right, left) if amount_first else (left, right)
    if not _looks_like_amount(amount):
        raise InputError(f"cannot read {spec!r}: expected MEDICINE:DOSE, e.g. 'zolpidem:10mg'")
    what = f"dose {amount.strip()!r} of {name.strip() or 'the medicine'}"
    if amount.strip().startswith("-"):
        raise InputError(f"{what} must be greater than zero; write MEDICINE:DOSE, e.g. 'zolpidem:10mg'")
    try:
        return name, parse_mass_mg(amount, "dose")
    except InputError as err:
        raise InputError(f"cannot read {what}: {err.message}; write MEDICINE:DOSE, e.g. 'zolpidem:10mg'") from None


def _looks_like_amount(text: str) -> bool:
    return bool(re.match(r"\s*[-+]?(?:[0-9]|\.[0-9])", text))
