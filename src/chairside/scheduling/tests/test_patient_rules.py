"""What a patient does themselves is judged by the clinic's online rules in
the service, whichever adapter carries it: every API verb, the portal and a
reminder's link. Staff are not bound by them.

The clock is frozen at Tuesday 2027-01-05 07:00 in alpha (New York); the
default cancellation window is 24 hours, so online changes close 24 hours
before a visit and online bookings open at Wednesday 07:00.
"""

from __future__ import annotations

from http import HTTPStatus

import pytest
from django_tenants.utils import schema_context

from chairside.core.actors import REMINDER_LINK
from chairside.core.errors import ChairsideError
from chairside.scheduling import appointments, resources, selectors
from chairside.scheduling.errors import SchedulingErrorCode
from chairside.scheduling.models import Appointment, AppointmentStatus
from conftest import world_user
from tests.world_clinical import clinic_dt, world_chair, world_dentist, world_patient

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen")]

INSIDE = "2027-01-05 15:00"  # 8 hours ahead: inside the window
OUTSIDE = "2027-01-07 10:00"  # 51 hours ahead
WINDOW = SchedulingErrorCode.CANCELLATION_WINDOW.value


def visit(clinic, wall, *, patient="patient", status=AppointmentStatus.SCHEDULED):
    with schema_context(clinic.schema_name):
        return Appointment.objects.create(
            patient=world_patient(clinic, patient),
            dentist=world_dentist(clinic),
            chair=world_chair(clinic),
            starts_at=clinic_dt(clinic, wall),
            status=status,
            notes="Staff only",
        )


def stored(clinic, appointment):
    with schema_context(clinic.schema_name):
        return Appointment.objects.get(pk=appointment.pk)


# (name, how the patient asks through the API)
VERBS = [
    ("patch status", lambda c, a: c.patch(a, {"status": "cancelled"})),
    ("delete", lambda c, a: c.delete(a)),
    (
        "patch date",
        lambda c, a: c.patch(a, {"appointment_date": "2027-01-08T10:00:00"}),
    ),
    ("patch reason", lambda c, a: c.patch(a, {"reason": "Moved on"})),
]


@pytest.mark.parametrize(("name", "ask"), VERBS, ids=[v[0] for v in VERBS])
def test_patient_cannot_change_a_visit_inside_the_window_through_the_api(
    api, alpha, name, ask
):
    appointment = visit(alpha, INSIDE)
    response = ask(api(alpha, "patient"), f"/api/appointments/{appointment.pk}")

    assert response.status_code == HTTPStatus.CONFLICT, response.json()
    assert response.json()["error"]["code"] == WINDOW
    after = stored(alpha, appointment)
    assert (after.status, after.starts_at, after.reason) == (
        "scheduled",
        appointment.starts_at,
        "",
    )


@pytest.mark.parametrize(("name", "ask"), VERBS, ids=[v[0] for v in VERBS])
def test_patient_changes_a_visit_outside_the_window_through_the_api(
    api, alpha, name, ask
):
    appointment = visit(alpha, OUTSIDE)
    response = ask(api(alpha, "patient"), f"/api/appointments/{appointment.pk}")
    assert response.status_code == HTTPStatus.OK, response.json()


def test_put_inside_the_window_is_refused_too(api, alpha):
    appointment = visit(alpha, INSIDE)
    response = api(alpha, "patient").put(
        f"/api/appointments/{appointment.pk}",
        {
            "patient_id": appointment.patient_id,
            "dentist_id": appointment.dentist_id,
            "chair_id": appointment.chair_id,
            "appointment_date": "2027-01-08T10:00:00",
            "status": "scheduled",
        },
    )
    assert response.json()["error"]["code"] == WINDOW
    assert stored(alpha, appointment).starts_at == appointment.starts_at


def test_patient_cannot_move_a_visit_into_the_window(api, alpha):
    appointment = visit(alpha, OUTSIDE)
    response = api(alpha, "patient").patch(
        f"/api/appointments/{appointment.pk}",
        {"appointment_date": clinic_dt(alpha, "2027-01-05 16:00").isoformat()},
    )
    assert response.json()["error"]["code"] == WINDOW
    assert stored(alpha, appointment).starts_at == appointment.starts_at


def test_patient_may_still_confirm_inside_the_window(api, alpha):
    appointment = visit(alpha, INSIDE)
    response = api(alpha, "patient").patch(
        f"/api/appointments/{appointment.pk}", {"status": "confirmed"}
    )
    assert response.status_code == HTTPStatus.OK, response.json()
    assert stored(alpha, appointment).status == "confirmed"


