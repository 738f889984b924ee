"""Audit a text's claims about kratom and sleep against the claim catalog.

The pipeline is deliberately simple and inspectable:

1. split the text into sentences;
2. keep the *check-worthy* ones: assertions (not questions) that name kratom (or, in a text about
   kratom, refer back to it) and touch its effects, safety or pharmacology, found by cue words;
   a sentence very close to a catalog claim is kept even without cue words;
3. cut each sentence into independent clauses ("..., and it is not an opioid"), see
   :func:`split_clauses`;
4. embed each clause and every catalog example (statement and paraphrases) and near miss with
   all-MiniLM-L6-v2 and take, per claim, the best cosine similarity to its examples and to its
   near misses;
5. a clause matches the best claim that reaches :data:`MATCH_THRESHOLD`, is closer to the claim's
   examples than to its near misses (by :data:`NEAR_MISS_MARGIN`) and, below
   :data:`STRONG_MATCH`, leads the next claim by :data:`SECOND_BEST_MARGIN`; every distinct claim
   of a sentence is reported; sentences with none are listed as "not in catalog";
6. negation is decided per clause by cue words whose scope reaches one of the claim's focus words
   (embeddings barely tell "is" from "is not"); a clause that denies the claim gets the verdict of
   the denial (supported <-> contradicted; mixed and unsupported stay as they are);
7. hedges ("may", "some users report") are flagged per clause, not scored.

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
"""Similarity at which a sentence is check-worthy even without cue words, and at which a match
stands even when a second claim is almost as close."""

SECOND_BEST_MARGIN = 0.02
"""How far the best eligible claim must lead the next one (below :data:`STRONG_MATCH`)."""

WHOLE_WHEN_SPLIT = False
"""Whether a sentence cut into clauses is also matched whole (else only when no clause matches)."""

NEAR_MISS_MARGIN = 0.02
"""How much closer a text must be to a claim's examples than to its near misses."""

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
    r"calm\w*|stress\w*|relax\w*|unwind\w*|tranquil\w*|serene|sooth\w*|nerv\w*|worr\w*|panic\w*|stimula\w*|energ\w*|alert\w*|"
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
    clause: str = ""
    """The clause the claim was matched in (the whole sentence when it was matched whole)."""
    model_prediction: str = ""
    """For the sleep-architecture claims: what kratomsim's opioid bridge predicts (kratomsim.sleep_architecture)."""


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


# ---------------------------------------------------------------------------------------------
# Clauses: a sentence that makes two claims ("non-addictive, and it is not an opioid") is split
# where a new independent clause starts, and each clause is matched on its own.

_SPLIT_POINT = re.compile(
    r"(\s*;\s*|:\s+|,\s*(?:and|but|yet|so|while|whereas|although|though)\s+|"
    r"\s+(?:and|but|yet|while|whereas)\s+)",
    re.IGNORECASE,
)
_AUX = {"is", "are", "was", "were", "be", "been", "am", "has", "have", "had", "does", "do", "did",
        "can", "cannot", "could", "will", "would", "wo", "may", "might", "must", "should", "shall",
        "ca", "'s", "'re", "'ve", "'ll"}
_SUBJECT_WORDS = {"it", "its", "they", "their", "them", "this", "these", "those", "i", "we", "you", "he",
                  "she", "there", "others", "other", "some", "many", "most", "few", "the", "a", "an", "our",
                  "my", "your", "his", "her", "users", "people", "vendors", "sellers", "customers",
                  "studies", "researchers", "regulators", "doctors", "fans", "nobody", "no", "each",
                  "every", "all", "one", "everyone", "anyone", "nothing", "everything", "that"}
