"""Booking rules: future only, inside working hours in the clinic's zone,
no double booking (409 naming the holder), the status machine, cancel."""

from __future__ import annotations

from http import HTTPStatus

import pytest
import time_machine
from django_tenants.utils import schema_context

from chairside.scheduling.models import Appointment, DayOff
from tests.world_clinical import clinic_dt, world_chair, world_dentist, world_patient

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen")]


def book(client, clinic, wall, *, dentist="dentist", patient="patient", **extra):
    payload = {
        "patient_id": world_patient(clinic, patient).pk,
        "dentist_id": world_dentist(clinic, dentist).pk,
        "appointment_date": clinic_dt(clinic, wall).isoformat(),
        **extra,
    }
    return client.post("/api/appointments", payload)


def test_receptionist_books_in_working_hours(api, alpha):
    response = book(
        api(alpha, "receptionist"), alpha, "2027-01-06 10:00", reason="Checkup"
    )
    assert response.status_code == HTTPStatus.CREATED, response.json()
    body = response.json()
    assert body["status"] == "scheduled"
    assert body["duration_minutes"] == 30
    assert body["appointment_date"] == "2027-01-06T10:00:00-05:00"
    assert body["end"] == "2027-01-06T10:30:00-05:00"
    assert body["chair_id"] == world_chair(alpha, "Chair 1").pk
    assert body["reason"] == "Checkup"


def test_naive_appointment_date_is_clinic_time(api, beta):
    client = api(beta, "receptionist")
    payload = {
        "patient_id": world_patient(beta).pk,
        "dentist_id": world_dentist(beta).pk,
        "appointment_date": "2027-01-06T10:00:00",
    }
    response = client.post("/api/appointments", payload)
    assert response.status_code == HTTPStatus.CREATED, response.json()
    assert response.json()["appointment_date"] == "2027-01-06T10:00:00+01:00"


@pytest.mark.parametrize(
    ("wall", "code"),
    [
        ("2027-01-04 10:00", "appointment_in_the_past"),
        ("2027-01-06 08:30", "appointment_outside_working_hours"),
        ("2027-01-06 12:45", "appointment_outside_working_hours"),  # ends in lunch
        ("2027-01-06 13:30", "appointment_outside_working_hours"),  # lunch
        ("2027-01-09 10:00", "appointment_outside_working_hours"),  # Saturday
    ],
)
def test_refuses_times_outside_the_rules(api, alpha, wall, code):
    response = book(api(alpha, "receptionist"), alpha, wall)
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert response.json()["error"]["code"] == code


def test_refuses_a_day_off(api, alpha):
    with schema_context(alpha.schema_name):
        DayOff.objects.create(
            dentist=world_dentist(alpha),
            date=clinic_dt(alpha, "2027-01-07 00:00").date(),
        )
    response = book(api(alpha, "receptionist"), alpha, "2027-01-07 10:00")
    assert response.json()["error"]["code"] == "appointment_dentist_day_off"


def test_duration_bounds_are_enforced(api, alpha):
    client = api(alpha, "receptionist")
    assert (
        book(client, alpha, "2027-01-06 10:00", duration_minutes=4).status_code == 422
    )
    assert (
        book(client, alpha, "2027-01-06 10:00", duration_minutes=481).status_code == 422
    )


def test_double_booking_the_dentist_is_409_naming_the_holder(api, alpha):
    client = api(alpha, "receptionist")
    first = book(client, alpha, "2027-01-06 10:00", duration_minutes=60).json()
    response = book(client, alpha, "2027-01-06 10:30", patient="patient2")
    assert response.status_code == HTTPStatus.CONFLICT
    error = response.json()["error"]
    assert error["code"] == "appointment_slot_taken"
    assert error["details"] == {
        "resource": "dentist",
        "conflicting_appointment_id": first["id"],
    }


def test_double_booking_the_chair_is_409(api, alpha):
    client = api(alpha, "receptionist")
    chair = world_chair(alpha).pk
    first = book(client, alpha, "2027-01-06 10:00", chair_id=chair).json()
    response = book(
        client, alpha, "2027-01-06 10:15", dentist="dentist2", chair_id=chair
    )
    assert response.status_code == HTTPStatus.CONFLICT
    assert response.json()["error"]["details"]["resource"] == "chair"
    assert (
        response.json()["error"]["details"]["conflicting_appointment_id"] == first["id"]
    )


