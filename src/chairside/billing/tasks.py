"""Celery tasks for billing; they run in the schema of the clinic that
queued them (beat queues them once per active clinic)."""

from __future__ import annotations

import logging

from celery import shared_task
from django.db import connection

from chairside.billing.overdue import invoices_mark_overdue

logger = logging.getLogger(__name__)


@shared_task(name="billing.invoices_mark_overdue")
def invoices_mark_overdue_task() -> int:
    run = invoices_mark_overdue()
    if run.marked:
        logger.info(
            "%s: %s invoices overdue as of %s",
            connection.schema_name,
            len(run.marked),
            run.today,
        )
        # The notices are sent by the next reminder scan; queue one now so
        # they go out without waiting for it.
        from chairside.notifications.tasks import reminders_scan

        reminders_scan.delay()
    return len(run.marked)
