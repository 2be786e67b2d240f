"""Giving money back: clinic admins only (payments/policies.py).

Card refunds go through Stripe on the clinic's account (they come out of the
clinic's balance); cash and transfers are given back by hand and recorded
here. Either way the invoice row, then the payment row, stay locked for the
call, so two admins cannot refund the same money twice.
"""

from __future__ import annotations

from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext as _

from chairside.accounts.models import User
from chairside.accounts.policies import ensure
from chairside.billing.services import CENT, current_clinic, invoice_lock
from chairside.core.errors import Conflict, NotFound
from chairside.payments import gateway, policies
from chairside.payments.errors import PaymentErrorCode
from chairside.payments.models import (
    Payment,
    PaymentMethod,
    PaymentRefund,
    PaymentStatus,
)
from chairside.payments.reconcile import payment_refunded_total_apply

REFUNDABLE_STATUSES = (
    PaymentStatus.COMPLETED,
    PaymentStatus.PARTIALLY_REFUNDED,
    PaymentStatus.NEEDS_REFUND,
)


@transaction.atomic
def payment_refund(
    *,
    actor: User,
    payment_id: int,
    amount: Decimal | None = None,
    reason: str = "",
) -> Payment:
    """Give back all or part of a completed payment."""
    invoice_id = (
        Payment.objects.filter(pk=payment_id)
        .values_list("invoice_id", flat=True)
        .first()
    )
    if invoice_id is None:
        raise NotFound(_("No such payment."), code=PaymentErrorCode.PAYMENT_NOT_FOUND)
    try:
        invoice_lock(actor=actor, invoice_id=invoice_id)
    except NotFound as exc:  # the payment of an invoice the actor may not see
        raise NotFound(
            _("No such payment."), code=PaymentErrorCode.PAYMENT_NOT_FOUND
        ) from exc
    ensure(policies.can_refund(actor))
    payment = Payment.objects.select_for_update().get(pk=payment_id)
    if payment.status not in REFUNDABLE_STATUSES:
        raise Conflict(
            _("Only a completed payment can be refunded."),
            code=PaymentErrorCode.PAYMENT_NOT_REFUNDABLE,
        )
    refundable = payment.amount - payment.refunded_amount
    # By default, give back what is owed (an overpayment) or else everything.
    default = payment.refund_due or refundable
    amount = (amount if amount is not None else default).quantize(CENT)
    if amount <= 0 or amount > refundable:
        raise Conflict(
            _("At most %(refundable)s can be refunded.") % {"refundable": refundable},
            code=PaymentErrorCode.REFUND_EXCEEDS_PAYMENT,
            details={"field": "amount", "refundable": str(refundable)},
        )
    refund = PaymentRefund.objects.create(
        payment=payment, amount=amount, reason=reason, created_by=actor
    )
    if payment.payment_method != PaymentMethod.CARD:
        payment_refunded_total_apply(
            actor=actor, payment=payment, refunded=payment.refunded_amount + amount
        )
        return payment
    clinic = current_clinic()
    gateway.card_payments_ensure(clinic)
    try:
        stripe_refund = gateway.refund_create(
            clinic=clinic,
            intent_id=payment.stripe_payment_id,
            amount=amount,
            currency=payment.invoice.currency,
            idempotency_key=gateway.idempotency_key("refund", refund.pk),
        )
    except gateway.StripeError as exc:
        raise gateway.provider_error(exc) from exc
    refund.stripe_refund_id = stripe_refund.id
    refund.save(update_fields=["stripe_refund_id"])
    if stripe_refund.status == "succeeded":
        payment_refunded_total_apply(
            actor=actor, payment=payment, refunded=payment.refunded_amount + amount
        )
    # A pending refund is applied when charge.refunded reports it.
    return payment
