"""Availability from merged booked blocks: the slots are exactly those of the
plain rule (every 15 minutes of each shift, free for the dentist and some
chair), including back-to-back visits, visits that began before the asked-for
window, cancelled visits and a DST week."""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from http import HTTPStatus

import pytest
import time_machine
from django.db import IntegrityError, transaction
from django.utils import timezone
from django_tenants.utils import tenant_context

from chairside.core.clinic_time import clinic_tz, local_datetime
from chairside.scheduling import selectors
from chairside.scheduling.models import (
    ACTIVE_STATUSES,
    Appointment,
    AppointmentStatus,
    Chair,
    Dentist,
    WorkingHours,
)
from chairside.scheduling.rules import MAX_DURATION_MINUTES
from conftest import world_user
from tests.world_clinical import clinic_dt, world_chair, world_dentist, world_patient

pytestmark = pytest.mark.django_db

Span = tuple[datetime, datetime]


def _reference_availability(
    start: datetime, end: datetime, duration_minutes: int
) -> list[tuple[int, int, str, str]]:
    """The rule spelled out slot by slot against every appointment, as the
    selector computed it before the booked blocks came from the database."""
    tz = clinic_tz()
    duration = timedelta(minutes=duration_minutes)
    earliest = max(start, timezone.now())
    active = list(
        Appointment.objects.filter(status__in=ACTIVE_STATUSES).values_list(
            "dentist_id", "chair_id", "starts_at", "ends_at"
        )
    )

    def free(spans: list[Span], s: datetime, e: datetime) -> bool:
        return not any(b_s < e and s < b_e for b_s, b_e in spans)

    chairs = list(
        Chair.objects.filter(is_active=True)
        .order_by("name", "id")
        .values_list("pk", flat=True)
    )
    slots = []
    day, last_day = start.astimezone(tz).date(), end.astimezone(tz).date()
    while day <= last_day:
        for dentist in Dentist.objects.filter(is_active=True):
            if dentist.days_off.filter(date=day).exists():
                continue
            mine = [(s, e) for d, _c, s, e in active if d == dentist.pk]
            for shift in WorkingHours.objects.filter(
                dentist=dentist, weekday=day.weekday()
            ).order_by("start_time"):
                t = local_datetime(day, shift.start_time, tz)
                shift_end = local_datetime(day, shift.end_time, tz)
                while t + duration <= shift_end:
                    slot_end = t + duration
                    if t >= earliest and slot_end <= end and free(mine, t, slot_end):
                        chair = next(
                            (
                                c
                                for c in chairs
                                if free(
                                    [(s, e) for _d, ch, s, e in active if ch == c],
                                    t,
                                    slot_end,
                                )
                            ),
                            None,
                        )
                        if chair is not None:
                            slots.append((t, dentist.pk, chair, slot_end))
                    t += selectors.SLOT_STEP
        day += timedelta(days=1)
    slots.sort(key=lambda s: (s[0], s[1]))
    return [(d, c, t.isoformat(), e.isoformat()) for t, d, c, e in slots]


def _computed(start: datetime, end: datetime, minutes: int, user) -> list:
    return [
        (s.dentist_id, s.chair_id, s.start.isoformat(), s.end.isoformat())
        for s in selectors.availability(
            user=user, start=start, end=end, duration_minutes=minutes
        )
    ]


def _fill_randomly(alpha, first_day: datetime, days: int, seed: int) -> int:
    """Random visits (some back to back, some long, some cancelled) wherever
    the exclusion constraints let them in."""
    rng = random.Random(seed)  # noqa: S311 (test data, not secrets)
    dentists = [world_dentist(alpha), world_dentist(alpha, "dentist2")]
    chairs = [world_chair(alpha), world_chair(alpha, "Chair 2")]
    patient = world_patient(alpha)
    made = 0
    for _ in range(160):
        start = first_day + timedelta(
            days=rng.randrange(days), minutes=5 * rng.randrange(7 * 12, 19 * 12)
        )
        appointment = Appointment(
            patient=patient,
            dentist=rng.choice(dentists),
            chair=rng.choice(chairs),
            starts_at=start,
            duration_minutes=rng.choice([10, 15, 20, 30, 45, 60, 90, 240]),
            status=rng.choice([*ACTIVE_STATUSES, AppointmentStatus.CANCELLED]),
        )
        try:
            with transaction.atomic():
                appointment.save()
            made += 1
        except IntegrityError:
            pass
    return made


@pytest.mark.parametrize(
    ("now", "first_day", "minutes"),
    [
        # An ordinary January week, 30-minute slots.
        ("2027-01-04T06:00:00Z", "2027-01-04 00:00", 30),
        # The week the US springs forward (Sunday 2027-03-14), 45 minutes.
        ("2027-03-08T06:00:00Z", "2027-03-08 00:00", 45),
        # The week clocks fall back (Sunday 2027-11-07), 20 minutes, asked
        # for from the middle of a working day.
        ("2027-11-01T06:00:00Z", "2027-11-03 11:10", 20),
    ],
)
def test_availability_matches_the_slot_by_slot_rule(alpha, now, first_day, minutes):
    with time_machine.travel(now, tick=False), tenant_context(alpha):
        start = clinic_dt(alpha, first_day)
        assert _fill_randomly(alpha, start.replace(hour=0, minute=0), 7, seed=8) > 40
        user = world_user(alpha, "receptionist")
        for window_start, window_end in [
            (start, start + timedelta(days=7)),
            (start + timedelta(hours=35, minutes=7), start + timedelta(days=3)),
        ]:
            expected = _reference_availability(window_start, window_end, minutes)
            assert expected, "the week should still have free slots"
            assert _computed(window_start, window_end, minutes, user) == expected


