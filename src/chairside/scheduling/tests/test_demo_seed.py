"""The clinical demo seed: enough data to look real, idempotent."""

from __future__ import annotations

import pytest
import time_machine
from django.db.models import Count
from django_tenants.utils import schema_context

from chairside.demo.clinical import PATIENT_COUNT, seed_clinical
from chairside.patients.models import Patient
from chairside.scheduling.models import Appointment, Chair, Dentist

pytestmark = pytest.mark.django_db


def test_seed_fills_a_week_and_is_idempotent(beta):
    with (
        time_machine.travel("2027-01-06T11:00:00Z", tick=True),  # a Wednesday
        schema_context(beta.schema_name),
    ):
        seed_clinical(beta)
        counts = (
            Patient.objects.count(),
            Dentist.objects.count(),
            Chair.objects.count(),
            Appointment.objects.count(),
        )
        seed_clinical(beta)
        again = (
            Patient.objects.count(),
            Dentist.objects.count(),
            Chair.objects.count(),
            Appointment.objects.count(),
        )
        statuses = dict(
            Appointment.objects.values_list("status")
            .annotate(n=Count("id"))
            .values_list("status", "n")
        )
        patient = Patient.objects.get(email="patient@beta.test")
        assert patient.user is not None
    assert counts == again
    patients, dentists, chairs, appointments = counts
    assert patients == PATIENT_COUNT
    assert dentists >= 3
    assert chairs >= 3
    assert appointments > 60
    # Past days are done, later days are booked.
    assert statuses.get("completed", 0) > 0
    assert statuses.get("scheduled", 0) + statuses.get("confirmed", 0) > 0
