"""Which sentences the audit reads closely: check-worthy assertions about kratom, and dose instructions.

Cue words, not a classifier: a sentence is check-worthy when it is an assertion (not a question) that
names kratom (or, in a text about kratom, "it", or a verbless slogan such as "No hangover, no
grogginess") and has an effect, safety, pharmacology, timing or dose word; a dose instruction
("Take 5 grams an hour before bed") is found by rule and flagged, never graded.
"""

from __future__ import annotations

import re

from kratomsim.evidence.clauses import _SUBJECT

__all__ = ["SCHEDULE", "is_check_worthy", "is_dosing_advice"]

_PRONOUN = re.compile(r"\b(it|its|it's|this|they)\b", re.IGNORECASE)
_CLAIM_CUE = re.compile(
    r"\b(sleep\w*|asleep|insomnia\w*|rest\w*|night\w*|bed\w*|deep\w*|rem|drows\w*|sedat\w*|"
    r"doze|drift\w*|slumber|tired|wake\w*|waking|awake|addict\w*|dependen\w*|depend|withdraw\w*|habit\w*|"
    r"hook\w*|crav\w*|toleran\w*|opioid\w*|opiate\w*|narcotic\w*|receptor\w*|agonist\w*|bind\w*|morphine|"
    r"safe\w*|risk\w*|danger\w*|harm\w*|overdose\w*|death\w*|deadly|pain\w*|ache\w*|analges\w*|anxi\w*|"
    r"calm\w*|stress\w*|relax\w*|unwind\w*|tranquil\w*|serene|sooth\w*|nerv\w*|worr\w*|panic\w*|stimula\w*|"
    r"energ\w*|alert\w*|fda|approv\w*|legal\w*|regulat\w*|combin\w*|mix\w*|ambien|zolpidem|melatonin|benzo\w*|"
    r"sedative\w*|pills?|strains?|veins?|cycle\w*|architecture|stage\w*|restor\w*|refresh\w*|"
    r"caus\w*|effects?|side|liver|constipat\w*|nausea|mood|help\w*|improv\w*|treat\w*|cure\w*|"
    r"benefit\w*|heal\w*|medic\w*|focus|euphori\w*|depress\w*|immun\w*|weight|blood|heart|"
    r"disorder\w*|kill\w*|seizure\w*|morning\w*|hangover\w*|hungover|grogg\w*|fog\w*|linger\w*|"
    r"wear\w*|system|alcohol|drink\w*|beer|wine|booze|quit\w*|stop\w*|dose\w*|gram\w*|capsule\w*|"
    r"teaspoon\w*|scoop\w*|dreamland|shut-eye|pillow|sunrise|dawn|breakfast|bloodstream|clear\w*|fade\w*|gone|trace|"
    r"haze|heavy|kick\w*|wean\w*|clean|detox\w*|taper\w*|heroin|fentanyl|oxy\w*|percocet|methadone|painkiller\w*|"
    r"\d+(?:\.\d+)?\s*(?:g|mg))\b",
    re.IGNORECASE,
)
_SLOGAN = re.compile(r"^\W*(no|zero|not|never|non-\w+|free of|without)\b", re.IGNORECASE)
_AMOUNT = (r"(\d+(?:\.\d+)?(?:\s*(?:-|to)\s*\d+(?:\.\d+)?)?\s*(?:g|grams?|mg|capsules?|caps|pills?|teaspoons?|tsp|"
           r"tablespoons?|scoops?|cups?)|(?:one|two|three|four|five|six|half an?|a|an)\s+(?:level\s+|heaped\s+)?"
           r"(?:grams?|capsules?|caps|teaspoons?|tablespoons?|scoops?|spoons?))\b")
_DOSING = [
    re.compile(r"^\W*(?:(?:just|simply|then|so|now)\s+|for [^,]{1,40},\s*)?(?:take|start with|try|mix|swallow|"
               r"drink|use|stir|add|dose|stick to|increase|go up to|work up to)\b.{0,60}?" + _AMOUNT,
               re.IGNORECASE),
    re.compile(r"^\W*(?:(?:just|simply)\s+|for [^,]{1,40},\s*)?(?:take|swallow|drink|use)\b.{0,60}?"
               r"\b(?:before (?:bed|sleep|sleeping|bedtime)|at (?:bed|bedtime|night)|every (?:night|evening)|"
               r"each (?:night|evening)|minutes before|an hour before)", re.IGNORECASE),
    re.compile(r"\b(?:we|i) (?:recommend|suggest|advise)\b.{0,60}?" + _AMOUNT, re.IGNORECASE),
    re.compile(r"\b(?:you|users|beginners|people) should (?:take|use|start|stick|stay)\b.{0,60}?" + _AMOUNT,
               re.IGNORECASE),
    re.compile(r"\b(?:ideal|best|right|optimal|perfect|recommended|correct|nightly)\b[\w\s-]{0,20}"
               r"\b(?:dose|dosage|amount)\b(?: for [\w\s]{1,20})? (?:is|are)\b.{0,20}?" + _AMOUNT, re.IGNORECASE),
    re.compile(r"^\W*(?:do not|don't|never)\s+(?:take|go|exceed|use)\b.{0,30}?(?:more than|above|over|beyond)?\s*"
               + _AMOUNT, re.IGNORECASE),
    re.compile(r"^\W*(?:just\s+)?(?:one|two|three|a|1|2|3)\s+(?:scoop|capsule|teaspoon|spoon)s?\s+before\b",
               re.IGNORECASE),
]

SCHEDULE = re.compile(r"\b(?:(?:\d+|an?|one|two|half an?)\s+(?:minutes?|hours?)\s+)?(?:before|at|every|each)\s+"
                       r"(?:bed|bedtime|sleep|sleeping|night|evening)\b", re.IGNORECASE)
"""The schedule of a dose instruction ("an hour before bed", "at bedtime"): in a dosing sentence it says
when, not what kratom does, so its words do not gate a sleep claim."""


def is_dosing_advice(sentence: str) -> bool:
    """Whether the sentence instructs a dose: an imperative or recommendation with an amount or a
    schedule ("Take 5 grams an hour before bed", "the ideal dose is 3 g"); reports of what people
    took ("participants took 2 g") are not advice."""
    text = sentence.replace("\u2019", "'")
    return not text.rstrip().endswith("?") and any(p.search(text) for p in _DOSING)


def is_check_worthy(sentence: str, about_kratom: bool) -> bool:
    """Cue-word test: an assertion about kratom (or, in a kratom text, "it", or a verbless slogan
    such as "No hangover, no grogginess") with an effect, safety, pharmacology or dose word; or a
    dose instruction."""
    if sentence.rstrip().endswith("?"):
        return False
    if is_dosing_advice(sentence):
        return True
    has_subject = bool(_SUBJECT.search(sentence)) or (
        about_kratom and bool(_PRONOUN.search(sentence) or _SLOGAN.search(sentence)))
    return has_subject and bool(_CLAIM_CUE.search(sentence))
