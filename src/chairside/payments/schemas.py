"""Payment JSON, with the client spec's field names (`invoice_id`, `amount`,
`payment_method`, `stripe_payment_id`, `payment_date`)."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Literal

from ninja import Field, Schema

from chairside.core.types import Id, PositiveMoney, SaneDate, SaneDateTime, Text


class PaymentIn(Schema):
    invoice_id: Id
    payment_method: Literal["card", "cash", "bank_transfer"]
    # Defaults to what is left to pay.
    amount: PositiveMoney | None = None
    # Manual payments: bank reference or receipt number, and when received.
    reference: Text(100) = ""
    payment_date: SaneDateTime | None = None
    # Card: a PaymentMethod id from Stripe.js to save on the patient's
    # customer and charge now; without it the client confirms with the
    # returned client_secret.
    stripe_payment_method_id: Text(100) | None = Field(
        default=None, pattern=r"^pm_[A-Za-z0-9_]+$"
    )


class RefundIn(Schema):
    # Defaults to everything not yet refunded.
    amount: PositiveMoney | None = None
    reason: Text(200) = ""


class RefundOut(Schema):
    id: int
    amount: Decimal
    stripe_refund_id: str | None
    reason: str
    created_at: datetime.datetime


class PaymentOut(Schema):
    id: int
    invoice_id: int
    amount: Decimal
    refunded_amount: Decimal
    # Received but not applied to the invoice, not yet given back
    # (status `needs_refund`).
    refund_due: Decimal
    currency: str
    payment_method: str
    status: str
    stripe_payment_id: str | None
    failure_message: str
    reference: str
    payment_date: datetime.datetime
    refunds: list[RefundOut]

    @staticmethod
    def resolve_currency(obj) -> str:
        return obj.invoice.currency

    @staticmethod
    def resolve_refunds(obj) -> list:
        return list(obj.refunds.all())


class CardCheckoutOut(PaymentOut):
    # For Stripe.js: confirm the intent on the clinic's connected account.
    client_secret: str | None = None
    stripe_account: str | None = None
    publishable_key: str | None = None


class PaymentConfigOut(Schema):
    card_payments_available: bool
    publishable_key: str | None
    stripe_account: str | None
    currency: str


class PaymentFilter(Schema):
    invoice_id: Id | None = None
    patient_id: Id | None = None
    status: (
        Literal[
            "pending",
            "completed",
            "failed",
            "refunded",
            "partially_refunded",
            "needs_refund",
        ]
        | None
    ) = None
    payment_method: Literal["card", "cash", "bank_transfer"] | None = None
    date_from: SaneDate | None = None
    date_to: SaneDate | None = None
