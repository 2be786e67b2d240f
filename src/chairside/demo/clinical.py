"""Clinical demo data: dentists with hours, chairs, ~200 patients and a
realistic week of appointments per clinic.

Deterministic (seeded by the clinic's slug) and idempotent: what exists is
kept, and the appointment week is only filled while the clinic has none in
it. Writes go straight to the models (past appointments included), inside
an audit context that says they came from the seed.
"""

from __future__ import annotations

import random
from datetime import date, time, timedelta

import pghistory
from django.db import transaction

from chairside.accounts.models import User
from chairside.core.clinic_time import clinic_now, clinic_tz, local_datetime
from chairside.patients.models import Patient
from chairside.scheduling.models import (
    Appointment,
    AppointmentStatus,
    Chair,
    Dentist,
    WorkingHours,
)

St = AppointmentStatus
PATIENT_COUNT = 200
FIRST_NAMES = [
    "Ana", "Ben", "Carla", "David", "Elena", "Farid", "Grace", "Hugo", "Irene",
    "Jon", "Kira", "Luis", "Marta", "Nico", "Olga", "Pablo", "Quinn", "Rosa",
    "Sam", "Tara", "Umar", "Vera", "Will", "Ximena", "Yusuf", "Zoe",
]  # fmt: skip
LAST_NAMES = [
    "Alvarez", "Brown", "Castro", "Diaz", "Evans", "Fischer", "Garcia", "Hughes",
    "Ibarra", "Jones", "Khan", "Lopez", "Moreno", "Nguyen", "Ortiz", "Patel",
    "Quiroga", "Romero", "Smith", "Torres", "Urban", "Vidal", "Walsh", "Young",
]  # fmt: skip
HISTORIES = [
    "", "", "", "Allergic to penicillin.", "Type 2 diabetes, metformin.",
    "Hypertension; takes lisinopril.", "Asthma (inhaler).", "Pregnant, 2nd trimester.",
    "Anticoagulants (warfarin).", "Latex allergy.",
]  # fmt: skip
REASONS = [
    "Checkup", "Cleaning", "Filling", "Crown fitting", "Root canal",
    "Whitening", "Extraction", "Toothache", "Orthodontic review",
]  # fmt: skip
# (local, first, last, specialty, shifts by weekday)
SPLIT = ((time(9), time(13)), (time(14), time(18)))
EARLY = ((time(8), time(16)),)
LATE = ((time(10), time(19)),)
DENTISTS = [
    ("dentist", "Daniel", "Molar", "General dentistry", dict.fromkeys(range(5), SPLIT)),
    ("ortho", "Olivia", "Brace", "Orthodontics", dict.fromkeys(range(1, 6), EARLY)),
    ("hygiene", "Hana", "Floss", "Dental hygiene", dict.fromkeys((0, 2, 4), LATE)),
]
CHAIRS = ["Operatory 1", "Operatory 2", "Operatory 3"]


def seed_clinical(clinic: object) -> None:
    """Fill the active clinic schema (call inside schema_context)."""
    rng = random.Random(f"chairside-demo-{getattr(clinic, 'slug', '')}")  # noqa: S311
    with pghistory.context(source="demo_seed"), transaction.atomic():
        dentists = _dentists(clinic)
        chairs = [Chair.objects.get_or_create(name=name)[0] for name in CHAIRS]
        patients = _patients(clinic, rng)
        _week_of_appointments(dentists, chairs, patients, rng)


def _dentists(clinic: object) -> list[Dentist]:
    slug = getattr(clinic, "slug", "demo")
    dentists = []
    for local, first, last, specialty, hours in DENTISTS:
        email = f"{local}@{slug}.test"
        user = User.objects.filter(email=email).first() if local == "dentist" else None
        dentist, created = Dentist.objects.get_or_create(
            email=email,
            defaults={
                "first_name": first,
                "last_name": last,
                "specialty": specialty,
                "license_number": f"{slug.upper()}-{local.upper()}",
                "user": user,
            },
        )
        if created:
            WorkingHours.objects.bulk_create(
                WorkingHours(dentist=dentist, weekday=day, start_time=s, end_time=e)
                for day, shifts in hours.items()
                for s, e in shifts
            )
        dentists.append(dentist)
    return dentists


