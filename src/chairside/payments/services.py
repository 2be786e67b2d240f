"""Taking, confirming and refunding payments.

Rules that hold everywhere in here:
- Money reaches an invoice only through billing.services.invoice_settle, on
  an invoice row locked first (then the payment row: one lock order, no
  deadlocks).
- A card payment is `completed` only when Stripe says so: the PaymentIntent
  (from a webhook, a confirming retrieve or the confirm response) has status
  `succeeded`, or its charge has succeeded.
- A pending card payment reserves its amount on the invoice, so concurrent
  checkouts and cash payments cannot together exceed the total.
- Stripe state is applied monotonically (completion is final, refunded
  amounts only grow), so events may arrive twice or out of order.
- Money Stripe took is always recorded: the payment becomes what was
  received, the invoice takes what it still can, and any excess stays on the
  payment as `needs_refund` (never an error that fails every retry).
- Stripe objects are read only through the validated shapes in `events`.
"""

from __future__ import annotations

import datetime
import logging
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import connection, transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from pydantic import ValidationError

from chairside.accounts.models import User
from chairside.billing.models import OPEN_STATUSES, Invoice
from chairside.billing.services import (
    CENT,
    current_clinic,
    invoice_ensure_open,
    invoice_lock,
    invoice_settle,
)
from chairside.core.errors import ChairsideError, Conflict, NotFound
from chairside.payments import gateway
from chairside.payments.errors import PaymentErrorCode
from chairside.payments.events import (
    ChargeData,
    PaymentIntentData,
    StripeEventIn,
)
from chairside.payments.models import (
    SETTLED_STATUSES,
    Payment,
    PaymentMethod,
    PaymentRefund,
    PaymentStatus,
    StripeCustomer,
    StripeEvent,
)
from tenants.models import Clinic

logger = logging.getLogger(__name__)


@dataclass
class CardCheckout:
    payment: Payment
    client_secret: str | None


def _clinic() -> Clinic:
    return current_clinic()


def _key(*parts: object) -> str:
    """An idempotency key unique across clinics and stable across retries."""
    return ":".join(["chairside", connection.schema_name, *map(str, parts)])


def invoice_reserved_amount(*, invoice: Invoice) -> Decimal:
    """Money promised by card payments that Stripe has not settled yet."""
    reserved = invoice.payments.filter(
        payment_method=PaymentMethod.CARD, status=PaymentStatus.PENDING
    ).aggregate(total=Sum("amount"))["total"]
    return reserved or Decimal("0.00")


def _ensure_fits(*, invoice: Invoice, amount: Decimal) -> None:
    available = invoice.balance - invoice_reserved_amount(invoice=invoice)
    if amount > available:
        raise Conflict(
            _("The payment exceeds what is left to pay (%(available)s).")
            % {"available": max(available, Decimal("0.00"))},
            code=PaymentErrorCode.PAYMENT_EXCEEDS_BALANCE,
            details={"field": "amount", "available": str(max(available, 0))},
        )


def _default_amount(*, invoice: Invoice) -> Decimal:
    return invoice.balance - invoice_reserved_amount(invoice=invoice)


# --- Manual payments ------------------------------------------------------


@transaction.atomic
def payment_manual_record(
    *,
    invoice_id: int,
    method: str,
    amount: Decimal | None = None,
    reference: str = "",
    payment_date: datetime.datetime | None = None,
    recorded_by: User,
) -> Payment:
    """Cash or bank transfer already received by the clinic."""
    if method == PaymentMethod.CARD:
        raise ChairsideError(
            _("Card payments go through Stripe."),
            code=PaymentErrorCode.MANUAL_METHOD_REQUIRED,
            details={"field": "payment_method"},
        )
    invoice = invoice_lock(invoice_id=invoice_id)
    invoice_ensure_open(invoice=invoice)
    amount = amount if amount is not None else _default_amount(invoice=invoice)
    _ensure_positive(amount)
    _ensure_fits(invoice=invoice, amount=amount)
    payment = Payment.objects.create(
        invoice=invoice,
        amount=amount,
        payment_method=method,
        status=PaymentStatus.COMPLETED,
        reference=reference,
        payment_date=payment_date or timezone.now(),
        recorded_by=recorded_by,
    )
    invoice_settle(invoice=invoice, delta=amount)
    return payment


