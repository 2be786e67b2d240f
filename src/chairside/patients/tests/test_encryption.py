"""Medical history is ciphertext in the database, rotates to a new key,
and never shows up in logs."""

from __future__ import annotations

import logging

import pytest
from cryptography.fernet import Fernet
from django.core.management import call_command
from django.db import connection
from django.test import override_settings
from django_tenants.utils import schema_context

from chairside.core import crypto
from chairside.core.actors import COMMAND
from chairside.patients.models import Patient
from chairside.patients.services import patient_rotate_encryption
from tests.world_clinical import world_patient

pytestmark = pytest.mark.django_db

SECRET = "Type 2 diabetes; HIV positive"


def _raw(pk: int) -> str:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT medical_history FROM patients_patient WHERE id = %s", [pk]
        )
        return cursor.fetchone()[0]


def test_history_is_stored_encrypted(alpha):
    with schema_context(alpha.schema_name):
        patient = Patient.objects.create(
            first_name="A", last_name="B", email="enc@x.test", medical_history=SECRET
        )
        raw = _raw(patient.pk)
        assert SECRET not in raw
        assert crypto.decrypt(raw) == SECRET
        assert Patient.objects.get(pk=patient.pk).medical_history == SECRET
        # The audit snapshot holds ciphertext too.
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT medical_history FROM patients_patientevent"
                " WHERE pgh_obj_id = %s",
                [patient.pk],
            )
            assert all(SECRET not in row[0] for row in cursor.fetchall())


def test_key_rotation(alpha, settings):
    old_key = settings.FIELD_ENCRYPTION_KEYS[0]
    new_key = Fernet.generate_key().decode()
    with schema_context(alpha.schema_name):
        patient = world_patient(alpha)
        before = _raw(patient.pk)
        # 1. The new key goes first; the old one stays to read old tokens.
        with override_settings(FIELD_ENCRYPTION_KEYS=[new_key, old_key]):
            assert Patient.objects.get(pk=patient.pk).medical_history.endswith(
                "penicillin"
            )
            # 2. Re-encrypt everything under the new key.
            assert patient_rotate_encryption(actor=COMMAND) >= 2
            after = _raw(patient.pk)
            assert after != before
        # 3. The old key can go: everything reads with the new key alone...
        with override_settings(FIELD_ENCRYPTION_KEYS=[new_key]):
            assert Patient.objects.get(pk=patient.pk).medical_history.endswith(
                "penicillin"
            )
        # ... and not with the old one alone.
        with (
            override_settings(FIELD_ENCRYPTION_KEYS=[old_key]),
            pytest.raises(crypto.InvalidToken),
        ):
            Patient.objects.get(pk=patient.pk)


def test_rotate_command_runs_per_clinic(alpha, beta, settings):
    new_key = Fernet.generate_key().decode()
    with override_settings(
        FIELD_ENCRYPTION_KEYS=[new_key, *settings.FIELD_ENCRYPTION_KEYS]
    ):
        call_command("rotate_encryption_keys")
        with override_settings(FIELD_ENCRYPTION_KEYS=[new_key]):
            for clinic in (alpha, beta):
                assert world_patient(clinic).medical_history.endswith("penicillin")


def test_history_never_reaches_the_logs(api, alpha, caplog):
    caplog.set_level(logging.DEBUG)
    client = api(alpha, "dentist")
    created = client.post(
        "/api/patients",
        {
            "first_name": "L",
            "last_name": "G",
            "email": "log@x.test",
            "medical_history": SECRET,
        },
    ).json()
    client.get(f"/api/patients/{created['id']}")
    client.put(
        f"/api/patients/{created['id']}",
        {
            "first_name": "L",
            "last_name": "G",
            "email": "bad",
            "medical_history": SECRET,
        },
    )
    assert SECRET not in caplog.text
    assert SECRET not in repr(Patient(medical_history=SECRET))


def test_missing_key_is_refused_outside_debug(settings):
    from django.core.exceptions import ImproperlyConfigured

    settings.FIELD_ENCRYPTION_KEYS = []
    settings.DEBUG = False
    with pytest.raises(ImproperlyConfigured):
        crypto.encrypt("x")
    from chairside.core.checks import encryption_keys_configured

    assert [e.id for e in encryption_keys_configured()] == ["chairside.E001"]
