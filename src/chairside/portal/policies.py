"""The clinic's online change policy for patients, as the portal shows it.

The rules themselves live in scheduling (scheduling.online, enforced by its
services for every adapter); these read them for the pages, which use them
only to decide what to offer.
"""

from __future__ import annotations

from datetime import datetime

from django.utils import timezone

from chairside.scheduling import online
from chairside.scheduling.models import Appointment


def can_change_online(
    appointment: Appointment, *, window_hours: int, now: datetime | None = None
) -> bool:
    """A patient may cancel or reschedule online until `window_hours` before
    the visit; after that they call the clinic."""
    return online.can_change_online(
        appointment, window_hours=window_hours, now=now or timezone.now()
    )
