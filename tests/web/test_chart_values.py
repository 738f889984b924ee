"""Chart values at four significant digits: within half a unit of the 4th digit, short, JSON-safe.

Truth: Python's own decimal formatting (``f"{v:.4g}"``) and the rounding bound of half a unit.
"""

from __future__ import annotations

import json
import math

from hypothesis import given
from hypothesis import strategies as st

from kratomsim.jsonsafe import json_safe
from kratomsim.web.chart import chart_values

finite = st.floats(min_value=-1e12, max_value=1e12, allow_nan=False, allow_infinity=False)


@given(st.lists(finite, min_size=1, max_size=50))
def test_rounded_to_four_significant_digits(values: list[float]) -> None:
    for got, v in zip(chart_values(values), values, strict=True):
        assert got is not None
        assert float(f"{got:.4g}") == got  # exactly a 4-digit decimal, so it prints short
        if v != 0:
            unit = 10.0 ** (math.floor(math.log10(abs(v))) - 3)  # one unit of the 4th digit
            assert abs(got - v) <= 0.5 * unit * (1 + 1e-9)


def test_non_finite_values_become_null() -> None:
    assert chart_values([1.23456, math.nan, math.inf, 0.0, -0.000123456]) == [1.235, None, None, 0.0, -0.0001235]


@given(st.lists(st.one_of(finite, st.just(math.nan), st.just(math.inf)), max_size=30))
def test_json_safe_fast_path_equals_the_general_one(values: list[float]) -> None:
    expected = [None if not math.isfinite(v) else v for v in values]
    assert json_safe(values) == expected
    assert json_safe(tuple(values)) == expected
    json.dumps(json_safe({"curve": values}), allow_nan=False)
