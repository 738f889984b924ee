"""The shared shape of the cited data files: one reference type, one cited-value type, one loader.

Each shipped YAML file gets a pydantic model (in the module that owns the file) built from these
pieces, and is validated once when first loaded, so a malformed number fails at load with its path,
not deep inside a simulation. The format itself is described in ``docs/data-format.md``.
"""

from __future__ import annotations

from functools import cache
from typing import Any, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from kratomsim.datafiles import load_data_file

VerifiedFrom = Literal["table", "abstract", "secondary"]


class CitedReference(BaseModel):
    """A published source: a paper (DOI and/or PMID) or a label or notice (notes such as a trial
    registry or funding are kept as extra keys)."""

    model_config = ConfigDict(extra="allow", frozen=True)

    citation: str
    doi: str | None = None
    pmid: str | None = None
    label: str | None = None

    @model_validator(mode="after")
    def _identified(self) -> CitedReference:
        if not (self.doi or self.pmid or self.label):
            raise ValueError("a reference needs a doi, a pmid or a label")
        return self


class CitedValue(BaseModel):
    """A number with its unit, its source (a reference key) and where in the source it stands.

    ``low``/``high`` are a published range or interval, ``sd`` a published spread; extra keys
    (notes, n, the statistic's name) are kept, since files add context the model does not read.
    """

    model_config = ConfigDict(extra="allow", frozen=True)

    value: float = Field(allow_inf_nan=False)
    unit: str | None = None
    source: str
    where: str
    verified_from: VerifiedFrom | None = None
    low: float | None = Field(default=None, allow_inf_nan=False)
    high: float | None = Field(default=None, allow_inf_nan=False)
    sd: float | None = Field(default=None, ge=0, allow_inf_nan=False)

    @model_validator(mode="after")
    def _ordered(self) -> CitedValue:
        if self.low is not None and self.high is not None and self.low > self.high:
            raise ValueError(f"low {self.low} is above high {self.high}")
        return self


class CitedFile(BaseModel):
    """The part every data file shares: its references, and a check that each cited key exists."""

    model_config = ConfigDict(extra="allow", frozen=True)

    references: dict[str, CitedReference]

    @model_validator(mode="before")
    @classmethod
    def _sources_known(cls, raw: Any) -> Any:
        if isinstance(raw, dict):
            known = set(raw.get("references") or {})
            missing = sorted(_cited_keys(raw) - known)
            if missing:
                raise ValueError(f"sources not in references: {', '.join(missing)}")
        return raw


def _cited_keys(node: Any) -> set[str]:
    found: set[str] = set()
    if isinstance(node, dict):
        if isinstance(node.get("source"), str) and "where" in node:
            found.add(node["source"])
        for key, value in node.items():
            if key != "references":
                found |= _cited_keys(value)
    elif isinstance(node, list):
        for value in node:
            found |= _cited_keys(value)
    return found


Model = TypeVar("Model", bound=CitedFile)


class DataFileError(ValueError):
    """A shipped data file does not match its schema: a defect in the package, not user input."""


def validate_data(name: str, model: type[Model], content: dict[str, Any]) -> Model:
    """``content`` checked against ``model``; the first problem named with its path in the file."""
    try:
        return model.model_validate(content)
    except ValidationError as err:
        first = err.errors()[0]
        where = "/".join(str(part) for part in first["loc"]) or "top level"
        raise DataFileError(f"data/{name}: {where}: {first['msg']} ({err.error_count()} problem(s))") from None


@cache
def _load(name: str, model: type[CitedFile]) -> CitedFile:
    return validate_data(name, model, load_data_file(name))


def load_validated(name: str, model: type[Model]) -> Model:
    """The shipped file ``name`` validated against ``model`` (once per process)."""
    loaded = _load(name, model)
    assert isinstance(loaded, model)
    return loaded
