"""Per-process caches kept in step through the invalidation stream in Redis
(chairside.core.localcache). Each InvalidationStream here stands for one
process: the only thing two of them share is the real Redis server, as two
gunicorn workers do."""

from __future__ import annotations

import pytest

from chairside.core import localcache
from chairside.core.localcache import InvalidationStream, LocalTTLCache
from tenants.models import Clinic
from tenants.schema_engine import resolution

pytestmark = pytest.mark.django_db


class Clock:
    def __init__(self) -> None:
        self.now = 1_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch):
    clock = Clock()
    monkeypatch.setattr(localcache.time, "monotonic", clock)
    return clock


@pytest.fixture
def synced(settings, local_caches):
    if not settings.REDIS_URL:
        pytest.skip("the invalidation stream needs Redis (REDIS_URL)")
    # Read the stream on every lookup.
    settings.LOCAL_CACHE_SYNC_SECONDS = 0


def process() -> tuple[InvalidationStream, LocalTTLCache[str]]:
    stream = InvalidationStream()
    return stream, LocalTTLCache(invalidations=stream)


def test_a_change_in_one_process_reaches_the_other(
    synced, clock, django_capture_on_commit_callbacks
):
    _, here = process()
    _, there = process()
    there.set("k", "old", ttl=5, synced_ttl=60, tags=["clinic:1"])
    assert there.get("k") == "old"  # first read of the stream: position taken

    clock.now += 30  # past the short life, within the long one
    assert there.get("k") == "old"

    with django_capture_on_commit_callbacks(execute=True):
        here.forget_tag("clinic:1")  # published when the test's change commits
    assert there.get("k") is None


def test_inside_a_transaction_the_change_is_published_on_commit(
    synced, clock, django_capture_on_commit_callbacks
):
    _, here = process()
    _, there = process()
    there.set("k", "old", ttl=5, synced_ttl=60, tags=["t"])
    there.get("k")
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        here.forget_tag("t")
    assert there.get("k") == "old"  # not committed yet: others keep it
    for callback in callbacks:
        callback()
    assert there.get("k") is None


def test_without_the_stream_entries_live_their_short_ttl(settings, clock, local_caches):
    settings.REDIS_URL = ""
    _, cache = process()
    cache.set("k", "v", ttl=5, synced_ttl=60)
    clock.now += 4
    assert cache.get("k") == "v"
    clock.now += 2
    assert cache.get("k") is None


def test_an_unreachable_redis_falls_back_to_the_short_ttl(settings, clock, synced):
    settings.REDIS_URL = "redis://127.0.0.1:1/0"  # nothing listens there
    stream, cache = process()
    cache.set("k", "v", ttl=5, synced_ttl=60)
    assert cache.get("k") == "v"
    assert not stream.synced()
    clock.now += 6
    assert cache.get("k") is None


def test_a_stale_process_that_lost_messages_to_trimming_starts_over(
    synced, clock, settings, django_capture_on_commit_callbacks
):
    _, here = process()
    there_stream, there = process()
    there.set("k", "v", ttl=5, synced_ttl=60, tags=["a"])
    there.get("k")
    # Everything after `there`'s position is trimmed away unseen.
    for tag in ("x", "y", "z"):
        with django_capture_on_commit_callbacks(execute=True):
            here.forget_tag(tag)
    import redis

    redis.Redis.from_url(settings.REDIS_URL).xtrim(
        there_stream.key(), maxlen=1, approximate=False
    )
    assert there.get("k") is None  # cleared: it cannot know what it missed


def test_a_value_read_around_a_change_is_not_stored(synced, clock):
    _, cache = process()
    cache.forget_tag("clinic:9")
    cache.set("k", "maybe stale", ttl=5, synced_ttl=60, tags=["clinic:9"])
    assert cache.get("k") is None
    clock.now += localcache.RECENT_SECONDS + 1
    cache.set("k", "fresh", ttl=5, synced_ttl=60, tags=["clinic:9"])
    assert cache.get("k") == "fresh"


def test_suspending_a_clinic_reaches_another_process_cache(synced, clock, alpha):
    """This process's real host → clinic cache learns of a suspension made
    by another process through the stream alone."""
    try:
        assert not resolution.clinic_for_hostname(alpha.host).is_suspended
        # Another process suspends the clinic: the row changes and the tag is
        # published, nothing else reaches this process.
        Clinic.objects.filter(pk=alpha.pk).update(status=Clinic.Status.SUSPENDED)
        clock.now += 30  # past the short life: only the long one keeps it
        assert not resolution.clinic_for_hostname(alpha.host).is_suspended

        InvalidationStream().publish(resolution._tag(alpha.pk))
        assert resolution.clinic_for_hostname(alpha.host).is_suspended
    finally:
        resolution.clinic_cache_clear()
