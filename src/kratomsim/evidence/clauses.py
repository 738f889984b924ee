"""Cutting a text into the units the audit matches: sentences, independent clauses, and the
coordinated fragments of a clause ("non-addictive and has no withdrawal symptoms").

Rules, not a parser: they are simple enough to read, and the tests pin what they do.
"""

from __future__ import annotations

import re

from kratomsim.evidence.polarity import tokens

_SUBJECT = re.compile(
    r"\b(kratom|ketum|kratum|mitragyn\w*|7-?oh\b|7-hydroxy\w*|mitragyna|speciosa|"
    r"(red|green|white|gold|yellow)[- ](vein|strain|kratom|bali|maeng|borneo|thai|sumatra)\w*|"
    r"maeng da|this (herb|leaf|plant|botanical|powder|tea|supplement|alkaloid)s?|"
    r"(the|our|this|my) ([a-z]+ )?(leaf|plant|herb|botanical|blend|product|capsules|powder|tea)|its alkaloids|"
    r"alkaloids?)\b",
    re.IGNORECASE,
)
_PRONOUN = re.compile(r"\b(it|its|it's|this|they)\b", re.IGNORECASE)

_ABBREV = re.compile(r"\b(e\.g|i\.e|etc|vs|dr|mr|mrs|ms|approx|fig|no|al|u\.s|st|inc)\.$", re.IGNORECASE)


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
    toks = tokens(text)
    while toks and toks[0] in _LEADING:
        toks = toks[1:]
    if toks and toks[0] == "that" and len(toks) > 1 and toks[1] in _SUBJECT_WORDS | {"kratom"}:
        toks = toks[1:]
    if not toks:
        return False
    first = toks[0]
    return first in _SUBJECT_WORDS or bool(_SUBJECT.match(" ".join(toks))) or text.lstrip()[:1].isupper()


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
        if (piece.strip() and _has_predicate(tokens(clauses[-1])) and _has_predicate(tokens(piece))
                and (strong or _starts_with_subject(piece)) and _about_kratom(clauses[-1]) and _about_kratom(piece)):
            clauses.append(piece)
        else:
            clauses[-1] = clauses[-1] + sep + piece
    return [c.strip(" ,;:") for c in clauses if c.strip(" ,;:")]


def embedding_text(clause: str) -> str:
    """What a clause is embedded as: a leading "that"/"also" dropped, and a leading "it"/"its"
    read as kratom, so "and it is not an opioid" is compared as "kratom is not an opioid"."""
    text = re.sub(r"^(?:(?:that|also|then|so)\s+)+", "", clause.strip(), flags=re.IGNORECASE)
    text = re.sub(r"^it(?:'s|\u2019s| is)\b", "kratom is", text, flags=re.IGNORECASE)
    text = re.sub(r"^its\b", "kratom's", text, flags=re.IGNORECASE)
    text = re.sub(r"^it\b", "kratom", text, flags=re.IGNORECASE)
    return text[:1].upper() + text[1:]




# ---------------------------------------------------------------------------------------------
# Fragments: one clause can carry several claims joined by "and", commas, "without", "nor".

_FRAGMENT_CUT = re.compile(
    r"\s*[,:]\s*|\s+(?:and|nor|or|plus|while)\s+|\s+(?=(?:without|with no|free of)\b)|"
    r"\s+that\s+(?=(?:won't|won\u2019t|will not|doesn't|doesn\u2019t|does not|never|can't|cannot)\b)",
    re.IGNORECASE,
)


_NEGATED_WORD = re.compile(r"non-[\w-]+|[\w-]+-free", re.IGNORECASE)
_COMPARISON = re.compile(r"(?:unlike|like|compared (?:to|with)|than|as opposed to|instead of|rather than)\b",
                         re.IGNORECASE)


def split_fragments(clause: str) -> list[str]:
    """The coordinated pieces of a clause, each of at least two words or one negated word
    ("non-addictive"), comparisons ("unlike sleeping pills") left out (the clause itself when it
    has none): "Kratom is non-addictive and has no withdrawal symptoms" gives "Kratom is
    non-addictive" and "has no withdrawal symptoms"."""
    pieces = [p.strip(" .,;:") for p in _FRAGMENT_CUT.split(clause)]
    pieces = [p for p in pieces if (len(p.split()) >= 2 or _NEGATED_WORD.fullmatch(p)) and not _COMPARISON.match(p)]
    return pieces if len(pieces) > 1 else [clause]


def fragment_text(fragment: str) -> str:
    """What a fragment is embedded as: with kratom as its subject when it has none ("no
    withdrawal" -> "Kratom has no withdrawal", "non-addictive" -> "Kratom is non-addictive")."""
    text = embedding_text(fragment)
    toks = tokens(text)
    lower = f"{text[:1].lower()}{text[1:]}"
    if _SUBJECT.match(text) or (toks and toks[0] in _SUBJECT_WORDS - {"no"}):
        return text
    if re.match(r"(?:no|zero|none)\b", lower):
        return f"Kratom has {lower}"
    if re.match(r"with no\b", lower):
        return f"Kratom has {lower[5:]}"
    if re.match(r"(?:without|free of|non-|[\w-]+-free\b)", lower):
        return f"Kratom is {lower}"
    return f"Kratom {lower}"
