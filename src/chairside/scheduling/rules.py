"""Scheduling's shared numbers, written once: every schema, form, model
constraint and query of scheduling takes them from here."""

from __future__ import annotations

from datetime import timedelta

# How long one visit may be. ends_at is derived from the duration, so an
# appointment overlapping [t, ...) starts after t - MAX_DURATION: range
# queries use that as the lower bound of an index scan on starts_at.
MIN_DURATION_MINUTES = 5
MAX_DURATION_MINUTES = 480
DEFAULT_DURATION_MINUTES = 30
MAX_DURATION = timedelta(minutes=MAX_DURATION_MINUTES)

# Defaults of a clinic's rules for patients' own bookings (SchedulingSettings).
DEFAULT_CANCELLATION_WINDOW_HOURS = 24
MAX_CANCELLATION_WINDOW_HOURS = 14 * 24
DEFAULT_MAX_ONLINE_DURATION_MINUTES = 120
DEFAULT_MAX_FUTURE_ONLINE_BOOKINGS = 3
MAX_FUTURE_ONLINE_BOOKINGS = 50
