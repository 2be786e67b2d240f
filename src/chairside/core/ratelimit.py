"""Rate limits on sign-in, counted in the shared cache so every worker agrees.

The default cache holds nothing but rate-limit counters: ours
(`enforce_rate_limits`, django-ratelimit) and allauth's (web login, password
reset, signup). When it is Redis, `FailOpenRedisCache` keeps them working
while Redis is unreachable; see "Rate limits" in the README for why sign-in
fails open rather than closed.
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Any

from django.core.cache.backends.locmem import LocMemCache
from django.core.cache.backends.redis import RedisCache
from django.http import HttpRequest
from django.utils.translation import gettext as _
from django_ratelimit.core import get_usage
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

from chairside.core.errors import RateLimited
from chairside.core.net import client_ip

log = logging.getLogger(__name__)

REDIS_DOWN = (RedisConnectionError, RedisTimeoutError)


class FailOpenRedisCache(RedisCache):
    """Redis, or per-process counters while Redis cannot be reached.

    Without this, a Redis outage turns every sign-in into a 500 while the
    data endpoints (which never touch the cache) keep working: nobody can
    sign in, and the people already signed in cannot refresh. Instead the
    limiters count in this process's memory, with the same rates: a client
    can then get up to one budget per server process, which still stops
    password guessing at scale. The first failure is logged as a warning;
    Redis is tried again after `RETRY_SECONDS`, and the counters move back
    to it as soon as it answers.
    """

    RETRY_SECONDS = 10.0
    # A limiter asks on every sign-in: an unreachable host must not hold the
    # request for the operating system's connect timeout.
    SOCKET_TIMEOUT_SECONDS = 1.0
    OPERATIONS = (
        "add",
        "get",
        "set",
        "touch",
        "delete",
        "get_many",
        "has_key",
        "incr",
        "set_many",
        "delete_many",
        "clear",
    )

    def __init__(self, server: str, params: dict[str, Any]) -> None:
        options = dict(params.get("OPTIONS") or {})
        options.setdefault("socket_connect_timeout", self.SOCKET_TIMEOUT_SECONDS)
        options.setdefault("socket_timeout", self.SOCKET_TIMEOUT_SECONDS)
        super().__init__(server, {**params, "OPTIONS": options})
        self._fallback = LocMemCache(
            f"fail-open:{server}",
            {k: v for k, v in params.items() if k not in ("OPTIONS", "LOCATION")},
        )
        # Django builds a cache object per thread; the outage is the process's.
        self._outage = _outages.setdefault(server, _Outage())

    def _call(self, operation: str, *args: Any, **kwargs: Any) -> Any:
        if self._outage.should_try():
            try:
                result = getattr(super(), operation)(*args, **kwargs)
            except REDIS_DOWN as exc:
                self._outage.begin(exc, retry_in=self.RETRY_SECONDS)
            else:
                self._outage.end()
                return result
        return getattr(self._fallback, operation)(*args, **kwargs)


class _Outage:
    """Whether one Redis server is down, as this process last found it."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._down = False
        self._retry_at = 0.0

    def should_try(self) -> bool:
        return not self._down or time.monotonic() >= self._retry_at

    def begin(self, exc: Exception, *, retry_in: float) -> None:
        with self._lock:
            started, self._down = not self._down, True
            self._retry_at = time.monotonic() + retry_in
        if started:
            log.warning(
                "Redis is unreachable (%s); rate limits are counted per process"
                " until it answers again",
                type(exc).__name__,
            )

    def end(self) -> None:
        if self._down:
            with self._lock:
                ended, self._down = self._down, False
            if ended:
                log.info("Redis answers again; rate limits are shared again")


_outages: dict[str, _Outage] = {}


def _delegate(operation: str) -> Any:
    def method(self: FailOpenRedisCache, *args: Any, **kwargs: Any) -> Any:
        return self._call(operation, *args, **kwargs)

    method.__name__ = operation
    return method


for _operation in FailOpenRedisCache.OPERATIONS:
    setattr(FailOpenRedisCache, _operation, _delegate(_operation))


def enforce_rate_limits(
    request: HttpRequest, *, group: str, limits: list[tuple[str, str]]
) -> None:
    """Count this request against each (rate, key) pair; refuse with 429 if over.

    Every counter is incremented, so a client that switches accounts still
    exhausts its per-IP budget.
    """
    exceeded: list[int] = []
    for rate, key in limits:
        usage = get_usage(
            request,
            group=f"{group}:{rate}:{key.split(':', 1)[0]}",
            key=lambda _group, _request, key=key: key,
            rate=rate,
            increment=True,
        )
        if usage is not None and usage["should_limit"]:
            exceeded.append(max(int(usage["time_left"]), 1))
    if exceeded:
        raise RateLimited(
            _("Too many attempts. Please wait before trying again."),
            retry_after=max(exceeded),
        )


def ip_key(request: HttpRequest) -> str:
    return f"ip:{client_ip(request)}"
