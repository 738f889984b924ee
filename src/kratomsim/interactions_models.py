"""The two interaction models over a kratom regimen: mechanistic static and dynamic (enzyme turnover).

Both take a typed :class:`~kratomsim.scenario.Scenario` (the nightly kratom regimen: product, dose,
clock time, number of nights) and a victim, and give a :class:`Prediction` with its range from the
central, weakest and strongest inhibition sets and the victim's fm/Fg ranges. Neither is fitted to
any clinical interaction study.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from kratomsim.errors import InputError
from kratomsim.exposure import run
from kratomsim.interactions_data import (
    ABSORPTION_WINDOW_H,
    ASSUMPTIONS,
    DEFAULT_VICTIM_HALF_LIFE_H,
    ENZYMES,
    GUIDANCE_FA_FG,
    GUIDANCE_QEN_L_PER_H,
    GUIDANCE_QH_L_PER_H,
    INHIBITOR,
    InhibitionParameters,
    data_sources,
    inhibitor_molecular_weight,
    parameter_sets,
)
from kratomsim.interactions_equations import (
    FloatArray,
    gut_wall_uM,
    hepatic_inlet_unbound_uM,
    mechanistic_static_aucr,
    reversible_term,
    step_enzyme,
    tdi_term,
)
from kratomsim.interactions_victims import Victim, get_victim
from kratomsim.library import kratom_dispositions
from kratomsim.scenario import Scenario, make_scenario
from kratomsim.units import mg_to_umol


@dataclass(frozen=True)
class Prediction:
    """Predicted exposure change of a victim taken with kratom, with its range and its reasons."""

    victim: str
    model: str
    auc_ratio: float
    cmax_ratio: float
    auc_ratio_low: float
    auc_ratio_high: float
    cmax_ratio_low: float
    cmax_ratio_high: float
    gut_term: float
    liver_term: float
    site: str
    enzyme: str
    nights: int
    kratom_dose: str
    product: str | None
    active_metabolite: str | None = None
    active_metabolite_auc_ratio: float | None = None
    inhibitor_conc_uM: dict[str, float] = field(default_factory=dict)
    next_morning: dict[str, Any] | None = None
    assumptions: tuple[str, ...] = ASSUMPTIONS
    sources: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """The prediction as the JSON shows it (the same as :meth:`as_dict`)."""
        return self.as_dict()

    def as_dict(self) -> dict[str, Any]:
        return {
            "victim": self.victim,
            "model": self.model,
            "auc_ratio": self.auc_ratio,
            "cmax_ratio": self.cmax_ratio,
            "auc_ratio_low": self.auc_ratio_low,
            "auc_ratio_high": self.auc_ratio_high,
            "cmax_ratio_low": self.cmax_ratio_low,
            "cmax_ratio_high": self.cmax_ratio_high,
            "site": self.site,
            "enzyme": self.enzyme,
            "gut_term": self.gut_term,
            "liver_term": self.liver_term,
            "nights": self.nights,
            "kratom_dose": self.kratom_dose,
            "product": self.product,
            "active_metabolite": self.active_metabolite,
            "active_metabolite_auc_ratio": self.active_metabolite_auc_ratio,
            "inhibitor_conc_uM": self.inhibitor_conc_uM,
            "next_morning": self.next_morning,
            "assumptions": list(self.assumptions),
            "sources": list(self.sources),
        }


@dataclass(frozen=True)
class _Terms:
    gut_activity: float
    liver_activity: dict[str, float]


def _victim_bounds(victim: Victim) -> tuple[Victim, Victim]:
    """(least sensitive, most sensitive) versions of the victim from its fm and Fg ranges."""
    fm_lo, fm_hi = victim.fm_range or (victim.fm, victim.fm)
    fg_lo, fg_hi = victim.fg_range or (victim.fg, victim.fg)
    return replace(victim, fm=fm_lo, fg=fg_hi), replace(victim, fm=fm_hi, fg=fg_lo)


def _ratios(victim: Victim, terms: _Terms) -> tuple[float, float, float, float | None]:
    """AUCR, gut term, liver term and (prodrugs) the active-metabolite AUC ratio."""
    fg = victim.fg if "CYP3A4" in victim.fm else 1.0
    aucr, g, h = mechanistic_static_aucr(victim.fm, fg, terms.gut_activity, terms.liver_activity)
    metabolite = None
    if victim.active_enzyme is not None:
        metabolite = terms.liver_activity.get(victim.active_enzyme, 1.0) * aucr
    return aucr, g, h, metabolite


def _static_terms(
    p: InhibitionParameters, dose_umol: float, cmax_uM: float
) -> tuple[_Terms, dict[str, float]]:
    i_h = hepatic_inlet_unbound_uM(cmax_uM, dose_umol, p.fu, rb=p.rb)
    i_g = gut_wall_uM(dose_umol)
    liver: dict[str, float] = {}
    for enzyme in ENZYMES:
        c = float(reversible_term(i_h, p.ki_uM[enzyme])) if enzyme in p.ki_uM else 1.0
        a = 1.0
        if "liver" in p.tdi.get(enzyme, {}):
            t = p.tdi[enzyme]["liver"]
            a = tdi_term(i_h, t.ki_uM, t.kinact_per_h, p.kdeg_per_h[enzyme]["liver"])
        liver[enzyme] = a * c
    gut_c = float(reversible_term(i_g, p.ki_uM["CYP3A4"]))
    gut_a = 1.0
    if "gut" in p.tdi.get("CYP3A4", {}):
        t = p.tdi["CYP3A4"]["gut"]
        gut_a = tdi_term(i_g, t.ki_uM, t.kinact_per_h, p.kdeg_per_h["CYP3A4"]["gut"])
    return _Terms(gut_a * gut_c, liver), {"hepatic_inlet_unbound": i_h, "gut_wall": i_g}


def _site_and_enzyme(victim: Victim, g: float, h: float) -> tuple[str, str]:
    site = "gut" if g > h else "liver"
    if "CYP3A4" in victim.fm and (site == "gut" or len(victim.enzymes) == 1):
        return site, "CYP3A4"
    return site, max(victim.fm, key=lambda e: victim.fm[e])


def _prediction(
    victim: Victim,
    model: str,
    central: tuple[float, float, float, float | None],
    weakest: tuple[float, float, float, float | None],
    strongest: tuple[float, float, float, float | None],
    nights: int,
    dose: str,
    product: str | None,
    inhibitor_conc_uM: dict[str, float],
    assumption: str,
) -> Prediction:
    """One Prediction from the (AUCR, gut, liver, metabolite) ratios under the central, weakest
    and strongest parameter sets; shared by the static and the dynamic model."""
    aucr, g, h, met = central
    lo, g_lo = weakest[0], weakest[1]
    hi, g_hi = strongest[0], strongest[1]
    site, enzyme = _site_and_enzyme(victim, g, h)
    return Prediction(
        victim=victim.name,
        model=model,
        auc_ratio=aucr,
        cmax_ratio=g,
        auc_ratio_low=min(lo, aucr),
        auc_ratio_high=max(hi, aucr),
        cmax_ratio_low=min(g_lo, g),
        cmax_ratio_high=max(g_hi, g),
        gut_term=g,
        liver_term=h,
        site=site,
        enzyme=enzyme,
        nights=nights,
        kratom_dose=dose,
        product=product,
        active_metabolite=victim.active_metabolite,
        active_metabolite_auc_ratio=met,
        inhibitor_conc_uM=inhibitor_conc_uM,
        assumptions=(*ASSUMPTIONS, assumption),
        sources=tuple(sorted(set(data_sources()) | set(victim.sources))),
    )


@dataclass(frozen=True)
class InhibitorCourse:
    """Mitragynine over a regimen: unbound hepatic inlet and gut-lumen concentrations (uM)."""

    times_h: FloatArray
    plasma_uM: FloatArray
    gut_amount_umol: FloatArray
    interval_h: float
    ka_per_h: float


def _dynamic_terms(
    course: InhibitorCourse,
    p: InhibitionParameters,
    victim: Victim,
    t_victim_h: float,
) -> _Terms:
    """Time-resolved enzyme activity, averaged where the victim meets it."""
    t = course.times_h
    i_h = p.fu * (
        course.plasma_uM
        + GUIDANCE_FA_FG * course.ka_per_h * course.gut_amount_umol / GUIDANCE_QH_L_PER_H / p.rb
    )
    i_g = course.ka_per_h * course.gut_amount_umol / GUIDANCE_QEN_L_PER_H  # gut-wall inflow / Qen
    half_life = victim.half_life_h or DEFAULT_VICTIM_HALF_LIFE_H
    after = t - t_victim_h
    w_liver = np.where(after >= 0, np.exp(-math.log(2.0) * np.clip(after, 0, None) / half_life), 0.0)
    w_gut = ((after >= 0) & (after <= ABSORPTION_WINDOW_H)).astype(float)
    if w_gut.sum() == 0 or w_liver.sum() == 0:
        raise InputError("the victim dose falls outside the simulated nights")
    liver: dict[str, float] = {}
    for enzyme in ENZYMES:
        activity = reversible_term(i_h, p.ki_uM[enzyme]) if enzyme in p.ki_uM else np.ones_like(t)
        if "liver" in p.tdi.get(enzyme, {}):
            tdi = p.tdi[enzyme]["liver"]
            activity = activity * step_enzyme(
                t, i_h, tdi.ki_uM, tdi.kinact_per_h, p.kdeg_per_h[enzyme]["liver"]
            )
        liver[enzyme] = float(np.sum(activity * w_liver) / np.sum(w_liver))
    gut = reversible_term(i_g, p.ki_uM["CYP3A4"])
    if "gut" in p.tdi.get("CYP3A4", {}):
        tdi = p.tdi["CYP3A4"]["gut"]
        gut = gut * step_enzyme(t, i_g, tdi.ki_uM, tdi.kinact_per_h, p.kdeg_per_h["CYP3A4"]["gut"])
    return _Terms(float(np.sum(gut * w_gut) / np.sum(w_gut)), liver)


def kratom_regimen(product: str | None, dose: str, nights: int = 1, at: str = "22:30") -> Scenario:
    """The nightly kratom regimen the models run on, parsed once (at the edges and the string adapters)."""
    if isinstance(nights, bool) or not 1 <= int(nights) <= 365:
        raise InputError(f"nights must be a whole number from 1 to 365, got {nights!r}")
    return make_scenario(product=product, dose=dose, at=at, count=int(nights), grid="5min")


def mitragynine_dose_umol(scenario: Scenario) -> float:
    """Micromoles of mitragynine in one dose of the regimen (the only inhibitor with data)."""
    mg = scenario.alkaloid_doses_mg().get(INHIBITOR, 0.0)
    if mg <= 0:
        raise InputError(
            f"the dose {scenario.dose.label!r} holds no mitragynine, the only alkaloid with CYP inhibition data"
        )
    return mg_to_umol(mg, inhibitor_molecular_weight())


def _product_id(scenario: Scenario) -> str | None:
    return scenario.product.id if scenario.product is not None else None


def mitragynine_cmax_uM(scenario: Scenario) -> float:
    """Peak plasma mitragynine over the regimen, from the PK engine on the scenario's grid."""
    exposure = run(scenario)
    return float(np.max(exposure.conc_nM[INHIBITOR][0])) / 1000.0


