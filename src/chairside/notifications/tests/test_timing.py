"""When reminders are due: whole-day offsets keep the clinic's clock time
across daylight-saving changes; hour offsets are exact durations."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from chairside.notifications.timing import due_offset, reminder_due_at

NY = ZoneInfo("America/New_York")
MADRID = ZoneInfo("Europe/Madrid")


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def test_day_reminder_keeps_clock_time_when_clocks_spring_forward():
    # Sunday 8 March 2026, 10:00 EDT (clocks went 02:00 -> 03:00 that night).
    starts = datetime(2026, 3, 8, 10, 0, tzinfo=NY)
    due = reminder_due_at(starts_at=starts, offset_minutes=1440, tz=NY)
    assert due.astimezone(NY) == datetime(2026, 3, 7, 10, 0, tzinfo=NY)
    assert starts - due == timedelta(hours=23)


def test_day_reminder_keeps_clock_time_when_clocks_fall_back():
    starts = datetime(2026, 10, 25, 10, 0, tzinfo=MADRID)  # CET after CEST
    due = reminder_due_at(starts_at=starts, offset_minutes=1440, tz=MADRID)
    assert due.astimezone(MADRID) == datetime(2026, 10, 24, 10, 0, tzinfo=MADRID)
    assert starts - due == timedelta(hours=25)


def test_hour_reminder_is_an_exact_duration_across_the_change():
    starts = datetime(2026, 3, 8, 3, 30, tzinfo=NY)  # just after the gap
    due = reminder_due_at(starts_at=starts, offset_minutes=120, tz=NY)
    assert starts - due == timedelta(hours=2)
    assert due == utc(2026, 3, 8, 5, 30)


def test_day_before_falls_in_the_gap_resolves_after_it():
    # 02:30 on 9 March exists; 02:30 on 8 March does not (NY).
    starts = datetime(2026, 3, 9, 2, 30, tzinfo=NY)
    due = reminder_due_at(starts_at=starts, offset_minutes=1440, tz=NY)
    assert due == utc(2026, 3, 8, 7, 30)  # 03:30 EDT, the first real moment


@pytest.mark.parametrize(
    ("before_start", "expected"),
    [
        (timedelta(hours=30), None),  # too early
        (timedelta(hours=24), 1440),  # exactly due
        (timedelta(hours=3), 1440),  # booked late: the day reminder still goes
        (timedelta(hours=2), 120),  # the 2 h window supersedes it
        (timedelta(minutes=1), 120),
        (timedelta(0), None),  # started
        (-timedelta(minutes=5), None),
    ],
)
def test_each_offset_owns_a_window(before_start, expected):
    starts = utc(2026, 6, 1, 14, 0)
    assert (
        due_offset(
            starts_at=starts, offsets=[1440, 120], now=starts - before_start, tz=NY
        )
        == expected
    )


def test_no_offsets_means_no_reminders():
    starts = utc(2026, 6, 1, 14, 0)
    assert due_offset(starts_at=starts, offsets=[], now=starts, tz=NY) is None
