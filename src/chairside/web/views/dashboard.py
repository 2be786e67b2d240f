"""The staff start page: today at a glance."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from chairside.accounts.models import User
from chairside.billing.models import OPEN_STATUSES, InvoiceStatus
from chairside.billing.selectors import invoice_list
from chairside.core.clinic_time import clinic_today
from chairside.web import queries
from chairside.web.decorators import staff_required

LIST_LIMIT = 20


@staff_required
def dashboard(request: HttpRequest) -> HttpResponse:
    today = clinic_today()
    open_invoices = (
        invoice_list(user=request.user)
        .filter(status__in=OPEN_STATUSES)
        .select_related("patient")
        .prefetch_related(None)  # totals only, not line items
        .order_by("due_date", "id")
    )
    context = {
        "today": today,
        "by_dentist": queries.appointments_of_day_by_dentist(
            today, actor=request.user, now=timezone.now()
        ),
        "open_invoices": open_invoices[:LIST_LIMIT],
        "overdue_count": open_invoices.filter(status=InvoiceStatus.OVERDUE).count(),
        "failed_reminders": _failed_reminders(request.user),
    }
    return render(request, "web/dashboard.html", context)


def _failed_reminders(user: User) -> list:
    from chairside.notifications.models import ReminderStatus
    from chairside.notifications.selectors import reminder_list

    return list(reminder_list(user=user, status=ReminderStatus.FAILED)[:LIST_LIMIT])
