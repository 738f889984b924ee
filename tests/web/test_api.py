"""The REST API: each endpoint answers like its CLI command, and bad input is a one-line 422."""

from __future__ import annotations

import csv
import io
from datetime import date, time

import pytest
from fastapi.testclient import TestClient

from kratomsim.interactions import interaction, kratom_regimen
from kratomsim.night_report import night_report
from kratomsim.validation import validation_report


def test_night_default_matches_the_library(client: TestClient) -> None:
    r = client.post("/api/night", json={})
    assert r.status_code == 200
    body = r.json()
    direct = night_report(nights=7, start_date=date.today()).to_dict()  # the API starts today
    assert body["scenario"]["nights"] == 7
    assert body["nights"] == direct["nights"]  # the same function as the CLI, the same numbers
    chart = body["chart"]
    assert len(chart["sleep_windows"]) == 7
    assert {c["compound"] for c in chart["curves"]} >= {"mitragynine", "7-hydroxymitragynine"}
    assert all(len(c["conc_ng_per_mL"]) == len(chart["clock"]) for c in chart["curves"])
    assert "not advice" in body["disclaimer"]


def test_night_with_comedication(client: TestClient) -> None:
    r = client.post("/api/night", json={"nights": 2, "comedications": ["zolpidem:10mg"]})
    assert r.status_code == 200
    assert "zolpidem" in {c["compound"] for c in r.json()["chart"]["curves"]}


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ({"dose": "lots"}, "cannot read dose 'lots'"),
        ({"at": "25:00"}, "dose time"),
        ({"nights": 366}, "nights: Input should be less than or equal to 365"),
        ({"nights": 0}, "nights:"),
        ({"product": "products.yaml"}, "the API accepts library ids"),
        ({"weight": "heavy"}, "weight"),
        ({"comedications": ["nosuchdrug:1mg"]}, "nosuchdrug"),
        ({"surprise": 1}, "surprise: Extra inputs are not permitted"),
    ],
)
def test_night_bad_input_is_one_line_422(client: TestClient, body: dict[str, object], expected: str) -> None:
    r = client.post("/api/night", json=body)
    assert r.status_code == 422
    detail = r.json()["detail"]
    assert isinstance(detail, str) and "\n" not in detail
    assert expected in detail


def test_input_error_message_is_the_cli_message(client: TestClient) -> None:
    from kratomsim.errors import InputError

    with pytest.raises(InputError) as err:
        night_report(dose="lots")
    assert client.post("/api/night", json={"dose": "lots"}).json() == {"detail": err.value.message}


def test_malformed_json_is_422(client: TestClient) -> None:
    r = client.post("/api/night", content=b"{not json", headers={"Content-Type": "application/json"})
    assert r.status_code == 422
    assert isinstance(r.json()["detail"], str)


def test_simulate_json_and_csv(client: TestClient) -> None:
    body = {"dose": "2g", "hours": 12, "grid": "30min"}
    j = client.post("/api/simulate", json=body).json()
    assert j["rows"] == len(j["data"]) and j["rows"] > 0
    assert {"time_h", "clock", "compound", "conc_nM", "conc_ng_per_mL"} <= set(j["data"][0])
    for r in (client.post("/api/simulate?format=csv", json=body),
              client.post("/api/simulate", json=body, headers={"Accept": "text/csv"})):
        assert r.status_code == 200
        assert r.headers["content-type"].startswith("text/csv")
        assert "attachment" in r.headers["content-disposition"]
        rows = list(csv.DictReader(io.StringIO(r.text)))
        assert len(rows) == j["rows"]


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ({"grid": "1min"}, "finer than the API's limit"),
        ({"hours": 24 * 62}, "hours:"),
        ({"count": 61}, "count:"),
        ({"every": "1h", "count": 60, "hours": None, "grid": "5min", "date": "2025-13-01"}, "date"),
    ],
)
def test_simulate_limits(client: TestClient, body: dict[str, object], expected: str) -> None:
    r = client.post("/api/simulate", json=body)
    assert r.status_code == 422
    assert expected in r.json()["detail"]


