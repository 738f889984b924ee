"""Issue 16's examples, each as a test: every claim of a sentence, polarity that holds, the verdict
on what the sentence asserts, the model as evidence, dose instructions flagged, nothing dropped."""

from __future__ import annotations

import json
from datetime import time
from pathlib import Path

import pytest

from kratomsim.cli import main
from kratomsim.evidence import audit_text, embedding, model_evidence
from kratomsim.evidence.library import claims
from kratomsim.night_report import night_report
from kratomsim.night_request import NightPlan
from kratomsim.night_timeline import make_timeline, nightly_exposure
from kratomsim.sleep_prediction import predicted_changes


def _found(text: str) -> dict[str, object]:
    return {m.claim_id: m for m in audit_text(text).claims}


def test_double_negative_does_not_turn_a_false_safety_claim_into_a_supported_one() -> None:
    found = _found("Kratom is non-addictive and has no withdrawal symptoms.")
    assert set(found) == {"no_dependence", "no_withdrawal"}
    for match in found.values():
        assert not match.negated and match.verdict == "contradicted"
    assert found["no_dependence"].verdict_text == "asserts kratom is not addictive: contradicted"


def test_not_addictive_alone_is_right() -> None:
    (match,) = audit_text("Kratom is not addictive.").claims
    assert match.claim_id == "no_dependence" and match.verdict == "contradicted" and not match.negated


def test_two_claims_in_one_clause_are_both_found() -> None:
    found = _found("Kratom is a safer alternative for insomnia and pain without addiction risks.")
    assert {"safer_than_opioids", "no_dependence"} <= set(found)
    assert found["no_dependence"].verdict == "contradicted"


def test_binding_opioid_receptors_reads_as_supported() -> None:
    found = _found("Kratom's alkaloids bind opioid receptors.")
    assert "not_opioid" not in found
    match = found["binds_opioid_receptors"]
    assert match.verdict == "supported"
    assert match.verdict_text == "asserts kratom's alkaloids act on opioid receptors: supported"


@pytest.mark.parametrize("text", ["Kratom wears off by morning, so there is no hangover.",
                                  "Kratom leaves your system by morning."])
def test_wears_off_by_morning_is_checked_against_the_model(text: str) -> None:
    found = _found(text)
    assert set(found) == {"no_next_day_effects"}, found
    match = found["no_next_day_effects"]
    assert match.verdict == "contradicted" and not match.negated
    evidence = match.model_evidence
    assert evidence is not None and evidence["model_verdict"] == "contradicted"
    assert evidence["scenario"]["dose"] == "2g" and "7-hydroxymitragynine" in evidence["quote"]


def test_a_dose_instruction_is_flagged_never_graded() -> None:
    (match,) = audit_text("Take 5 grams an hour before bed every night.").claims
    assert match.claim_id == "dosing_advice" and match.kind == "dosing_advice"
    assert match.verdict == "not graded" and "never recommends a dose" in match.verdict_text


def test_a_claim_inside_a_compound_sentence_is_found() -> None:
    found = _found("Kratom calms the mind, and the FDA has approved it for insomnia.")
    assert found["fda_approved"].verdict == "contradicted"
    assert found["fda_approved"].clause.startswith("the FDA has approved it")
    (alone,) = audit_text("The FDA has approved kratom for insomnia.").claims
    assert alone.claim_id == "fda_approved" and alone.verdict == "contradicted"


def test_check_worthy_sentences_that_match_nothing_are_listed() -> None:
    report = audit_text("Kratom can cause constipation at high doses. Kratom grows in Southeast Asia.")
    assert report.claims == []
    assert report.unmatched == ["Kratom can cause constipation at high doses."]
    assert report.to_dict()["unmatched"] == report.unmatched


def test_the_model_loads_once_per_process() -> None:
    audit_text("Kratom helps you fall asleep.")
    model = embedding._model
    audit_text("Kratom is not an opioid.")
    assert model is not None and embedding._model is model


def test_model_evidence_quotes_the_night_report() -> None:
    """The quoted levels are the night report's own rows for the scenario (K51 2 g, 7 nights), and
    the catalog verdict agrees with the rule written in model_evidence."""
    evidence = model_evidence.simulate_wake_up("2g")
    report = night_report(product="K51", dose="2g", at="22:30", wake="06:30", nights=7)
    for night in (1, 7):
        for compound in ("mitragynine", "7-hydroxymitragynine"):
            row = next(r for r in report.rows_for(compound) if r.night == night)
            assert evidence["wake_up"][f"night {night}"][compound]["ng_per_mL"] == pytest.approx(
                row.wake_ng_per_mL, abs=1e-3)
    assert evidence["model_verdict"] == claims()["no_next_day_effects"].verdict


