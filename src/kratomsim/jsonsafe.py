"""JSON-safe conversion shared by the CLI's --json output and the web API."""

from __future__ import annotations

import math
from typing import Any


def json_safe(value: Any) -> Any:
    """Make numpy scalars, NaN/inf (-> None) and nested containers JSON-safe."""
    if isinstance(value, dict):
        return {str(k): json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        if value and all(type(v) is float for v in value) and math.isfinite(sum(value)):
            return list(value)  # a long list of finite floats (chart curves): nothing to convert
        return [json_safe(v) for v in value]
    if hasattr(value, "item") and callable(value.item):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value
