"""Saved scenarios in an embedded SQLite database, durable across crashes.

Why SQLite with WAL and ``synchronous=FULL``: a scenario acknowledged to a client (HTTP 201) must
survive the server being killed a moment later. Each write is one transaction, and with FULL
synchronous the write-ahead log is fsynced before the commit returns, so an acknowledged row is on
disk. One short-lived connection per operation keeps the store safe to use from the worker threads
that serve requests.
"""

from __future__ import annotations

import json
import sqlite3
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

DB_NAME = "scenarios.sqlite3"
BUSY_TIMEOUT_S = 30.0

_SCHEMA = """
CREATE TABLE IF NOT EXISTS scenarios (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    kind TEXT NOT NULL,
    params TEXT NOT NULL,
    created TEXT NOT NULL
)
"""


@dataclass(frozen=True)
class SavedScenario:
    """One saved scenario: the request parameters of a page, under a name."""

    id: str
    name: str
    kind: str
    params: dict[str, Any]
    created: str

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "name": self.name, "kind": self.kind, "params": self.params,
                "created": self.created}


class ScenarioStore:
    """Create, list, open and delete saved scenarios in ``DIR/scenarios.sqlite3``."""

    def __init__(self, data_dir: Path) -> None:
        self.path = Path(data_dir) / DB_NAME
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self._connect() as conn:
            # WAL is a property of the database file: set once, it persists.
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute(_SCHEMA)

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        conn = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_S, isolation_level=None)
        try:
            conn.execute("PRAGMA synchronous=FULL")
            yield conn
        finally:
            conn.close()

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        """One write transaction; IMMEDIATE takes the write lock up front so writers queue, not fail."""
        with self._connect() as conn:
            conn.execute("BEGIN IMMEDIATE")
            try:
                yield conn
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            conn.execute("COMMIT")

    def create(self, name: str, kind: str, params: dict[str, Any]) -> SavedScenario:
        """Store a scenario; when this returns, it is committed and fsynced."""
        item = SavedScenario(
            id=uuid.uuid4().hex,
            name=name,
            kind=kind,
            params=params,
            created=datetime.now(UTC).isoformat(timespec="seconds"),
        )
        with self._transaction() as conn:
            conn.execute(
                "INSERT INTO scenarios (id, name, kind, params, created) VALUES (?, ?, ?, ?, ?)",
                (item.id, item.name, item.kind, json.dumps(item.params, sort_keys=True), item.created),
            )
        return item

    def list(self) -> list[SavedScenario]:
        """All scenarios, oldest first."""
        with self._connect() as conn:
            rows = conn.execute(
                "SELECT id, name, kind, params, created FROM scenarios ORDER BY created, rowid"
            ).fetchall()
        return [_row(r) for r in rows]

    def get(self, scenario_id: str) -> SavedScenario | None:
        with self._connect() as conn:
            row = conn.execute(
                "SELECT id, name, kind, params, created FROM scenarios WHERE id = ?", (scenario_id,)
            ).fetchone()
        return _row(row) if row else None

    def delete(self, scenario_id: str) -> bool:
        """Remove a scenario; False when there was none with that id."""
        with self._transaction() as conn:
            cur = conn.execute("DELETE FROM scenarios WHERE id = ?", (scenario_id,))
            return cur.rowcount > 0


def _row(row: tuple[str, str, str, str, str]) -> SavedScenario:
    return SavedScenario(id=row[0], name=row[1], kind=row[2], params=json.loads(row[3]), created=row[4])
