"""The night report in plain sentences: exposure and accumulation, never advice.

Prose lives here, beside the plots, so the numbers (``kratomsim.night_report``) and the words that
describe them change for their own reasons.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from typing import Any

from kratomsim.library import MITRAGYNINE, SEVEN_OH
from kratomsim.night_result import NightReport

CLOSING = (
    "These are model predictions from apparent parameters fitted to small published studies; they "
    "describe exposure, not benefit or safety."
)


def _g(x: float) -> str:
    """Three significant figures, plain."""
    if not math.isfinite(x):
        return "-"
    return f"{x:.3g}"


def _hm(clock: str) -> str:
    return clock[-5:]


def _iv(cell: dict[str, float], unit: str = "") -> str:
    """'150 nM (60-380)': median, then the interval."""
    return f"{_g(cell['median'])}{unit} ({_g(cell['low'])}-{_g(cell['high'])})"


def _plural(n: int) -> str:
    return "s" if n != 1 else ""


def _plain(value: float, unit: str = "") -> str:
    return f"{_g(value)}{unit}"


def _last_night_sentence(n_last: int, last: Mapping[str, Any], cell: Callable[..., str], mass_form: str) -> str:
    """The last night's bedtime, peak and wake-up levels and its exposure against night 1; ``cell`` writes
    one number (plain, or median with interval) and ``mass_form`` places the wake-up level in ng/mL."""
    return (
        f" On night {n_last} the bedtime level is {cell(last['at_dose_nM'], ' nM')}, the peak "
        f"{cell(last['peak_nM'], ' nM')} and the wake-up level {cell(last['wake_nM'], ' nM')}"
        f"{mass_form.format(cell(last['wake_ng_per_mL'], ' ng/mL'))}; exposure over the sleep window is "
        f"{cell(last['auc_ratio_vs_night1'])} times night 1's."
    )


def _steady_sentence(ss: dict[str, Any] | None, lead: str) -> str:
    """How many nights the nightly exposure takes to reach 90% of its steady state (empty without one)."""
    if not ss:
        return ""
    return (f" {lead} exposure reaches 90% of its steady state after {ss['nights_to_90pct']} "
            f"night{_plural(ss['nights_to_90pct'])} ({_g(ss['days_to_90pct'])} days).")


def plain_summary(report: NightReport) -> str:
    """The numbers in plain sentences: exposure and accumulation, never advice."""
    parts = [_opening(report)]
    featured = [c for c in (MITRAGYNINE, SEVEN_OH) if report.rows_for(c)] or report.compounds()[:1]
    featured += [r.compound for r in report.nights if r.kind == "medicine" and r.night == 1]
    for name in featured:
        if report.population_for(name):
            parts.append(_population_sentence(report, name))
        else:
            parts.append(_compound_sentence(report, name))
    occupancy = _occupancy_sentence(report.occupancy, report.population is not None)
    if occupancy:
        parts.append(occupancy)
    parts += report.warnings
    parts.append(CLOSING)
    return "\n".join(parts)


def _opening(report: NightReport) -> str:
    """Who takes what, when, and (with a population) how the intervals read."""
    sc, at, wake = report.scenario, report.request.at, report.request.wake
    n_last, to_wake = report.timeline.nights, _g(report.timeline.to_wake_h)
    mg = sc.alkaloid_doses_mg().get(MITRAGYNINE)
    what = f"{sc.dose} of {sc.product.name}" if sc.product else str(sc.dose)
    mg_text = f" ({_g(mg)} mg mitragynine)" if mg else ""
    nights_text = "one night" if n_last == 1 else f"{n_last} nights"
    pop = report.population
    if pop:
        lo_pct, hi_pct = pop["interval_percent"]
        return (
            f"Predicted for {pop['subjects']:,} simulated {sc.weight_kg:g} kg adults (seed {pop['seed']}) taking "
            f"{what}{mg_text} at {at} for {nights_text}, waking at {wake} "
            f"({to_wake} h after the dose): median, with the {lo_pct:.3g}-{hi_pct:.3g}% "
            "prediction interval in brackets."
        )
    return (
        f"Predicted for a {sc.weight_kg:g} kg adult taking {what}{mg_text} at {at} for {nights_text}, "
        f"waking at {wake} ({to_wake} h after the dose)."
    )


def _compound_sentence(report: NightReport, name: str) -> str:
    """One compound's nights in words, for the typical subject."""
    rows = report.rows_for(name)
    first, last = rows[0], rows[-1]
    text = (
        f"{name.capitalize()}: on night 1 it peaks at {_g(first.peak_nM)} nM ({_g(first.peak_ng_per_mL)} "
        f"ng/mL) at {_hm(first.peak_clock)}; at wake-up {_g(first.wake_nM)} nM is left, "
        f"{_g(100 * first.fraction_of_peak_at_wake)}% of the peak."
    )
    if len(rows) > 1:
        text += _last_night_sentence(report.timeline.nights, last.to_dict(), _plain, " ({})")
    text += f" At {_hm(last.morning_clock)} it is {_g(last.morning_nM)} nM."
    return text + _steady_sentence(report.steady_state.get(name), "The nightly")


def _occupancy_sentence(occ: dict[str, Any] | None, with_population: bool) -> str | None:
    """The last night's modelled receptor occupancy at bedtime, the peak and wake-up."""
    if not occ or not occ["nights"]:
        return None
    o = occ["nights"][-1]
    shares = o["peak"]["share_of_occupied_percent"]
    top = max(shares, key=lambda k: shares[k]) if shares else None
    typical = " for the typical subject (kratomsim receptors --subjects gives intervals)" if with_population else ""
    text = (
        f"Modelled {occ['receptor']}-opioid receptor occupancy on night {o['night']}{typical}: "
        f"{_g(o['bedtime']['occupancy_percent'])}% at bedtime, {_g(o['peak']['occupancy_percent'])}% at the "
        f"peak ({_hm(o['peak']['clock'])}) and {_g(o['wake']['occupancy_percent'])}% at wake-up"
    )
    if top:
        text += f"; {top} holds {_g(shares[top])}% of the occupied receptors at the peak"
    sens = occ.get("sensitivity_peak_occupancy_percent")
    if sens:
        text += (
            f" (peak {_g(sens['min'])}% to {_g(sens['max'])}% across binding data sets and "
            "unbound-fraction assumptions)"
        )
    return text + "."


def _population_sentence(report: NightReport, name: str) -> str:
    """One alkaloid's nights in words, each number with its interval across the simulated people."""
    n_last = report.timeline.nights
    rows = report.population_for(name)
    typical = report.rows_for(name)
    first, last = rows[0], rows[-1]
    pct = {q: 100 * v for q, v in first["fraction_of_peak_at_wake"].items()}
    text = (
        f"{name.capitalize()}: on night 1 the peak is {_iv(first['peak_nM'], ' nM')}, "
        f"{_iv(first['peak_ng_per_mL'], ' ng/mL')}, around {_hm(typical[0].peak_clock)} for the typical "
        f"subject; at wake-up {_iv(first['wake_nM'], ' nM')} is left, {_iv(pct, '%')} of the peak."
    )
    if len(rows) > 1:
        text += _last_night_sentence(n_last, last, _iv, ", {}")
    text += f" At {_hm(typical[-1].morning_clock)} it is {_iv(last['morning_nM'], ' nM')}."
    return text + _steady_sentence(report.steady_state.get(name), "For the typical subject the nightly")
