"""The evidence base and claim catalog as typed, validated objects.

Reads ``data/evidence/*.yaml`` (cited study summaries) and ``data/evidence/claims.yaml`` (what
people claim about kratom and sleep, with a verdict). Loading checks that every claim rests on
known studies and every study names a known reference, so a typo fails at load time rather than
in a report.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from typing import Any, Literal

from kratomsim.datafiles import Reference, data_file_names, references
from kratomsim.evidence_data import evidence_file

Verdict = Literal["supported", "mixed", "unsupported", "contradicted", "not graded"]
VERDICTS: tuple[Verdict, ...] = ("supported", "mixed", "unsupported", "contradicted", "not graded")
GRADINGS = ("fact", "dosing_advice")
"""A ``dosing_advice`` claim is flagged as advice, never graded as a fact (its verdict is "not graded")."""
EVIDENCE_DIR = "evidence/"
CLAIMS_FILE = "evidence/claims.yaml"


@dataclass(frozen=True)
class Study:
    """One cited study (or regulatory action), summarised in the project's own words."""

    key: str
    title: str
    source: str
    where: str
    topic: str
    design: str
    effect: str
    n: int | None = None
    population: str = ""
    outcome: str = ""
    limitations: str = ""
    night_note: str = ""
    date: str = ""
    results: tuple[dict[str, Any], ...] = ()
    file: str = ""

    @property
    def reference(self) -> Reference:
        return references()[self.source]


@dataclass(frozen=True)
class Claim:
    """A claim people make about kratom and sleep, with the project's verdict on it."""

    id: str
    statement: str
    polarity: Literal["affirmative", "negative"]
    focus: tuple[str, ...]
    negation_focus: tuple[str, ...]
    paraphrases: tuple[str, ...]
    verdict: Verdict
    evidence_kind: Literal["direct", "indirect", "model"]
    rationale: str
    evidence: tuple[str, ...]
    near_misses: tuple[str, ...] = ()
    asserts: str = ""
    """What a sentence affirming the statement asserts, in plain words ("kratom is not addictive")."""
    opposite: str = ""
    """What a sentence denying the statement asserts ("kratom can be addictive")."""
    inverse_focus: tuple[str, ...] = ()
    """Stems that deny the statement without a negation word ("dangerous" for "safe to combine",
    "wears off" for "no next-day effects"); negated, they affirm it ("no problem")."""
    grading: str = "fact"
    requires: tuple[str, ...] = ()
    """Stems of which a text must also mention one, besides a focus stem (empty: no such gate):
    "safe to combine" needs a word of combining, "safer than" a word of comparison."""
    excludes: tuple[str, ...] = ()
    """Stems that rule the claim out for a text ("fall asleep" is not matched in a text about
    withdrawal insomnia, where it is a symptom)."""
    """Texts close to the claim that do not make it (an FDA warning is not an FDA approval): a
    sentence closer to one of these than to the claim's examples does not match the claim."""

    @property
    def examples(self) -> tuple[str, ...]:
        """The texts a sentence is compared with: the statement first, then the paraphrases."""
        return (self.statement, *self.paraphrases)


@dataclass(frozen=True)
class EvidenceNote:
    """A short cited statement for the night report."""

    text: str
    study: str
    sources: tuple[str, ...] = field(default_factory=tuple)

    def to_dict(self) -> dict[str, Any]:
        return {"text": self.text, "study": self.study, "sources": list(self.sources)}


def _text(raw: Any) -> str:
    return " ".join(str(raw or "").split())


def _n(raw: Any) -> int | None:
    if isinstance(raw, dict):
        raw = raw.get("value")
    return int(raw) if isinstance(raw, int | float) and not isinstance(raw, bool) else None


