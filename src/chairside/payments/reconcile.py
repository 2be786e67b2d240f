"""Applying Stripe's state to our payments and invoices.

Rules that hold everywhere in payments:
- Money reaches an invoice only through billing.services.invoice_settle, on
  an invoice row locked first (then the payment row: one lock order, no
  deadlocks).
- A card payment is `completed` only when Stripe says so: the PaymentIntent
  (from a webhook, a confirming retrieve or the confirm response) has status
  `succeeded`, or its charge has succeeded.
- Stripe state is applied monotonically (completion is final, refunded
  amounts only grow), so events may arrive twice or out of order.
- Money Stripe took is always recorded: the payment becomes what was
  received, the invoice takes what it still can, and any excess stays on the
  payment as `needs_refund` (never an error that fails every retry).
- Stripe objects are read only through the validated shapes in `events`.

Who applies it: only Stripe's state moves money here, so only the
STRIPE_WEBHOOK system actor does. A person who may see a payment can ask
Stripe for its outcome (payment_refresh_from_stripe, a saved card confirmed
in their request); Stripe's answer is then applied as Stripe's
(`stripe_answer_for`), never as theirs.
"""

from __future__ import annotations

import datetime
import logging
from decimal import Decimal
from typing import Any

import pghistory
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from pydantic import ValidationError

from chairside.accounts.models import User
from chairside.accounts.policies import ensure
from chairside.billing.models import OPEN_STATUSES, Invoice
from chairside.billing.services import current_clinic, invoice_lock, invoice_settle
from chairside.core.actors import (
    STRIPE_WEBHOOK,
    SystemActor,
    audit_actor,
    ensure_system,
)
from chairside.core.errors import ChairsideError
from chairside.payments import gateway, policies
from chairside.payments.errors import PaymentErrorCode
from chairside.payments.events import (
    ChargeData,
    Metadata,
    PaymentIntentData,
    StripeEventIn,
)
from chairside.payments.mirror import djstripe_mirror
from chairside.payments.models import (
    SETTLED_STATUSES,
    Payment,
    PaymentMethod,
    PaymentStatus,
    StripeEvent,
)
from tenants.models import Clinic

logger = logging.getLogger(__name__)


def stripe_answer_for(person: User, how: str) -> SystemActor:
    """The actor that applies Stripe's answer fetched in `person`'s request:
    Stripe's state, with who asked for it kept for the audit trail."""
    return STRIPE_WEBHOOK.acting_for(f"{how} for user {person.pk}")


def payment_intent_read(intent: Any) -> PaymentIntentData:
    """Stripe's answer in the shape webhooks are read in; one Stripe cannot
    have sent is a provider error, like an unreachable Stripe."""
    try:
        return PaymentIntentData.model_validate(intent.to_dict())
    except ValidationError as exc:
        logger.error("Stripe returned a malformed PaymentIntent: %s", exc)
        raise ChairsideError(
            _("The payment provider could not be reached. Try again."),
            code=PaymentErrorCode.PAYMENT_PROVIDER_ERROR,
            status=502,
        ) from exc


def payment_refresh_from_stripe(*, actor: User, payment: Payment) -> Payment:
    """A confirming retrieve: ask Stripe for the intent and apply its state
    (webhooks may lag). For anyone who may see the payment."""
    ensure(policies.can_view_payment(actor, payment.invoice))
    if (
        payment.payment_method != PaymentMethod.CARD
        or payment.status != PaymentStatus.PENDING
        or not payment.stripe_payment_id
        or not gateway.card_payments_available(current_clinic())
    ):
        return payment
    try:
        intent = gateway.payment_intent_retrieve(
            clinic=current_clinic(), intent_id=payment.stripe_payment_id
        )
    except gateway.StripeError:
        logger.warning("confirming retrieve of %s failed", payment.stripe_payment_id)
        return payment
    payment_reconcile_intent(
        actor=stripe_answer_for(actor, "confirming retrieve"),
        intent=payment_intent_read(intent),
    )
    payment.refresh_from_db()
    return payment