@pytest.mark.parametrize("status", ["checked_in", "confirmed"])
def test_patient_cannot_cancel_a_checked_in_visit(api, alpha, status):
    """Checked in is the clinic's to handle; confirmed stays the patient's."""
    appointment = visit(alpha, OUTSIDE, status=status)
    response = api(alpha, "patient").delete(f"/api/appointments/{appointment.pk}")
    if status == "checked_in":
        assert response.status_code == HTTPStatus.FORBIDDEN
        assert stored(alpha, appointment).status == "checked_in"
    else:
        assert response.status_code == HTTPStatus.OK


def test_staff_change_visits_inside_the_window(api, alpha):
    appointment = visit(alpha, INSIDE)
    response = api(alpha, "receptionist").delete(f"/api/appointments/{appointment.pk}")
    assert response.status_code == HTTPStatus.OK, response.json()


def test_the_reminder_link_path_is_judged_by_the_window_in_the_service(alpha):
    """The system acting on a signed link, for the patient, gets the same
    rule from scheduling itself, not only from the caller."""
    link = REMINDER_LINK.acting_for("patient via link")
    appointment = visit(alpha, INSIDE)
    with schema_context(alpha.schema_name):
        with pytest.raises(ChairsideError) as refused:
            appointments.appointment_cancel(actor=link, appointment=appointment)
        assert refused.value.code == WINDOW
        appointments.appointment_confirm(actor=link, appointment=appointment)
        assert Appointment.objects.get(pk=appointment.pk).status == "confirmed"


# --- the portal -----------------------------------------------------------


def test_portal_cancel_inside_the_window_is_refused(web, alpha):
    appointment = visit(alpha, INSIDE)
    web(alpha, "patient").post(f"/portal/visits/{appointment.pk}/cancel/")
    assert stored(alpha, appointment).status == "scheduled"


def test_portal_cannot_move_a_visit_into_the_window(web, alpha):
    appointment = visit(alpha, OUTSIDE)
    response = web(alpha, "patient").post(
        f"/portal/visits/{appointment.pk}/move/",
        {
            "dentist": world_dentist(alpha).pk,
            "start": clinic_dt(alpha, "2027-01-05 16:00").isoformat(),
            "reason": "",
        },
    )
    assert response.status_code in (HTTPStatus.OK, HTTPStatus.FOUND)
    assert stored(alpha, appointment).starts_at == appointment.starts_at


def test_portal_offers_no_slot_inside_the_window(web, alpha):
    page = web(alpha, "patient").get("/portal/book/")
    slots = [slot for _day, items in page.context["days"] for slot, _name in items]
    assert slots
    first = min(slot.start for slot in slots)
    assert first >= clinic_dt(alpha, "2027-01-06 07:00")


def test_portal_books_nothing_inside_the_window(web, alpha):
    web(alpha, "patient").post(
        "/portal/book/",
        {
            "dentist": world_dentist(alpha).pk,
            "start": clinic_dt(alpha, "2027-01-05 16:00").isoformat(),
            "reason": "Ache",
        },
    )
    with schema_context(alpha.schema_name):
        assert not Appointment.objects.filter(
            patient=world_patient(alpha), starts_at=clinic_dt(alpha, "2027-01-05 16:00")
        ).exists()


# --- booking rules ----------------------------------------------------------


def book(client, clinic, wall, **extra):
    return client.post(
        "/api/appointments",
        {
            "dentist_id": world_dentist(clinic, "dentist2").pk,
            "appointment_date": clinic_dt(clinic, wall).isoformat(),
            **extra,
        },
    )


def test_patient_cannot_book_a_long_visit_online(api, alpha):
    response = book(
        api(alpha, "patient"), alpha, "2027-01-07 08:00", duration_minutes=480
    )
    assert response.status_code == HTTPStatus.BAD_REQUEST
    error = response.json()["error"]
    assert error["code"] == "appointment_online_duration_too_long"
    assert error["details"] == {"field": "duration_minutes", "max": 120}
    with schema_context(alpha.schema_name):
        assert not Appointment.objects.filter(patient=world_patient(alpha)).exists()


def test_staff_book_long_visits(api, alpha):
    response = book(
        api(alpha, "receptionist"),
        alpha,
        "2027-01-07 08:00",
        duration_minutes=480,
        patient_id=world_patient(alpha).pk,
    )
    assert response.status_code == HTTPStatus.CREATED, response.json()


def test_patient_cannot_book_inside_the_window(api, alpha):
    response = book(api(alpha, "patient"), alpha, "2027-01-05 15:00")
    assert response.status_code == HTTPStatus.CONFLICT
    assert response.json()["error"]["code"] == WINDOW


