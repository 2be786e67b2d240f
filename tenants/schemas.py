from __future__ import annotations

from decimal import Decimal

from ninja import Schema
from pydantic import Field

from chairside.core.schemas import Email


class ClinicSignupIn(Schema):
    name: str = Field(min_length=2, max_length=120)
    slug: str = Field(min_length=1, max_length=64)
    owner_email: Email
    owner_password: str = Field(min_length=1, max_length=256)
    owner_first_name: str = Field(default="", max_length=50)
    owner_last_name: str = Field(default="", max_length=50)
    time_zone: str = "UTC"
    currency: str = Field(default="USD", min_length=3, max_length=3)
    language: str = "en"
    plan: str | None = None


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
