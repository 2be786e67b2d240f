"""When a reminder is due — pure functions, no database.

An offset that is a whole number of days keeps the clock time in the clinic's
time zone: the "24 h" reminder for 10:00 on the Sunday clocks change goes out
at 10:00 on Saturday, not at 09:00 or 11:00. Other offsets are exact
durations ("2 h before" is always 120 minutes before).

Each offset owns a window: from its due time until the next smaller offset
becomes due (or the appointment starts). A scan that runs late, or an
appointment booked or moved into a window, still gets that window's reminder
at once; one that is already in a later window gets only the later one.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

DAY_MINUTES = 24 * 60


def reminder_due_at(
    *, starts_at: datetime, offset_minutes: int, tz: ZoneInfo
) -> datetime:
    if offset_minutes % DAY_MINUTES == 0:
        local = starts_at.astimezone(tz)
        wall = local.replace(tzinfo=None) - timedelta(
            days=offset_minutes // DAY_MINUTES
        )
        # A wall time that does not exist (spring forward) resolves with the
        # offset before the change, i.e. to the moment just after the gap.
        return wall.replace(tzinfo=tz).astimezone(UTC)
    # In UTC: aware arithmetic in a local zone would be wall-clock arithmetic.
    return starts_at.astimezone(UTC) - timedelta(minutes=offset_minutes)


def due_offset(
    *, starts_at: datetime, offsets: Iterable[int], now: datetime, tz: ZoneInfo
) -> int | None:
    """The offset whose window `now` falls in, or None (too early / started)."""
    if now >= starts_at:
        return None
    # Largest offset first; the first one already due is the current window
    # unless a smaller offset is due too.
    current = None
    for offset in sorted(set(offsets), reverse=True):
        if reminder_due_at(starts_at=starts_at, offset_minutes=offset, tz=tz) <= now:
            current = offset
    return current
