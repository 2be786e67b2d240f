"""/api/payments — card payments through Stripe, manual payments, refunds."""

# No `from __future__ import annotations`: ninja resolves Query[...] at
# import time.
from http import HTTPStatus

from django.conf import settings
from django.http import HttpRequest
from ninja import Query, Router, Status
from ninja.pagination import paginate

from chairside.accounts.auth import jwt_auth
from chairside.accounts.policies import ensure
from chairside.billing import selectors as billing_selectors
from chairside.billing.services import current_clinic
from chairside.core.openapi import ErrorOut, with_errors
from chairside.core.pagination import BoundedLimitOffsetPagination
from chairside.core.types import Id
from chairside.payments import gateway, policies, selectors, services
from chairside.payments.models import PaymentMethod
from chairside.payments.schemas import (
    CardCheckoutOut,
    PaymentConfigOut,
    PaymentFilter,
    PaymentIn,
    PaymentOut,
    RefundIn,
)

router = Router(tags=["payments"], auth=jwt_auth)
# A declined card (402) and an unreachable Stripe (502), as well as the 4xx.
PROVIDER_ERRORS = {frozenset({402, 502}): ErrorOut}


@router.get("/payments/config", response=with_errors({200: PaymentConfigOut}))
def payment_config(request: HttpRequest) -> PaymentConfigOut:
    """What the payment page needs: whether cards work, and Stripe.js keys."""
    clinic = current_clinic()
    available = gateway.card_payments_available(clinic)
    return PaymentConfigOut(
        card_payments_available=available,
        publishable_key=settings.STRIPE_PUBLISHABLE_KEY or None if available else None,
        stripe_account=gateway.stripe_account_of(clinic) if available else None,
        currency=clinic.currency,
    )


@router.post(
    "/payments",
    response=with_errors({HTTPStatus.CREATED: CardCheckoutOut, **PROVIDER_ERRORS}),
)
def create_payment(request: HttpRequest, payload: PaymentIn) -> Status[CardCheckoutOut]:
    user = request.auth
    # 404 for invoices the user may not see, before any other answer.
    invoice = billing_selectors.invoice_get(user=user, invoice_id=payload.invoice_id)
    if payload.payment_method == PaymentMethod.CARD:
        ensure(policies.can_pay_by_card(user, invoice))
        checkout = services.card_checkout_start(
            invoice_id=invoice.pk,
            user=user,
            amount=payload.amount,
            stripe_payment_method_id=payload.stripe_payment_method_id,
        )
        payment = selectors.payment_get(user=user, payment_id=checkout.payment.pk)
        out = CardCheckoutOut.from_orm(payment)
        out.client_secret = checkout.client_secret
        out.stripe_account = gateway.stripe_account_of(current_clinic())
        out.publishable_key = settings.STRIPE_PUBLISHABLE_KEY or None
        return Status(HTTPStatus.CREATED, out)
    ensure(policies.can_record_manual_payment(user))
    payment = services.payment_manual_record(
        invoice_id=invoice.pk,
        method=payload.payment_method,
        amount=payload.amount,
        reference=payload.reference,
        payment_date=payload.payment_date,
        recorded_by=user,
    )
    payment = selectors.payment_get(user=user, payment_id=payment.pk)
    return Status(HTTPStatus.CREATED, CardCheckoutOut.from_orm(payment))


@router.get("/payments", response=with_errors({200: list[PaymentOut]}))
@paginate(BoundedLimitOffsetPagination)
def list_payments(request: HttpRequest, filters: Query[PaymentFilter]):
    """Payment history: staff see the clinic's, a patient their own."""
    return selectors.payment_list(user=request.auth, **filters.dict())


@router.get(
    "/payments/{payment_id}", response=with_errors({200: PaymentOut, **PROVIDER_ERRORS})
)
def get_payment(request: HttpRequest, payment_id: Id):
    """A pending card payment is checked with Stripe before answering."""
    payment = selectors.payment_get(user=request.auth, payment_id=payment_id)
    services.payment_refresh_from_stripe(payment=payment)
    return selectors.payment_get(user=request.auth, payment_id=payment_id)


@router.post(
    "/payments/{payment_id}/refund",
    response=with_errors({200: PaymentOut, **PROVIDER_ERRORS}),
)
def refund_payment(request: HttpRequest, payment_id: Id, payload: RefundIn):
    selectors.payment_get(user=request.auth, payment_id=payment_id)
    ensure(policies.can_refund(request.auth))
    services.payment_refund(
        payment_id=payment_id,
        amount=payload.amount,
        reason=payload.reason,
        refunded_by=request.auth,
    )
    return selectors.payment_get(user=request.auth, payment_id=payment_id)
