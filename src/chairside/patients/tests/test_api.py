"""/api/patients: CRUD, validation, search, archive and erasure."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from http import HTTPStatus

import pytest
from django.utils import timezone
from django_tenants.utils import schema_context

from chairside.patients.models import Patient
from tests.world_clinical import world_patient

pytestmark = pytest.mark.django_db

NEW = {
    "first_name": "Grace",
    "last_name": "Hopper",
    "email": "Grace.Hopper@Example.test",
    "phone": "(212) 555-0199",
    "date_of_birth": "1906-12-09",
    "address": "1 Navy Yard",
}


def test_create_normalises_email_and_phone_with_the_clinic_region(api, alpha):
    response = api(alpha, "receptionist").post("/api/patients", NEW)
    assert response.status_code == HTTPStatus.CREATED, response.json()
    body = response.json()
    assert body["email"] == "grace.hopper@example.test"
    assert body["phone"] == "+12125550199"  # alpha is in New York
    # Receptionists do not see health records.
    assert body["medical_history"] is None


def test_national_numbers_read_with_beta_region(api, beta):
    body = api(beta, "admin").post("/api/patients", {**NEW, "phone": "612 34 56 78"})
    assert body.json()["phone"] == "+34612345678"


@pytest.mark.parametrize("phone", ["12", "not a phone", "+1 555"])
def test_invalid_phone_is_refused(api, alpha, phone):
    response = api(alpha, "admin").post("/api/patients", {**NEW, "phone": phone})
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert response.json()["error"]["code"] == "patient_invalid_phone"


def test_birth_date_in_the_future_is_refused(api, alpha):
    tomorrow = (timezone.now().date() + timedelta(days=2)).isoformat()
    response = api(alpha, "admin").post(
        "/api/patients", {**NEW, "date_of_birth": tomorrow}
    )
    assert response.json()["error"]["code"] == "patient_birth_date_in_future"


def test_email_is_unique_case_insensitively(api, alpha):
    client = api(alpha, "admin")
    client.post("/api/patients", NEW)
    again = client.post("/api/patients", {**NEW, "email": "GRACE.hopper@example.test"})
    assert again.status_code == HTTPStatus.CONFLICT
    assert again.json()["error"]["code"] == "patient_email_taken"


def test_missing_required_fields_are_422(api, alpha):
    response = api(alpha, "admin").post("/api/patients", {"first_name": "X"})
    assert response.status_code == HTTPStatus.UNPROCESSABLE_ENTITY


def test_dentist_writes_and_reads_medical_history(api, alpha):
    client = api(alpha, "dentist")
    created = client.post("/api/patients", {**NEW, "medical_history": "Asthma"}).json()
    assert created["medical_history"] == "Asthma"
    assert (
        client.get(f"/api/patients/{created['id']}").json()["medical_history"]
        == "Asthma"
    )


def test_receptionist_cannot_write_medical_history(api, alpha):
    response = api(alpha, "receptionist").post(
        "/api/patients", {**NEW, "medical_history": "Asthma"}
    )
    assert response.status_code == HTTPStatus.FORBIDDEN


def test_receptionist_put_leaves_medical_history_alone(api, alpha):
    patient = world_patient(alpha)
    response = api(alpha, "receptionist").put(
        f"/api/patients/{patient.pk}", {**NEW, "email": patient.email}
    )
    assert response.status_code == HTTPStatus.OK
    with schema_context(alpha.schema_name):
        assert "penicillin" in Patient.objects.get(pk=patient.pk).medical_history


def test_patch_changes_only_what_is_sent(api, alpha):
    patient = world_patient(alpha)
    response = api(alpha, "admin").patch(
        f"/api/patients/{patient.pk}", {"address": "2 Elm"}
    )
    assert response.status_code == HTTPStatus.OK
    body = response.json()
    assert (body["address"], body["first_name"], body["phone"]) == (
        "2 Elm",
        "Pat",
        "+12025550101",
    )


def test_patch_null_on_a_required_field_is_422(api, alpha):
    response = api(alpha, "admin").patch(
        f"/api/patients/{world_patient(alpha).pk}", {"first_name": None}
    )
    assert response.status_code == HTTPStatus.UNPROCESSABLE_ENTITY


def test_patient_reads_and_edits_own_record(api, alpha):
    own = world_patient(alpha)
    client = api(alpha, "patient")
    assert (
        client.get(f"/api/patients/{own.pk}")
        .json()["medical_history"]
        .endswith("penicillin")
    )
    assert (
        client.patch(f"/api/patients/{own.pk}", {"address": "Home"}).status_code == 200
    )
    # ... but cannot relink the record to another account
    assert (
        client.patch(
            f"/api/patients/{own.pk}", {"user_id": own.user_id + 1000}
        ).status_code
        == 403
    )


def test_delete_archives_and_hides_from_the_list(api, alpha):
    patient = world_patient(alpha, "patient2")
    client = api(alpha, "admin")
    assert (
        client.delete(f"/api/patients/{patient.pk}").status_code
        == HTTPStatus.NO_CONTENT
    )
    with schema_context(alpha.schema_name):
        row = Patient.objects.get(pk=patient.pk)
    assert row.is_archived
    assert row.archived_at is not None
    listed = {p["id"] for p in client.get("/api/patients").json()["items"]}
    assert patient.pk not in listed
    archived = client.get("/api/patients?archived=true").json()["items"]
    assert [p["id"] for p in archived] == [patient.pk]
    # Still readable by id; no longer editable.
    assert client.get(f"/api/patients/{patient.pk}").json()["is_archived"] is True
    assert (
        client.patch(f"/api/patients/{patient.pk}", {"address": "x"}).status_code == 409
    )


# --- search ----------------------------------------------------------------


@pytest.fixture
def crowd(alpha):
    people = [
        ("John", "Smith", "john.smith@mail.test", "+12125550100"),
        ("Johanna", "Doe", "jd@mail.test", "+12125550111"),
        ("Mary", "Johnson", "mary@mail.test", "+12125550122"),
        ("Peter", "Parker", "spidey@mail.test", "+14155550133"),
    ]
    with schema_context(alpha.schema_name):
        return [
            Patient.objects.create(first_name=f, last_name=last, email=e, phone=p)
            for f, last, e, p in people
        ]


def _search(client, q):
    response = client.get(f"/api/patients?q={q}")
    assert response.status_code == HTTPStatus.OK
    return [p["last_name"] for p in response.json()["items"]]


def test_search_by_name_prefix_best_first(api, alpha, crowd):
    client = api(alpha, "receptionist")
    names = _search(client, "joh")
    assert set(names) == {"Smith", "Doe", "Johnson"}
    assert _search(client, "john%20smi") == ["Smith"]


def test_search_by_email_and_email_parts(api, alpha, crowd):
    client = api(alpha, "dentist")
    assert _search(client, "spidey") == ["Parker"]
    assert _search(client, "john.smith%40mail") == ["Smith"]


def test_search_by_phone_with_or_without_country_code(api, alpha, crowd):
    client = api(alpha, "admin")
    assert _search(client, "4155550") == ["Parker"]
    assert _search(client, "%2B1%20415%20555") == ["Parker"]
    assert set(_search(client, "212555")) == {"Smith", "Doe", "Johnson"}


def test_search_ignores_tsquery_syntax(api, alpha, crowd):
    client = api(alpha, "admin")
    assert _search(client, "%27%26%7C%21%3A*") == []
    assert _search(client, "smith%20%26%20!") == ["Smith"]


def test_search_uses_the_gin_index(alpha, crowd):
    from django.db import connection

    with schema_context(alpha.schema_name), connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(
            "EXPLAIN SELECT id FROM patients_patient WHERE search_vector @@ "
            "to_tsquery('simple', 'joh:*')"
        )
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "patient_search_gin" in plan


# --- erasure ---------------------------------------------------------------


def _invoice(clinic, patient, status):
    from chairside.billing.models import Invoice

    with schema_context(clinic.schema_name):
        return Invoice.objects.create(
            number=f"T-{patient.pk}-{status}",
            patient=patient,
            currency="USD",
            total_amount=Decimal("100.00"),
            status=status,
            issue_date=date(2026, 1, 1),
            due_date=date(2026, 2, 1),
        )


def test_erasure_refused_while_invoices_are_open(api, alpha):
    patient = world_patient(alpha)
    _invoice(alpha, patient, "pending")
    response = api(alpha, "admin").post(f"/api/patients/{patient.pk}/erase")
    assert response.status_code == HTTPStatus.CONFLICT
    assert response.json()["error"]["code"] == "patient_has_open_invoices"


def test_erasure_without_invoices_deletes(api, alpha):
    created = api(alpha, "admin").post("/api/patients", NEW).json()
    response = api(alpha, "admin").post(f"/api/patients/{created['id']}/erase")
    assert response.json() == {"outcome": "deleted"}
    with schema_context(alpha.schema_name):
        assert not Patient.objects.filter(pk=created["id"]).exists()


def test_erasure_with_settled_invoices_anonymizes(api, alpha):
    patient = world_patient(alpha)
    _invoice(alpha, patient, "paid")
    response = api(alpha, "admin").post(f"/api/patients/{patient.pk}/erase")
    assert response.json() == {"outcome": "anonymized"}
    with schema_context(alpha.schema_name):
        row = Patient.objects.get(pk=patient.pk)
        assert (row.first_name, row.medical_history, row.user_id) == (
            "Erased",
            "",
            None,
        )
        assert row.is_archived


@pytest.mark.parametrize("role", ["dentist", "receptionist", "patient"])
def test_only_admins_erase(api, alpha, role):
    patient = world_patient(alpha)
    response = api(alpha, role).post(f"/api/patients/{patient.pk}/erase")
    assert response.status_code in (HTTPStatus.FORBIDDEN, HTTPStatus.NOT_FOUND)


def test_only_clinicians_see_the_history_on_every_answer(api, alpha):
    dentist, desk = api(alpha, "dentist"), api(alpha, "receptionist")
    created = dentist.post(
        "/api/patients", {**NEW, "medical_history": "Penicillin allergy"}
    ).json()
    assert created["medical_history"] == "Penicillin allergy"
    path = f"/api/patients/{created['id']}"
    assert dentist.get(path).json()["medical_history"] == "Penicillin allergy"
    assert desk.get(path).json()["medical_history"] is None
    changed = desk.patch(path, {"address": "2 Navy Yard"}).json()
    assert (changed["address"], changed["medical_history"]) == ("2 Navy Yard", None)
    listed = desk.get("/api/patients?q=hopper").json()["items"]
    assert listed
    assert "medical_history" not in listed[0]
