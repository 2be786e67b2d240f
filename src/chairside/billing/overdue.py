"""Marking unpaid invoices overdue, once their due date has passed in the
clinic's own time zone. Idempotent: running it twice changes nothing more."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from django.db import transaction
from django.utils import timezone

from chairside.billing.models import Invoice, InvoiceStatus
from chairside.core.clinic_time import clinic_today

MARKABLE_STATUSES = (InvoiceStatus.PENDING, InvoiceStatus.PARTIALLY_PAID)


@dataclass(frozen=True)
class OverdueRun:
    today: date
    marked: list[int]
    notices_created: int


@transaction.atomic
def invoices_mark_overdue(*, now: datetime | None = None) -> OverdueRun:
    """Every pending or partially paid invoice due before today (clinic
    time) becomes overdue; with overdue emails on, each such invoice gets one
    email notice (claimed like a reminder, so at most one per due date)."""
    from chairside.notifications.planning import invoice_overdue_reminders_create
    from chairside.notifications.selectors import notification_settings_get

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
    ids = [invoice.pk for invoice in invoices]
    if ids:
        Invoice.objects.filter(pk__in=ids).update(
            status=InvoiceStatus.OVERDUE, updated_at=now
        )
    notices = 0
    if invoices and notification_settings_get().overdue_invoice_emails:
        notices = invoice_overdue_reminders_create(invoices=invoices, now=now)
    return OverdueRun(today=today, marked=ids, notices_created=notices)
