"""Cash and bank transfers the clinic has already received.

The front desk records them (payments/policies.py); the payment is completed
at once and the invoice settled in the same transaction, invoice row locked
first.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from chairside.accounts.models import User
from chairside.accounts.policies import ensure
from chairside.billing.services import invoice_ensure_open, invoice_lock, invoice_settle
from chairside.core.errors import ChairsideError
from chairside.payments import policies
from chairside.payments.amounts import (
    amount_ensure_fits,
    amount_ensure_positive,
    invoice_available_amount,
)
from chairside.payments.errors import PaymentErrorCode
from chairside.payments.models import Payment, PaymentMethod, PaymentStatus


@transaction.atomic
def payment_manual_record(
    *,
    actor: User,
    invoice_id: int,
    method: str,
    amount: Decimal | None = None,
    reference: str = "",
    payment_date: datetime.datetime | None = None,
) -> Payment:
    """Record a payment `actor` took; by default, what is left to pay."""
    if method == PaymentMethod.CARD:
        raise ChairsideError(
            _("Card payments go through Stripe."),
            code=PaymentErrorCode.MANUAL_METHOD_REQUIRED,
            details={"field": "payment_method"},
        )
    invoice = invoice_lock(actor=actor, invoice_id=invoice_id)
    ensure(policies.can_record_manual_payment(actor))
    invoice_ensure_open(invoice=invoice)
    if amount is None:
        amount = invoice_available_amount(invoice=invoice)
    amount_ensure_positive(amount)
    amount_ensure_fits(invoice=invoice, amount=amount)
    payment = Payment.objects.create(
        invoice=invoice,
        amount=amount,
        payment_method=method,
        status=PaymentStatus.COMPLETED,
        reference=reference,
        payment_date=payment_date or timezone.now(),
        recorded_by=actor,
    )
    invoice_settle(actor=actor, invoice=invoice, delta=amount)
    return payment
