"""What the interaction model tells a person: the prediction, the victim's next-morning level, the study.

:func:`interaction` assembles a typed :class:`InteractionReport` from typed inputs: a
:class:`~kratomsim.scenario.Scenario`, the victim dose in mg and the wake-up clock. The edges (CLI
``interact``, the web ``/api/interact`` and the facade ``kratomsim.interaction``) parse the text.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, time
from typing import Any

import pandas as pd

from kratomsim.clinical_ddi import comparison, observed
from kratomsim.errors import InputError
from kratomsim.interactions_data import DEFAULT_WAKE
from kratomsim.interactions_equations import oral_one_compartment_ng_per_mL
from kratomsim.interactions_models import Prediction, dynamic_prediction, predict
from kratomsim.interactions_victims import get_victim
from kratomsim.medicines_data import medicine_names
from kratomsim.scenario import Scenario
from kratomsim.units import hours_after


@dataclass(frozen=True)
class NextMorning:
    """The victim's concentration at wake-up with and without kratom, or why there is none."""

    available: bool
    reason: str = ""
    wake: str = ""
    hours_after_dose: float = 0.0
    victim_dose_mg: float = 0.0
    without_kratom_ng_per_mL: float = 0.0
    with_kratom_ng_per_mL: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        if not self.available:
            return {"available": False, "reason": self.reason}
        return {"available": True, "wake": self.wake, "hours_after_dose": self.hours_after_dose,
                "victim_dose_mg": self.victim_dose_mg, "without_kratom_ng_per_mL": self.without_kratom_ng_per_mL,
                "with_kratom_ng_per_mL": self.with_kratom_ng_per_mL}


def next_morning(prediction: Prediction, victim_dose_mg: float | None, at: time, wake: time = DEFAULT_WAKE
                 ) -> NextMorning:
    """The victim's concentration at wake-up with and without kratom (when its PK is in the library)."""
    victim = get_victim(prediction.victim)
    dose_mg = victim_dose_mg if victim_dose_mg is not None else victim.typical_dose_mg
    if victim.pk is None or dose_mg is None:
        missing = "its PK (ka, CL/F, V/F)" if victim.pk is None else "a dose (give --victim-dose)"
        return NextMorning(False, reason=f"no next-morning estimate: the library lacks {missing}")
    t = hours_after(datetime.combine(datetime(2000, 1, 1).date(), at), wake)
    pk = victim.pk
    base_mg = dose_mg * pk.base_fraction
    without = oral_one_compartment_ng_per_mL(t, base_mg, pk.ka, pk.cl_over_f, pk.v_over_f)
    # Gut term raises the fraction absorbed intact; liver term lowers clearance.
    with_k = prediction.gut_term * oral_one_compartment_ng_per_mL(
        t, base_mg, pk.ka, pk.cl_over_f / prediction.liver_term, pk.v_over_f
    )
    return NextMorning(True, wake=wake.strftime("%H:%M"), hours_after_dose=t, victim_dose_mg=dose_mg,
                       without_kratom_ng_per_mL=without, with_kratom_ng_per_mL=with_k)


@dataclass(frozen=True)
class InteractionReport:
    """A prediction, the victim's next-morning level and the clinical study of the same design, if any."""

    prediction: Prediction
    next_morning: NextMorning
    clinical_study: dict[str, Any] | None = None

    @property
    def sources(self) -> tuple[str, ...]:
        """References behind every number in the report (the clinical study's included)."""
        extra = {self.clinical_study["source"]} if self.clinical_study else set()
        return tuple(sorted(set(self.prediction.sources) | extra))

    def to_dict(self) -> dict[str, Any]:
        payload = self.prediction.as_dict()
        payload["next_morning"] = self.next_morning.to_dict()
        payload["clinical_study"] = self.clinical_study
        payload["sources"] = list(self.sources)
        return payload

    def to_frame(self) -> pd.DataFrame:
        """One row per predicted ratio: central value and range."""
        p = self.prediction
        rows = [("AUC ratio", p.auc_ratio, p.auc_ratio_low, p.auc_ratio_high),
                ("Cmax ratio", p.cmax_ratio, p.cmax_ratio_low, p.cmax_ratio_high),
                ("gut term", p.gut_term, None, None), ("liver term", p.liver_term, None, None)]
        if p.active_metabolite_auc_ratio is not None:
            rows.append((f"{p.active_metabolite} AUC ratio", p.active_metabolite_auc_ratio, None, None))
        frame = pd.DataFrame(rows, columns=["quantity", "predicted", "low", "high"])
        return frame.assign(victim=p.victim, model=p.model, nights=p.nights)


