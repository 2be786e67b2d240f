"""Logging: one JSON object per line on stderr (docker logs, journald, any
collector), with request id, clinic and user id; secrets and health data are
redacted before rendering (chairside.ops.logging). Imported by base.py.

LOG_FORMAT=console gives coloured key=value lines for development.
"""

from __future__ import annotations

import logging

import environ
import structlog

from chairside.ops.logging import drop_color_message, redact_secrets

__all__ = [
    "DJANGO_STRUCTLOG_CELERY_ENABLED",
    "DJANGO_STRUCTLOG_STATUS_START_LOG_LEVEL",
    "DJANGO_STRUCTLOG_TRUST_UPSTREAM_REQUEST_ID",
    "LOGGING",
    "LOG_FORMAT",
    "LOG_LEVEL",
]

env = environ.Env()

LOG_LEVEL = env("LOG_LEVEL", default="INFO").upper()
LOG_FORMAT = env("LOG_FORMAT", default="json")

_shared_processors: list = [
    structlog.contextvars.merge_contextvars,
    structlog.stdlib.add_log_level,
    structlog.stdlib.add_logger_name,
    structlog.processors.TimeStamper(fmt="iso", utc=True),
    structlog.stdlib.ExtraAdder(),
    drop_color_message,
]
_renderer = (
    structlog.dev.ConsoleRenderer()
    if LOG_FORMAT == "console"
    else structlog.processors.JSONRenderer()
)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "structured": {
            "()": structlog.stdlib.ProcessorFormatter,
            "foreign_pre_chain": _shared_processors,
            "processors": [
                structlog.stdlib.ProcessorFormatter.remove_processors_meta,
                structlog.processors.format_exc_info,
                # Last, so nothing added above escapes it.
                redact_secrets,
                _renderer,
            ],
        }
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "structured"}
    },
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        # django-structlog logs every request; Django's own duplicate of it
        # ("Not Found: /x") adds nothing.
        "django.request": {"level": "ERROR"},
        "django.server": {"level": "WARNING"},
        "django_structlog": {"level": LOG_LEVEL},
    },
}

structlog.configure(
    processors=[
        structlog.stdlib.filter_by_level,
        *_shared_processors,
        structlog.stdlib.PositionalArgumentsFormatter(),
        structlog.processors.StackInfoRenderer(),
        structlog.processors.UnicodeDecoder(),
        structlog.stdlib.ProcessorFormatter.wrap_for_formatter,
    ],
    logger_factory=structlog.stdlib.LoggerFactory(),
    wrapper_class=structlog.stdlib.BoundLogger,
    cache_logger_on_first_use=True,
)

# Request ids from nginx ($request_id) tie proxy and app lines together; only
# nginx can reach gunicorn, and it overwrites the header.
DJANGO_STRUCTLOG_TRUST_UPSTREAM_REQUEST_ID = env.bool(
    "LOG_TRUST_UPSTREAM_REQUEST_ID", default=False
)
DJANGO_STRUCTLOG_CELERY_ENABLED = False
# One line per request (request_finished carries method, path, status and
# timing); request_started only with LOG_LEVEL=DEBUG. Rendering and writing a
# second JSON line cost every request ~10% of its CPU (docs/benchmarks.md).
DJANGO_STRUCTLOG_STATUS_START_LOG_LEVEL = logging.DEBUG
