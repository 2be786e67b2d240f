"""Structured logs: request id, clinic and user on every line; never a secret.

django-structlog's request middleware binds a request id per request; ours adds
the clinic's slug, reads the client IP through our trusted proxies only, and
redacts query strings. `redact_secrets` runs on every event (ours and the
standard library's) just before rendering, so a password, token or patient's
health data that reaches a log call is replaced, whatever logged it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

import structlog
from django.http import HttpRequest
from django_structlog.middlewares import RequestMiddleware

from chairside.core.net import client_ip

REDACTED = "[redacted]"

# Keys whose values never reach a log, at any depth (case-insensitive match
# anywhere in the key).
SENSITIVE_KEY = re.compile(
    r"pass|token|secret|authorization|cookie|session|csrf|api[_-]?key|signature"
    r"|medical|history|allerg|diagnos|treatment|note|card|iban|ssn",
    re.IGNORECASE,
)
# Patterns scrubbed inside any string value (messages, paths, exceptions).
_PATTERNS: list[tuple[re.Pattern[str], str]] = [
    # JWTs (ours are HS256 tokens starting with a base64 '{"').
    (re.compile(r"eyJ[\w-]+\.[\w-]+\.[\w-]+"), REDACTED),
    (re.compile(r"(?i)\b(bearer|basic)\s+[\w.~+/=-]+"), rf"\1 {REDACTED}"),
    # key=value pairs in query strings, form bodies and messages.
    (
        re.compile(
            r"(?i)((?:password|passwd|pwd|token|refresh|access|secret|key|code"
            r"|signature|medical_history|history|notes?)\w*=)[^&\s\"']*"
        ),
        rf"\1{REDACTED}",
    ),
    # JSON-ish "key": "value" pairs.
    (
        re.compile(
            r"(?i)(\"(?:\w*(?:password|token|secret|medical|history|notes?)\w*)\""
            r"\s*:\s*)\"(?:[^\"\\]|\\.)*\""
        ),
        rf'\1"{REDACTED}"',
    ),
    # Secrets in paths: allauth password-reset and email-confirmation keys,
    # staff welcome links, reminder confirm/cancel links.
    (
        re.compile(
            r"(/(?:password/reset/key|confirm-email|welcome"
            r"|appointments/(?:confirm|cancel))/)[^/\s?]+"
        ),
        rf"\1{REDACTED}",
    ),
]


def scrub(value: Any) -> Any:
    """Redact secrets inside a value (strings, mappings and sequences)."""
    if isinstance(value, str):
        for pattern, replacement in _PATTERNS:
            value = pattern.sub(replacement, value)
        return value
    if isinstance(value, Mapping):
        return {
            key: REDACTED
            if isinstance(key, str) and SENSITIVE_KEY.search(key)
            else scrub(item)
            for key, item in value.items()
        }
    if isinstance(value, list | tuple | set):
        return type(value)(scrub(item) for item in value)
    return value


# Structural keys structlog and django-structlog add, never sensitive.
_SAFE_KEYS = frozenset(
    {"event", "level", "logger", "timestamp", "request_id", "clinic", "user_id"}
)


def redact_secrets(_logger: Any, _method: str, event_dict: dict) -> dict:
    """structlog processor: the last line of defence before rendering."""
    for key in list(event_dict):
        if key in _SAFE_KEYS and key != "event":
            continue
        if SENSITIVE_KEY.search(key):
            event_dict[key] = REDACTED
        else:
            event_dict[key] = scrub(event_dict[key])
    return event_dict


def drop_color_message(_logger: Any, _method: str, event_dict: dict) -> dict:
    event_dict.pop("color_message", None)
    return event_dict


class RequestLogMiddleware(RequestMiddleware):
    """django-structlog's request middleware, adapted to a clinic per schema."""

    def prepare(self, request: HttpRequest) -> None:
        clinic = getattr(request, "tenant", None)
        structlog.contextvars.clear_contextvars()
        structlog.contextvars.bind_contextvars(
            clinic=getattr(clinic, "slug", None) or None
        )
        super().prepare(request)

    @classmethod
    def bind_ip(cls, request: HttpRequest) -> None:
        # X-Forwarded-For is believed only through TRUSTED_PROXY_COUNT hops.
        structlog.contextvars.bind_contextvars(ip=client_ip(request))

    @staticmethod
    def format_request(request: HttpRequest) -> str:
        return scrub(f"{request.method} {request.get_full_path()}")
