"""What /health/ready checks: the database always; the cache and the Celery
broker when they are configured."""

from __future__ import annotations

from django.conf import settings


def ready_checks() -> list:
    checks: list = ["health_check.checks.Database"]
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
