from __future__ import annotations

from decimal import Decimal
from http import HTTPStatus

import pytest
from django_tenants.utils import schema_context

from chairside.billing.models import Invoice, InvoiceStatus
from chairside.payments.models import Payment, PaymentStatus
from chairside.web.tests.factories import appointment_make, invoice_make, patient_make

pytestmark = pytest.mark.django_db


def test_receptionist_records_a_cash_payment_and_the_invoice_is_paid(web, alpha):
    with schema_context(alpha.schema_name):
        invoice = invoice_make(total="80.00")
    client = web(alpha, "receptionist")

    response = client.post(
        f"/app/invoices/{invoice.pk}/payments/", {"method": "cash", "reference": "R1"}
    )

    assert response.status_code == HTTPStatus.FOUND
    with schema_context(alpha.schema_name):
        invoice.refresh_from_db()
        assert invoice.status == InvoiceStatus.PAID
        assert invoice.amount_paid == Decimal("80.00")
    page = client.get(f"/app/invoices/{invoice.pk}/").content.decode()
    assert "Payment recorded." in page


def test_a_dentist_is_refused_by_the_service_when_recording_cash(web, alpha):
    """The page no longer checks the role: the service does, and the page
    answers its refusal with the forbidden page, having written nothing."""
    with schema_context(alpha.schema_name):
        invoice = invoice_make(total="80.00")

    refused = web(alpha, "dentist").post(
        f"/app/invoices/{invoice.pk}/payments/", {"method": "cash"}
    )

    assert refused.status_code == HTTPStatus.FORBIDDEN
    with schema_context(alpha.schema_name):
        assert not Payment.objects.filter(invoice=invoice).exists()
    page = web(alpha, "dentist").get(f"/app/invoices/{invoice.pk}/").content
    assert f"/app/invoices/{invoice.pk}/payments/".encode() not in page


def test_only_admins_refund(web, alpha):
    with schema_context(alpha.schema_name):
        invoice = invoice_make(total="50.00")
    web(alpha, "receptionist").post(
        f"/app/invoices/{invoice.pk}/payments/", {"method": "cash"}
    )
    with schema_context(alpha.schema_name):
        payment = Payment.objects.get(invoice=invoice)

    refused = web(alpha, "receptionist").post(
        f"/app/payments/{payment.pk}/refund/", {"amount": "10.00"}
    )
    assert refused.status_code == HTTPStatus.FORBIDDEN
    receptionist_page = web(alpha, "receptionist").get(f"/app/invoices/{invoice.pk}/")
    assert b"/refund/" not in receptionist_page.content

    web(alpha, "admin").post(f"/app/payments/{payment.pk}/refund/", {"amount": "10.00"})
    with schema_context(alpha.schema_name):
        payment.refresh_from_db()
        assert payment.refunded_amount == Decimal("10.00")
        assert payment.status == PaymentStatus.PARTIALLY_REFUNDED


def test_invoice_from_an_appointment_with_line_items(web, alpha):
    with schema_context(alpha.schema_name):
        appointment = appointment_make(reason="Cleaning")
    client = web(alpha, "receptionist")
    form = client.get(f"/app/invoices/new/?appointment={appointment.pk}")
    assert form.status_code == HTTPStatus.OK
    assert 'value="Cleaning"' in form.content.decode()

    response = client.post(
        f"/app/invoices/new/?appointment={appointment.pk}",
        {
            "line-TOTAL_FORMS": "2",
            "line-INITIAL_FORMS": "0",
            "line-MIN_NUM_FORMS": "1",
            "line-MAX_NUM_FORMS": "1000",
            "line-0-description": "Cleaning",
            "line-0-quantity": "1",
            "line-0-unit_price": "60.00",
            "line-1-description": "X-ray",
            "line-1-quantity": "2",
            "line-1-unit_price": "15.50",
            "due_date": "",
            "notes": "",
        },
    )

    assert response.status_code == HTTPStatus.FOUND, response.content.decode()[:2000]
    with schema_context(alpha.schema_name):
        invoice = Invoice.objects.get(appointment=appointment)
        assert invoice.total_amount == Decimal("91.00")
        assert invoice.items.count() == 2


def test_invoice_form_shows_errors_inline(web, alpha):
    with schema_context(alpha.schema_name):
        patient = patient_make()
    response = web(alpha, "receptionist").post(
        f"/app/invoices/new/?patient={patient.pk}",
        {
            "line-TOTAL_FORMS": "1",
            "line-INITIAL_FORMS": "0",
            "line-MIN_NUM_FORMS": "1",
            "line-MAX_NUM_FORMS": "1000",
            "line-0-description": "Filling",
            "line-0-quantity": "1",
            "line-0-unit_price": "-5",
        },
    )
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert 'class="field-error"' in response.content.decode()


def test_invoice_pdf_and_printable_receipt(web, alpha):
    with schema_context(alpha.schema_name):
        invoice = invoice_make(total="42.00")
    client = web(alpha, "receptionist")
    client.post(f"/app/invoices/{invoice.pk}/payments/", {"method": "bank_transfer"})
    with schema_context(alpha.schema_name):
        payment = Payment.objects.get(invoice=invoice)

    pdf = client.get(f"/app/invoices/{invoice.pk}/pdf/")
    receipt = client.get(f"/app/payments/{payment.pk}/receipt/")

    assert pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    assert receipt.status_code == HTTPStatus.OK
    assert "42.00" in receipt.content.decode()
    assert "window.print()" in receipt.content.decode()


def test_invoice_list_has_no_n_plus_one(web, alpha, django_assert_max_num_queries):
    with schema_context(alpha.schema_name):
        for _ in range(5):
            invoice_make()
    client = web(alpha, "receptionist")
    client.get("/app/invoices/")  # warm the session

    with django_assert_max_num_queries(8):
        response = client.get("/app/invoices/")
    assert response.status_code == HTTPStatus.OK
