"""The audit trail: who, when, what changed, from where; append-only."""

from __future__ import annotations

from http import HTTPStatus

import pytest
from django.db import DatabaseError, connection, transaction
from django_tenants.utils import schema_context

from chairside.patients.models import PatientEvent
from conftest import world_user
from tests.world_clinical import world_patient

pytestmark = pytest.mark.django_db


def _events(client, **params):
    query = "&".join(f"{k}={v}" for k, v in params.items())
    response = client.get(f"/api/audit?{query}")
    assert response.status_code == HTTPStatus.OK, response.json()
    return response.json()["items"]


def test_patient_create_update_archive_are_recorded_with_actor_and_ip(api, alpha):
    client = api(alpha, "admin")
    created = client.post(
        "/api/patients",
        {"first_name": "Ada", "last_name": "L", "email": "ada@x.test"},
        REMOTE_ADDR="203.0.113.9",
    ).json()
    client.patch(f"/api/patients/{created['id']}", {"address": "Here"})
    client.delete(f"/api/patients/{created['id']}")
    events = _events(client, model="patients.Patient", object_id=created["id"])
    assert [e["action"] for e in events] == ["archive", "update", "create"]
    admin = world_user(alpha, "admin")
    create = events[-1]
    assert (create["actor_id"], create["actor_email"]) == (admin.pk, admin.email)
    assert create["ip"] == "203.0.113.9"
    assert create["method"] == "POST"
    assert create["path"] == "/api/patients"
    assert events[1]["changes"]["address"] == ["", "Here"]
    assert events[0]["changes"]["is_archived"] == [False, True]


def test_medical_history_reads_are_recorded_but_never_shown(api, alpha):
    patient = world_patient(alpha)
    api(alpha, "dentist").get(f"/api/patients/{patient.pk}")
    # A receptionist's read does not include the history: not a history read.
    api(alpha, "receptionist").get(f"/api/patients/{patient.pk}")
    reads = _events(
        api(alpha, "admin"), object_id=patient.pk, action="medical_history.read"
    )
    assert len(reads) == 1
    assert reads[0]["actor_id"] == world_user(alpha, "dentist").pk
    assert reads[0]["snapshot"]["medical_history"] == "[redacted]"


def test_appointment_changes_are_recorded(api, alpha):
    import time_machine

    from tests.world_clinical import clinic_dt, world_dentist

    with time_machine.travel("2027-01-05T12:00:00Z", tick=True):
        client = api(alpha, "receptionist")
        appointment = client.post(
            "/api/appointments",
            {
                "patient_id": world_patient(alpha).pk,
                "dentist_id": world_dentist(alpha).pk,
                "appointment_date": clinic_dt(alpha, "2027-01-06 10:00").isoformat(),
            },
        ).json()
        client.delete(f"/api/appointments/{appointment['id']}")
        events = _events(
            api(alpha, "admin"),
            model="scheduling.Appointment",
            object_id=appointment["id"],
        )
    assert [e["action"] for e in events] == ["update", "create"]
    assert events[0]["changes"]["status"] == ["scheduled", "cancelled"]


def test_event_tables_refuse_update_and_delete(alpha):
    with schema_context(alpha.schema_name):
        assert PatientEvent.objects.exists()
        for sql in (
            "UPDATE patients_patientevent SET first_name = 'x'",
            "DELETE FROM patients_patientevent",
        ):
            with pytest.raises(DatabaseError), transaction.atomic():
                connection.cursor().execute(sql)


@pytest.mark.parametrize("role", ["dentist", "receptionist", "patient"])
def test_only_admins_read_the_trail(api, alpha, role):
    assert api(alpha, role).get("/api/audit").status_code == HTTPStatus.FORBIDDEN


def test_trail_is_read_only_through_the_api(api, alpha):
    client = api(alpha, "admin")
    for method in (client.post, client.put, client.patch, client.delete):
        assert method("/api/audit").status_code == HTTPStatus.METHOD_NOT_ALLOWED


def test_clinic_trails_are_separate(api, alpha, beta):
    api(alpha, "dentist").get(f"/api/patients/{world_patient(alpha).pk}")
    beta_reads = _events(api(beta, "admin"), action="medical_history.read")
    assert all(
        e["actor_email"] is None or "@beta.test" in e["actor_email"] for e in beta_reads
    )
    assert not any(e["path"] and "alpha" in e["path"] for e in beta_reads)


def test_erasure_redacts_the_patients_snapshots_but_keeps_the_events(api, alpha):
    client = api(alpha, "admin")
    created = client.post(
        "/api/patients",
        {"first_name": "Forget", "last_name": "Me", "email": "forget@x.test"},
    ).json()
    client.patch(f"/api/patients/{created['id']}", {"address": "Secret St"})
    assert client.post(f"/api/patients/{created['id']}/erase").status_code == 200
    events = _events(client, model="patients.Patient", object_id=created["id"])
    assert [e["action"] for e in events] == ["delete", "update", "create"]
    for event in events:
        assert event["snapshot"]["first_name"] == "Erased"
        assert event["snapshot"]["address"] == ""
        assert "forget" not in str(event).lower()


@pytest.mark.parametrize(
    ("path", "recorded"),
    [
        (
            "/accounts/password/reset/key/3-abc123-secret/",
            "/accounts/password/reset/key/[redacted]/",
        ),
        ("/welcome/s3cr3t-token/", "/welcome/[redacted]/"),
        ("/appointments/cancel/s3cr3t.token/", "/appointments/cancel/[redacted]/"),
        ("/api/patients", "/api/patients"),
    ],
)
def test_secrets_in_the_path_never_reach_the_trail(alpha, rf, path, recorded):
    """A change made while serving a URL that carries a secret (a password
    reset key, a welcome or reminder-link token) records the path without it."""
    from chairside.audit.middleware import AuditContextMiddleware

    def view(request):
        with schema_context(alpha.schema_name):
            world_patient(alpha).save()  # any audited write
        from django.http import HttpResponse

        return HttpResponse()

    AuditContextMiddleware(view)(rf.post(path))
    with schema_context(alpha.schema_name):
        event = PatientEvent.objects.order_by("-pgh_id").select_related("pgh_context")[
            0
        ]
    assert event.pgh_context.metadata["url"] == recorded


def test_a_bound_with_a_time_is_that_instant_even_at_midnight(api, alpha):
    """`to=<today>T00:00:00Z` ends at that instant; read as a plain date it
    took in the whole day (and the change just made)."""
    from datetime import UTC, datetime

    client = api(alpha, "admin")
    created = client.post(
        "/api/patients",
        {"first_name": "Mid", "last_name": "Night", "email": "mid@x.test"},
    ).json()
    midnight = datetime.now(UTC).date().isoformat() + "T00:00:00Z"
    before = _events(
        client, model="patients.Patient", object_id=created["id"], to=midnight
    )
    assert before == []
    today = _events(
        client, model="patients.Patient", object_id=created["id"], to=midnight[:10]
    )
    assert [e["action"] for e in today] == ["create"]
