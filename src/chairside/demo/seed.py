"""Demo data for `make run`: two clinics with one account per role.

Idempotent: running it again finds what exists and adds only what is missing.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.management import call_command
from django_tenants.utils import schema_context

from chairside.accounts.models import Role, User
from chairside.accounts.services import user_create
from chairside.core.actors import DEMO_SEED
from chairside.demo.billing import seed_clinic_billing
from chairside.demo.clinical import seed_clinical
from tenants.models import Clinic
from tenants.services import clinic_provision

logger = logging.getLogger(__name__)

DEMO_PASSWORD = "chairside-demo"
DEMO_CLINICS = [
    {"slug": "demo", "name": "Demo Dental", "time_zone": "America/New_York",
     "currency": "USD", "language": "en"},
    {"slug": "riverside", "name": "Riverside Dental Care",
     "time_zone": "Europe/Madrid", "currency": "EUR", "language": "es"},
]  # fmt: skip
DEMO_USERS = [
    ("admin", Role.ADMIN, "Ada", "Owner"),
    ("dentist", Role.DENTIST, "Daniel", "Molar"),
    ("reception", Role.RECEPTIONIST, "Rita", "Desk"),
    ("patient", Role.PATIENT, "Pat", "Smile"),
]


def seed_demo() -> list[Clinic]:
    call_command("ensure_public_tenant", verbosity=0)
    clinics = []
    for spec in DEMO_CLINICS:
        clinic = Clinic.objects.filter(slug=spec["slug"]).first()
        if clinic is None:
            clinic, _owner = clinic_provision(
                actor=DEMO_SEED,
                name=spec["name"],
                slug=spec["slug"],
                owner_email=f"admin@{spec['slug']}.test",
                owner_password=DEMO_PASSWORD,
                owner_first_name="Ada",
                owner_last_name="Owner",
                time_zone=spec["time_zone"],
                currency=spec["currency"],
                language=spec["language"],
            )
        with schema_context(clinic.schema_name):
            seed_clinic_users(clinic)
            seed_clinical(clinic)  # chairside.demo.clinical
        seed_clinic_billing(clinic)  # chairside.demo.billing
        clinics.append(clinic)
    return clinics


def seed_clinic_users(clinic: Clinic) -> None:
    for local, role, first, last in DEMO_USERS:
        email = f"{local}@{clinic.slug}.test"
        if not User.objects.filter(email=email).exists():
            user_create(
                actor=DEMO_SEED,
                email=email,
                password=DEMO_PASSWORD,
                role=role,
                first_name=first,
                last_name=last,
            )


def demo_urls() -> list[str]:
    port = f":{settings.SITE_PORT}" if settings.SITE_PORT else ""
    return [f"{settings.SITE_SCHEME}://{settings.BASE_DOMAIN}{port}"] + [
        c.url for c in Clinic.objects.exclude(schema_name="public")
    ]
