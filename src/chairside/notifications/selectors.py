"""Reads for reminders: settings, what is due, what staff look at."""

from __future__ import annotations

from datetime import datetime

from django.db import connection
from django.db.models import Q, QuerySet

from chairside.accounts.models import User
from chairside.accounts.policies import ensure, is_staff_member
from chairside.core.actors import no_actor
from chairside.notifications.models import (
    NotificationSettings,
    Reminder,
    ReminderStatus,
)
from chairside.scheduling.models import Appointment, AppointmentStatus
from tenants.models import Clinic

# Only bookings still ahead of the patient are reminded.
REMINDABLE_STATUSES = (AppointmentStatus.SCHEDULED, AppointmentStatus.CONFIRMED)


def current_clinic() -> Clinic:
    """The clinic whose schema this connection is using (task or request)."""
    tenant = getattr(connection, "tenant", None)
    if isinstance(tenant, Clinic):
        return tenant
    return Clinic.objects.get(schema_name=connection.schema_name)


@no_actor(
    "reads the clinic's settings for every part of it; the row it may create "
    "holds only the defaults, which is what a missing row already means"
)
def notification_settings_get() -> NotificationSettings:
    settings_row, _created = NotificationSettings.objects.get_or_create(pk=1)
    return settings_row


def notification_settings_for(*, user: User) -> NotificationSettings:
    """The settings as staff read them (the admin changes them)."""
    ensure(is_staff_member(user))
    return notification_settings_get()


def appointment_list_for_reminders(
    *, after: datetime, until: datetime
) -> QuerySet[Appointment]:
    return (
        Appointment.objects.filter(
            status__in=REMINDABLE_STATUSES, starts_at__gt=after, starts_at__lte=until
        )
        .select_related("patient__user")
        .order_by("starts_at", "id")
    )


def ready_to_send_q(now: datetime) -> Q:
    return Q(status=ReminderStatus.PENDING) | Q(
        status=ReminderStatus.FAILED, next_attempt_at__lte=now
    )


def reminder_ids_ready(*, now: datetime, limit: int = 1000) -> list[int]:
    return list(
        Reminder.objects.filter(ready_to_send_q(now))
        .order_by("due_at", "id")
        .values_list("id", flat=True)[:limit]
    )


def reminder_list(
    *, user: User, status: str | None = None, kind: str | None = None
) -> QuerySet[Reminder]:
    """What was sent and what failed, for staff (it names patients)."""
    ensure(is_staff_member(user))
    reminders = Reminder.objects.select_related(
        "appointment__patient", "invoice__patient"
    )
    if status:
        reminders = reminders.filter(status=status)
    if kind:
        reminders = reminders.filter(kind=kind)
    return reminders.order_by("-due_at", "-id")


def reminder_get(*, reminder_id: int) -> Reminder | None:
    return Reminder.objects.filter(pk=reminder_id).first()


def reminders_failed_count() -> int:
    return Reminder.objects.filter(status=ReminderStatus.FAILED).count()
