"""Checks on what a clinic owner types at signup, each with its own error code."""

from __future__ import annotations

import re
import zoneinfo

from django.conf import settings
from django.utils.translation import gettext as _

from chairside.core.errors import ChairsideError, Conflict
from tenants.errors import ClinicErrorCode

SLUG_PATTERN = re.compile(r"^[a-z][a-z0-9]*(?:-[a-z0-9]+)*$")
SLUG_MIN_LENGTH = 3
SLUG_MAX_LENGTH = 40
# Names that are, or could pass for, part of the platform itself.
RESERVED_SLUGS = frozenset(
    {
        "www", "api", "admin", "public", "static", "media", "app", "mail",
        "smtp", "ftp", "status", "help", "support", "docs", "blog", "billing",
        "stripe", "webhooks", "auth", "login", "signup", "console", "platform",
        "chairside", "demo-template", "template", "test", "localhost",
    }
)  # fmt: skip
# Currencies Stripe settles for clinics; extend as markets open.
SUPPORTED_CURRENCIES = frozenset(
    {"USD", "EUR", "GBP", "CAD", "AUD", "NZD", "MXN", "CHF", "SEK", "NOK", "DKK"}
)


def normalize_slug(slug: str) -> str:
    return slug.strip().lower()


def validate_slug_format(slug: str) -> None:
    if not (SLUG_MIN_LENGTH <= len(slug) <= SLUG_MAX_LENGTH) or not (
        SLUG_PATTERN.match(slug)
    ):
        raise ChairsideError(
            _(
                "The clinic address must be 3 to 40 characters: lowercase letters, "
                "digits and single hyphens, starting with a letter."
            ),
            code=ClinicErrorCode.SLUG_INVALID,
            details={"field": "slug"},
        )
    if slug in RESERVED_SLUGS:
        raise ChairsideError(
            _("“%(slug)s” is reserved. Please choose another address.")
            % {"slug": slug},
            code=ClinicErrorCode.SLUG_RESERVED,
            details={"field": "slug"},
        )


def slug_taken_error(slug: str) -> Conflict:
    return Conflict(
        _("The address “%(slug)s” is already taken.") % {"slug": slug},
        code=ClinicErrorCode.SLUG_TAKEN,
        details={"field": "slug"},
    )


def validate_clinic_settings(*, time_zone: str, currency: str, language: str) -> None:
    if time_zone not in zoneinfo.available_timezones():
        raise ChairsideError(
            _("Unknown time zone “%(tz)s”.") % {"tz": time_zone},
            code=ClinicErrorCode.TIME_ZONE_INVALID,
            details={"field": "time_zone"},
        )
    if currency not in SUPPORTED_CURRENCIES:
        raise ChairsideError(
            _("Unsupported currency “%(currency)s”.") % {"currency": currency},
            code=ClinicErrorCode.CURRENCY_INVALID,
            details={"field": "currency", "supported": sorted(SUPPORTED_CURRENCIES)},
        )
    if language not in dict(settings.LANGUAGES):
        raise ChairsideError(
            _("Unsupported language “%(language)s”.") % {"language": language},
            code=ClinicErrorCode.LANGUAGE_INVALID,
            details={"field": "language"},
        )


def schema_name_for(slug: str) -> str:
    # Hyphens are not valid in unquoted identifiers; slugs have no underscores,
    # so the mapping is one-to-one.
    return "clinic_" + slug.replace("-", "_")
