"""The doses the human PK studies gave: a prediction outside them is flagged as an extrapolation."""

from __future__ import annotations

import math

from kratomsim.library import MITRAGYNINE, studies


def studied_mitragynine_range() -> tuple[float, float, list[str]]:
    """Lowest and highest mg of mitragynine per dose in the human PK studies of the library, and which."""
    low, high, where = math.inf, -math.inf, []
    for key, study in studies().items():
        cell = (study.get("compounds") or {}).get(MITRAGYNINE) or {}
        if "dose_mg" in cell:
            lo = hi = float(cell["dose_mg"]["value"])
        elif "dose_mg_range" in cell:
            lo, hi = float(cell["dose_mg_range"]["low"]), float(cell["dose_mg_range"]["high"])
        else:
            continue
        low, high = min(low, lo), max(high, hi)
        span = f"{lo:g} mg" if lo == hi else f"{lo:g}-{hi:g} mg"
        where.append(f"{key} ({span})")
    return low, high, where


def dose_warnings(alkaloid_mg: dict[str, float]) -> list[str]:
    """Flag a dose outside the mitragynine doses of the human studies behind the parameters."""
    low, high, where = studied_mitragynine_range()
    if not where:
        return ["No human PK study in the library reports a mitragynine dose; every prediction is an extrapolation."]
    mg = alkaloid_mg.get(MITRAGYNINE, 0.0)
    studied = f"the human studies behind the parameters gave {low:g} to {high:g} mg: {', '.join(where)}"
    if mg <= 0:
        return [f"This dose contains no mitragynine; {studied}. The prediction is an extrapolation."]
    if mg > high * (1 + 1e-9):
        return [
            f"Beyond the studied doses: this dose holds {mg:.3g} mg of mitragynine, {mg / high:.2g} times the "
            f"highest studied dose; {studied}. The model assumes linear kinetics above that, which no human "
            "study has tested."
        ]
    if mg < low * (1 - 1e-9):
        return [f"Below the studied doses: {mg:.3g} mg of mitragynine; {studied}."]
    return []

