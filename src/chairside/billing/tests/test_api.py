"""/api/billing/invoices: issuing, reading, voiding; who sees what."""

from __future__ import annotations

import re
from decimal import Decimal
from http import HTTPStatus

import pytest
from django_tenants.utils import schema_context, tenant_context

from chairside.billing.models import Invoice, InvoiceStatus
from chairside.payments.tests.conftest import invoice_for

pytestmark = pytest.mark.django_db

ITEMS = [
    {
        "description": "Cleaning",
        "quantity": 1,
        "unit_price": "80.00",
        "procedure_code": "D1110",
    },
    {"description": "Bitewing X-ray", "quantity": 2, "unit_price": "20.00"},
]


def test_receptionist_issues_invoice_with_spec_fields(api, alpha, patients):
    response = api(alpha, "receptionist").post(
        "/api/billing/invoices",
        {"patient_id": patients.patient.pk, "items": ITEMS, "total_amount": "120.00"},
    )

    assert response.status_code == HTTPStatus.CREATED, response.content
    body = response.json()
    assert re.fullmatch(r"INV-\d{4}-\d{6}", body["number"])
    assert body["patient_id"] == patients.patient.pk
    assert body["appointment_id"] is None
    assert body["total_amount"] == "120.00"
    assert body["amount_paid"] == "0.00"
    assert body["balance"] == "120.00"
    assert body["status"] == "pending"
    assert body["currency"] == "USD"
    assert body["items"][1] == {
        "description": "Bitewing X-ray",
        "quantity": 2,
        "unit_price": "20.00",
        "procedure_code": "",
        # A manual line: no tooth, no chart entry (visit invoices have them).
        "tooth": "",
        "surfaces": "",
        "chart_entry_id": None,
        "line_total": "40.00",
    }
    assert body["due_date"] > body["issue_date"]


def test_total_amount_must_match_items(api, alpha, patients):
    response = api(alpha, "receptionist").post(
        "/api/billing/invoices",
        {"patient_id": patients.patient.pk, "items": ITEMS, "total_amount": "99.00"},
    )
    assert response.status_code == HTTPStatus.UNPROCESSABLE_ENTITY


@pytest.mark.parametrize(
    "item",
    [
        {"description": "x", "unit_price": "-1.00"},
        {"description": "x", "unit_price": "1.001"},
        {"description": "x", "unit_price": "1.00", "quantity": 0},
        {"description": "", "unit_price": "1.00"},
    ],
)
def test_bad_items_are_refused(api, alpha, patients, item):
    response = api(alpha, "receptionist").post(
        "/api/billing/invoices", {"patient_id": patients.patient.pk, "items": [item]}
    )
    assert response.status_code == HTTPStatus.UNPROCESSABLE_ENTITY


def test_numbers_are_sequential(api, alpha, patients):
    client = api(alpha, "admin")
    numbers = [
        client.post(
            "/api/billing/invoices",
            {"patient_id": patients.patient.pk, "items": ITEMS},
        ).json()["number"]
        for _ in range(3)
    ]
    seq = [int(n.rsplit("-", 1)[1]) for n in numbers]
    assert seq == [seq[0], seq[0] + 1, seq[0] + 2]


def test_failed_invoice_does_not_burn_a_number(api, alpha, patients):
    client = api(alpha, "admin")
    first = client.post(
        "/api/billing/invoices", {"patient_id": patients.patient.pk, "items": ITEMS}
    ).json()["number"]
    refused = client.post(
        "/api/billing/invoices", {"patient_id": 999999, "items": ITEMS}
    )
    second = client.post(
        "/api/billing/invoices", {"patient_id": patients.patient.pk, "items": ITEMS}
    ).json()["number"]
    assert refused.json()["error"]["code"] == "patient_not_found"
    assert int(second[-6:]) == int(first[-6:]) + 1


def test_patient_cannot_issue_invoices(api, alpha, patients):
    response = api(alpha, "patient").post(
        "/api/billing/invoices", {"patient_id": patients.patient.pk, "items": ITEMS}
    )
    assert response.status_code == HTTPStatus.FORBIDDEN


def test_patient_sees_only_own_invoices(api, alpha, patients):
    mine = invoice_for(alpha, patients.patient)
    theirs = invoice_for(alpha, patients.other)
    client = api(alpha, "patient")

    listed = client.get("/api/billing/invoices").json()
    assert [i["id"] for i in listed["items"]] == [mine.pk]
    assert client.get(f"/api/billing/invoices/{mine.pk}").status_code == 200
    response = client.get(f"/api/billing/invoices/{theirs.pk}")
    assert response.status_code == HTTPStatus.NOT_FOUND
    assert response.json()["error"]["code"] == "invoice_not_found"


def test_patient_cannot_read_other_patients_invoice_even_by_filter(
    api, alpha, patients
):
    invoice_for(alpha, patients.other)
    listed = api(alpha, "patient").get(
        f"/api/billing/invoices?patient_id={patients.other.pk}"
    )
    assert listed.json()["count"] == 0


def test_staff_see_all_and_filter(api, alpha, patients):
    invoice_for(alpha, patients.patient)
    other = invoice_for(alpha, patients.other)
    client = api(alpha, "dentist")

    everything = client.get("/api/billing/invoices").json()
    assert everything["count"] >= 2
    filtered = client.get(f"/api/billing/invoices?patient_id={patients.other.pk}")
    assert [i["id"] for i in filtered.json()["items"]] == [other.pk]


