"""What the night report was asked for: the clock as given, the product and dose as typed, and how to compute it.

Shared by the night report (:mod:`kratomsim.night_assembly`), its result (:mod:`kratomsim.night_result`)
and the comparison of sleep aids (:mod:`kratomsim.aid_comparison`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, fields
from datetime import date

from kratomsim.market import check_oral_seven_oh
from kratomsim.medicines_dosing import MedicineDose
from kratomsim.night_timeline import Timeline, make_timeline
from kratomsim.scenario import Scenario, make_scenario


@dataclass(frozen=True)
class NightClock:
    """The clock of the nights, as given: dose time, wake-up, nights, morning, body weight and first day.
    Shared by the night report and the comparison of sleep aids."""

    at: str = "22:30"
    wake: str = "06:30"
    nights: int = 7
    morning: str = "09:00"
    weight: str = "70kg"
    start_date: str | date | None = None


@dataclass(frozen=True)
class NightRequest(NightClock):
    """What the reader asked for, as given (the text forms the CLI, web and API edges pass on)."""

    product: str = "K51"
    dose: str = "2g"

    @classmethod
    def on(cls, clock: NightClock, product: str, dose: str) -> NightRequest:
        """This product and dose on that clock."""
        return cls(**{f.name: getattr(clock, f.name) for f in fields(NightClock)}, product=product, dose=dose)


@dataclass(frozen=True)
class NightPlan:
    """The request read once at an edge (:func:`kratomsim.night_edge.plan_night`) into typed values:
    the nights' clock and one dose of the product (its dose, body weight, clock time and autoinhibition
    switch), which the night report puts on that clock."""

    request: NightRequest  # the text as given, which the JSON and the words repeat
    timeline: Timeline
    regimen: Scenario  # one dose, undated, 24 h on the default grid: the single dose of steady state


def plan_night(request: NightRequest, autoinhibition: bool | None = None, extrapolate: bool = False) -> NightPlan:
    """Read the request's text once: the 7-OH refusal first, then the clock, then the product and dose
    (each mistake an InputError naming what is accepted). The text form of :class:`NightPlan`."""
    check_oral_seven_oh(request.dose, extrapolate)
    timeline = make_timeline(request.at, request.wake, request.nights, request.morning, request.start_date)
    regimen = make_scenario(product=request.product, dose=request.dose, at=request.at, count=1,
                            weight=request.weight, hours=24.0, autoinhibition=autoinhibition)
    return NightPlan(request, timeline, regimen)


@dataclass(frozen=True)
class NightOptions:
    """How to compute it: medicines beside kratom, the population, autoinhibition and its table."""

    comedications: Sequence[MedicineDose] = ()  # read from their text at the edge (night_edge, CLI, web)
    subjects: int = 1
    seed: int = 0
    level: float = 0.90
    dask_address: str | None = None
    progress: bool = False
    extrapolate: bool = False
    autoinhibition: bool | None = None
    autoinhibition_effect: bool = False