def _locked_payment_for(
    *,
    actor: SystemActor,
    intent_id: str,
    metadata: Metadata,
    took: int | None,
    currency: str | None,
) -> Payment | None:
    """Lock invoice then payment for a PaymentIntent of this clinic.

    The clinic was chosen by the event's account; inside it the intent id
    finds the payment. Metadata helps when our process failed after Stripe
    was called: between creating the intent and storing its id (the row is
    there without the id), or before its request committed (the row was
    rolled back with the request): money Stripe took is then recorded on a
    new payment of the invoice the metadata names. `took` is what Stripe
    received, in minor units of `currency` (None: it took nothing).
    """
    row = Payment.objects.filter(stripe_payment_id=intent_id).values("pk").first()
    if row is None and metadata.chairside_payment_id is not None:
        row = (
            Payment.objects.filter(
                pk=int(metadata.chairside_payment_id), stripe_payment_id=None
            )
            .values("pk")
            .first()
        )
    if row is None:
        if took and metadata.chairside_invoice:
            return _lost_checkout_payment(
                actor=actor,
                intent_id=intent_id,
                number=metadata.chairside_invoice,
                took=took,
                currency=currency,
            )
        # Not ours (e.g. made in Stripe's dashboard): the event stays recorded.
        logger.warning("Stripe intent %s matches no payment here", intent_id)
        return None
    invoice_id = Payment.objects.values_list("invoice_id", flat=True).get(pk=row["pk"])
    invoice_lock(actor=actor, invoice_id=invoice_id)
    payment = Payment.objects.select_for_update().get(pk=row["pk"])
    if payment.stripe_payment_id is None:
        payment.stripe_payment_id = intent_id
    return payment


def _lost_checkout_payment(
    *, actor: SystemActor, intent_id: str, number: str, took: int, currency: str | None
) -> Payment | None:
    """A pending card payment for an intent whose checkout row never
    committed; the caller completes it with what Stripe received."""
    invoice_id = Invoice.objects.filter(number=number).values_list("pk", flat=True)
    if not invoice_id:
        logger.error("Stripe intent %s names unknown invoice %s", intent_id, number)
        return None
    invoice = invoice_lock(actor=actor, invoice_id=invoice_id[0])
    logger.warning(
        "recording Stripe intent %s on invoice %s: its checkout was lost",
        intent_id,
        number,
    )
    return Payment.objects.create(
        invoice=invoice,
        amount=gateway.from_minor_units(took, currency or invoice.currency),
        payment_method=PaymentMethod.CARD,
        status=PaymentStatus.PENDING,
        stripe_payment_id=intent_id,
    )


def _settled_status(payment: Payment) -> str:
    if payment.refund_due > 0:
        return PaymentStatus.NEEDS_REFUND
    if payment.refunded_amount >= payment.amount:
        return PaymentStatus.REFUNDED
    if payment.refunded_amount > 0:
        return PaymentStatus.PARTIALLY_REFUNDED
    return PaymentStatus.COMPLETED


def _complete(
    *, actor: SystemActor, payment: Payment, received: Decimal, charge_id: str
) -> None:
    """Record what Stripe took; the invoice takes what it still can.

    The invoice may no longer take it all (paid by cash after this attempt
    failed, voided since, or Stripe settled more than asked): the excess is
    kept on the payment as owed back, and staff see `needs_refund`. Less
    than asked leaves the invoice open for the rest.
    """
    if payment.status in SETTLED_STATUSES:
        return  # completion is final; a repeat or late event changes nothing
    invoice = Invoice.objects.get(pk=payment.invoice_id)  # locked by the caller
    room = invoice.balance if invoice.status in OPEN_STATUSES else Decimal("0.00")
    applied = min(received, max(room, Decimal("0.00")))
    if received != payment.amount or applied != received:
        logger.warning(
            "Stripe settled %s for payment %s of %s; %s applied to invoice %s",
            received,
            payment.pk,
            payment.amount,
            applied,
            invoice.pk,
        )
    payment.amount = received
    payment.unapplied_amount = received - applied
    payment.status = _settled_status(payment)
    payment.stripe_charge_id = charge_id or payment.stripe_charge_id
    payment.failure_message = ""
    payment.payment_date = timezone.now()
    payment.save()
    if applied > 0:
        invoice_settle(actor=actor, invoice=invoice, delta=applied)


