"""The night answer cache: a hit returns the same bytes as a fresh solve, the bound holds, 0 is off."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from kratomsim.web.app import create_app
from kratomsim.web.result_cache import ResultCache


def test_lru_drops_the_least_recently_used() -> None:
    cache = ResultCache(2)
    made: list[str] = []

    def maker(key: str) -> bytes:
        made.append(key)
        return key.encode()

    for key in ("a", "b", "a", "c", "a", "b"):
        assert cache.get_or_make(key, lambda k=key: maker(k)) == key.encode()  # type: ignore[misc]
    # "a" stays (used again before "c" came), "b" was dropped when "c" came, so it is made twice.
    assert made == ["a", "b", "c", "b"]
    assert len(cache) == 2 and cache.hits == 2 and cache.misses == 4


def test_size_zero_keeps_nothing_and_negative_is_refused() -> None:
    cache = ResultCache(0)
    assert cache.get_or_make("k", lambda: b"x") == b"x"
    assert cache.get_or_make("k", lambda: b"y") == b"y"
    assert len(cache) == 0
    with pytest.raises(ValueError, match="0 \\(off\\) or more"):
        ResultCache(-1)


def test_cached_night_equals_a_fresh_solve(tmp_path: Path) -> None:
    body = {"nights": 2, "dose": "3g"}
    cached_app, cold_app = create_app(tmp_path / "on"), create_app(tmp_path / "off", night_cache_size=0)
    with TestClient(cached_app) as cached, TestClient(cold_app) as cold:
        first = cached.post("/api/night", json=body)
        again = cached.post("/api/night", json={"dose": "3g", "nights": 2})  # same request, other key order
        fresh = cold.post("/api/night", json=body)
        other = cached.post("/api/night", json={"nights": 2, "dose": "2g"})
        cache = cached_app.state.night_cache
    assert first.status_code == again.status_code == fresh.status_code == 200
    assert first.content == again.content == fresh.content
    assert first.headers["content-type"] == "application/json"
    assert other.json()["request"]["dose"] == "2g" and other.content != first.content
    assert (cache.hits, cache.misses, len(cache)) == (1, 2, 2)


def test_a_new_day_is_a_new_answer(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The night starts today: a cached answer from yesterday would show yesterday's dates."""
    from datetime import date

    from kratomsim.web import api

    class Day(date):
        current = date(2026, 3, 1)

        @classmethod
        def today(cls) -> date:
            return cls.current

    monkeypatch.setattr(api, "date", Day)
    app = create_app(tmp_path / "d")
    with TestClient(app) as client:
        first = client.post("/api/night", json={"nights": 1}).json()
        Day.current = date(2026, 3, 2)
        second = client.post("/api/night", json={"nights": 1}).json()
    assert first["scenario"]["first_dose"].startswith("2026-03-01")
    assert second["scenario"]["first_dose"].startswith("2026-03-02")
    assert app.state.night_cache.misses == 2


def test_prewarm_answers_the_first_default_request_from_the_cache(tmp_path: Path) -> None:
    app = create_app(tmp_path / "warm", prewarm=True)
    app.state.prewarm.join(timeout=120)
    cache = app.state.night_cache
    assert not app.state.prewarm.is_alive() and (cache.hits, cache.misses, len(cache)) == (0, 1, 1)
    with TestClient(app) as warm, TestClient(create_app(tmp_path / "cold", night_cache_size=0)) as cold:
        first = warm.post("/api/night", json={})
        fresh = cold.post("/api/night", json={})
    assert cache.hits == 1 and cache.misses == 1  # the first request was a hit
    assert first.content == fresh.content
    assert create_app(tmp_path / "off", night_cache_size=0, prewarm=True).state.prewarm is None
