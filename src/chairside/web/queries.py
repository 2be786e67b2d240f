"""Reads shaped for the staff pages (presentation only: which rows a screen
lists, in display order, with what it needs joined in one query)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, time, timedelta
from itertools import groupby

from chairside.accounts.models import User
from chairside.core.clinic_time import as_clinic_time, clinic_tz
from chairside.dental.models import ConditionType
from chairside.scheduling.models import Appointment, AppointmentStatus, Dentist
from chairside.scheduling.rules import MAX_DURATION
from chairside.scheduling.selectors import appointment_allowed_actions

S = AppointmentStatus
# The calendar's hours when no dentist has any working hours yet.
DEFAULT_HOURS = (7, 21)


def day_bounds(day: date) -> tuple[datetime, datetime]:
    return as_clinic_time(day), as_clinic_time(day, end_of_day=True)


def appointments_of_day_by_dentist(
    day: date, *, actor: User, now: datetime
) -> list[tuple[Dentist, list]]:
    """The day's appointments grouped by dentist (one query), each with the
    `actions` its row offers `actor` now."""
    start, end = day_bounds(day)
    appointments = list(
        Appointment.objects.filter(starts_at__gte=start, starts_at__lt=end)
        .select_related("patient", "dentist", "chair")
        .order_by(
            "dentist__last_name", "dentist__first_name", "dentist_id", "starts_at"
        )
    )
    for appointment in appointments:
        appointment.actions = appointment_allowed_actions(
            actor=actor, appointment=appointment, now=now
        )
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


def condition_types_active() -> list:
    """The conditions a chart offers, by name (one query)."""
    return list(ConditionType.objects.filter(is_active=True).order_by("name"))


def dentists_by_id(ids: Iterable[int | None]) -> dict[int, Dentist]:
    """The dentists of a list's rows, in one query (none for no ids)."""
    wanted = {i for i in ids if i is not None}
    return Dentist.objects.in_bulk(wanted) if wanted else {}