_PRONOUN_SUBJECTS = {"it", "they", "i", "we", "you", "he", "she", "others", "this", "that"}
_VERBS = {
    "act", "bind", "boost", "bring", "calm", "carry", "cause", "come", "contain", "cure", "deepen",
    "develop", "ease", "end", "face", "feel", "find", "get", "give", "go", "help", "improve", "keep",
    "knock", "lead", "leave", "let", "lower", "make", "mean", "mimic", "need", "pose", "produce",
    "put", "quit", "raise", "reduce", "relieve", "report", "say", "settle", "show", "soothe", "stop",
    "suffer", "take", "treat", "wake", "work", "become", "experience",
}
_VERB_FORMS = _VERBS | {v + "s" for v in _VERBS} | {v + "es" for v in _VERBS} | {
    "eases", "causes", "gives", "makes", "takes", "leaves", "relieves", "soothes", "produces", "reduces",
    "says", "said", "found", "kept", "got", "gave", "made", "took", "led", "left", "felt", "brought",
    "put", "let", "became", "helped", "caused", "reported", "improved", "ended", "eased", "reduced",
    "produced", "worked", "developed", "faced", "experienced", "stopped", "quit", "woke",
}
_NOUN_SUBJECTS = {"users", "people", "vendors", "sellers", "customers", "studies"}
_LEADING = {"also", "then", "even", "still", "so"}


def _has_predicate(tokens: list[str]) -> bool:
    """A finite verb, roughly: an auxiliary or copula, a common verb of claims ("gives", "eases",
    "face") after the first word, or a word right after a subject pronoun or a name of kratom
    ("it helps", "kratom soothes", "users report")."""
    for i, tok in enumerate(tokens):
        if tok in _AUX or (i and tok in _VERB_FORMS):
            return True
        if not i:
            continue
        before = tokens[i - 1]
        if before in _PRONOUN_SUBJECTS:
            return True
        if (_SUBJECT.fullmatch(before) or before in _NOUN_SUBJECTS) and tok.endswith(("s", "ed")):
            return True
    return False


def _starts_with_subject(text: str) -> bool:
    tokens = _tokens(text)
    while tokens and tokens[0] in _LEADING:
        tokens = tokens[1:]
    if tokens and tokens[0] == "that" and len(tokens) > 1 and tokens[1] in _SUBJECT_WORDS | {"kratom"}:
        tokens = tokens[1:]
    if not tokens:
        return False
    first = tokens[0]
    return first in _SUBJECT_WORDS or bool(_SUBJECT.match(" ".join(tokens))) or text.lstrip()[:1].isupper()


_USERS = re.compile(r"\b(users|consumers)\b", re.IGNORECASE)


def _about_kratom(text: str) -> bool:
    """A clause speaks of kratom: by name, as "it"/"this", or of its users (in a kratom text)."""
    return bool(_SUBJECT.search(text) or _PRONOUN.search(text) or _USERS.search(text))


def split_clauses(sentence: str) -> list[str]:
    """The independent clauses of a sentence, in order (the sentence itself when it has one).

    Candidate cuts are semicolons, colons, ", and", ", but", ", so", ", while", "whereas" and bare
    "and"/"but"/"while"; a cut is kept only when the text before it has a predicate of its own and
    the text after it starts with a subject and has one too, and both speak of kratom (by name or
    as "it"): "kratom eases pain and lets you sleep" and "my pain kept me up, but kratom lets me
    sleep" stay whole; "kratom is non-addictive, and it is not an opioid" is cut.
    """
    pieces = _SPLIT_POINT.split(sentence)
    clauses: list[str] = [pieces[0]]
    for sep, piece in zip(pieces[1::2], pieces[2::2], strict=True):
        strong = sep.strip() in {";", ":"}
        if (piece.strip() and _has_predicate(_tokens(clauses[-1])) and _has_predicate(_tokens(piece))
                and (strong or _starts_with_subject(piece)) and _about_kratom(clauses[-1]) and _about_kratom(piece)):
            clauses.append(piece)
        else:
            clauses[-1] = clauses[-1] + sep + piece
    return [c.strip(" ,;:") for c in clauses if c.strip(" ,;:")]


