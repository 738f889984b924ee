"""The market: every product is cited, the spread matches a hand calculation from the raw data file,
tea extraction and 7-OH leaf equivalence follow their cited numbers, and the CLI filters and refuses."""

from __future__ import annotations

import json
import math
import statistics
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kratomsim.cli import main
from kratomsim.datafiles import load_data_file, references
from kratomsim.errors import InputError
from kratomsim.library import MITRAGYNINE, SEVEN_OH, compound_names, library_products, load_product
from kratomsim.market import (
    check_oral_seven_oh,
    concentrates,
    filter_products,
    is_market_product,
    leaf_equivalence,
    market_product,
    market_spread,
    strain_comparison,
    within_product_variation,
)
from kratomsim.scenario import make_scenario

RAW = load_data_file("products.yaml")
TEA = load_data_file("tea_extraction.yaml")


KINDS = {"leaf", "extract", "concentrate", "plant", "spent", "unspecified"}
BASES = {"leaf", "tea_yield", "unit"}


def test_every_product_walks_clean() -> None:
    """>= 25 purchasable products or leaf samples (spent herb not counted) from >= 5 independent sources;
    every cell cited, named, in range, and every product says what it is and how its value was seen."""
    products = RAW["products"]
    purchasable = {pid: p for pid, p in products.items() if p.get("kind") != "spent"}
    assert len(purchasable) >= 25
    assert len({p["source"] for p in purchasable.values()}) >= 5
    refs = references()
    for pid, p in products.items():
        assert p["source"] in refs, pid
        assert refs[p["source"]].short(), pid
        assert p.get("where"), pid
        assert p.get("verified_from") in {"table", "abstract", "secondary"}, pid
        assert p.get("kind") in KINDS and p.get("basis") in BASES, pid
        assert p.get("survey_extreme") in {None, "lowest", "highest"}, pid
        cells = {**(p.get("alkaloids_mg_per_g") or {}), **(p.get("alkaloids_mg_per_unit") or {})}
        assert cells, f"{pid} holds no alkaloid"
        for name, cell in cells.items():
            assert name in compound_names(), f"{pid}: {name}"
            if not cell.get("below_loq"):
                assert 0 < float(cell["value"]) <= 1000, f"{pid}: {name}"


def test_survey_extremes_are_the_survey_ranges() -> None:
    """A survey's lowest/highest product carries exactly the survey's printed low/high mitragynine."""
    pairs = {"fowble2019_online": ("FOWBLE_LOW", "FOWBLE_HIGH"),
             "prozialeck2020_chicago": ("PROZIALECK_LOW", "PROZIALECK_HIGH"),
             "kikurahanajiri2009_japan": ("KIKURA_LOW", "KIKURA_HIGH")}
    for survey, (low, high) in pairs.items():
        cell = RAW["surveys"][survey]["mitragynine_mg_per_g"]
        assert load_product(low).alkaloids_mg_per_g[MITRAGYNINE] == float(cell["low"])
        assert load_product(high).alkaloids_mg_per_g[MITRAGYNINE] == float(cell["high"])
        assert (load_product(low).survey_extreme, load_product(high).survey_extreme) == ("lowest", "highest")


def test_huestis_content_is_the_abstract_dose_ratio() -> None:
    # abstract: 500-4000 mg of leaf powder held 6.65-53.2 mg mitragynine; both ends give 13.3 mg/g
    mg_per_g = load_product("HUESTIS2024_CAPS").alkaloids_mg_per_g[MITRAGYNINE]
    assert mg_per_g == pytest.approx(6.65 / 0.5) == pytest.approx(53.2 / 4.0)


def _hand_percentile(sorted_values: list[float], q: float) -> float:
    """Linear interpolation between closest ranks (the usual definition), written out by hand."""
    pos = q / 100 * (len(sorted_values) - 1)
    lo = math.floor(pos)
    hi = min(lo + 1, len(sorted_values) - 1)
    return sorted_values[lo] + (pos - lo) * (sorted_values[hi] - sorted_values[lo])


def _raw_market(include_extremes: bool) -> list[float]:
    return sorted(float(p["alkaloids_mg_per_g"][MITRAGYNINE]["value"]) for p in RAW["products"].values()
                  if p.get("kind") == "leaf" and p.get("basis") == "leaf"
                  and MITRAGYNINE in (p.get("alkaloids_mg_per_g") or {})
                  and (include_extremes or not p.get("survey_extreme")))


@pytest.mark.parametrize("include_extremes", [True, False])
def test_market_spread_matches_a_hand_calculation_from_the_raw_file(include_extremes: bool) -> None:
    values = _raw_market(include_extremes)
    spread = market_spread(include_extremes=include_extremes)
    assert spread.n == len(values) >= 5
    assert spread.median == pytest.approx(statistics.median(values))
    assert spread.p5 == pytest.approx(_hand_percentile(values, 5))
    assert spread.p95 == pytest.approx(_hand_percentile(values, 95))
    assert (spread.low, spread.high) == (values[0], values[-1])
    assert spread.log_sd == pytest.approx(statistics.stdev([math.log(v) for v in values]))
    assert len(spread.extremes) == (len(values) - len(_raw_market(False)))


