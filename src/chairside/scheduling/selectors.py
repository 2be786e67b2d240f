"""Reading the schedule: appointment lists and free slots."""

from __future__ import annotations

from bisect import bisect_right
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta

from django.db import connection
from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from chairside.accounts.models import Role, User
from chairside.accounts.policies import ensure, has_role, is_patient
from chairside.core.actors import no_actor
from chairside.core.clinic_time import clinic_tz, local_datetime
from chairside.core.errors import ChairsideError, NotFound
from chairside.scheduling import online, policies, transitions
from chairside.scheduling.errors import SchedulingErrorCode
from chairside.scheduling.models import (
    ACTIVE_STATUSES,
    Appointment,
    Chair,
    DayOff,
    Dentist,
    SchedulingSettings,
    WorkingHours,
)
from chairside.scheduling.rules import MAX_DURATION

APPOINTMENT_ORDERINGS = {
    "appointment_date": ("starts_at", "id"),
    "-appointment_date": ("-starts_at", "-id"),
    "created_at": ("created_at", "id"),
    "-created_at": ("-created_at", "-id"),
}
SLOT_STEP = timedelta(minutes=15)
MAX_AVAILABILITY_DAYS = 31


# --- clinic settings ---------------------------------------------------------


@no_actor(
    "the clinic's own rules, read by services and selectors that checked "
    "their actor already; it writes only the defaults row, on first use"
)
def scheduling_settings_get(*, for_update: bool = False) -> SchedulingSettings:
    """The clinic's rules for patients' own bookings (created with the
    defaults on first use)."""
    if for_update:
        SchedulingSettings.objects.get_or_create(pk=1)
        return SchedulingSettings.objects.select_for_update().get(pk=1)
    settings_row, _created = SchedulingSettings.objects.get_or_create(pk=1)
    return settings_row


def scheduling_settings_read(*, user: User) -> SchedulingSettings:
    """The rules as a person reads them: everyone signed in to the clinic
    (patients are bound by them)."""
    ensure(policies.can_view_resources(user))
    return scheduling_settings_get()


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


def appointment_allowed_actions(
    *,
    actor: User,
    appointment: Appointment,
    now: datetime | None = None,
    rules: SchedulingSettings | None = None,
) -> list[str]:
    """What `actor` may do to `appointment` now: the statuses it may move
    to (see transitions; "confirmed" from checked_in is "undo check-in")
    and "reschedule". Staff pages offer exactly these; the services
    refuse the rest. A page listing a patient's visits passes the clinic's
    `rules` once rather than having them read for each visit."""
    now = now or timezone.now()
    if not policies.can_edit_appointment(actor, appointment):
        return []
    actions = [
        str(status)
        for status in transitions.statuses_allowed(appointment, now=now)
        if policies.can_set_status(actor, status)
    ]
    if appointment.status in transitions.RESCHEDULABLE:
        actions.append(transitions.RESCHEDULE)
    if is_patient(actor):
        rules = rules or scheduling_settings_get()
        if not online.can_change_online(
            appointment, window_hours=rules.cancellation_window_hours, now=now
        ):
            confirmable = appointment.status in online.PATIENT_CHANGEABLE
            actions = [a for a in actions if confirmable and a == "confirmed"]
    return actions


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
        resource,
        status__in=ACTIVE_STATUSES,
        starts_at__lt=end,
        ends_at__gt=start,
        # Implied by ends_at > start; bounds the (dentist|chair, starts_at)
        # index range to a few rows instead of the resource's whole past.
        starts_at__gt=start - MAX_DURATION,
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


class _Booked:
    """One resource's booked time as sorted, merged spans (UTC), so whether a
    slot overlaps it is two bisections rather than a scan of the week."""

    __slots__ = ("ends", "starts")

    def __init__(self, spans: list[tuple[datetime, datetime]]) -> None:
        self.starts: list[datetime] = []
        self.ends: list[datetime] = []
        for b_start, b_end in sorted(spans):
            # Merging overlapping or touching spans keeps the answer: a slot
            # overlaps the union exactly when it overlaps one of them.
            if self.ends and b_start <= self.ends[-1]:
                self.ends[-1] = max(self.ends[-1], b_end)
            else:
                self.starts.append(b_start)
                self.ends.append(b_end)

    def overlaps(self, start: datetime, end: datetime) -> bool:
        """Does [start, end) meet a booked span (b_start < end and start < b_end)?"""
        # The first span ending after `start`; spans are disjoint and sorted,
        # so it is the only candidate.
        i = bisect_right(self.ends, start)
        return i < len(self.starts) and self.starts[i] < end


_NOTHING_BOOKED = _Booked([])