def _embedding_text(clause: str) -> str:
    """What a clause is embedded as: a leading "that"/"also" dropped, and a leading "it"/"its"
    read as kratom, so "and it is not an opioid" is compared as "kratom is not an opioid"."""
    text = re.sub(r"^(?:(?:that|also|then|so)\s+)+", "", clause.strip(), flags=re.IGNORECASE)
    text = re.sub(r"^it(?:'s|\u2019s| is)\b", "kratom is", text, flags=re.IGNORECASE)
    text = re.sub(r"^its\b", "kratom's", text, flags=re.IGNORECASE)
    text = re.sub(r"^it\b", "kratom", text, flags=re.IGNORECASE)
    return text[:1].upper() + text[1:]


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


@cache
def catalog_matrix() -> CatalogVectors:
    """Embeddings of every catalog example and near miss, cached per process."""
    catalog = claims()
    claim_ids = tuple(catalog)
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
        claim_ids=claim_ids,
        examples=vectors[: len(texts)],
        example_owner=np.array(owners, dtype=int),
        near_misses=vectors[len(texts):],
        near_miss_owner=np.array(miss_owners, dtype=int),
    )


@dataclass(frozen=True)
class UnitScores:
    """For one sentence or clause: per claim, the best similarity to its examples (-1 when the text
    never mentions the claim's focus) and to its near misses (-1 when it has none)."""

    text: str
    positive: np.ndarray
    near_miss: np.ndarray


def score_units(texts: list[str]) -> list[UnitScores]:
    """Similarities of each text (sentence or clause) to every claim's examples and near misses."""
    if not texts:
        return []
    cat = catalog_matrix()
    catalog = claims()
    vectors = embedding.encode([_embedding_text(t) for t in texts])
    sims = vectors @ cat.examples.T
    miss_sims = vectors @ cat.near_misses.T if len(cat.near_misses) else np.zeros((len(texts), 0))
    out: list[UnitScores] = []
    for row, text in enumerate(texts):
        positive = np.full(len(cat.claim_ids), -1.0)
        near = np.full(len(cat.claim_ids), -1.0)
        for index, cid in enumerate(cat.claim_ids):
            if mentions_focus(text, catalog[cid]):
                positive[index] = float(sims[row, cat.example_owner == index].max())
            owned = cat.near_miss_owner == index
            if owned.any():
                near[index] = float(miss_sims[row, owned].max())
        out.append(UnitScores(text=text, positive=positive, near_miss=near))
    return out


def choose_claim(unit: UnitScores) -> tuple[int, float] | None:
    """The claim a sentence or clause matches, as (claim index, similarity), or None.

    A claim is eligible when its similarity reaches :data:`MATCH_THRESHOLD` and the text is not
    closer to one of the claim's near misses than to its examples (by :data:`NEAR_MISS_MARGIN`).
    The best eligible claim must beat the next eligible one by :data:`SECOND_BEST_MARGIN`, unless
    it reaches :data:`STRONG_MATCH`: two claims about equally close mean the text is ambiguous.
    """
    pos, near = unit.positive, unit.near_miss
    eligible = (pos >= MATCH_THRESHOLD) & (pos - near >= NEAR_MISS_MARGIN)
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


def _clause_hedged(clauses: list[str], index: int) -> bool:
    """A clause is hedged if it hedges itself, or if it is a "that ..." clause continuing an
    attribution ("users report that ..., and that ...")."""
    if is_hedged(clauses[index]):
        return True
    return index > 0 and bool(re.match(r"\s*that\b", clauses[index], re.IGNORECASE)) and any(
        is_hedged(c) for c in clauses[:index])


MODEL_CLAIMS = ("deep_sleep", "sleep_architecture")  # claims the sleep bridge speaks to


@cache
def _bridge_quote() -> str:
    """The bridge's paragraph for a reference night (K51, 2 g at 22:30, one night), computed once."""
    from kratomsim.night import make_timeline, nightly_exposure
    from kratomsim.sleep_architecture import audit_quote

    night = nightly_exposure("K51", "2g", make_timeline("22:30", "06:30", 1, "09:00", None))
    return "Model (reference night: K51, 2 g at 22:30): " + audit_quote(night)


def _model_prediction(claim_id: str) -> str:
    return _bridge_quote() if claim_id in MODEL_CLAIMS else ""


