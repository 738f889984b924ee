"""Sign agreement, leave one study out: does the direction of each opioid PSG arm follow from the others?

Why: only two opioid studies give slow-wave-sleep numbers (kratomsim.sleep_size), too few for a
numeric check of four or more studies. Every acute study reports directions, so the direction layer
(kratomsim.sleep_architecture's stimulus thresholds) is checked on them. The rule was written down
(docs/sleep.md) before the comparison was run:

- every arm of every acute study, each outcome it reports a direction for;
- the arm's stimulus: computed for morphine arms with a bedtime dose, otherwise full (100 %), the
  assumption sleep_size makes for analgesic exposure;
- one study held out at a time; thresholds from the other studies' morphine arms; the predicted sign
  is predict_direction at the arm's stimulus, or None (not predicted);
- per study: compared, agreed, not predicted; fold error (compared + 1) / (agreed + 1), limit 2.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from functools import cache
from typing import Any

from kratomsim.sleep_architecture import Arm, predict_direction, psg_arms, thresholds

STATISTIC = "sign_agreement_loso"
LIMIT = 2.0
FULL_STIMULUS = 100.0  # percent: analgesic exposure of a drug the library cannot run (as in sleep_size)


@dataclass(frozen=True)
class SignCheck:
    """One arm-outcome of a held-out study: reported and predicted sign, and the stimulus used."""

    study: str
    drug: str
    outcome: str
    stimulus_percent: float
    stimulus_basis: str
    reported: int
    predicted: int | None


@dataclass(frozen=True)
class StudySigns:
    """A held-out study's tally: arm-outcomes compared, agreeing, and not predicted."""

    study: str
    compared: int
    agreed: int
    not_predicted: int
    source: str

    @property
    def fold_error(self) -> float:
        return (self.compared + 1) / (self.agreed + 1)


def _stimulus(arm: Arm) -> tuple[float, str]:
    if arm.stimulus_percent is not None:
        return arm.stimulus_percent, "computed (morphine PK and receptor model)"
    return FULL_STIMULUS, "taken as full stimulus (no PK/Ki in the library, or no bedtime dose)"


@cache
def sign_checks() -> tuple[SignCheck, ...]:
    """Every acute arm-outcome, predicted from the thresholds of the other studies."""
    out = []
    for arm in psg_arms():
        if arm.chronic:
            continue
        others = thresholds(exclude=arm.study)
        stim, basis = _stimulus(arm)
        for outcome, reported in arm.outcomes.items():
            th = others.get(outcome)
            predicted = None if th is None else predict_direction(stim, th)[0]
            out.append(SignCheck(arm.study, arm.drug, outcome, stim, basis, reported, predicted))
    return tuple(out)


def study_tallies() -> list[StudySigns]:
    """Per held-out study: compared, agreed and not-predicted counts."""
    sources = {a.study: a.source for a in psg_arms()}
    out = []
    for study in dict.fromkeys(c.study for c in sign_checks()):
        own = [c for c in sign_checks() if c.study == study]
        done = [c for c in own if c.predicted is not None]
        out.append(StudySigns(study, len(done), sum(c.predicted == c.reported for c in done),
                              len(own) - len(done), sources[study]))
    return out


def sign_rows() -> list[dict[str, Any]]:
    """validate rows (kind independent) for every held-out study with at least one compared sign."""
    return [{
        "study": t.study, "compound": "opioid (direction only)", "statistic": STATISTIC,
        "observed": float(t.compared), "predicted": float(t.agreed), "fold_error": t.fold_error,
        "limit": LIMIT, "unit": "arm-outcomes: compared (observed) and agreeing (predicted)",
        "source": t.source, "kind": "independent",
    } for t in study_tallies() if t.compared > 0]


def _by_outcome() -> dict[str, dict[str, int]]:
    out: dict[str, dict[str, int]] = {}
    for c in sign_checks():
        cell = out.setdefault(c.outcome, {"compared": 0, "agreed": 0, "not_predicted": 0})
        if c.predicted is None:
            cell["not_predicted"] += 1
        else:
            cell["compared"] += 1
            cell["agreed"] += int(c.predicted == c.reported)
    return out


def sign_summary() -> dict[str, Any]:
    """The whole check for night --json and docs: per study, per arm-outcome, and the totals."""
    tallies = study_tallies()
    compared = sum(t.compared for t in tallies)
    agreed = sum(t.agreed for t in tallies)
    return {
        "statistic": STATISTIC, "rule": "docs/sleep.md, fixed before the comparison", "limit": LIMIT,
        "compared": compared, "agreed": agreed, "not_predicted": sum(t.not_predicted for t in tallies),
        "agreement": agreed / compared if compared else None,
        "by_outcome": _by_outcome(),
        "per_study": [{**asdict(t), "fold_error": t.fold_error} for t in tallies],
        "checks": [asdict(c) for c in sign_checks()],
    }
