"""The clinic's online change policy for patients."""

from __future__ import annotations

from datetime import datetime

from chairside.scheduling.models import Appointment, AppointmentStatus
from chairside.scheduling.policies import before_cancellation_window

CHANGEABLE = (AppointmentStatus.SCHEDULED, AppointmentStatus.CONFIRMED)


def cancellation_window_hours() -> int:
    from chairside.notifications.selectors import notification_settings_get

    return notification_settings_get().cancellation_window_hours


def can_change_online(
    appointment: Appointment, *, window_hours: int, now: datetime | None = None
) -> bool:
    """A patient may cancel or reschedule online until `window_hours` before
    the visit; after that they call the clinic."""
    return appointment.status in CHANGEABLE and before_cancellation_window(
        appointment, window_hours=window_hours, now=now
    )
