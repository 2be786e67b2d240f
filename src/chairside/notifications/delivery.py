"""Sending reminders: each once, in batches, with retries of failures.

Planning (which reminders are due) is in planning.py, the clinic's
reminder settings in preferences.py, the signed confirm/cancel links in
link_actions.py.

Exactly once, step by step (docs/notifications.md has the whole argument):
1. `reminders_plan` (planning.py) inserts one Reminder row per (appointment, start time,
   offset, channel) with ON CONFLICT DO NOTHING: two scans, two workers or a
   beat that fires twice all end with the same single row.
2. `reminders_deliver` takes a batch of those rows (FOR UPDATE SKIP LOCKED)
   and their appointments, re-checks that each is still due for the same
   start time, sends each message through one connection, and marks the
   rows in the same transaction. A second worker skips the locked rows; a
   worker killed mid-batch drops its connection, PostgreSQL rolls back and
   releases the locks, and the next scan sends them.
3. A commit lost after the provider accepted messages (worker killed,
   database gone) leaves the rows pending: they are sent again. At least
   once, by choice (a missed reminder costs a no-show); the window is one
   batch, and every message carries a stable Message-ID
   (reminder-<schema>-<id>) so a repeat is recognisable downstream.
"""

from __future__ import annotations

import logging
import time
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.core.mail.backends.base import BaseEmailBackend
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from chairside.accounts.models import User
from chairside.accounts.policies import ensure, is_staff_member
from chairside.core.actors import REMINDERS, SystemActor, ensure_system
from chairside.core.errors import Conflict, NotFound
from chairside.notifications.content import (
    Content,
    appointment_reminder_content,
    invoice_overdue_content,
    patient_language,
)
from chairside.notifications.errors import NotificationsErrorCode as Code
from chairside.notifications.models import (
    Channel,
    NotificationSettings,
    Reminder,
    ReminderKind,
    ReminderStatus,
)
from chairside.notifications.selectors import (
    REMINDABLE_STATUSES,
    current_clinic,
    notification_settings_get,
    ready_to_send_q,
)
from chairside.notifications.sms import SmsMessage, send_sms
from chairside.notifications.timing import due_offset
from chairside.scheduling.models import Appointment
from tenants.models import Clinic

logger = logging.getLogger(__name__)

BACKOFF_BASE_SECONDS = 60
BACKOFF_MAX_SECONDS = 6 * 3600


def retry_delay(attempts: int) -> timedelta:
    """1, 5, 25, 125 … minutes after the n-th failure, capped at 6 h."""
    seconds = BACKOFF_BASE_SECONDS * 5 ** max(attempts - 1, 0)
    return timedelta(seconds=min(seconds, BACKOFF_MAX_SECONDS))


@dataclass(frozen=True)
class _Skip:
    reason: str


def _appointment_check(
    reminder: Reminder,
    appointment: Appointment,
    cfg: NotificationSettings,
    now: datetime,
    tz: ZoneInfo,
) -> _Skip | None:
    if appointment.status not in REMINDABLE_STATUSES:
        return _Skip(f"appointment {appointment.status}")
    if appointment.starts_at != reminder.appointment_starts_at:
        return _Skip("appointment moved")
    current = due_offset(
        starts_at=appointment.starts_at,
        offsets=cfg.reminder_offsets_minutes or [],
        now=now,
        tz=tz,
    )
    if current != reminder.offset_minutes:
        # Started already, or a later reminder is now the one due.
        return _Skip("window passed")
    return None


def _reference(reminder: Reminder, clinic: Clinic) -> str:
    return f"reminder-{clinic.schema_name}-{reminder.pk}"


def _email(reminder: Reminder, content: Content, clinic: Clinic) -> EmailMessage:
    reference = _reference(reminder, clinic)
    return EmailMessage(
        subject=content.subject,
        body=content.text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[reminder.recipient],
        headers={
            # Stable across attempts: a message sent again after a lost
            # commit is recognisable as the same one (see the module doc).
            "Message-ID": f"<{reference}@{settings.BASE_DOMAIN}>",
            "X-Chairside-Reminder": reference,
        },
    )


class _Mailer:
    """One email connection for a whole batch (one SMTP login or HTTP
    session instead of one per message), reopened after a failed send in
    case the failure broke it. If it cannot be opened, the provider is down:
    the batch's other emails fail at once with the same error rather than
    each waiting out EMAIL_TIMEOUT."""

    def __init__(self) -> None:
        self._connection: BaseEmailBackend | None = None
        self._unreachable: Exception | None = None

    def send(self, message: EmailMessage) -> None:
        if self._unreachable is not None:
            raise self._unreachable
        if self._connection is None:
            connection = get_connection(fail_silently=False)
            try:
                connection.open()
            except Exception as exc:
                self._unreachable = exc
                raise
            self._connection = connection
        try:
            self._connection.send_messages([message])
        except Exception:
            self.close()
            raise

    def close(self) -> None:
        if self._connection is not None:
            connection, self._connection = self._connection, None
            try:
                connection.close()
            except Exception:  # closing a broken connection; nothing to keep
                logger.debug("email connection close failed", exc_info=True)


