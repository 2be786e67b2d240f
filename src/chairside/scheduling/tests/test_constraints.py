"""A broken constraint is recognised by the name PostgreSQL reports, never by
words that happen to appear in the message (the message quotes the values)."""

from __future__ import annotations

from http import HTTPStatus

import pytest
from django.db import IntegrityError, transaction
from django_tenants.utils import schema_context

from chairside.core.db import constraint_name
from chairside.scheduling.appointments import SLOT_CONSTRAINTS
from chairside.scheduling.models import Appointment
from tests.world_clinical import clinic_dt, world_chair, world_dentist, world_patient

pytestmark = pytest.mark.django_db

DENTIST = {"first_name": "Nia", "last_name": "Enamel", "license_number": "LIC-77"}


def test_a_taken_email_that_mentions_license_number_is_an_email_conflict(api, alpha):
    """The email is quoted in the message: "license_number" in it used to
    make a taken email read as a taken license number."""
    client = api(alpha, "admin")
    email = "license_number@clinic.test"
    assert client.post("/api/dentists", {**DENTIST, "email": email}).status_code == 201
    response = client.post(
        "/api/dentists", {**DENTIST, "email": email, "license_number": "LIC-78"}
    )
    assert response.status_code == HTTPStatus.CONFLICT
    assert response.json()["error"]["code"] == "dentist_email_taken"


def test_a_taken_license_that_mentions_email_is_a_license_conflict(api, alpha):
    client = api(alpha, "admin")
    license_number = "email-1"
    first = {**DENTIST, "email": "a@clinic.test", "license_number": license_number}
    assert client.post("/api/dentists", first).status_code == 201
    response = client.post("/api/dentists", {**first, "email": "b@clinic.test"})
    assert response.json()["error"]["code"] == "dentist_license_taken"


def test_a_chair_name_is_recognised_by_its_constraint(api, alpha):
    client = api(alpha, "admin")
    assert client.post("/api/chairs", {"name": "Window"}).status_code == 201
    response = client.post("/api/chairs", {"name": "Window"})
    assert response.json()["error"]["code"] == "chair_name_taken"


def test_the_overlap_constraints_report_their_names(alpha):
    with schema_context(alpha.schema_name):
        fields = {
            "patient": world_patient(alpha),
            "dentist": world_dentist(alpha),
            "chair": world_chair(alpha),
            "starts_at": clinic_dt(alpha, "2027-02-02 10:00"),
        }
        Appointment.objects.create(**fields)
        with pytest.raises(IntegrityError) as broken, transaction.atomic():
            Appointment.objects.create(**fields)
    assert constraint_name(broken.value) in SLOT_CONSTRAINTS