def _phone(clinic: object, rng: random.Random) -> str:
    if str(getattr(clinic, "time_zone", "")).startswith("Europe/Madrid"):
        return f"+346{rng.randint(10_000_000, 99_999_999)}"
    area = rng.choice(["212", "347", "646", "718"])
    return f"+1{area}{rng.randint(2, 9)}{rng.randint(10, 99)}{rng.randint(1000, 9999)}"


def _patients(clinic: object, rng: random.Random) -> list[Patient]:
    slug = getattr(clinic, "slug", "demo")
    portal = User.objects.filter(email=f"patient@{slug}.test").first()
    if portal is not None and not Patient.objects.filter(user=portal).exists():
        Patient.objects.get_or_create(
            email=portal.email,
            defaults={
                "first_name": portal.first_name or "Pat",
                "last_name": portal.last_name or "Smile",
                "phone": _phone(clinic, rng),
                "date_of_birth": date(1988, 4, 12),
                "medical_history": "Allergic to penicillin.",
                "user": portal,
            },
        )
    missing = PATIENT_COUNT - Patient.objects.count()
    today = clinic_now().date()
    new = []
    for i in range(max(missing, 0)):
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        new.append(
            Patient(
                first_name=first,
                last_name=last,
                email=f"{first}.{last}.{i}@{slug}.example".lower(),
                phone=_phone(clinic, rng),
                date_of_birth=today - timedelta(days=rng.randint(4 * 365, 90 * 365)),
                address=f"{rng.randint(1, 250)} {rng.choice(LAST_NAMES)} Street",
                medical_history=rng.choice(HISTORIES),
            )
        )
    # bulk_create skips save(), not the field's encryption (get_prep_value).
    Patient.objects.bulk_create(new, ignore_conflicts=True)
    return list(Patient.objects.filter(is_archived=False))


def _week_of_appointments(
    dentists: list[Dentist],
    chairs: list[Chair],
    patients: list[Patient],
    rng: random.Random,
) -> None:
    """Monday to Saturday of the current week: past days done (mostly
    completed, some no-shows and cancellations), later days booked."""
    tz = clinic_tz()
    now = clinic_now()
    monday = now.date() - timedelta(days=now.weekday())
    week_start = local_datetime(monday, time(0), tz)
    week_end = week_start + timedelta(days=7)
    if Appointment.objects.filter(
        starts_at__gte=week_start, starts_at__lt=week_end
    ).exists():
        return
    rows = []
    for index, dentist in enumerate(dentists):
        chair = chairs[index % len(chairs)]
        shifts = list(dentist.working_hours.all())
        for offset in range(6):
            day = monday + timedelta(days=offset)
            for shift in (s for s in shifts if s.weekday == day.weekday()):
                t = local_datetime(day, shift.start_time, tz)
                end = local_datetime(day, shift.end_time, tz)
                while True:
                    minutes = rng.choice((30, 30, 45, 60))
                    if t + timedelta(minutes=minutes) > end:
                        break
                    if rng.random() < 0.7:
                        if t + timedelta(minutes=minutes) <= now:
                            status = rng.choices(
                                (St.COMPLETED, St.NO_SHOW, St.CANCELLED), (85, 7, 8)
                            )[0]
                        elif t <= now:
                            status = St.CHECKED_IN
                        else:
                            status = rng.choices(
                                (St.SCHEDULED, St.CONFIRMED), (60, 40)
                            )[0]
                        rows.append(
                            Appointment(
                                patient=rng.choice(patients),
                                dentist=dentist,
                                chair=chair,
                                starts_at=t,
                                duration_minutes=minutes,
                                ends_at=t + timedelta(minutes=minutes),
                                status=status,
                                reason=rng.choice(REASONS),
                                cancellation_reason=(
                                    "Patient called in sick"
                                    if status == St.CANCELLED
                                    else ""
                                ),
                            )
                        )
                    t += timedelta(minutes=minutes + rng.choice((0, 0, 15)))
    Appointment.objects.bulk_create(rows)
