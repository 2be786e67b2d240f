"""One output shape per audience: a patient never gets the clinic's own
fields of an appointment (notes, who booked), through any output."""

from __future__ import annotations

from http import HTTPStatus

import pytest
from django_tenants.utils import schema_context

from chairside.notifications.content import appointment_reminder_content
from chairside.scheduling.models import Appointment
from conftest import world_user
from tests.world_clinical import clinic_dt, world_chair, world_dentist, world_patient

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen")]

SECRET = "Suspected bruxism; patient anxious, sedation next time"
STAFF_ONLY = {"notes", "created_by_id"}


@pytest.fixture
def noted(alpha):
    with schema_context(alpha.schema_name):
        return Appointment.objects.create(
            patient=world_patient(alpha),
            dentist=world_dentist(alpha),
            chair=world_chair(alpha),
            starts_at=clinic_dt(alpha, "2027-01-08 10:00"),
            notes=SECRET,
            created_by=world_user(alpha, "receptionist"),
        )


def _patient_outputs(client, appointment):
    path = f"/api/appointments/{appointment.pk}"
    yield "detail", client.get(path)
    yield "list", client.get("/api/appointments")
    yield "patch", client.patch(path, {"reason": "Checkup"})
    yield (
        "put",
        client.put(
            path,
            {
                "patient_id": appointment.patient_id,
                "dentist_id": appointment.dentist_id,
                "chair_id": appointment.chair_id,
                "appointment_date": appointment.starts_at.isoformat(),
                "status": "scheduled",
                "reason": "Checkup",
            },
        ),
    )
    yield "delete", client.delete(path)


def _bodies(response):
    body = response.json()
    return body.get("items", [body])


def test_no_appointment_output_gives_a_patient_the_staff_fields(api, alpha, noted):
    client = api(alpha, "patient")
    for name, response in _patient_outputs(client, noted):
        assert response.status_code == HTTPStatus.OK, (name, response.json())
        assert SECRET not in response.content.decode(), name
        for body in _bodies(response):
            assert not STAFF_ONLY & set(body), name
            assert body["id"] == noted.pk


def test_the_booking_answer_to_a_patient_has_no_staff_fields(api, alpha):
    response = api(alpha, "patient").post(
        "/api/appointments",
        {
            "dentist_id": world_dentist(alpha).pk,
            "appointment_date": clinic_dt(alpha, "2027-01-07 10:00").isoformat(),
        },
    )
    assert response.status_code == HTTPStatus.CREATED, response.json()
    assert not STAFF_ONLY & set(response.json())


@pytest.mark.parametrize("local", ["receptionist", "dentist", "admin"])
def test_staff_get_the_notes(api, alpha, noted, local):
    client = api(alpha, local)
    detail = client.get(f"/api/appointments/{noted.pk}").json()
    assert detail["notes"] == SECRET
    assert detail["created_by_id"] == world_user(alpha, "receptionist").pk
    listed = client.get("/api/appointments?scope=all").json()["items"]
    assert [a["notes"] for a in listed if a["id"] == noted.pk] == [SECRET]


def test_portal_pages_do_not_show_the_notes(web, alpha, noted):
    client = web(alpha, "patient")
    for path in ("/portal/", f"/portal/visits/{noted.pk}/move/"):
        response = client.get(path)
        assert response.status_code == HTTPStatus.OK, path
        assert SECRET not in response.content.decode(), path


def test_the_reminder_does_not_carry_the_notes(alpha, noted):
    with schema_context(alpha.schema_name):
        content = appointment_reminder_content(
            appointment=noted, clinic=alpha, language="en"
        )
    assert SECRET not in content.subject + content.text + content.sms
