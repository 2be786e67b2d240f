"""Stable error codes of the payments app."""

from __future__ import annotations

from enum import StrEnum


class PaymentErrorCode(StrEnum):
    PAYMENT_NOT_FOUND = "payment_not_found"
    CARD_PAYMENTS_UNAVAILABLE = "card_payments_unavailable"
    PAYMENT_EXCEEDS_BALANCE = "payment_exceeds_balance"
    CARD_DECLINED = "card_declined"
    PAYMENT_PROVIDER_ERROR = "payment_provider_error"
    PAYMENT_NOT_REFUNDABLE = "payment_not_refundable"
    REFUND_EXCEEDS_PAYMENT = "refund_exceeds_payment"
    MANUAL_METHOD_REQUIRED = "manual_method_required"
    WEBHOOK_SIGNATURE_INVALID = "webhook_signature_invalid"
    WEBHOOK_ACCOUNT_UNKNOWN = "webhook_account_unknown"
    WEBHOOK_ACCOUNT_MISMATCH = "webhook_account_mismatch"
    WEBHOOK_EVENT_MALFORMED = "webhook_event_malformed"
