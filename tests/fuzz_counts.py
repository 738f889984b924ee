"""How many inputs the fuzz and regression tests tried, per CLI command and API endpoint.

Each fuzz test calls :func:`tried` once per input it sends; ``tests/conftest.py`` prints the table at
the end of the run (and writes it as JSON to the file named by KRATOMSIM_FUZZ_COUNTS, if set).

Reproducible counts: with KRATOMSIM_FUZZ_COUNTS set, hypothesis (and schemathesis, which runs on it)
is derandomized and keeps no example database, so the same code draws the same inputs and the table
comes out the same on every run:

    KRATOMSIM_FUZZ_COUNTS=counts.json python -m pytest tests/test_fuzz_edges.py \
        tests/web/test_schemathesis.py tests/web/test_edges.py -p no:cacheprovider

This module is imported by ``tests/conftest.py`` before any test module, so the profile is in force
when the tests' own ``@settings`` are made (they inherit what they do not set).
"""

from __future__ import annotations

import os
from collections import Counter

from hypothesis import settings

TRIED: Counter[str] = Counter()
COUNTS_ENV = "KRATOMSIM_FUZZ_COUNTS"
PROFILE = "fuzz-counts"

settings.register_profile(PROFILE, derandomize=True, database=None, print_blob=False)
if os.environ.get(COUNTS_ENV):
    settings.load_profile(PROFILE)


def tried(where: str) -> None:
    """Count one input sent to ``where`` ('cli night', 'POST /api/night', ...)."""
    TRIED[where] += 1
