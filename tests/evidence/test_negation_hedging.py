"""Negation and hedging rules (pure functions: no model needed)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kratomsim.evidence import claims
from kratomsim.evidence.audit import FLIP, is_hedged, is_negated, sentence_denies


@pytest.mark.parametrize(
    ("sentence", "claim_id", "negated"),
    [
        ("Kratom helps you fall asleep.", "falls_asleep", False),
        ("Kratom does not help you fall asleep.", "falls_asleep", True),
        ("Kratom won't help you sleep.", "falls_asleep", True),
        ("Kratom is non-addictive.", "no_dependence", False),
        ("Kratom does NOT cause dependence.", "no_dependence", False),
        ("Kratom causes dependence.", "no_dependence", True),
        ("It is a myth that kratom carries no risk of dependence.", "no_dependence", True),
        ("Kratom is an addiction-free herb.", "no_dependence", False),
        ("Kratom is not an opioid.", "not_opioid", False),
        ("Mitragynine is a mu-opioid receptor agonist.", "not_opioid", True),
        ("Kratom does not bind opioid receptors, so it cannot cause opioid effects.", "not_opioid", False),
        ("Kratom has never killed anyone.", "safer_than_opioids", False),
        ("Kratom is not a safe substitute for sleeping pills.", "safer_than_opioids", True),
        ("For evening relaxation, nothing beats red vein kratom.", "red_strains_sedating", False),
    ],
)
def test_negation_relative_to_claim(sentence: str, claim_id: str, negated: bool) -> None:
    assert is_negated(sentence, claims()[claim_id]) is negated


def test_denial_of_a_contradicted_claim_is_supported() -> None:
    assert FLIP["contradicted"] == "supported"
    assert FLIP["supported"] == "contradicted"
    assert FLIP["mixed"] == "mixed" and FLIP["unsupported"] == "unsupported"


@pytest.mark.parametrize(
    ("sentence", "hedged"),
    [
        ("Kratom may help you sleep.", True),
        ("Some users report that kratom calms them.", True),
        ("Kratom is reportedly sedating.", True),
        ("Vendors claim kratom is safe.", True),
        ("Kratom helps you sleep.", False),
        ("Kratom can cause dependence.", False),
    ],
)
def test_hedging(sentence: str, hedged: bool) -> None:
    assert is_hedged(sentence) is hedged


@given(st.sampled_from(["it is not true that ", "there is no truth in saying ", "nobody can say "]),
       st.booleans())
def test_denying_a_denial_affirms(prefix: str, use_prefix: bool) -> None:
    """Negation is counted by parity: denying "kratom is not addictive" affirms addiction."""
    sentence = (prefix if use_prefix else "") + "kratom is not addictive"
    assert sentence_denies(sentence, ("addict",)) is (not use_prefix)


@given(st.sampled_from(["Kratom", "Red kratom", "This herb"]),
       st.sampled_from([("helps you sleep", "help you sleep"), ("brings deep sleep", "bring deep sleep"),
                        ("eases pain at night", "ease pain at night")]))
def test_not_flips_an_affirmative_sentence(subject: str, predicate: tuple[str, str]) -> None:
    focus = ("sleep", "pain", "night")
    assert not sentence_denies(f"{subject} {predicate[0]}.", focus)
    assert sentence_denies(f"{subject} does not {predicate[1]}.", focus)


@pytest.mark.parametrize(
    ("sentence", "claim_id", "negated"),
    [
        # double negatives
        ("Kratom isn't non-addictive.", "no_dependence", True),
        ("It's not true that kratom has no withdrawal.", "no_withdrawal", True),
        ("Kratom is not without risk of dependence.", "no_dependence", True),
        # "non-"
        ("Kratom is non-addictive and has no withdrawal symptoms.", "no_dependence", False),
        ("Kratom is non-addictive and has no withdrawal symptoms.", "no_withdrawal", False),
        ("Kratom is a non-habit-forming herb.", "no_dependence", False),
        # "free of" (and "free" alone is no negation)
        ("Kratom is free of addiction risk.", "no_dependence", False),
        ("Kratom comes free with every order and is addictive.", "no_dependence", True),
        # "without"
        ("Kratom lets you sleep without any risk of dependence.", "no_dependence", False),
        ("Kratom helps you sleep without grogginess.", "falls_asleep", False),
        # "no X and no Y"
        ("No addiction and no withdrawal.", "no_dependence", False),
        ("No addiction and no withdrawal.", "no_withdrawal", False),
        ("No addiction, but withdrawal when you stop.", "no_withdrawal", True),
        # stems that deny without a negation word, and their negation
        ("Mixing kratom with alcohol is dangerous.", "safe_with_sleep_meds", True),
        ("There is no problem mixing kratom with alcohol.", "safe_with_sleep_meds", False),
        ("Kratom wears off by morning.", "no_next_day_effects", False),
        ("Kratom does not wear off by morning.", "no_next_day_effects", True),
        ("Kratom lingers into the next morning.", "no_next_day_effects", True),
        ("Kratom never leaves you feeling heavy in the morning.", "no_next_day_effects", False),
        ("Kratom leaves no trace by the time your alarm goes off.", "no_next_day_effects", False),
        ("Kratom's effects fade within hours, so your mornings stay clear.", "no_next_day_effects", False),
        ("Kratom does not clear the body by morning.", "no_next_day_effects", True),
        ("Kratom is still in your bloodstream when you wake up.", "no_next_day_effects", True),
        # receptor action is its own claim
        ("Kratom's alkaloids bind opioid receptors.", "binds_opioid_receptors", False),
        ("Kratom's alkaloids never touch your opioid receptors.", "binds_opioid_receptors", True),
    ],
)
def test_polarity_patterns(sentence: str, claim_id: str, negated: bool) -> None:
    assert is_negated(sentence, claims()[claim_id]) is negated


@pytest.mark.parametrize(
    ("sentence", "hedged"),
    [
        ("Apparently kratom is not an opioid.", True),
        ("I don't think kratom is safe with alcohol.", True),
        ("Users often say kratom helps with stress.", True),
        ("Kratom is not an opioid.", False),
    ],
)
def test_more_hedges(sentence: str, hedged: bool) -> None:
    assert is_hedged(sentence) is hedged


@given(st.integers(min_value=0, max_value=2))
def test_stacked_negations_count_by_parity(depth: int) -> None:
    """Each "it is not true that" wrapped around "kratom is addictive" flips what is asserted (a cue
    reaches 10 tokens, so two wrappers is the deepest that holds)."""
    sentence = "it is not true that " * depth + "kratom is addictive"
    assert sentence_denies(sentence, ("addict",)) is (depth % 2 == 1)


@given(st.sampled_from(["no", "not", "never", "without", "free of"]),
       st.sampled_from(["withdrawal", "addiction", "hangover"]),
       st.sampled_from(["withdrawal", "addiction", "hangover"]))
def test_each_cue_negates_its_own_noun(cue: str, first: str, second: str) -> None:
    """In "<cue> X and <cue> Y" both are denied; in "<cue> X and Y" only X is."""
    focus = (first[:6], second[:6])
    assert sentence_denies(f"{cue} {first} and {cue} {second}", focus)
    assert sentence_denies(f"{cue} {first} and {cue} {second}", (second[:6],))
    if first != second:
        assert not sentence_denies(f"{cue} {first} and {second}", (second[:6],))
