from __future__ import annotations

from enum import StrEnum


class PatientErrorCode(StrEnum):
    EMAIL_TAKEN = "patient_email_taken"
    INVALID_PHONE = "patient_invalid_phone"
    BIRTH_DATE_IN_FUTURE = "patient_birth_date_in_future"
    ARCHIVED = "patient_archived"
    OPEN_INVOICES = "patient_has_open_invoices"
    USER_NOT_A_PATIENT = "patient_user_not_a_patient"
    USER_ALREADY_LINKED = "patient_user_already_linked"
