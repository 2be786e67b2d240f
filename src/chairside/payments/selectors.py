"""Reading payments, already narrowed to what the user may see."""

from __future__ import annotations

import datetime

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from chairside.accounts.models import User
from chairside.billing.policies import can_list_all_invoices
from chairside.core.errors import NotFound
from chairside.payments.errors import PaymentErrorCode
from chairside.payments.models import Payment
from chairside.payments.policies import can_view_payment


def payment_visible_qs(*, user: User) -> QuerySet[Payment]:
    qs = Payment.objects.select_related("invoice").prefetch_related("refunds")
    if can_list_all_invoices(user):
        return qs
    return qs.filter(invoice__patient__user=user)


def payment_list(
    *,
    user: User,
    invoice_id: int | None = None,
    patient_id: int | None = None,
    status: str | None = None,
    payment_method: str | None = None,
    date_from: datetime.date | None = None,
    date_to: datetime.date | None = None,
) -> QuerySet[Payment]:
    qs = payment_visible_qs(user=user)
    if invoice_id is not None:
        qs = qs.filter(invoice_id=invoice_id)
    if patient_id is not None:
        qs = qs.filter(invoice__patient_id=patient_id)
    if status:
        qs = qs.filter(status=status)
    if payment_method:
        qs = qs.filter(payment_method=payment_method)
    if date_from is not None:
        qs = qs.filter(payment_date__date__gte=date_from)
    if date_to is not None:
        qs = qs.filter(payment_date__date__lte=date_to)
    return qs


def payment_get(*, user: User, payment_id: int) -> Payment:
    payment = (
        Payment.objects.select_related("invoice__patient")
        .prefetch_related("refunds")
        .filter(pk=payment_id)
        .first()
    )
    if payment is None or not can_view_payment(user, payment.invoice):
        raise NotFound(_("No such payment."), code=PaymentErrorCode.PAYMENT_NOT_FOUND)
    return payment
