"""invoice_create refuses amounts its columns cannot hold, for every adapter:
the service itself, the API and the staff invoice form."""

from __future__ import annotations

from decimal import Decimal
from http import HTTPStatus

import pytest
from django.test import Client
from django_tenants.utils import tenant_context

from chairside.billing.errors import BillingErrorCode
from chairside.billing.models import Invoice, InvoiceCounter
from chairside.billing.services import InvoiceLine, invoice_create
from chairside.core.errors import ChairsideError
from conftest import world_user

pytestmark = pytest.mark.django_db

TOO_LARGE = BillingErrorCode.INVOICE_AMOUNT_TOO_LARGE
INVALID = BillingErrorCode.INVOICE_AMOUNT_INVALID


@pytest.mark.parametrize(
    ("lines", "code"),
    [
        ([("99999999.99", 1000)], TOO_LARGE),  # the reproduction of #12
        ([("60000000.00", 1), ("60000000.00", 1)], TOO_LARGE),  # total only
        ([("100000000.00", 1)], INVALID),
        ([("-5.00", 1)], INVALID),
        ([("1.005", 1)], INVALID),
        ([("NaN", 1)], INVALID),
        ([("Infinity", 1)], INVALID),
        ([("10.00", 0)], INVALID),
        ([("0.01", 2**31)], INVALID),
    ],
)
def test_invoice_amounts_beyond_the_columns_are_refused(alpha, patients, lines, code):
    with tenant_context(alpha):
        counters = list(InvoiceCounter.objects.values_list("year", "last_number"))
        with pytest.raises(ChairsideError) as caught:
            invoice_create(
                actor=world_user(alpha, "receptionist"),
                patient_id=patients.patient.pk,
                lines=[InvoiceLine("Implant", qty, Decimal(p)) for p, qty in lines],
            )
        assert caught.value.code == code
        assert caught.value.status == HTTPStatus.BAD_REQUEST
        assert not Invoice.objects.filter(patient=patients.patient).exists()
        # No invoice number was used up.
        assert list(InvoiceCounter.objects.values_list("year", "last_number")) == (
            counters
        )


def test_the_largest_storable_invoice_is_accepted(alpha, patients):
    with tenant_context(alpha):
        invoice = invoice_create(
            actor=world_user(alpha, "receptionist"),
            patient_id=patients.patient.pk,
            lines=[
                InvoiceLine("Implant", 1, Decimal("99999999.98")),
                InvoiceLine("Gauze", 1, Decimal("0.01")),
            ],
        )
        invoice.refresh_from_db()
    assert invoice.total_amount == Decimal("99999999.99")


def test_api_refuses_an_overflowing_invoice_without_a_500(api, alpha, patients):
    response = api(alpha, "receptionist").post(
        "/api/billing/invoices",
        {
            "patient_id": patients.patient.pk,
            "items": [
                {"description": "X", "unit_price": "99999999.99", "quantity": 1000}
            ],
        },
    )

    assert response.status_code in (HTTPStatus.BAD_REQUEST, 422), response.content
    assert "error" in response.json()
    with tenant_context(alpha):
        assert not Invoice.objects.filter(patient=patients.patient).exists()


def test_staff_invoice_form_shows_an_overflowing_total_as_a_form_error(alpha, patients):
    client = Client(HTTP_HOST=alpha.host)
    with tenant_context(alpha):
        client.force_login(world_user(alpha, "receptionist"))

    response = client.post(
        f"/app/invoices/new/?patient={patients.patient.pk}",
        {
            "line-TOTAL_FORMS": "1",
            "line-INITIAL_FORMS": "0",
            "line-MIN_NUM_FORMS": "1",
            "line-MAX_NUM_FORMS": "1000",
            "line-0-description": "Implant",
            "line-0-quantity": "1000",
            "line-0-unit_price": "99999999.99",
        },
    )

    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert "cannot exceed" in response.content.decode()
    with tenant_context(alpha):
        assert not Invoice.objects.filter(patient=patients.patient).exists()
