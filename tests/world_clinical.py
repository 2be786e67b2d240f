"""The clinical part of the fixed test world (see conftest.py).

Per clinic: dentist@ is Dr. Dana Root (split shift Mon-Fri 09:00-13:00 and
14:00-18:00, clinic time), a second dentist with no account works Mon-Sat
08:00-16:00, two chairs, and patient@ / patient2@ have patient records.
Idempotent (pytest --reuse-db).
"""

from __future__ import annotations

from datetime import time

from django_tenants.utils import schema_context

SPLIT_SHIFT = [(time(9), time(13)), (time(14), time(18))]
LONG_DAY = [(time(8), time(16))]
CHAIRS = ("Chair 1", "Chair 2")


def build_clinical_world(slugs: tuple[str, ...] = ("alpha", "beta")) -> None:
    from chairside.accounts.models import User
    from chairside.patients.models import Patient
    from chairside.scheduling.models import Chair, Dentist, WorkingHours
    from tenants.models import Clinic

    for slug in slugs:
        clinic = Clinic.objects.get(slug=slug)
        with schema_context(clinic.schema_name):
            users = {u.email.split("@")[0]: u for u in User.objects.all()}
            dentist = {
                "first_name": "Dana",
                "last_name": "Root",
                "user": users["dentist"],
                "specialty": "General",
                "license_number": f"{slug.upper()}-001",
            }
            dentist2 = {
                "first_name": "Omar",
                "last_name": "Crown",
                "user": None,
                "specialty": "Orthodontics",
                "license_number": f"{slug.upper()}-002",
            }
            dentists = [
                ("dentist", dentist, SPLIT_SHIFT, range(5)),
                ("dentist2", dentist2, LONG_DAY, range(6)),
            ]
            for local, fields, shifts, weekdays in dentists:
                dentist, created = Dentist.objects.get_or_create(
                    email=f"{local}@{slug}.test", defaults=fields
                )
                if created:
                    WorkingHours.objects.bulk_create(
                        WorkingHours(
                            dentist=dentist, weekday=d, start_time=s, end_time=e
                        )
                        for d in weekdays
                        for s, e in shifts
                    )
            for name in CHAIRS:
                Chair.objects.get_or_create(name=name)
            for local, first, last, phone in (
                ("patient", "Pat", "One", "+12025550101"),
                ("patient2", "Sam", "Two", "+34612345678"),
            ):
                Patient.objects.get_or_create(
                    email=f"{local}@{slug}.test",
                    defaults={
                        "first_name": first,
                        "last_name": last,
                        "phone": phone,
                        "user": users[local],
                        "medical_history": f"{first} {last}: allergic to penicillin",
                    },
                )


def world_dentist(clinic, local: str = "dentist"):
    """The Dentist record: "dentist" (has the dentist@ account) or "dentist2"."""
    from chairside.scheduling.models import Dentist

    with schema_context(clinic.schema_name):
        return Dentist.objects.get(email=f"{local}@{clinic.slug}.test")


def world_chair(clinic, name: str = "Chair 1"):
    from chairside.scheduling.models import Chair

    with schema_context(clinic.schema_name):
        return Chair.objects.get(name=name)


def world_patient(clinic, local: str = "patient"):
    """The Patient record of the patient@ (or patient2@) account."""
    from chairside.patients.models import Patient

    with schema_context(clinic.schema_name):
        return Patient.objects.get(email=f"{local}@{clinic.slug}.test")


def clinic_dt(clinic, wall: str):
    """An aware datetime for a wall-clock time in the clinic's zone,
    e.g. clinic_dt(alpha, "2027-01-06 10:00")."""
    from datetime import datetime
    from zoneinfo import ZoneInfo

    return datetime.fromisoformat(wall).replace(tzinfo=ZoneInfo(clinic.time_zone))
