"""Validation: the model against every published statistic in the library.

For each study x compound x statistic: observed, predicted, fold error; and the geometric mean
fold error (GMFE) per statistic. The acceptance limits of the project are part of the output, so a
parameter change that worsens the fit shows up as a failed row.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import asdict, dataclass

import numpy as np

from kratomsim.library import kratom_dispositions, studies
from kratomsim.pk.model import Disposition, Formation
from kratomsim.studies import fold_error, observed_statistics, predict_statistics

# Limits from the project's acceptance criteria for Tanna 2022: exposure within 1.5-fold,
# timing within 2-fold.
LIMITS = {"cmax": 1.5, "auc_inf": 1.5, "t_half": 2.0, "tmax": 2.0}
GMFE_LIMITS = {"cmax": 1.25, "auc_inf": 1.25}


@dataclass(frozen=True)
class ValidationRow:
    study: str
    compound: str
    statistic: str
    observed: float
    predicted: float
    fold_error: float
    limit: float
    passed: bool
    unit: str = ""
    source: str = ""


def _kratom_rows() -> list[ValidationRow]:
    dispositions, formations = kratom_dispositions()
    rows: list[ValidationRow] = []
    for study_key, study in studies().items():
        observed = observed_statistics(study_key)
        if not observed:
            continue
        if study.get("dosing") == "single oral dose":
            predicted = predict_statistics(study_key, dispositions, formations)
        else:
            predicted = _steady_state_predictions(study_key, dispositions, formations)
        for obs in observed:
            pred = predicted.get(obs.compound, {}).get(obs.statistic)
            if pred is None:
                continue
            fe = fold_error(pred, obs.value)
            limit = LIMITS.get(obs.statistic, 2.0)
            rows.append(ValidationRow(study_key, obs.compound, obs.statistic, obs.value, pred, fe, limit,
                                      fe <= limit, obs.unit, obs.source))
    return rows


def _steady_state_predictions(
    study_key: str, dispositions: dict[str, Disposition], formations: list[Formation]
) -> dict[str, dict[str, float]]:
    """Statistics that do not depend on the unknown dose of a steady-state study: tmax and t1/2."""
    from kratomsim.pk.engine import concentrations_nM, propagate
    from kratomsim.pk.model import DoseEvent, build_system
    from kratomsim.studies import sampling_window_h, summarise_profile

    study = studies()[study_key]
    out: dict[str, dict[str, float]] = {}
    for compound in study["compounds"]:
        if compound not in dispositions:
            continue
        system = build_system({compound: dispositions[compound]})
        doses = [DoseEvent(24.0 * day, compound, 1.0) for day in range(8)]
        t = 7 * 24.0 + np.arange(0.0, sampling_window_h(study) + 1e-9, 1.0 / 60.0)
        conc = concentrations_nM(system, propagate(system, doses, t))[compound][0]
        summary = summarise_profile(study, compound, t, conc, time_offset=7 * 24.0)
        out[compound] = {"tmax": summary["tmax"], "t_half": summary["t_half"]}
    return out


ExtraRows = Callable[[], list[dict[str, object]]]
EXTRA_SOURCES: list[ExtraRows] = [lambda: __import__("kratomsim.sleep_architecture").sleep_architecture.loso_rows()]


def validation_rows() -> list[ValidationRow]:
    """Kratom studies, then any registered extra sources (sleep medicines)."""
    from kratomsim.medicines import validate_medicines

    rows = _kratom_rows()
    extras: list[ExtraRows] = [validate_medicines, *(e for e in EXTRA_SOURCES if e is not validate_medicines)]
    for extra in extras:
        for raw in extra():
            fe = float(raw["fold_error"])  # type: ignore[arg-type]
            limit = float(raw.get("limit", 1.5))  # type: ignore[arg-type]
            rows.append(ValidationRow(str(raw["study"]), str(raw["compound"]), str(raw["statistic"]),
                                      float(raw["observed"]), float(raw["predicted"]),  # type: ignore[arg-type]
                                      fe, limit, fe <= limit, str(raw.get("unit", "")),
                                      str(raw.get("source", raw["study"]))))
    return rows


def gmfe(rows: list[ValidationRow]) -> dict[str, dict[str, float]]:
    """Geometric mean fold error per study and statistic."""
    groups: dict[tuple[str, str], list[float]] = defaultdict(list)
    for row in rows:
        groups[(row.study, row.statistic)].append(np.log(row.fold_error))
    out: dict[str, dict[str, float]] = defaultdict(dict)
    for (study, statistic), logs in groups.items():
        out[study][statistic] = float(np.exp(np.mean(logs)))
    return dict(out)


def validation_report() -> dict[str, object]:
    rows = validation_rows()
    summary = gmfe(rows)
    gmfe_checks = [
        {"study": s, "statistic": stat, "gmfe": v, "limit": GMFE_LIMITS[stat], "passed": v <= GMFE_LIMITS[stat]}
        for s, stats in summary.items() for stat, v in stats.items() if stat in GMFE_LIMITS
    ]
    return {
        "rows": [asdict(r) for r in rows],
        "gmfe": summary,
        "gmfe_checks": gmfe_checks,
        "passed": all(r.passed for r in rows) and all(c["passed"] for c in gmfe_checks),
    }
