"""What a clause asserts about a claim: affirmed or denied, hedged or not.

Embeddings barely tell "is" from "is not", so polarity is read by rules over word tokens:

- a negation cue ("not", "n't", "no", "never", "without", "free of", "non-", "nor", "zero", ...)
  scopes forward over at most :data:`NEG_SCOPE` tokens and stops at the first focus word it reaches
  (the word it negates) or at a coordinator ("and", "but", ...). So in "non-addictive and has no
  withdrawal" each cue negates its own word, while chained cues stack: "not non-addictive",
  "not without risk" and "it is not true that there is no risk" each negate twice and affirm;
- "-free" words ("addiction-free") negate their own stem;
- some claims have *inverse* stems that deny the statement with no negation word ("dangerous" for
  "safe to combine", "wears off" for "no next-day effects"); negated, they affirm it ("no problem");
- cues that negate what came before ("... is a myth", "... is false") flip the result once more;
- hedges ("may", "users say", "I think") are flagged, never scored.

Pure functions of the text and the claim's stems; no model is needed.
"""

from __future__ import annotations

import re
from functools import cache

from kratomsim.evidence.library import Claim, Verdict

FLIP: dict[Verdict, Verdict] = {
    "supported": "contradicted",
    "contradicted": "supported",
    "mixed": "mixed",
    "unsupported": "unsupported",
    "not graded": "not graded",
}

NEG_SCOPE = 10
"""How many tokens a negation cue reaches forward, at most."""

_TOKEN = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*", re.IGNORECASE)
_NEG_FORWARD = {"not", "no", "never", "without", "cannot", "none", "neither", "nor", "zero", "nothing",
                "lacks", "lack", "free", "non", "nobody", "unlikely", "fails", "failed", "noone"}
_NEG_BACKWARD = {"myth", "myths", "false", "untrue", "debunked", "misleading", "wrong", "fiction"}
_NEG_EXCEPT = {("no", "other"), ("no", "wonder"), ("no", "doubt"), ("not", "only"), ("not", "just"),
               ("nothing", "beats"), ("nothing", "else"), ("nothing", "like"), ("nothing", "compares"),
               ("without", "a"), ("no", "more"), ("never", "felt"), ("never", "slept"), ("not", "even")}
_SCOPE_STOP = {"and", "but", "yet", "while", "whereas", "although", "though", "so", "because", "unlike"}
_CLAUSE = re.compile(r"[,;:()]|\b(?:but|so|whereas|while|because|although|though|yet)\b", re.IGNORECASE)
_HEDGE = re.compile(
    r"\b(may|might|could|possibly|perhaps|potentially|reportedly|allegedly|apparently|supposedly|"
    r"anecdotal\w*|suggests?|suggested|appears? to|seems? to|is said to|are said to|claims?|claimed|"
    r"believed|thought to|i think|i don't think|i do not think|pretty sure|not sure|"
    r"some (users|people|consumers|fans|customers|studies|reports|evidence|sources|enthusiasts)|"
    r"many (users|people|consumers|customers) (say|report|swear|find|claim)|"
    r"(users|people|customers|fans|vendors|sellers|they)( often| sometimes)? (say|report|claim)\w*|"
    r"according to|proponents|advocates|marketed as|promoted as|touted as|sold as|in some cases|for some|"
    r"hoping|believing)\b",
    re.IGNORECASE,
)


def tokens(text: str) -> list[str]:
    """Lower-case word tokens; "n't" becomes "not" ("won't" -> "wo not")."""
    text = text.replace("\u2019", "'")
    text = re.sub(r"n't\b", " not", text, flags=re.IGNORECASE)
    return [t.lower() for t in _TOKEN.findall(text)]


def _stem_hits(tok: str, stem: str) -> bool:
    words = {tok, *tok.split("-")}
    if stem.startswith("="):
        return stem[1:] in words
    return any(w.startswith(stem) for w in words)


def focus_at(toks: list[str], k: int, stems: tuple[str, ...]) -> bool:
    """Whether a stem matches at token ``k``: a token (or hyphen part) starting with the stem,
    ``=word`` exactly, or a multi-word stem starting at ``k``."""
    for stem in stems:
        if " " in stem:
            if " ".join(toks[k:k + stem.count(" ") + 1]).startswith(stem):
                return True
        elif _stem_hits(toks[k], stem):
            return True
    return False