def static_prediction(victim_name: str, scenario: Scenario) -> Prediction:
    """Mechanistic static model: the guidance's worst-case concentrations at the regimen's peak."""
    victim = get_victim(victim_name)
    dose_umol = mitragynine_dose_umol(scenario)
    cmax_uM = mitragynine_cmax_uM(scenario)
    sets = parameter_sets()
    central_terms, conc = _static_terms(sets["central"], dose_umol, cmax_uM)
    weak_v, strong_v = _victim_bounds(victim)
    return _prediction(
        victim,
        "static",
        central=_ratios(victim, central_terms),
        weakest=_ratios(weak_v, _static_terms(sets["weakest"], dose_umol, cmax_uM)[0]),
        strongest=_ratios(strong_v, _static_terms(sets["strongest"], dose_umol, cmax_uM)[0]),
        nights=scenario.count,
        dose=scenario.dose.label,
        product=_product_id(scenario),
        inhibitor_conc_uM={"cmax_plasma": cmax_uM, **conc},
        assumption="Mitragynine Cmax from the PK engine (kratomsim.exposure).",
    )


def inhibitor_course(scenario: Scenario, tail_h: float = 36.0, step_h: float = 1 / 60) -> InhibitorCourse:
    """Simulated plasma mitragynine and the amount still in the gut, on a fine grid."""
    nights = scenario.count
    horizon = (nights - 1) * scenario.interval_h + tail_h
    times = np.arange(0.0, horizon + step_h / 2, step_h)
    exposure = run(scenario, times_h=times)
    disposition = kratom_dispositions()[0][INHIBITOR]
    ka, lag = float(np.ravel(disposition.ka)[0]), float(disposition.lag)
    gut = np.zeros_like(times)
    for event in scenario.dose_events():
        if event.compound != INHIBITOR:
            continue
        amount = float(np.ravel(event.amount_umol)[0])
        dt = times - event.time_h
        gut += np.where(
            dt < 0, 0.0, np.where(dt < lag, amount, amount * np.exp(-ka * np.clip(dt - lag, 0, None)))
        )
    return InhibitorCourse(times, exposure.conc_nM[INHIBITOR][0] / 1000.0, gut, scenario.interval_h, ka)


