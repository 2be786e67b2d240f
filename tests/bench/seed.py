"""Bulk-load the benchmark world with COPY.

One large clinic (by default 50,000 patients, 250,000 appointments over two
years, 8 dentists, 6 chairs, invoices and payments to match) and many small
ones. Rows are generated in Python from a fixed random seed and streamed with
psycopg's COPY; the ORM is used only for the handful of staff accounts, so the
password hasher and the allauth email records stay real.

Audit triggers are switched off for the load (session_replication_role =
replica): a bulk import is not user activity. Exclusion constraints are
indexes, not triggers, so the database still refuses any overlapping
appointment the generator might produce.
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection, models, transaction
from django.utils import timezone
from django_tenants.utils import schema_context

from chairside.accounts.models import Role, User
from chairside.accounts.services import user_create
from chairside.billing.models import Invoice, InvoiceCounter, InvoiceItem
from chairside.core.actors import COMMAND
from chairside.patients.models import Patient
from chairside.payments.models import Payment
from chairside.scheduling.models import (
    Appointment,
    Chair,
    Dentist,
    WorkingHours,
)
from tenants.models import Clinic, Domain
from tenants.schema_engine.schema_clone import clone_template_into

STAFF_PASSWORD = "bench-password-not-secret"
FIRST_NAMES = [
    "Ana",
    "Ben",
    "Carla",
    "Dmitri",
    "Elena",
    "Farid",
    "Grace",
    "Hugo",
    "Ines",
    "Jamal",
    "Kenji",
    "Lucia",
    "Mateo",
    "Nora",
    "Omar",
    "Paula",
    "Quentin",
    "Rosa",
    "Sami",
    "Tara",
    "Umar",
    "Vera",
    "Wen",
    "Ximena",
    "Yusuf",
    "Zoe",
    "Alba",
    "Bruno",
    "Chloe",
    "Diego",
    "Emma",
    "Felix",
    "Gina",
    "Hana",
    "Ivan",
    "Julia",
    "Karim",
    "Lena",
    "Marco",
    "Nina",
]
LAST_NAMES = [
    "Garcia",
    "Smith",
    "Nguyen",
    "Kowalski",
    "Rossi",
    "Müller",
    "Silva",
    "Haddad",
    "Okafor",
    "Tanaka",
    "Dubois",
    "Novak",
    "Jensen",
    "Costa",
    "Ibrahim",
    "Moreau",
    "Fischer",
    "Lopez",
    "Patel",
    "Kim",
    "Santos",
    "Weber",
    "Ruiz",
    "Cohen",
    "Ortiz",
    "Hansen",
    "Mendes",
    "Schmidt",
    "Ward",
    "Diaz",
    "Bauer",
    "Khan",
    "Romero",
    "Vogel",
    "Baker",
]
HISTORIES = ("", "No known allergies.", "Penicillin allergy.", "Hypertension.")
DURATIONS = (10, 15, 15, 15, 20)  # minutes; packed back to back per chair
OPEN, CLOSE = time(7, 0), time(19, 0)  # Monday to Saturday


@dataclass(frozen=True)
class Scale:
    patients: int = 50_000
    appointments: int = 250_000
    dentists: int = 8
    chairs: int = 6
    days_before: int = 545  # of today, so about 18 months of history
    days_after: int = 185  # and six months booked ahead
    small_clinics: int = 500
    small_patients: int = 300

    @classmethod
    def quick(cls) -> Scale:
        return cls(patients=5_000, appointments=20_000, small_clinics=20)

    @classmethod
    def tiny(cls) -> Scale:
        return cls(
            patients=50,
            appointments=400,
            days_before=3,
            days_after=3,
            small_clinics=1,
            small_patients=20,
        )


BIG_SLUG = "bigclinic"
BIG_TZ = "America/New_York"


def small_slug(index: int) -> str:
    return f"small{index:03d}"


# --- COPY plumbing -------------------------------------------------------------


def _columns(model: type[models.Model]) -> list[models.Field]:
    # Generated columns (the patients' search vector) compute themselves.
    return [
        f for f in model._meta.concrete_fields if not getattr(f, "generated", False)
    ]


def _fill(field: models.Field, row: dict[str, Any], now: datetime) -> Any:
    """The value of a column the generator does not set: its model default."""
    if field.attname in row:
        return row[field.attname]
    if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
        return now
    if field.has_default():
        return field.get_default()
    if field.null:
        return None
    if isinstance(field, (models.CharField, models.TextField)):
        return ""
    raise ValueError(f"bench seed has no value for {field.model.__name__}.{field.name}")


def copy_rows(model: type[models.Model], rows: Iterable[dict[str, Any]]) -> int:
    """COPY dict rows into the model's table in the current schema."""
    fields = _columns(model)
    now = timezone.now()
    names = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    table = connection.ops.quote_name(model._meta.db_table)
    count = 0
    with connection.cursor() as cursor:
        raw = cursor.cursor  # the psycopg cursor: Django's wrapper has no copy()
        with raw.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(
                    [
                        f.get_db_prep_value(_fill(f, row, now), connection)
                        if not isinstance(f, models.ForeignKey)
                        else _fill(f, row, now)
                        for f in fields
                    ]
                )
                count += 1
    return count


