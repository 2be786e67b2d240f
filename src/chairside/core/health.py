"""What /health/ready checks: the database and the Celery broker always; the
cache and Redis when they are configured."""

from __future__ import annotations

import dataclasses
import datetime
import os

from celery import current_app
from django.conf import settings
from health_check.base import HealthCheck
from health_check.exceptions import ServiceUnavailable


@dataclasses.dataclass
class CeleryBroker(HealthCheck):
    """Can this process hand work to the workers? (It does not need a worker
    to answer: a ready web server with a reachable broker is ready; queued
    work waits there for the worker.)"""

    timeout = datetime.timedelta(seconds=5)

    def run(self) -> None:
        # The project's Celery app (config/celery.py) is the current app once
        # config is imported, as it is by settings: no import up the layers.
        app = current_app
        if app.conf.broker_url.startswith("filesystem://"):
            folder = app.conf.broker_transport_options["data_folder_in"]
            if not os.access(folder, os.W_OK):
                raise ServiceUnavailable("Broker folder is not writable.")
            return
        try:
            with app.connection_for_write() as conn:
                # One try, no back-off: a probe must answer fast.
                conn.ensure_connection(
                    max_retries=1, interval_start=0, interval_step=0, timeout=3
                )
        except Exception as exc:  # kombu wraps every transport's errors
            raise ServiceUnavailable(
                f"Celery broker unreachable ({type(exc).__name__})."
            ) from exc


def ready_checks() -> list:
    checks: list = [
        "health_check.checks.Database",
        "chairside.core.health.CeleryBroker",
    ]
    if settings.REDIS_URL:
        from redis.asyncio import Redis as RedisClient

        checks.append("health_check.checks.Cache")
        checks.append(
            (
                "health_check.contrib.redis.Redis",
                {"client_factory": lambda: RedisClient.from_url(settings.REDIS_URL)},
            )
        )
    return checks
