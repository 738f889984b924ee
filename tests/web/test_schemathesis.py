"""Property-based tests from the OpenAPI spec: whatever a client sends, the server never answers 5xx.

The request models' limits (nights <= 365, a 5-minute grid, 100 kB of text, subjects <= 1000 or
100,000) keep each generated request bounded; to keep the suite fast, valid ``subjects`` and ``nights``
values are capped further while fuzzing (``cap_subjects``: out-of-range values still reach the server and
must answer 422). The audit endpoint, whose first call loads a language model, gets fewer examples.
"""

from __future__ import annotations

import functools
import math
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import negative_data_rejection, positive_data_acceptance

from kratomsim.web.api import MAX_NIGHTS, MAX_POPULATION_SUBJECTS, MAX_SUBJECTS
from kratomsim.web.app import create_app
from tests.fuzz_counts import tried

FUZZ_SUBJECTS = 5  # simulated people in a generated request that is within the limits
FUZZ_NIGHTS = 3  # nights in a generated request within the limit (365 nights take about 45 s)
REQUEST_TIMEOUT_S = 120


def _app() -> object:
    import tempfile

    return create_app(Path(tempfile.mkdtemp(prefix="kratomsim-st-")))


schema = schemathesis.openapi.from_asgi("/openapi.json", _app())

EXCLUDED = {
    positive_data_acceptance,  # valid JSON can still be a bad dose or an unknown product: a 422 by design
    negative_data_rejection,
}


def _capped(value: Any, limit: int, cap: int = FUZZ_SUBJECTS) -> Any:
    """A whole number within the limit becomes at most ``cap`` (965.0 counts too)."""
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        return value
    if value == int(value) and 1 <= value <= limit:
        return type(value)(min(value, cap))
    return value


def cap_subjects(path: str, body: Any) -> Any:
    """Bodies simulate at most FUZZ_SUBJECTS people; values over the endpoint's limit stay as they are.

    /api/population's default (10,000 people) is filled in as FUZZ_SUBJECTS when a body leaves it out.
    Applied in the test to every case (generated, examples and the coverage phase alike).
    """
    limit = MAX_POPULATION_SUBJECTS if path == "/api/population" else MAX_SUBJECTS
    if isinstance(body, dict):
        if path == "/api/population":
            body.setdefault("subjects", FUZZ_SUBJECTS)
        if "subjects" in body:
            body["subjects"] = _capped(body["subjects"], limit)
        params = body.get("params")
        if isinstance(params, dict) and "subjects" in params:
            params["subjects"] = _capped(params["subjects"], limit)
        for holder in (body, params if isinstance(params, dict) else {}):
            if "nights" in holder:
                holder["nights"] = _capped(holder["nights"], MAX_NIGHTS, FUZZ_NIGHTS)
    return body


def test_cap_subjects_keeps_out_of_range_values() -> None:
    night, population = "/api/night", "/api/population"
    assert cap_subjects(night, {"subjects": 1000})["subjects"] == FUZZ_SUBJECTS
    assert cap_subjects(night, {"subjects": 3})["subjects"] == 3
    assert cap_subjects(night, {"subjects": 1001})["subjects"] == 1001  # /api/night must still refuse it
    assert cap_subjects(population, {"subjects": 100_000})["subjects"] == FUZZ_SUBJECTS
    assert cap_subjects(population, {"subjects": 100_001})["subjects"] == 100_001
    assert cap_subjects(night, {"subjects": 0})["subjects"] == 0
    assert cap_subjects(night, {"subjects": "many"})["subjects"] == "many"
    assert cap_subjects(night, {"params": {"subjects": 900}})["params"]["subjects"] == FUZZ_SUBJECTS
    assert cap_subjects(night, {"subjects": 965.0})["subjects"] == FUZZ_SUBJECTS
    assert cap_subjects(population, {})["subjects"] == FUZZ_SUBJECTS
    assert cap_subjects(night, {"subjects": math.inf})["subjects"] == math.inf
    assert cap_subjects(night, {"nights": 364})["nights"] == FUZZ_NIGHTS
    assert cap_subjects(night, {"nights": 366})["nights"] == 366  # must still be refused
    assert cap_subjects(night, {"params": {"nights": 200}})["params"]["nights"] == FUZZ_NIGHTS


@schema.exclude(path="/api/audit").parametrize()
@settings(max_examples=20, deadline=None, suppress_health_check=list(HealthCheck))
def test_api_never_fails(case: schemathesis.Case) -> None:
    case.body = cap_subjects(case.path, case.body)
    tried(f"{case.method.upper()} {case.path}")
    # This test is about the status code, not speed (speed is measured in benchmarks/): a long valid
    # request on a loaded machine gets a generous read timeout.
    case.call_and_validate(excluded_checks=list(EXCLUDED), timeout=REQUEST_TIMEOUT_S)


@functools.cache
def _warm_audit() -> None:
    """Load the audit's language model before the timed requests (the first load takes seconds)."""
    from kratomsim.evidence.audit import audit_text

    audit_text("Kratom helps people sleep.")


@pytest.mark.slow
@schema.include(path="/api/audit").parametrize()
@settings(max_examples=5, deadline=None, suppress_health_check=list(HealthCheck))
def test_audit_never_fails(case: schemathesis.Case) -> None:
    _warm_audit()
    tried(f"{case.method.upper()} {case.path}")
    case.call_and_validate(excluded_checks=list(EXCLUDED))
