"""Nightly rows are typed, frozen values whose numbers follow from the profile by hand."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from kratomsim.night_rows import NightRow, night_rows
from kratomsim.night_timeline import make_timeline


def _rows() -> list[NightRow]:
    timeline = make_timeline("22:00", "06:00", 2, morning="09:00", start_date="2026-01-05")
    times = np.arange(0.0, timeline.horizon_h + 1e-9, 0.25)
    conc = 10.0 + times  # a straight line: every level and the trapezoid AUC are exact by hand
    return night_rows("x", "medicine", conc, 400.0, times, timeline)


def test_levels_auc_and_ratios_by_hand() -> None:
    n1, n2 = _rows()
    assert (n1.night, n1.compound, n1.kind) == (1, "x", "medicine")
    assert n1.dose_clock == "2026-01-05 22:00" and n1.wake_clock == "2026-01-06 06:00"
    assert n1.morning_clock == "2026-01-06 09:00" and n2.dose_clock == "2026-01-06 22:00"
    assert (n1.at_dose_nM, n1.wake_nM, n1.morning_nM) == (10.0, 18.0, 21.0)
    assert (n2.at_dose_nM, n2.wake_nM) == (34.0, 42.0)
    assert n1.peak_nM == 18.0 and n1.peak_clock == n1.wake_clock  # rising line: the peak is at wake-up
    assert n1.wake_ng_per_mL == pytest.approx(18.0 * 400.0 / 1000.0)
    assert n1.auc_sleep_nM_h == pytest.approx((10.0 + 18.0) / 2 * 8.0)
    assert n2.auc_sleep_nM_h == pytest.approx((34.0 + 42.0) / 2 * 8.0)
    assert n1.auc_ratio_vs_night1 == 1.0 and n2.auc_ratio_vs_night1 == pytest.approx(76.0 / 28.0)
    assert n2.wake_ratio_vs_night1 == pytest.approx(42.0 / 18.0)
    assert n1.fraction_of_peak_at_wake == 1.0


def test_rows_are_frozen_and_read_by_attribute() -> None:
    row = _rows()[0]
    with pytest.raises(dataclasses.FrozenInstanceError):
        row.peak_nM = 0.0  # type: ignore[misc]
    assert list(row.to_dict()) == [f.name for f in dataclasses.fields(NightRow)]
    assert row.to_dict()["peak_nM"] == row.peak_nM
    with pytest.raises(TypeError):  # no item access: rows are typed values, not mappings
        row["peak_nM"]  # type: ignore[index]
