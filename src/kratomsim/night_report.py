"""The night report's public face: what is on board at bedtime, at the peak, at wake-up and in the
morning, night after night, and sleep aids side by side.

The work is done in small modules (the clock, the nightly rows, steady state, medicines, population
nights, the assembler, the comparison); this module gathers their public names so that callers have
one place to import from. It predicts and explains; it never recommends a dose.
"""

from __future__ import annotations

from kratomsim.aid_comparison import CompareSetting, Comparison, compare
from kratomsim.aid_entries import COMPARE_FIELDS, KRATOM, Aid, AidEntry, aid_entry, parse_aid, read_aid
from kratomsim.night_assembly import assemble_night, autoinhibition_section
from kratomsim.night_edge import compare_aids, night_report
from kratomsim.night_medicines import (
    default_dose_notes,
    medicine_peaks,
    medicine_profile,
    medicine_steady_state,
    parse_comedication,
)
from kratomsim.night_population import POPULATION_FIELDS, population_nights
from kratomsim.night_request import NightClock, NightOptions, NightRequest
from kratomsim.night_result import NightReport, source_list
from kratomsim.night_rows import exact_night_peaks, night_rows
from kratomsim.night_timeline import (
    GRID,
    MAX_NIGHTS,
    Timeline,
    check_nights,
    make_timeline,
    nightly_exposure,
    plain_grid,
)
from kratomsim.report.night_text import plain_summary
from kratomsim.steady_nights import (
    STEADY_STATE_FRACTION,
    STEADY_STATE_METHOD,
    kratom_steady_state,
    steady_state,
)
from kratomsim.studied_doses import dose_warnings, studied_mitragynine_range

__all__ = [
    "COMPARE_FIELDS", "GRID", "KRATOM", "MAX_NIGHTS", "POPULATION_FIELDS", "STEADY_STATE_FRACTION",
    "STEADY_STATE_METHOD", "Aid", "AidEntry", "CompareSetting", "Comparison", "NightClock", "NightOptions",
    "NightReport", "NightRequest", "Timeline",
    "aid_entry", "assemble_night", "autoinhibition_section", "check_nights", "compare", "compare_aids",
    "default_dose_notes", "dose_warnings", "exact_night_peaks", "kratom_steady_state", "make_timeline",
    "medicine_peaks", "medicine_profile", "medicine_steady_state", "night_report", "night_rows", "nightly_exposure",
    "parse_aid", "parse_comedication", "plain_grid", "plain_summary", "population_nights", "read_aid", "source_list",
    "steady_state", "studied_mitragynine_range",
]
