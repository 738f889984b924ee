"""The text night report's sleep block (commands/night.print_sleep) prints what night --json carries:
each night's changes with intervals, the tolerance bracket after night 1, the leave-one-study-out
checks, the assumption, kratom's own evidence and what happens on stopping."""

from __future__ import annotations

from datetime import time

import pytest
from rich.console import Console

from kratomsim.commands import _output
from kratomsim.commands import night as cmd
from kratomsim.night_report import make_timeline, nightly_exposure
from kratomsim.sleep_prediction import predicted_changes


@pytest.fixture(scope="module")
def sleep():
    night = nightly_exposure("K51", "8g", make_timeline("22:30", "06:30", 3, "09:00", "2026-01-05"))
    return predicted_changes(night, time(6, 30), draws=200)


def test_text_report_prints_the_json_block(sleep, monkeypatch):
    rec = Console(record=True, width=400, soft_wrap=True)
    monkeypatch.setattr(_output, "console", rec)
    monkeypatch.setattr(cmd, "console", rec)
    cmd.print_sleep(sleep)
    text = rec.export_text()
    last = sleep["nights"][-1]
    assert f"{last['night']}, tolerance bracket" in text
    for n in sleep["nights"]:
        sws = n["changes"]["sws"]["change"]
        assert f"{sws['median']:+.2g} ({sws['low']:+.2g} to {sws['high']:+.2g})" in text
    tol = last["changes"]["rem_percent"]["change_with_tolerance"]
    assert f"{tol['median']:+.2g} ({tol['low']:+.2g} to {tol['high']:+.2g})" in text
    signs = sleep["sws_size_model"]["sign_loso"]
    assert f"direction agreed in {signs['agreed']} of {signs['compared']} arm-outcomes" in text
    for row in sleep["sws_size_model"]["loso"]:
        assert f"{row['study']} {row['error_points']:+.1f}" in text
    assert sleep["assumption"] in text
    assert all(f"[{w['source']}]" in text for w in sleep["withdrawal"])
    assert "[ema2025sleep]" in text