def _sync_identity(model: type[models.Model]) -> None:
    table = connection.ops.quote_name(model._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT setval(pg_get_serial_sequence(%s, 'id'), max(id)) FROM {table}"  # noqa: S608
            " HAVING max(id) IS NOT NULL",
            [f"{connection.schema_name}.{model._meta.db_table}"],
        )


def _bulk_mode() -> None:
    # Skips the audit triggers (and foreign-key triggers: the generator keeps
    # its references straight) for the rest of this transaction.
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL session_replication_role = replica")


# --- Clinics -------------------------------------------------------------------


def clinic_create_from_template(
    *, slug: str, name: str, time_zone: str, template: str | None = None
) -> Clinic:
    """A clinic row, its domain and its schema cloned from the template."""
    clinic = Clinic(
        schema_name=f"clinic_{slug}",
        name=name,
        slug=slug,
        time_zone=time_zone,
        currency="USD",
    )
    clinic.auto_create_schema = False
    clinic.save()
    Domain.objects.create(
        domain=f"{slug}.{settings.BASE_DOMAIN}", tenant=clinic, is_primary=True
    )
    clone_template_into(clinic.schema_name, template=template)
    return clinic


def _staff(clinic: Clinic, dentists: int) -> dict[str, User]:
    users = {}
    for local, role in (("admin", Role.ADMIN), ("receptionist", Role.RECEPTIONIST)):
        users[local] = user_create(
            actor=COMMAND,
            email=f"{local}@{clinic.slug}.bench",
            password=STAFF_PASSWORD,
            role=role,
        )
    for i in range(dentists):
        users[f"dentist{i + 1}"] = user_create(
            actor=COMMAND,
            email=f"dentist{i + 1}@{clinic.slug}.bench",
            password=STAFF_PASSWORD,
            role=Role.DENTIST,
        )
    return users


def _patients(rng: random.Random, count: int, start_id: int = 1) -> Iterator[dict]:
    for i in range(start_id, start_id + count):
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        yield {
            "id": i,
            "first_name": first,
            "last_name": last,
            "email": f"{first}.{last}.{i}@patients.bench".lower(),
            "phone": f"+1212{rng.randrange(2000000, 9999999)}",
            "date_of_birth": date(1940, 1, 1) + timedelta(days=rng.randrange(30_000)),
            "address": f"{rng.randrange(1, 999)} Main Street",
            "medical_history": rng.choice(HISTORIES),
        }


def _chair_day(
    rng: random.Random, day: date, tz: ZoneInfo
) -> list[tuple[datetime, int]]:
    """Back-to-back appointments on one chair for one day, as (start, minutes)."""
    slots = []
    t = datetime.combine(day, OPEN, tz)
    close = datetime.combine(day, CLOSE, tz)
    while True:
        if rng.random() < 0.04:
            t += timedelta(minutes=15)  # an empty slot
        minutes = rng.choice(DURATIONS)
        if t + timedelta(minutes=minutes) > close:
            return slots
        slots.append((t, minutes))
        t += timedelta(minutes=minutes)