def _lock_subjects(
    reminders: list[Reminder],
) -> tuple[dict[int, Appointment], dict[int, Any]]:
    """Lock the appointments and invoices of a batch, in id order (two
    batches sharing an appointment, e.g. its email and SMS reminders, wait
    for each other rather than deadlock). Held until the batch commits: a
    cancel or move waits for the send, so a message never goes out for a
    time that no longer holds."""
    appointment_ids = sorted(
        {r.appointment_id for r in reminders if r.kind == ReminderKind.APPOINTMENT}
    )
    invoice_ids = sorted(
        {r.invoice_id for r in reminders if r.kind == ReminderKind.INVOICE_OVERDUE}
    )
    appointments: dict[int, Appointment] = {}
    invoices: dict[int, Any] = {}
    if appointment_ids:
        appointments = {
            a.pk: a
            for a in Appointment.objects.select_for_update(no_key=True, of=("self",))
            .select_related("patient__user", "dentist")
            .filter(pk__in=appointment_ids)
            .order_by("id")
        }
    if invoice_ids:
        from chairside.billing.models import Invoice

        invoices = {
            i.pk: i
            for i in Invoice.objects.select_for_update(no_key=True, of=("self",))
            .select_related("patient__user")
            .filter(pk__in=invoice_ids)
            .order_by("id")
        }
    return appointments, invoices


def _prepare(
    reminder: Reminder,
    *,
    appointments: dict[int, Appointment],
    invoices: dict[int, Any],
    cfg: NotificationSettings,
    clinic: Clinic,
    now: datetime,
    tz: ZoneInfo,
) -> _Skip | Content:
    """What to send for one claimed reminder, or why not to send it."""
    if reminder.kind == ReminderKind.APPOINTMENT:
        appointment = appointments[reminder.appointment_id]
        skip = _appointment_check(reminder, appointment, cfg, now, tz)
        if skip is not None:
            return skip
        return appointment_reminder_content(
            appointment=appointment,
            clinic=clinic,
            language=patient_language(appointment.patient, clinic),
        )
    from chairside.billing.models import InvoiceStatus

    invoice = invoices[reminder.invoice_id]
    if invoice.status != InvoiceStatus.OVERDUE:
        return _Skip(f"invoice {invoice.status}")
    if not cfg.overdue_invoice_emails:
        return _Skip("overdue emails turned off")
    return invoice_overdue_content(
        invoice=invoice,
        clinic=clinic,
        language=patient_language(invoice.patient, clinic),
    )


def _mark_skipped(reminder: Reminder, skip: _Skip) -> None:
    if reminder.status == ReminderStatus.FAILED:
        # Keep the failure visible; just stop trying.
        reminder.next_attempt_at = None
    else:
        reminder.status = ReminderStatus.SKIPPED
    reminder.skip_reason = skip.reason


def _mark_sent(reminder: Reminder, now: datetime) -> None:
    reminder.attempts += 1
    reminder.status = ReminderStatus.SENT
    reminder.sent_at = now
    reminder.next_attempt_at = None


def _mark_failed(
    reminder: Reminder, exc: Exception, clinic: Clinic, now: datetime
) -> None:
    reminder.attempts += 1
    logger.warning(
        "reminder %s in %s failed (attempt %s): %s",
        reminder.pk,
        clinic.schema_name,
        reminder.attempts,
        exc,
    )
    reminder.status = ReminderStatus.FAILED
    reminder.last_error = f"{type(exc).__name__}: {exc}"[:2000]
    reminder.next_attempt_at = (
        now + retry_delay(reminder.attempts)
        if reminder.attempts < settings.REMINDER_MAX_ATTEMPTS
        else None
    )


