"""The text edge of the night report and of the comparison of aids: the keyword forms that the CLI,
web and Python facade call with what a person typed. Each reads the text once into typed values
(:class:`~kratomsim.medicines_dosing.MedicineDose`, :class:`~kratomsim.aid_entries.Aid`) and calls the
typed library functions (:func:`~kratomsim.night_assembly.assemble_night`,
:func:`~kratomsim.aid_comparison.compare`). It predicts and explains; it never recommends a dose.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import date

from kratomsim.aid_comparison import CompareSetting, Comparison, check_aids, compare
from kratomsim.aid_entries import Aid, read_aid
from kratomsim.night_assembly import assemble_night
from kratomsim.night_medicines import parse_comedication
from kratomsim.night_request import NightClock, NightOptions, NightRequest, plan_night
from kratomsim.night_result import NightReport
from kratomsim.night_timeline import make_timeline


def night_report(
    product: str = "K51", dose: str = "2g", at: str = "22:30", wake: str = "06:30", nights: int = 7,
    morning: str = "09:00", weight: str = "70kg", start_date: str | date | None = None,
    comedications: Sequence[str] = (), subjects: int = 1, seed: int = 0, level: float = 0.90,
    dask_address: str | None = None, progress: bool = False, extrapolate: bool = False,
    autoinhibition: bool | None = None, autoinhibition_effect: bool = False,
) -> NightReport:
    """Keyword form of :func:`assemble_night`: co-medications such as 'zolpidem:10mg' are read here,
    before anything is simulated (an unknown name lists the known medicines)."""
    request = NightRequest(at, wake, nights, morning, weight, start_date, product=product, dose=dose)
    meds = tuple(parse_comedication(spec) for spec in comedications)
    options = NightOptions(meds, subjects, seed, level, dask_address, progress, extrapolate,
                           autoinhibition, autoinhibition_effect)
    return assemble_night(plan_night(request, autoinhibition, extrapolate), options)


def compare_aids(
    aids: Sequence[str], at: str = "22:30", wake: str = "06:30", nights: int = 7, morning: str = "09:00",
    weight: str = "70kg", start_date: str | date | None = None, subjects: int = 1, seed: int = 0,
    level: float = 0.90, dask_address: str | None = None, progress: bool = False,
) -> Comparison:
    """Keyword form of :func:`compare`: each aid ('kratom:K51:2g', 'zolpidem:10mg') is read here."""
    typed = [read_aid(a) for a in aids]
    check_aids(typed)
    setting = CompareSetting(at, wake, nights, morning, weight, start_date)
    timeline = make_timeline(at, wake, nights, morning, start_date)
    clock = replace(setting, nights=timeline.nights, start_date=timeline.first_dose.date())
    options = NightOptions(subjects=subjects, seed=seed, level=level, dask_address=dask_address, progress=progress)
    return compare([on_clock(a, clock) for a in typed], setting, timeline, options)


def on_clock(aid: Aid, clock: NightClock) -> Aid:
    """A kratom aid with its night read on the comparison's clock (a medicine aid as it is)."""
    if aid.medicine is not None:
        return aid
    return replace(aid, plan=plan_night(NightRequest.on(clock, aid.product or "K51", aid.dose or "")))
