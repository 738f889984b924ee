"""The default night request (POST /api/night, empty body) through the web stack: p50/p95 and size.

Three runs in one process: cold (the answer cache off, every request solved), warm (cache on, the
same request answered from it) and the baseline, the same night with the linear model
(``{"autoinhibition": false}``, cache off). Why ratios: timings depend on the machine and its load,
so the script prints cold / baseline and warm / baseline besides the milliseconds, and also one
scipy ``solve_ivp`` (LSODA, rtol 1e-8) of the same night for the typical subject. It runs
in-process through FastAPI's TestClient after one warm-up request (data files loaded).

    python benchmarks/web_night.py [--requests 100]
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
from fastapi.testclient import TestClient
from scipy.integrate import solve_ivp

from kratomsim.exposure import model_for
from kratomsim.night_report import make_timeline, nightly_exposure
from kratomsim.night_timeline import GRID
from kratomsim.pk.model import build_system
from kratomsim.units import parse_duration_h
from kratomsim.web.api import _json
from kratomsim.web.app import create_app
from kratomsim.web.chart import chart_block, key_instants
from kratomsim.web.result_cache import DEFAULT_SIZE


class ServerTimer:
    """ASGI wrapper: seconds from a request entering the app to its last body byte leaving it."""

    def __init__(self, app: Any) -> None:
        self.app, self.seconds = app, []

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start = time.perf_counter()

        async def timed_send(message: Any) -> None:
            await send(message)
            if message["type"] == "http.response.body" and not message.get("more_body", False):
                self.seconds.append(time.perf_counter() - start)

        await self.app(scope, receive, timed_send)


def percentile(sorted_values: list[float], q: float) -> float:
    return sorted_values[min(len(sorted_values) - 1, round(q * (len(sorted_values) - 1)))]


def one_ode_night() -> float:
    """Seconds for solve_ivp of the default night (typical subject) on the report's grid."""
    exposure = nightly_exposure("K51", "2g", make_timeline("22:30", "06:30", 7, "09:00", None))
    system = build_system(*model_for(exposure.scenario))
    A, times = system.A[0], exposure.times_h
    arrivals = sorted((round(d.time_h + system.lag[d.compound], 9), system.depot[d.compound],
                       float(np.asarray(d.amount_umol))) for d in exposure.scenario.dose_events())
    start = time.perf_counter()
    state, t_now = np.zeros(A.shape[0]), 0.0
    for at in [*sorted({a for a, _, _ in arrivals}), float(times[-1])]:
        if at > t_now:
            sel = times[(times > t_now) & (times <= at)]
            state = solve_ivp(lambda _t, x: A @ x, (t_now, at), state, method="LSODA", rtol=1e-8, atol=1e-12,
                              t_eval=sel, jac=lambda _t, _x: A).y[:, -1]
            t_now = at
        for a, index, amount in arrivals:
            if a == at:
                state[index] += amount
    return time.perf_counter() - start


def chart_sizes() -> dict[str, float]:
    """kB of the default night answer with the chart thinned (as served) and with every 5-minute point.

    Both from one report, so the difference is the thinning alone; gzip at level 1, as the app sends.
    """
    from kratomsim.night_report import night_report

    report = night_report(start_date="2026-01-05")
    out = {}
    for label, step in (("trimmed", None), ("full_grid", parse_duration_h(GRID))):
        extra = {} if step is None else {"step_h": step}
        chart = chart_block(report.series, "compound", report.windows, report.population,
                            key_instants(report.timeline), **extra)
        body = bytes(_json({**report.to_dict(), "chart": chart}).body)
        out[f"{label}_points"] = float(len(chart["clock"]))
        out[f"{label}_kb"] = len(body) / 1000.0
        out[f"{label}_gzip_kb"] = len(gzip.compress(body, compresslevel=1)) / 1000.0
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=100)
    args = parser.parse_args()
    runs = {}
    with tempfile.TemporaryDirectory() as data:
        for label, body, cache_size in (("cold", {}, 0), ("warm", {}, DEFAULT_SIZE),
                                        ("baseline", {"autoinhibition": False}, 0)):
            timer = ServerTimer(create_app(Path(data) / label, night_cache_size=cache_size))
            runs[label] = _requests(timer, body, args.requests)
    ode = statistics.median(one_ode_night() for _ in range(5))
    report(runs, ode, chart_sizes())


