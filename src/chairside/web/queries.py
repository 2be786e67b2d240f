"""Reads shaped for the staff pages (presentation only: which rows a screen
lists, in display order, with what it needs joined in one query)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from itertools import groupby

from chairside.core.clinic_time import clinic_tz
from chairside.scheduling.models import Appointment, Dentist


def day_bounds(day: date) -> tuple[datetime, datetime]:
    zone = clinic_tz()
    start = datetime.combine(day, time.min, tzinfo=zone)
    return start, datetime.combine(day + timedelta(days=1), time.min, tzinfo=zone)


def appointments_of_day_by_dentist(day: date) -> list[tuple[Dentist, list]]:
    """The day's appointments grouped by dentist (one query)."""
    start, end = day_bounds(day)
    appointments = (
        Appointment.objects.filter(starts_at__gte=start, starts_at__lt=end)
        .select_related("patient", "dentist", "chair")
        .order_by(
            "dentist__last_name", "dentist__first_name", "dentist_id", "starts_at"
        )
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
    from chairside.scheduling.models import MAX_DURATION, AppointmentStatus

    return list(
        Appointment.objects.filter(
            starts_at__lt=end, starts_at__gt=start - MAX_DURATION, ends_at__gt=start
        )
        .exclude(status=AppointmentStatus.CANCELLED)
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
