from __future__ import annotations

from http import HTTPStatus

import pytest
from django_tenants.utils import schema_context

from chairside.patients.models import Patient
from chairside.web.tests.factories import patient_make

pytestmark = pytest.mark.django_db


def test_instant_search_returns_only_the_results_for_htmx(web, alpha):
    with schema_context(alpha.schema_name):
        patient_make(first_name="Zelda", last_name="Quartz")
    client = web(alpha, "receptionist")

    partial = client.get("/app/patients/?q=zel", HTTP_HX_REQUEST="true")
    full = client.get("/app/patients/?q=zel")

    assert "Quartz" in partial.content.decode()
    assert "<html" not in partial.content.decode()
    assert "<html" in full.content.decode()


def test_create_patient_with_inline_errors(web, alpha):
    client = web(alpha, "receptionist")

    bad = client.post("/app/patients/new/", {"first_name": "A", "email": "nope"})
    assert bad.status_code == HTTPStatus.BAD_REQUEST
    assert 'id="id_last_name_error"' in bad.content.decode()

    good = client.post(
        "/app/patients/new/",
        {"first_name": "Ana", "last_name": "Root", "email": "ana@root.test"},
    )
    assert good.status_code == HTTPStatus.FOUND
    with schema_context(alpha.schema_name):
        assert Patient.objects.filter(email="ana@root.test").exists()


def test_receptionist_cannot_read_medical_history(web, alpha):
    with schema_context(alpha.schema_name):
        patient = patient_make(medical_history="Penicillin allergy")
    client = web(alpha, "receptionist")

    page = client.get(f"/app/patients/{patient.pk}/").content.decode()
    history = client.get(f"/app/patients/{patient.pk}/history/")

    assert "Penicillin" not in page
    assert "/history/" not in page
    assert history.status_code == HTTPStatus.FORBIDDEN


def test_dentist_reading_medical_history_is_audited(web, alpha):
    from pghistory.models import Events

    with schema_context(alpha.schema_name):
        patient = patient_make(medical_history="Penicillin allergy")
        before = Events.objects.filter(pgh_obj_id=str(patient.pk)).count()
    client = web(alpha, "dentist")

    page = client.get(f"/app/patients/{patient.pk}/").content.decode()
    assert "Penicillin" not in page  # shown only on request
    history = client.get(f"/app/patients/{patient.pk}/history/", HTTP_HX_REQUEST="true")

    assert "Penicillin allergy" in history.content.decode()
    with schema_context(alpha.schema_name):
        events = Events.objects.filter(pgh_obj_id=str(patient.pk))
        assert events.count() == before + 1
