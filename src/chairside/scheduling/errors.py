from __future__ import annotations

from enum import StrEnum


class SchedulingErrorCode(StrEnum):
    SLOT_TAKEN = "appointment_slot_taken"
    INVALID_TRANSITION = "appointment_invalid_transition"
    IN_THE_PAST = "appointment_in_the_past"
    OUTSIDE_WORKING_HOURS = "appointment_outside_working_hours"
    DENTIST_DAY_OFF = "appointment_dentist_day_off"
    NOT_RESCHEDULABLE = "appointment_not_reschedulable"
    NO_SHOW_TOO_EARLY = "appointment_no_show_too_early"
    CHECK_IN_NOT_TODAY = "appointment_check_in_not_today"
    COMPLETE_TOO_EARLY = "appointment_complete_too_early"
    CONFIRM_TOO_LATE = "appointment_confirm_too_late"
    CANCELLATION_REASON_REQUIRED = "appointment_cancellation_reason_required"
    # Patients' own changes (SchedulingSettings).
    CANCELLATION_WINDOW = "appointment_cancellation_window_passed"
    ONLINE_DURATION_TOO_LONG = "appointment_online_duration_too_long"
    ONLINE_BOOKING_LIMIT = "appointment_online_booking_limit"
    NO_CHAIR_FREE = "appointment_no_chair_free"
    PATIENT_ARCHIVED = "appointment_patient_archived"
    DENTIST_INACTIVE = "dentist_inactive"
    CHAIR_INACTIVE = "chair_inactive"
    DENTIST_EMAIL_TAKEN = "dentist_email_taken"
    DENTIST_LICENSE_TAKEN = "dentist_license_taken"
    DENTIST_USER_INVALID = "dentist_user_invalid"
    SHIFTS_OVERLAP = "dentist_shifts_overlap"
    CHAIR_NAME_TAKEN = "chair_name_taken"
    RANGE_TOO_LONG = "availability_range_too_long"
    SETTINGS_INVALID = "scheduling_settings_invalid"
