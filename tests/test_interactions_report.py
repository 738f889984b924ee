"""The typed InteractionReport: its dict is what the edges print; next morning checked by hand."""

from __future__ import annotations

import dataclasses
import json
import math

import pytest

from kratomsim import interactions as ix
from kratomsim.errors import InputError
from tests.golden.run import run_json


def test_the_interaction_report_is_typed_and_its_dict_is_what_the_edges_print() -> None:
    regimen = ix.kratom_regimen("K51", "2g", 1, "22:30")
    report = ix.interaction("midazolam", regimen, victim_dose_mg=2.5, wake=ix.DEFAULT_WAKE)
    printed = run_json(["interact", "--victim", "midazolam", "--dose", "2g", "--victim-dose", "2.5mg",
                        "--at", "22:30", "--wake", "07:00"])
    assert json.loads(json.dumps(report.to_dict())) == printed  # the CLI prints the typed report's dict
    frame = report.to_frame()
    row = frame.set_index("quantity").loc["AUC ratio"]
    assert (row["predicted"], row["low"], row["high"]) == (
        report.prediction.auc_ratio, report.prediction.auc_ratio_low, report.prediction.auc_ratio_high)
    assert report.clinical_study is not None and report.clinical_study["source"] in report.sources
    assert report.to_dict()["sources"] == list(report.sources)  # the quoted study is cited too
    assert set(report.prediction.sources) <= set(report.sources)
    with pytest.raises(dataclasses.FrozenInstanceError):
        report.prediction = report.prediction  # type: ignore[misc]
    # Next morning by hand: one-compartment closed form at 8.5 h, with and without the two terms.
    v, p = ix.get_victim("midazolam"), report.prediction
    assert v.pk is not None
    t = report.next_morning.hours_after_dose
    assert t == pytest.approx(8.5)
    k = v.pk.cl_over_f / v.pk.v_over_f
    alone = 2.5 * 1000 * v.pk.ka / (v.pk.v_over_f * (v.pk.ka - k)) * (math.exp(-k * t) - math.exp(-v.pk.ka * t))
    assert report.next_morning.without_kratom_ng_per_mL == pytest.approx(alone, rel=1e-12)
    assert report.next_morning.with_kratom_ng_per_mL > alone * p.gut_term  # lower clearance raises it further
    # Several nights: no single-dose clinical study applies.
    assert ix.interaction("midazolam", ix.kratom_regimen("K51", "2g", 3)).clinical_study is None


def test_a_dose_without_mitragynine_is_refused_in_one_line() -> None:
    regimen = ix.kratom_regimen(None, "2mg:7-hydroxymitragynine")
    with pytest.raises(InputError, match="holds no mitragynine"):
        ix.dynamic_prediction("midazolam", regimen)