def test_beta_staff_get_nothing_of_alphas(api, alpha, beta, patients, beta_patients):
    invoice = invoice_for(alpha, patients.patient)
    response = api(beta, "admin").get(f"/api/billing/invoices/{invoice.pk}")
    # Either no such id in beta's schema, or beta's own invoice: never alpha's.
    if response.status_code == HTTPStatus.OK:
        assert response.json()["number"] != invoice.number or (
            response.json()["patient_id"] != patients.patient.pk
        )
    listed = api(beta, "admin").get("/api/billing/invoices").json()
    with schema_context(beta.schema_name):
        assert listed["count"] == Invoice.objects.count()


def _queries(path: str, client) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        assert client.get(path).status_code == HTTPStatus.OK
    # The audit trail prefixes queries with its context; count real ones.
    return sum("pghistory.context" not in q["sql"] for q in ctx.captured_queries)


def test_list_query_count_is_flat(api, alpha, patients):
    client = api(alpha, "receptionist")
    for _ in range(2):
        invoice_for(alpha, patients.patient)
    few = _queries("/api/billing/invoices?limit=50", client)
    for _ in range(6):
        invoice_for(alpha, patients.other)
    many = _queries("/api/billing/invoices?limit=50", client)
    # auth, count, page, one prefetch of all line items (+ tenant lookup)
    assert many == few <= 7


def test_void_open_invoice(api, alpha, patients):
    invoice = invoice_for(alpha, patients.patient)
    response = api(alpha, "receptionist").put(
        f"/api/billing/invoices/{invoice.pk}",
        {"status": "void", "void_reason": "Wrong patient"},
    )
    assert response.status_code == HTTPStatus.OK, response.content
    assert response.json()["status"] == "void"
    assert response.json()["void_reason"] == "Wrong patient"
    # A void invoice takes no payment and cannot be edited.
    again = api(alpha, "receptionist").put(
        f"/api/billing/invoices/{invoice.pk}", {"notes": "late"}
    )
    assert again.status_code == HTTPStatus.CONFLICT


def test_void_refused_while_money_is_held(api, alpha, patients):
    invoice = invoice_for(alpha, patients.patient)
    paid = api(alpha, "receptionist").post(
        "/api/payments",
        {"invoice_id": invoice.pk, "payment_method": "cash", "amount": "10.00"},
    )
    assert paid.status_code == HTTPStatus.CREATED
    response = api(alpha, "admin").put(
        f"/api/billing/invoices/{invoice.pk}", {"status": "void"}
    )
    assert response.status_code == HTTPStatus.CONFLICT
    assert response.json()["error"]["code"] == "invoice_has_payments"


@pytest.mark.parametrize("status", ["paid", "pending", "overdue"])
def test_derived_statuses_cannot_be_set(api, alpha, patients, status):
    invoice = invoice_for(alpha, patients.patient)
    response = api(alpha, "admin").put(
        f"/api/billing/invoices/{invoice.pk}", {"status": status}
    )
    assert response.status_code == HTTPStatus.UNPROCESSABLE_ENTITY


def test_dentist_and_patient_cannot_void(api, alpha, patients):
    invoice = invoice_for(alpha, patients.patient)
    for local in ("dentist", "patient"):
        response = api(alpha, local).put(
            f"/api/billing/invoices/{invoice.pk}", {"status": "void"}
        )
        assert response.status_code == HTTPStatus.FORBIDDEN
    with tenant_context(alpha):
        invoice.refresh_from_db()
    assert invoice.status == InvoiceStatus.PENDING


def test_one_invoice_per_appointment(api, alpha, patients):
    from datetime import timedelta

    from django.utils import timezone

    from chairside.scheduling.models import Appointment, Chair, Dentist

    with tenant_context(alpha):
        dentist = Dentist.objects.create(
            first_name="D", last_name="Billing", email="d-billing@alpha.example"
        )
        chair = Chair.objects.create(name="Billing chair")
        appointment = Appointment.objects.create(
            patient=patients.patient,
            dentist=dentist,
            chair=chair,
            starts_at=timezone.now() + timedelta(days=400),
            duration_minutes=30,
        )
    client = api(alpha, "receptionist")
    body = {
        "patient_id": patients.patient.pk,
        "appointment_id": appointment.pk,
        "items": ITEMS,
    }
    assert client.post("/api/billing/invoices", body).status_code == 201
    again = client.post("/api/billing/invoices", body)
    assert again.status_code == HTTPStatus.CONFLICT
    assert again.json()["error"]["code"] == "appointment_already_invoiced"
    other = client.post(
        "/api/billing/invoices", {**body, "patient_id": patients.other.pk}
    )
    assert other.json()["error"]["code"] == "appointment_other_patient"


def test_money_is_decimal_in_the_database(alpha, patients):
    invoice = invoice_for(alpha, patients.patient, "0.10")
    with tenant_context(alpha):
        invoice.refresh_from_db()
    assert invoice.total_amount == Decimal("0.10")
    assert isinstance(invoice.total_amount, Decimal)
