from enum import StrEnum


class NotificationsErrorCode(StrEnum):
    LINK_INVALID = "reminder_link_invalid"
    LINK_OUTDATED = "reminder_link_outdated"
    LINK_EXPIRED = "reminder_link_expired"
    APPOINTMENT_NOT_CHANGEABLE = "appointment_not_changeable"
    REMINDER_NOT_FAILED = "reminder_not_failed"
    OFFSETS_INVALID = "reminder_offsets_invalid"
