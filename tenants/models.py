"""Clinics (tenants), their domains and the plans they pay for.

These live in the public schema. Clinic data lives in the clinic's own schema;
the only public tables clinic tables may reference are small, rarely written
ones like Plan.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_tenants.models import DomainMixin, TenantMixin


class Plan(models.Model):
    code = models.SlugField(max_length=32, unique=True)
    name = models.CharField(max_length=64)
    monthly_price = models.DecimalField(
        max_digits=8, decimal_places=2, default=Decimal("0.00")
    )
    max_dentists = models.PositiveIntegerField(default=1)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["monthly_price"]

    def __str__(self) -> str:
        return self.name


class Clinic(TenantMixin):
    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        SUSPENDED = "suspended", _("Suspended")

    name = models.CharField(max_length=120)
    slug = models.SlugField(max_length=40, unique=True)
    time_zone = models.CharField(max_length=64, default="UTC")
    currency = models.CharField(max_length=3, default="USD")
    default_language = models.CharField(
        max_length=8, choices=settings.LANGUAGES, default="en"
    )
    status = models.CharField(
        max_length=16, choices=Status.choices, default=Status.ACTIVE
    )
    plan = models.ForeignKey(
        Plan, on_delete=models.PROTECT, null=True, blank=True, related_name="clinics"
    )
    suspended_reason = models.CharField(max_length=200, blank=True)
    # The clinic's own Stripe account (Connect, direct charges: the clinic is
    # the merchant of record). Webhook events are routed to a clinic by this
    # id alone, so it is unique across the platform.
    stripe_account_id = models.CharField(
        max_length=64, unique=True, null=True, blank=True
    )
    created_at = models.DateTimeField(auto_now_add=True)

    # Provisioning is done by tenants.services.clinic_provision, which creates
    # the schema inside its own transaction.
    auto_create_schema = True
    auto_drop_schema = False

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def is_suspended(self) -> bool:
        return self.status == self.Status.SUSPENDED

    @property
    def host(self) -> str:
        return f"{self.slug}.{settings.BASE_DOMAIN}"

    @property
    def url(self) -> str:
        port = f":{settings.SITE_PORT}" if settings.SITE_PORT else ""
        return f"{settings.SITE_SCHEME}://{self.host}{port}"


class Domain(DomainMixin):
    pass
