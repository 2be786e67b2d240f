"""Who may do what with dentists, chairs and appointments."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.utils import timezone

from chairside.accounts.models import Role, User
from chairside.accounts.policies import has_role, is_clinic_admin, is_patient
from chairside.scheduling.models import Appointment, AppointmentStatus

# Who may book for any patient: the front desk, admins and dentists (who
# book follow-ups from the chair).
BOOKING_STAFF = (Role.ADMIN, Role.RECEPTIONIST, Role.DENTIST)
# What a patient may do to their own appointment's status.
PATIENT_STATUSES = frozenset({AppointmentStatus.CONFIRMED, AppointmentStatus.CANCELLED})


def can_manage_resources(user: User) -> bool:
    """Create/change dentists, their hours and chairs."""
    return is_clinic_admin(user)


def can_view_resources(user: User) -> bool:
    """Everyone signed in to the clinic; patients need them to book."""
    return user.is_authenticated and user.is_active and bool(user.role)


def is_booking_staff(user: User) -> bool:
    return has_role(user, *BOOKING_STAFF)


def owns_appointment(user: User, appointment: Appointment) -> bool:
    patient = getattr(user, "patient", None) if is_patient(user) else None
    return patient is not None and appointment.patient_id == patient.pk


def can_view_appointment(user: User, appointment: Appointment) -> bool:
    return is_booking_staff(user) or owns_appointment(user, appointment)


def can_edit_appointment(user: User, appointment: Appointment) -> bool:
    return is_booking_staff(user) or owns_appointment(user, appointment)


def can_set_status(user: User, status: str) -> bool:
    return is_booking_staff(user) or (is_patient(user) and status in PATIENT_STATUSES)


def sees_staff_fields(user: User) -> bool:
    """The clinic's own fields of an appointment (notes, who booked) are for
    the staff who book; a patient sees their visit without them."""
    return is_booking_staff(user)


def can_write_notes(user: User) -> bool:
    """Notes are the clinic's; patients give a reason instead."""
    return is_booking_staff(user)


def before_cancellation_window(
    appointment: Appointment, *, window_hours: int, now: datetime | None = None
) -> bool:
    """The clinic's cancellation window (NotificationSettings.
    cancellation_window_hours): a patient may cancel or move an appointment
    online — in the portal or from a reminder's link — until `window_hours`
    before it starts (that instant included); later, they call the clinic.
    Time only: whether the status allows the change is the state machine's
    question (services.TRANSITIONS)."""
    now = now or timezone.now()
    return now <= appointment.starts_at - timedelta(hours=window_hours)
