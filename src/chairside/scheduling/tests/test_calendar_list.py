"""The calendar's list: a dentist-week of appointments in one fixed number of
queries, times in the clinic's zone, and `from`/`to` read as instants when
they carry a time (even midnight) and as clinic days when they are dates."""

from __future__ import annotations

from http import HTTPStatus
from urllib.parse import quote

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.world_clinical import clinic_dt, world_dentist, world_patient

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen")]


def _book(client, clinic, wall: str, dentist: str = "dentist"):
    response = client.post(
        "/api/appointments",
        {
            "patient_id": world_patient(clinic).pk,
            "dentist_id": world_dentist(clinic, dentist).pk,
            "appointment_date": clinic_dt(clinic, wall).isoformat(),
        },
    )
    assert response.status_code == HTTPStatus.CREATED, response.json()
    return response.json()


def _ids(client, query: str) -> list[int]:
    response = client.get(f"/api/appointments?{query}")
    assert response.status_code == HTTPStatus.OK, response.json()
    return [a["id"] for a in response.json()["items"]]


def test_a_midnight_instant_ends_the_window_at_that_instant(api, alpha):
    client = api(alpha, "receptionist")
    wednesday = _book(client, alpha, "2027-01-06 10:00")
    thursday = _book(client, alpha, "2027-01-07 09:00")
    dentist = world_dentist(alpha).pk
    midnight = quote("2027-01-07T00:00:00-05:00")
    # An instant: up to Thursday 00:00 New York time, so Thursday is out.
    assert _ids(client, f"dentist={dentist}&from=2027-01-06&to={midnight}") == [
        wednesday["id"]
    ]
    # A date: that whole clinic day.
    assert _ids(client, f"dentist={dentist}&from=2027-01-06&to=2027-01-07") == [
        wednesday["id"],
        thursday["id"],
    ]
    # A midnight in another zone keeps its offset: 2027-01-07T00:00Z is
    # Wednesday 19:00 in New York, after Wednesday's visit.
    utc_midnight = quote("2027-01-07T00:00:00Z")
    assert _ids(client, f"dentist={dentist}&from={utc_midnight}&to=2027-01-07") == [
        thursday["id"]
    ]


def test_availability_reads_a_midnight_instant_as_an_instant(api, alpha):
    client = api(alpha, "receptionist")
    dentist = world_dentist(alpha).pk
    window = (
        f"from={quote('2027-01-06T00:00:00-05:00')}"
        f"&to={quote('2027-01-07T00:00:00-05:00')}"
    )
    starts = [
        s["start"]
        for s in client.get(f"/api/availability?dentist={dentist}&{window}").json()
    ]
    assert starts
    assert {s[:10] for s in starts} == {"2027-01-06"}
    # A bad value is still refused as before.
    bad = client.get(f"/api/availability?dentist={dentist}&from=2027-01-06T25:00&to=x")
    assert bad.status_code == HTTPStatus.UNPROCESSABLE_ENTITY


def test_a_dentist_week_is_two_queries_whatever_its_size(api, alpha):
    client = api(alpha, "receptionist")
    for wall in ("2027-01-06 09:00", "2027-01-06 10:00", "2027-01-07 11:00"):
        _book(client, alpha, wall)
    _book(client, alpha, "2027-01-06 09:00", dentist="dentist2")
    dentist = world_dentist(alpha).pk
    url = f"/api/appointments?dentist={dentist}&from=2027-01-04&to=2027-01-10"
    client.get(url)  # warm: tenant and token caches
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == HTTPStatus.OK
    _book(client, alpha, "2027-01-08 14:00")
    _book(client, alpha, "2027-01-08 15:00")
    with CaptureQueriesContext(connection) as more:
        body = client.get(url).json()
    assert body["count"] == 5
    assert len(more.captured_queries) == len(few.captured_queries)
    appointment_queries = [
        q["sql"] for q in more.captured_queries if "scheduling_appointment" in q["sql"]
    ]
    assert len(appointment_queries) == 2  # the count and the page
    first = body["items"][0]
    assert first["appointment_date"] == "2027-01-06T09:00:00-05:00"
    assert first["end"] == "2027-01-06T09:30:00-05:00"
    assert set(first) == {
        "id",
        "patient_id",
        "dentist_id",
        "chair_id",
        "appointment_date",
        "end",
        "duration_minutes",
        "status",
        "reason",
        "notes",
        "cancellation_reason",
        "created_by_id",
        "created_at",
        "updated_at",
    }
