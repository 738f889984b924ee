"""Audit a text's claims about kratom and sleep against the claim catalog.

The pipeline is deliberately simple and inspectable:

1. split the text into sentences (:mod:`kratomsim.evidence.clauses`);
2. keep the *check-worthy* ones: assertions (not questions) that name kratom (or, in a text about
   kratom, refer back to it) and touch its effects, safety, pharmacology or dose, found by cue
   words; a sentence very close to a catalog claim is kept even without cue words;
3. cut each sentence into independent clauses, and each clause into coordinated fragments
   ("non-addictive and has no withdrawal symptoms"), so one clause can carry several claims;
4. embed every unit (sentence, clause, fragment) and every catalog example and near miss with the
   bundled sentence model, and take, per claim, the best cosine similarity to its examples and to
   its near misses;
5. a unit matches the best claim that reaches :data:`MATCH_THRESHOLD` (fragments:
   :data:`FRAGMENT_THRESHOLD`), is closer to the claim's examples than to its near misses (by
   :data:`NEAR_MISS_MARGIN`) and, below :data:`STRONG_MATCH`, leads the next claim by
   :data:`SECOND_BEST_MARGIN`; every distinct claim of a sentence is reported once;
6. dose instructions ("take 5 grams an hour before bed") are found by rule and flagged as dosing
   advice, never graded;
7. polarity and hedging are read from the matched clause (:mod:`kratomsim.evidence.polarity`);
   the verdict is the verdict on what the sentence *asserts*, and says so in words
   ("asserts kratom is not addictive: contradicted");
8. claims about next-day effects carry kratomsim's own simulation of the scenario as evidence
   (:mod:`kratomsim.evidence.model_evidence`);
9. check-worthy sentences and clauses that match nothing are listed as ``unmatched``, never dropped.

It is a pure function of the text and the catalog: same input, same report.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from functools import cache
from typing import Any

import numpy as np
import pandas as pd

from kratomsim.datafiles import references
from kratomsim.errors import InputError
from kratomsim.evidence import embedding, model_evidence
from kratomsim.evidence.checkworthy import SCHEDULE, is_check_worthy, is_dosing_advice
from kratomsim.evidence.clauses import (
    _SUBJECT,
    embedding_text,
    fragment_text,
    split_clauses,
    split_fragments,
    split_sentences,
)
from kratomsim.evidence.library import Claim, Verdict, claim_sources, claims, source_label
from kratomsim.evidence.polarity import (
    FLIP,
    is_hedged,
    is_negated,
    mentions_focus,
    sentence_denies,
    stems_pattern,
    tokens,
)

__all__ = ["FLIP", "AuditReport", "ClaimMatch", "audit_sentences", "audit_text", "decode_input", "is_check_worthy",
           "is_dosing_advice", "is_hedged", "is_negated", "sentence_denies", "split_clauses", "split_sentences"]

MAX_BYTES = 1_000_000
"""Largest text accepted (1 MB, counted in UTF-8 bytes)."""

MATCH_THRESHOLD = 0.48
"""Best cosine similarity a sentence or clause needs to match a catalog claim (tuned on the dev split and the
training sentences: 0.55 -> 0.48 raised their recall from 0.870 to 0.880 at the same precision, 0.931)."""

FRAGMENT_THRESHOLD = 0.55
"""The same for a coordinated fragment of a clause, which is shorter and so matches more loosely."""

STRONG_MATCH = 0.72
"""Similarity at which a sentence is check-worthy even without cue words, and at which a match
stands even when a second claim is almost as close."""

SECOND_BEST_MARGIN = 0.02
"""How far the best eligible claim must lead the next one (below :data:`STRONG_MATCH`)."""

NEAR_MISS_MARGIN = 0.02
"""How much closer a text must be to a claim's examples than to its near misses."""

SECOND_CLAIM = 0.85
"""Similarity at which a second claim in the same fragment is reported too ("a safer alternative for
insomnia" is both a sleep claim and a safety claim); tuned on the dev split, where allowing it in
whole clauses cost more precision than it gained recall."""

FRAGMENTS_FIRST = True
"""Whether a clause whose fragments matched is not matched whole as well (tuned on the dev split)."""

DOSING = "dosing_advice"

FRAME_COLUMNS = ("sentence", "clause", "claim_id", "kind", "verdict", "catalog_verdict", "negated", "hedged",
                 "similarity", "sources")
