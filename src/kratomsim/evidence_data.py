"""The owner of ``data/evidence/*.yaml``: one pydantic model for the study files, one for the claim catalog.

Built on the shared :mod:`kratomsim.schema` (references, every cited source key a listed reference).
The readers (:mod:`kratomsim.evidence.library`, :mod:`kratomsim.sleep_architecture`,
:mod:`kratomsim.sleep_prediction`) take the raw mapping from :func:`evidence_file`, so each file is
validated once per process and a malformed entry fails at load with its path in the file. Checks that
span files (a claim's evidence keys name known studies, a study key used once) stay in the library,
which sees every file. The format is in ``docs/data-format.md``.

It sits beside the other owners, outside the ``evidence`` package: the sleep modules read
``evidence/sleep.yaml``, and importing anything inside that package first runs its ``__init__``,
which loads the audit and, through the night report, the sleep modules themselves (an import cycle).
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictInt, model_validator

from kratomsim.datafiles import load_data_file
from kratomsim.schema import CitedFile, CitedValue, DataFileError, VerifiedFrom, load_validated

EVIDENCE_DIR = "evidence/"
CLAIMS = "evidence/claims.yaml"
STUDY_FILES = ("dependence", "opioid_sleep", "pharmacology", "pk_timing", "regulatory", "sleep", "strains")

_CLOSED = ConfigDict(extra="forbid", frozen=True)
Finite = Annotated[float, Field(allow_inf_nan=False)]
Text = Annotated[str, Field(min_length=1)]


class _Closed(BaseModel):
    model_config = _CLOSED


class Quantity(_Closed):
    """An amount with its unit (a dose, a follow-up time); the study carries the source."""

    value: float = Field(gt=0, allow_inf_nan=False)
    unit: Text


class Dose(Quantity):
    drug: Text


class HeadCount(CitedValue):
    value: float = Field(ge=1, allow_inf_nan=False)


class Result(_Closed):
    """One reported result: a value (with its interval) or a mean with its sd, or a direction in words."""

    measure: Text
    value: Finite | None = None
    unit: str | None = None
    ci_low: Finite | None = None
    ci_high: Finite | None = None
    mean: Finite | None = None
    sd: float | None = Field(default=None, ge=0, allow_inf_nan=False)
    direction: str | None = None
    p_below: float | None = Field(default=None, gt=0, le=1, allow_inf_nan=False)
    source: str | None = None
    where: str | None = None
    verified_from: VerifiedFrom | None = None

    @model_validator(mode="after")
    def _reported(self) -> Result:
        if self.value is None and self.mean is None and self.direction is None:
            raise ValueError(f"result {self.measure!r} needs a value, a mean or a direction")
        if self.ci_low is not None and self.ci_high is not None and self.ci_low > self.ci_high:
            raise ValueError(f"ci_low {self.ci_low} is above ci_high {self.ci_high}")
        if (self.source is None) != (self.where is None):
            raise ValueError("a result's own source needs its where (and the reverse)")
        return self


class EvidenceStudy(_Closed):
    """One cited study or regulatory action, summarised in the project's own words."""

    title: Text
    source: Text
    where: Text
    verified_from: VerifiedFrom | None = None
    topic: Text
    design: Text
    population: str | None = None
    n: StrictInt | HeadCount | None = None
    n_controls: StrictInt | None = Field(default=None, ge=1)
    date: str | None = Field(default=None, pattern=r"^\d{4}-\d{2}-\d{2}$")
    doses: list[Dose] = Field(default_factory=list)
    daily_dose_stable_phase: Quantity | None = None
    days_followed: Quantity | None = None
    outcome: str | None = None
    results: list[Result] = Field(default_factory=list)
    effect: Text
    limitations: str | None = None
    night_note: str | None = None

    @model_validator(mode="after")
    def _counted(self) -> EvidenceStudy:
        if isinstance(self.n, int) and self.n < 1:
            raise ValueError(f"n must be at least 1, not {self.n}")
        return self


class EvidenceStudiesFile(CitedFile):
    model_config = _CLOSED

    studies: dict[str, EvidenceStudy] = Field(min_length=1)


Verdict = Literal["supported", "mixed", "unsupported", "contradicted", "not graded"]
Grading = Literal["fact", "dosing_advice"]


class ClaimEntry(_Closed):
    """A claim people make, with its verdict and the study keys (in the other evidence files) behind it."""

    statement: Text
    asserts: str | None = None
    opposite: str | None = None
    polarity: Literal["affirmative", "negative"] = "affirmative"
    focus: list[Text] = Field(default_factory=list)
    negation_focus: list[Text] = Field(default_factory=list)
    inverse_focus: list[Text] = Field(default_factory=list)
    requires: list[Text] = Field(default_factory=list)
    excludes: list[Text] = Field(default_factory=list)
    paraphrases: list[Text] = Field(default_factory=list)
    near_misses: list[Text] = Field(default_factory=list)
    verdict: Verdict
    grading: Grading = "fact"
    evidence_kind: Literal["direct", "indirect", "model"] = "direct"
    rationale: Text
    evidence: list[Text] = Field(min_length=1)

    @model_validator(mode="after")
    def _graded(self) -> ClaimEntry:
        if (self.verdict == "not graded") != (self.grading == "dosing_advice"):
            raise ValueError(f"verdict {self.verdict!r} with grading {self.grading!r}: a fact takes a graded "
                             "verdict, dosing advice takes 'not graded'")
        return self


class ClaimsFile(CitedFile):
    model_config = _CLOSED

    claims: dict[str, ClaimEntry] = Field(min_length=1)


EVIDENCE_SCHEMAS: dict[str, type[CitedFile]] = {
    CLAIMS: ClaimsFile,
    **{f"{EVIDENCE_DIR}{stem}.yaml": EvidenceStudiesFile for stem in STUDY_FILES},
}


def evidence_file(name: str) -> dict[str, Any]:
    """The raw content of ``data/<name>`` (e.g. ``evidence/sleep.yaml``) after it passed its schema.

    Validated once per process (cached); a shipped evidence file with no registered schema is refused.
    """
    model = EVIDENCE_SCHEMAS.get(name)
    if model is None:
        raise DataFileError(f"data/{name}: no schema registered; known: {', '.join(EVIDENCE_SCHEMAS)}")
    load_validated(name, model)
    return load_data_file(name)
