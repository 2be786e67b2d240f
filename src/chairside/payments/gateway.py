"""The only module that talks to Stripe.

Every call is made with the platform's secret key on the clinic's connected
account (`Stripe-Account` header: Connect direct charges), and every call that
creates something carries an idempotency key derived from our own row, so a
retried request can never create a second PaymentIntent or refund.
"""

from __future__ import annotations

import json
import logging
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import stripe
from django.conf import settings
from django.db import connection
from django.utils.translation import gettext as _

from chairside.core.errors import ChairsideError
from chairside.payments.errors import PaymentErrorCode
from tenants.models import Clinic

# Currencies Stripe counts in whole units (no cents).
ZERO_DECIMAL_CURRENCIES = frozenset(
    "bif clp djf gnf jpy kmf krw mga pyg rwf ugx vnd vuv xaf xof xpf".split()  # noqa: SIM905
)

logger = logging.getLogger(__name__)

StripeError = stripe.StripeError
CardError = stripe.CardError


def configure() -> None:
    """Point the SDK at a fake Stripe when one is configured (tests, demo)."""
    if settings.STRIPE_API_BASE:
        stripe.api_base = settings.STRIPE_API_BASE
    stripe.max_network_retries = 2


def is_configured() -> bool:
    return bool(settings.STRIPE_SECRET_KEY)


def stripe_account_of(clinic: Clinic) -> str | None:
    """The clinic's connected account, read fresh: the tenant object may be
    cached per process, and a (dis)connected account must apply at once."""
    return (
        Clinic.objects.filter(pk=clinic.pk)
        .values_list("stripe_account_id", flat=True)
        .first()
    )


def card_payments_available(clinic: Clinic) -> bool:
    return is_configured() and bool(stripe_account_of(clinic))


def card_payments_ensure(clinic: Clinic) -> None:
    if not card_payments_available(clinic):
        raise ChairsideError(
            _("Card payments are not available for this clinic."),
            code=PaymentErrorCode.CARD_PAYMENTS_UNAVAILABLE,
            status=503,
        )


def provider_error(exc: StripeError) -> ChairsideError:
    """What the user is told when Stripe cannot be reached or refuses us."""
    logger.warning("Stripe call failed: %s", exc)
    return ChairsideError(
        _("The payment provider could not be reached. Try again."),
        code=PaymentErrorCode.PAYMENT_PROVIDER_ERROR,
        status=502,
        # What reached Stripe stays on record (a pending or failed payment
        # with its intent id), so the money can be reconciled.
        keeps_writes=True,
    )


def idempotency_key(*parts: object) -> str:
    """A key unique across clinics and stable across retries."""
    return ":".join(["chairside", connection.schema_name, *map(str, parts)])


def to_minor_units(amount: Decimal, currency: str) -> int:
    if currency.lower() in ZERO_DECIMAL_CURRENCIES:
        return int(amount.quantize(Decimal(1), rounding=ROUND_HALF_UP))
    return int((amount * 100).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def from_minor_units(amount: int, currency: str) -> Decimal:
    if currency.lower() in ZERO_DECIMAL_CURRENCIES:
        return Decimal(amount).quantize(Decimal("0.01"))
    return (Decimal(amount) / 100).quantize(Decimal("0.01"))


def _options(clinic: Clinic) -> dict[str, Any]:
    return {
        "api_key": settings.STRIPE_SECRET_KEY,
        "stripe_account": stripe_account_of(clinic),
    }


def payment_intent_create(
    *,
    clinic: Clinic,
    amount: Decimal,
    currency: str,
    metadata: dict[str, str],
    idempotency_key: str,
    customer: str | None = None,
) -> stripe.PaymentIntent:
    params: dict[str, Any] = {
        "amount": to_minor_units(amount, currency),
        "currency": currency.lower(),
        "payment_method_types": ["card"],
        "metadata": metadata,
    }
    if customer:
        params["customer"] = customer
    fee_percent = Decimal(str(settings.STRIPE_APPLICATION_FEE_PERCENT))
    if fee_percent > 0:
        fee = amount * fee_percent / 100
        params["application_fee_amount"] = to_minor_units(fee, currency)
    return stripe.PaymentIntent.create(
        **params, idempotency_key=idempotency_key, **_options(clinic)
    )


def payment_intent_retrieve(*, clinic: Clinic, intent_id: str) -> stripe.PaymentIntent:
    return stripe.PaymentIntent.retrieve(intent_id, **_options(clinic))


def payment_intent_confirm(
    *, clinic: Clinic, intent_id: str, payment_method: str, idempotency_key: str
) -> stripe.PaymentIntent:
    # Set the method first, then confirm: the two-step form works on every
    # Stripe API version (and on localstripe).
    stripe.PaymentIntent.modify(
        intent_id,
        payment_method=payment_method,
        idempotency_key=f"{idempotency_key}-pm",
        **_options(clinic),
    )
    return stripe.PaymentIntent.confirm(
        intent_id, idempotency_key=f"{idempotency_key}-confirm", **_options(clinic)
    )


def customer_create(
    *, clinic: Clinic, email: str, name: str, idempotency_key: str
) -> stripe.Customer:
    return stripe.Customer.create(
        email=email, name=name, idempotency_key=idempotency_key, **_options(clinic)
    )


def customer_delete(*, clinic: Clinic, customer_id: str) -> None:
    """Right to erasure: the patient's name, email and saved cards go."""
    stripe.Customer.delete(customer_id, **_options(clinic))


def payment_method_attach(
    *, clinic: Clinic, payment_method: str, customer: str
) -> stripe.PaymentMethod:
    return stripe.PaymentMethod.attach(
        payment_method, customer=customer, **_options(clinic)
    )


def refund_create(
    *,
    clinic: Clinic,
    intent_id: str,
    amount: Decimal,
    currency: str,
    idempotency_key: str,
) -> stripe.Refund:
    return stripe.Refund.create(
        payment_intent=intent_id,
        amount=to_minor_units(amount, currency),
        idempotency_key=idempotency_key,
        **_options(clinic),
    )


def webhook_event_construct(*, payload: bytes, signature: str) -> Any:
    """Verify the signature over the raw body (5-minute tolerance), then
    parse the JSON (its shape is checked by events.StripeEventIn).

    Raises stripe.SignatureVerificationError or UnicodeDecodeError for a body
    Stripe did not sign, ValueError for a signed body that is not JSON.
    There is no other way in: no header-supplied secret, whatever DEBUG says.
    """
    secret = settings.STRIPE_WEBHOOK_SECRET
    if not secret:
        raise stripe.SignatureVerificationError(
            "No webhook signing secret is configured.", signature
        )
    stripe.WebhookSignature.verify_header(
        payload.decode("utf-8"),
        signature,
        secret,
        tolerance=settings.STRIPE_WEBHOOK_TOLERANCE,
    )
    try:
        return json.loads(payload)
    except RecursionError as exc:
        raise ValueError("the event is nested too deeply") from exc
