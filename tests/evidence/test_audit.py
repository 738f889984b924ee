"""The audit: JSON shape, input limits, the CLI, and accuracy on the labelled evaluation set."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from kratomsim.cli import main
from kratomsim.datafiles import references
from kratomsim.errors import InputError
from kratomsim.evidence import audit as audit_module
from kratomsim.evidence import audit_text, claims
from kratomsim.evidence.audit import (
    MAX_BYTES,
    AuditReport,
    audit_sentences,
    decode_input,
    split_clauses,
    split_sentences,
)
from kratomsim.evidence.evaluation import item_labels, score

EVAL_FILE = Path(__file__).resolve().parents[1] / "data" / "audit_eval.yaml"
TRAIN_FILE = Path(__file__).resolve().parent / "audit_train.yaml"
PROMO = (
    "Our red kratom is the natural way to fall asleep fast. Kratom's alkaloids guide you into deep, "
    "restorative sleep. Kratom is completely non-addictive. Kratom does NOT cause dependence, some "
    "vendors claim. Kratom grows in Southeast Asia. Kratom can cause constipation at high doses."
)


@pytest.fixture(scope="session")
def eval_items() -> list[dict]:
    return yaml.safe_load(EVAL_FILE.read_text(encoding="utf-8"))["items"]


@pytest.fixture(scope="session")
def promo_audit() -> AuditReport:
    return audit_text(PROMO)


@pytest.fixture(scope="session")
def promo_report(promo_audit: AuditReport) -> dict:
    return promo_audit.to_dict()


def test_frame_one_row_per_matched_claim(promo_audit: AuditReport, promo_report: dict) -> None:
    frame = promo_audit.to_frame()
    assert list(frame.columns) == list(audit_module.FRAME_COLUMNS)
    assert len(frame) == len(promo_report["claims"]) > 0
    assert list(frame.claim_id) == [c["claim_id"] for c in promo_report["claims"]]
    assert list(frame.verdict) == [c["verdict"] for c in promo_report["claims"]]
    assert audit_text("Does kratom help you sleep?").to_frame().shape == (0, len(audit_module.FRAME_COLUMNS))


def test_sources_merge_the_matched_claims_references(promo_audit: AuditReport, promo_report: dict) -> None:
    refs = references()
    assert promo_audit.sources and list(promo_audit.sources) == sorted(set(promo_audit.sources))
    assert all(key in refs for key in promo_audit.sources)
    assert list(promo_report["references"]) == list(promo_audit.sources)
    for match in promo_audit.claims:  # each claim's own sources are among them (the label starts with the key)
        assert {s.split(" ")[0] for s in match.sources} <= set(promo_audit.sources)
    per_row = {k for cell in promo_audit.to_frame().sources for k in cell.split("; ")}
    assert per_row == set(promo_audit.sources)


def test_json_keys(promo_report: dict) -> None:
    assert {"claims", "not_in_catalog"} <= set(promo_report)
    assert promo_report["claims"], "the promotional text makes catalog claims"
    for item in promo_report["claims"]:
        assert {"sentence", "claim_id", "verdict", "similarity", "sources", "negated", "hedged",
                "clause"} <= set(item)
        assert item["clause"] and item["clause"].rstrip(".") in item["sentence"]
        assert item["claim_id"] in claims()
        assert 0.0 <= item["similarity"] <= 1.0
        assert item["sources"]
    json.dumps(promo_report)


def test_promotional_claims_are_graded(promo_report: dict) -> None:
    by_id = {c["claim_id"]: c for c in promo_report["claims"]}
    assert by_id["deep_sleep"]["verdict"] == "contradicted"
    assert "Kratom grows in Southeast Asia." not in promo_report["not_in_catalog"]
    assert any("constipation" in s for s in promo_report["not_in_catalog"])
    dependence = [c for c in promo_report["claims"] if c["claim_id"] == "no_dependence"]
    assert dependence and all(c["verdict"] == "contradicted" for c in dependence)
    assert any(c["hedged"] for c in dependence)


def test_negation_flips_the_verdict() -> None:
    denied = {m.claim_id: m for m in audit_text("Kratom is addictive and can cause withdrawal.").claims}
    assert denied["no_dependence"].negated and denied["no_dependence"].verdict == "supported"
    assert denied["no_dependence"].verdict_text == "asserts kratom can be addictive: supported"
    asserted = audit_text("Kratom will not give you deep, restorative sleep.").claims
    assert asserted and asserted[0].claim_id == "deep_sleep" and asserted[0].verdict == "supported"


def test_questions_are_not_claims() -> None:
    report = audit_text("Does kratom help you sleep?")
    assert report.claims == [] and report.not_in_catalog == []


@pytest.mark.parametrize("bad", [b"", b"   \n", "", b"abc\x00def", b"\xff\xfe\xfa", "a\x00b", b"x" * (MAX_BYTES + 1)])
def test_bad_input_raises_input_error(bad: bytes | str) -> None:
    with pytest.raises(InputError) as err:
        audit_text(bad)
    assert "\n" not in str(err.value)


@settings(max_examples=60, deadline=None)
@given(st.binary(max_size=200))
def test_decode_never_fails_uncontrolled(data: bytes) -> None:
    try:
        text = decode_input(data)
    except InputError:
        return
    assert text.strip()


@given(st.lists(st.sampled_from(["Kratom helps.", "It is safe!", "Red vein calms?", "No."]), min_size=1, max_size=8))
def test_sentence_split_keeps_every_word(parts: list[str]) -> None:
    text = " ".join(parts)
    assert " ".join(split_sentences(text)).split() == text.split()


def _run_cli(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as exit_info:
        main(args)
        raise SystemExit(0)
    out, err = capsys.readouterr()
    return int(exit_info.value.code or 0), out, err


@pytest.mark.parametrize(
    ("content", "fragment"),
    [(b"", "empty"), (b"kratom\x00\x01\x02", "binary"), (b"k" * (MAX_BYTES + 1), "1 MB")],
)
def test_cli_bad_input_exits_2_with_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: bytes, fragment: str
) -> None:
    path = tmp_path / "input.txt"
    path.write_bytes(content)
    code, _, err = _run_cli(["audit", str(path)], capsys)
    assert code == 2
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error:") and fragment in lines[0]


def test_cli_missing_file_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = _run_cli(["audit", str(tmp_path / "nope.txt")], capsys)
    assert code == 2 and len(err.strip().splitlines()) == 1


def test_cli_json_and_html(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "article.txt"
    path.write_text(PROMO, encoding="utf-8")
    html = tmp_path / "report.html"
    code, out, _ = _run_cli(["audit", str(path), "--json", "--html", str(html)], capsys)
    assert code == 0
    payload = json.loads(out)
    assert payload["claims"] and "not_in_catalog" in payload
    page = html.read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>")
    assert "http://" not in page and "https://" not in page and "<script" not in page


def test_eval_set_is_large_and_varied(eval_items: list[dict]) -> None:
    assert len(eval_items) >= 450
    assert {i["style"] for i in eval_items} >= {"promotional", "news", "forum", "clinical"}
    labels = [label for i in eval_items for label in item_labels(i)]
    assert sum(label.negated for label in labels) >= 60
    assert sum(label.hedged for label in labels) >= 30
    assert sum(len(item_labels(i)) >= 2 for i in eval_items) >= 50
    assert {label.claim_id for label in labels} <= set(claims())
    texts = [i["text"] for i in eval_items]
    assert len(texts) == len(set(texts)), "every evaluation sentence is unique"


def _in_test_split(text: str) -> bool:
    return int(hashlib.sha256(text.encode("utf-8")).hexdigest()[:8], 16) % 10 < 8


def test_test_split_follows_its_fixed_rule(eval_items: list[dict]) -> None:
    """The untouched split is chosen by a hash of the text (see the file's header), not by hand."""
    for item in eval_items:
        expected = item["batch"] == 2 and "source" not in item and _in_test_split(item["text"])
        assert item["split"] == ("test" if expected else "dev"), item["text"]
    test = [i for i in eval_items if i["split"] == "test"]
    assert 0.35 <= len(test) / len(eval_items) <= 0.45
    assert {i["style"] for i in test} == {"promotional", "news", "forum", "clinical"}


def _norm(text: str) -> str:
    return " ".join("".join(ch for ch in text.lower() if ch.isalnum() or ch.isspace()).split())


def _jaccard(a: str, b: str) -> float:
    x, y = set(_norm(a).split()), set(_norm(b).split())
    return len(x & y) / len(x | y)


def test_no_verbatim_overlap_between_catalog_and_eval(eval_items: list[dict]) -> None:
    catalog_texts = {_norm(t) for c in claims().values() for t in (*c.examples, *c.near_misses)}
    overlap = [i["text"] for i in eval_items if _norm(i["text"]) in catalog_texts]
    assert overlap == []


def test_catalog_texts_are_not_near_copies_of_eval(eval_items: list[dict]) -> None:
    """Beyond verbatim: no catalog example shares most of its words with an evaluation sentence, and
    near misses (written with this version) share less still."""
    for claim in claims().values():
        for text in claim.examples:
            assert max(_jaccard(text, i["text"]) for i in eval_items) < 0.7, text
        for text in claim.near_misses:
            assert max(_jaccard(text, i["text"]) for i in eval_items) < 0.5, text


def test_catalog_examples_match_and_near_misses_do_not() -> None:
    for claim in claims().values():
        report = audit_sentences(list(claim.examples))
        matched = {m.sentence for m in report.claims if m.claim_id == claim.id}
        assert matched == set(claim.examples), claim.id
        report = audit_sentences(list(claim.near_misses))
        assert [m.sentence for m in report.claims if m.claim_id == claim.id] == [], claim.id


@pytest.mark.parametrize(
    ("sentence", "clauses"),
    [
        ("Unlike sleeping pills, kratom is completely non-addictive, and it is not an opioid.", 2),
        ("Kratom relieves pain and lets you sleep.", 1),
        ("My back pain kept me up, but kratom lets me sleep.", 1),
        ("Kratom is not an opioid; it eases pain at night.", 2),
        ("Red vein strains are the most sedating, while white veins are for daytime energy.", 2),
        ("Kratom is non-addictive and safe.", 1),
    ],
)
def test_split_clauses(sentence: str, clauses: int) -> None:
    parts = split_clauses(sentence)
    assert len(parts) == clauses
    assert all(p.rstrip(".") in sentence for p in parts)


def test_every_claim_of_a_sentence_is_reported() -> None:
    sentence = "Unlike sleeping pills, kratom is completely non-addictive, and it is not an opioid."
    found = {m.claim_id: m for m in audit_text(sentence).claims}
    assert set(found) == {"no_dependence", "not_opioid"}
    assert all(m.verdict == "contradicted" and not m.negated for m in found.values())
    assert found["not_opioid"].clause.startswith("it is not an opioid")


def test_negation_and_hedging_are_read_per_clause() -> None:
    found = {m.claim_id: m for m in audit_text("Kratom helps you fall asleep, but it is addictive.").claims}
    assert not found["falls_asleep"].negated and found["falls_asleep"].verdict == "mixed"
    assert found["no_dependence"].negated and found["no_dependence"].verdict == "supported"
    found = {m.claim_id: m for m in audit_text("Kratom is not an opioid; it may ease pain at night.").claims}
    assert not found["not_opioid"].hedged and found["relieves_pain"].hedged
    found = {m.claim_id: m for m in audit_text(
        "Vendors claim kratom is non-addictive, and that it is not an opioid.").claims}
    assert found["no_dependence"].hedged and found["not_opioid"].hedged


def test_near_neighbours_outside_the_catalog_do_not_match() -> None:
    report = audit_sentences(["The FDA issued a warning about kratom products last year.",
                              "Kratom smoothies are easy to mix at home."])
    assert report.claims == []


def test_eval_precision_and_recall(eval_items: list[dict]) -> None:
    """Guards the level measured (docs/evidence.md, second round): dev precision 0.930, recall 0.894;
    training sentences 0.935, 0.886; untouched test split 0.940, 0.891 (targets 0.9 and 0.85)."""
    dev = score([i for i in eval_items if i["split"] == "dev"])
    assert dev.precision >= 0.91 and dev.recall >= 0.87 and dev.verdict_accuracy >= 0.95, dev.summary()
    train = score(yaml.safe_load(TRAIN_FILE.read_text(encoding="utf-8"))["items"])
    assert train.precision >= 0.91 and train.recall >= 0.86 and train.verdict_accuracy >= 0.95, train.summary()
    test = score([i for i in eval_items if i["split"] == "test"])
    assert test.precision >= 0.92 and test.recall >= 0.87 and test.verdict_accuracy >= 0.95, test.summary()


def test_training_sentences_never_join_the_test_split(eval_items: list[dict]) -> None:
    """The training batch's rule (written in its file before it was scored): all train, none in the eval file."""
    train = yaml.safe_load(TRAIN_FILE.read_text(encoding="utf-8"))["items"]
    assert train and all(i["split"] == "train" for i in train)
    assert not {i["text"] for i in train} & {i["text"] for i in eval_items}


def test_lazy_embedding_gives_the_report_of_embedding_every_unit(eval_items: list[dict],
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    """The audit embeds only the units its decision looks at; embedding all of them changes nothing."""
    sentences = [str(i["text"]) for i in eval_items if i["split"] == "dev"]
    lazy = audit_module.audit_sentences(sentences)

    def everything(store: audit_module._LazyScores, index_of: list[list[int]], *_: object) -> None:
        store.fill([i for idx in index_of for i in idx])

    monkeypatch.setattr(audit_module, "_score_needed", everything)
    eager = audit_module.audit_sentences(sentences)
    assert lazy == eager and len(lazy.claims) > 100