def _ensure_positive(amount: Decimal) -> None:
    if amount <= 0:
        raise Conflict(
            _("Nothing is left to pay on this invoice."),
            code=PaymentErrorCode.PAYMENT_EXCEEDS_BALANCE,
            details={"field": "amount"},
        )


# --- Card payments ----------------------------------------------------------


def _ensure_card_available(clinic: Clinic) -> None:
    if not gateway.card_payments_available(clinic):
        raise ChairsideError(
            _("Card payments are not available for this clinic."),
            code=PaymentErrorCode.CARD_PAYMENTS_UNAVAILABLE,
            status=503,
        )


def _provider_error(exc: gateway.StripeError) -> ChairsideError:
    logger.warning("Stripe call failed: %s", exc)
    return ChairsideError(
        _("The payment provider could not be reached. Try again."),
        code=PaymentErrorCode.PAYMENT_PROVIDER_ERROR,
        status=502,
        # What reached Stripe stays on record (a pending or failed payment
        # with its intent id), so the money can be reconciled; writes inside
        # the failing service's own transaction are rolled back by it.
        keeps_writes=True,
    )


def card_checkout_start(
    *,
    invoice_id: int,
    user: User,
    amount: Decimal | None = None,
    stripe_payment_method_id: str | None = None,
) -> CardCheckout:
    """Reserve the amount, then create the PaymentIntent on the clinic's
    Stripe account and hand its client secret to Stripe.js.

    With `stripe_payment_method_id` (a card tokenised by Stripe.js) the card
    is saved on the patient's Stripe customer and charged here.
    """
    clinic = _clinic()
    _ensure_card_available(clinic)
    with transaction.atomic():
        invoice = invoice_lock(invoice_id=invoice_id)
        invoice_ensure_open(invoice=invoice)
        amount = amount if amount is not None else _default_amount(invoice=invoice)
        _ensure_positive(amount)
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
                    recorded_by=user,
                )
                .exclude(stripe_payment_id=None)
                .first()
            )
        )
        if existing is None:
            _ensure_fits(invoice=invoice, amount=amount)
            payment = Payment.objects.create(
                invoice=invoice,
                amount=amount,
                payment_method=PaymentMethod.CARD,
                status=PaymentStatus.PENDING,
                recorded_by=user,
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
                idempotency_key=_key("payment", payment.pk, "intent"),
            )
            Payment.objects.filter(pk=payment.pk).update(stripe_payment_id=intent.id)
            payment.stripe_payment_id = intent.id
    except gateway.StripeError as exc:
        _payment_fail(payment_id=payment.pk, message=str(exc)[:300])
        raise _provider_error(exc) from exc
    if stripe_payment_method_id:
        _charge_saved_card(
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
        idempotency_key=_key("customer", patient.pk),
    )
    StripeCustomer.objects.get_or_create(
        patient=patient, defaults={"customer_id": customer.id}
    )
    _djstripe_sync("Customer", customer.to_dict(), clinic)
    return customer.id


