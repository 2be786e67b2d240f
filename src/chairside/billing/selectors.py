"""Reading invoices, already narrowed to what the user may see."""

from __future__ import annotations

import datetime

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from chairside.accounts.models import User
from chairside.billing.errors import BillingErrorCode
from chairside.billing.models import Invoice
from chairside.billing.policies import can_list_all_invoices, can_view_invoice
from chairside.core.errors import NotFound


def invoice_visible_qs(*, user: User) -> QuerySet[Invoice]:
    qs = Invoice.objects.prefetch_related("items")
    if can_list_all_invoices(user):
        return qs
    # A patient: the invoices of the patient record linked to this account.
    return qs.filter(patient__user=user)


def invoice_list(
    *,
    user: User,
    status: str | None = None,
    patient_id: int | None = None,
    appointment_id: int | None = None,
    due_before: datetime.date | None = None,
    due_after: datetime.date | None = None,
) -> QuerySet[Invoice]:
    qs = invoice_visible_qs(user=user)
    if status:
        qs = qs.filter(status=status)
    if patient_id is not None:
        qs = qs.filter(patient_id=patient_id)
    if appointment_id is not None:
        qs = qs.filter(appointment_id=appointment_id)
    if due_before is not None:
        qs = qs.filter(due_date__lte=due_before)
    if due_after is not None:
        qs = qs.filter(due_date__gte=due_after)
    # Newest first, as the (status, -issue_date, -id) and (-issue_date, -id)
    # indexes are ordered.
    return qs.order_by("-issue_date", "-id")


def invoice_get(*, user: User, invoice_id: int) -> Invoice:
    """The invoice if the user may see it; otherwise 404, so a patient cannot
    even learn that another patient's invoice exists."""
    invoice = (
        Invoice.objects.select_related("patient")
        .prefetch_related("items")
        .filter(pk=invoice_id)
        .first()
    )
    if invoice is None or not can_view_invoice(user, invoice):
        raise NotFound(_("No such invoice."), code=BillingErrorCode.INVOICE_NOT_FOUND)
    return invoice