def test_market_excludes_extracts_concentrates_plants_and_spent_leaf() -> None:
    ids = {pid for pid, _ in market_spread().values}
    for pid in ids:
        assert load_product(pid).kind == "leaf"
    for pid in ("FDA_32", "MANWILL_HIGH", "MANWILL_SEEDLING", "FDA_30a", "HYDROXIE_15_TAB", "THAI_TEA_RED",
                "PROZIALECK_HIGH", "KIKURA_LOW", "BROWN2025_7OH_HIGH"):
        assert pid not in ids
        assert not is_market_product(load_product(pid))


def test_filters() -> None:
    tea = filter_products(form="tea")
    assert tea and all(p.form == "tea" for p in tea)
    with_7oh = filter_products(contains="7-OH")
    assert with_7oh and all(p.alkaloids_mg_per_unit.get(SEVEN_OH, 0) > 0 or p.alkaloids_mg_per_g.get(SEVEN_OH, 0) > 0
                            for p in with_7oh)
    assert {p.id for p in concentrates()} <= {p.id for p in with_7oh}
    assert "K51" not in {p.id for p in with_7oh}  # 7-OH below LOQ in K51 is not "contains"
    with pytest.raises(InputError, match=r"accepted forms: .*powder"):
        filter_products(form="pill")


def test_tea_extraction_applies_only_to_leaf_assays_made_into_tea() -> None:
    fraction = float(TEA["mitragynine"]["estimates"][TEA["mitragynine"]["default"]["estimate"]]["fraction"]["value"])
    bag = make_scenario(product="GRUNDMANN_TEABAG", dose="4g").alkaloid_doses_mg()[MITRAGYNINE]
    assert bag == pytest.approx(4 * 5.505 * fraction)  # leaf content by methanol, made into tea
    thai = make_scenario(product="THAI_TEA_RED", dose="4g").alkaloid_doses_mg()[MITRAGYNINE]
    assert thai == pytest.approx(4 * 5.98)  # already what reached the tea
    k51 = make_scenario(product="K51", dose="2g").alkaloid_doses_mg()[MITRAGYNINE]
    assert k51 == pytest.approx(2 * 19.48)  # the calibration dose: leaf content of the tea's powder


@settings(max_examples=30, deadline=None)
@given(st.floats(min_value=0.1, max_value=200.0))
def test_leaf_equivalence_is_the_cited_content_range(mg: float) -> None:
    cell = RAW["surveys"]["kikurahanajiri2009_japan"]["seven_oh_mg_per_g"]  # 0.01-0.04 % w/w
    eq = leaf_equivalence(mg)
    assert eq.low_g == pytest.approx(mg / float(cell["high"]))
    assert eq.high_g == pytest.approx(mg / float(cell["low"]))
    assert eq.low_g <= eq.high_g


def test_fifteen_mg_tablet_in_leaf() -> None:
    # 15 mg / 0.4 mg/g = 37.5 g and 15 mg / 0.1 mg/g = 150 g
    tablet = load_product("HYDROXIE_15_TAB")
    eq = leaf_equivalence(tablet.alkaloids_mg_per_unit[SEVEN_OH])
    assert (eq.low_g, eq.high_g) == (pytest.approx(37.5), pytest.approx(150.0))
    assert "15 mg of 7-OH is the 7-OH content of 38 to 150 g of leaf" in eq.statement()


def test_market_product_keeps_the_profile_and_has_the_market_median() -> None:
    k51 = load_product("K51")
    product, omega = market_product(k51)
    logs = [math.log(v) for _, v in market_spread().values]
    # a mean-1 log-normal factor on the rescaled content has median exp(mean log) = the market's geometric mean
    assert product.alkaloids_mg_per_g[MITRAGYNINE] * math.exp(-omega**2 / 2) == pytest.approx(
        math.exp(statistics.fmean(logs)))
    for name, value in k51.alkaloids_mg_per_g.items():
        ratio = value / k51.alkaloids_mg_per_g[MITRAGYNINE]
        assert product.alkaloids_mg_per_g[name] / product.alkaloids_mg_per_g[MITRAGYNINE] == pytest.approx(ratio)


def test_population_content_market_draws_the_market_spread() -> None:
    """The mitragynine dose across people has the market's geometric mean and log-SD (drawn, so 5 %)."""
    from kratomsim.populations import market_content, sample_subjects

    scenario, spreads = market_content(make_scenario(product="K51", dose="4g", count=1, hours=24))
    subjects = sample_subjects(20000, 3, 0, (), spreads)
    mg = 4 * scenario.product.alkaloids_mg_per_g[MITRAGYNINE] * np.asarray(subjects.factor(MITRAGYNINE, "content"))
    logs = [math.log(v) for _, v in market_spread().values]
    assert float(np.median(mg)) == pytest.approx(4 * math.exp(statistics.fmean(logs)), rel=0.05)
    assert float(np.std(np.log(mg))) == pytest.approx(statistics.stdev(logs), rel=0.05)


