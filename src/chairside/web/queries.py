"""Reads shaped for the staff pages (presentation only: which rows a screen
lists, in display order, with what it needs joined in one query)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, time, timedelta
from itertools import groupby

from chairside.core.clinic_time import clinic_tz
from chairside.scheduling.models import (
    MAX_DURATION,
    Appointment,
    AppointmentStatus,
    Dentist,
)
from chairside.scheduling.transitions import TRANSITIONS

S = AppointmentStatus
# The calendar's hours when no dentist has any working hours yet.
DEFAULT_HOURS = (7, 21)


def day_bounds(day: date) -> tuple[datetime, datetime]:
    zone = clinic_tz()
    start = datetime.combine(day, time.min, tzinfo=zone)
    return start, datetime.combine(day + timedelta(days=1), time.min, tzinfo=zone)


def appointments_of_day_by_dentist(
    day: date, *, now: datetime
) -> list[tuple[Dentist, list]]:
    """The day's appointments grouped by dentist (one query), each with the
    `actions` its row offers now."""
    start, end = day_bounds(day)
    appointments = list(
        Appointment.objects.filter(starts_at__gte=start, starts_at__lt=end)
        .select_related("patient", "dentist", "chair")
        .order_by(
            "dentist__last_name", "dentist__first_name", "dentist_id", "starts_at"
        )
    )
    for appointment in appointments:
        appointment.actions = appointment_actions(appointment, now=now)
    return [
        (dentist, list(items))
        for dentist, items in groupby(appointments, key=lambda a: a.dentist)
    ]


def calendar_resources(by: str, dentists, chairs) -> list[dict]:
    """FullCalendar resources: the dentists (with their weekly hours shaded as
    business hours) or the chairs. Takes the lists the page already loaded
    for its booking dialog, so the columns cost no query of their own."""
    if by == "chair":
        return [{"id": str(c.pk), "title": c.name} for c in chairs]
    return [
        {
            "id": str(d.pk),
            "title": str(d),
            # FullCalendar counts days from Sunday = 0; we from Monday = 0.
            "businessHours": [
                {
                    "daysOfWeek": [(h.weekday + 1) % 7],
                    "startTime": h.start_time.strftime("%H:%M"),
                    "endTime": h.end_time.strftime("%H:%M"),
                }
                for h in d.working_hours.all()
            ]
            or {"daysOfWeek": []},
        }
        for d in dentists
    ]


def calendar_event_rows(start: datetime, end: datetime) -> list[dict]:
    """Appointments overlapping [start, end), not cancelled, as plain rows:
    what an event shows and no more (a busy clinic-week is ~1,700 visits;
    model instances, let alone whole patient rows with their encrypted
    history, cost more than the page). The lower bound on starts_at (no
    visit is longer than MAX_DURATION) keeps the scan an index range."""
    return list(
        Appointment.objects.filter(
            starts_at__lt=end, starts_at__gt=start - MAX_DURATION, ends_at__gt=start
        )
        .exclude(status=S.CANCELLED)
        .order_by("starts_at")
        .values(
            "id",
            "status",
            "reason",
            "starts_at",
            "ends_at",
            "patient_id",
            "dentist_id",
            "chair_id",
            "patient__first_name",
            "patient__last_name",
        )
    )


def calendar_days(start: datetime, end: datetime) -> tuple[datetime, datetime]:
    """[start, end) widened to whole clinic days: the feed answers for the
    days on screen, so the hours it reports cover every visit of them."""
    first = start.astimezone(clinic_tz()).date()
    last = (end - timedelta(microseconds=1)).astimezone(clinic_tz()).date()
    return day_bounds(first)[0], day_bounds(last)[1]


def calendar_hours(
    rows: list[dict], shifts: Iterable[tuple[time, time]]
) -> dict[str, str]:
    """FullCalendar's slotMinTime/slotMaxTime: the clinic's working hours
    (the earliest start and latest end of the active dentists' `shifts`),
    widened to whole hours around every appointment in `rows`, so none is
    off screen (a visit at 03:00 makes the day start at 03:00)."""
    shifts = list(shifts)
    if not shifts:
        low, high = DEFAULT_HOURS
    else:
        first, last = min(s for s, _e in shifts), max(e for _s, e in shifts)
        low, high = first.hour, last.hour + bool(last.minute)
    zone = clinic_tz()
    for row in rows:
        start, end = row["starts_at"].astimezone(zone), row["ends_at"].astimezone(zone)
        # A visit running over midnight fills its day to the end, and the
        # next one from its start.
        low = min(low, 0 if end.date() > start.date() else start.hour)
        end_hour = 24 if end.date() > start.date() else end.hour + bool(end.minute)
        high = max(high, end_hour)
    return {"slotMinTime": f"{low:02d}:00:00", "slotMaxTime": f"{high:02d}:00:00"}


def appointment_actions(appointment: Appointment, *, now: datetime) -> list[str]:
    """The statuses staff may move `appointment` to now, which are the
    buttons its dialog and dashboard row offer. The one place pages ask:
    swap the body for scheduling's own selector (transitions.
    statuses_allowed) when it lands, so the buttons follow the service.
    Reads only status, starts_at and ends_at (an unsaved row will do)."""
    status, starts_at = appointment.status, appointment.starts_at
    zone = clinic_tz()
    started = now >= starts_at
    allowed = set(TRANSITIONS[status])
    if now.astimezone(zone).date() != starts_at.astimezone(zone).date():
        allowed.discard(S.CHECKED_IN)
    if not started:
        allowed -= {S.COMPLETED, S.NO_SHOW}
    if status != S.CHECKED_IN and now >= appointment.ends_at:
        allowed.discard(S.CONFIRMED)
    return sorted(allowed)
