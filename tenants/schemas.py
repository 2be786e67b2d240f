from __future__ import annotations

from decimal import Decimal

from ninja import Schema

from chairside.core.schemas import Email
from chairside.core.types import Text


class ClinicSignupIn(Schema):
    name: Text(120, min_length=2)
    # The service checks the slug's form and length (tenants.validators).
    slug: Text(64, min_length=1)
    owner_email: Email
    owner_password: Text(256, min_length=1)
    owner_first_name: Text(50) = ""
    owner_last_name: Text(50) = ""
    time_zone: Text(64) = "UTC"
    currency: Text(3, min_length=3) = "USD"
    language: Text(8) = "en"
    plan: Text(32) | None = None


class ClinicOut(Schema):
    id: int
    name: str
    slug: str
    url: str
    time_zone: str
    currency: str
    default_language: str
    status: str
    plan: str | None


class PlanOut(Schema):
    code: str
    name: str
    monthly_price: Decimal
    max_dentists: int