"""The columns of :meth:`AuditReport.to_frame`, one row per matched claim."""

@dataclass(frozen=True)
class ClaimMatch:
    """One claim found in a check-worthy sentence, with the verdict on what the sentence asserts."""

    sentence: str
    claim_id: str
    verdict: Verdict
    similarity: float
    sources: list[str]
    negated: bool
    hedged: bool
    catalog_verdict: Verdict
    rationale: str
    clause: str = ""
    """The clause the claim was matched in (the whole sentence when it was matched whole)."""
    asserts: str = ""
    """What the sentence asserts, in plain words: the claim's statement, or its opposite when negated."""
    verdict_text: str = ""
    """The verdict as a line that cannot be misread: "asserts kratom is not addictive: contradicted"."""
    kind: str = "fact"
    """"fact" (graded) or "dosing_advice" (flagged, never graded)."""
    model_evidence: dict[str, Any] | None = None
    """For timing and next-day claims: kratomsim's own simulation of the scenario, quoted."""
    model_prediction: str = ""
    """For the deep-sleep and sleep-architecture claims: the sleep bridge's predicted slow-wave sleep change
    and direction for the scenario (the ``quote`` of :attr:`model_evidence`)."""


@dataclass(frozen=True)
class AuditReport:
    """The audit of one text: matched claims, and check-worthy sentences that match no claim."""

    claims: list[ClaimMatch] = field(default_factory=list)
    not_in_catalog: list[str] = field(default_factory=list)
    sentences: int = 0

    @property
    def unmatched(self) -> list[str]:
        """Check-worthy sentences or clauses that match no catalog claim (listed, never dropped)."""
        return self.not_in_catalog

    @property
    def sources(self) -> tuple[str, ...]:
        """Reference keys cited by the matched claims (a source reads "key (doi:...)"), merged and sorted."""
        return tuple(sorted({s.split(" ")[0] for m in self.claims for s in m.sources}))

    def to_dict(self) -> dict[str, Any]:
        """The JSON form: ``claims``, ``unmatched`` (also as ``not_in_catalog``) and the references."""
        refs = references()
        return {
            "claims": [asdict(m) for m in self.claims],
            "unmatched": list(self.not_in_catalog),
            "not_in_catalog": list(self.not_in_catalog),
            "sentences": self.sentences,
            "references": {key: refs[key].short() for key in self.sources},
        }

    def to_frame(self) -> pd.DataFrame:
        """One row per matched claim: where it was found, the verdict on what it asserts, and its sources."""
        rows = [{"sentence": m.sentence, "clause": m.clause, "claim_id": m.claim_id, "kind": m.kind,
                 "verdict": m.verdict, "catalog_verdict": m.catalog_verdict, "negated": m.negated,
                 "hedged": m.hedged, "similarity": m.similarity,
                 "sources": "; ".join(sorted({s.split(" ")[0] for s in m.sources}))} for m in self.claims]
        return pd.DataFrame(rows, columns=list(FRAME_COLUMNS))


def decode_input(data: bytes | str, origin: str = "input") -> str:
    """Check and decode a text: empty, binary or oversized input is an :class:`InputError`."""
    if isinstance(data, bytes):
        if len(data) > MAX_BYTES:
            raise InputError(f"{origin} is {len(data):,} bytes; the audit accepts text up to 1 MB")
        if b"\x00" in data:
            raise InputError(f"{origin} looks binary (NUL bytes); the audit accepts UTF-8 text")
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            raise InputError(f"{origin} is not valid UTF-8 text; the audit accepts UTF-8 text") from None
    else:
        text = data
        if "\x00" in text:
            raise InputError(f"{origin} looks binary (NUL characters); the audit accepts plain text")
        size = len(text.encode("utf-8", errors="surrogatepass"))
        if size > MAX_BYTES:
            raise InputError(f"{origin} is {size:,} bytes; the audit accepts text up to 1 MB")
    if not text.strip():
        raise InputError(f"{origin} is empty; give the text of an article or a claim to audit")
    return text


# ---------------------------------------------------------------------------------------------
# Matching


@dataclass(frozen=True)
class CatalogVectors:
    """Catalog embeddings: positive examples and near misses, each with the index of its claim."""

    claim_ids: tuple[str, ...]
    examples: np.ndarray
    example_owner: np.ndarray
    near_misses: np.ndarray
    near_miss_owner: np.ndarray


