"""Audit a text's claims about kratom and sleep against the claim catalog.

The pipeline is deliberately simple and inspectable:

1. split the text into sentences;
2. keep the *check-worthy* ones: assertions (not questions) that name kratom (or, in a text about
   kratom, refer back to it) and touch its effects, safety or pharmacology, found by cue words;
   a sentence very close to a catalog claim is kept even without cue words;
3. embed each sentence and every catalog example (statement and paraphrases) with
   all-MiniLM-L6-v2 and take, per claim, the best cosine similarity;
4. a sentence whose best similarity reaches :data:`MATCH_THRESHOLD` matches that claim; the rest
   are listed as "not in catalog";
5. negation is decided by cue words whose scope reaches one of the claim's focus words (embeddings
   barely tell "is" from "is not"); a sentence that denies the claim gets the verdict of the
   denial (supported <-> contradicted; mixed and unsupported stay as they are);
6. hedges ("may", "some users report") are flagged, not scored.

It is a pure function of the text and the catalog: same input, same report.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from functools import cache
from typing import Any

import numpy as np

from kratomsim.datafiles import references
from kratomsim.errors import InputError
from kratomsim.evidence import embedding
from kratomsim.evidence.library import Claim, Verdict, claim_sources, claims, source_label

MAX_BYTES = 1_000_000
"""Largest text accepted (1 MB, counted in UTF-8 bytes)."""

MATCH_THRESHOLD = 0.55
"""Best cosine similarity a sentence needs to match a catalog claim (tuned on the dev split)."""

STRONG_MATCH = 0.72
"""Similarity at which a sentence is check-worthy even without cue words."""

FLIP: dict[str, Verdict] = {
    "supported": "contradicted",
    "contradicted": "supported",
    "mixed": "mixed",
    "unsupported": "unsupported",
}

_SUBJECT = re.compile(
    r"\b(kratom|ketum|kratum|mitragyn\w*|7-?oh\b|7-hydroxy\w*|mitragyna|speciosa|"
    r"(red|green|white|gold|yellow)[- ](vein|strain|kratom|bali|maeng|borneo|thai|sumatra)\w*|"
    r"maeng da|this (herb|leaf|plant|botanical|powder|tea|supplement|alkaloid)s?|"
    r"the (leaf|plant|herb|botanical)|its alkaloids|alkaloids?)\b",
    re.IGNORECASE,
)
_PRONOUN = re.compile(r"\b(it|its|it's|this|they)\b", re.IGNORECASE)
_CLAIM_CUE = re.compile(
    r"\b(sleep\w*|asleep|insomnia\w*|rest\w*|night\w*|bed\w*|deep\w*|rem|drows\w*|sedat\w*|"
    r"doze|drift\w*|slumber|tired|wake\w*|awake|addict\w*|dependen\w*|depend|withdraw\w*|habit\w*|"
    r"hook\w*|crav\w*|toleran\w*|opioid\w*|opiate\w*|narcotic\w*|receptor\w*|morphine|safe\w*|"
    r"risk\w*|danger\w*|harm\w*|overdose\w*|death\w*|deadly|pain\w*|ache\w*|analges\w*|anxi\w*|"
    r"calm\w*|stress\w*|relax\w*|sooth\w*|nerv\w*|worr\w*|panic\w*|stimula\w*|energ\w*|alert\w*|"
    r"fda|approv\w*|legal\w*|regulat\w*|combin\w*|mix\w*|ambien|zolpidem|melatonin|benzo\w*|"
    r"sedative\w*|pills?|strains?|veins?|cycle\w*|architecture|stage\w*|restor\w*|refresh\w*|"
    r"caus\w*|effects?|side|liver|constipat\w*|nausea|mood|help\w*|improv\w*|treat\w*|cure\w*|"
    r"benefit\w*|heal\w*|medic\w*|focus|euphori\w*|depress\w*|immun\w*|weight|blood|heart|"
    r"disorder\w*|agonist\w*|kill\w*|seizure\w*|liver)\b",
    re.IGNORECASE,
)

_TOKEN = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*", re.IGNORECASE)
_NEG_FORWARD = {"not", "no", "never", "without", "cannot", "none", "neither", "nor", "zero",
                "nothing", "lacks", "lack", "free", "non", "nobody", "unlikely", "fails", "failed"}
_NEG_BACKWARD = {"myth", "myths", "false", "untrue", "debunked", "misleading", "wrong", "fiction"}
_NEG_EXCEPT = {("no", "other"), ("no", "wonder"), ("no", "doubt"), ("not", "only"), ("not", "just"),
               ("nothing", "beats"), ("nothing", "else"), ("nothing", "like"), ("nothing", "compares"),
               ("without", "grogginess"), ("without", "a"), ("no", "more"), ("never", "felt"),
               ("never", "slept"), ("not", "even")}
_NEG_SCOPE = 10
_HEDGE = re.compile(
    r"\b(may|might|could|possibly|perhaps|potentially|reportedly|allegedly|anecdotal\w*|"
    r"suggests?|suggested|appears? to|seems? to|is said to|are said to|claims?|claimed|"
    r"believed|thought to|some (users|people|consumers|fans|customers|studies|reports|evidence)|"
    r"many (users|people|consumers|customers) (say|report|swear|find|claim)|users (say|report)|"
    r"(users|people|customers|fans) report\w*|according to|proponents|advocates|vendors (say|claim)|"
    r"marketed as|promoted as|touted as|in some cases|for some)\b",
    re.IGNORECASE,
)
_ABBREV = re.compile(r"\b(e\.g|i\.e|etc|vs|dr|mr|mrs|ms|approx|fig|no|al|u\.s|st|inc)\.$", re.IGNORECASE)


@dataclass(frozen=True)
class ClaimMatch:
    """One check-worthy sentence matched to a catalog claim."""

    sentence: str
    claim_id: str
    verdict: Verdict
    similarity: float
    sources: list[str]
    negated: bool
    hedged: bool
    catalog_verdict: Verdict
    rationale: str


@dataclass(frozen=True)
class AuditReport:
    """The audit of one text: matched claims, and check-worthy sentences not in the catalog."""

    claims: list[ClaimMatch] = field(default_factory=list)
    not_in_catalog: list[str] = field(default_factory=list)
    sentences: int = 0

    def to_dict(self) -> dict[str, Any]:
        """The JSON form: ``{"claims": [...], "not_in_catalog": [...]}`` plus the references cited."""
        cited = sorted({s.split(" ")[0] for m in self.claims for s in m.sources})
        refs = references()
        return {
            "claims": [asdict(m) for m in self.claims],
            "not_in_catalog": list(self.not_in_catalog),
            "sentences": self.sentences,
            "references": {key: refs[key].short() for key in cited},
        }


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


def split_sentences(text: str) -> list[str]:
    """Split into sentences at ., ! or ? before a capital/digit/quote, and at line breaks
    between paragraphs or list items; common abbreviations do not end a sentence."""
    sentences: list[str] = []
    for block in re.split(r"\n\s*\n|\n\s*(?:[-*\u2022]|\d+[.)])\s+", text):
        block = " ".join(block.split())
        if not block:
            continue
        parts = re.split(r"(?<=[.!?])[\"')\]\u201d\u2019]*\s+(?=[\"'(\[\u201c\u2018]?[A-Z0-9])", block)
        buffer = ""
        for part in parts:
            buffer = f"{buffer} {part}".strip() if buffer else part
            if _ABBREV.search(buffer):
                continue
            sentences.append(buffer)
            buffer = ""
        if buffer:
            sentences.append(buffer)
    return [s.strip().lstrip("-*\u2022 ").strip() for s in sentences if len(s.strip()) > 2]


def is_check_worthy(sentence: str, about_kratom: bool) -> bool:
    """Cue-word test: an assertion about kratom (or, in a kratom text, "it") with an effect,
    safety or pharmacology word."""
    if sentence.rstrip().endswith("?"):
        return False
    has_subject = bool(_SUBJECT.search(sentence)) or (about_kratom and bool(_PRONOUN.search(sentence)))
    return has_subject and bool(_CLAIM_CUE.search(sentence))


def _tokens(sentence: str) -> list[str]:
    text = sentence.replace("\u2019", "'")
    text = re.sub(r"n't\b", " not", text, flags=re.IGNORECASE)  # "won't" -> "wo not"
    return [t.lower() for t in _TOKEN.findall(text)]


def _has_focus(tokens: list[str], focus: tuple[str, ...]) -> bool:
    """A focus stem matches a token (or a hyphen part of one) that starts with it; ``=word``
    must match exactly; a stem with a space matches the joined text."""
    words = set(tokens) | {part for tok in tokens for part in tok.split("-")}
    text = " ".join(tokens)
    for stem in focus:
        if stem.startswith("="):
            if stem[1:] in words:
                return True
        elif " " in stem:
            if stem in text:
                return True
        elif any(w.startswith(stem) for w in words):
            return True
    return False


_CLAUSE = re.compile(r"[,;:()]|\b(?:but|so|whereas|while|because|although|though|yet)\b", re.IGNORECASE)


def _clause_negations(tokens: list[str], focus: tuple[str, ...]) -> int:
    """Forward negation cues in one clause whose scope (to the clause end) reaches a focus stem."""
    count = 0
    for i, tok in enumerate(tokens):
        nxt = tokens[i + 1] if i + 1 < len(tokens) else ""
        parts = tok.split("-")
        if (tok, nxt) in _NEG_EXCEPT:
            continue
        if tok == "far" and nxt == "from":
            tok = "not"
        if tok in _NEG_FORWARD or parts[0] == "non":
            if tok == "free" and nxt != "of":
                continue
            window = tokens[i:i + _NEG_SCOPE + 1] if parts[0] == "non" else tokens[i + 1:i + 1 + _NEG_SCOPE]
            if _has_focus(window, focus):
                count += 1
        elif len(parts) > 1 and parts[-1] == "free" and _has_focus(parts[:-1], focus):
            count += 1  # "addiction-free", "habit-free"
    return count


def sentence_denies(sentence: str, focus: tuple[str, ...]) -> bool:
    """Whether the sentence denies what its focus words describe.

    Each clause (split at commas and conjunctions such as "but", "so") counts its own forward
    negation cues ("not", "no", "never", "without", "non-", "-free") that reach a focus stem: an
    odd count denies, so "it is not true that there is no risk" affirms. A clause that denies
    makes the sentence deny. Cues that negate what came before ("... is a myth", "... is false")
    flip the result once more.
    """
    text = sentence.replace("\u2019", "'")
    denies = False
    for clause in _CLAUSE.split(text):
        if clause and _clause_negations(_tokens(clause), focus) % 2 == 1:
            denies = True
    tokens = _tokens(text)
    backward = sum(1 for tok in tokens if tok in _NEG_BACKWARD) if _has_focus(tokens, focus) else 0
    return denies != (backward % 2 == 1)


def is_negated(sentence: str, claim: Claim) -> bool:
    """Whether the sentence asserts the negation of the claim's canonical statement."""
    claim_denies = claim.polarity == "negative"
    return sentence_denies(sentence, claim.negation_focus) != claim_denies


