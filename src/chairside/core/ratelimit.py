"""Rate limits on sign-in, counted in the shared cache so every worker agrees."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils.translation import gettext as _
from django_ratelimit.core import get_usage

from chairside.core.errors import RateLimited
from chairside.core.net import client_ip


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
