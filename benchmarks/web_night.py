"""The default night request (POST /api/night, empty body) through the web stack: p50/p95 and size.

Why ratios: timings depend on the machine and its load; the script also times, in the same run,
one scipy ``solve_ivp`` (LSODA, rtol 1e-8) of the same night for the typical subject (7 nights,
5-minute grid, all alkaloids), so "request / one ODE solve" carries over between machines.
It runs in-process through FastAPI's TestClient after one warm-up request (data files loaded).

    python benchmarks/web_night.py [--requests 100]
"""

from __future__ import annotations

import argparse
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
from kratomsim.pk.model import build_system
from kratomsim.web.app import create_app


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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=100)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as data:
        timer = ServerTimer(create_app(Path(data)))
        server, times, cpu, size_kb, wire_kb = _requests(timer, args.requests)
    ode = statistics.median(one_ode_night() for _ in range(5))
    report(server, times, cpu, size_kb, wire_kb, ode)


def _requests(timer: ServerTimer, count: int) -> tuple[list[float], list[float], list[float], float, float]:
    """Wall seconds in the app, wall and CPU seconds per request (client included), sizes in kB."""
    with TestClient(timer) as client:
        warm = client.post("/api/night", json={})
        assert warm.status_code == 200
        size_kb = len(warm.content) / 1000.0
        gz = client.post("/api/night", json={}, headers={"Accept-Encoding": "gzip"})
        wire_kb = float(gz.headers.get("content-length", len(gz.content))) / 1000.0
        times, cpu = [], []
        timer.seconds.clear()
        for _ in range(count):
            start, start_cpu = time.perf_counter(), time.process_time()
            response = client.post("/api/night", json={})
            times.append(time.perf_counter() - start)
            cpu.append(time.process_time() - start_cpu)  # server and client threads of this process
            assert response.status_code == 200
    return sorted(timer.seconds), times, cpu, size_kb, wire_kb


def report(server: list[float], times: list[float], cpu: list[float], size_kb: float, wire_kb: float,
           ode: float) -> None:
    times.sort()
    cpu.sort()
    p50, p95 = statistics.median(times), percentile(times, 0.95)
    cpu50, cpu95 = statistics.median(cpu), percentile(cpu, 0.95)
    s50, s95 = statistics.median(server), percentile(server, 0.95)
    print(f"POST /api/night (default: K51, 2g, 22:30 to 06:30, 7 nights, 70kg), {len(times)} requests: "
          f"server-side p50 {1000 * s50:.1f} ms, p95 {1000 * s95:.1f} ms (target p95 < 50 ms); with the test "
          f"client p50 {1000 * p50:.1f} ms, p95 {1000 * p95:.1f} ms; response {size_kb:.0f} kB "
          f"({wire_kb:.0f} kB on the wire with Accept-Encoding: gzip)")
    print(f"CPU time per request (server and test client, all threads): p50 {1000 * cpu50:.1f} ms, "
          f"p95 {1000 * cpu95:.1f} ms; on a busy machine the wall time exceeds it by the wait for a core")
    print(f"one solve_ivp (LSODA 1e-8) of the same night: {1000 * ode:.1f} ms; server p95 / solve_ivp = "
          f"{s95 / ode:.2f}")
    print(json.dumps({"benchmark": "web_night", "requests": len(times), "server_p50_ms": round(1000 * s50, 1),
                      "server_p95_ms": round(1000 * s95, 1), "p50_ms": round(1000 * p50, 1),
                      "p95_ms": round(1000 * p95, 1), "cpu_p50_ms": round(1000 * cpu50, 1),
                      "cpu_p95_ms": round(1000 * cpu95, 1), "response_kb": round(size_kb, 1),
                      "wire_kb": round(wire_kb, 1), "solve_ivp_night_ms": round(1000 * ode, 1),
                      "server_p95_over_solve_ivp": round(s95 / ode, 3),
                      "load_average_1min": round(os.getloadavg()[0], 2)}))


if __name__ == "__main__":
    main()
