"""How many inputs the fuzz and regression tests tried, per CLI command and API endpoint.

Each fuzz test calls :func:`tried` once per input it sends; ``tests/conftest.py`` prints the table at
the end of the run (and writes it as JSON to the file named by KRATOMSIM_FUZZ_COUNTS, if set).
"""

from __future__ import annotations

from collections import Counter

TRIED: Counter[str] = Counter()


def tried(where: str) -> None:
    """Count one input sent to ``where`` ('cli night', 'POST /api/night', ...)."""
    TRIED[where] += 1