def _requests(timer: ServerTimer, body: dict[str, Any], count: int) -> dict[str, float]:
    """p50/p95 of the wall seconds in the app and with the client, CPU seconds, and sizes in kB."""
    with TestClient(timer) as client:
        warm = client.post("/api/night", json=body)
        assert warm.status_code == 200
        gz = client.post("/api/night", json=body, headers={"Accept-Encoding": "gzip"})
        times, cpu = [], []
        timer.seconds.clear()
        for _ in range(count):
            start, start_cpu = time.perf_counter(), time.process_time()
            response = client.post("/api/night", json=body)
            times.append(time.perf_counter() - start)
            cpu.append(time.process_time() - start_cpu)  # server and client threads of this process
            assert response.status_code == 200
    server = sorted(timer.seconds)
    times.sort()
    cpu.sort()
    return {"server_p50_ms": 1000 * statistics.median(server), "server_p95_ms": 1000 * percentile(server, 0.95),
            "p50_ms": 1000 * statistics.median(times), "p95_ms": 1000 * percentile(times, 0.95),
            "cpu_p50_ms": 1000 * statistics.median(cpu), "cpu_p95_ms": 1000 * percentile(cpu, 0.95),
            "response_kb": len(warm.content) / 1000.0,
            "wire_kb": float(gz.headers.get("content-length", len(gz.content))) / 1000.0,
            "requests": float(count)}


def report(runs: dict[str, dict[str, float]], ode: float, sizes: dict[str, float]) -> None:
    base = runs["baseline"]
    for label, r in runs.items():
        print(f"{label:8s} POST /api/night, {int(r['requests'])} requests: "
              f"server-side p50 {r['server_p50_ms']:.1f} ms, "
              f"p95 {r['server_p95_ms']:.1f} ms (target p95 < 50 ms); with the test client p50 {r['p50_ms']:.1f} ms, "
              f"p95 {r['p95_ms']:.1f} ms; CPU p50 {r['cpu_p50_ms']:.1f} ms; response {r['response_kb']:.0f} kB "
              f"({r['wire_kb']:.0f} kB gzipped); server p95 / baseline p95 = "
              f"{r['server_p95_ms'] / base['server_p95_ms']:.2f}")
    print(f"baseline: the same night with the linear model (autoinhibition off, cache off). One solve_ivp "
          f"(LSODA 1e-8) of the night: {1000 * ode:.1f} ms")
    print(f"chart thinned to 15 min: {sizes['trimmed_points']:.0f} points, answer {sizes['trimmed_kb']:.1f} kB "
          f"({sizes['trimmed_gzip_kb']:.1f} kB gzipped); with every 5-minute point: {sizes['full_grid_points']:.0f} "
          f"points, {sizes['full_grid_kb']:.1f} kB ({sizes['full_grid_gzip_kb']:.1f} kB gzipped)")
    print(json.dumps({"benchmark": "web_night", "solve_ivp_night_ms": round(1000 * ode, 1),
                      "chart_sizes": {k: round(v, 1) for k, v in sizes.items()},
                      "load_average_1min": round(os.getloadavg()[0], 2),
                      **{label: {k: round(v, 1) for k, v in r.items()} for label, r in runs.items()},
                      "cold_p95_over_baseline": round(runs["cold"]["server_p95_ms"] / base["server_p95_ms"], 3),
                      "warm_p95_over_baseline": round(runs["warm"]["server_p95_ms"] / base["server_p95_ms"], 3)}))


if __name__ == "__main__":
    main()