def has_focus(toks: list[str], stems: tuple[str, ...]) -> bool:
    """Whether any stem matches anywhere in the tokens."""
    return any(focus_at(toks, k, stems) for k in range(len(toks)))


def _is_cue(toks: list[str], i: int) -> bool:
    tok = toks[i]
    nxt = toks[i + 1] if i + 1 < len(toks) else ""
    if (tok, nxt) in _NEG_EXCEPT:
        return False
    if tok == "free":
        return nxt == "of"
    return tok in _NEG_FORWARD or tok.split("-")[0] == "non"


def _coverage(toks: list[str], stems: tuple[str, ...], inverse: tuple[str, ...]) -> dict[int, tuple[int, bool]]:
    """For each token matching a stem or an inverse stem: how many negation cues cover it, and
    whether it is an inverse stem. A cue stops at the first of either it reaches."""
    hits = {k: focus_at(toks, k, inverse) for k in range(len(toks))
            if focus_at(toks, k, stems) or focus_at(toks, k, inverse)}
    count = dict.fromkeys(hits, 0)
    for i, tok in enumerate(toks):
        parts = tok.split("-")
        if len(parts) > 1 and parts[-1] == "free" and i in hits:
            count[i] += 1  # "addiction-free"
        if not _is_cue(toks, i):
            continue
        if parts[0] == "non" and len(parts) > 1:
            if i in hits:
                count[i] += 1  # "non-addictive" negates itself
            continue
        for k in range(i + 1, min(len(toks), i + 1 + NEG_SCOPE)):
            if toks[k] in _SCOPE_STOP:
                break
            if k in hits:
                count[k] += 1
                break
    return {k: (n, hits[k]) for k, n in count.items()}


def _clause_denies(toks: list[str], focus: tuple[str, ...], inverse: tuple[str, ...]) -> bool:
    """A focus word under an odd number of cues, or an inverse word under an even number, denies."""
    coverage = _coverage(toks, focus, inverse).values()
    return any((n % 2 == 0) if is_inverse else (n % 2 == 1) for n, is_inverse in coverage)


def sentence_denies(sentence: str, focus: tuple[str, ...], inverse: tuple[str, ...] = ()) -> bool:
    """Whether the sentence denies what its focus stems describe.

    Per clause (split at commas and conjunctions such as "but", "so"): a focus word covered by an
    odd number of negation cues, or an inverse word covered by an even number, denies; a clause
    that denies makes the sentence deny. Cues that negate what came before ("... is a myth") flip
    the result once more.
    """
    text = sentence.replace("\u2019", "'")
    denies = any(_clause_denies(tokens(c), focus, inverse) for c in _CLAUSE.split(text) if c)
    toks = tokens(text)
    backward = sum(t in _NEG_BACKWARD for t in toks) if has_focus(toks, focus + inverse) else 0
    return denies != (backward % 2 == 1)


def is_negated(sentence: str, claim: Claim) -> bool:
    """Whether the sentence asserts the opposite of the claim's canonical statement."""
    return sentence_denies(sentence, claim.negation_focus, claim.inverse_focus) != (claim.polarity == "negative")


@cache
def stems_pattern(stems: tuple[str, ...]) -> re.Pattern[str] | None:
    """One regex over space-joined tokens that finds what :func:`has_focus` finds (None: no stems)."""
    if not stems:
        return None
    parts = []
    for stem in stems:
        if stem.startswith("="):
            parts.append(rf"(?:^|[ -]){re.escape(stem[1:])}(?=$|[ -])")
        elif " " in stem:
            parts.append(rf"(?:^| ){re.escape(stem)}")
        else:
            parts.append(rf"(?:^|[ -]){re.escape(stem)}")
    return re.compile("|".join(parts))


def mentions_focus(sentence: str, claim: Claim) -> bool:
    """Whether the sentence mentions one of the claim's focus stems: a claim about approval cannot
    match a sentence that never speaks of approval, however close the embeddings are. A claim's
    ``requires`` stems must be mentioned too, and none of its ``excludes``."""
    joined = " ".join(tokens(sentence))

    def hit(stems: tuple[str, ...]) -> bool:
        pattern = stems_pattern(stems)
        return bool(pattern and pattern.search(joined))

    return hit(claim.focus) and (not claim.requires or hit(claim.requires)) and not hit(claim.excludes)


def is_hedged(sentence: str) -> bool:
    """Whether the sentence hedges or attributes its claim ("may", "some users report")."""
    return bool(_HEDGE.search(sentence.replace("\u2019", "'")))