def test_strains_group_by_label_and_basis() -> None:
    result = strain_comparison()
    tea = {g.label: g for g in result.groups if g.basis == "tea_yield"}
    assert {"red", "green"} <= set(tea)
    assert result.across_ratio("tea_yield") == pytest.approx(8.33 / 5.98)  # highest / lowest label (Chairerk)
    assert all(g.within_ratio is None or g.within_ratio >= 1 for g in result.groups)
    assert "Huisman" in result.statement()


def test_night_refuses_oral_7oh_without_the_flag_and_states_it_with() -> None:
    from kratomsim.night_report import night_report

    with pytest.raises(InputError, match="--extrapolate"):
        night_report(dose="15mg:7-OH", nights=1, start_date="2026-01-05")
    report = night_report(dose="15mg:7-OH", nights=1, start_date="2026-01-05", extrapolate=True)
    text = " ".join(report.notes)
    assert "No human pharmacokinetic study of orally taken 7-hydroxymitragynine" in text
    assert "38 to 150 g of leaf" in text


def test_cli_products_json_and_bad_input(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    capsys.readouterr()
    main(["products", "--contains", "7-hydroxymitragynine", "--json", "--plot", str(tmp_path / "m.png")])
    out = json.loads(capsys.readouterr().out)
    assert out["products"]
    for p in out["products"]:
        assert max(p["alkaloids_mg_per_unit"].get(SEVEN_OH, 0), p["alkaloids_mg_per_g"].get(SEVEN_OH, 0)) > 0
    assert out["market_spread_mitragynine"]["n_products"] == market_spread().n
    assert (tmp_path / "m.png").stat().st_size > 1000
    for args in (["products", "--form", "pill"], ["population", "--content", "lots", "--subjects", "10"]):
        with pytest.raises(SystemExit) as info:
            main(args)
        assert info.value.code == 2
        err = capsys.readouterr().err.strip()
        assert err.startswith("error:") and "\n" not in err


def test_cli_strains_json(capsys: pytest.CaptureFixture[str]) -> None:
    capsys.readouterr()
    main(["strains", "--json"])
    out = json.loads(capsys.readouterr().out)
    assert {g["label"] for g in out["groups"]} >= {"red", "green"}
    assert out["finding_source"] == "huisman2023"


def test_library_has_every_product() -> None:
    assert set(library_products()) == set(RAW["products"])


def test_within_product_variation_matches_the_printed_tables() -> None:
    """FDA Table 5: ten assays of one lot, whose mean, SD and RSD the LIB prints; Grundmann: one tea-bag label."""
    by_id = {w.product: w for w in within_product_variation()}
    fda = by_id["FDA_PC"]
    printed = RAW["products"]["FDA_PC"]["repeat_assays"]["printed"]
    percent = [v / 10 for v in fda.values]
    assert len(percent) == 10
    assert statistics.fmean(percent) == pytest.approx(float(printed["mean"]), abs=5e-5)
    assert statistics.stdev(percent) == pytest.approx(float(printed["sd"]), abs=5e-4)
    assert fda.rsd_percent == pytest.approx(float(printed["rsd_percent"]), abs=0.01)
    bag = by_id["GRUNDMANN_TEABAG"]
    assert (bag.low, bag.high, bag.rsd_percent) == (4.85, 6.16, None)
    assert bag.ratio == pytest.approx(6.16 / 4.85)


def test_cli_strains_reports_within_product(capsys: pytest.CaptureFixture[str]) -> None:
    capsys.readouterr()
    main(["strains", "--json"])
    out = json.loads(capsys.readouterr().out)
    rows = {w["product"]: w for w in out["within_product"]}
    assert rows["FDA_PC"]["n"] == 10 and rows["GRUNDMANN_TEABAG"]["n"] is None


@pytest.mark.parametrize("path", ["/api/night", "/api/simulate"])
def test_web_refuses_oral_7oh_without_extrapolate(path: str, tmp_path: Path) -> None:
    """The web API refuses a 7-OH dose with the CLI's message (4xx) and, with the flag, says it extrapolates."""
    from fastapi.testclient import TestClient

    from kratomsim.web.app import create_app

    body = {"dose": "15mg:7-OH", "nights": 1} if path == "/api/night" else {"dose": "15mg:7-OH", "hours": 24.0}
    with pytest.raises(InputError) as err:
        check_oral_seven_oh("15mg:7-OH", extrapolate=False)
    with TestClient(create_app(tmp_path / "data")) as client:
        refused = client.post(path, json=body)
        assert 400 <= refused.status_code < 500
        assert refused.json() == {"detail": err.value.message}
        allowed = client.post(path, json={**body, "extrapolate": True})
        assert allowed.status_code == 200
        notes = " ".join(allowed.json()["notes"])
        assert "No human pharmacokinetic study of orally taken 7-hydroxymitragynine" in notes
        assert "38 to 150 g of leaf" in notes