def mentions_focus(sentence: str, claim: Claim) -> bool:
    """Whether the sentence mentions one of the claim's focus stems: a claim about approval cannot
    match a sentence that never speaks of approval, however close the embeddings are."""
    return _has_focus(_tokens(sentence), claim.focus)


def is_hedged(sentence: str) -> bool:
    """Whether the sentence hedges or attributes its claim ("may", "some users report")."""
    return bool(_HEDGE.search(sentence))


@cache
def catalog_matrix() -> tuple[tuple[str, ...], np.ndarray, np.ndarray]:
    """(claim id per example, example embeddings, claim index per example), cached per process."""
    ids: list[str] = []
    texts: list[str] = []
    for claim in claims().values():
        for example in claim.examples:
            ids.append(claim.id)
            texts.append(example)
    owners = np.array([list(claims()).index(cid) for cid in ids])
    return tuple(ids), embedding.encode(texts), owners


def best_matches(sentences: list[str]) -> list[tuple[str, float]]:
    """For each sentence, the closest claim id and its best cosine similarity over examples."""
    if not sentences:
        return []
    _, examples, owners = catalog_matrix()
    vectors = embedding.encode(sentences)
    sims = vectors @ examples.T
    claim_ids = list(claims())
    per_claim = np.full((len(sentences), len(claim_ids)), -1.0)
    catalog = claims()
    for index, cid in enumerate(claim_ids):
        gate = np.array([mentions_focus(s, catalog[cid]) for s in sentences])
        per_claim[:, index] = np.where(gate, sims[:, owners == index].max(axis=1), -1.0)
    best = per_claim.argmax(axis=1)
    return [(claim_ids[b], float(per_claim[row, b])) for row, b in enumerate(best)]