def audit_sentences(sentences: list[str], about_kratom: bool = True) -> AuditReport:
    """Audit sentences already split (used by :func:`audit_text` and the benchmark).

    A sentence with one clause is matched whole; a sentence with several independent clauses has
    each clause matched (and is matched whole only if no clause matches, unless
    :data:`WHOLE_WHEN_SPLIT`). Every distinct claim found is reported once per sentence, from the
    clause where it matched most closely, with negation and hedging read from that clause.
    Check-worthy clauses that match nothing are listed as not in the catalog.
    """
    catalog = claims()
    claim_ids = list(catalog)
    clause_lists = [split_clauses(s) for s in sentences]
    units: list[tuple[int, int, str]] = []  # (sentence index, clause index or -1, text)
    for si, (sentence, clauses) in enumerate(zip(sentences, clause_lists, strict=True)):
        units.append((si, -1, sentence))
        if len(clauses) > 1:
            units.extend((si, ci, clause) for ci, clause in enumerate(clauses))
    scored = score_units([text for _, _, text in units])
    per_sentence: dict[int, list[tuple[int, str, UnitScores]]] = {}
    for (si, ci, _), unit in zip(units, scored, strict=True):
        per_sentence.setdefault(si, []).append((ci, unit.text, unit))

    found: list[ClaimMatch] = []
    missing: list[str] = []
    for si, sentence in enumerate(sentences):
        rows = per_sentence[si]
        whole = rows[0][2]
        best_whole = float(whole.positive.max())
        cue = is_check_worthy(sentence, about_kratom)
        if not cue and (best_whole < STRONG_MATCH or sentence.rstrip().endswith("?")):
            continue
        clauses = clause_lists[si]
        chosen: dict[str, tuple[float, int, str]] = {}
        unmatched: list[str] = []
        for ci, text, unit in rows:
            if ci < 0 and len(rows) > 1 and not WHOLE_WHEN_SPLIT:
                continue
            if ci >= 0 and not _CLAIM_CUE.search(text):
                continue
            pick = choose_claim(unit)
            if pick is None:
                if ci >= 0 and is_check_worthy(text, True):
                    unmatched.append(text)
                continue
            cid = claim_ids[pick[0]]
            if cid not in chosen or pick[1] > chosen[cid][0]:
                chosen[cid] = (pick[1], ci, text)
        if not chosen and len(rows) > 1 and not WHOLE_WHEN_SPLIT:
            pick = choose_claim(whole)
            if pick is not None:
                chosen[claim_ids[pick[0]]] = (pick[1], -1, sentence)
                unmatched = []
        if not chosen:
            missing.append(sentence)
            continue
        for cid, (similarity, ci, text) in sorted(chosen.items(), key=lambda kv: (kv[1][1], -kv[1][0])):
            claim = catalog[cid]
            negated = is_negated(text, claim)
            hedged = is_hedged(sentence) if ci < 0 else _clause_hedged(clauses, ci)
            found.append(
                ClaimMatch(
                    sentence=sentence,
                    clause=text,
                    claim_id=cid,
                    verdict=FLIP[claim.verdict] if negated else claim.verdict,
                    similarity=round(similarity, 3),
                    sources=[source_label(key) for key in claim_sources(claim)],
                    negated=negated,
                    hedged=hedged,
                    catalog_verdict=claim.verdict,
                    rationale=claim.rationale,
                    model_prediction=_model_prediction(cid),
                )
            )
        matched_clauses = {text for _, _, text in chosen.values()}
        missing.extend(c for c in unmatched if c not in matched_clauses)
    return AuditReport(claims=found, not_in_catalog=missing, sentences=len(sentences))


def audit_text(text: str | bytes) -> AuditReport:
    """Audit every sentence of a text; see the module docstring for the method and its limits."""
    clean = decode_input(text)
    sentences = split_sentences(clean)
    about_kratom = bool(_SUBJECT.search(clean))
    return audit_sentences(sentences, about_kratom=about_kratom)
