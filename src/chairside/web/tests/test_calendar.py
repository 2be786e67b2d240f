from __future__ import annotations

from http import HTTPStatus

import pytest
from django_tenants.utils import schema_context

from chairside.scheduling.models import Appointment
from chairside.web.tests.factories import (
    chair_make,
    clinic_local,
    open_dentist_make,
    patient_make,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def setup(alpha):
    with schema_context(alpha.schema_name):
        return {
            "dentist": open_dentist_make(),
            "chair": chair_make(),
            "patient": patient_make(),
            "other": patient_make(),
            "start": clinic_local(2, 10),
        }


def wall(moment) -> str:
    """As the page sends it: the clinic's wall-clock time, no offset."""
    return moment.replace(tzinfo=None).isoformat()


def book(client, setup, patient, start):
    return client.post(
        "/app/calendar/book/",
        {
            "patient": patient.pk,
            "dentist": setup["dentist"].pk,
            "chair": setup["chair"].pk,
            "start": start.strftime("%Y-%m-%dT%H:%M"),
            "duration_minutes": 30,
            "reason": "Check-up",
        },
    )


def test_calendar_page_lists_dentists_with_their_hours(web, alpha, setup):
    response = web(alpha, "receptionist").get("/app/calendar/")
    assert response.status_code == HTTPStatus.OK
    resources = response.context["resources"]
    ours = next(r for r in resources if r["id"] == str(setup["dentist"].pk))
    assert {"daysOfWeek": [1], "startTime": "08:00", "endTime": "18:00"} in ours[
        "businessHours"
    ]


def test_booking_then_a_conflict_is_refused_with_a_message(web, alpha, setup):
    client = web(alpha, "receptionist")

    first = book(client, setup, setup["patient"], setup["start"])
    second = book(client, setup, setup["other"], setup["start"])

    assert first.status_code == HTTPStatus.CREATED, first.content
    assert second.status_code == HTTPStatus.CONFLICT
    assert second.json()["error"]["message"]
    with schema_context(alpha.schema_name):
        assert Appointment.objects.filter(dentist=setup["dentist"]).count() == 1


def test_events_feed_and_move(web, alpha, setup, django_assert_max_num_queries):
    client = web(alpha, "receptionist")
    book(client, setup, setup["patient"], setup["start"])
    with schema_context(alpha.schema_name):
        appointment = Appointment.objects.get(dentist=setup["dentist"])
    # FullCalendar (UTC mode) asks with a Z; the digits are clinic time.
    start = wall(clinic_local(2, 0)) + "Z"
    end = wall(clinic_local(3, 0)) + "Z"

    with django_assert_max_num_queries(6):
        events = client.get(
            "/app/calendar/events/", {"start": start, "end": end}
        ).json()

    assert [e["id"] for e in events] == [str(appointment.pk)]
    assert events[0]["start"] == wall(setup["start"])
    assert events[0]["classNames"] == ["status-scheduled"]

    moved = client.post(
        f"/app/appointments/{appointment.pk}/move/",
        {"start": wall(clinic_local(2, 11)), "duration_minutes": 45},
    )
    assert moved.status_code == HTTPStatus.OK, moved.content
    with schema_context(alpha.schema_name):
        appointment.refresh_from_db()
        assert appointment.starts_at == clinic_local(2, 11)
        assert appointment.duration_minutes == 45


def test_move_outside_working_hours_is_refused(web, alpha, setup):
    client = web(alpha, "receptionist")
    book(client, setup, setup["patient"], setup["start"])
    with schema_context(alpha.schema_name):
        appointment = Appointment.objects.get(dentist=setup["dentist"])

    moved = client.post(
        f"/app/appointments/{appointment.pk}/move/",
        {"start": wall(clinic_local(2, 19)), "duration_minutes": 30},
    )

    assert moved.status_code >= 400
    assert moved.json()["error"]["message"]


def test_check_in_from_the_dashboard(web, alpha, setup):
    with schema_context(alpha.schema_name):
        appointment = Appointment.objects.create(
            patient=setup["patient"],
            dentist=setup["dentist"],
            chair=setup["chair"],
            starts_at=clinic_local(0, 23, 30),
        )
    response = web(alpha, "receptionist").post(
        f"/app/appointments/{appointment.pk}/status/",
        {"status": "checked_in"},
        HTTP_HX_REQUEST="true",
    )

    assert response.status_code == HTTPStatus.OK
    assert "status-checked_in" in response.content.decode()
    with schema_context(alpha.schema_name):
        appointment.refresh_from_db()
        assert appointment.status == "checked_in"
