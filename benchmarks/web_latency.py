"""Latency of the default night request (POST /api/night with an empty body) through the web stack.

Why a script, not a timed test: timings depend on the machine; this prints them for the record.
It runs in-process through FastAPI's TestClient (routing, validation, the night report, JSON),
after one warm-up request that loads the data files.

    python benchmarks/web_latency.py [--requests 50] [--subjects N]

``--subjects N`` (1 to 1000) times the same request with N simulated people instead.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from fastapi.testclient import TestClient

from kratomsim.web.app import create_app


def measure(requests: int, subjects: int = 1) -> list[float]:
    """Seconds per request, one after another."""
    body = {} if subjects == 1 else {"subjects": subjects}
    with tempfile.TemporaryDirectory() as data, TestClient(create_app(Path(data))) as client:
        assert client.post("/api/night", json=body).status_code == 200  # warm-up
        times = []
        for _ in range(requests):
            start = time.perf_counter()
            response = client.post("/api/night", json=body)
            times.append(time.perf_counter() - start)
            assert response.status_code == 200
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=50)
    parser.add_argument("--subjects", type=int, default=1, help="simulated people per request (1 = default)")
    args = parser.parse_args()
    times = sorted(measure(args.requests, args.subjects))
    p95 = times[min(len(times) - 1, round(0.95 * (len(times) - 1)))]
    people = "" if args.subjects == 1 else f", {args.subjects} people"
    print(f"POST /api/night (default: K51, 2g, 22:30 to 06:30, 7 nights, 70kg{people}), {len(times)} requests")
    print(f"median {1000 * statistics.median(times):.0f} ms, p95 {1000 * p95:.0f} ms, "
          f"min {1000 * times[0]:.0f} ms, max {1000 * times[-1]:.0f} ms")


if __name__ == "__main__":
    main()
