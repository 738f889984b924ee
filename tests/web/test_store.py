"""Saved scenarios: the SQLite store alone, and its durability when the server is killed mid-write."""

from __future__ import annotations

import os
import signal
import sqlite3
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx

from kratomsim.web.store import DB_NAME, ScenarioStore


def test_create_list_get_delete(tmp_path: Path) -> None:
    store = ScenarioStore(tmp_path)
    a = store.create("first", "night", {"dose": "2g", "nights": 7})
    b = store.create("second", "night", {"dose": "4g", "nights": 1})
    assert [s.id for s in store.list()] == [a.id, b.id]
    got = store.get(a.id)
    assert got is not None and got.params == {"dose": "2g", "nights": 7} and got.name == "first"
    assert store.delete(a.id)
    assert not store.delete(a.id)
    assert store.get(a.id) is None
    assert [s.id for s in ScenarioStore(tmp_path).list()] == [b.id]  # reopened from disk


def test_wal_and_full_sync(tmp_path: Path) -> None:
    ScenarioStore(tmp_path)
    conn = sqlite3.connect(tmp_path / DB_NAME)
    try:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    finally:
        conn.close()


def test_concurrent_writers_in_process(tmp_path: Path) -> None:
    store = ScenarioStore(tmp_path)
    ids: list[str] = []
    lock = threading.Lock()

    def write(k: int) -> None:
        for i in range(20):
            item = store.create(f"w{k}-{i}", "night", {"i": i})
            with lock:
                ids.append(item.id)

    threads = [threading.Thread(target=write, args=(k,)) for k in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(s.id for s in store.list()) == sorted(ids)
    assert len(ids) == 160


def test_acknowledged_scenarios_survive_sigkill(tmp_path: Path, start_server: Callable[[Path], Any]) -> None:
    """Write from several threads, SIGKILL the server mid-write, restart: every 201 is still there."""
    data = tmp_path / "data"
    server = start_server(data)
    acked: dict[str, dict[str, Any]] = {}
    lock = threading.Lock()
    stop = threading.Event()
    attempts = [0]

    def writer(k: int) -> None:
        with httpx.Client(base_url=server.url, timeout=10.0) as http:
            i = 0
            while not stop.is_set():
                body = {"name": f"writer {k} #{i}", "kind": "night",
                        "params": {"dose": f"{1 + (i % 5)}g", "nights": 1 + i % 60, "at": "23:00"}}
                i += 1
                with lock:
                    attempts[0] += 1
                try:
                    response = http.post("/api/scenarios", json=body)
                except httpx.HTTPError:
                    continue  # the server died during this request: not acknowledged
                if response.status_code == 201:
                    saved = response.json()
                    with lock:
                        acked[saved["id"]] = saved

    threads = [threading.Thread(target=writer, args=(k,)) for k in range(8)]
    for t in threads:
        t.start()
    deadline = time.monotonic() + 30
    while len(acked) < 200 and time.monotonic() < deadline:
        time.sleep(0.02)
    os.kill(server.proc.pid, signal.SIGKILL)  # mid-write: the writers are still posting
    server.proc.wait()
    stop.set()
    for t in threads:
        t.join()
    assert len(acked) >= 200
    assert attempts[0] > len(acked)  # writers were still posting when the server died

    restarted = start_server(data)
    with httpx.Client(base_url=restarted.url, timeout=10.0) as http:
        listed = {s["id"]: s for s in http.get("/api/scenarios").json()}
        missing = [i for i in acked if i not in listed]
        assert not missing, f"{len(missing)} acknowledged scenarios lost"
        for scenario_id, saved in acked.items():
            assert listed[scenario_id] == saved
        sample = next(iter(acked))
        assert http.get(f"/api/scenarios/{sample}").json() == acked[sample]
