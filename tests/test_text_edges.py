"""Strings are parsed only at the edges (issue 13, P10 item 3).

Library functions take a Scenario, Timeline, Exposure, MedicineDose or datetime.time; the text a
person typed is read into those typed values at the edges: ``cli.py``, ``commands/``, ``web/``, the
lazy facade ``kratomsim/__init__.py`` and ``night_edge.py`` (the keyword forms of the night report
and the comparison of aids, which the facade, CLI and web call). This test scans the rest of
``src/kratomsim`` for calls of the text parsers and fails on any call not listed below with its reason.
An entry that no longer matches a call fails too, so the list shrinks as the code is fixed.
"""

from __future__ import annotations

import ast
from datetime import time

from kratomsim.aid_entries import read_aid
from kratomsim.night_timeline import make_timeline
from tests.source_tree import is_edge, source_modules

PARSERS = frozenset({"make_scenario", "parse_dose", "kratom_regimen", "parse_comedication", "parse_clock",
                     "make_timeline", "plan_night", "check_oral_seven_oh"})  # the last three: text forms too
TEXT_EDGES = ("night_edge.py",)  # the night report's and comparison's keyword forms: an edge for text only

# "module:function:parser" -> reason. One entry covers every call of that parser inside that function.
ALLOWED: dict[str, str] = {
    "clinical_ddi.py:observed:parse_dose": "data: the clinical studies' kratom doses are text in their data file",
    "clinical_ddi.py:validate_clinical_ddi:kratom_regimen": "data: the studies' doses are text in their data file",
    "scenario.py:make_scenario:parse_dose": "the parser itself: make_scenario is the text form of Scenario.create",
    "scenario.py:make_scenario:parse_clock": "the parser itself: make_scenario is the text form of Scenario.create",
    "scenario.py:Scenario.create:make_scenario": "Scenario.create's text form (the typed constructor's edge helper)",
    "units.py:sleep_hours:parse_clock": "the parser module itself: sleep_hours is the text form of a sleep window",
    "interactions_models.py:kratom_regimen:make_scenario": "the text form of a nightly regimen, for the edges and "
                                                           "clinical_ddi's data strings",
    "night_request.py:plan_night:check_oral_seven_oh": "the parser itself: plan_night is NightPlan's text form",
    "night_request.py:plan_night:make_timeline": "the parser itself: plan_night is NightPlan's text form",
    "night_request.py:plan_night:make_scenario": "the parser itself: plan_night is NightPlan's text form",
    "evidence/model_evidence.py:simulate_wake_up:plan_night": "constants: the evidence scenario is module text",
    "evidence/model_evidence.py:simulate_sleep_change:make_timeline": "constants: the evidence clock is module text",
    "market.py:check_oral_seven_oh:parse_dose": "the text form of refuse_oral_seven_oh, for the edges and plan_night",
    "night_timeline.py:make_timeline:parse_clock": "the parser itself: make_timeline is the Timeline's text form",
    "night_timeline.py:nightly_exposure:make_scenario": "the text form of exposure_on, for the edges and tests",
}


def parser_calls(module: str, source: str) -> set[str]:
    """'module:function:parser' for each call of a text parser (by bare name or attribute) in the source."""
    found: set[str] = set()

    def walk(node: ast.AST, where: str) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
                walk(child, f"{where}.{child.name}" if where else child.name)
                continue
            if isinstance(child, ast.Call):
                func = child.func
                name = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""
                if name in PARSERS:
                    found.add(f"{module}:{where or '<module>'}:{name}")
            walk(child, where)

    walk(ast.parse(source), "")
    return found


def _library_calls() -> set[str]:
    calls: set[str] = set()
    for module, source in source_modules():
        if not is_edge(module, TEXT_EDGES):
            calls |= parser_calls(module, source)
    return calls


def test_scanner_finds_calls_by_name_attribute_and_nesting() -> None:
    source = (
        "def f(x):\n    return make_scenario(dose=x)\n"
        "class C:\n    def g(self):\n        return units.parse_clock('22:30')\n"
        "def h():\n    return parse_dosage('2g')\n"
    )
    assert parser_calls("m.py", source) == {"m.py:f:make_scenario", "m.py:C.g:parse_clock"}


def test_no_text_parsing_inside_the_library_outside_the_allow_list() -> None:
    calls = _library_calls()
    new = sorted(calls - ALLOWED.keys())
    assert not new, f"text parsed inside the library (parse it at an edge and pass the typed value): {new}"


def test_every_allowed_exception_still_exists() -> None:
    stale = sorted(ALLOWED.keys() - _library_calls())
    assert not stale, f"allow-list entries that no longer match a call (remove them): {stale}"


def test_every_exception_has_a_reason() -> None:
    assert all(len(reason) > 20 for reason in ALLOWED.values())


def test_timeline_wake_clock_is_the_clock_given() -> None:
    """The typed wake-up the library reads equals the text's clock, also off the hour (22:30 -> 06:20)."""
    for at, wake, expected in (("22:30", "06:30", time(6, 30)), ("22:30", "06:20", time(6, 20)),
                               ("23:47", "07:13", time(7, 13)), ("01:00", "09:05", time(9, 5))):
        assert make_timeline(at, wake, 2, "09:30", "2026-01-05").wake_clock == expected


def test_read_aid_types_each_kind_once() -> None:
    kratom = read_aid("kratom:K51:2g")
    assert (kratom.label, kratom.product, kratom.dose, kratom.medicine) == ("kratom:K51:2g", "K51", "2g", None)
    med = read_aid("zolpidem:10mg")
    assert med.medicine is not None and (med.medicine.name, med.medicine.dose_mg) == ("zolpidem", 10.0)
    assert med.label == "zolpidem:10mg"
