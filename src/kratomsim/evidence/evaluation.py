"""Scoring the claim audit against a labelled set of sentences.

Shared by ``benchmarks/audit.py`` and the tests so both measure the same thing. Each labelled
sentence is audited on its own, as if it came from a text about kratom.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from kratomsim.evidence.audit import audit_sentences


@dataclass(frozen=True)
class Scores:
    """Claim-matching precision and recall, and the accuracy of what is reported for true matches."""

    n: int
    labelled_claims: int
    predicted_claims: int
    correct_claims: int
    precision: float
    recall: float
    verdict_accuracy: float
    negation_accuracy: float
    hedge_accuracy: float
    errors: tuple[dict[str, Any], ...] = ()

    def summary(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if k != "errors"}


def _ratio(num: int, den: int) -> float:
    return num / den if den else float("nan")


def score(items: Iterable[Mapping[str, Any]]) -> Scores:
    """Audit every item's ``text`` and compare with its labels (claim_id, verdict, negated, hedged)."""
    rows = list(items)
    texts = [str(r["text"]) for r in rows]
    report = audit_sentences(texts, about_kratom=True)
    by_sentence = {m.sentence: m for m in report.claims}
    predicted = correct = verdict_ok = negation_ok = hedge_ok = 0
    errors: list[dict[str, Any]] = []
    for row, text in zip(rows, texts, strict=True):
        match = by_sentence.get(text)
        expected = row.get("claim_id")
        got = match.claim_id if match else None
        if got is not None:
            predicted += 1
        if got is not None and got == expected:
            correct += 1
            assert match is not None
            verdict_ok += match.verdict == row.get("verdict")
            negation_ok += match.negated == bool(row.get("negated"))
            hedge_ok += match.hedged == bool(row.get("hedged"))
            if match.verdict != row.get("verdict"):
                errors.append({"kind": "verdict", "text": text, "expected": row.get("verdict"),
                               "got": match.verdict})
        elif got != expected:
            errors.append({"kind": "claim", "text": text, "expected": expected, "got": got,
                           "similarity": match.similarity if match else None})
    labelled = sum(1 for r in rows if r.get("claim_id"))
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
        errors=tuple(errors),
    )
