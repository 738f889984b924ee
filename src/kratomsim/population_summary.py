"""The typed, frozen summary of a population run: what the CLI, the web API and Python callers print.

Why: the JSON of ``kratomsim population`` was assembled inside the command; one summary type keeps
that shape in one place (``to_dict``), gives the same rows as a frame (``to_frame``) and names the
studies behind the spreads (``sources``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd

from kratomsim.populations import LINEAR_MODEL_NOTE, PopulationResult


@dataclass(frozen=True)
class PopulationSummary:
    """Nightly metric quantiles of a run with the facts needed to read them."""

    result: PopulationResult
    wake_offset_h: float
    content: str | None = None
    notes: tuple[str, ...] = ()

    @classmethod
    def of(cls, result: PopulationResult, wake_offset_h: float, content: str | None = None,
           notes: Sequence[str] = ()) -> PopulationSummary:
        return cls(result, float(wake_offset_h), content, tuple(notes))

    @property
    def sources(self) -> list[str]:
        """Reference keys of the between-subject and content spreads used."""
        return self.result.sources()

    def to_frame(self) -> pd.DataFrame:
        """One row per night, compound and metric: median, low and high over all subjects."""
        return self.result.metrics_table()

    def to_dict(self) -> dict[str, Any]:
        """The JSON of ``kratomsim population --json``."""
        r = self.result
        return {
            "scenario": r.scenario.describe(), "subjects": r.subjects, "seed": r.seed,
            "level": r.level, "wake_offset_h": self.wake_offset_h, "elapsed_s": r.elapsed_s,
            "defective_subjects": r.defective, "band_subjects": r.band_subjects,
            "metrics": self.to_frame().to_dict(orient="records"), "sources": self.sources,
            "content": self.content, "notes": list(self.notes), "model": LINEAR_MODEL_NOTE,
        }