def payment_refunded_total_apply(
    *, actor: User | SystemActor, payment: Payment, refunded: Decimal
) -> None:
    """Bring the payment's refunded amount up to `refunded` (Stripe's
    cumulative figure, or ours for a manual refund), on rows the caller
    locked; the invoice settle checks the actor.

    Refunds give back the unapplied excess first; only the rest comes off
    the invoice.
    """
    refunded = min(refunded, payment.amount)
    if refunded <= payment.refunded_amount:
        return
    off_invoice = payment.applied_refunded(refunded) - payment.applied_refunded(
        payment.refunded_amount
    )
    payment.refunded_amount = refunded
    payment.status = _settled_status(payment)
    payment.save(update_fields=["refunded_amount", "status", "updated_at"])
    if off_invoice > 0:
        invoice = Invoice.objects.get(pk=payment.invoice_id)  # locked by the caller
        invoice_settle(actor=actor, invoice=invoice, delta=-off_invoice)


@transaction.atomic
def payment_reconcile_intent(
    *, actor: SystemActor, intent: PaymentIntentData
) -> Payment | None:
    ensure_system(actor, STRIPE_WEBHOOK)
    payment = _locked_payment_for(
        actor=actor,
        intent_id=intent.id,
        metadata=intent.metadata,
        took=intent.received if intent.status == "succeeded" else None,
        currency=intent.currency,
    )
    if payment is None:
        return None
    currency = intent.currency or payment.invoice.currency
    if intent.status == "succeeded":
        _complete(
            actor=actor,
            payment=payment,
            received=gateway.from_minor_units(intent.received, currency),
            charge_id=intent.charge_id,
        )
    elif intent.status in ("requires_payment_method", "canceled") and (
        payment.status == PaymentStatus.PENDING
    ):
        error = intent.last_payment_error
        if intent.status == "canceled" or error is not None:
            payment.status = PaymentStatus.FAILED
            payment.failure_message = str(
                (error and error.message) or _("The payment was cancelled.")
            )[:300]
            payment.save(update_fields=["status", "failure_message", "updated_at"])
    else:
        payment.save()  # keeps an intent id adopted from metadata
    return payment


@transaction.atomic
def payment_reconcile_charge(
    *, actor: SystemActor, charge: ChargeData
) -> Payment | None:
    ensure_system(actor, STRIPE_WEBHOOK)
    if charge.payment_intent is None:
        return None
    captured = charge.status == "succeeded" and charge.captured
    payment = _locked_payment_for(
        actor=actor,
        intent_id=charge.payment_intent,
        metadata=charge.metadata,
        took=charge.received if captured else None,
        currency=charge.currency,
    )
    if payment is None:
        return None
    currency = charge.currency or payment.invoice.currency
    if captured:
        # A charge that succeeded (even one refunded since) means the intent
        # succeeded: this event may well arrive before payment_intent.succeeded.
        _complete(
            actor=actor,
            payment=payment,
            received=gateway.from_minor_units(charge.received, currency),
            charge_id=charge.id,
        )
        refunded = gateway.from_minor_units(charge.amount_refunded, currency)
        payment_refunded_total_apply(actor=actor, payment=payment, refunded=refunded)
    elif charge.status == "failed" and payment.status == PaymentStatus.PENDING:
        payment.status = PaymentStatus.FAILED
        payment.failure_message = (charge.failure_message or "")[:300]
        payment.save(update_fields=["status", "failure_message", "updated_at"])
    else:
        payment.save()  # keeps an intent id adopted from metadata
    return payment


@transaction.atomic
def stripe_event_apply(
    *, actor: SystemActor, event: StripeEventIn, clinic: Clinic
) -> bool:
    """Apply one verified event in the clinic's schema. False if seen before.

    Only the webhook, having checked Stripe's signature, applies events. The
    event id is inserted in the same transaction as its effect: if the
    effect fails, nothing of it is kept, the id is not recorded and Stripe's
    retry applies it; if a second delivery races the first, the unique index
    makes it wait and then find the row.
    """
    ensure_system(actor, STRIPE_WEBHOOK)
    _record, created = StripeEvent.objects.get_or_create(
        event_id=event.id,
        defaults={
            "type": event.type,
            "account": clinic.stripe_account_id or "",
            "stripe_created": datetime.datetime.fromtimestamp(
                event.created, tz=datetime.UTC
            ),
        },
    )
    if not created:
        return False
    # The audit trail names Stripe (and the event) as the author of what
    # follows; outside a request nothing else would.
    with pghistory.context(**audit_actor(actor), stripe_event=event.id):
        if event.intent is not None:
            payment_reconcile_intent(actor=actor, intent=event.intent)
            djstripe_mirror("PaymentIntent", event.data.object, clinic)
        elif event.charge is not None:
            payment_reconcile_charge(actor=actor, charge=event.charge)
    return True
