"""The clinic's rules for what patients do themselves (SchedulingSettings).

Staff book and change anything the status machine allows; a patient —
signed in to the portal or the API, or the system acting on a reminder's
signed link for them — only books and changes inside these rules:

- no visit longer than the clinic's online maximum;
- no more than the clinic's number of upcoming visits booked online;
- nothing starting inside the cancellation window is booked, and a visit
  inside it is no longer cancelled or moved online (confirming stays open);
- only scheduled or confirmed visits are theirs to change.

Services and the availability selector call these, so every adapter gets
the same answer.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.utils.translation import gettext as _

from chairside.accounts.policies import ensure
from chairside.core.errors import ChairsideError, Conflict
from chairside.scheduling.errors import SchedulingErrorCode
from chairside.scheduling.models import (
    Appointment,
    AppointmentStatus,
    SchedulingSettings,
)
from chairside.scheduling.policies import before_cancellation_window

# The statuses a patient may still change (a checked-in visit is the
# clinic's to handle).
PATIENT_CHANGEABLE = frozenset(
    {AppointmentStatus.SCHEDULED, AppointmentStatus.CONFIRMED}
)
# Upcoming visits that count towards the online cap.
UPCOMING = (AppointmentStatus.SCHEDULED, AppointmentStatus.CONFIRMED)


def earliest_online_start(rules: SchedulingSettings, *, now: datetime) -> datetime:
    """The first instant a patient may book: after the cancellation window,
    so a visit they book is one they can still change."""
    return now + timedelta(hours=rules.cancellation_window_hours)


def check_online_duration(rules: SchedulingSettings, duration_minutes: int) -> None:
    if duration_minutes > rules.max_online_duration_minutes:
        raise ChairsideError(
            _(
                "Visits booked online last at most %(minutes)s minutes. "
                "Please call the clinic for a longer one."
            )
            % {"minutes": rules.max_online_duration_minutes},
            code=SchedulingErrorCode.ONLINE_DURATION_TOO_LONG,
            details={
                "field": "duration_minutes",
                "max": rules.max_online_duration_minutes,
            },
        )


def _window_passed(rules: SchedulingSettings) -> Conflict:
    return Conflict(
        _(
            "Visits can be booked, changed or cancelled online until "
            "%(hours)s hours before they start. Please call the clinic."
        )
        % {"hours": rules.cancellation_window_hours},
        code=SchedulingErrorCode.CANCELLATION_WINDOW,
        details={"window_hours": rules.cancellation_window_hours},
    )


def check_online_start(
    rules: SchedulingSettings, start: datetime, *, now: datetime
) -> None:
    if start < earliest_online_start(rules, now=now):
        raise _window_passed(rules)


def check_online_booking(
    rules: SchedulingSettings,
    *,
    patient_user_id: int,
    start: datetime,
    duration_minutes: int,
    now: datetime,
) -> None:
    """A new booking by the patient (the caller holds the patient's row
    lock, so two concurrent bookings cannot both pass the cap)."""
    check_online_duration(rules, duration_minutes)
    check_online_start(rules, start, now=now)
    upcoming = Appointment.objects.filter(
        patient__user_id=patient_user_id,
        created_by_id=patient_user_id,
        status__in=UPCOMING,
        starts_at__gt=now,
    ).count()
    if upcoming >= rules.max_future_online_bookings:
        raise Conflict(
            _(
                "You already have %(count)s upcoming visits booked online. "
                "Please call the clinic to book more."
            )
            % {"count": upcoming},
            code=SchedulingErrorCode.ONLINE_BOOKING_LIMIT,
            details={"max": rules.max_future_online_bookings},
        )


def check_online_change(
    rules: SchedulingSettings,
    appointment: Appointment,
    *,
    now: datetime,
    confirm_only: bool = False,
) -> None:
    """Any change a patient makes to their visit: cancel, move, status,
    reason. Confirming stays open until the visit (the 2-hour reminder asks
    for it); everything else closes with the cancellation window."""
    ensure(
        appointment.status in PATIENT_CHANGEABLE,
        _("This visit can no longer be changed online. Please call the clinic."),
    )
    if confirm_only:
        return
    if not before_cancellation_window(
        appointment, window_hours=rules.cancellation_window_hours, now=now
    ):
        raise _window_passed(rules)


def can_change_online(
    appointment: Appointment, *, window_hours: int, now: datetime
) -> bool:
    """May the patient still cancel or move `appointment` themselves?"""
    return appointment.status in PATIENT_CHANGEABLE and before_cancellation_window(
        appointment, window_hours=window_hours, now=now
    )
