"""Marking unpaid invoices overdue, once their due date has passed in the
clinic's own time zone. Idempotent: running it twice changes nothing more.

Only the hourly run does this (the OVERDUE system actor); the notices about
it are notifications' business (notifications/planning.py runs this, then
plans them), so billing knows nothing of reminders.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from django.db import transaction
from django.utils import timezone

from chairside.billing.models import Invoice, InvoiceStatus
from chairside.core.actors import OVERDUE, SystemActor, ensure_system
from chairside.core.clinic_time import clinic_today

MARKABLE_STATUSES = (InvoiceStatus.PENDING, InvoiceStatus.PARTIALLY_PAID)


@dataclass(frozen=True)
class OverdueRun:
    today: date
    invoices: list[Invoice]  # those this run made overdue, with their patient

    @property
    def marked(self) -> list[int]:
        return [invoice.pk for invoice in self.invoices]


@transaction.atomic
def invoices_mark_overdue(
    *, actor: SystemActor, now: datetime | None = None
) -> OverdueRun:
    """Every pending or partially paid invoice due before today (clinic
    time) becomes overdue."""
    ensure_system(actor, OVERDUE)
    now = now or timezone.now()
    today = clinic_today(now=now)
    # Locks the rows so a payment recorded at the same moment either lands
    # first (and the invoice is no longer selected) or waits for us.
    invoices = list(
        Invoice.objects.select_for_update(of=("self",))
        .select_related("patient")
        .filter(status__in=MARKABLE_STATUSES, due_date__lt=today)
        .order_by("id")
    )
    if invoices:
        Invoice.objects.filter(pk__in=[i.pk for i in invoices]).update(
            status=InvoiceStatus.OVERDUE, updated_at=now
        )
    return OverdueRun(today=today, invoices=invoices)