# Booked time per dentist and per chair, merged in the database: range_agg
# unions overlapping and adjacent spans, so a packed week comes back as a few
# hundred blocks rather than thousands of appointments to parse.
_BOOKED_SPANS_SQL = """
WITH booked AS (
    SELECT dentist_id, chair_id, tstzrange(starts_at, ends_at) AS span
    FROM {table}
    WHERE status = ANY(%(statuses)s)
      AND starts_at < %(end)s
      AND ends_at > %(start)s
      -- implied by ends_at > start (no visit is longer than MAX_DURATION); it
      -- bounds the index range on starts_at to the asked-for window
      AND starts_at > %(lower)s
)
SELECT false, dentist_id, lower(block), upper(block)
FROM (SELECT dentist_id, unnest(range_agg(span)) AS block
      FROM booked GROUP BY dentist_id) AS by_dentist
UNION ALL
SELECT true, chair_id, lower(block), upper(block)
FROM (SELECT chair_id, unnest(range_agg(span)) AS block
      FROM booked GROUP BY chair_id) AS by_chair
"""


def _booked_in(
    start: datetime, end: datetime
) -> tuple[dict[int, _Booked], dict[int, _Booked]]:
    """Time held by active appointments overlapping [start, end), as merged
    blocks per dentist and per chair."""
    spans: tuple[dict[int, list], dict[int, list]] = (
        defaultdict(list),
        defaultdict(list),
    )
    sql = _BOOKED_SPANS_SQL.format(
        table=connection.ops.quote_name(Appointment._meta.db_table)
    )
    params = {
        "statuses": [str(status) for status in ACTIVE_STATUSES],
        "start": start,
        "end": end,
        "lower": start - MAX_DURATION,
    }
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        for is_chair, resource_id, b_start, b_end in cursor.fetchall():
            spans[is_chair][resource_id].append(
                (b_start.astimezone(UTC), b_end.astimezone(UTC))
            )
    by_dentist, by_chair = spans
    return (
        {k: _Booked(v) for k, v in by_dentist.items()},
        {k: _Booked(v) for k, v in by_chair.items()},
    )


def _earliest_slot(
    user: User, start: datetime, end: datetime, duration_minutes: int
) -> datetime:
    if end - start > timedelta(days=MAX_AVAILABILITY_DAYS):
        raise ChairsideError(
            _("Ask for at most %(days)d days at a time.")
            % {"days": MAX_AVAILABILITY_DAYS},
            code=SchedulingErrorCode.RANGE_TOO_LONG,
        )
    now = timezone.now()
    if not is_patient(user):
        return max(start, now)
    # What a patient is offered is what they may book (scheduling.online).
    rules = scheduling_settings_get()
    online.check_online_duration(rules, duration_minutes)
    return max(start, online.earliest_online_start(rules, now=now))


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
    names the first free chair. A patient is offered only what they may
    book online: no longer visit than the clinic allows, nothing starting
    inside the cancellation window."""
    ensure(policies.can_view_resources(user))
    if end <= start:
        return []
    earliest = _earliest_slot(user, start, end, duration_minutes)
    tz = clinic_tz()
    duration = timedelta(minutes=duration_minutes)

    dentists = Dentist.objects.filter(is_active=True).order_by(
        "last_name", "first_name", "id"
    )
    if dentist_id is not None:
        dentists = dentists.filter(pk=dentist_id)
    ids = list(dentists.values_list("pk", flat=True))
    shifts: dict[tuple[int, int], list[tuple[time, time]]] = defaultdict(list)
    for d_id, weekday, s_time, e_time in (
        WorkingHours.objects.filter(dentist_id__in=ids)
        .order_by("start_time")
        .values_list("dentist_id", "weekday", "start_time", "end_time")
    ):
        shifts[(d_id, weekday)].append((s_time, e_time))
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
    dentist_booked, chair_booked = _booked_in(start, end)
    chair_spans = [(c, chair_booked.get(c, _NOTHING_BOOKED)) for c in chairs]

    slots: list[Slot] = []
    day = first_day
    while day <= last_day:
        for d_id in ids:
            if (d_id, day) in days_off:
                continue
            booked = dentist_booked.get(d_id, _NOTHING_BOOKED)
            for shift_start, shift_end_time in shifts.get((d_id, day.weekday()), []):
                # Slot times step on the wall clock (aware datetimes in one
                # zone add and compare as wall times), as they always have;
                # only the overlap tests are made on UTC instants.
                t = local_datetime(day, shift_start, tz)
                shift_end = local_datetime(day, shift_end_time, tz)
                while t + duration <= shift_end:
                    slot_end = t + duration
                    if t >= earliest and slot_end <= end:
                        t_utc, end_utc = t.astimezone(UTC), slot_end.astimezone(UTC)
                        if not booked.overlaps(t_utc, end_utc):
                            chair = next(
                                (
                                    c
                                    for c, taken in chair_spans
                                    if not taken.overlaps(t_utc, end_utc)
                                ),
                                None,
                            )
                            if chair is not None:
                                slots.append(Slot(d_id, chair, t, slot_end))
                    t += SLOT_STEP
        day += timedelta(days=1)
    slots.sort(key=lambda s: (s.start, s.dentist_id))
    return slots