def _charge_saved_card(
    *, clinic: Clinic, payment: Payment, customer: str | None, payment_method: str
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
            idempotency_key=_key("payment", payment.pk),
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
        raise _provider_error(exc) from exc
    payment_reconcile_intent(intent=_intent_data(intent))


def _intent_data(intent: Any) -> PaymentIntentData:
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


@transaction.atomic
def _payment_fail(*, payment_id: int, message: str) -> None:
    payment = Payment.objects.select_for_update().get(pk=payment_id)
    if payment.status == PaymentStatus.PENDING:
        payment.status = PaymentStatus.FAILED
        payment.failure_message = message
        payment.save(update_fields=["status", "failure_message", "updated_at"])


def payment_refresh_from_stripe(*, payment: Payment) -> Payment:
    """A confirming retrieve: ask Stripe for the intent and apply its state."""
    if (
        payment.payment_method != PaymentMethod.CARD
        or payment.status != PaymentStatus.PENDING
        or not payment.stripe_payment_id
        or not gateway.card_payments_available(_clinic())
    ):
        return payment
    try:
        intent = gateway.payment_intent_retrieve(
            clinic=_clinic(), intent_id=payment.stripe_payment_id
        )
    except gateway.StripeError:
        logger.warning("confirming retrieve of %s failed", payment.stripe_payment_id)
        return payment
    payment_reconcile_intent(intent=_intent_data(intent))
    payment.refresh_from_db()
    return payment


# --- Applying Stripe's state ------------------------------------------------


def _locked_payment_for(
    *, intent_id: str, metadata_payment_id: str | None
) -> Payment | None:
    """Lock invoice then payment for a PaymentIntent of this clinic.

    The clinic was chosen by the event's account; inside it the intent id
    finds the payment. Metadata only helps when our process died between
    creating the intent and storing its id.
    """
    row = Payment.objects.filter(stripe_payment_id=intent_id).values("pk").first()
    if row is None:
        if metadata_payment_id is None:
            logger.warning("Stripe intent %s matches no payment here", intent_id)
            return None
        row = (
            Payment.objects.filter(pk=int(metadata_payment_id), stripe_payment_id=None)
            .values("pk")
            .first()
        )
        if row is None:
            return None
    invoice_id = Payment.objects.values_list("invoice_id", flat=True).get(pk=row["pk"])
    invoice_lock(invoice_id=invoice_id)
    payment = Payment.objects.select_for_update().get(pk=row["pk"])
    if payment.stripe_payment_id is None:
        payment.stripe_payment_id = intent_id
    return payment


def _settled_status(payment: Payment) -> str:
    if payment.refund_due > 0:
        return PaymentStatus.NEEDS_REFUND
    if payment.refunded_amount >= payment.amount:
        return PaymentStatus.REFUNDED
    if payment.refunded_amount > 0:
        return PaymentStatus.PARTIALLY_REFUNDED
    return PaymentStatus.COMPLETED


def _complete(*, payment: Payment, received: Decimal, charge_id: str) -> None:
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
        invoice_settle(invoice=invoice, delta=applied)


def _apply_refunded_total(*, payment: Payment, refunded: Decimal) -> None:
    """Bring the payment's refunded amount up to Stripe's cumulative figure.

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
        invoice_settle(invoice=invoice, delta=-off_invoice)


@transaction.atomic
def payment_reconcile_intent(*, intent: PaymentIntentData) -> Payment | None:
    payment = _locked_payment_for(
        intent_id=intent.id, metadata_payment_id=intent.metadata.chairside_payment_id
    )
    if payment is None:
        return None
    currency = intent.currency or payment.invoice.currency
    if intent.status == "succeeded":
        _complete(
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
def payment_reconcile_charge(*, charge: ChargeData) -> Payment | None:
    if charge.payment_intent is None:
        return None
    payment = _locked_payment_for(
        intent_id=charge.payment_intent,
        metadata_payment_id=charge.metadata.chairside_payment_id,
    )
    if payment is None:
        return None
    currency = charge.currency or payment.invoice.currency
    if charge.status == "succeeded" and charge.captured:
        # A charge that succeeded (even one refunded since) means the intent
        # succeeded: this event may well arrive before payment_intent.succeeded.
        _complete(
            payment=payment,
            received=gateway.from_minor_units(charge.received, currency),
            charge_id=charge.id,
        )
        refunded = gateway.from_minor_units(charge.amount_refunded, currency)
        _apply_refunded_total(payment=payment, refunded=refunded)
    elif charge.status == "failed" and payment.status == PaymentStatus.PENDING:
        payment.status = PaymentStatus.FAILED
        payment.failure_message = (charge.failure_message or "")[:300]
        payment.save(update_fields=["status", "failure_message", "updated_at"])
    else:
        payment.save()  # keeps an intent id adopted from metadata
    return payment


# --- Refunds -------------------------------------------------------------------


@transaction.atomic
def payment_refund(
    *,
    payment_id: int,
    amount: Decimal | None = None,
    reason: str = "",
    refunded_by: User,
) -> Payment:
    """Give back all or part of a completed payment.

    Card refunds go through Stripe on the clinic's account (they come out of
    the clinic's balance); the payment row stays locked for the call so two
    admins cannot refund the same money twice.
    """
    invoice_id = (
        Payment.objects.filter(pk=payment_id)
        .values_list("invoice_id", flat=True)
        .first()
    )
    if invoice_id is None:
        raise NotFound(_("No such payment."), code=PaymentErrorCode.PAYMENT_NOT_FOUND)
    invoice_lock(invoice_id=invoice_id)
    payment = Payment.objects.select_for_update().get(pk=payment_id)
    if payment.status not in (
        PaymentStatus.COMPLETED,
        PaymentStatus.PARTIALLY_REFUNDED,
        PaymentStatus.NEEDS_REFUND,
    ):
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
        payment=payment, amount=amount, reason=reason, created_by=refunded_by
    )
    if payment.payment_method != PaymentMethod.CARD:
        _apply_refunded_total(
            payment=payment, refunded=payment.refunded_amount + amount
        )
        return payment
    clinic = _clinic()
    _ensure_card_available(clinic)
    try:
        stripe_refund = gateway.refund_create(
            clinic=clinic,
            intent_id=payment.stripe_payment_id,
            amount=amount,
            currency=payment.invoice.currency,
            idempotency_key=_key("refund", refund.pk),
        )
    except gateway.StripeError as exc:
        raise _provider_error(exc) from exc
    refund.stripe_refund_id = stripe_refund.id
    refund.save(update_fields=["stripe_refund_id"])
    if stripe_refund.status == "succeeded":
        _apply_refunded_total(
            payment=payment, refunded=payment.refunded_amount + amount
        )
    # A pending refund is applied when charge.refunded reports it.
    return payment


# --- Webhook events --------------------------------------------------------------


@transaction.atomic
def stripe_event_apply(*, event: StripeEventIn, clinic: Clinic) -> bool:
    """Apply one verified event in the clinic's schema. False if seen before.

    The event id is inserted in the same transaction as its effect: if the
    effect fails, nothing of it is kept, the id is not recorded and Stripe's
    retry applies it; if a second delivery races the first, the unique index
    makes it wait and then find the row.
    """
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
    if event.intent is not None:
        payment_reconcile_intent(intent=event.intent)
        _djstripe_sync("PaymentIntent", event.data.object, clinic)
    elif event.charge is not None:
        payment_reconcile_charge(charge=event.charge)
    return True


def _djstripe_sync(model_name: str, data: dict[str, Any], clinic: Clinic) -> None:
    """Mirror the Stripe object into dj-stripe's tables in this schema.

    Best effort, in a savepoint: our Payment and Invoice rows are the books;
    dj-stripe's copy is for reference and the admin. The object is handed
    over as a StripeObject carrying the connected account, so dj-stripe files
    it under the clinic's account and fetches related objects from there.
    """
    import stripe
    from django.conf import settings
    from djstripe import models as djstripe_models

    obj = stripe.StripeObject.construct_from(
        data, settings.STRIPE_SECRET_KEY, stripe_account=clinic.stripe_account_id
    )
    try:
        with transaction.atomic():
            synced = getattr(djstripe_models, model_name).sync_from_stripe_data(
                obj, api_key=settings.STRIPE_SECRET_KEY
            )
            # dj-stripe 2.11 turns the object into a dict before looking for
            # its connected account and so files it under the platform's;
            # put it under the clinic's account ourselves.
            account = djstripe_models.Account._get_or_retrieve(
                id=clinic.stripe_account_id, api_key=settings.STRIPE_SECRET_KEY
            )
            if synced.djstripe_owner_account_id != account.id:
                synced.djstripe_owner_account = account
                synced.save(update_fields=["djstripe_owner_account"])
    except Exception:
        logger.exception("dj-stripe could not sync %s %s", model_name, data.get("id"))
