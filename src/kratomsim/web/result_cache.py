"""A bounded least-recently-used store of finished response bodies, keyed by the validated request.

Why it is safe: a result depends only on the request, the day it starts on (the edges fill in today)
and the data files, and the data ship with the package (they cannot change while the server runs),
so a key holding the day and the request never goes stale and nothing has to be invalidated. The
key is the day plus the request model's canonical JSON after validation, so two bodies that
validate to the same request share one entry. Size 0 turns the cache off.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field

DEFAULT_SIZE = 32  # entries; a night answer is about 100-260 kB, so a few MB at most


@dataclass
class ResultCache:
    """Up to ``size`` response bodies; the least recently used one is dropped first."""

    size: int = DEFAULT_SIZE
    hits: int = 0
    misses: int = 0
    _bodies: OrderedDict[str, bytes] = field(default_factory=OrderedDict, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def __post_init__(self) -> None:
        if self.size < 0:
            raise ValueError(f"cache size is {self.size}; it must be 0 (off) or more")

    def get_or_make(self, key: str, make: Callable[[], bytes]) -> bytes:
        """The stored body for ``key``, or ``make()``'s, stored when the cache is on."""
        with self._lock:
            body = self._bodies.get(key)
            if body is not None:
                self._bodies.move_to_end(key)
                self.hits += 1
                return body
            self.misses += 1
        body = make()  # outside the lock: two first requests for one key may both compute it
        if self.size:
            with self._lock:
                self._bodies[key] = body
                self._bodies.move_to_end(key)
                while len(self._bodies) > self.size:
                    self._bodies.popitem(last=False)
        return body

    def __len__(self) -> int:
        return len(self._bodies)
