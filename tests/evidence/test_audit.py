"""The audit: JSON shape, input limits, the CLI, and accuracy on the labelled evaluation set."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from kratomsim.cli import main
from kratomsim.errors import InputError
from kratomsim.evidence import audit_text, claims
from kratomsim.evidence.audit import MAX_BYTES, decode_input, split_sentences
from kratomsim.evidence.evaluation import score

EVAL_FILE = Path(__file__).resolve().parents[1] / "data" / "audit_eval.yaml"
PROMO = (
    "Our red kratom is the natural way to fall asleep fast. Kratom's alkaloids guide you into deep, "
    "restorative sleep. Kratom is completely non-addictive. Kratom does NOT cause dependence, some "
    "vendors claim. Kratom grows in Southeast Asia. Kratom can cause constipation at high doses."
)


@pytest.fixture(scope="session")
def eval_items() -> list[dict]:
    return yaml.safe_load(EVAL_FILE.read_text(encoding="utf-8"))["items"]


@pytest.fixture(scope="session")
def promo_report() -> dict:
    return audit_text(PROMO).to_dict()


def test_json_keys(promo_report: dict) -> None:
    assert {"claims", "not_in_catalog"} <= set(promo_report)
    assert promo_report["claims"], "the promotional text makes catalog claims"
    for item in promo_report["claims"]:
        assert {"sentence", "claim_id", "verdict", "similarity", "sources", "negated", "hedged"} <= set(item)
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
    denied = audit_text("Kratom is addictive and can cause withdrawal.").claims
    assert denied and denied[0].claim_id == "no_dependence"
    assert denied[0].negated and denied[0].verdict == "supported"
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
    assert len(eval_items) >= 150
    assert {i["style"] for i in eval_items} == {"promotional", "neutral", "cautionary", "clinical"}
    assert sum(i["negated"] for i in eval_items) >= 20
    assert sum(i["hedged"] for i in eval_items) >= 20
    assert {i["claim_id"] for i in eval_items if i["claim_id"]} <= set(claims())


def _norm(text: str) -> str:
    return " ".join("".join(ch for ch in text.lower() if ch.isalnum() or ch.isspace()).split())


def test_no_verbatim_overlap_between_catalog_and_eval(eval_items: list[dict]) -> None:
    catalog_texts = {_norm(t) for c in claims().values() for t in c.examples}
    overlap = [i["text"] for i in eval_items if _norm(i["text"]) in catalog_texts]
    assert overlap == []


def test_eval_precision_and_recall(eval_items: list[dict]) -> None:
    scores = score(eval_items)
    assert scores.precision >= 0.9, scores.summary()
    assert scores.recall >= 0.8, scores.summary()
    assert scores.verdict_accuracy >= 0.9, scores.summary()
    held_out = score([i for i in eval_items if i["split"] == "test"])
    assert held_out.precision >= 0.9 and held_out.recall >= 0.8, held_out.summary()
