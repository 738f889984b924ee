"""One pydantic model per shipped data file that the core owns, on the shared :mod:`kratomsim.schema`.

Each model checks what its owner module reads (the numbers it turns into parameters) and keeps the
rest as extra keys, so a mistyped number fails at load with its path in the file, not mid-simulation.
Owners: compounds/products/pk_parameters/studies -> :mod:`kratomsim.library`, products' surveys ->
:mod:`kratomsim.market`, pk_evidence -> :mod:`kratomsim.calibrate`, variability ->
:mod:`kratomsim.populations`, receptors -> :mod:`kratomsim.receptors`, tea_extraction ->
:mod:`kratomsim.tea`.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from kratomsim.datafiles import load_data_file
from kratomsim.schema import CitedFile, CitedValue, load_validated

_OPEN = ConfigDict(extra="allow", frozen=True)


class _Open(BaseModel):
    model_config = _OPEN


class FuPlasma(_Open):
    """Published unbound fractions of one compound; ``default`` names the source used."""

    default: str
    reason: str
    values: list[CitedValue] = Field(min_length=1)


class CompoundEntry(_Open):
    abbreviation: str = Field(min_length=1)
    formula: str = Field(min_length=1)
    molecular_weight: CitedValue
    configuration: Literal["3S", "3R"] | None = None
    fu_plasma: FuPlasma | None = None


class CompoundsFile(CitedFile):
    compounds: dict[str, CompoundEntry] = Field(min_length=1)


class Amount(_Open):
    """An alkaloid amount of a product (mg/g or mg per unit); the product carries its source."""

    value: float | None = Field(default=None, ge=0, allow_inf_nan=False)  # None when below_loq
    unit: str | None = None
    sd: float | None = Field(default=None, ge=0)
    below_loq: bool = False

    @model_validator(mode="after")
    def _quantified(self) -> Amount:
        if self.value is None and not self.below_loq:
            raise ValueError("an amount needs a value or below_loq: true")
        return self


class ProductEntry(_Open):
    name: str = Field(min_length=1)
    form: str
    source: str
    where: str
    verified_from: Literal["table", "abstract", "secondary"]
    kind: str = "leaf"
    basis: Literal["leaf", "tea_yield", "unit"] = "leaf"
    alkaloids_mg_per_g: dict[str, Amount] = Field(default_factory=dict)
    alkaloids_mg_per_unit: dict[str, Amount] = Field(default_factory=dict)


class SurveyEntry(_Open):
    source: str
    where: str


class ProductsFile(CitedFile):
    products: dict[str, ProductEntry] = Field(min_length=1)
    surveys: dict[str, SurveyEntry] = Field(default_factory=dict)


class FittedParameter(_Open):
    value: float = Field(gt=0, allow_inf_nan=False)
    unit: str
    ci90: tuple[float, float] | None = None


class PkFit(_Open):
    model: str
    source: str
    where: str
    parameters: dict[str, FittedParameter] = Field(min_length=1)


class PkParametersFile(CitedFile):
    compounds: dict[str, PkFit] = Field(min_length=1)


class SevenOhFormation(_Open):
    systemic_share: CitedValue
    urinary_unchanged_percent: CitedValue


class Cyp3a4Share(_Open):
    fm: CitedValue


class AutoinhibitionSwitch(_Open):
    default_on: bool


class PkEvidenceFile(CitedFile):
    seven_oh_formation: SevenOhFormation
    mitragynine_cyp3a4: Cyp3a4Share
    autoinhibition: AutoinhibitionSwitch


class Allometry(_Open):
    source: str
    where: str
    reference_weight: CitedValue
    clearance_exponent: CitedValue
    volume_exponent: CitedValue


class SharedBioavailability(_Open):
    """The statistics whose spreads split into a shared F part and CL, V parts (variability_structure)."""

    cl: str
    volume: str
    half_life: str


class FormationSpread(_Open):
    statistic: str
    method: Literal["range_n_minus"]
    minus: str


class MetaboliteSpread(_Open):
    """A formed metabolite: its clearance spread from one statistic, its formation spread by difference."""

    compound: str
    cl: str
    formation: FormationSpread


class VariabilityStudy(_Open):
    """Which published statistics (in studies.yaml) give each parameter's between-subject spread, and how."""

    study: str = Field(min_length=1)
    n_from: str = Field(min_length=1)
    method: Literal["range_n", "mean_sd"]
    parameters: dict[str, str] = Field(default_factory=dict)
    shared_bioavailability: SharedBioavailability | None = None
    metabolite: MetaboliteSpread | None = None


class BetweenSubject(_Open):
    default: str
    reason: str
    studies: dict[str, VariabilityStudy] = Field(min_length=1)

    @model_validator(mode="after")
    def _default_known(self) -> BetweenSubject:
        if self.default not in self.studies:
            raise ValueError(f"default {self.default!r} is not one of the studies: {', '.join(self.studies)}")
        return self


class VariabilityFile(CitedFile):
    allometry: Allometry
    between_subject: BetweenSubject


class ReceptorsFile(CitedFile):
    receptors: dict[str, dict[str, object]] = Field(min_length=1)
    defaults: dict[str, dict[str, object]] = Field(min_length=1)
    data_sets: dict[str, dict[str, object]] = Field(min_length=1)
    positive_control: dict[str, dict[str, object]] = Field(min_length=1)


class StudyEntry(_Open):
    title: str
    source: str
    where: str
    product: str | None = None
    form: str | None = None


class StudiesFile(CitedFile):
    studies: dict[str, StudyEntry] = Field(min_length=1)


class TeaDefault(_Open):
    estimate: str
    reason: str


class TeaFraction(_Open):
    """A tea/methanol extraction fraction: a single value or published low/high bounds."""

    source: str
    where: str
    verified_from: Literal["table", "abstract", "secondary"]
    value: float | None = Field(default=None, gt=0, le=1)
    low: float | None = Field(default=None, gt=0, le=1)
    high: float | None = Field(default=None, gt=0, le=1)

    @model_validator(mode="after")
    def _given(self) -> TeaFraction:
        if self.value is None and (self.low is None or self.high is None):
            raise ValueError("a fraction needs a value or both low and high")
        return self


class TeaEstimate(_Open):
    fraction: TeaFraction


class TeaMitragynine(_Open):
    estimates: dict[str, TeaEstimate] = Field(min_length=1)
    default: TeaDefault


class TeaExtractionFile(CitedFile):
    mitragynine: TeaMitragynine


CORE_SCHEMAS: dict[str, type[CitedFile]] = {
    "compounds.yaml": CompoundsFile,
    "products.yaml": ProductsFile,
    "pk_parameters.yaml": PkParametersFile,
    "pk_evidence.yaml": PkEvidenceFile,
    "variability.yaml": VariabilityFile,
    "receptors.yaml": ReceptorsFile,
    "studies.yaml": StudiesFile,
    "tea_extraction.yaml": TeaExtractionFile,
}


def checked_file(name: str) -> dict[str, Any]:
    """The raw content of a core data file, after it passed its schema (validated once per process)."""
    load_validated(name, CORE_SCHEMAS[name])
    return load_data_file(name)
