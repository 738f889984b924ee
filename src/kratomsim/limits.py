"""One table of input limits, shared by the CLI, the web API and the docs.

Each limit bounds a quantity to what is finite and physically plausible, so an absurd value (a dose
of 1e308 g, a date in year 9999) is refused at the edge with one line instead of reaching the model.
"""

from __future__ import annotations

import math
import numbers
from dataclasses import dataclass

from kratomsim.errors import InputError


@dataclass(frozen=True)
class Limit:
    """An inclusive range for one quantity, with the unit it is expressed in and why."""

    name: str
    low: float
    high: float
    unit: str
    why: str

    def accepted(self) -> str:
        return f"{_number(self.low)} to {_number(self.high)} {self.unit}".strip()

    def check(self, value: float, shown: str | None = None) -> float:
        """The value if finite and in range; otherwise an InputError naming field, value and range."""
        text = shown if shown is not None else f"{value:g}"
        if not math.isfinite(value):
            raise InputError(f"{self.name} {text!r} is not a finite number; accepted: {self.accepted()}")
        if not self.low <= value <= self.high:
            raise InputError(f"{self.name} {text!r} is outside the accepted range: {self.accepted()}")
        return value

    def check_whole(self, value: object) -> int:
        """A whole number in range (not a bool, not a float); InputError naming field, value and range."""
        if isinstance(value, bool) or not isinstance(value, numbers.Integral):
            raise InputError(f"{self.name} must be a whole number, got {value!r}; accepted: {self.accepted()}")
        return int(self.check(float(value), str(int(value))))


def _number(value: float) -> str:
    """10000000 -> '10,000,000' (a count a person reads); 2200 -> '2200'; 1e-06 stays '1e-06'."""
    return f"{int(value):,}" if value >= 10_000 and value == int(value) else f"{value:g}"


# Doses: 100 g of leaf is far above any reported single use; 2 g of one pure alkaloid is likewise.
LEAF_DOSE_MG = Limit("dose of leaf", 1e-3, 100_000.0, "mg", "100 g of leaf per dose")
ALKALOID_DOSE_MG = Limit("dose of one alkaloid", 1e-6, 2_000.0, "mg", "2 g of one alkaloid per dose")
PRODUCT_TOTAL_MG_PER_G = Limit("product alkaloid total", 0.0, 1_000.0, "mg/g", "a gram holds at most 1,000 mg")
YEAR = Limit("year", 1900, 2200, "", "calendar dates the clock arithmetic can carry")
SUBJECTS = Limit("subjects", 1, 10_000_000, "", "10 million simulated people")
NIGHTS = Limit("nights", 1, 365, "", "a year of nightly doses, the engine's horizon")
DASK_CONNECT_S = 3.0  # seconds to wait for a Dask scheduler to answer before giving up
MAX_TEXT_CHARS = 200  # product names, paths and other short strings

TABLE = (LEAF_DOSE_MG, ALKALOID_DOSE_MG, PRODUCT_TOTAL_MG_PER_G, YEAR, SUBJECTS, NIGHTS)


def as_dict() -> dict[str, str]:
    """The table for /api/limits and the docs."""
    return {limit.name: f"{limit.accepted()} ({limit.why})" for limit in TABLE}


def check_short_text(text: str, what: str) -> str:
    """A short user string (name, path): bounded length, no lone surrogates."""
    if len(text) > MAX_TEXT_CHARS:
        raise InputError(f"{what} is {len(text)} characters long; accepted: at most {MAX_TEXT_CHARS}")
    return clean_text(text)


def clean_text(text: str) -> str:
    """Text with lone UTF-16 surrogates (not encodable as UTF-8) replaced, so tokenizers never raise."""
    return text.encode("utf-8", errors="replace").decode("utf-8") if _has_surrogate(text) else text


def _has_surrogate(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False
