"""Card checkout through Stripe: the front desk, or the patient the invoice
is for (payments/policies.py).

The amount is reserved on the invoice first (a pending card payment), then
the PaymentIntent is created on the clinic's Stripe account without holding
locks; the payment completes only when Stripe says so (payments/reconcile.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction

from chairside.accounts.models import User
from chairside.accounts.policies import ensure
from chairside.billing.models import Invoice
from chairside.billing.services import current_clinic, invoice_ensure_open, invoice_lock
from chairside.core.errors import ChairsideError
from chairside.payments import gateway, policies
from chairside.payments.amounts import (
    amount_ensure_fits,
    amount_ensure_positive,
    invoice_available_amount,
)
from chairside.payments.errors import PaymentErrorCode
from chairside.payments.mirror import djstripe_mirror
from chairside.payments.models import (
    Payment,
    PaymentMethod,
    PaymentStatus,
    StripeCustomer,
)
from chairside.payments.reconcile import (
    payment_intent_read,
    payment_reconcile_intent,
    stripe_answer_for,
)
from tenants.models import Clinic


@dataclass
class CardCheckout:
    payment: Payment
    client_secret: str | None


def card_checkout_start(
    *,
    actor: User,
    invoice_id: int,
    amount: Decimal | None = None,
    stripe_payment_method_id: str | None = None,
) -> CardCheckout:
    """Reserve the amount, then create the PaymentIntent on the clinic's
    Stripe account and hand its client secret to Stripe.js.

    With `stripe_payment_method_id` (a card tokenised by Stripe.js) the card
    is saved on the patient's Stripe customer and charged here.
    """
    clinic = current_clinic()
    with transaction.atomic():
        invoice = invoice_lock(actor=actor, invoice_id=invoice_id)
        ensure(policies.can_pay_by_card(actor, invoice))
        gateway.card_payments_ensure(clinic)
        invoice_ensure_open(invoice=invoice)
        if amount is None:
            amount = invoice_available_amount(invoice=invoice)
        amount_ensure_positive(amount)
        # A checkout abandoned and reopened for the same amount resumes the
        # same PaymentIntent instead of reserving the money twice.
        existing = (
            None
            if stripe_payment_method_id
            else (
                invoice.payments.filter(
                    payment_method=PaymentMethod.CARD,
                    status=PaymentStatus.PENDING,
                    amount=amount,
                    recorded_by=actor,
                )
                .exclude(stripe_payment_id=None)
                .first()
            )
        )
        if existing is None:
            amount_ensure_fits(invoice=invoice, amount=amount)
            payment = Payment.objects.create(
                invoice=invoice,
                amount=amount,
                payment_method=PaymentMethod.CARD,
                status=PaymentStatus.PENDING,
                recorded_by=actor,
            )
        else:
            payment = existing
    # The reservation is committed; Stripe is called without holding locks.
    try:
        customer = None
        if stripe_payment_method_id:
            customer = _stripe_customer_for(clinic=clinic, invoice=invoice)
        if payment.stripe_payment_id:
            intent = gateway.payment_intent_retrieve(
                clinic=clinic, intent_id=payment.stripe_payment_id
            )
        else:
            intent = gateway.payment_intent_create(
                clinic=clinic,
                amount=amount,
                currency=invoice.currency,
                customer=customer,
                metadata={
                    "chairside_payment_id": str(payment.pk),
                    "chairside_invoice": invoice.number,
                },
                idempotency_key=gateway.idempotency_key(
                    "payment", payment.pk, "intent"
                ),
            )
            Payment.objects.filter(pk=payment.pk).update(stripe_payment_id=intent.id)
            payment.stripe_payment_id = intent.id
    except gateway.StripeError as exc:
        _payment_fail(payment_id=payment.pk, message=str(exc)[:300])
        raise gateway.provider_error(exc) from exc
    if stripe_payment_method_id:
        _charge_saved_card(
            actor=actor,
            clinic=clinic,
            payment=payment,
            customer=customer,
            payment_method=stripe_payment_method_id,
        )
        payment.refresh_from_db()
    return CardCheckout(payment=payment, client_secret=intent.client_secret)


def _stripe_customer_for(*, clinic: Clinic, invoice: Invoice) -> str:
    patient = invoice.patient
    found = StripeCustomer.objects.filter(patient=patient).first()
    if found:
        return found.customer_id
    customer = gateway.customer_create(
        clinic=clinic,
        email=patient.email,
        name=patient.full_name,
        idempotency_key=gateway.idempotency_key("customer", patient.pk),
    )
    StripeCustomer.objects.get_or_create(
        patient=patient, defaults={"customer_id": customer.id}
    )
    djstripe_mirror("Customer", customer.to_dict(), clinic)
    return customer.id


def _charge_saved_card(
    *,
    actor: User,
    clinic: Clinic,
    payment: Payment,
    customer: str | None,
    payment_method: str,
) -> None:
    try:
        if customer:
            gateway.payment_method_attach(
                clinic=clinic, payment_method=payment_method, customer=customer
            )
        intent = gateway.payment_intent_confirm(
            clinic=clinic,
            intent_id=payment.stripe_payment_id,
            payment_method=payment_method,
            idempotency_key=gateway.idempotency_key("payment", payment.pk),
        )
    except gateway.CardError as exc:
        # Stripe declined the card: that is Stripe saying the payment failed.
        message = exc.user_message or str(exc)
        _payment_fail(payment_id=payment.pk, message=message[:300])
        raise ChairsideError(
            message,
            code=PaymentErrorCode.CARD_DECLINED,
            details={"payment_id": payment.pk, "decline_code": exc.code},
            status=402,
            keeps_writes=True,  # the declined attempt stays, as failed
        ) from exc
    except gateway.StripeError as exc:
        raise gateway.provider_error(exc) from exc
    payment_reconcile_intent(
        actor=stripe_answer_for(actor, "card confirmed"),
        intent=payment_intent_read(intent),
    )


@transaction.atomic
def _payment_fail(*, payment_id: int, message: str) -> None:
    payment = Payment.objects.select_for_update().get(pk=payment_id)
    if payment.status == PaymentStatus.PENDING:
        payment.status = PaymentStatus.FAILED
        payment.failure_message = message
        payment.save(update_fields=["status", "failure_message", "updated_at"])
