"""The night page's sleep-stage plot (static/sleep_plot.js): served, wired into the page, and drawing
exactly the medians and intervals of /api/night's sleep_architecture (run in node with a stub Plotly)."""

from __future__ import annotations

import json
import shutil
import subprocess

import pytest
from fastapi.testclient import TestClient

from kratomsim.web.app import STATIC_DIR

RUNNER = """
const fs = require("fs");
const captured = {};
global.window = { Plotly: { react: (box, traces, layout) => { captured.traces = traces; captured.layout = layout; } } };
const nodes = { "sleep-plot": {}, "sleep-plot-note": { textContent: "" } };
global.document = { getElementById: (id) => nodes[id] || null };
eval(fs.readFileSync(process.argv[2], "utf8"));
window.renderSleepPlot(JSON.parse(fs.readFileSync(0, "utf8")));
captured.note = nodes["sleep-plot-note"].textContent;
process.stdout.write(JSON.stringify(captured));
"""


def test_page_loads_the_plot_script_and_has_its_box(client: TestClient) -> None:
    page = client.get("/night").text
    assert '<script src="/static/sleep_plot.js" defer></script>' in page and 'id="sleep-plot"' in page
    script = client.get("/static/sleep_plot.js")
    assert script.status_code == 200 and "window.renderSleepPlot" in script.text


@pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed")
def test_plot_draws_the_api_medians_and_intervals(client: TestClient, tmp_path) -> None:  # type: ignore[no-untyped-def]
    sleep = client.post("/api/night", json={"nights": 3}).json()["sleep_architecture"]
    runner = tmp_path / "run.js"
    runner.write_text(RUNNER)
    out = subprocess.run(["node", str(runner), str(STATIC_DIR / "sleep_plot.js")], input=json.dumps(sleep),
                         capture_output=True, text=True, check=True, timeout=60)
    drawn = json.loads(out.stdout)
    by_name = {t["name"]: t for t in drawn["traces"]}
    for key, name in (("change", "stimulus only"), ("change_with_tolerance", "with tolerance bracket")):
        cells = [(f"{c['outcome']}, night {n['night']}", c[key]) for n in sleep["nights"]
                 for c in n["changes"].values() if c.get(key) and c[key]["median"] is not None]
        trace = by_name[name]
        assert trace["y"] == [label for label, _ in cells]
        assert trace["x"] == pytest.approx([c["median"] for _, c in cells])
        assert trace["error_x"]["array"] == pytest.approx([c["high"] - c["median"] for _, c in cells])
        assert trace["error_x"]["arrayminus"] == pytest.approx([c["median"] - c["low"] for _, c in cells])
    unsized = {c["outcome"] for n in sleep["nights"] for c in n["changes"].values() if c["change"]["median"] is None}
    assert all(name in drawn["note"] for name in unsized) and bool(unsized) == bool(drawn["note"])
    assert "points of total sleep time" in drawn["layout"]["xaxis"]["title"]["text"]