def _appointments(
    rng: random.Random, scale: Scale, tz: ZoneInfo, today: date
) -> tuple[list[dict], int]:
    """Every appointment, respecting both exclusion constraints.

    Chairs are filled back to back; each appointment then takes a dentist who
    is free for its whole span (at most 6 of 8 are ever busy, so one always
    is). Cancelled and no-show visits do not hold their slot, so the total
    beyond what the chairs can hold is made of those, as rebooked slots are.
    """
    chair_ids = range(1, scale.chairs + 1)
    active: list[tuple[datetime, int, int, int]] = []
    first = today - timedelta(days=scale.days_before)
    for offset in range(scale.days_before + scale.days_after):
        day = first + timedelta(days=offset)
        if day.weekday() == 6:
            continue
        day_slots = [
            (start, minutes, chair)
            for chair in chair_ids
            for start, minutes in _chair_day(rng, day, tz)
        ]
        day_slots.sort()
        busy_until = {
            d: datetime.min.replace(tzinfo=UTC) for d in range(scale.dentists)
        }
        for start, minutes, chair in day_slots:
            preferred = (chair + offset) % scale.dentists
            order = [preferred, *(d for d in range(scale.dentists) if d != preferred)]
            dentist = next(d for d in order if busy_until[d] <= start)
            busy_until[dentist] = start + timedelta(minutes=minutes)
            active.append((start, minutes, chair, dentist + 1))
    target_active = int(scale.appointments * 0.72)
    if len(active) > target_active:
        active = rng.sample(active, target_active)
    now = timezone.now()
    rows = []
    for start, minutes, chair, dentist in active:
        if start < now:
            status = "completed"
        else:
            status = "confirmed" if rng.random() < 0.6 else "scheduled"
        rows.append(_appointment(rng, scale, start, minutes, chair, dentist, status))
    while len(rows) < scale.appointments:
        start, minutes, chair, dentist = rng.choice(active)
        status = "cancelled" if start >= now or rng.random() < 0.7 else "no_show"
        rows.append(_appointment(rng, scale, start, minutes, chair, dentist, status))
    rows.sort(key=lambda r: r["starts_at"])
    for i, row in enumerate(rows, start=1):
        row["id"] = i
    return rows, len(active)


def _appointment(  # noqa: PLR0917
    rng, scale, start, minutes, chair, dentist, status
) -> dict:
    return {
        "patient_id": rng.randrange(1, scale.patients + 1),
        "dentist_id": dentist,
        "chair_id": chair,
        "starts_at": start,
        "duration_minutes": minutes,
        "ends_at": start + timedelta(minutes=minutes),
        "status": status,
        "reason": "Check-up",
    }


def _billing(
    rng: random.Random, appointments: list[dict], today: date, tz: ZoneInfo
) -> tuple[list[dict], list[dict], list[dict], dict[int, int]]:
    """One invoice per completed visit, one line each, payments to match."""
    invoices, items, payments = [], [], []
    numbers: dict[int, int] = {}
    for appt in appointments:
        if appt["status"] != "completed":
            continue
        issued = appt["starts_at"].astimezone(tz).date()
        due = issued + timedelta(days=30)
        numbers[issued.year] = numbers.get(issued.year, 0) + 1
        total = Decimal(rng.choice((60, 85, 120, 150, 240, 480))).quantize(
            Decimal("0.01")
        )
        roll = rng.random()
        if roll < 0.85 and due < today + timedelta(days=20):
            status, paid = "paid", total
        elif roll < 0.88:
            status, paid = "partially_paid", (total / 2).quantize(Decimal("0.01"))
        else:
            status, paid = "pending", Decimal("0.00")
        if status != "paid" and due < today:
            status = "overdue"
        invoice_id = len(invoices) + 1
        invoices.append(
            {
                "id": invoice_id,
                "number": f"INV-{issued.year}-{numbers[issued.year]:06d}",
                "patient_id": appt["patient_id"],
                "appointment_id": appt["id"],
                "currency": "USD",
                "total_amount": total,
                "amount_paid": paid,
                "status": status,
                "issue_date": issued,
                "due_date": due,
            }
        )
        items.append(
            {
                "id": invoice_id,
                "invoice_id": invoice_id,
                "description": "Examination and cleaning",
                "procedure_code": "D1110",
                "quantity": 1,
                "unit_price": total,
                "line_total": total,
            }
        )
        if paid:
            payments.append(
                {
                    "id": len(payments) + 1,
                    "invoice_id": invoice_id,
                    "amount": paid,
                    "payment_method": rng.choice(("card", "cash", "bank_transfer")),
                    "status": "completed",
                    "payment_date": appt["ends_at"],
                }
            )
    return invoices, items, payments, numbers