def test_without_chair_a_free_one_is_picked(api, alpha):
    client = api(alpha, "receptionist")
    book(client, alpha, "2027-01-06 10:00")
    other = book(client, alpha, "2027-01-06 10:00", dentist="dentist2")
    assert other.status_code == HTTPStatus.CREATED
    assert other.json()["chair_id"] == world_chair(alpha, "Chair 2").pk


def test_back_to_back_appointments_do_not_overlap(api, alpha):
    client = api(alpha, "receptionist")
    assert book(client, alpha, "2027-01-06 10:00").status_code == HTTPStatus.CREATED
    assert book(client, alpha, "2027-01-06 10:30").status_code == HTTPStatus.CREATED


def test_cancelled_slot_can_be_booked_again(api, alpha):
    client = api(alpha, "receptionist")
    first = book(client, alpha, "2027-01-06 10:00").json()
    assert client.delete(f"/api/appointments/{first['id']}").status_code == 200
    assert book(client, alpha, "2027-01-06 10:00").status_code == HTTPStatus.CREATED


def test_delete_cancels_and_keeps_the_row(api, alpha):
    client = api(alpha, "receptionist")
    appointment = book(client, alpha, "2027-01-06 10:00").json()
    response = client.delete(f"/api/appointments/{appointment['id']}?reason=Sick")
    assert response.status_code == HTTPStatus.OK
    assert response.json()["status"] == "cancelled"
    assert response.json()["cancellation_reason"] == "Sick"
    with schema_context(alpha.schema_name):
        assert Appointment.objects.get(pk=appointment["id"]).status == "cancelled"
    again = client.delete(f"/api/appointments/{appointment['id']}")
    assert again.status_code == HTTPStatus.CONFLICT
    assert again.json()["error"]["code"] == "appointment_invalid_transition"


# 10:05 in New York on the day of the visits booked below (2027-01-06 10:00):
# checking in and completing wait for the visit (see test_transitions.py).
DURING_THE_VISIT = "2027-01-06T15:05:00Z"


def test_status_machine_happy_path(api, alpha):
    client = api(alpha, "receptionist")
    appointment = book(client, alpha, "2027-01-06 10:00").json()
    url = f"/api/appointments/{appointment['id']}"
    assert client.patch(url, {"status": "confirmed"}).status_code == HTTPStatus.OK
    with time_machine.travel(DURING_THE_VISIT):
        client = api(alpha, "receptionist")
        for status in ("checked_in", "completed"):
            response = client.patch(url, {"status": status})
            assert response.status_code == HTTPStatus.OK, response.json()
            assert response.json()["status"] == status


@pytest.mark.parametrize(
    ("path", "target"),
    [
        ((), "completed"),
        (("confirmed",), "scheduled"),
        (("checked_in",), "no_show"),
        (("checked_in", "completed"), "checked_in"),
        (("cancelled",), "confirmed"),
    ],
)
def test_invalid_transitions_are_409(api, alpha, path, target):
    client = api(alpha, "receptionist")
    url = f"/api/appointments/{book(client, alpha, '2027-01-06 10:00').json()['id']}"
    with time_machine.travel(DURING_THE_VISIT):
        client = api(alpha, "receptionist")
        for status in path:
            assert client.patch(url, {"status": status}).status_code == HTTPStatus.OK
        response = client.patch(url, {"status": target})
    assert response.status_code == HTTPStatus.CONFLICT
    assert response.json()["error"]["code"] == "appointment_invalid_transition"


def test_no_show_only_once_started(api, alpha):
    client = api(alpha, "receptionist")
    url = f"/api/appointments/{book(client, alpha, '2027-01-06 10:00').json()['id']}"
    assert client.patch(url, {"status": "no_show"}).status_code == HTTPStatus.CONFLICT
    with time_machine.travel("2027-01-06T15:20:00Z"):
        token_client = api(alpha, "receptionist")
        assert token_client.patch(url, {"status": "no_show"}).status_code == 200


