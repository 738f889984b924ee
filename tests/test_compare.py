"""``kratomsim compare``: kratom and bedtime medicines side by side."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from kratomsim.errors import InputError
from kratomsim.night_report import compare_aids, parse_aid

DAY = "2026-01-05"


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "kratomsim.cli", *args], capture_output=True, text=True,
                          timeout=300)


def test_compare_json_structure(tmp_path: Path) -> None:
    out = _cli("compare", "--aid", "kratom:K51:2g", "--aid", "zolpidem:10mg", "--aid", "suvorexant:20mg",
               "--at", "22:30", "--wake", "06:30", "--nights", "3", "--date", DAY, "--json",
               "--plot", str(tmp_path / "c.png"))
    assert out.returncode == 0, out.stderr
    doc = json.loads(out.stdout)
    assert set(doc) >= {"setting", "aids", "notes", "sources", "steady_state_method", "plots"}
    by = {(a["aid"], a["compound"]): a for a in doc["aids"]}
    wanted = {("kratom:K51:2g", "mitragynine"), ("zolpidem:10mg", "zolpidem"), ("suvorexant:20mg", "suvorexant")}
    assert wanted <= set(by)
    for aid in by.values():
        for key in ("night_1", "night_last"):
            assert {"fraction_of_peak_at_wake", "wake_nM", "wake_ng_per_mL", "morning_nM",
                    "morning_ng_per_mL", "auc_ratio_vs_night1"} <= set(aid[key])
        assert aid["last_night"] == 3
        assert aid["steady_state"]["nights_to_90pct"] >= 1
    zolp = by[("zolpidem:10mg", "zolpidem")]
    assert 0 < zolp["night_1"]["fraction_of_peak_at_wake"] < 1
    assert zolp["next_morning_data"] and zolp["next_morning_data"][0]["source"] == "ambien_label"
    keys = {s["key"] for s in doc["sources"]}
    assert {"tanna2022", "ambien_label", "belsomra_label"} & keys
    assert (tmp_path / "c.png").stat().st_size > 10_000


def test_threshold_compared_where_published() -> None:
    res = compare_aids(["diphenhydramine:50mg"], nights=1, start_date=DAY)
    (entry,) = res.aids
    (item,) = entry.next_morning_data
    assert item.concentration_ng_per_mL == (25.0, 50.0)
    assert item.to_dict()["concentration_ng_per_mL"] == {"low": 25.0, "high": 50.0}
    morning = entry.night_last["morning_ng_per_mL"]
    expected = "below" if morning < 25 else "above" if morning > 50 else "within"
    assert item.morning_vs_range == expected and item.source == "carruthers1978"


def test_aid_spec() -> None:
    assert parse_aid("kratom:K51:2g") == ("kratom", "K51", "2g")
    assert parse_aid("kratom:3g") == ("kratom", "K51", "3g")
    with pytest.raises(InputError):
        parse_aid("kratom:a:b:c")


@pytest.mark.parametrize(
    ("aid", "fragment"),
    [("codeine:30mg", "no PK model for codeine"), ("nosuchpill:1mg", "known medicines")],
)
def test_compare_bad_aid(aid: str, fragment: str) -> None:
    out = _cli("compare", "--aid", "kratom:K51:2g", "--aid", aid)
    assert out.returncode == 2
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1 and fragment in lines[0]


def test_compare_warns_about_taking_kratom_with_a_listed_medicine():
    """The aids are simulated apart, but the interaction model's warning for taking them together is shown."""
    from kratomsim.interactions import comedication_warnings, kratom_regimen
    from kratomsim.night_report import compare_aids

    result = compare_aids(["kratom:K51:2g", "zolpidem:10mg"], nights=1, start_date="2026-01-05")
    expected = comedication_warnings(["zolpidem"], kratom_regimen("K51", "2g"))
    assert expected and result.comedication_warnings == [f"If taken with kratom:K51:2g: {w}" for w in expected]
    assert result.to_dict()["comedication_warnings"] == result.comedication_warnings
    alone = compare_aids(["zolpidem:10mg"], nights=1, start_date="2026-01-05")
    assert alone.comedication_warnings == []


def test_compare_subjects_gives_the_share_above_the_zolpidem_level() -> None:
    """compare --subjects: share of people above FDA's 50 ng/mL, by sex, equal to the population module's."""
    from kratomsim.medicine_population import next_morning_shares
    from kratomsim.night_report import compare_aids

    result = compare_aids(["zolpidem:10mg"], at="22:30", wake="06:30", nights=1, subjects=3000, seed=4)
    (entry,) = result.aids
    above = entry.share_above_next_morning_level
    assert above is not None
    assert above["threshold_ng_per_mL"] == 50.0 and above["source"] == "fda_dsc_2013_zolpidem"
    direct = next_morning_shares("zolpidem", 10.0, 50.0, {"wake": 8.0, "morning": 10.5}, 1, 3000, 4)
    assert above["share"] == direct["share"]
    assert above["share"]["wake"]["female"] > above["share"]["wake"]["male"]
    single = compare_aids(["zolpidem:10mg"], at="22:30", wake="06:30", nights=1)
    assert single.aids[0].share_above_next_morning_level is None
    assert "share_above_next_morning_level" not in single.aids[0].to_dict()


def test_comparison_sources_are_scoped_known_references() -> None:
    """A comparison cites what its aids used: the kratom PK and each medicine's label, each a known reference."""
    from kratomsim.datafiles import references

    alone = compare_aids(["zolpidem:10mg"], nights=1, start_date=DAY)
    both = compare_aids(["kratom:K51:2g", "zolpidem:10mg"], nights=1, start_date=DAY)
    refs = references()
    for rep in (alone, both):
        assert rep.source_keys == sorted(set(rep.source_keys)) and all(k in refs for k in rep.source_keys)
        assert rep.to_dict()["sources"] == rep.sources
    assert "ambien_label" in alone.source_keys and "tanna2022" not in alone.source_keys
    assert set(alone.source_keys) < set(both.source_keys) and "tanna2022" in both.source_keys
