"""A small per-process cache with expiry, for lookups made on every request.

Used for the hostname → clinic lookup and for access-token families: both
are read on every API call and change rarely. Entries live in this process
only (no network round trip on a hit); a change made here removes them at
once, other processes see it when their entry expires.

Nothing read inside a transaction is stored: it may be rolled back (the test
suite rolls back every test), and a cache must never outlive the data it
copies.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

from django.db import connection

V = TypeVar("V")


def may_store() -> bool:
    """False inside a transaction: what it reads may never be committed."""
    return not connection.in_atomic_block


class LocalTTLCache(Generic[V]):
    def __init__(self, *, max_entries: int = 10_000) -> None:
        self._entries: dict[Hashable, tuple[float, V]] = {}
        self._lock = threading.Lock()
        self._max_entries = max_entries

    def get(self, key: Hashable) -> V | None:
        entry = self._entries.get(key)
        if entry is None:
            return None
        expires, value = entry
        if expires < time.monotonic():
            self._entries.pop(key, None)
            return None
        return value

    def set(self, key: Hashable, value: V, *, ttl: float) -> None:
        if ttl <= 0 or not may_store():
            return
        with self._lock:
            if len(self._entries) >= self._max_entries:
                self._entries.clear()  # crude, but bounded and rare
            self._entries[key] = (time.monotonic() + ttl, value)

    def forget(self, key: Hashable) -> None:
        self._entries.pop(key, None)

    def forget_where(self, predicate: Callable[[Hashable, V], bool]) -> None:
        with self._lock:
            for key in [k for k, (_e, v) in self._entries.items() if predicate(k, v)]:
                self._entries.pop(key, None)

    def clear(self) -> None:
        self._entries.clear()
