"""Small helpers that put rows in the current clinic schema for page tests."""

from __future__ import annotations

import itertools
import uuid
from datetime import UTC, datetime, time, timedelta
from decimal import Decimal

from chairside.billing.models import Invoice, InvoiceItem
from chairside.core.clinic_time import clinic_today, clinic_tz
from chairside.patients.models import Patient
from chairside.scheduling.models import Appointment, Chair, Dentist

_seq = itertools.count(1)


def patient_make(**fields) -> Patient:
    n = next(_seq)
    tag = uuid.uuid4().hex[:8]
    defaults = {
        "first_name": "Pat",
        "last_name": f"Molar{n}",
        "email": f"p{tag}@x.test",
    }
    return Patient.objects.create(**(defaults | fields))


def dentist_make(**fields) -> Dentist:
    n = next(_seq)
    tag = uuid.uuid4().hex[:8]
    defaults = {
        "first_name": "Dana",
        "last_name": f"Crown{n}",
        "email": f"d{tag}@x.test",
    }
    return Dentist.objects.create(**(defaults | fields))


def chair_make(**fields) -> Chair:
    return Chair.objects.create(
        **({"name": f"Test chair {uuid.uuid4().hex[:8]}"} | fields)
    )


def appointment_make(
    *, hour_utc: int = 14, minute: int = 0, day=None, **fields
) -> Appointment:
    day = day or clinic_today()
    starts = datetime.combine(day, time(hour_utc, minute), tzinfo=UTC)
    defaults = {
        "patient": fields.pop("patient", None) or patient_make(),
        "dentist": fields.pop("dentist", None) or dentist_make(),
        "chair": fields.pop("chair", None) or chair_make(),
        "starts_at": starts,
        "duration_minutes": 30,
    }
    return Appointment.objects.create(**(defaults | fields))


def invoice_make(*, patient=None, total: str = "80.00", **fields) -> Invoice:
    n = next(_seq)
    today = clinic_today()
    invoice = Invoice.objects.create(
        number=f"TEST-{n:06d}-{uuid.uuid4().hex[:6]}",
        patient=patient or patient_make(),
        currency="USD",
        total_amount=Decimal(total),
        issue_date=today,
        due_date=today + timedelta(days=30),
        **fields,
    )
    InvoiceItem.objects.create(
        invoice=invoice,
        description="Cleaning",
        quantity=1,
        unit_price=Decimal(total),
        line_total=Decimal(total),
    )
    return invoice


def open_dentist_make(**fields) -> Dentist:
    """A dentist who works 08:00-18:00 every day of the week."""
    from chairside.scheduling.models import WorkingHours

    dentist = dentist_make(**fields)
    WorkingHours.objects.bulk_create(
        WorkingHours(
            dentist=dentist, weekday=day, start_time=time(8), end_time=time(18)
        )
        for day in range(7)
    )
    return dentist


def clinic_local(day_offset: int, hour: int, minute: int = 0) -> datetime:
    """A clinic-local wall-clock time `day_offset` days from today."""
    day = clinic_today() + timedelta(days=day_offset)
    return datetime.combine(day, time(hour, minute), tzinfo=clinic_tz())
