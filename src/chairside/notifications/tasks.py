"""Celery tasks: thin wrappers around the services, run in the schema of the
clinic that queued them (tenant-schemas-celery headers)."""

from __future__ import annotations

import logging

from celery import shared_task
from django.conf import settings
from django.db import connection

from chairside.notifications.services import reminder_deliver, reminders_plan

logger = logging.getLogger(__name__)


@shared_task(name="notifications.reminders_scan")
def reminders_scan() -> int:
    """Beat runs this every REMINDER_SCAN_SECONDS in every clinic: claim the
    reminders that are due and queue one send per ready reminder. Queuing the
    same reminder twice is harmless; the send locks and re-checks the row."""
    ready = reminders_plan()
    for reminder_id in ready:
        # A send nobody picked up before the next scan is superseded by it.
        reminder_send.apply_async(
            args=[reminder_id], expires=max(settings.REMINDER_SCAN_SECONDS * 2, 60)
        )
    if ready:
        logger.info("%s: queued %s reminder sends", connection.schema_name, len(ready))
    return len(ready)


@shared_task(name="notifications.reminder_send")
def reminder_send(reminder_id: int) -> str:
    reminder = reminder_deliver(reminder_id=reminder_id)
    return reminder.status if reminder is not None else "noop"
