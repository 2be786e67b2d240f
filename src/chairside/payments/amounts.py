"""What is left to pay on an invoice, for the payments that take it.

A pending card payment reserves its amount on the invoice, so concurrent
checkouts and cash payments cannot together exceed the total. Read on an
invoice row the caller has locked (billing.services.invoice_lock).
"""

from __future__ import annotations

from decimal import Decimal

from django.db.models import Sum
from django.utils.translation import gettext as _

from chairside.billing.models import Invoice
from chairside.core.errors import Conflict
from chairside.payments.errors import PaymentErrorCode
from chairside.payments.models import PaymentMethod, PaymentStatus


def invoice_reserved_amount(*, invoice: Invoice) -> Decimal:
    """Money promised by card payments that Stripe has not settled yet."""
    reserved = invoice.payments.filter(
        payment_method=PaymentMethod.CARD, status=PaymentStatus.PENDING
    ).aggregate(total=Sum("amount"))["total"]
    return reserved or Decimal("0.00")


def invoice_available_amount(*, invoice: Invoice) -> Decimal:
    """What a new payment may still take: the balance less reservations."""
    return invoice.balance - invoice_reserved_amount(invoice=invoice)


def amount_ensure_fits(*, invoice: Invoice, amount: Decimal) -> None:
    available = invoice_available_amount(invoice=invoice)
    if amount > available:
        raise Conflict(
            _("The payment exceeds what is left to pay (%(available)s).")
            % {"available": max(available, Decimal("0.00"))},
            code=PaymentErrorCode.PAYMENT_EXCEEDS_BALANCE,
            details={"field": "amount", "available": str(max(available, 0))},
        )


def amount_ensure_positive(amount: Decimal) -> None:
    if amount <= 0:
        raise Conflict(
            _("Nothing is left to pay on this invoice."),
            code=PaymentErrorCode.PAYMENT_EXCEEDS_BALANCE,
            details={"field": "amount"},
        )
