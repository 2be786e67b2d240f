from enum import StrEnum


class ClinicErrorCode(StrEnum):
    SLUG_INVALID = "slug_invalid"
    SLUG_RESERVED = "slug_reserved"
    SLUG_TAKEN = "slug_taken"
    TIME_ZONE_INVALID = "time_zone_invalid"
    CURRENCY_INVALID = "currency_invalid"
    LANGUAGE_INVALID = "language_invalid"
    PLAN_INVALID = "plan_invalid"
    OWNER_INVALID = "owner_invalid"
    STRIPE_ACCOUNT_INVALID = "stripe_account_invalid"
    STRIPE_ACCOUNT_TAKEN = "stripe_account_taken"