def test_compare(client: TestClient) -> None:
    r = client.post("/api/compare", json={"aids": ["kratom:K51:2g", "zolpidem:10mg"], "nights": 3})
    assert r.status_code == 200
    body = r.json()
    assert {a["aid"] for a in body["aids"]} == {"kratom:K51:2g", "zolpidem:10mg", "zolpidem:10mg + kratom:K51:2g"}
    together = next(a for a in body["aids"] if a["aid"] == "zolpidem:10mg + kratom:K51:2g")
    assert together["with_kratom"]["model"] == "dynamic" and together["with_kratom"]["auc_ratio"] >= 1.0
    assert len(body["chart"]["sleep_windows"]) == 3
    bad = client.post("/api/compare", json={"aids": ["kratom:../../x.yaml:2g"]})
    assert bad.status_code == 422 and "library ids" in bad.json()["detail"]
    assert client.post("/api/compare", json={"aids": []}).status_code == 422


def test_receptors(client: TestClient) -> None:
    r = client.post("/api/receptors", json={"nights": 2, "receptor": "mu"})
    assert r.status_code == 200
    body = r.json()
    assert len(body["nights"]) == 2
    assert len(body["chart"]["curves"]["default"]["total"]) == len(body["chart"]["clock"])
    cell = body["interval"]["peak_occupancy_percent"]
    assert 0 < cell["low"] <= cell["median"] <= cell["high"] < 100  # the headline, as in the CLI
    assert [a["dose_mg"] for a in body["positive_control"]["arms"]] == [2, 16, 32]
    bad = client.post("/api/receptors", json={"receptor": "sigma"})
    assert bad.status_code == 422 and "sigma" in bad.json()["detail"]


def test_interact_matches_cli_payload(client: TestClient) -> None:
    r = client.post("/api/interact", json={"victim": "midazolam"})
    assert r.status_code == 200
    direct = interaction("midazolam", kratom_regimen("K51", "2g", 1, "22:30"), None, time(7, 0), True).to_dict()
    assert r.json()["auc_ratio"] == pytest.approx(direct["auc_ratio"])
    bad = client.post("/api/interact", json={"victim": "unobtainium"})
    assert bad.status_code == 422 and "unobtainium" in bad.json()["detail"]


@pytest.mark.slow
def test_audit(client: TestClient) -> None:
    r = client.post("/api/audit", json={"text": "Kratom gives you deep, restful sleep without addiction risk."})
    assert r.status_code == 200
    assert r.json()["claims"]


def test_audit_limits(client: TestClient) -> None:
    big = client.post("/api/audit", json={"text": "a" * 100_001})
    assert big.status_code == 422 and "100 kB" in big.json()["detail"]
    assert client.post("/api/audit", json={"text": ""}).status_code == 422


def test_library_endpoints(client: TestClient) -> None:
    products = client.get("/api/products").json()
    assert any(p["id"] == "K51" for p in products)
    compounds = client.get("/api/compounds").json()
    assert any(c["name"] == "mitragynine" for c in compounds)
    assert "midazolam" in client.get("/api/medicines").json()["victims"]
    assert client.get("/api/limits").json()["nights"] == "1 to 365"


def test_validate(client: TestClient) -> None:
    body = client.get("/api/validate").json()
    assert body["passed"] == validation_report()["passed"]
    assert len(body["rows"]) == len(validation_report()["rows"])  # type: ignore[arg-type]


def test_scenarios_crud(client: TestClient) -> None:
    assert client.get("/api/scenarios").json() == []
    r = client.post("/api/scenarios", json={"name": "a week at 3 g", "params": {"dose": "3g", "nights": 7}})
    assert r.status_code == 201
    saved = r.json()
    assert saved["params"]["dose"] == "3g" and saved["params"]["at"] == "22:30"
    assert client.get(f"/api/scenarios/{saved['id']}").json() == saved
    assert [s["id"] for s in client.get("/api/scenarios").json()] == [saved["id"]]
    assert client.delete(f"/api/scenarios/{saved['id']}").status_code == 204
    assert client.get(f"/api/scenarios/{saved['id']}").status_code == 404
    assert client.delete(f"/api/scenarios/{saved['id']}").status_code == 404
    bad = client.post("/api/scenarios", json={"name": "x", "params": {"nights": 400}})
    assert bad.status_code == 422 and "params.nights" in bad.json()["detail"]
    assert client.post("/api/scenarios", json={"name": ""}).status_code == 422


