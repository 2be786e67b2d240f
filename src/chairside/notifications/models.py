"""Reminders a clinic sends, and the clinic's reminder settings.

A Reminder row is the claim that makes a message go out at most once: its
`key` is unique (appointment, start time, offset, channel — or invoice, due
date, channel), rows are inserted with ON CONFLICT DO NOTHING before anything
is sent, and a sender holds the row's lock while it sends (see services).
"""

from __future__ import annotations

from django.contrib.postgres.fields import ArrayField
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from chairside.core.models import TimeStampedModel

DEFAULT_REMINDER_OFFSETS = [24 * 60, 2 * 60]  # minutes before the appointment


def default_offsets() -> list[int]:
    return list(DEFAULT_REMINDER_OFFSETS)


class NotificationSettings(models.Model):
    """One row per clinic schema (pk is always 1)."""

    reminder_offsets_minutes = ArrayField(
        models.PositiveIntegerField(
            validators=[MinValueValidator(5), MaxValueValidator(14 * 24 * 60)]
        ),
        default=default_offsets,
        size=5,
        help_text=_("Minutes before the appointment; whole days keep the clock time."),
    )
    email_reminders = models.BooleanField(default=True)
    sms_reminders = models.BooleanField(default=True)
    overdue_invoice_emails = models.BooleanField(default=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "notification settings"
        constraints = [
            models.CheckConstraint(
                condition=Q(pk=1), name="notification_settings_singleton"
            )
        ]

    def __str__(self) -> str:
        return "notification settings"


class ReminderKind(models.TextChoices):
    APPOINTMENT = "appointment", _("Appointment reminder")
    INVOICE_OVERDUE = "invoice_overdue", _("Overdue invoice")


class Channel(models.TextChoices):
    EMAIL = "email", _("Email")
    SMS = "sms", _("SMS")


class ReminderStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    SENT = "sent", _("Sent")
    # Failed at least once: `next_attempt_at` says when it is tried again;
    # empty once the attempts are used up.
    FAILED = "failed", _("Failed")
    # Not sent on purpose: the appointment was cancelled or moved, etc.
    SKIPPED = "skipped", _("Skipped")


class Reminder(TimeStampedModel):
    key = models.CharField(max_length=200, unique=True)
    kind = models.CharField(max_length=20, choices=ReminderKind.choices)
    channel = models.CharField(max_length=10, choices=Channel.choices)
    status = models.CharField(
        max_length=10, choices=ReminderStatus.choices, default=ReminderStatus.PENDING
    )
    appointment = models.ForeignKey(
        "scheduling.Appointment",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="reminders",
    )
    # The appointment's start when the reminder was planned: if it moves,
    # this reminder is skipped and the new time gets reminders of its own.
    appointment_starts_at = models.DateTimeField(null=True, blank=True)
    offset_minutes = models.PositiveIntegerField(null=True, blank=True)
    invoice = models.ForeignKey(
        "billing.Invoice",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="reminders",
    )
    due_at = models.DateTimeField()
    recipient = models.CharField(max_length=254, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    skip_reason = models.CharField(max_length=100, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-due_at", "-id"]
        indexes = [
            models.Index(fields=["status", "next_attempt_at"]),
            models.Index(fields=["appointment", "appointment_starts_at"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(kind=ReminderKind.APPOINTMENT, appointment__isnull=False)
                    | Q(kind=ReminderKind.INVOICE_OVERDUE, invoice__isnull=False)
                ),
                name="reminder_has_its_subject",
            )
        ]

    def __str__(self) -> str:
        return self.key
