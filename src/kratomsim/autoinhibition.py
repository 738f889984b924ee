"""Mitragynine's inactivation of its own CYP3A4 clearance, with the interaction model's constants.

The constants (KI, kinact, reversible Ki, hepatic CYP3A4 turnover, plasma fu) are the ones
:mod:`kratomsim.interactions` uses for victims, read from :mod:`kratomsim.interactions_data`, so the two cannot
disagree. The CYP3A4 share of mitragynine clearance and the on/off decision live in
``data/pk_evidence.yaml``.
"""

from __future__ import annotations

from functools import cache

from kratomsim.data_schemas import checked_file
from kratomsim.interactions_data import GUIDANCE_QH_L_PER_H, INHIBITOR, parameter_sets
from kratomsim.pk.autoinhibition import SelfInactivation

ENZYME = "CYP3A4"
EVIDENCE_FILE = "pk_evidence.yaml"
STATEMENT = (
    "Autoinhibition on: mitragynine inactivates hepatic CYP3A4 (time-dependent, Tanna 2021 HLM "
    "constants, enzyme half-life 36 h), which lowers the CYP3A4 share of its own clearance (fm {fm:g}, "
    "a lower bound from ketoconazole in rats, Kamble 2023) and 7-hydroxymitragynine formation over "
    "repeated nights. Not modelled: the rise of mitragynine's first-pass availability (its gut and "
    "hepatic extraction are unknown), so the accumulation is if anything under-stated."
)
OFF_STATEMENT = "Autoinhibition off (--no-autoinhibition): the linear model, clearance constant over nights."


@cache
def evidence() -> dict[str, object]:
    return checked_file(EVIDENCE_FILE)


def default_on() -> bool:
    """Whether autoinhibition is on by default, as the evidence file decides."""
    return bool(evidence()["autoinhibition"]["default_on"])  # type: ignore[index]


def cyp3a4_fraction() -> float:
    """Share of mitragynine clearance through CYP3A4 (pk_evidence.yaml: mitragynine_cyp3a4.fm)."""
    return float(evidence()["mitragynine_cyp3a4"]["fm"]["value"])  # type: ignore[index]


@cache
def mitragynine_inactivation(parameter_set: str = "central") -> SelfInactivation:
    """The self-inactivation constants of mitragynine for one of the interaction parameter sets."""
    p = parameter_sets()[parameter_set]
    tdi = p.tdi[ENZYME]["liver"]
    return SelfInactivation(
        parent=INHIBITOR,
        fm=cyp3a4_fraction(),
        fu=p.fu,
        ki_reversible_uM=p.ki_uM[ENZYME],
        ki_uM=tdi.ki_uM,
        kinact_per_h=tdi.kinact_per_h,
        kdeg_per_h=p.kdeg_per_h[ENZYME]["liver"],
        qh_L_per_h=GUIDANCE_QH_L_PER_H,
        rb=p.rb,
    )


def statement(on: bool) -> str:
    """The assumption line every output that depends on the switch carries."""
    return STATEMENT.format(fm=cyp3a4_fraction()) if on else OFF_STATEMENT
