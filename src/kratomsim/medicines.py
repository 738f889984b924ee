"""Ordinary bedtime medicines and opioid references, for side-by-side comparison with kratom.

The public face of the medicines room; each job lives in its own module:

* :mod:`kratomsim.medicines_data`: ``data/medicines.yaml``, its schema and the typed :class:`Medicine`;
* :mod:`kratomsim.medicines_fit`: closed-form oral curves and the fits to published statistics;
* :mod:`kratomsim.medicines_derivation`: each medicine's apparent model and which statistic fixed what;
* :mod:`kratomsim.medicines_dosing`: a typed ``MedicineDose`` (``zolpidem:10mg`` read once), dose events,
  simulated curves, published next-morning data;
* :mod:`kratomsim.medicines_validation`: simulated against published, row by row.

Predictions only: the "usual doses" are the labels' (or the studies') doses, never advice.
"""

from __future__ import annotations

from kratomsim.medicines_data import (
    ASSUMED_REFERENCE_DOSE_MG,
    DATA_FILE,
    Fraction,
    Medicine,
    Stat,
    fm_from_auc_ratio,
    load_medicine,
    medicine_names,
)
from kratomsim.medicines_derivation import (
    JOINT_STATISTICS,
    REFERENCE_WEIGHT_KG,
    SEXES,
    Derivation,
    _derive_two_compartment,
    derivation,
    derivation_for,
    has_sex_effect,
    medicine_disposition,
    sex_cl_factor,
)
from kratomsim.medicines_dosing import (
    MedicineDose,
    default_dose_note,
    medicine_dose,
    medicine_dose_events,
    next_morning_comparison,
    simulate_medicine,
)
from kratomsim.medicines_fit import (
    OneCompartmentTargets,
    TwoCompartmentTargets,
    bateman_shape,
    bateman_tmax,
    fit_one_compartment,
    fit_two_compartment,
    one_compartment_auc,
    solve_ka,
    two_compartment_conc,
    two_compartment_peak,
    two_compartment_rates,
)
from kratomsim.medicines_validation import FOLD_LIMIT, GRID_H, population_rows, validate_medicines
from kratomsim.units import split_medicine_spec

__all__ = [
    "ASSUMED_REFERENCE_DOSE_MG",
    "DATA_FILE",
    "FOLD_LIMIT",
    "GRID_H",
    "JOINT_STATISTICS",
    "REFERENCE_WEIGHT_KG",
    "SEXES",
    "Derivation",
    "Fraction",
    "Medicine",
    "MedicineDose",
    "OneCompartmentTargets",
    "Stat",
    "TwoCompartmentTargets",
    "_derive_two_compartment",
    "bateman_shape",
    "bateman_tmax",
    "default_dose_note",
    "derivation",
    "derivation_for",
    "fit_one_compartment",
    "fit_two_compartment",
    "fm_from_auc_ratio",
    "has_sex_effect",
    "load_medicine",
    "medicine_disposition",
    "medicine_dose",
    "medicine_dose_events",
    "medicine_names",
    "next_morning_comparison",
    "one_compartment_auc",
    "population_rows",
    "sex_cl_factor",
    "simulate_medicine",
    "solve_ka",
    "split_medicine_spec",
    "two_compartment_conc",
    "two_compartment_peak",
    "two_compartment_rates",
    "validate_medicines",
]