def _deliver_one(
    reminder: Reminder, mailer: _Mailer, *, clinic: Clinic, now: datetime, **context
) -> None:
    """Check, render and send one reminder of a batch, recording the outcome
    on the row. Any error here fails this reminder only: a message the batch
    already sent must not be rolled back and sent again because a later one
    could not be rendered."""
    try:
        prepared = _prepare(reminder, clinic=clinic, now=now, **context)
        if isinstance(prepared, _Skip):
            _mark_skipped(reminder, prepared)
            return
        if reminder.channel == Channel.SMS:
            send_sms(
                SmsMessage(
                    to=reminder.recipient,
                    body=prepared.sms,
                    reference=_reference(reminder, clinic),
                )
            )
        else:
            mailer.send(_email(reminder, prepared, clinic))
    except Exception as exc:  # any provider, network or rendering error
        _mark_failed(reminder, exc, clinic, now)
    else:
        _mark_sent(reminder, now)


_DELIVERY_FIELDS = [
    "status",
    "attempts",
    "last_error",
    "next_attempt_at",
    "sent_at",
    "skip_reason",
    "updated_at",
]


def reminders_deliver(
    *, actor: SystemActor, reminder_ids: Sequence[int], now: datetime | None = None
) -> list[Reminder]:
    """Send a batch of reminders in one transaction; return those this call
    handled (sent, failed or skipped), in id order.

    Reminders already sent, being sent by another worker (their row is
    locked: SKIP LOCKED) or waiting for their next attempt are left out.
    Each message goes out on its own through one shared connection, so a
    refused (or unrenderable) message fails alone; then the rows are marked
    (one UPDATE per outcome) and the batch commits. Past
    REMINDER_BATCH_SECONDS the rest of the batch is left for the next scan.
    Statements do not grow with the batch: lock reminders, lock their
    appointments, settings, UPDATE. Only the reminders' worker (REMINDERS)
    sends.
    """
    ensure_system(actor, REMINDERS)
    now = now or timezone.now()
    clinic = current_clinic()
    tz = ZoneInfo(clinic.time_zone)
    with transaction.atomic():
        reminders = list(
            Reminder.objects.select_for_update(skip_locked=True)
            .filter(ready_to_send_q(now), pk__in=list(reminder_ids))
            .order_by("id")
        )
        if not reminders:
            return []
        appointments, invoices = _lock_subjects(reminders)
        context = {
            "appointments": appointments,
            "invoices": invoices,
            "cfg": notification_settings_get(),
            "clinic": clinic,
            "now": now,
            "tz": tz,
        }
        mailer = _Mailer()
        deadline = time.monotonic() + settings.REMINDER_BATCH_SECONDS
        handled: list[Reminder] = []
        try:
            for reminder in reminders:
                if handled and time.monotonic() > deadline:
                    # A slow provider: commit what went out and leave the
                    # rest pending for the next scan, rather than hold the
                    # appointments' locks (and the sent messages' fate) for
                    # minutes or run into the task's time limit.
                    break
                handled.append(reminder)
                _deliver_one(reminder, mailer, **context)
        finally:
            mailer.close()
        _save_outcomes(handled)
    return handled


def _save_outcomes(reminders: list[Reminder]) -> None:
    """One UPDATE per distinct outcome, usually a single one for the whole
    batch ("sent" at the same instant). bulk_update's CASE per row and
    field cost more CPU than rendering and sending the batch."""
    changed_at = timezone.now()
    groups: dict[tuple, list[int]] = defaultdict(list)
    for reminder in reminders:
        reminder.updated_at = changed_at
        values = tuple(getattr(reminder, name) for name in _DELIVERY_FIELDS)
        groups[values].append(reminder.pk)
    for values, ids in groups.items():
        Reminder.objects.filter(pk__in=ids).update(
            **dict(zip(_DELIVERY_FIELDS, values, strict=True))
        )


def reminder_deliver(
    *, actor: SystemActor, reminder_id: int, now: datetime | None = None
) -> Reminder | None:
    """Send one reminder if it is still due and nobody else has it.

    Returns the reminder as left (sent, failed or skipped), or None when there
    was nothing to do: already sent, being sent by another worker, or waiting
    for its next attempt.
    """
    handled = reminders_deliver(actor=actor, reminder_ids=[reminder_id], now=now)
    return handled[0] if handled else None


@transaction.atomic
def reminder_retry(
    *, actor: User, reminder_id: int, now: datetime | None = None
) -> Reminder:
    """Staff: try a failed reminder again now (one more attempt)."""
    ensure(is_staff_member(actor))
    reminder = Reminder.objects.select_for_update().filter(pk=reminder_id).first()
    if reminder is None:
        raise NotFound(_("No such reminder."))
    if reminder.status != ReminderStatus.FAILED:
        raise Conflict(
            _("Only failed reminders can be retried."), code=Code.REMINDER_NOT_FAILED
        )
    reminder.next_attempt_at = now or timezone.now()
    reminder.skip_reason = ""
    reminder.save(update_fields=["next_attempt_at", "skip_reason", "updated_at"])
    return reminder