def _graded_claims() -> dict[str, Claim]:
    """The claims matched by embedding (dose instructions are found by rule instead)."""
    return {cid: c for cid, c in claims().items() if c.grading == "fact"}


def catalog_matrix() -> CatalogVectors:
    """Embeddings of every catalog example and near miss, cached per process and encoder."""
    return _catalog_matrix(embedding.generation())


@cache
def _catalog_matrix(generation: int) -> CatalogVectors:
    del generation  # the cache key: a new encoder means new vectors
    catalog = _graded_claims()
    texts: list[str] = []
    owners: list[int] = []
    misses: list[str] = []
    miss_owners: list[int] = []
    for index, claim in enumerate(catalog.values()):
        texts.extend(claim.examples)
        owners.extend([index] * len(claim.examples))
        misses.extend(claim.near_misses)
        miss_owners.extend([index] * len(claim.near_misses))
    vectors = embedding.encode(texts + misses)
    return CatalogVectors(
        claim_ids=tuple(catalog),
        examples=vectors[: len(texts)],
        example_owner=np.array(owners, dtype=int),
        near_misses=vectors[len(texts):],
        near_miss_owner=np.array(miss_owners, dtype=int),
    )


@dataclass(frozen=True)
class UnitScores:
    """For one sentence, clause or fragment: per claim, the best similarity to its examples (-1 when
    the text never mentions the claim's focus) and to its near misses (-1 when it has none)."""

    text: str
    positive: np.ndarray
    near_miss: np.ndarray


Progress = Callable[[int, int], None]
"""Called as ``progress(done, total)`` while units are embedded."""

_CHUNK = 256


def _encode(texts: list[str], progress: Progress | None) -> np.ndarray:
    if progress is None or len(texts) <= _CHUNK:
        out = embedding.encode(texts)
        if progress is not None:
            progress(len(texts), len(texts))
        return out
    parts = []
    for start in range(0, len(texts), _CHUNK):
        parts.append(embedding.encode(texts[start:start + _CHUNK]))
        progress(min(len(texts), start + _CHUNK), len(texts))
    return np.vstack(parts)


def score_units(texts: list[str], embed_as: list[str] | None = None,
                progress: Progress | None = None, focus_as: list[str] | None = None) -> list[UnitScores]:
    """Similarities of each text to every claim's examples and near misses (``embed_as`` gives the
    text actually embedded, default :func:`embedding_text` of each; ``focus_as`` the text whose words
    gate the claims, default the text). Texts that mention no claim's focus cannot match and are not
    embedded; each distinct text is embedded once."""
    if not texts:
        return []
    cat = catalog_matrix()
    catalog = _graded_claims()
    gates = focus_as or texts
    focus = np.array([[mentions_focus(t, catalog[cid]) for cid in cat.claim_ids] for t in gates], dtype=bool)
    wanted = embed_as or [embedding_text(t) for t in texts]
    distinct = list(dict.fromkeys(w for w, row in zip(wanted, focus, strict=True) if row.any()))
    row_of = {text: row for row, text in enumerate(distinct)}
    vectors = _encode(distinct, progress) if distinct else np.zeros((0, cat.examples.shape[1]), dtype=np.float32)
    sims = vectors @ cat.examples.T
    miss_sims = vectors @ cat.near_misses.T if len(cat.near_misses) else np.zeros((len(distinct), 0))
    owners = [cat.example_owner == i for i in range(len(cat.claim_ids))]
    miss_owners = [cat.near_miss_owner == i for i in range(len(cat.claim_ids))]
    out: list[UnitScores] = []
    for row, text in enumerate(texts):
        positive = np.full(len(cat.claim_ids), -1.0)
        near = np.full(len(cat.claim_ids), -1.0)
        vrow = row_of.get(wanted[row])
        if vrow is not None:
            for index in range(len(cat.claim_ids)):
                if focus[row, index]:
                    positive[index] = float(sims[vrow, owners[index]].max())
                if miss_owners[index].any():
                    near[index] = float(miss_sims[vrow, miss_owners[index]].max())
        out.append(UnitScores(text=text, positive=positive, near_miss=near))
    return out