def seed_large_clinic(clinic: Clinic, scale: Scale, *, seed: int = 8) -> dict:
    """Fill `clinic` (already with its schema) with the large data set."""
    rng = random.Random(seed)  # noqa: S311 - reproducible data, not secrets
    tz = ZoneInfo(clinic.time_zone)
    today = timezone.localdate(timezone=tz)
    with schema_context(clinic.schema_name), transaction.atomic():
        users = _staff(clinic, scale.dentists)
        _bulk_mode()
        copy_rows(Patient, _patients(rng, scale.patients))
        copy_rows(
            Dentist,
            (
                {
                    "id": i,
                    "user_id": users[f"dentist{i}"].pk,
                    "first_name": rng.choice(FIRST_NAMES),
                    "last_name": rng.choice(LAST_NAMES),
                    "email": f"dentist{i}@{clinic.slug}.bench",
                    "specialty": "General dentistry",
                }
                for i in range(1, scale.dentists + 1)
            ),
        )
        copy_rows(
            WorkingHours,
            (
                {
                    "id": d * 10 + wd,
                    "dentist_id": d,
                    "weekday": wd,
                    "start_time": OPEN,
                    "end_time": CLOSE,
                }
                for d in range(1, scale.dentists + 1)
                for wd in range(6)
            ),
        )
        copy_rows(
            Chair,
            ({"id": i, "name": f"Chair {i}"} for i in range(1, scale.chairs + 1)),
        )
        appointments, active = _appointments(rng, scale, tz, today)
        copy_rows(Appointment, appointments)
        invoices, items, payments, numbers = _billing(rng, appointments, today, tz)
        copy_rows(Invoice, invoices)
        copy_rows(InvoiceItem, items)
        copy_rows(Payment, payments)
        copy_rows(
            InvoiceCounter,
            (
                {"id": i, "year": year, "last_number": last}
                for i, (year, last) in enumerate(sorted(numbers.items()), start=1)
            ),
        )
        for model in (
            Patient,
            Dentist,
            WorkingHours,
            Chair,
            Appointment,
            Invoice,
            InvoiceItem,
            Payment,
            InvoiceCounter,
        ):
            _sync_identity(model)
    return {
        "patients": scale.patients,
        "appointments": len(appointments),
        "active_appointments": active,
        "invoices": len(invoices),
        "payments": len(payments),
        "overdue_invoices": sum(1 for i in invoices if i["status"] == "overdue"),
    }


def seed_small_clinic(clinic: Clinic, scale: Scale, *, seed: int) -> None:
    """A few hundred patients, two dentists and a week of appointments."""
    rng = random.Random(seed)  # noqa: S311
    tz = ZoneInfo(clinic.time_zone)
    today = timezone.localdate(timezone=tz)
    small = Scale(
        patients=scale.small_patients,
        appointments=60,
        dentists=2,
        chairs=2,
        days_before=3,
        days_after=4,
    )
    with schema_context(clinic.schema_name), transaction.atomic():
        _staff(clinic, 0)
        _bulk_mode()
        copy_rows(Patient, _patients(rng, small.patients))
        copy_rows(
            Dentist,
            (
                {
                    "id": i,
                    "first_name": rng.choice(FIRST_NAMES),
                    "last_name": rng.choice(LAST_NAMES),
                    "email": f"dentist{i}@{clinic.slug}.bench",
                }
                for i in (1, 2)
            ),
        )
        copy_rows(Chair, ({"id": i, "name": f"Chair {i}"} for i in (1, 2)))
        appointments, _active = _appointments(rng, small, tz, today)
        copy_rows(Appointment, appointments)
        for model in (Patient, Dentist, Chair, Appointment):
            _sync_identity(model)


def analyze(schema: str) -> None:
    """VACUUM (ANALYZE) the bulk-loaded tables: planner statistics for every
    one (without them a line-item lookup became a scan of 128k rows), and a
    visibility map so counts can use index-only scans. Autovacuum may be off
    or slow to notice a COPY; a bench must not depend on when it runs."""
    with connection.cursor() as cursor:
        for model in (Patient, Appointment, Invoice, InvoiceItem, Payment):
            table = connection.ops.quote_name(model._meta.db_table)
            cursor.execute(
                f"VACUUM (ANALYZE) {connection.ops.quote_name(schema)}.{table}"
            )
