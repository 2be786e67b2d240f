from __future__ import annotations

from datetime import datetime
from typing import Literal

from ninja import Field, Schema

from chairside.core.types import Int32


class ReminderOut(Schema):
    id: int
    kind: str
    channel: str
    status: str
    appointment_id: int | None
    appointment_starts_at: datetime | None
    offset_minutes: int | None
    invoice_id: int | None
    patient_id: int | None
    patient_name: str
    recipient: str
    due_at: datetime
    attempts: int
    last_error: str
    next_attempt_at: datetime | None = Field(
        description="When a failed reminder is tried again; null once it gave up."
    )
    skip_reason: str
    sent_at: datetime | None

    @staticmethod
    def _patient(obj):
        subject = obj.appointment if obj.appointment_id else obj.invoice
        return subject.patient if subject is not None else None

    @staticmethod
    def resolve_patient_id(obj) -> int | None:
        patient = ReminderOut._patient(obj)
        return patient.pk if patient else None

    @staticmethod
    def resolve_patient_name(obj) -> str:
        patient = ReminderOut._patient(obj)
        return patient.full_name if patient else ""


class ReminderFilter(Schema):
    status: Literal["pending", "sent", "failed", "skipped"] | None = Field(
        None, description="e.g. failed"
    )
    kind: Literal["appointment", "invoice_overdue"] | None = None


class NotificationSettingsOut(Schema):
    reminder_offsets_minutes: list[int]
    email_reminders: bool
    sms_reminders: bool
    overdue_invoice_emails: bool


class NotificationSettingsIn(Schema):
    # The range (5 minutes to 14 days) is the service's rule, with its message.
    reminder_offsets_minutes: list[Int32] | None = Field(
        None,
        min_length=1,
        max_length=5,
        description="Minutes before the appointment, e.g. [1440, 120]",
    )
    email_reminders: bool | None = None
    sms_reminders: bool | None = None
    overdue_invoice_emails: bool | None = None