def test_patient_online_bookings_are_capped(api, alpha):
    client = api(alpha, "patient")
    for hour in ("08:00", "09:00", "10:00"):
        assert book(client, alpha, f"2027-01-07 {hour}").status_code == 201
    # Visits the clinic booked for them do not count.
    visit(alpha, "2027-01-08 10:00")

    response = book(client, alpha, "2027-01-07 11:00")
    assert response.status_code == HTTPStatus.CONFLICT
    assert response.json()["error"]["code"] == "appointment_online_booking_limit"
    assert response.json()["error"]["details"] == {"max": 3}
    # A cancelled one frees its place.
    first = client.get("/api/appointments").json()["items"][0]
    client.delete(f"/api/appointments/{first['id']}")
    assert book(client, alpha, "2027-01-07 11:00").status_code == 201


def test_availability_for_patients_follows_the_booking_rules(api, alpha):
    query = "/api/availability?from=2027-01-05&to=2027-01-06"
    staff_slots = api(alpha, "receptionist").get(query).json()
    patient_slots = api(alpha, "patient").get(query).json()
    earliest = clinic_dt(alpha, "2027-01-06 07:00").isoformat()

    assert any(s["start"] < earliest for s in staff_slots)
    assert patient_slots
    assert all(s["start"] >= earliest for s in patient_slots)
    too_long = api(alpha, "patient").get(f"{query}&duration=480")
    assert too_long.status_code == HTTPStatus.BAD_REQUEST
    assert too_long.json()["error"]["code"] == "appointment_online_duration_too_long"


# --- the settings -----------------------------------------------------------


def test_admin_sets_the_online_rules_and_booking_follows(api, alpha):
    admin = api(alpha, "admin")
    response = admin.patch(
        "/api/scheduling/settings",
        {"max_future_online_bookings": 1, "max_online_duration_minutes": 60},
    )
    assert response.status_code == HTTPStatus.OK, response.json()
    body = response.json()
    assert body["max_future_online_bookings"] == 1
    assert body["max_online_duration_minutes"] == 60
    assert body["cancellation_window_hours"] == 24

    patient = api(alpha, "patient")
    assert patient.get("/api/scheduling/settings").json() == body
    assert (
        book(patient, alpha, "2027-01-07 08:00", duration_minutes=90).status_code == 400
    )
    assert book(patient, alpha, "2027-01-07 08:00").status_code == 201
    assert book(patient, alpha, "2027-01-07 09:00").status_code == 409


def test_a_longer_window_closes_changes_sooner(api, alpha):
    appointment = visit(alpha, OUTSIDE)  # 51 hours ahead
    api(alpha, "admin").patch(
        "/api/scheduling/settings", {"cancellation_window_hours": 72}
    )
    response = api(alpha, "patient").delete(f"/api/appointments/{appointment.pk}")
    assert response.json()["error"]["code"] == WINDOW


@pytest.mark.parametrize("local", ["receptionist", "dentist", "patient"])
def test_only_admins_change_the_online_rules(api, alpha, local):
    response = api(alpha, local).patch(
        "/api/scheduling/settings", {"cancellation_window_hours": 0}
    )
    assert response.status_code == HTTPStatus.FORBIDDEN
    with schema_context(alpha.schema_name):
        assert selectors.scheduling_settings_get().cancellation_window_hours == 24


@pytest.mark.parametrize(
    "payload",
    [
        {"max_online_duration_minutes": 481},
        {"max_online_duration_minutes": 4},
        {"max_future_online_bookings": 0},
        {"cancellation_window_hours": 337},
    ],
)
def test_online_rules_out_of_bounds_are_422(api, alpha, payload):
    response = api(alpha, "admin").patch("/api/scheduling/settings", payload)
    assert response.status_code == HTTPStatus.UNPROCESSABLE_ENTITY


def test_settings_are_per_clinic(api, alpha, beta):
    api(alpha, "admin").patch(
        "/api/scheduling/settings", {"cancellation_window_hours": 2}
    )
    assert (
        api(beta, "admin")
        .get("/api/scheduling/settings")
        .json()["cancellation_window_hours"]
        == 24
    )


def test_the_service_takes_the_acting_admin(alpha):
    with schema_context(alpha.schema_name):
        resources.scheduling_settings_update(
            actor=world_user(alpha, "admin"), changes={"cancellation_window_hours": 4}
        )
        assert selectors.scheduling_settings_get().cancellation_window_hours == 4


def test_the_service_refuses_rules_out_of_bounds_and_writes_nothing(alpha):
    """Pages and tasks reach the service without the API's schema."""
    with schema_context(alpha.schema_name):
        with pytest.raises(ChairsideError) as refused:
            resources.scheduling_settings_update(
                actor=world_user(alpha, "admin"),
                changes={
                    "cancellation_window_hours": 2,
                    "max_online_duration_minutes": 481,
                },
            )
        assert refused.value.code == SchedulingErrorCode.SETTINGS_INVALID
        assert refused.value.details == {"field": "max_online_duration_minutes"}
        assert selectors.scheduling_settings_get().cancellation_window_hours == 24
