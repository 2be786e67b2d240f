"""The clinic's online change policy for patients."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.utils import timezone

from chairside.scheduling.models import Appointment, AppointmentStatus

CHANGEABLE = (AppointmentStatus.SCHEDULED, AppointmentStatus.CONFIRMED)


def cancellation_window_hours() -> int:
    from chairside.notifications.selectors import notification_settings_get

    return notification_settings_get().cancellation_window_hours


def can_change_online(
    appointment: Appointment, *, window_hours: int, now: datetime | None = None
) -> bool:
    """A patient may cancel or reschedule online until `window_hours` before
    the visit; after that they call the clinic."""
    now = now or timezone.now()
    return appointment.status in CHANGEABLE and appointment.starts_at - now >= (
        timedelta(hours=window_hours)
    )
