"""JSON-safe conversion shared by the CLI's --json output and the web API."""

from __future__ import annotations

import math
from typing import Any


def json_safe(value: Any) -> Any:
    """Make numpy scalars, NaN/inf (-> None) and nested containers JSON-safe."""
    if isinstance(value, dict):
        return {str(k): json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [json_safe(v) for v in value]
    if hasattr(value, "item") and callable(value.item):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value
