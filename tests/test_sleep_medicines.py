"""compare's sleep-stage table: kratom's row carries the opioid bridge's prediction for the same night
(the numbers of the night report's sleep_architecture, computed independently here), labelled a model."""

from __future__ import annotations

from datetime import time

import pytest

from kratomsim.aid_entries import AidEntry
from kratomsim.night_edge import compare_aids
from kratomsim.night_report import make_timeline, nightly_exposure
from kratomsim.sleep_medicines import KRATOM_NOTE, kratom_bridge_row, psg_for_aids, psg_table
from kratomsim.sleep_prediction import predicted_changes


@pytest.fixture(scope="module")
def comparison():
    return compare_aids(["kratom:K51:8g", "zolpidem:10mg"], nights=3, start_date="2026-01-05")


def test_kratom_row_is_the_bridge_of_the_same_night(comparison):
    rows = psg_for_aids(comparison.aids)
    kratom = [r for r in rows if r["medicine"] == "kratom"]
    assert len(kratom) == 1 and kratom[0]["aid"] == "kratom:K51:8g" and "not PSG" in kratom[0]["kind"]
    direct = predicted_changes(
        nightly_exposure("K51", "8g", make_timeline("22:30", "06:30", 3, "09:00", "2026-01-05")), time(6, 30))
    for key in ("sws", "rem_percent", "waso"):
        cell = kratom[0]["outcomes"][key]
        for n in (direct["nights"][0], direct["nights"][-1]):
            got = cell[f"night_{n['night']}"]
            assert got["direction"] == n["changes"][key]["direction"]
            for q in ("median", "low", "high"):
                assert got["change"][q] == pytest.approx(n["changes"][key]["change"][q]) or (
                    got["change"][q] is None and n["changes"][key]["change"][q] is None)
    assert kratom[0]["assumption"] == direct["assumption"]


def test_table_prints_the_model_cells_and_medicines_keep_their_psg(comparison):
    rows = psg_for_aids(comparison.aids)
    header, cells = psg_table(rows)
    kratom = next(c for c in cells if c[0] == "kratom:K51:8g")
    assert kratom[1] == "model (opioid bridge)"
    sws = rows[0]["outcomes"]["sws"]["night_1"]["change"]
    assert f"{sws['median']:+.2g} ({sws['low']:+.2g} to {sws['high']:+.2g}) pt" in kratom[header.index("deep (SWS)")]
    assert any(c[0] == "zolpidem" for c in cells)


def test_without_a_bridge_block_the_row_is_the_pointer_note():
    row = kratom_bridge_row(AidEntry("kratom:K51:2g", "mitragynine", "kratom alkaloid", {}, {}, 1, None))
    assert row["note"] == KRATOM_NOTE and row["outcomes"] == {}
    assert psg_table([row])[1][0][1] == "none"
