"""A small per-process cache for lookups made on every request, kept in step
across processes by an invalidation stream in Redis.

Used for the hostname → clinic lookup and for access-token families: both
are read on every API call and change rarely. A hit costs no network round
trip. Each entry carries tags ("clinic:7", "clinic_acme:user:12"); a change
forgets a tag here at once and, when its transaction commits, publishes it
on a Redis stream that every process reads at most once per
`LOCAL_CACHE_SYNC_SECONDS` (default 1), from the request that finds the
read due. So a suspension or a revoked token reaches every process within
about a second, and entries may live for `synced_ttl` (a minute) instead of
a few seconds — which is what keeps a server spreading its requests over
hundreds of clinics from re-reading them all the time.

When the stream cannot be read (no REDIS_URL, Redis down, a process that has
not synced for a while), entries fall back to their short `ttl`, exactly as
without the stream: the stream only ever lengthens a life that it can cut.

Nothing read inside a transaction is stored: it may be rolled back (the test
suite rolls back every test), and a cache must never outlive the data it
copies. Nor is anything stored under a tag forgotten in the last
`RECENT_SECONDS`: the value may have been read before the change committed.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Hashable, Iterable
from typing import Any, Generic, TypeVar

from django.conf import settings
from django.db import connection, transaction

log = logging.getLogger(__name__)

V = TypeVar("V")

# Far more than a second's worth of changes: a process that falls further
# behind than this clears its caches instead of trusting them.
STREAM_MAX_LENGTH = 10_000
RECENT_SECONDS = 10.0


def may_store() -> bool:
    """False inside a transaction that may have written: what it reads may
    never be committed.

    Every request is a transaction (ATOMIC_REQUESTS). In that one outermost
    block PostgreSQL is asked: a transaction gets an id only at its first
    write. Inside a nested block (a service at work) or a test case's
    transaction (which will roll back) the answer is no without asking.
    """
    blocks = connection.atomic_blocks
    if not blocks:
        return True
    if len(blocks) > 1 or blocks[0]._from_testcase or connection.needs_rollback:
        return False
    with connection.cursor() as cursor:
        cursor.execute("SELECT txid_current_if_assigned() IS NULL")
        return cursor.fetchone()[0]


class InvalidationStream:
    """The Redis stream that carries forgotten tags between processes."""

    def __init__(self) -> None:
        self._client: Any = None
        self._client_url = ""
        self._last_id: str | None = None
        self._added = 0  # the stream's entries-added count at our position
        self._last_sync = float("-inf")  # monotonic time of the last good read
        self._last_attempt = float("-inf")
        self._lock = threading.Lock()
        self._caches: list[LocalTTLCache] = []
        # tag -> monotonic time it was last forgotten (here or elsewhere)
        self._recent: dict[str, float] = {}

    # --- settings (read at call time, so tests can change them) -------------
    @staticmethod
    def interval() -> float:
        return float(getattr(settings, "LOCAL_CACHE_SYNC_SECONDS", 1.0))

    @staticmethod
    def url() -> str:
        return getattr(settings, "REDIS_URL", "") or ""

    @staticmethod
    def key() -> str:
        # One stream per deployment (and per test run) sharing a Redis.
        prefix = getattr(settings, "CACHE_KEY_PREFIX", "") or "chairside"
        return f"{prefix}:local-cache-invalidations"

    def register(self, cache: LocalTTLCache) -> None:
        self._caches.append(cache)

    def caches(self) -> list[LocalTTLCache]:
        return list(self._caches)

    def _redis(self) -> Any:
        url = self.url()
        if self._client is None or self._client_url != url:
            import redis

            self._client = redis.Redis.from_url(
                url, socket_timeout=0.25, socket_connect_timeout=0.25
            )
            self._client_url = url
            self._last_id = None
        return self._client

    # --- reading ------------------------------------------------------------
    def synced(self) -> bool:
        """True while this process has read the stream recently enough that
        its entries may live their long life. Reads it when due."""
        if not self.url():
            return False
        now = time.monotonic()
        if now - self._last_attempt >= self.interval() and self._lock.acquire(
            blocking=False
        ):
            try:
                self._last_attempt = now
                self._read(now)
            finally:
                self._lock.release()
        return time.monotonic() - self._last_sync <= 3 * self.interval()

    def _read(self, now: float) -> None:
        key = self.key()
        first = self._last_id is None
        try:
            client = self._redis()
            # One MULTI: whether the stream exists, how many entries it ever
            # had and its newest id, and the entries this process has not seen.
            pipe = client.pipeline(transaction=True)
            pipe.exists(key)
            pipe.xinfo_stream(key)
            if first:
                # What this process cached so far was read moments ago: the
                # last RECENT_SECONDS of changes cover it.
                seconds, micros = client.time()
                since_ms = seconds * 1000 + micros // 1000 - int(RECENT_SECONDS * 1000)
                pipe.xrange(key, min=str(since_ms), max="+")
            else:
                pipe.xread({key: self._last_id}, count=STREAM_MAX_LENGTH)
            exists, info, found = pipe.execute(raise_on_error=False)
            if isinstance(found, Exception):
                raise found
        except Exception as error:
            log.warning("local cache stream unreadable: %s", error)
            return
        added = int(info.get("entries-added", 0)) if exists else 0
        if first:
            entries = found
        else:
            entries = [entry for _stream, batch in found or [] for entry in batch]
            if added - self._added != len(entries):
                # Changes after our position were trimmed away unseen, or
                # Redis lost the stream: nothing cached here can be trusted.
                self._clear_all()
        for _entry_id, fields in entries:
            self._apply(fields.get(b"tag", b"").decode(), now)
        newest = info.get("last-generated-id") if exists else None
        self._last_id = newest.decode() if newest else "0-0"
        self._added = added
        self._last_sync = now

    def _apply(self, tag: str, now: float) -> None:
        self.note_forgotten(tag, now)
        for cache in self._caches:
            cache.forget_tag_locally(tag)

    def _clear_all(self) -> None:
        for cache in self._caches:
            cache.clear()

    # --- writing ------------------------------------------------------------
    def publish(self, tag: str) -> None:
        if not self.url():
            return
        try:
            self._redis().xadd(
                self.key(), {"tag": tag}, maxlen=STREAM_MAX_LENGTH, approximate=True
            )
        except Exception as error:
            # Other processes may keep the entry for its long life: say so.
            log.error("local cache invalidation not published (%s): %s", tag, error)

    # --- races --------------------------------------------------------------
    def note_forgotten(self, tag: str, now: float | None = None) -> None:
        now = time.monotonic() if now is None else now
        self._recent[tag] = now
        if len(self._recent) > 10_000:
            cutoff = now - RECENT_SECONDS
            self._recent = {t: at for t, at in self._recent.items() if at >= cutoff}

    def recently_forgotten(self, tags: Iterable[str]) -> bool:
        cutoff = time.monotonic() - RECENT_SECONDS
        return any(self._recent.get(tag, float("-inf")) >= cutoff for tag in tags)

    def reset(self) -> None:
        """Forget the stream position and recent tags (tests)."""
        self._last_id = None
        self._last_sync = float("-inf")
        self._last_attempt = float("-inf")
        self._recent.clear()


def _id_after(raw: bytes, last_id: str) -> bool:
    """Stream ids are "<ms>-<seq>": is `raw` later than `last_id`?"""
    a_ms, a_seq = raw.decode().split("-")
    b_ms, b_seq = last_id.split("-")
    return (int(a_ms), int(a_seq)) > (int(b_ms), int(b_seq))


stream = InvalidationStream()


class LocalTTLCache(Generic[V]):
    """Entries live `ttl` seconds, or `synced_ttl` while the process reads
    the invalidation stream."""

    def __init__(
        self,
        *,
        max_entries: int = 10_000,
        invalidations: InvalidationStream | None = None,
    ) -> None:
        # key -> (stored at, short ttl, long ttl, tags, value)
        self._entries: dict[
            Hashable, tuple[float, float, float, tuple[str, ...], V]
        ] = {}
        self._lock = threading.Lock()
        self._max_entries = max_entries
        self._stream = invalidations or stream
        self._stream.register(self)

    def get(self, key: Hashable) -> V | None:
        entry = self._entries.get(key)
        if entry is None:
            return None
        stored, ttl, synced_ttl, _tags, value = entry
        life = synced_ttl if synced_ttl > ttl and self._stream.synced() else ttl
        if key not in self._entries:  # dropped by the stream just now
            return None
        if stored + life < time.monotonic():
            self._entries.pop(key, None)
            return None
        return value

    def set(
        self,
        key: Hashable,
        value: V,
        *,
        ttl: float,
        synced_ttl: float = 0.0,
        tags: Iterable[str] = (),
    ) -> None:
        tags = tuple(tags)
        if ttl <= 0 or not may_store() or self._stream.recently_forgotten(tags):
            return
        with self._lock:
            if len(self._entries) >= self._max_entries:
                self._entries.clear()  # crude, but bounded and rare
            self._entries[key] = (time.monotonic(), ttl, synced_ttl, tags, value)

    def forget_tag(self, tag: str) -> None:
        """Drop entries carrying `tag` in every process: here now, here again
        and everywhere else once the surrounding transaction commits (another
        request may re-read the old row in between)."""

        def drop_and_publish() -> None:
            self.forget_tag_locally(tag)
            self._stream.publish(tag)

        self.forget_tag_locally(tag)
        if connection.in_atomic_block:
            transaction.on_commit(drop_and_publish)
        else:
            self._stream.publish(tag)

    def forget_tag_locally(self, tag: str) -> None:
        self._stream.note_forgotten(tag)
        with self._lock:
            for key in [k for k, e in self._entries.items() if tag in e[3]]:
                self._entries.pop(key, None)

    def forget(self, key: Hashable) -> None:
        """This process only (no tag to tell the others)."""
        self._entries.pop(key, None)

    def clear(self) -> None:
        self._entries.clear()
