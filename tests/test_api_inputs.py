"""Hostile input on the clinic API: a clear 4xx in the one error shape, and
nothing written. The reproductions of issue #12's "500s on bad input" and
"a date out of range breaks payments for good"."""

from __future__ import annotations

import json
from decimal import Decimal
from http import HTTPStatus

import pytest
from django_tenants.utils import tenant_context

from chairside.core.errors import ChairsideError
from chairside.payments.tests.conftest import invoice_for
from tests.test_api_errors import assert_error_shape
from tests.world_clinical import world_patient

pytestmark = pytest.mark.django_db

BEYOND_BIGINT = str(2**63)


@pytest.fixture
def invoice(alpha):
    return invoice_for(alpha, world_patient(alpha), "120.00")


def _payments_and_paid(clinic, invoice) -> tuple[int, Decimal]:
    with tenant_context(clinic):
        invoice.refresh_from_db()
        return invoice.payments.count(), invoice.amount_paid


@pytest.mark.parametrize(
    "when",
    [
        "9999-12-31T23:59:59-14:00",
        "0001-01-01T00:00:00+14:00",
        "9999-12-31T23:59:59",
        "2201-01-01T00:00:00Z",
        # In range as written, out of range once in UTC.
        "2200-12-31T23:00:00-14:00",
    ],
)
def test_payment_date_out_of_range_is_refused_and_payments_stay_readable(
    api, alpha, invoice, when
):
    client = api(alpha, "receptionist")
    response = client.post(
        "/api/payments",
        {
            "invoice_id": invoice.pk,
            "payment_method": "cash",
            "amount": "0.01",
            "payment_date": when,
        },
    )
    assert_error_shape(response, HTTPStatus.UNPROCESSABLE_ENTITY, "validation_failed")
    assert _payments_and_paid(alpha, invoice) == (0, Decimal("0.00"))
    assert client.get("/api/payments").status_code == HTTPStatus.OK
    assert client.get(f"/api/billing/invoices/{invoice.pk}").status_code == 200


def test_payment_date_at_the_bounds_is_recorded(api, alpha, invoice):
    response = api(alpha, "receptionist").post(
        "/api/payments",
        {
            "invoice_id": invoice.pk,
            "payment_method": "cash",
            "amount": "0.01",
            "payment_date": "2200-12-31T09:00:00+14:00",
        },
    )
    assert response.status_code == HTTPStatus.CREATED, response.content


@pytest.mark.parametrize(
    ("path", "field"),
    [
        ("/api/billing/invoices", "description"),
        ("/api/billing/invoices", "procedure_code"),
        ("/api/billing/invoices", "notes"),
    ],
)
def test_nul_in_invoice_text_is_refused(api, alpha, path, field):
    item = {"description": "Cleaning", "unit_price": "10.00", "procedure_code": ""}
    body = {"patient_id": world_patient(alpha).pk, "items": [item], "notes": ""}
    if field == "notes":
        body["notes"] = "a\x00b"
    else:
        item[field] = "D\x001"
    response = api(alpha, "receptionist").post(path, body)
    assert_error_shape(response, HTTPStatus.UNPROCESSABLE_ENTITY, "validation_failed")


def test_nul_in_invoice_update_notes_is_refused(api, alpha, invoice):
    response = api(alpha, "receptionist").put(
        f"/api/billing/invoices/{invoice.pk}", {"notes": "\x00"}
    )
    assert_error_shape(response, HTTPStatus.UNPROCESSABLE_ENTITY, "validation_failed")


def test_nul_in_payment_reference_is_refused(api, alpha, invoice):
    response = api(alpha, "receptionist").post(
        "/api/payments",
        {"invoice_id": invoice.pk, "payment_method": "cash", "reference": "R\x001"},
    )
    assert_error_shape(response, HTTPStatus.UNPROCESSABLE_ENTITY, "validation_failed")
    assert _payments_and_paid(alpha, invoice) == (0, Decimal("0.00"))


def test_nul_in_refund_reason_is_refused(api, alpha, invoice):
    client = api(alpha, "admin")
    paid = client.post(
        "/api/payments", {"invoice_id": invoice.pk, "payment_method": "cash"}
    )
    assert paid.status_code == HTTPStatus.CREATED, paid.content
    response = client.post(
        f"/api/payments/{paid.json()['id']}/refund", {"reason": "oops\x00"}
    )
    assert_error_shape(response, HTTPStatus.UNPROCESSABLE_ENTITY, "validation_failed")


def test_invoice_total_that_overflows_the_column_is_refused(api, alpha):
    response = api(alpha, "receptionist").post(
        "/api/billing/invoices",
        {
            "patient_id": world_patient(alpha).pk,
            "items": [
                {"description": "Gold", "unit_price": "99999999.99", "quantity": 1000}
            ],
        },
    )
    assert_error_shape(response, HTTPStatus.UNPROCESSABLE_ENTITY, "validation_failed")


def test_invoice_lines_that_overflow_together_are_refused(api, alpha):
    line = {"description": "Gold", "unit_price": "60000000.00"}
    response = api(alpha, "receptionist").post(
        "/api/billing/invoices",
        {"patient_id": world_patient(alpha).pk, "items": [line, line]},
    )
    assert_error_shape(response, HTTPStatus.UNPROCESSABLE_ENTITY, "validation_failed")