def test_pages_and_offline_assets(client: TestClient) -> None:
    for path in ("/", "/night", "/compare", "/receptors", "/interactions", "/audit"):
        r = client.get(path)
        assert r.status_code == 200
        html = r.text
        assert '<meta name="viewport"' in html
        assert "http://" not in html and "https://" not in html  # nothing from outside
    js = client.get("/static/plotly.min.js")
    assert js.status_code == 200 and len(js.content) > 1_000_000
    assert client.get("/docs").status_code == 404  # its scripts would come from a CDN


def test_openapi_lists_every_command(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    for name in ("night", "simulate", "compare", "receptors", "interact", "audit", "products", "compounds",
                 "validate", "scenarios"):
        assert f"/api/{name}" in paths


def test_serve_command_rejects_bad_port(capsys: pytest.CaptureFixture[str]) -> None:
    from kratomsim.cli import main

    with pytest.raises(SystemExit) as exit_info:
        main(["serve", "--port", "70000"])
    assert exit_info.value.code == 2
    assert "--port must be from 1 to 65535" in capsys.readouterr().err


# ------------------------------------------------------------------ populations: subjects, seed, level


def _ordered(cell: dict[str, float]) -> bool:
    return cell["low"] <= cell["median"] <= cell["high"]


def test_night_with_subjects_has_intervals_and_bands(client: TestClient) -> None:
    r = client.post("/api/night", json={"nights": 2, "subjects": 50, "seed": 3, "level": 0.8})
    assert r.status_code == 200
    body = r.json()
    pop = body["population"]
    assert (pop["subjects"], pop["seed"], pop["level"]) == (50, 3, 0.8)
    assert pop["interval_percent"] == [10.0, 90.0]
    assert len(pop["nights"]) == 2 * len(body["chart"]["curves"])
    for row in pop["nights"]:
        for name in ("at_dose_nM", "peak_nM", "wake_nM", "morning_nM", "auc_sleep_nM_h", "peak_ng_per_mL"):
            assert _ordered(row[name]), (row["compound"], name, row[name])
        assert row["peak_nM"]["high"] > row["peak_nM"]["low"] > 0
    direct = night_report(nights=2, subjects=50, seed=3, level=0.8).to_dict()["population"]["nights"]
    assert pop["nights"][0]["peak_nM"] == pytest.approx(direct[0]["peak_nM"])  # the CLI's function and numbers
    assert body["nights"] == night_report(nights=2, start_date=date.today()).to_dict()["nights"]
    chart = body["chart"]
    assert chart["band"]["subjects"] == 50 and chart["band"]["interval"] == "10-90%"
    for curve in chart["curves"]:
        band = curve["band"]
        assert len(band["median_ng_per_mL"]) == len(chart["clock"])
        assert all(lo <= med + 1e-12 and med <= hi + 1e-12 for lo, med, hi in
                   zip(band["low_ng_per_mL"], band["median_ng_per_mL"], band["high_ng_per_mL"], strict=True))
        assert max(band["high_ng_per_mL"]) > max(band["low_ng_per_mL"])


def test_one_subject_is_the_plain_report(client: TestClient) -> None:
    body = client.post("/api/night", json={"nights": 2, "subjects": 1}).json()
    assert "population" not in body and body["chart"]["band"] is None
    assert all("band" not in c for c in body["chart"]["curves"])


SUBJECT_ENDPOINTS = ["/api/night", "/api/simulate", "/api/receptors", "/api/compare"]


@pytest.mark.parametrize("path", SUBJECT_ENDPOINTS)
@pytest.mark.parametrize(
    ("field", "value", "expected"),
    [
        ("subjects", 1001, "subjects: Input should be less than or equal to 1000 (a limit of the API per request; "
                           "see /api/limits)"),
        ("subjects", 0, "subjects: Input should be greater than or equal to 1"),
        ("level", 1.0, "level: Input should be less than 1"),
        ("level", 0, "level: Input should be greater than 0"),
        ("seed", -1, "seed: Input should be greater than or equal to 0"),
    ],
)
def test_population_options_out_of_range_are_one_line_422(
    client: TestClient, path: str, field: str, value: object, expected: str
) -> None:
    r = client.post(path, json={field: value})
    assert r.status_code == 422
    assert r.json() == {"detail": expected}


def test_simulate_with_subjects_gives_band_columns(client: TestClient) -> None:
    from kratomsim.populations import prediction_bands
    from kratomsim.scenario import make_scenario

    body = {"hours": 12, "grid": "30min", "subjects": 20, "seed": 1}
    j = client.post("/api/simulate", json=body).json()
    assert j["population"]["subjects"] == 20 and j["population"]["interval"] == "5-95%"
    row = j["data"][10]
    assert {"conc_nM_median", "conc_nM_low", "conc_nM_high", "conc_ng_per_mL_median"} <= set(row)
    assert "conc_nM" not in row
    assert all(r["conc_nM_low"] <= r["conc_nM_median"] <= r["conc_nM_high"] for r in j["data"])
    direct = prediction_bands(make_scenario(hours=12, grid="30min"), 20, 1, 0.9)
    assert j["rows"] == len(direct)
    assert [r["conc_nM_median"] for r in j["data"]] == pytest.approx(direct["median_nM"].tolist())
    for peak in j["peaks"]:
        assert peak["cmax_nM_low"] <= peak["cmax_nM"] <= peak["cmax_nM_high"]
    csv_rows = list(csv.DictReader(io.StringIO(client.post("/api/simulate?format=csv", json=body).text)))
    assert len(csv_rows) == j["rows"] and "conc_nM_high" in csv_rows[0]


def test_receptors_with_subjects(client: TestClient) -> None:
    body = client.post("/api/receptors", json={"nights": 2, "subjects": 30}).json()
    pop = body["population"]
    assert pop["subjects"] == 30 and len(pop["nights"]) == 2
    for night in pop["nights"]:
        assert _ordered(night["peak"]["occupancy_percent"]) and _ordered(night["wake"]["occupancy_percent"])
        assert _ordered(night["peak"]["stimulus_percent"])
        assert night["peak"]["occupancy_percent"]["high"] > night["peak"]["occupancy_percent"]["low"]


def test_compare_with_subjects(client: TestClient) -> None:
    body = client.post("/api/compare", json={"nights": 2, "subjects": 20}).json()
    assert body["population"]["subjects"] == 20
    kratom = [a for a in body["aids"] if a["kind"] != "medicine"]
    assert kratom and all(_ordered(a["population"]["night_last"]["wake_nM"]) for a in kratom)
    assert any("band" in c for c in body["chart"]["curves"])
    assert all("band" not in c for c in body["chart"]["curves"] if c["name"] == "zolpidem:10mg")


def test_population_endpoint_mirrors_the_cli(client: TestClient) -> None:
    from kratomsim.populations import run_population
    from kratomsim.scenario import make_scenario

    r = client.post("/api/population", json={"nights": 2, "subjects": 3000, "seed": 2, "wake": "06:30"})
    assert r.status_code == 200
    body = r.json()
    assert {"scenario", "subjects", "seed", "level", "wake_offset_h", "elapsed_s", "defective_subjects",
            "band_subjects", "metrics", "sources"} <= set(body)
    assert body["subjects"] == 3000 and body["wake_offset_h"] == 8.0
    assert all(m["low"] <= m["median"] <= m["high"] for m in body["metrics"])
    direct = run_population(make_scenario(count=2), 3000, seed=2, progress=False, wake_offset_h=8.0)
    table = direct.metrics_table()
    assert [m["median"] for m in body["metrics"]] == pytest.approx(table["median"].tolist())
    too_many = client.post("/api/population", json={"subjects": 100_001})
    assert too_many.status_code == 422
    assert too_many.json()["detail"] == ("subjects: Input should be less than or equal to 100000 "
                                         "(a limit of the API per request; see /api/limits)")
    assert client.post("/api/population", json={"dask": "tcp://elsewhere:8786"}).status_code == 422


def test_limits_and_spec_state_the_subject_limits(client: TestClient) -> None:
    limits = client.get("/api/limits").json()
    assert limits["subjects"].startswith("1 to 1,000")
    assert limits["population_subjects"].startswith("1 to 100,000")
    spec = client.get("/openapi.json").json()
    schemas = spec["components"]["schemas"]
    for name in ("NightRequest", "SimulateRequest", "ReceptorsRequest", "CompareRequest"):
        assert schemas[name]["properties"]["subjects"]["maximum"] == 1000
        assert schemas[name]["properties"]["level"]["exclusiveMaximum"] == 1
    assert schemas["PopulationRequest"]["properties"]["subjects"]["maximum"] == 100_000
    assert "/api/population" in spec["paths"]
