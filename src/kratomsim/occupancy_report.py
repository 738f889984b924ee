"""The nightly receptor-occupancy result: one frozen value behind ``kratomsim receptors``, ``/api/receptors``
and the facade's ``occupancy_report``.

:func:`occupancy_report` is the one function that builds it: the typical subject's nights
(:func:`kratomsim.receptors.summarise_night`), the population's medians and intervals when more than one
subject is asked for (:func:`kratomsim.receptors.occupancy_intervals`) and, at the mu receptor, the headline
interval and the positive control (:func:`kratomsim.occupancy_interval.headline`). It predicts; it never
recommends a dose.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, time
from typing import Any

import pandas as pd

from kratomsim import receptors as rx
from kratomsim.errors import InputError
from kratomsim.exposure import Exposure
from kratomsim.occupancy_interval import headline

INSTANTS = ("bedtime", "peak", "wake")
QUANTITIES = ("occupancy_percent", "stimulus_percent")
FRAME_COLUMNS = ("night", "instant", "quantity", "clock", "percent", "median", "low", "high")


@dataclass(frozen=True)
class OccupancyAsked:
    """What was asked, as given (the text forms the JSON repeats)."""

    product: str
    dose: str
    at: str
    wake: str
    nights: int


@dataclass(frozen=True)
class OccupancyReport:
    """Receptor occupancy and stimulus night by night; ``to_dict`` is the JSON form (CLI and web)."""

    asked: OccupancyAsked
    summary: Mapping[str, Any]  # the typical subject: receptor, data set, nights, sensitivity, notes, sources
    population: Mapping[str, Any] | None = None  # with subjects > 1: median and interval per night
    headline: Mapping[str, Any] = field(default_factory=dict)  # at mu: the peak interval and the positive control
    plot: str | None = None  # the plot file written, if any
    # The simulated nightly exposure and its sleep windows (not serialised): the plots and the chart read them.
    exposure: Exposure | None = field(default=None, repr=False, compare=False)
    windows: tuple[tuple[datetime, datetime], ...] = field(default=(), repr=False)

    @property
    def receptor(self) -> str:
        return str(self.summary["receptor"])

    @property
    def data_set(self) -> str:
        return str(self.summary["data_set"])

    @property
    def nights(self) -> list[dict[str, Any]]:
        return list(self.summary["nights"])

    @property
    def sources(self) -> tuple[str, ...]:
        """Reference keys of every data set used: binding and efficacy constants, the between-subject spreads
        (with a population) and the positive-control study (at mu), merged and sorted."""
        keys = set(self.summary["sources"])
        if self.population is not None:
            keys |= set(self.population["variability_sources"])
        control = self.headline.get("positive_control")
        if control:
            keys.add(str(control["study"]))
        return tuple(sorted(keys))

    def to_dict(self) -> dict[str, Any]:
        """The JSON form (``kratomsim receptors --json``); its ``sources`` are the receptor data's own keys."""
        a = self.asked
        out: dict[str, Any] = {"product": a.product, "dose": a.dose, "at": a.at, "wake": a.wake,
                               "nights_requested": a.nights, **self.summary}
        if self.population is not None:
            out["population"] = dict(self.population)
        if self.plot is not None:
            out["plot"] = self.plot
        out.update(self.headline)
        return out

    def to_frame(self) -> pd.DataFrame:
        """One row per night, instant (bedtime, peak, wake-up) and quantity (occupancy, stimulus) in percent;
        with a population, its median and interval beside the typical subject's value (empty where none)."""
        spread = {n["night"]: n for n in (self.population or {}).get("nights", [])}
        rows = []
        for night in self.nights:
            for instant in INSTANTS:
                point = night[instant]
                cells = spread.get(night["night"], {}).get(instant, {})
                for quantity in QUANTITIES:
                    cell = cells.get(quantity, {})
                    rows.append({"night": night["night"], "instant": instant, "quantity": quantity,
                                 "clock": point["clock"], "percent": point[quantity],
                                 **{k: cell.get(k, float("nan")) for k in ("median", "low", "high")}})
        return pd.DataFrame(rows, columns=list(FRAME_COLUMNS))


def occupancy_report(
    exposure: Exposure,
    asked: OccupancyAsked,
    wake: time,
    binding: tuple[str, str | None, str] = ("mu", None, "default"),
    subjects: int = 1,
    **population: Any,
) -> OccupancyReport:
    """The nights' occupancy of ``binding`` = (receptor, binding data set or None, unbound-fraction scenario).

    With ``subjects`` > 1 the population (keywords ``seed``, ``level``, ``dask_address``, ``progress``) adds the
    median and interval over people. Bad receptor, data set or scenario, or no night before the last wake-up,
    is an :class:`InputError`.
    """
    receptor, data_set, fu = binding
    rec = check_binding(receptor, data_set, fu)
    summary = rx.summarise_night(exposure, rec, data_set, fu, wake=wake)
    if not summary["nights"]:
        raise InputError("the simulation ends before the first wake-up; check the bedtime and wake-up times")
    spread = None
    if subjects > 1:
        spread = rx.occupancy_intervals(exposure, wake, rec, data_set, fu, subjects=subjects, **population)
    return OccupancyReport(asked=asked, summary=summary, population=spread,
                           headline=headline(exposure.conc_nM, rec), exposure=exposure,
                           windows=tuple(rx.night_windows(exposure, wake)))


def check_binding(receptor: str, data_set: str | None, fu: str) -> str:
    """The receptor's canonical name, after checking it, its binding data set and the unbound-fraction scenario."""
    rec = rx.check_receptor(receptor)
    rx.get_set(data_set, rec)
    if fu not in rx.FU_SCENARIOS:
        raise InputError(f"unknown unbound-fraction scenario {fu!r}; accepted: {', '.join(rx.FU_SCENARIOS)}")
    return rec