@pytest.mark.parametrize(
    "query",
    [
        f"offset={BEYOND_BIGINT}",
        f"limit={BEYOND_BIGINT}",
        "offset=-1",
        "limit=100000",
    ],
)
@pytest.mark.parametrize(
    "path",
    ["/api/billing/invoices", "/api/payments", "/api/reminders", "/api/audit"],
)
def test_list_paging_out_of_range_is_refused(api, alpha, path, query):
    response = api(alpha, "admin").get(f"{path}?{query}")
    assert_error_shape(response, HTTPStatus.UNPROCESSABLE_ENTITY, "validation_failed")


@pytest.mark.parametrize(
    "path",
    [
        "/api/billing/invoices?patient_id={n}",
        "/api/payments?invoice_id={n}",
        "/api/billing/invoices/{n}",
        "/api/payments/{n}",
    ],
)
def test_ids_beyond_bigint_are_refused(api, alpha, path):
    response = api(alpha, "admin").get(path.format(n=BEYOND_BIGINT))
    assert_error_shape(response, HTTPStatus.UNPROCESSABLE_ENTITY, "validation_failed")


def test_reminder_retry_id_beyond_bigint_is_refused(api, alpha):
    response = api(alpha, "admin").post(f"/api/reminders/{BEYOND_BIGINT}/retry")
    assert_error_shape(response, HTTPStatus.UNPROCESSABLE_ENTITY, "validation_failed")


def test_huge_json_body_is_413_in_the_error_shape(api, alpha):
    body = json.dumps({"notes": "x" * (3 * 1024 * 1024)})
    response = api(alpha, "admin").client.post(
        "/api/billing/invoices",
        body,
        content_type="application/json",
        HTTP_HOST=alpha.host,
        HTTP_AUTHORIZATION=f"Bearer {api(alpha, 'admin').token}",
    )
    assert_error_shape(
        response, HTTPStatus.REQUEST_ENTITY_TOO_LARGE, "request_too_large"
    )


def test_too_many_query_fields_is_400_in_the_error_shape(api, alpha):
    query = "&".join(f"status=paid&n{i}=1" for i in range(600))
    response = api(alpha, "admin").get(f"/api/billing/invoices?{query}")
    assert_error_shape(response, HTTPStatus.BAD_REQUEST, "invalid_input")


# --- A write that answers an error has written nothing ---------------------


@pytest.mark.parametrize(
    "case",
    [
        (RuntimeError("boom after the write"), HTTPStatus.INTERNAL_SERVER_ERROR),
        (ChairsideError("refused after the write"), HTTPStatus.BAD_REQUEST),
    ],
)
def test_error_after_a_write_leaves_nothing_written(
    api, alpha, invoice, monkeypatch, case
):
    from chairside.payments import selectors

    failure, status = case

    def read_back_fails(**kwargs):
        raise failure

    # create_payment records the payment, then reads it back to answer.
    monkeypatch.setattr(selectors, "payment_get", read_back_fails)
    response = api(alpha, "receptionist").post(
        "/api/payments",
        {"invoice_id": invoice.pk, "payment_method": "cash", "amount": "50.00"},
    )
    assert_error_shape(response, status)
    assert _payments_and_paid(alpha, invoice) == (0, Decimal("0.00"))


def test_error_that_keeps_its_writes_commits_them(api, alpha):
    """A reused refresh token revokes its sign-in and then answers 401: the
    revocation is the point and must stand."""
    client = api(alpha)
    pair = client.post(
        "/api/auth/token",
        {"email": "admin@alpha.test", "password": "correct-horse-battery-staple"},
    ).json()
    client.post("/api/auth/refresh", {"refresh": pair["refresh"]})
    reused = client.post("/api/auth/refresh", {"refresh": pair["refresh"]})
    assert_error_shape(reused, HTTPStatus.UNAUTHORIZED, "token_reused")
    me = client.get("/api/me", HTTP_AUTHORIZATION=f"Bearer {pair['access']}")
    assert me.status_code == HTTPStatus.UNAUTHORIZED


@pytest.mark.parametrize(
    "line",
    [
        ("Gold", 1000, Decimal("99999999.99")),  # the line total overflows
        ("Gold", 10**12, Decimal("0.00")),  # the quantity column overflows
    ],
)
def test_invoice_service_refuses_what_the_columns_cannot_hold(alpha, line):
    """The staff pages' form sends any quantity: the service is the bound for
    every adapter, as the API's schema is for the API."""
    from chairside.accounts.models import User
    from chairside.billing.models import Invoice
    from chairside.billing.services import InvoiceLine, invoice_create

    with tenant_context(alpha):
        before = Invoice.objects.count()
        admin = User.objects.get(email="admin@alpha.test")
        with pytest.raises(ChairsideError):
            invoice_create(
                actor=admin,
                patient_id=world_patient(alpha).pk,
                lines=[InvoiceLine(*line)],
            )
        assert Invoice.objects.count() == before
