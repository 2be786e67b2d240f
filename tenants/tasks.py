"""Background upkeep of the clinic spare-schema pool
(tenants.schema_engine.spare_pool)."""

from __future__ import annotations

from celery import shared_task

from tenants.schema_engine.spare_pool import spare_pool_fill


@shared_task(name="tenants.spare_pool_fill", acks_late=False)
def spare_pool_fill_task() -> dict[str, int]:
    """Queued after each signup and every few minutes by beat (public schema
    only). Idempotent: two runs at once build at most a spare or two extra,
    which the next signups use."""
    return spare_pool_fill()
