"""What kratom does to medicines taken the same night: CYP3A4 and CYP2D6 inhibition by mitragynine.

Two models, both from in vitro inhibition constants (``data/cyp_inhibition.yaml``), neither fitted to
any clinical interaction study: the FDA 2020 guidance's **mechanistic static model** and a
**dynamic** enzyme-turnover model stepped exactly over the simulated mitragynine time course of a
nightly regimen. It predicts exposure ratios; it says nothing about what anyone should take.

The public face of the interactions room; each job lives in its own module:

* :mod:`kratomsim.interactions_data`: ``cyp_inhibition.yaml``, its schema, the named assumptions
  and the central/weakest/strongest inhibition parameter sets;
* :mod:`kratomsim.interactions_equations`: the guidance's equations and the enzyme step (pure);
* :mod:`kratomsim.interactions_victims`: victims read from the typed medicines library;
* :mod:`kratomsim.interactions_models`: the static and dynamic models over a typed ``Scenario``;
* :mod:`kratomsim.interactions_report`: the typed :class:`InteractionReport`, night-report warnings,
  and the one string adapter the edges share.
"""

from __future__ import annotations

from kratomsim.interactions_data import (
    ABSORPTION_WINDOW_H,
    ASSUMPTIONS,
    DATA_FILE,
    DEFAULT_VICTIM_HALF_LIFE_H,
    DEFAULT_WAKE,
    ENZYMES,
    GUIDANCE_FA_FG,
    GUIDANCE_KA_PER_H,
    GUIDANCE_QEN_L_PER_H,
    GUIDANCE_QH_L_PER_H,
    GUT_LUMEN_L,
    INHIBITOR,
    TDI,
    InhibitionParameters,
    data_sources,
    inhibitor_molecular_weight,
    parameter_sets,
)
from kratomsim.interactions_equations import (
    gut_lumen_uM,
    gut_ratio,
    gut_wall_uM,
    hepatic_inlet_unbound_uM,
    inactivation_rate,
    liver_ratio,
    mechanistic_static_aucr,
    oral_one_compartment_ng_per_mL,
    reversible_term,
    step_enzyme,
    tdi_term,
)
from kratomsim.interactions_models import (
    InhibitorCourse,
    Prediction,
    _ratios,
    _Terms,
    dynamic_prediction,
    inhibitor_course,
    kratom_regimen,
    mitragynine_cmax_uM,
    mitragynine_dose_umol,
    predict,
    static_prediction,
)
from kratomsim.interactions_report import (
    InteractionReport,
    NextMorning,
    comedication_warnings,
    interaction,
    next_morning,
)
from kratomsim.interactions_victims import (
    Victim,
    VictimPk,
    get_victim,
    known_victims,
    medicines_without_pathway,
    victims,
)
from kratomsim.medicines_data import InhibitorStudy, fm_from_auc_ratio

__all__ = [
    "ABSORPTION_WINDOW_H", "ASSUMPTIONS", "DATA_FILE", "DEFAULT_VICTIM_HALF_LIFE_H", "DEFAULT_WAKE", "ENZYMES",
    "GUIDANCE_FA_FG", "GUIDANCE_KA_PER_H", "GUIDANCE_QEN_L_PER_H", "GUIDANCE_QH_L_PER_H", "GUT_LUMEN_L", "INHIBITOR",
    "TDI", "InhibitionParameters", "InhibitorCourse", "InhibitorStudy", "InteractionReport", "NextMorning",
    "Prediction", "Victim", "VictimPk", "_Terms", "_ratios", "comedication_warnings", "data_sources",
    "dynamic_prediction", "fm_from_auc_ratio", "get_victim", "gut_lumen_uM", "gut_ratio", "gut_wall_uM",
    "hepatic_inlet_unbound_uM", "inactivation_rate", "inhibitor_course", "inhibitor_molecular_weight",
    "interaction", "known_victims", "kratom_regimen", "liver_ratio",
    "mechanistic_static_aucr", "medicines_without_pathway", "mitragynine_cmax_uM", "mitragynine_dose_umol",
    "next_morning", "oral_one_compartment_ng_per_mL", "parameter_sets", "predict", "reversible_term",
    "static_prediction", "step_enzyme", "tdi_term", "victims",
]
