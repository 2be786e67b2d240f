"""privacy.services.patient_erase decides itself who may erase, and every
app's erase step refuses anyone else too (no adapter in front)."""

from __future__ import annotations

import pytest
from django_tenants.utils import schema_context

from chairside.billing import erasure as billing_erasure
from chairside.core.errors import PermissionDenied
from chairside.notifications import erasure as notifications_erasure
from chairside.patients.models import Patient
from chairside.payments import erasure as payments_erasure
from chairside.privacy import services
from chairside.scheduling import erasure as scheduling_erasure
from conftest import world_user
from tests.world_clinical import world_patient

pytestmark = pytest.mark.django_db

STEPS = [
    billing_erasure.erase_patient,
    notifications_erasure.erase_patient,
    payments_erasure.erase_patient,
    scheduling_erasure.erase_patient,
    scheduling_erasure.appointments_delete,
]


@pytest.mark.parametrize("role", ["dentist", "receptionist", "patient"])
def test_only_admins_erase(alpha, role):
    patient = world_patient(alpha)
    with schema_context(alpha.schema_name):
        with pytest.raises(PermissionDenied):
            services.patient_erase(actor=world_user(alpha, role), patient=patient)
        assert Patient.objects.get(pk=patient.pk).first_name == patient.first_name


@pytest.mark.parametrize(
    "step", STEPS, ids=[f"{s.__module__}.{s.__name__}" for s in STEPS]
)
def test_no_erase_step_runs_for_a_non_admin(alpha, step):
    patient = world_patient(alpha)
    with schema_context(alpha.schema_name), pytest.raises(PermissionDenied):
        step(actor=world_user(alpha, "dentist"), patient_id=patient.pk)


def test_an_admin_erases_directly(alpha):
    patient = world_patient(alpha)
    with schema_context(alpha.schema_name):
        outcome = services.patient_erase(
            actor=world_user(alpha, "admin"), patient=patient
        )
        assert outcome in ("deleted", "anonymized")
        kept = Patient.objects.filter(pk=patient.pk, first_name=patient.first_name)
        assert not kept.exists()