@cache
def studies() -> dict[str, Study]:
    """Every study in the evidence files, keyed (cached)."""
    found: dict[str, Study] = {}
    refs = references()
    for name in data_file_names():
        if not name.startswith(EVIDENCE_DIR) or name == CLAIMS_FILE:
            continue
        for key, raw in (evidence_file(name).get("studies") or {}).items():
            if key in found:
                raise ValueError(f"study key {key!r} appears in two evidence files")
            if raw.get("source") not in refs:
                raise ValueError(f"study {key!r} in data/{name} names unknown source {raw.get('source')!r}")
            found[key] = Study(
                key=key,
                title=_text(raw.get("title")),
                source=str(raw["source"]),
                where=_text(raw.get("where")),
                topic=_text(raw.get("topic")),
                design=_text(raw.get("design")),
                effect=_text(raw.get("effect")),
                n=_n(raw.get("n")),
                population=_text(raw.get("population")),
                outcome=_text(raw.get("outcome")),
                limitations=_text(raw.get("limitations")),
                night_note=_text(raw.get("night_note")),
                date=_text(raw.get("date")),
                results=tuple(raw.get("results") or ()),
                file=name,
            )
    return found


@cache
def claims() -> dict[str, Claim]:
    """The claim catalog, keyed by claim id, in file order (cached)."""
    known = studies()
    catalog: dict[str, Claim] = {}
    for cid, raw in (evidence_file(CLAIMS_FILE).get("claims") or {}).items():
        verdict = raw.get("verdict")
        grading = str(raw.get("grading", "fact"))
        if grading not in GRADINGS:
            raise ValueError(f"claim {cid!r} has grading {grading!r}; expected one of {', '.join(GRADINGS)}")
        if verdict not in VERDICTS or (verdict == "not graded") != (grading == "dosing_advice"):
            raise ValueError(f"claim {cid!r} has verdict {verdict!r}; a fact takes one of "
                             f"{', '.join(VERDICTS[:-1])}, dosing advice takes 'not graded'")
        evidence = tuple(raw.get("evidence") or ())
        missing = [e for e in evidence if e not in known]
        if not evidence or missing:
            raise ValueError(f"claim {cid!r} rests on unknown or no evidence keys: {missing}")
        catalog[cid] = Claim(
            id=cid,
            statement=_text(raw["statement"]),
            polarity=raw.get("polarity", "affirmative"),
            focus=tuple(str(f).lower() for f in raw.get("focus") or ()),
            negation_focus=tuple(str(f).lower() for f in raw.get("negation_focus") or raw.get("focus") or ()),
            paraphrases=tuple(_text(p) for p in raw.get("paraphrases") or ()),
            verdict=verdict,
            evidence_kind=raw.get("evidence_kind", "direct"),
            rationale=_text(raw.get("rationale")),
            evidence=evidence,
            near_misses=tuple(_text(p) for p in raw.get("near_misses") or ()),
            asserts=_text(raw.get("asserts")) or _text(raw["statement"]),
            opposite=_text(raw.get("opposite")) or f"not: {_text(raw['statement'])}",
            inverse_focus=tuple(str(f).lower() for f in raw.get("inverse_focus") or ()),
            grading=grading,
            requires=tuple(str(f).lower() for f in raw.get("requires") or ()),
            excludes=tuple(str(f).lower() for f in raw.get("excludes") or ()),
        )
    return catalog


def source_label(key: str) -> str:
    """A compact citation handle: the reference key and its DOI, PMID or label."""
    ref = references()[key]
    ident = f"doi:{ref.doi}" if ref.doi else f"PMID {ref.pmid}" if ref.pmid else str(ref.label)
    return f"{key} ({ident})"


def claim_sources(claim: Claim) -> list[str]:
    """The references behind a claim's evidence, in order, without repeats."""
    keys: list[str] = []
    for study_key in claim.evidence:
        src = studies()[study_key].source
        if src not in keys:
            keys.append(src)
    return keys


def night_evidence() -> list[EvidenceNote]:
    """Evidence bearing on nightly use, as short cited statements for the night report.

    Taken from the ``night_note`` of each study, in the order of the evidence files (direct kratom
    evidence first, then opioid sleep studies, dependence, safety).
    """
    order = ["evidence/sleep.yaml", "evidence/opioid_sleep.yaml", "evidence/dependence.yaml",
             "evidence/pharmacology.yaml"]
    notes = [s for s in studies().values() if s.night_note]
    notes.sort(key=lambda s: order.index(s.file) if s.file in order else len(order))
    return [EvidenceNote(text=s.night_note, study=s.key, sources=(source_label(s.source),)) for s in notes]