def audit_sentences(sentences: list[str], about_kratom: bool = True) -> AuditReport:
    """Audit sentences already split (used by :func:`audit_text` and the benchmark)."""
    catalog = claims()
    matches = best_matches(sentences)
    found: list[ClaimMatch] = []
    missing: list[str] = []
    for sentence, (claim_id, similarity) in zip(sentences, matches, strict=True):
        cue = is_check_worthy(sentence, about_kratom)
        if not cue and (similarity < STRONG_MATCH or sentence.rstrip().endswith("?")):
            continue
        if similarity < MATCH_THRESHOLD:
            missing.append(sentence)
            continue
        claim = catalog[claim_id]
        negated = is_negated(sentence, claim)
        found.append(
            ClaimMatch(
                sentence=sentence,
                claim_id=claim_id,
                verdict=FLIP[claim.verdict] if negated else claim.verdict,
                similarity=round(similarity, 3),
                sources=[source_label(key) for key in claim_sources(claim)],
                negated=negated,
                hedged=is_hedged(sentence),
                catalog_verdict=claim.verdict,
                rationale=claim.rationale,
            )
        )
    return AuditReport(claims=found, not_in_catalog=missing, sentences=len(sentences))


def audit_text(text: str | bytes) -> AuditReport:
    """Audit every sentence of a text; see the module docstring for the method and its limits."""
    clean = decode_input(text)
    sentences = split_sentences(clean)
    about_kratom = bool(_SUBJECT.search(clean))
    return audit_sentences(sentences, about_kratom=about_kratom)