def choose_claim(unit: UnitScores, threshold: float = MATCH_THRESHOLD) -> tuple[int, float] | None:
    """The claim a unit matches, as (claim index, similarity), or None.

    A claim is eligible when its similarity reaches ``threshold`` and the text is not closer to one
    of the claim's near misses than to its examples (by :data:`NEAR_MISS_MARGIN`). The best eligible
    claim must beat the next eligible one by :data:`SECOND_BEST_MARGIN`, unless it reaches
    :data:`STRONG_MATCH`: two claims about equally close mean the text is ambiguous.
    """
    pos, near = unit.positive, unit.near_miss
    eligible = (pos >= threshold) & (pos - near >= NEAR_MISS_MARGIN)
    if not eligible.any():
        return None
    ranked = np.argsort(-np.where(eligible, pos, -np.inf))
    best = int(ranked[0])
    second = float(pos[ranked[1]]) if eligible.sum() > 1 else -1.0
    if pos[best] - second < SECOND_BEST_MARGIN and pos[best] < STRONG_MATCH:
        return None
    return best, float(pos[best])


def best_matches(sentences: list[str]) -> list[tuple[str, float]]:
    """For each sentence (as a whole), the closest claim id and its best similarity ("" and -1
    when no claim's focus is mentioned)."""
    out: list[tuple[str, float]] = []
    ids = catalog_matrix().claim_ids if sentences else ()
    for unit in score_units(sentences):
        best = int(np.argmax(unit.positive))
        out.append((ids[best], float(unit.positive[best])) if unit.positive[best] > -1 else ("", -1.0))
    return out


# ---------------------------------------------------------------------------------------------
# Putting it together


@dataclass(frozen=True)
class _Unit:
    sentence: int
    clause: int
    """Index of the clause (-1: the whole sentence)."""
    fragment: bool
    text: str
    embed_as: str
    context: str = ""
    """For a fragment that is a bare noun phrase ("disturbed sleep" in "withdrawal brings aches and
    disturbed sleep"): the words of its clause before it, whose ``excludes`` gates still apply."""


_PREDICATE_LEAD = frozenset({
    "has", "have", "is", "are", "was", "were", "will", "would", "can", "could", "may", "might", "should", "does",
    "do", "did", "helps", "help", "lets", "let", "makes", "make", "gives", "give", "brings", "bring", "puts",
    "put", "keeps", "keep", "takes", "take", "leaves", "leave", "works", "work", "calms", "calm", "eases", "ease",
    "relieves", "relieve", "never", "also", "then", "it", "you", "i", "we", "they", "its", "won", "wo", "not",
    "me", "my"
})
"""Words that, among a fragment's first two, show it has a subject or predicate of its own."""


def _context(clause: str, piece: str) -> str:
    """The clause's words before ``piece`` when the piece has no predicate or subject of its own."""
    toks = tokens(piece)
    if not toks or _PREDICATE_LEAD.intersection(toks[:2]) or _SUBJECT.match(piece):
        return ""
    return clause[: max(clause.find(piece), 0)]


def _units(sentence: int, text: str, clauses: list[str]) -> list[_Unit]:
    """The whole sentence, its clauses (when several) and the fragments of each clause."""
    units = [_Unit(sentence, -1, False, text, embedding_text(text))]
    if len(clauses) > 1:
        units.extend(_Unit(sentence, ci, False, c, embedding_text(c)) for ci, c in enumerate(clauses))
    for ci, clause in enumerate(clauses):
        pieces = split_fragments(clause)
        if len(pieces) > 1:
            units.extend(_Unit(sentence, ci if len(clauses) > 1 else -1, True, p, fragment_text(p),
                               _context(clause, p)) for p in pieces)
    return units


def _excluded_by_context(unit: _Unit, scores: UnitScores) -> UnitScores:
    """A bare noun-phrase fragment cannot match a claim its clause's earlier words exclude."""
    if not unit.context:
        return scores
    catalog = _graded_claims()
    joined = " ".join(tokens(unit.context))
    ids = catalog_matrix().claim_ids
    out = scores.positive.copy()
    for index, cid in enumerate(ids):
        pattern = stems_pattern(catalog[cid].excludes)
        if pattern is not None and pattern.search(joined):
            out[index] = -1.0
    return UnitScores(text=scores.text, positive=out, near_miss=scores.near_miss)


Chosen = dict[str, tuple[float, int]]
"""Per claim id: (similarity, clause index or -1 for the whole sentence)."""