def interaction(victim: str, scenario: Scenario, victim_dose_mg: float | None = None, wake: time = DEFAULT_WAKE,
                dynamic: bool = True) -> InteractionReport:
    """The prediction for ``victim`` taken with the last dose of ``scenario``, as a typed report.

    Examples
    --------
    >>> from kratomsim.interactions import interaction, kratom_regimen
    >>> report = interaction("midazolam", kratom_regimen("K51", "2g"))
    >>> report.prediction.enzyme, list(report.to_frame()["quantity"][:2])
    ('CYP3A4', ['AUC ratio', 'Cmax ratio'])
    >>> report.clinical_study["study"]
    'tanna2023cpt'
    """
    if wake == scenario.first_dose.time():
        raise InputError(f"wake-up time {wake:%H:%M} is the same as the dose time; give a different wake-up time")
    prediction = predict(victim, scenario, dynamic=dynamic)
    morning = next_morning(prediction, victim_dose_mg, scenario.first_dose.time(), wake)
    study = comparison(prediction.victim, scenario) if scenario.count == 1 else None
    return InteractionReport(prediction, morning, study)


def comedication_warnings(victims: Iterable[str], scenario: Scenario) -> list[str]:
    """One line per co-medication for the night report: predicted exposure change, range and why.

    The prediction is for the medicine taken with the last of the regimen's nightly kratom doses
    (the same terms the drawn "with kratom" curve uses); a clinical study of that design, if one
    exists, is quoted beside it. Unknown names raise InputError; library medicines with no
    CYP3A4/CYP2D6 pathway get a line that says no prediction is possible. Predictions, never advice.
    """
    lines: list[str] = []
    for name in victims:
        try:
            key = get_victim(name).name
        except InputError:
            if not _in_library(name):
                raise
            lines.append(f"{name}: no cited CYP3A4/CYP2D6 fraction metabolised in the library, so the "
                         "interaction model makes no prediction for it.")
            continue
        lines.append(_warning_line(dynamic_prediction(key, scenario), scenario))
    return lines


def _in_library(name: str) -> bool:
    """Whether ``name`` is a library medicine (exactly, or as the first part of its name)."""
    key = name.strip().lower()
    return any(n == key or n.split("_")[0] == key for n in medicine_names())


def _warning_line(p: Prediction, scenario: Scenario) -> str:
    nights = scenario.count
    where = "gut wall" if p.site == "gut" else "liver"
    when = f" on night {nights}" if nights > 1 else ""
    line = (f"{p.victim}: predicted AUC ratio {p.auc_ratio:.3g} (range {p.auc_ratio_low:.3g}-"
            f"{p.auc_ratio_high:.3g}) with {p.kratom_dose} of {p.product or 'kratom'}{when}, mostly {p.enzyme} "
            f"inhibition in the {where} (enzyme-turnover model from in vitro data).")
    seen = observed(p.victim, scenario)
    if seen is not None:
        line += (f" Observed in {seen['study']}: {seen['auc_ratio']:.3g} "
                 f"(90% CI {seen['ci90'][0]:.3g}-{seen['ci90'][1]:.3g}).")
    if p.active_metabolite and p.active_metabolite_auc_ratio is not None:
        line += (f" Its active metabolite {p.active_metabolite}: AUC ratio "
                 f"{p.active_metabolite_auc_ratio:.2g} (less of it is formed).")
    return line
