"""A patient's erasure, as far as payments go (see docs/privacy.md).

Called only from privacy.services.patient_erase, which holds the
transaction; the step checks the policy too.
Payments and refunds stay with what the books
need (amount, method, status, dates, Stripe ids, which reconcile them with
the clinic's Stripe account); the reference and reasons staff typed, and
anything Stripe told us about the person, go. The patient's Customer on
the clinic's Stripe account is deleted once the erasure has committed.
"""

from __future__ import annotations

import logging

import pgtrigger
from django.db import connection, transaction
from djstripe import models as djstripe_models

from chairside.accounts.models import User
from chairside.accounts.policies import ensure
from chairside.patients.policies import can_erase_patient
from chairside.payments import gateway
from chairside.payments.models import (
    Payment,
    PaymentEvent,
    PaymentRefund,
    PaymentRefundEvent,
    StripeCustomer,
)

logger = logging.getLogger(__name__)

PAYMENT_TEXT = {"reference": "", "failure_message": ""}
REFUND_TEXT = {"reason": ""}
# What a Stripe object may say about the person (dj-stripe keeps the whole
# object in stripe_data): name, email, phone, addresses, the card.
STRIPE_PERSONAL_KEYS = (
    "address",
    "billing_details",
    "card",
    "description",
    "email",
    "name",
    "phone",
    "receipt_email",
    "shipping",
)


def erase_patient(*, actor: User, patient_id: int) -> None:
    ensure(can_erase_patient(actor))
    payments = Payment.objects.filter(invoice__patient_id=patient_id)
    payment_ids = list(payments.values_list("pk", flat=True))
    payments.update(**PAYMENT_TEXT)
    PaymentRefund.objects.filter(payment_id__in=payment_ids).update(**REFUND_TEXT)
    with pgtrigger.ignore(
        "payments.PaymentEvent:append_only", "payments.PaymentRefundEvent:append_only"
    ):
        PaymentEvent.objects.filter(pgh_obj_id__in=payment_ids).update(**PAYMENT_TEXT)
        PaymentRefundEvent.objects.filter(payment_id__in=payment_ids).update(
            **REFUND_TEXT
        )
    customers = list(
        StripeCustomer.objects.filter(patient_id=patient_id).values_list(
            "customer_id", flat=True
        )
    )
    StripeCustomer.objects.filter(patient_id=patient_id).delete()
    _strip_stripe_mirror(payment_ids=payment_ids, customer_ids=customers)
    for customer_id in customers:
        transaction.on_commit(lambda c=customer_id: _delete_stripe_customer(c))


def _strip_stripe_mirror(*, payment_ids: list[int], customer_ids: list[str]) -> None:
    """dj-stripe's copies of the patient's Stripe objects keep their ids and
    amounts and lose every personal field."""
    intents = Payment.objects.filter(pk__in=payment_ids).exclude(stripe_payment_id=None)
    intent_ids = list(intents.values_list("stripe_payment_id", flat=True))
    mirrors = [
        djstripe_models.Customer.objects.filter(id__in=customer_ids),
        djstripe_models.PaymentMethod.objects.filter(customer_id__in=customer_ids),
        djstripe_models.PaymentIntent.objects.filter(id__in=intent_ids),
        djstripe_models.Charge.objects.filter(payment_intent_id__in=intent_ids),
    ]
    for queryset in mirrors:
        for obj in queryset:
            data = {
                k: v
                for k, v in (obj.stripe_data or {}).items()
                if k not in STRIPE_PERSONAL_KEYS
            }
            changes = {"stripe_data": data}
            if isinstance(obj, djstripe_models.Customer):
                changes.update(email="", metadata={})
            type(obj).objects.filter(pk=obj.pk).update(**changes)


def _delete_stripe_customer(customer_id: str) -> None:
    # After commit, best effort: an erasure that rolled back must not have
    # deleted anything at Stripe, and Stripe being down must not undo the
    # erasure here. A failure is logged for the clinic to finish by hand.
    clinic = connection.tenant
    if not gateway.card_payments_available(clinic):
        return
    try:
        gateway.customer_delete(clinic=clinic, customer_id=customer_id)
    except gateway.StripeError:
        logger.exception("could not delete Stripe customer %s", customer_id)
