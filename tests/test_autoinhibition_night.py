"""Autoinhibition through the night report: the switch, the modules' agreement, the on/off table."""

from __future__ import annotations

import numpy as np
import pytest

from kratomsim.autoinhibition import mitragynine_inactivation
from kratomsim.autoinhibition_effect import effect, terminal_half_life_h
from kratomsim.interactions import inhibitor_course, kratom_regimen, parameter_sets, step_enzyme
from kratomsim.night_report import night_report
from kratomsim.scenario import make_scenario


def test_interaction_model_sees_the_same_hepatic_cyp3a4_as_the_pk_solve() -> None:
    """One enzyme, one answer: the interaction module's activity course (its own stepping on the
    simulated mitragynine) equals the activity the PK solve carried, so the two cannot contradict."""
    rep = night_report(nights=7, start_date="2026-01-05")
    pk_activity = rep.autoinhibition["cyp3a4_activity"]
    course = inhibitor_course(kratom_regimen("K51", "2g", 7))
    p = parameter_sets()["central"]
    inact = mitragynine_inactivation()
    i_h = p.fu * (course.plasma_uM + course.ka_per_h * course.gut_amount_umol / inact.qh_L_per_h)
    tdi = p.tdi["CYP3A4"]["liver"]
    enzyme = step_enzyme(course.times_h, i_h, tdi.ki_uM, tdi.kinact_per_h, p.kdeg_per_h["CYP3A4"]["liver"])
    for row in pk_activity:
        t_wake = 24.0 * (row["night"] - 1) + 8.0
        i = int(np.argmin(np.abs(course.times_h - t_wake)))
        reversible = 1.0 / (1.0 + i_h[i] / inact.ki_reversible_uM)
        assert abs(enzyme[i] * reversible - row["wake"]) < 2e-3
    assert pk_activity[-1]["wake"] < pk_activity[0]["wake"] < 1.0


def test_switch_off_gives_the_linear_model_and_says_so() -> None:
    on = night_report(nights=7, start_date="2026-01-05")
    off = night_report(nights=7, start_date="2026-01-05", autoinhibition=False)
    assert off.autoinhibition is not None and off.autoinhibition["on"] is False
    assert "cyp3a4_activity" not in off.autoinhibition
    mg_on, mg_off = on.rows_for("mitragynine")[-1], off.rows_for("mitragynine")[-1]
    oh_on, oh_off = on.rows_for("7-hydroxymitragynine")[-1], off.rows_for("7-hydroxymitragynine")[-1]
    assert mg_on.wake_nM > mg_off.wake_nM * 1.03
    assert oh_on.wake_nM < oh_off.wake_nM
    sc_on, sc_off = on.rows_for("speciociliatine")[-1], off.rows_for("speciociliatine")[-1]
    assert sc_on.wake_nM == pytest.approx(sc_off.wake_nM, rel=1e-12)  # not a CYP3A4 substrate here


def test_terminal_half_life_of_a_pure_exponential() -> None:
    t = np.arange(0.0, 200.0, 0.5)
    conc = 50.0 * np.exp(-np.log(2) / 40.0 * (t - 24.0))
    assert abs(terminal_half_life_h(t, conc, 24.0) - 40.0) < 1e-9


def test_effect_table_grows_with_nights() -> None:
    table = effect(make_scenario(product="K51", dose="2g"), nights=(1, 7))
    rows = {(r["nights"], r["compound"]): r for r in table["rows"]}
    mg1, mg7 = rows[(1, "mitragynine")], rows[(7, "mitragynine")]
    assert mg7["trough_nM"]["ratio"] > mg1["trough_nM"]["ratio"] > 1.0
    oh7 = rows[(7, "7-hydroxymitragynine")]
    assert oh7["peak_nM"]["ratio"] < 1.0
    ratio = table["ratio_7oh_to_mitragynine"]
    assert ratio["7"]["on"] < ratio["7"]["off"]
    assert table["cyp3a4_activity_at_trough"]["7"] < table["cyp3a4_activity_at_trough"]["1"] < 1.0


def test_autoinhibited_peaks_come_from_the_same_solve_as_the_night() -> None:
    """The reported peak equals the peak of the time-varying solve on a 10 s grid (not the linear
    model's exact peak), so peak, wake-up and AUC come from one model."""
    from kratomsim.exposure import run
    from kratomsim.scenario import make_scenario

    rep = night_report(nights=2, start_date="2026-01-05")
    fine = run(make_scenario(count=2, hours=26.0, grid="1min", start_date="2026-01-05"),
               times_h=np.arange(0.0, 8.0, 10.0 / 3600.0))
    for name in ("mitragynine", "7-hydroxymitragynine"):
        row = rep.rows_for(name)[0]
        assert abs(row.peak_nM / float(fine.conc_nM[name][0].max()) - 1) < 1e-5
