"""Rows the reminder tests need, made straight through the models.

Every name is unique, so the helpers also work for committed rows shared with
a worker process (see test_worker.py).
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal

from chairside.accounts.models import Role, User
from chairside.billing.models import Invoice, InvoiceStatus
from chairside.patients.models import Patient
from chairside.scheduling.models import Appointment, AppointmentStatus, Chair, Dentist


def _tag() -> str:
    return uuid.uuid4().hex[:10]


def make_patient(
    *, language: str = "", phone: str = "", email: str | None = None
) -> Patient:
    tag = _tag()
    user = None
    if language:
        user = User.objects.create_user(
            f"p-{tag}@example.test", "pw", role=Role.PATIENT, language=language
        )
    return Patient.objects.create(
        first_name="Pat",
        last_name=f"Smile{tag}",
        email=email if email is not None else f"pat-{tag}@example.test",
        phone=phone,
        user=user,
    )


def make_appointment(
    *,
    starts_at: datetime,
    patient: Patient | None = None,
    status: str = AppointmentStatus.SCHEDULED,
    duration_minutes: int = 30,
    **patient_kwargs: object,
) -> Appointment:
    tag = _tag()
    dentist = Dentist.objects.create(
        first_name="Dee", last_name=f"Molar{tag}", email=f"d-{tag}@example.test"
    )
    chair = Chair.objects.create(name=f"Chair {tag}")
    return Appointment.objects.create(
        patient=patient or make_patient(**patient_kwargs),
        dentist=dentist,
        chair=chair,
        starts_at=starts_at,
        duration_minutes=duration_minutes,
        status=status,
    )


def make_invoice(
    *,
    due_date: date,
    status: str = InvoiceStatus.PENDING,
    patient: Patient | None = None,
    total: Decimal = Decimal("120.00"),
    paid: Decimal = Decimal("0.00"),
) -> Invoice:
    return Invoice.objects.create(
        number=f"INV-T-{_tag()}",
        patient=patient or make_patient(),
        currency="USD",
        total_amount=total,
        amount_paid=paid,
        status=status,
        issue_date=due_date,
        due_date=due_date,
    )


def delete_appointment_world(appointments: list[Appointment]) -> None:
    """Remove committed rows made by make_appointment (and their reminders)."""
    for appointment in appointments:
        appointment.reminders.all().delete()
        patient, dentist, chair = (
            appointment.patient,
            appointment.dentist,
            appointment.chair,
        )
        appointment.delete()
        if not patient.appointments.exists():
            user = patient.user
            patient.delete()
            if user is not None:
                user.delete()
        dentist.delete()
        chair.delete()
