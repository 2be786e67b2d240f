"""Attach who/where to every audited change made while serving a request.

django-pghistory's middleware groups a request's row events under one
context row and records the user as soon as `request.user` is set (our JWT
auth sets it inside the view). We add the client address and the method,
and record the path with any secret in it (a password-reset key, a
welcome or reminder-link token) redacted, as the logs do.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from pghistory.middleware import HistoryMiddleware

from chairside.core.net import client_ip
from chairside.ops.logging import scrub


class AuditContextMiddleware(HistoryMiddleware):
    def get_context(self, request: HttpRequest) -> dict[str, Any]:
        context = super().get_context(request)
        context["url"] = scrub(request.path)
        context["ip"] = client_ip(request)
        context["method"] = request.method
        return context