@pytest.mark.usefixtures("frozen")
def test_back_to_back_bookings_block_as_one_and_free_their_edges(api, alpha):
    client = api(alpha, "receptionist")
    dentist = world_dentist(alpha)
    for wall in ("2027-01-06 10:00", "2027-01-06 10:30"):
        booked = client.post(
            "/api/appointments",
            {
                "patient_id": world_patient(alpha).pk,
                "dentist_id": dentist.pk,
                "appointment_date": clinic_dt(alpha, wall).isoformat(),
            },
        )
        assert booked.status_code == HTTPStatus.CREATED
    starts = [
        s["start"]
        for s in client.get(
            f"/api/availability?dentist={dentist.pk}&from=2027-01-06&to=2027-01-06"
        ).json()
    ]
    assert "2027-01-06T09:30:00-05:00" in starts  # ends as the first begins
    for blocked in ("09:45", "10:00", "10:15", "10:30", "10:45"):
        assert f"2027-01-06T{blocked}:00-05:00" not in starts
    assert "2027-01-06T11:00:00-05:00" in starts  # begins as the second ends


@pytest.mark.usefixtures("frozen")
def test_a_visit_begun_before_the_window_still_holds_its_chair(api, alpha):
    """A visit of the longest length that began hours before `from` still
    blocks its dentist and chair: the query's lower bound must reach it."""
    client = api(alpha, "receptionist")
    long_visit = client.post(
        "/api/appointments",
        {
            "patient_id": world_patient(alpha, "patient2").pk,
            "dentist_id": world_dentist(alpha, "dentist2").pk,
            "chair_id": world_chair(alpha, "Chair 1").pk,
            "appointment_date": clinic_dt(alpha, "2027-01-06 08:00").isoformat(),
            "duration_minutes": MAX_DURATION_MINUTES,
        },
    )
    assert long_visit.status_code == HTTPStatus.CREATED
    window = "from=2027-01-06T15:30:00-05:00&to=2027-01-06T17:00:00-05:00"
    slots = client.get(f"/api/availability?{window}").json()
    by_start = {s["start"]: s for s in slots}
    # Dentist 2 is busy until the end of their day; dentist 1 gets Chair 2
    # until Chair 1 is free again at 16:00.
    assert {s["dentist_id"] for s in slots} == {world_dentist(alpha).pk}
    assert by_start["2027-01-06T15:30:00-05:00"]["chair_id"] == (
        world_chair(alpha, "Chair 2").pk
    )
    assert by_start["2027-01-06T16:00:00-05:00"]["chair_id"] == (
        world_chair(alpha, "Chair 1").pk
    )


@pytest.mark.usefixtures("frozen")
def test_cancelled_visits_free_their_slot(api, alpha):
    client = api(alpha, "receptionist")
    dentist = world_dentist(alpha)
    booked = client.post(
        "/api/appointments",
        {
            "patient_id": world_patient(alpha).pk,
            "dentist_id": dentist.pk,
            "appointment_date": clinic_dt(alpha, "2027-01-06 10:00").isoformat(),
        },
    ).json()
    url = f"/api/availability?dentist={dentist.pk}&from=2027-01-06&to=2027-01-06"
    assert "2027-01-06T10:00:00-05:00" not in [
        s["start"] for s in client.get(url).json()
    ]
    assert client.delete(f"/api/appointments/{booked['id']}").status_code == 200
    assert "2027-01-06T10:00:00-05:00" in [s["start"] for s in client.get(url).json()]


@pytest.mark.usefixtures("frozen")
def test_a_booking_into_a_long_visits_tail_names_that_visit(api, alpha):
    """The conflict lookup behind a 409 is bounded below by the longest
    visit too: it must still find a visit that began eight hours before."""
    client = api(alpha, "receptionist")
    long_visit = client.post(
        "/api/appointments",
        {
            "patient_id": world_patient(alpha, "patient2").pk,
            "dentist_id": world_dentist(alpha, "dentist2").pk,
            "chair_id": world_chair(alpha, "Chair 1").pk,
            "appointment_date": clinic_dt(alpha, "2027-01-06 08:00").isoformat(),
            "duration_minutes": MAX_DURATION_MINUTES,
        },
    ).json()
    for resource, payload in (
        ("dentist", {"dentist_id": world_dentist(alpha, "dentist2").pk}),
        (
            "chair",
            {
                "dentist_id": world_dentist(alpha).pk,
                "chair_id": world_chair(alpha, "Chair 1").pk,
            },
        ),
    ):
        refused = client.post(
            "/api/appointments",
            {
                "patient_id": world_patient(alpha).pk,
                "appointment_date": clinic_dt(alpha, "2027-01-06 15:30").isoformat(),
                **payload,
            },
        )
        assert refused.status_code == HTTPStatus.CONFLICT
        details = refused.json()["error"]["details"]
        assert details["resource"] == resource
        assert details["conflicting_appointment_id"] == long_visit["id"]


@pytest.mark.usefixtures("frozen")
def test_slots_are_written_like_every_other_answer(api, alpha):
    """Availability writes its JSON itself (pydantic-core): same media type
    as ninja's answers, same fields, times with the clinic's offset."""
    client = api(alpha, "receptionist")
    dentist = world_dentist(alpha)
    response = client.get(
        f"/api/availability?dentist={dentist.pk}&from=2027-01-06&to=2027-01-06"
    )
    reference = client.get("/api/chairs")
    assert response.status_code == HTTPStatus.OK
    assert response["Content-Type"] == reference["Content-Type"]
    first = response.json()[0]
    assert first == {
        "dentist_id": dentist.pk,
        "chair_id": world_chair(alpha, "Chair 1").pk,
        "start": "2027-01-06T09:00:00-05:00",
        "end": "2027-01-06T09:30:00-05:00",
    }
