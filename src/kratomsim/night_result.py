"""The night report's result: everything it shows, as one frozen value with its JSON and table forms."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import pandas as pd

from kratomsim.datafiles import references
from kratomsim.night_request import NightRequest
from kratomsim.night_rows import NightRow
from kratomsim.night_timeline import GRID, Timeline, fmt_clock
from kratomsim.scenario import Scenario
from kratomsim.steady_nights import STEADY_STATE_METHOD


@dataclass(frozen=True)
class NightReport:
    """Everything the night report shows; ``to_dict`` is the JSON form (the CLI and the web app)."""

    scenario: Scenario  # the typed kratom scenario that was simulated (doses, clock, weight)
    request: NightRequest  # what was asked, as given (the text forms the JSON repeats)
    timeline: Timeline  # the nights' clock: first dose, nights, hours to wake-up and morning
    nights: list[NightRow]
    steady_state: dict[str, dict[str, Any]]
    occupancy: dict[str, Any] | None
    warnings: list[str]
    notes: list[str]
    evidence: list[dict[str, Any]]
    comedication_warnings: list[str]
    summary: str
    sources: list[dict[str, str]]
    # For plots only (not serialised): hours, clock times, concentrations (nM) and molecular weights.
    series: dict[str, Any] = field(default_factory=dict, repr=False)
    windows: list[tuple[datetime, datetime]] = field(default_factory=list, repr=False)
    # With subjects > 1: median and interval per night and compound (see population_nights).
    population: dict[str, Any] | None = None
    # Mitragynine's own CYP3A4 inactivation: switch, statement, activity per night, optional table.
    autoinhibition: dict[str, Any] | None = None
    # Predicted sleep-stage changes from the opioid bridge (kratomsim.sleep_prediction).
    sleep_architecture: dict[str, Any] | None = None
    # The simulated nightly exposure (not serialised): the plots read its curves instead of re-simulating.
    exposure: Any = field(default=None, repr=False, compare=False)
    comedications: tuple[str, ...] = ()  # the medicines taken beside kratom, as given

    def rows_for(self, compound: str) -> list[NightRow]:
        return [r for r in self.nights if r.compound == compound]

    def population_for(self, compound: str) -> list[dict[str, Any]]:
        """Population rows of one compound, night by night (empty for one subject or a medicine)."""
        return [r for r in (self.population or {}).get("nights", []) if r["compound"] == compound]

    def compounds(self) -> list[str]:
        return list(dict.fromkeys(r.compound for r in self.nights))

    def to_dict(self) -> dict[str, Any]:
        out = {
            "scenario": self.describe(),
            "summary": self.summary,
            "warnings": self.warnings,
            "nights": [r.to_dict() for r in self.nights],
            "steady_state": {"method": STEADY_STATE_METHOD, "compounds": self.steady_state},
            "occupancy": self.occupancy,
            "comedication_warnings": self.comedication_warnings,
            "evidence": self.evidence,
            "notes": self.notes,
            "sources": self.sources,
            "sleep_windows": [{"bed": fmt_clock(b), "wake": fmt_clock(w)} for b, w in self.windows],
        }
        if self.population is not None:
            out["population"] = self.population
        if self.autoinhibition is not None:
            out["autoinhibition"] = self.autoinhibition
        if self.sleep_architecture is not None:
            out["sleep_architecture"] = self.sleep_architecture
        return out

    def describe(self) -> dict[str, Any]:
        """The scenario as the JSON shows it: what was asked and what it resolved to."""
        sc, asked = self.scenario, self.request
        return {
            "product": sc.product.name if sc.product else None,
            "product_id": sc.product.id if sc.product else None,
            "dose": str(sc.dose),
            "product_spec": asked.product,
            "dose_text": asked.dose,
            "alkaloid_mg_per_dose": sc.alkaloid_doses_mg(),
            "at": asked.at,
            "wake": asked.wake,
            "morning": asked.morning,
            "nights": self.timeline.nights,
            "weight_kg": sc.weight_kg,
            "first_dose": fmt_clock(self.timeline.first_dose),
            "hours_dose_to_wake": self.timeline.to_wake_h,
            "comedications": list(self.comedications),
            "grid": GRID,
        }

    def mornings(self) -> list[datetime]:
        """The morning instant of each night (where the plots draw the morning line)."""
        return [self.timeline.clock(self.timeline.morning_h(n)) for n in range(1, self.timeline.nights + 1)]

    def to_frame(self) -> pd.DataFrame:
        """The nightly rows as a tidy table: one row per night and compound."""
        return pd.DataFrame([r.to_dict() for r in self.nights])

    @property
    def source_keys(self) -> list[str]:
        """The reference keys of the data the report used."""
        return [s["key"] for s in self.sources]


def source_list(keys: Iterable[str]) -> list[dict[str, str]]:
    """Each reference key with its short citation, sorted: the 'sources' of a result."""
    refs = references()
    return [
        {"key": k, "citation": refs[k].short() if k in refs else "(reference not in the registry)"}
        for k in sorted(set(keys))
    ]
