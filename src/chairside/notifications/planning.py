"""Planning reminders: one row per reminder due, however often the scan runs.

`reminders_plan` inserts one Reminder row per (appointment, start time,
offset, channel) with ON CONFLICT DO NOTHING: two scans, two workers or a
beat that fires twice all end with the same single row. Sending them is
delivery.py's (docs/notifications.md has the whole argument).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.db import transaction
from django.utils import timezone

from chairside.billing.overdue import OverdueRun, invoices_mark_overdue
from chairside.core.actors import REMINDERS, SystemActor, ensure_system
from chairside.notifications.models import (
    Channel,
    NotificationSettings,
    Reminder,
    ReminderKind,
)
from chairside.notifications.selectors import (
    appointment_list_for_reminders,
    current_clinic,
    notification_settings_get,
    reminder_ids_ready,
)
from chairside.notifications.timing import due_offset, reminder_due_at
from chairside.scheduling.models import Appointment


def _appointment_channels(cfg: NotificationSettings, appointment: Appointment):
    patient = appointment.patient
    if cfg.email_reminders and patient.email:
        yield Channel.EMAIL, patient.email
    if cfg.sms_reminders and patient.phone:
        yield Channel.SMS, str(patient.phone)


def appointment_reminder_key(
    *, appointment: Appointment, offset_minutes: int, channel: str
) -> str:
    return (
        f"appointment:{appointment.pk}:{int(appointment.starts_at.timestamp())}"
        f":{offset_minutes}:{channel}"
    )


def reminders_plan(*, actor: SystemActor, now: datetime | None = None) -> list[int]:
    """Claim a row for every reminder due now in this clinic; return the ids of
    all reminders ready to send (new ones and earlier ones still waiting).
    Run by the reminders' scan (REMINDERS)."""
    ensure_system(actor, REMINDERS)
    now = now or timezone.now()
    clinic = current_clinic()
    tz = ZoneInfo(clinic.time_zone)
    cfg = notification_settings_get()
    offsets = cfg.reminder_offsets_minutes or []
    if offsets:
        # One extra day covers whole-day offsets that keep the clock time
        # across a daylight-saving change.
        horizon = now + timedelta(minutes=max(offsets)) + timedelta(days=1)
        rows = []
        for appointment in appointment_list_for_reminders(after=now, until=horizon):
            offset = due_offset(
                starts_at=appointment.starts_at, offsets=offsets, now=now, tz=tz
            )
            if offset is None:
                continue
            due_at = reminder_due_at(
                starts_at=appointment.starts_at, offset_minutes=offset, tz=tz
            )
            for channel, recipient in _appointment_channels(cfg, appointment):
                rows.append(
                    Reminder(
                        key=appointment_reminder_key(
                            appointment=appointment,
                            offset_minutes=offset,
                            channel=channel,
                        ),
                        kind=ReminderKind.APPOINTMENT,
                        channel=channel,
                        appointment=appointment,
                        appointment_starts_at=appointment.starts_at,
                        offset_minutes=offset,
                        due_at=due_at,
                        recipient=recipient,
                    )
                )
        Reminder.objects.bulk_create(rows, ignore_conflicts=True)
    return reminder_ids_ready(now=now)


@dataclass(frozen=True)
class OverdueNotices:
    run: OverdueRun
    notices_created: int


@transaction.atomic
def invoices_overdue_plan(
    *, actor: SystemActor, now: datetime | None = None
) -> OverdueNotices:
    """The hourly overdue run: billing marks the invoices overdue (and checks
    the actor), then, with overdue emails on, each gets one email notice,
    claimed like a reminder (at most one per due date), in one transaction."""
    now = now or timezone.now()
    run = invoices_mark_overdue(actor=actor, now=now)
    notices = 0
    if run.invoices and notification_settings_get().overdue_invoice_emails:
        notices = _invoice_overdue_reminders_create(invoices=run.invoices, now=now)
    return OverdueNotices(run=run, notices_created=notices)


def _invoice_overdue_reminders_create(*, invoices: list, now: datetime) -> int:
    """One overdue notice per invoice and due date, however often this runs."""
    rows = [
        Reminder(
            key=f"invoice-overdue:{invoice.pk}:{invoice.due_date.isoformat()}:email",
            kind=ReminderKind.INVOICE_OVERDUE,
            channel=Channel.EMAIL,
            invoice=invoice,
            due_at=now,
            recipient=invoice.patient.email,
        )
        for invoice in invoices
        if invoice.patient.email
    ]
    created = Reminder.objects.bulk_create(rows, ignore_conflicts=True)
    return len(created)