def _choose(rows: list[tuple[_Unit, UnitScores]], several: bool, claim_ids: tuple[str, ...]) -> tuple[Chosen, set[int]]:
    """The claims of one sentence, from its clauses and fragments (the whole sentence when it has
    one clause, or when none of its clauses matches); and the clauses that matched something."""
    chosen: Chosen = {}
    matched: set[int] = set()

    def keep(cid: str, similarity: float, clause: int) -> None:
        if cid not in chosen or similarity > chosen[cid][0]:
            chosen[cid] = (similarity, clause)

    def take(unit: _Unit, scores: UnitScores, threshold: float) -> None:
        pick = choose_claim(scores, threshold)
        if pick is None:
            return
        matched.add(unit.clause)
        keep(claim_ids[pick[0]], pick[1], unit.clause)
        if not unit.fragment:
            return
        also = (scores.positive >= SECOND_CLAIM) & (scores.positive - scores.near_miss >= NEAR_MISS_MARGIN)
        for index in np.flatnonzero(also):
            if index != pick[0]:
                keep(claim_ids[index], float(scores.positive[index]), unit.clause)

    fragmented = {unit.clause for unit, _ in rows if unit.fragment}
    for unit, scores in rows:
        if unit.fragment:
            take(unit, scores, FRAGMENT_THRESHOLD)
    for unit, scores in rows:
        if unit.fragment or (unit.clause < 0 and several) or (FRAGMENTS_FIRST and unit.clause in matched
                                                             and unit.clause in fragmented):
            continue
        take(unit, scores, MATCH_THRESHOLD)
    if several and not chosen:
        take(rows[0][0], rows[0][1], MATCH_THRESHOLD)
    return chosen, matched


def _clause_hedged(clauses: list[str], index: int) -> bool:
    """A clause is hedged if it hedges itself, or if it is a "that ..." clause continuing an
    attribution ("users report that ..., and that ...")."""
    if is_hedged(clauses[index]):
        return True
    return index > 0 and bool(re.match(r"\s*that\b", clauses[index], re.IGNORECASE)) and any(
        is_hedged(c) for c in clauses[:index])


def make_match(sentence: str, clause: str, claim: Claim, similarity: float, hedged: bool) -> ClaimMatch:
    """A reported claim: polarity read from ``clause``, verdict on what it asserts, model evidence."""
    if claim.grading == DOSING:
        negated, verdict, asserts = False, claim.verdict, claim.asserts
        text = "gives dosing advice: not graded (kratomsim grades facts and never recommends a dose)"
    else:
        negated = is_negated(clause, claim)
        verdict = FLIP[claim.verdict] if negated else claim.verdict
        asserts = claim.opposite if negated else claim.asserts
        text = f"asserts {asserts}: {verdict}"
    evidence = model_evidence.evidence_for(claim.id, sentence)
    sleep_quote = evidence["quote"] if evidence and claim.id in model_evidence.SLEEP_CLAIMS else ""
    return ClaimMatch(
        sentence=sentence, clause=clause, claim_id=claim.id, verdict=verdict, similarity=round(similarity, 3),
        sources=[source_label(key) for key in claim_sources(claim)], negated=negated, hedged=hedged,
        catalog_verdict=claim.verdict, rationale=claim.rationale, asserts=asserts, verdict_text=text,
        kind=claim.grading, model_evidence=evidence, model_prediction=sleep_quote,
    )


def _sentence_matches(sentence: str, clauses: list[str], chosen: Chosen) -> list[ClaimMatch]:
    catalog = claims()
    found: list[ClaimMatch] = []
    for cid, (similarity, ci) in sorted(chosen.items(), key=lambda kv: (kv[1][1], -kv[1][0])):
        clause = sentence if ci < 0 else clauses[ci]
        hedged = is_hedged(sentence) if ci < 0 else _clause_hedged(clauses, ci)
        found.append(make_match(sentence, clause, catalog[cid], similarity, hedged))
    if is_dosing_advice(sentence):
        found.append(make_match(sentence, sentence, catalog[DOSING], 1.0, False))
    return found


