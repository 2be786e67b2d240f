"""Dentists, their hours, chairs (operatories) and appointments.

Double-booking is made impossible by the database itself: exclusion
constraints over (resource, time range) for every active appointment. The
resource id is wrapped as a one-point range so the constraint needs only core
PostgreSQL (no btree_gist).
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.contrib.postgres.constraints import ExclusionConstraint
from django.contrib.postgres.fields import (
    BigIntegerRangeField,
    DateTimeRangeField,
    RangeOperators,
)
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Func, Q, Value
from django.utils.translation import gettext_lazy as _

from chairside.audit.tracking import audited
from chairside.core.models import TimeStampedModel
from chairside.scheduling import rules

# Re-exported for web.queries until it imports scheduling.rules.
MAX_DURATION = rules.MAX_DURATION


class Dentist(TimeStampedModel):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="dentist",
    )
    first_name = models.CharField(max_length=50)
    last_name = models.CharField(max_length=50)
    email = models.EmailField(max_length=100, unique=True)
    specialty = models.CharField(max_length=100, blank=True)
    license_number = models.CharField(max_length=50, unique=True, null=True, blank=True)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["last_name", "first_name", "id"]

    def __str__(self) -> str:
        return f"Dr. {self.first_name} {self.last_name}"


class WorkingHours(models.Model):
    """One shift of a dentist on a weekday; split shifts are two rows."""

    dentist = models.ForeignKey(
        Dentist, on_delete=models.CASCADE, related_name="working_hours"
    )
    weekday = models.PositiveSmallIntegerField(
        validators=[MaxValueValidator(6)], help_text=_("0 = Monday … 6 = Sunday")
    )
    start_time = models.TimeField()
    end_time = models.TimeField()

    class Meta:
        ordering = ["dentist", "weekday", "start_time"]
        constraints = [
            models.CheckConstraint(
                condition=Q(start_time__lt=F("end_time")),
                name="working_hours_start_before_end",
            )
        ]

    def __str__(self) -> str:
        return f"{self.dentist} {self.weekday} {self.start_time}-{self.end_time}"


class DayOff(models.Model):
    dentist = models.ForeignKey(
        Dentist, on_delete=models.CASCADE, related_name="days_off"
    )
    date = models.DateField()
    reason = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["date"]
        constraints = [
            models.UniqueConstraint(fields=["dentist", "date"], name="day_off_unique")
        ]

    def __str__(self) -> str:
        return f"{self.dentist} off on {self.date}"


class Chair(TimeStampedModel):
    name = models.CharField(max_length=50, unique=True)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class AppointmentStatus(models.TextChoices):
    SCHEDULED = "scheduled", _("Scheduled")
    CONFIRMED = "confirmed", _("Confirmed")
    CHECKED_IN = "checked_in", _("Checked in")
    COMPLETED = "completed", _("Completed")
    CANCELLED = "cancelled", _("Cancelled")
    NO_SHOW = "no_show", _("No show")


# Statuses that hold their time slot (and so take part in the no-overlap rule).
ACTIVE_STATUSES = (
    AppointmentStatus.SCHEDULED,
    AppointmentStatus.CONFIRMED,
    AppointmentStatus.CHECKED_IN,
    AppointmentStatus.COMPLETED,
)


class TsTzRange(Func):
    function = "TSTZRANGE"
    output_field = DateTimeRangeField()


class Int8Point(Func):
    """int8range(id, id, '[]'): a resource id as a range, so && compares ids."""

    function = "INT8RANGE"
    output_field = BigIntegerRangeField()

    def __init__(self, field: str) -> None:
        super().__init__(F(field), F(field), Value("[]"))


@audited()
class Appointment(TimeStampedModel):
    patient = models.ForeignKey(
        "patients.Patient", on_delete=models.PROTECT, related_name="appointments"
    )
    dentist = models.ForeignKey(
        Dentist, on_delete=models.PROTECT, related_name="appointments"
    )
    chair = models.ForeignKey(
        Chair, on_delete=models.PROTECT, related_name="appointments"
    )
    starts_at = models.DateTimeField()
    duration_minutes = models.PositiveSmallIntegerField(
        default=rules.DEFAULT_DURATION_MINUTES,
        validators=[
            MinValueValidator(rules.MIN_DURATION_MINUTES),
            MaxValueValidator(rules.MAX_DURATION_MINUTES),
        ],
    )
    # Derived from starts_at + duration_minutes (see save()); stored so the
    # exclusion constraints and range queries can use it.
    ends_at = models.DateTimeField(editable=False)
    status = models.CharField(
        max_length=16,
        choices=AppointmentStatus.choices,
        default=AppointmentStatus.SCHEDULED,
    )
    reason = models.CharField(max_length=200, blank=True)
    notes = models.TextField(blank=True)
    cancellation_reason = models.CharField(max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        ordering = ["starts_at", "id"]
        indexes = [
            models.Index(fields=["dentist", "starts_at"]),
            models.Index(fields=["chair", "starts_at"]),
            models.Index(fields=["patient", "starts_at"]),
            models.Index(fields=["status", "starts_at"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(
                    duration_minutes__gte=rules.MIN_DURATION_MINUTES,
                    duration_minutes__lte=rules.MAX_DURATION_MINUTES,
                ),
                name="appointment_duration_5_to_480",
            ),
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")),
                name="appointment_ends_after_start",
            ),
            ExclusionConstraint(
                name="appointment_no_dentist_overlap",
                expressions=[
                    (Int8Point("dentist_id"), RangeOperators.OVERLAPS),
                    (TsTzRange("starts_at", "ends_at"), RangeOperators.OVERLAPS),
                ],
                condition=Q(status__in=ACTIVE_STATUSES),
            ),
            ExclusionConstraint(
                name="appointment_no_chair_overlap",
                expressions=[
                    (Int8Point("chair_id"), RangeOperators.OVERLAPS),
                    (TsTzRange("starts_at", "ends_at"), RangeOperators.OVERLAPS),
                ],
                condition=Q(status__in=ACTIVE_STATUSES),
            ),
        ]

    def __str__(self) -> str:
        return f"appointment {self.pk} at {self.starts_at:%Y-%m-%d %H:%M}"

    def save(self, *args: object, **kwargs: object) -> None:
        self.ends_at = self.starts_at + timedelta(minutes=self.duration_minutes)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and (
            "starts_at" in update_fields or "duration_minutes" in update_fields
        ):
            kwargs["update_fields"] = {*update_fields, "ends_at"}
        super().save(*args, **kwargs)

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE_STATUSES


class SchedulingSettings(models.Model):
    """One row per clinic schema (pk is always 1): the clinic's rules for
    what patients do themselves — in the portal, through the API or from a
    reminder's link. Staff are not bound by them."""

    # A patient may cancel or move a visit online until this many hours
    # before it starts, and may not book one starting sooner than that.
    cancellation_window_hours = models.PositiveSmallIntegerField(
        default=rules.DEFAULT_CANCELLATION_WINDOW_HOURS,
        validators=[MaxValueValidator(rules.MAX_CANCELLATION_WINDOW_HOURS)],
    )
    # The longest visit a patient may book or ask for online.
    max_online_duration_minutes = models.PositiveSmallIntegerField(
        default=rules.DEFAULT_MAX_ONLINE_DURATION_MINUTES,
        validators=[
            MinValueValidator(rules.MIN_DURATION_MINUTES),
            MaxValueValidator(rules.MAX_DURATION_MINUTES),
        ],
    )
    # How many upcoming visits a patient may hold that they booked online.
    max_future_online_bookings = models.PositiveSmallIntegerField(
        default=rules.DEFAULT_MAX_FUTURE_ONLINE_BOOKINGS,
        validators=[
            MinValueValidator(1),
            MaxValueValidator(rules.MAX_FUTURE_ONLINE_BOOKINGS),
        ],
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "scheduling settings"
        constraints = [
            models.CheckConstraint(
                condition=Q(pk=1), name="scheduling_settings_singleton"
            ),
            models.CheckConstraint(
                condition=Q(
                    max_online_duration_minutes__gte=rules.MIN_DURATION_MINUTES,
                    max_online_duration_minutes__lte=rules.MAX_DURATION_MINUTES,
                ),
                name="scheduling_settings_online_duration_bounds",
            ),
        ]

    def __str__(self) -> str:
        return "scheduling settings"
