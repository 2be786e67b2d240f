"""Celery tasks: thin wrappers around the services, run in the schema of the
clinic that queued them (tenant-schemas-celery headers)."""

from __future__ import annotations

import logging
from collections import Counter

from celery import shared_task
from django.conf import settings
from django.db import connection

from chairside.core.actors import OVERDUE, REMINDERS
from chairside.notifications.delivery import reminder_deliver, reminders_deliver
from chairside.notifications.planning import invoices_overdue_plan, reminders_plan

logger = logging.getLogger(__name__)


@shared_task(name="notifications.reminders_scan")
def reminders_scan() -> int:
    """Beat runs this every REMINDER_SCAN_SECONDS in every clinic: claim the
    reminders that are due and queue their sends, REMINDER_BATCH_SIZE to a
    task (one task per reminder spent more on Celery than on sending).
    Queuing a reminder twice is harmless; the send locks and re-checks it."""
    ready = reminders_plan(actor=REMINDERS)
    size = max(settings.REMINDER_BATCH_SIZE, 1)
    for start in range(0, len(ready), size):
        # A send nobody picked up before the next scan is superseded by it.
        reminders_send.apply_async(
            args=[ready[start : start + size]],
            expires=max(settings.REMINDER_SCAN_SECONDS * 2, 60),
        )
    if ready:
        logger.info("%s: queued %s reminder sends", connection.schema_name, len(ready))
    return len(ready)


def queue_without_waiting(task, *args: object) -> bool:
    """Queue from a web request: one quick try, never minutes of broker
    retries. False if the broker is down; the next scan picks the work up."""
    try:
        with task.app.connection_for_write() as conn:
            conn.ensure_connection(
                max_retries=1, interval_start=0, interval_step=0, timeout=2
            )
            task.apply_async(args=list(args), connection=conn, retry=False)
    except Exception as exc:  # kombu wraps every transport's errors
        logger.warning(
            "broker unavailable, %s left to the next scan: %s", task.name, exc
        )
        return False
    return True


@shared_task(name="notifications.reminders_send")
def reminders_send(reminder_ids: list[int]) -> dict[str, int]:
    """Send a batch of reminders of this clinic (one transaction, one email
    connection); how many ended in each status."""
    handled = reminders_deliver(actor=REMINDERS, reminder_ids=reminder_ids)
    return dict(Counter(r.status for r in handled))


@shared_task(name="notifications.reminder_send")
def reminder_send(reminder_id: int) -> str:
    """One reminder (the staff retry)."""
    reminder = reminder_deliver(actor=REMINDERS, reminder_id=reminder_id)
    return reminder.status if reminder else "noop"


@shared_task(name="notifications.invoices_overdue")
def invoices_overdue() -> int:
    """Hourly in every clinic: billing marks the invoices due before today
    (clinic time) overdue, then their notices are planned."""
    result = invoices_overdue_plan(actor=OVERDUE)
    marked = result.run.marked
    if marked:
        logger.info(
            "%s: %s invoices overdue as of %s",
            connection.schema_name,
            len(marked),
            result.run.today,
        )
    if result.notices_created:
        # The next reminder scan sends them; queue one now so they go out
        # without waiting for it.
        reminders_scan.delay()
    return len(marked)