def test_a_stated_dose_is_the_one_simulated() -> None:
    assert model_evidence.stated_dose("Take 5 grams an hour before bed") == "5g"
    assert model_evidence.stated_dose("Take 40 grams") is None
    five = model_evidence.evidence_for("no_next_day_effects", "5 g of kratom wears off by morning")
    assert five is not None and five["scenario"]["dose"] == "5g" and five["dose_source"] == "stated in the sentence"
    two = model_evidence.simulate_wake_up("2g")["wake_up"]["night 1"]["mitragynine"]["ng_per_mL"]
    assert five["wake_up"]["night 1"]["mitragynine"]["ng_per_mL"] > two
    assert model_evidence.evidence_for("falls_asleep", "anything") is None


def test_cli_progress_goes_to_stderr_and_json_stays_clean(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "long.txt"
    path.write_text(" ".join(["Kratom is not addictive."] * 300), encoding="utf-8")
    with pytest.raises(SystemExit) as exit_info:
        main(["audit", str(path), "--json", "--progress"])
        raise SystemExit(0)
    out, _ = capsys.readouterr()
    assert int(exit_info.value.code or 0) == 0
    payload = json.loads(out)
    assert payload["claims"] and all(c["claim_id"] == "no_dependence" for c in payload["claims"])


def test_deep_sleep_claims_quote_the_bridge_predicted_sws_change() -> None:
    """Issue 17 item 6: a deep-sleep claim carries the sleep bridge's predicted slow-wave sleep change for
    the reference scenario, and the quoted numbers are sleep_prediction's own for that exposure."""
    found = _found("Kratom gives you deep, restorative sleep.")
    evidence = found["deep_sleep"].model_evidence
    assert evidence is not None and evidence["scenario"]["dose"] == "2g"
    exposure = nightly_exposure("K51", "2g", make_timeline("22:30", "06:30", 7, "09:00", None))
    nights = {n["night"]: n for n in predicted_changes(exposure, wake=time(6, 30), nights=(1, 7))["nights"]}
    for night in (1, 7):
        expected = nights[night]["changes"]["sws"]["change"]
        for key in ("median", "low", "high"):
            assert evidence["sws_change"][f"night {night}"][key] == pytest.approx(expected[key], abs=1e-3)
    assert "slow-wave" in found["deep_sleep"].model_prediction
    assert found["deep_sleep"].model_prediction == evidence["quote"]
    upper = evidence["sws_change"]["night 1"]["high"]
    assert evidence["model_verdict"] == ("no deep-sleep gain predicted" if upper < model_evidence.SWS_GAIN_POINTS
                                         else "a deep-sleep gain is within the interval")


def test_a_stated_dose_is_the_one_the_sleep_bridge_simulates() -> None:
    five = model_evidence.evidence_for("sleep_architecture", "5 g of kratom improves your sleep architecture")
    two = model_evidence.evidence_for("deep_sleep", "kratom deepens sleep")
    assert five is not None and two is not None
    assert five["scenario"]["dose"] == "5g" and two["scenario"]["dose"] == "2g"
    # more drug, more mu stimulus: the predicted SWS change is at least as negative at 5 g as at 2 g
    assert five["sws_change"]["night 1"]["median"] <= two["sws_change"]["night 1"]["median"]


def test_one_simulation_per_scenario_however_many_sentences(monkeypatch: pytest.MonkeyPatch) -> None:
    """Model evidence simulates each scenario once per process, not once per matching sentence."""
    calls: list[str] = []
    real = model_evidence.night_assembly.assemble_night

    def counting(plan: NightPlan, *args: object) -> object:
        calls.append(plan.request.dose)
        return real(plan, *args)

    monkeypatch.setattr(model_evidence.night_assembly, "assemble_night", counting)
    model_evidence.simulate_wake_up.cache_clear()
    try:
        report = audit_text("Kratom wears off by morning. Kratom leaves your system by morning. "
                            "There is no kratom hangover. 4 grams of kratom wear off by morning.")
        assert sum(m.claim_id == "no_next_day_effects" for m in report.claims) >= 3
        assert calls and sorted(calls) == sorted(set(calls)) and set(calls) <= {"2g", "4g"}
    finally:
        model_evidence.simulate_wake_up.cache_clear()
