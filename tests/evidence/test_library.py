"""The evidence base and claim catalog load, and every number and claim is traceable to a source."""

from __future__ import annotations

import pytest

from kratomsim.datafiles import data_file_names, load_data_file, references, uncited_numbers
from kratomsim.evidence import claims, night_evidence, studies
from kratomsim.evidence.library import VERDICTS, claim_sources

EVIDENCE_FILES = [n for n in data_file_names() if n.startswith("evidence/")]
REQUIRED_CLAIMS = {
    "falls_asleep", "deep_sleep", "sleep_architecture", "no_dependence", "safer_than_opioids",
    "not_opioid", "red_strains_sedating", "relieves_pain", "calms_anxiety", "stimulant_helps_sleep",
    "no_withdrawal", "binds_opioid_receptors", "no_next_day_effects", "safe_with_sleep_meds", "fda_approved",
    "dosing_advice",
}


def test_evidence_files_are_shipped() -> None:
    assert {"evidence/claims.yaml", "evidence/sleep.yaml", "evidence/opioid_sleep.yaml",
            "evidence/dependence.yaml", "evidence/strains.yaml", "evidence/regulatory.yaml"} <= set(EVIDENCE_FILES)


@pytest.mark.parametrize("name", EVIDENCE_FILES)
def test_every_number_is_cited(name: str) -> None:
    content = load_data_file(name)
    assert next(iter(content)) == "references", "each file starts with its references"
    assert uncited_numbers(content) == []


@pytest.mark.parametrize("name", EVIDENCE_FILES)
def test_every_reference_has_an_identifier(name: str) -> None:
    for key, ref in load_data_file(name)["references"].items():
        assert ref.get("citation"), key
        assert ref.get("doi") or ref.get("pmid") or ref.get("label"), key
        if not (ref.get("doi") or ref.get("pmid")):
            notices = load_data_file("evidence/regulatory.yaml")["references"]
            assert key in notices, f"{key}: only government notices may lack a DOI/PMID"


def test_studies_are_complete() -> None:
    found = studies()
    assert len(found) >= 20
    for key, study in found.items():
        assert study.source in references(), key
        assert study.design and study.effect and study.where, key
        if study.topic != "regulatory" and study.topic != "receptor_pharmacology":
            assert study.n is not None and study.n > 0, f"{key} has no sample size"


def test_catalog_covers_the_required_claims() -> None:
    catalog = claims()
    assert set(catalog) >= REQUIRED_CLAIMS
    for cid, claim in catalog.items():
        assert claim.verdict in VERDICTS
        assert len(claim.paraphrases) >= 4, cid
        assert claim.rationale and claim.focus, cid
        assert all(key in studies() for key in claim.evidence), cid
        assert claim_sources(claim), cid


def test_known_verdicts() -> None:
    catalog = claims()
    assert catalog["no_dependence"].verdict == "contradicted"
    assert catalog["not_opioid"].verdict == "contradicted"
    assert catalog["red_strains_sedating"].verdict == "unsupported"
    assert catalog["no_dependence"].polarity == "negative"
    assert catalog["binds_opioid_receptors"].verdict == "supported"
    assert catalog["no_withdrawal"].verdict == "contradicted"
    assert catalog["dosing_advice"].verdict == "not graded" and catalog["dosing_advice"].grading == "dosing_advice"
    assert "alcohol" in catalog["safe_with_sleep_meds"].focus


def test_every_claim_says_what_a_sentence_asserts() -> None:
    for cid, claim in claims().items():
        assert claim.asserts and claim.opposite, cid
        if claim.grading == "fact":
            assert claim.asserts != claim.opposite, cid


def test_night_evidence_is_cited() -> None:
    notes = night_evidence()
    assert len(notes) >= 5
    assert notes[0].study == "ema_bedtime_2025"
    topics = {studies()[n.study].topic for n in notes}
    assert {"opioid_sleep_architecture", "withdrawal_sleep", "dependence"} <= topics
    for note in notes:
        assert note.text and note.sources
        assert note.to_dict()["sources"] == list(note.sources)