class _LazyScores:
    """Unit scores computed on demand, each batch in one call to :func:`score_units`: a unit the
    decision never looks at is never embedded."""

    def __init__(self, units: list[_Unit], gates: list[str], progress: Progress | None) -> None:
        self.units, self.gates, self.progress = units, gates, progress
        self.done: dict[int, UnitScores] = {}
        size = len(catalog_matrix().claim_ids)
        self.blank = UnitScores(text="", positive=np.full(size, -1.0), near_miss=np.full(size, -1.0))

    def fill(self, wanted: list[int]) -> None:
        todo = [i for i in dict.fromkeys(wanted) if i not in self.done]
        if not todo:
            return
        scored = score_units([self.units[i].text for i in todo], [self.units[i].embed_as for i in todo],
                             self.progress, [self.gates[i] for i in todo])
        for i, unit_scores in zip(todo, scored, strict=True):
            self.done[i] = _excluded_by_context(self.units[i], unit_scores)

    def rows(self, indices: list[int]) -> list[tuple[_Unit, UnitScores]]:
        return [(self.units[i], self.done.get(i, self.blank)) for i in indices]


def _score_needed(store: _LazyScores, index_of: list[list[int]], worthy: list[bool], several: list[bool],
                  questions: list[bool]) -> None:
    """Embed what the decision needs, in two batches. First: a check-worthy sentence's clauses and
    fragments (its whole text too when it has one clause), and the whole text of any other sentence
    that is not a question. Then: the parts of a sentence kept only because its whole text reaches
    :data:`STRONG_MATCH`, and the whole text of a several-clause sentence none of whose clauses matched."""
    ids = catalog_matrix().claim_ids
    store.fill([i for si, idx in enumerate(index_of) if not questions[si]
                for i in (idx[1:] if worthy[si] and several[si] else idx if worthy[si] else idx[:1])])
    later: list[int] = []
    for si, idx in enumerate(index_of):
        if not worthy[si] and not questions[si] and float(store.rows(idx[:1])[0][1].positive.max()) >= STRONG_MATCH:
            later.extend(idx[1:])
        elif worthy[si] and several[si] and not _choose(store.rows(idx), True, ids)[0]:
            later.append(idx[0])
    store.fill(later)


def audit_sentences(sentences: list[str], about_kratom: bool = True, progress: Progress | None = None) -> AuditReport:
    """Audit sentences already split (used by :func:`audit_text` and the evaluation).

    Every distinct claim of a sentence is reported once, from the clause where it matched most
    closely, with polarity and hedging read from that clause. Check-worthy sentences, and
    check-worthy clauses of a sentence that matched elsewhere, that match nothing are listed as
    unmatched.
    """
    clause_lists = [split_clauses(s) for s in sentences]
    units = [u for si, s in enumerate(sentences) for u in _units(si, s, clause_lists[si])]
    index_of: list[list[int]] = [[] for _ in sentences]
    for i, unit in enumerate(units):
        index_of[unit.sentence].append(i)
    dosing = [is_dosing_advice(s) for s in sentences]
    store = _LazyScores(units, [SCHEDULE.sub(" ", u.text) if dosing[u.sentence] else u.text for u in units], progress)
    worthy = [is_check_worthy(s, about_kratom) for s in sentences]
    questions = [s.rstrip().endswith("?") for s in sentences]
    _score_needed(store, index_of, worthy, [len(c) > 1 for c in clause_lists], questions)
    claim_ids = catalog_matrix().claim_ids
    found: list[ClaimMatch] = []
    missing: list[str] = []
    for si, sentence in enumerate(sentences):
        rows = store.rows(index_of[si])
        if not worthy[si] and (float(rows[0][1].positive.max()) < STRONG_MATCH or questions[si]):
            continue
        clauses = clause_lists[si]
        chosen, matched = _choose(rows, len(clauses) > 1, claim_ids)
        matches = _sentence_matches(sentence, clauses, chosen)
        if not matches:
            missing.append(sentence)
            continue
        found.extend(matches)
        if len(clauses) > 1 and -1 not in matched:
            missing.extend(c for ci, c in enumerate(clauses) if ci not in matched and is_check_worthy(c, True)
                           and not is_dosing_advice(c))
    return AuditReport(claims=found, not_in_catalog=missing, sentences=len(sentences))


def audit_text(text: str | bytes, progress: Progress | None = None) -> AuditReport:
    """Audit every sentence of a text; see the module docstring for the method and its limits."""
    clean = decode_input(text)
    sentences = split_sentences(clean)
    about_kratom = bool(_SUBJECT.search(clean))
    return audit_sentences(sentences, about_kratom=about_kratom, progress=progress)
