"""The patient services decide who may do what themselves: called directly,
with no adapter in front, they refuse the wrong roles."""

from __future__ import annotations

import pytest
from django_tenants.utils import schema_context

from chairside.audit.tracking import MEDICAL_HISTORY_READ
from chairside.core.actors import COMMAND, REMINDERS
from chairside.core.errors import PermissionDenied
from chairside.patients import erasure, services
from chairside.patients.models import Patient, PatientEvent
from conftest import world_user
from tests.world_clinical import world_patient

pytestmark = pytest.mark.django_db


def _reads(patient) -> int:
    return PatientEvent.objects.filter(
        pgh_obj_id=patient.pk, pgh_label=MEDICAL_HISTORY_READ
    ).count()


@pytest.mark.parametrize(
    ("role", "allowed"), [("dentist", True), ("receptionist", False)]
)
def test_the_history_is_read_only_by_clinicians_and_each_read_is_recorded(
    alpha, role, allowed
):
    patient = world_patient(alpha)
    actor = world_user(alpha, role)
    with schema_context(alpha.schema_name):
        if allowed:
            services.patient_medical_history_read(actor=actor, patient=patient)
        else:
            with pytest.raises(PermissionDenied):
                services.patient_medical_history_read(actor=actor, patient=patient)
        assert _reads(patient) == (1 if allowed else 0)


@pytest.mark.parametrize(("role", "recorded"), [("dentist", 1), ("receptionist", 0)])
def test_opening_a_record_records_the_history_read_only_when_it_is_shown(
    alpha, role, recorded
):
    patient = world_patient(alpha)
    with schema_context(alpha.schema_name):
        Patient.objects.filter(pk=patient.pk).update(medical_history="")
        services.patient_open(actor=world_user(alpha, role), patient_id=patient.pk)
        assert _reads(patient) == recorded


def test_a_replace_keeps_what_the_caller_is_not_shown(alpha):
    patient = world_patient(alpha)
    with schema_context(alpha.schema_name):
        row = Patient.objects.get(pk=patient.pk)
        row.medical_history = "Penicillin allergy"
        row.save()
        services.patient_replace(
            actor=world_user(alpha, "receptionist"),
            patient=row,
            data={
                "first_name": row.first_name,
                "last_name": row.last_name,
                "email": row.email,
                "medical_history": "",
                "user_id": None,
            },
        )
        after = Patient.objects.get(pk=patient.pk)
        assert (after.medical_history, after.user_id) == (
            "Penicillin allergy",
            patient.user_id,
        )


@pytest.mark.parametrize("role", ["dentist", "receptionist", "patient"])
def test_only_admins_run_the_records_erase_steps(alpha, role):
    patient = world_patient(alpha)
    actor = world_user(alpha, role)
    with schema_context(alpha.schema_name):
        for step in (
            lambda: erasure.patient_anonymize(actor=actor, patient=patient),
            lambda: erasure.patient_delete(actor=actor, patient=patient),
            lambda: erasure.erase_patient(actor=actor, patient_id=patient.pk),
        ):
            with pytest.raises(PermissionDenied):
                step()
        assert Patient.objects.get(pk=patient.pk).first_name == patient.first_name


@pytest.mark.parametrize(
    "actor", [REMINDERS, "admin"], ids=["another system part", "a person"]
)
def test_only_an_operators_command_rotates_the_encryption_keys(alpha, actor):
    if actor == "admin":
        actor = world_user(alpha, "admin")
    with schema_context(alpha.schema_name), pytest.raises(PermissionDenied):
        services.patient_rotate_encryption(actor=actor)


def test_the_command_rotates_and_the_trail_names_it(alpha):
    with schema_context(alpha.schema_name):
        assert services.patient_rotate_encryption(actor=COMMAND) >= 1
        event = (
            PatientEvent.objects.select_related("pgh_context")
            .order_by("-pgh_id")
            .first()
        )
        assert event.pgh_context.metadata["system"] == "command"
