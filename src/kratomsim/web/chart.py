"""Chart data at the resolution a chart needs: values rounded to a few significant digits.

Why: the night report's curves are a week of 5-minute points for every alkaloid in two units;
printed with 17 significant digits they made most of a 574 kB answer. Four significant digits
(0.05 % at worst) are far below what a chart or its hover label shows; the tables keep full precision.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

CHART_DIGITS = 4


def chart_values(values: ArrayLike, digits: int = CHART_DIGITS) -> list[float | None]:
    """``values`` rounded to ``digits`` significant digits, as a JSON-ready list (non-finite -> None).

    Each result is the double nearest to a decimal of ``digits`` digits (an integer divided or
    multiplied by an exact power of ten), so it prints short.
    """
    x = np.asarray(values, dtype=float).ravel()
    finite = np.isfinite(x)
    out = np.where(finite, x, 0.0)
    nonzero = out != 0
    with np.errstate(divide="ignore"):
        decimals = np.where(nonzero, digits - 1 - np.floor(np.log10(np.abs(out), where=nonzero, out=np.ones_like(out))),
                            0.0)
    up = decimals >= 0
    power = 10.0 ** np.minimum(np.abs(decimals), 22)  # powers of ten are exact doubles up to 1e22
    rounded = np.where(up, np.round(out * power) / power, np.round(out / power) * power)
    extreme = np.nonzero(np.abs(decimals) > 22)[0]  # below 1e-19 or above 1e25: rare, done one by one
    rounded[extreme] = [float(f"{v:.{digits}g}") for v in out[extreme].tolist()]
    listed: list[float | None] = rounded.tolist()
    if not finite.all():
        listed = [v if ok else None for v, ok in zip(listed, finite.tolist(), strict=True)]
    return listed
