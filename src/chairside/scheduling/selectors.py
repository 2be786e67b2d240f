"""Reading the schedule: appointment lists and free slots."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from chairside.accounts.models import Role, User
from chairside.accounts.policies import ensure, has_role, is_patient
from chairside.core.clinic_time import clinic_tz, local_datetime
from chairside.core.errors import ChairsideError, NotFound
from chairside.scheduling import policies
from chairside.scheduling.errors import SchedulingErrorCode
from chairside.scheduling.models import (
    ACTIVE_STATUSES,
    Appointment,
    Chair,
    DayOff,
    Dentist,
    WorkingHours,
)

APPOINTMENT_ORDERINGS = {
    "appointment_date": ("starts_at", "id"),
    "-appointment_date": ("-starts_at", "-id"),
    "created_at": ("created_at", "id"),
    "-created_at": ("-created_at", "-id"),
}
SLOT_STEP = timedelta(minutes=15)
MAX_AVAILABILITY_DAYS = 31


# --- dentists and chairs -----------------------------------------------------


def dentist_list(*, user: User, active: bool | None = True) -> QuerySet[Dentist]:
    ensure(policies.can_view_resources(user))
    dentists = Dentist.objects.prefetch_related(
        Prefetch(
            "working_hours",
            queryset=WorkingHours.objects.order_by("weekday", "start_time"),
        ),
        Prefetch(
            "days_off",
            queryset=DayOff.objects.filter(
                date__gte=timezone.now().date() - timedelta(days=1)
            ),
        ),
    ).order_by("last_name", "first_name", "id")
    if active is not None:
        dentists = dentists.filter(is_active=active)
    return dentists


def dentist_get(*, user: User, dentist_id: int) -> Dentist:
    dentist = dentist_list(user=user, active=None).filter(pk=dentist_id).first()
    if dentist is None:
        raise NotFound(_("No such dentist."))
    return dentist


def chair_list(*, user: User, active: bool | None = True) -> QuerySet[Chair]:
    ensure(policies.can_view_resources(user))
    chairs = Chair.objects.order_by("name", "id")
    if active is not None:
        chairs = chairs.filter(is_active=active)
    return chairs


def chair_get(*, user: User, chair_id: int) -> Chair:
    chair = chair_list(user=user, active=None).filter(pk=chair_id).first()
    if chair is None:
        raise NotFound(_("No such chair."))
    return chair


# --- appointments ------------------------------------------------------------


def appointment_list(
    *,
    user: User,
    starts_from: datetime | None = None,
    starts_before: datetime | None = None,
    dentist_id: int | None = None,
    chair_id: int | None = None,
    patient_id: int | None = None,
    statuses: list[str] | None = None,
    scope: str | None = None,
    ordering: str = "appointment_date",
) -> QuerySet[Appointment]:
    """Patients see their own; dentists their own unless they ask for
    scope=all (or a dentist); the rest of the staff see everything."""
    appointments = Appointment.objects.all()
    if is_patient(user):
        appointments = appointments.filter(patient__user=user)
    elif policies.is_booking_staff(user):
        own_by_default = has_role(user, Role.DENTIST) and dentist_id is None
        if own_by_default and scope != "all":
            appointments = appointments.filter(dentist__user=user)
    else:
        ensure(False)
    if starts_from is not None:
        appointments = appointments.filter(starts_at__gte=starts_from)
    if starts_before is not None:
        appointments = appointments.filter(starts_at__lt=starts_before)
    if dentist_id is not None:
        appointments = appointments.filter(dentist_id=dentist_id)
    if chair_id is not None:
        appointments = appointments.filter(chair_id=chair_id)
    if patient_id is not None:
        appointments = appointments.filter(patient_id=patient_id)
    if statuses:
        appointments = appointments.filter(status__in=statuses)
    return appointments.order_by(*APPOINTMENT_ORDERINGS[ordering])


def appointment_get(
    *, user: User, appointment_id: int, for_update: bool = False
) -> Appointment:
    appointments = Appointment.objects.all()
    if for_update:
        appointments = appointments.select_for_update()
    appointment = appointments.filter(pk=appointment_id).first()
    if appointment is None or not policies.can_view_appointment(user, appointment):
        raise NotFound(_("No such appointment."))
    return appointment


def appointment_conflicts(
    *,
    start: datetime,
    end: datetime,
    dentist_id: int | None = None,
    chair_id: int | None = None,
    exclude_id: int | None = None,
) -> QuerySet[Appointment]:
    """Active appointments overlapping [start, end) on the dentist or chair."""
    resource = Q()
    if dentist_id is not None:
        resource |= Q(dentist_id=dentist_id)
    if chair_id is not None:
        resource |= Q(chair_id=chair_id)
    conflicts = Appointment.objects.filter(
        resource, status__in=ACTIVE_STATUSES, starts_at__lt=end, ends_at__gt=start
    )
    if exclude_id is not None:
        conflicts = conflicts.exclude(pk=exclude_id)
    return conflicts.order_by("starts_at", "id")


# --- availability ------------------------------------------------------------


@dataclass(frozen=True)
class Slot:
    dentist_id: int
    chair_id: int
    start: datetime
    end: datetime


def _overlaps(
    busy: list[tuple[datetime, datetime]], start: datetime, end: datetime
) -> bool:
    return any(b_start < end and start < b_end for b_start, b_end in busy)


def availability(
    *,
    user: User,
    start: datetime,
    end: datetime,
    duration_minutes: int,
    dentist_id: int | None = None,
) -> list[Slot]:
    """Free slots of `duration_minutes`, every 15 minutes inside each
    dentist's shifts (wall-clock times in the clinic's zone, so DST days
    keep their opening hours), minus days off, minus time already booked
    for the dentist, and only where some active chair is free. Each slot
    names the first free chair."""
    ensure(policies.can_view_resources(user))
    if end <= start:
        return []
    if end - start > timedelta(days=MAX_AVAILABILITY_DAYS):
        raise ChairsideError(
            _("Ask for at most %(days)d days at a time.")
            % {"days": MAX_AVAILABILITY_DAYS},
            code=SchedulingErrorCode.RANGE_TOO_LONG,
        )
    tz = clinic_tz()
    duration = timedelta(minutes=duration_minutes)
    earliest = max(start, timezone.now())

    dentists = Dentist.objects.filter(is_active=True).order_by(
        "last_name", "first_name", "id"
    )
    if dentist_id is not None:
        dentists = dentists.filter(pk=dentist_id)
    dentists = list(dentists)
    ids = [d.pk for d in dentists]
    shifts: dict[tuple[int, int], list[WorkingHours]] = defaultdict(list)
    for shift in WorkingHours.objects.filter(dentist_id__in=ids).order_by("start_time"):
        shifts[(shift.dentist_id, shift.weekday)].append(shift)
    first_day = start.astimezone(tz).date()
    last_day = end.astimezone(tz).date()
    days_off = set(
        DayOff.objects.filter(
            dentist_id__in=ids, date__range=(first_day, last_day)
        ).values_list("dentist_id", "date")
    )
    chairs = list(
        Chair.objects.filter(is_active=True)
        .order_by("name", "id")
        .values_list("pk", flat=True)
    )
    dentist_busy: dict[int, list] = defaultdict(list)
    chair_busy: dict[int, list] = defaultdict(list)
    for appt in Appointment.objects.filter(
        status__in=ACTIVE_STATUSES, starts_at__lt=end, ends_at__gt=start
    ).values("dentist_id", "chair_id", "starts_at", "ends_at"):
        span = (appt["starts_at"], appt["ends_at"])
        dentist_busy[appt["dentist_id"]].append(span)
        chair_busy[appt["chair_id"]].append(span)

    slots: list[Slot] = []
    day = first_day
    while day <= last_day:
        for dentist in dentists:
            if (dentist.pk, day) in days_off:
                continue
            for shift in shifts.get((dentist.pk, day.weekday()), []):
                t = local_datetime(day, shift.start_time, tz)
                shift_end = local_datetime(day, shift.end_time, tz)
                while t + duration <= shift_end:
                    slot_end = t + duration
                    if (
                        t >= earliest
                        and slot_end <= end
                        and not _overlaps(dentist_busy[dentist.pk], t, slot_end)
                    ):
                        chair = next(
                            (
                                c
                                for c in chairs
                                if not _overlaps(chair_busy[c], t, slot_end)
                            ),
                            None,
                        )
                        if chair is not None:
                            slots.append(Slot(dentist.pk, chair, t, slot_end))
                    t += SLOT_STEP
        day += timedelta(days=1)
    slots.sort(key=lambda s: (s.start, s.dentist_id))
    return slots


def as_clinic_datetime(value: datetime | date, *, end_of_day: bool = False) -> datetime:
    """A datetime from the API: naive ones and plain dates are clinic time."""
    tz = clinic_tz()
    if isinstance(value, datetime):
        if timezone.is_naive(value):
            return local_datetime(value.date(), value.time(), tz)
        return value
    if end_of_day:
        value = value + timedelta(days=1)
    return local_datetime(value, datetime.min.time(), tz)