def dynamic_prediction(
    victim_name: str, scenario: Scenario, victim_night: int | None = None, victim_offset_h: float = 0.0
) -> Prediction:
    """Enzyme-turnover model over the simulated nights; the victim is taken on ``victim_night``.

    The victim is taken ``victim_offset_h`` after that night's kratom dose (0: together); by
    default on the last night of the regimen.
    """
    victim = get_victim(victim_name)
    nights = scenario.count
    night = nights if victim_night is None else victim_night
    if not 1 <= night <= nights:
        raise InputError(f"the victim's night must be between 1 and {nights}, got {night}")
    mitragynine_dose_umol(scenario)  # refuses a dose without mitragynine
    course = inhibitor_course(scenario)
    t_v = (night - 1) * course.interval_h + victim_offset_h
    sets = parameter_sets()
    weak_v, strong_v = _victim_bounds(victim)
    return _prediction(
        victim,
        "dynamic",
        central=_ratios(victim, _dynamic_terms(course, sets["central"], victim, t_v)),
        weakest=_ratios(weak_v, _dynamic_terms(course, sets["weakest"], weak_v, t_v)),
        strongest=_ratios(strong_v, _dynamic_terms(course, sets["strongest"], strong_v, t_v)),
        nights=nights,
        dose=scenario.dose.label,
        product=_product_id(scenario),
        inhibitor_conc_uM={"cmax_plasma": float(course.plasma_uM.max())},
        assumption=(
            f"Dynamic model: victim taken {victim_offset_h:g} h after kratom on night {night}; gut "
            f"activity averaged over its first {ABSORPTION_WINDOW_H:g} h, liver activity weighted by "
            f"its elimination (half-life {victim.half_life_h or DEFAULT_VICTIM_HALF_LIFE_H:g} h"
            f"{'' if victim.half_life_h else ', assumed'})."
        ),
    )


def predict(victim: str, scenario: Scenario, dynamic: bool = True) -> Prediction:
    """Enzyme-turnover (dynamic) model by default; ``dynamic=False`` runs the mechanistic static model."""
    return dynamic_prediction(victim, scenario) if dynamic else static_prediction(victim, scenario)
