"""The REST API: each endpoint answers like its CLI command, and bad input is a one-line 422."""

from __future__ import annotations

import csv
import io

import pytest
from fastapi.testclient import TestClient

from kratomsim.interactions import interaction_report
from kratomsim.night import night_report
from kratomsim.validate import validation_report


def test_night_default_matches_the_library(client: TestClient) -> None:
    r = client.post("/api/night", json={})
    assert r.status_code == 200
    body = r.json()
    direct = night_report(nights=7).to_dict()
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
        ({"nights": 61}, "nights: Input should be less than or equal to 60"),
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
    assert {a["aid"] for a in body["aids"]} == {"kratom:K51:2g", "zolpidem:10mg"}
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
    bad = client.post("/api/receptors", json={"receptor": "sigma"})
    assert bad.status_code == 422 and "sigma" in bad.json()["detail"]


def test_interact_matches_cli_payload(client: TestClient) -> None:
    r = client.post("/api/interact", json={"victim": "midazolam"})
    assert r.status_code == 200
    direct = interaction_report("midazolam", "K51", "2g", None, 1, False, "22:30", "07:00")
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
    assert client.get("/api/limits").json()["nights"] == "1 to 60"


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
    bad = client.post("/api/scenarios", json={"name": "x", "params": {"nights": 100}})
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
