"""Scoring the claim audit against a labelled set of sentences.

Shared by ``benchmarks/audit.py`` and the tests so both measure the same thing. Each labelled
sentence is audited on its own, as if it came from a text about kratom.

An item is labelled either the original way, with one ``claim_id`` (``null`` when the sentence
makes no catalog claim) and its ``verdict``, ``negated`` and ``hedged``, or with ``claims``: a list
of such labels, one per claim the sentence makes (empty when it makes none). Precision and recall
are counted over (sentence, claim) pairs: a reported claim is correct when the sentence is labelled
with it; a labelled claim is found when the audit reports it for that sentence.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from kratomsim.evidence.audit import ClaimMatch, audit_sentences


@dataclass(frozen=True)
class Label:
    """One claim a labelled sentence makes, with what the audit should report for it."""

    claim_id: str
    verdict: str | None
    negated: bool
    hedged: bool


def item_labels(item: Mapping[str, Any]) -> list[Label]:
    """The claims an evaluation item is labelled with (new ``claims`` list or old single label)."""
    if "claims" in item:
        raw = list(item.get("claims") or ())
    elif item.get("claim_id"):
        raw = [item]
    else:
        raw = []
    return [Label(claim_id=str(r["claim_id"]), verdict=r.get("verdict"), negated=bool(r.get("negated")),
                  hedged=bool(r.get("hedged"))) for r in raw]


@dataclass(frozen=True)
class Scores:
    """Claim-matching precision and recall over (sentence, claim) pairs, and the accuracy of what is
    reported for correct pairs."""

    n: int
    labelled_claims: int
    predicted_claims: int
    correct_claims: int
    precision: float
    recall: float
    verdict_accuracy: float
    negation_accuracy: float
    hedge_accuracy: float
    exact_sentences: float
    errors: tuple[dict[str, Any], ...] = ()

    def summary(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if k != "errors"}


def _ratio(num: int, den: int) -> float:
    return num / den if den else float("nan")


def score(items: Iterable[Mapping[str, Any]]) -> Scores:
    """Audit every item's ``text`` and compare the claims reported with its labels."""
    rows = list(items)
    texts = [str(r["text"]) for r in rows]
    report = audit_sentences(texts, about_kratom=True)
    by_sentence: dict[str, dict[str, ClaimMatch]] = {}
    for match in report.claims:
        by_sentence.setdefault(match.sentence, {})[match.claim_id] = match
    labelled = predicted = correct = verdict_ok = negation_ok = hedge_ok = exact = 0
    errors: list[dict[str, Any]] = []
    for row, text in zip(rows, texts, strict=True):
        expected = {label.claim_id: label for label in item_labels(row)}
        got = by_sentence.get(text, {})
        labelled += len(expected)
        predicted += len(got)
        exact += set(expected) == set(got)
        for cid, match in got.items():
            label = expected.get(cid)
            if label is None:
                errors.append({"kind": "false match", "text": text, "got": cid, "clause": match.clause,
                               "similarity": match.similarity, "expected": sorted(expected)})
                continue
            correct += 1
            verdict_ok += match.verdict == label.verdict
            negation_ok += match.negated == label.negated
            hedge_ok += match.hedged == label.hedged
            if match.verdict != label.verdict:
                errors.append({"kind": "verdict", "text": text, "claim": cid, "expected": label.verdict,
                               "got": match.verdict})
        for cid in expected:
            if cid not in got:
                errors.append({"kind": "missed", "text": text, "expected": cid, "got": sorted(got)})
    return Scores(
        n=len(rows),
        labelled_claims=labelled,
        predicted_claims=predicted,
        correct_claims=correct,
        precision=_ratio(correct, predicted),
        recall=_ratio(correct, labelled),
        verdict_accuracy=_ratio(verdict_ok, correct),
        negation_accuracy=_ratio(negation_ok, correct),
        hedge_accuracy=_ratio(hedge_ok, correct),
        exact_sentences=_ratio(exact, len(rows)),
        errors=tuple(errors),
    )
