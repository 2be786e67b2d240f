"""Working hours are wall-clock times in the clinic's zone: the week DST
starts, 09:00 is still 09:00 locally (14:00Z before, 13:00Z after)."""

from __future__ import annotations

from datetime import UTC, datetime
from http import HTTPStatus

import pytest
import time_machine
from django_tenants.utils import schema_context

from chairside.scheduling.models import DayOff
from tests.world_clinical import clinic_dt, world_chair, world_dentist, world_patient

pytestmark = pytest.mark.django_db


@pytest.fixture
def dst_week():
    # Wednesday before the US switch (Sunday 2027-03-14, 02:00 -> 03:00).
    with time_machine.travel("2027-03-10T12:00:00Z", tick=True):
        yield


def _book(client, clinic, when: datetime, minutes: int = 30):
    return client.post(
        "/api/appointments",
        {
            "patient_id": world_patient(clinic).pk,
            "dentist_id": world_dentist(clinic).pk,
            "appointment_date": when.isoformat(),
            "duration_minutes": minutes,
        },
    )


@pytest.mark.usefixtures("dst_week")
def test_opening_hour_follows_the_wall_clock_across_dst(api, alpha):
    client = api(alpha, "receptionist")
    friday = _book(client, alpha, datetime(2027, 3, 12, 14, 0, tzinfo=UTC))
    monday = _book(client, alpha, datetime(2027, 3, 15, 13, 0, tzinfo=UTC))
    assert friday.json()["appointment_date"] == "2027-03-12T09:00:00-05:00"
    assert monday.json()["appointment_date"] == "2027-03-15T09:00:00-04:00"
    # 13:00Z on the Friday is 08:00 EST: before opening.
    early = _book(client, alpha, datetime(2027, 3, 12, 13, 0, tzinfo=UTC))
    assert early.json()["error"]["code"] == "appointment_outside_working_hours"
    # 17:45-18:15 EDT on Monday runs past the 18:00 close.
    late = _book(client, alpha, clinic_dt(alpha, "2027-03-15 17:45"))
    assert late.json()["error"]["code"] == "appointment_outside_working_hours"


@pytest.mark.usefixtures("dst_week")
def test_availability_across_dst_starts_at_local_opening(api, alpha):
    dentist = world_dentist(alpha)
    response = api(alpha, "patient").get(
        f"/api/availability?dentist={dentist.pk}&from=2027-03-12&to=2027-03-15&duration=60"
    )
    assert response.status_code == HTTPStatus.OK
    slots = response.json()
    starts = [s["start"] for s in slots]
    assert starts[0] == "2027-03-12T09:00:00-05:00"
    assert "2027-03-15T09:00:00-04:00" in starts
    # Nothing on the weekend, nothing in the lunch break, all within shifts.
    days = {s[:10] for s in starts}
    assert days == {"2027-03-12", "2027-03-15"}
    assert not any("T13:" in s for s in starts)
    assert all(s["dentist_id"] == dentist.pk for s in slots)
    # 60-minute slots every 15 minutes in 09-13 and 14-18: 13 + 13 per day.
    assert len(slots) == 52


@pytest.mark.usefixtures("frozen")
def test_availability_minus_bookings_days_off_and_busy_chairs(api, alpha):
    client = api(alpha, "receptionist")
    dentist = world_dentist(alpha)
    _book(client, alpha, clinic_dt(alpha, "2027-01-06 10:00"))
    with schema_context(alpha.schema_name):
        DayOff.objects.create(
            dentist=dentist, date=clinic_dt(alpha, "2027-01-07 00:00").date()
        )
    response = client.get(
        f"/api/availability?dentist={dentist.pk}&from=2027-01-06&to=2027-01-07&duration=30"
    )
    starts = [s["start"] for s in response.json()]
    assert "2027-01-06T09:30:00-05:00" in starts
    assert "2027-01-06T09:45:00-05:00" not in starts  # would run into 10:00
    assert "2027-01-06T10:00:00-05:00" not in starts
    assert "2027-01-06T10:30:00-05:00" in starts
    assert not any(s.startswith("2027-01-07") for s in starts)
    # Slots name a chair that is free: with both chairs busy, no slot.
    _book_other = client.post(
        "/api/appointments",
        {
            "patient_id": world_patient(alpha, "patient2").pk,
            "dentist_id": world_dentist(alpha, "dentist2").pk,
            "chair_id": world_chair(alpha, "Chair 2").pk,
            "appointment_date": clinic_dt(alpha, "2027-01-06 11:00").isoformat(),
        },
    )
    assert _book_other.status_code == 201
    _book(client, alpha, clinic_dt(alpha, "2027-01-06 15:00"))
    # 11:00 on chair 2 (dentist2) and chair 1 free -> slot uses chair 1
    slots = client.get(
        f"/api/availability?dentist={dentist.pk}&from=2027-01-06&to=2027-01-06&duration=30"
    ).json()
    at_eleven = next(s for s in slots if s["start"] == "2027-01-06T11:00:00-05:00")
    assert at_eleven["chair_id"] == world_chair(alpha, "Chair 1").pk


@pytest.mark.usefixtures("frozen")
def test_availability_is_future_only_and_bounded(api, alpha):
    client = api(alpha, "patient")
    past = client.get(
        "/api/availability?from=2027-01-04&to=2027-01-05&duration=30"
    ).json()
    # "now" is 07:00 on the 5th in New York: nothing before it.
    assert all(s["start"] >= "2027-01-05T07:00" for s in past)
    too_long = client.get("/api/availability?from=2027-01-01&to=2027-03-01")
    assert too_long.status_code == HTTPStatus.BAD_REQUEST
    assert too_long.json()["error"]["code"] == "availability_range_too_long"
