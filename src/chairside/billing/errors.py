"""Stable error codes of the billing app."""

from __future__ import annotations

from enum import StrEnum


class BillingErrorCode(StrEnum):
    INVOICE_NOT_FOUND = "invoice_not_found"
    PATIENT_NOT_FOUND = "patient_not_found"
    APPOINTMENT_NOT_FOUND = "appointment_not_found"
    APPOINTMENT_ALREADY_INVOICED = "appointment_already_invoiced"
    APPOINTMENT_OTHER_PATIENT = "appointment_other_patient"
    INVOICE_EMPTY = "invoice_empty"
    INVOICE_DUE_BEFORE_ISSUE = "invoice_due_before_issue"
    INVOICE_TRANSITION_INVALID = "invoice_transition_invalid"
    INVOICE_HAS_PAYMENTS = "invoice_has_payments"
    INVOICE_CLOSED = "invoice_closed"
    INVOICE_AMOUNT_INVALID = "invoice_amount_invalid"
    INVOICE_AMOUNT_TOO_LARGE = "invoice_amount_too_large"
    PROCEDURE_ALREADY_BILLED = "procedure_already_billed"
    VISIT_NOTHING_TO_BILL = "visit_nothing_to_bill"
