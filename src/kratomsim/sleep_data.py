"""The owner of the sleep data files: opioid polysomnography, the reference opioids and the sleep medicines' PSG.

One pydantic model per file, on the shared :mod:`kratomsim.schema` (cited values, references, every
source key a listed reference). The readers (:mod:`kratomsim.sleep_architecture`,
:mod:`kratomsim.sleep_size`, :mod:`kratomsim.sleep_prediction`, :mod:`kratomsim.sleep_medicines`) take
the raw mapping from the checked loaders below, so each file is validated once per process and a
malformed number fails at load with its path in the file. The format is in ``docs/data-format.md``.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from kratomsim.datafiles import load_data_file
from kratomsim.schema import CitedFile, CitedValue, VerifiedFrom, load_validated

OPIOID_PSG = "opioid_psg.yaml"
REFERENCE_OPIOIDS = "reference_opioids.yaml"
SLEEP_MEDICINE_PSG = "sleep_medicine_psg.yaml"

_CLOSED = ConfigDict(extra="forbid", frozen=True)
Direction = Literal[-1, 0, 1]
NotReached = Literal["not_reached"]
Finite = Annotated[float, Field(allow_inf_nan=False)]


class _Closed(BaseModel):
    model_config = _CLOSED


class Count(CitedValue):
    """A cited head count, night count or week count: a whole number of at least one."""

    value: float = Field(ge=1, le=1_000_000, allow_inf_nan=False)

    @model_validator(mode="after")
    def _whole(self) -> Count:
        if self.value != int(self.value):
            raise ValueError(f"a count must be a whole number, not {self.value}")
        return self


class Amount(CitedValue):
    """A cited dose or rate: finite and above zero."""

    value: float = Field(gt=0, allow_inf_nan=False)


class PValue(CitedValue):
    value: float = Field(gt=0, le=1, allow_inf_nan=False)


class CitedRange(_Closed):
    """A published low-high range, each end a cited amount."""

    low: Amount
    high: Amount

    @model_validator(mode="after")
    def _ordered(self) -> CitedRange:
        if self.low.value > self.high.value:
            raise ValueError(f"low {self.low.value} is above high {self.high.value}")
        return self


class CitedMean(_Closed):
    """A published group mean with its spread (sd or se), as the abstract gives it."""

    mean: float = Field(allow_inf_nan=False)
    sd: float | None = Field(default=None, ge=0, allow_inf_nan=False)
    se: float | None = Field(default=None, ge=0, allow_inf_nan=False)
    source: str
    where: str


class CitedSeries(_Closed):
    """Published values night by night (e.g. a stage share on nights 1-3)."""

    values: list[Finite] = Field(min_length=1)
    source: str
    where: str


class PsgOutcome(_Closed):
    """One sleep outcome of one arm: the reported direction and, where reached, the numbers."""

    direction: Direction
    note: str | None = None
    unit: str | None = None
    p_below: PValue | None = None
    placebo: CitedMean | NotReached | None = None
    drug: CitedMean | None = None
    baseline: CitedMean | None = None
    drug_by_night: CitedSeries | None = None
    comparator_by_night: CitedSeries | None = None
    night3_drug: CitedMean | None = None
    night3_comparator: CitedMean | None = None


class PsgArm(_Closed):
    drug: str = Field(min_length=1)
    route: str = Field(min_length=1)
    dose_mg: Amount | None = None
    dose_mg_per_kg: Amount | None = None
    dose_mg_per_70kg: Amount | None = None
    daily_dose_mg: Amount | None = None
    rate_ug_per_kg_min: CitedRange | None = None
    outcomes: dict[str, PsgOutcome] = Field(min_length=1)


class PsgStudy(_Closed):
    """One opioid polysomnography study: design, head count, arms with their outcomes."""

    source: str
    where: str
    verified_from: VerifiedFrom
    secondary: str | None = None
    design: str
    population: str
    n: Count
    timing: str
    chronic: bool = False
    arms: list[PsgArm] = Field(min_length=1)
    weeks_on_drug: CitedRange | None = None
    dose_note: str | None = None
    tolerance: str | None = None
    withdrawal: str | None = None
    stimulus_note: str | None = None
    comparison_note: str | None = None


class OpioidPsgFile(CitedFile):
    model_config = _CLOSED

    placebo_note: str
    studies: dict[str, PsgStudy] = Field(min_length=1)


class Percent(CitedValue):
    value: float = Field(ge=0, le=100, allow_inf_nan=False)


class Efficacy(CitedValue):
    """Intrinsic efficacy relative to the full-agonist reference (0 to 1)."""

    value: float = Field(ge=0, le=1, allow_inf_nan=False)


class MuBinding(_Closed):
    ki: Amount
    efficacy: Efficacy


class BoundPercent(_Closed):
    """Published plasma-protein binding (%); ``default`` says which end the model uses and why."""

    values: list[Percent] = Field(min_length=1)
    default: str = Field(min_length=1)
    reason: str = Field(min_length=1)


class ReferenceOpioid(_Closed):
    medicine: str | None = None
    mu: MuBinding | NotReached
    plasma_bound_percent: BoundPercent | None = None
    pk: NotReached | None = None


class ReferenceOpioidsFile(CitedFile):
    model_config = _CLOSED

    opioids: dict[str, ReferenceOpioid] = Field(min_length=1)


class MedicineOutcome(_Closed):
    direction: Direction
    note: str | None = None
    change_percent_points_at_most: CitedValue | None = None


class MedicinePsgStudy(_Closed):
    """One sleep medicine's PSG study: population, head count, dose, and the outcomes' directions."""

    source: str
    where: str
    verified_from: VerifiedFrom
    population: str
    n: Count
    dose_mg: Amount
    nights: Count | None = None
    contrast: str
    outcomes: dict[str, MedicineOutcome] = Field(min_length=1)


class MedicinePsg(_Closed):
    studies: list[MedicinePsgStudy] = Field(min_length=1)


class SleepMedicinePsgFile(CitedFile):
    model_config = _CLOSED

    medicines: dict[str, MedicinePsg] = Field(min_length=1)


SLEEP_SCHEMAS: dict[str, type[CitedFile]] = {
    OPIOID_PSG: OpioidPsgFile,
    REFERENCE_OPIOIDS: ReferenceOpioidsFile,
    SLEEP_MEDICINE_PSG: SleepMedicinePsgFile,
}


def _checked(name: str) -> dict[str, Any]:
    load_validated(name, SLEEP_SCHEMAS[name])  # cached: validated once per process
    return load_data_file(name)  # cached too; read-only


def opioid_psg() -> dict[str, Any]:
    """The raw content of data/opioid_psg.yaml, after it passed :class:`OpioidPsgFile`."""
    return _checked(OPIOID_PSG)


def reference_opioids() -> dict[str, Any]:
    """The raw content of data/reference_opioids.yaml, after it passed :class:`ReferenceOpioidsFile`."""
    return _checked(REFERENCE_OPIOIDS)


def sleep_medicine_psg() -> dict[str, Any]:
    """The raw content of data/sleep_medicine_psg.yaml, after it passed :class:`SleepMedicinePsgFile`."""
    return _checked(SLEEP_MEDICINE_PSG)
