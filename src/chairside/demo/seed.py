"""Demo data for `make run`: two clinics with one account per role, and a
platform admin for the console.

Idempotent: running it again finds what exists and adds only what is missing.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.management import call_command
from django.db import transaction
from django.urls import reverse
from django_tenants.utils import get_public_schema_name, schema_context

from chairside.accounts.models import Role, User
from chairside.accounts.services import user_create
from chairside.core.actors import DEMO_SEED
from chairside.demo.billing import seed_clinic_billing
from chairside.demo.clinical import seed_clinical
from chairside.dental.demo import seed_dental_demo
from chairside.treatment.demo import seed_treatment_demo
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
# Signs in at <BASE_DOMAIN>/console/ (see the README's demo logins).
PLATFORM_ADMIN_EMAIL = "platform@localhost.test"


def seed_demo() -> list[Clinic]:
    call_command("ensure_public_tenant", verbosity=0)
    seed_platform_admin()
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
            seed_dental_demo(actor=DEMO_SEED)  # catalogue, fees, a few charts
            seed_treatment_demo(actor=DEMO_SEED)  # plans: presented, one accepted
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


@transaction.atomic
def seed_platform_admin() -> User:
    """A superuser of the public schema, which is what the console admits.
    Made like every other account (user_create: its allauth email record,
    verified), so sign-in, password reset and MFA treat it as they treat any
    account."""
    with schema_context(get_public_schema_name()):
        user = User.objects.filter(email=PLATFORM_ADMIN_EMAIL).first()
        if user is None:
            user = user_create(
                actor=DEMO_SEED,
                email=PLATFORM_ADMIN_EMAIL,
                password=DEMO_PASSWORD,
                role="",  # no clinic role: platform admins work above clinics
                first_name="Paula",
                last_name="Platform",
            )
            user.is_staff = user.is_superuser = True
            user.save(update_fields=["is_staff", "is_superuser"])
        return user


def console_url() -> str:
    """Where the platform admin signs in: the console on the base domain."""
    port = f":{settings.SITE_PORT}" if settings.SITE_PORT else ""
    path = reverse("console:clinics", urlconf=settings.PUBLIC_SCHEMA_URLCONF)
    return f"{settings.SITE_SCHEME}://{settings.BASE_DOMAIN}{port}{path}"
