from __future__ import annotations

from enum import StrEnum


class DentalErrorCode(StrEnum):
    INVALID_TOOTH = "dental_invalid_tooth"
    INVALID_NOTATION = "dental_invalid_notation"
    INVALID_SURFACES = "dental_invalid_surfaces"
    INVALID_AREA = "dental_invalid_area"
    WRONG_AREA = "dental_wrong_area"
    INVALID_TRANSITION = "dental_invalid_transition"
    CODE_TAKEN = "dental_code_taken"
    CODE_INACTIVE = "dental_code_inactive"
    UNKNOWN_CODE = "dental_unknown_code"
    UNKNOWN_CONDITION = "dental_unknown_condition"
    ENTRY_KIND = "dental_entry_kind"
    REASON_REQUIRED = "dental_invalidation_reason_required"
    SCHEDULE_NAME_TAKEN = "dental_fee_schedule_name_taken"
    IMPORT_INVALID = "dental_import_invalid"
    IMPORT_TOO_LARGE = "dental_import_too_large"
    DATE_IN_FUTURE = "dental_date_in_future"
    PATIENT_ARCHIVED = "dental_patient_archived"