def test_reschedule_checks_the_rules_and_the_slot(api, alpha):
    client = api(alpha, "receptionist")
    taken = book(client, alpha, "2027-01-06 11:00").json()
    moving = book(client, alpha, "2027-01-06 10:00").json()
    url = f"/api/appointments/{moving['id']}"
    late = client.patch(
        url, {"appointment_date": clinic_dt(alpha, "2027-01-06 19:00").isoformat()}
    )
    assert late.json()["error"]["code"] == "appointment_outside_working_hours"
    clash = client.patch(
        url, {"appointment_date": clinic_dt(alpha, "2027-01-06 11:00").isoformat()}
    )
    assert clash.status_code == HTTPStatus.CONFLICT
    assert clash.json()["error"]["details"]["conflicting_appointment_id"] == taken["id"]
    ok = client.patch(
        url,
        {
            "appointment_date": clinic_dt(alpha, "2027-01-06 15:00").isoformat(),
            "duration_minutes": 45,
        },
    )
    assert ok.status_code == HTTPStatus.OK
    assert ok.json()["end"] == "2027-01-06T15:45:00-05:00"


def test_put_replaces_the_schedulable_fields(api, alpha):
    client = api(alpha, "receptionist")
    appointment = book(client, alpha, "2027-01-06 10:00").json()
    payload = {
        "patient_id": appointment["patient_id"],
        "dentist_id": world_dentist(alpha, "dentist2").pk,
        "chair_id": world_chair(alpha, "Chair 2").pk,
        "appointment_date": clinic_dt(alpha, "2027-01-08 08:00").isoformat(),
        "duration_minutes": 60,
        "status": "confirmed",
        "reason": "Braces",
        "notes": "Bring x-rays",
    }
    response = client.put(f"/api/appointments/{appointment['id']}", payload)
    assert response.status_code == HTTPStatus.OK, response.json()
    body = response.json()
    assert (body["dentist_id"], body["status"], body["notes"]) == (
        payload["dentist_id"],
        "confirmed",
        "Bring x-rays",
    )


def test_completed_appointments_cannot_be_moved(api, alpha):
    client = api(alpha, "receptionist")
    url = f"/api/appointments/{book(client, alpha, '2027-01-06 10:00').json()['id']}"
    with time_machine.travel(DURING_THE_VISIT):
        client = api(alpha, "receptionist")
        for status in ("checked_in", "completed"):
            assert client.patch(url, {"status": status}).status_code == HTTPStatus.OK
        response = client.patch(url, {"duration_minutes": 60})
    assert response.json()["error"]["code"] == "appointment_not_reschedulable"


def test_patient_books_for_themself_only(api, alpha):
    client = api(alpha, "patient")
    own = client.post(
        "/api/appointments",
        {
            "dentist_id": world_dentist(alpha).pk,
            "appointment_date": clinic_dt(alpha, "2027-01-06 10:00").isoformat(),
        },
    )
    assert own.status_code == HTTPStatus.CREATED
    assert own.json()["patient_id"] == world_patient(alpha).pk
    other = book(client, alpha, "2027-01-06 11:00", patient="patient2")
    assert other.status_code == HTTPStatus.FORBIDDEN


def test_patient_may_confirm_or_cancel_but_not_check_in(api, alpha):
    staff = api(alpha, "receptionist")
    url = f"/api/appointments/{book(staff, alpha, '2027-01-06 10:00').json()['id']}"
    client = api(alpha, "patient")
    assert client.patch(url, {"status": "checked_in"}).status_code == 403
    assert client.patch(url, {"notes": "x"}).status_code == 403
    assert client.patch(url, {"status": "confirmed"}).status_code == 200
    assert client.delete(url).json()["status"] == "cancelled"


def test_archived_patient_cannot_be_booked(api, alpha):
    assert (
        api(alpha, "admin")
        .delete(f"/api/patients/{world_patient(alpha).pk}")
        .status_code
        == 204
    )
    response = book(api(alpha, "receptionist"), alpha, "2027-01-06 10:00")
    assert response.json()["error"]["code"] == "appointment_patient_archived"
