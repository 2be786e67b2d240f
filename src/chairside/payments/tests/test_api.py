"""/api/payments in-process: manual payments, refunds, roles, no Stripe."""

from __future__ import annotations

import json
import time
from decimal import Decimal
from http import HTTPStatus

import pytest
from django.test import Client
from django_tenants.utils import tenant_context

from chairside.billing.models import InvoiceStatus
from chairside.billing.tests.test_api import _queries
from chairside.payments.models import StripeEvent
from chairside.payments.tests.conftest import WEBHOOK_SECRET, invoice_for
from tests.stripe_harness import sign

pytestmark = pytest.mark.django_db


def _pay(api, clinic, invoice, local="receptionist", **body):
    return api(clinic, local).post(
        "/api/payments",
        {"invoice_id": invoice.pk, "payment_method": "cash", **body},
    )


def _invoice(clinic, invoice):
    with tenant_context(clinic):
        invoice.refresh_from_db()
    return invoice


def test_cash_then_bank_transfer_pays_invoice(api, alpha, patients):
    invoice = invoice_for(alpha, patients.patient, "120.00")

    first = _pay(api, alpha, invoice, amount="50.00", reference="R-1")
    assert first.status_code == HTTPStatus.CREATED, first.content
    body = first.json()
    assert body["status"] == "completed"
    assert body["payment_method"] == "cash"
    assert body["amount"] == "50.00"
    assert body["stripe_payment_id"] is None
    assert _invoice(alpha, invoice).status == InvoiceStatus.PARTIALLY_PAID

    rest = _pay(api, alpha, invoice, payment_method="bank_transfer")
    assert rest.json()["amount"] == "70.00"  # defaults to the balance
    invoice = _invoice(alpha, invoice)
    assert (invoice.status, invoice.amount_paid) == ("paid", Decimal("120.00"))
    # Paid invoices take no more money.
    again = _pay(api, alpha, invoice, amount="1.00")
    assert again.status_code == HTTPStatus.CONFLICT
    assert again.json()["error"]["code"] == "invoice_closed"


def test_payment_cannot_exceed_balance(api, alpha, patients):
    invoice = invoice_for(alpha, patients.patient, "100.00")
    _pay(api, alpha, invoice, amount="60.00")
    response = _pay(api, alpha, invoice, amount="40.01")
    assert response.status_code == HTTPStatus.CONFLICT
    assert response.json()["error"]["code"] == "payment_exceeds_balance"
    assert response.json()["error"]["details"]["available"] == "40.00"
    assert _invoice(alpha, invoice).amount_paid == Decimal("60.00")


@pytest.mark.parametrize("local", ["patient", "dentist"])
def test_only_front_desk_records_manual_payments(api, alpha, patients, local):
    invoice = invoice_for(alpha, patients.patient)
    assert _pay(api, alpha, invoice, local).status_code == HTTPStatus.FORBIDDEN


def test_card_unavailable_without_stripe_but_manual_works(
    api, alpha, patients, settings
):
    settings.STRIPE_SECRET_KEY = ""
    invoice = invoice_for(alpha, patients.patient)
    config = api(alpha, "patient").get("/api/payments/config").json()
    assert config["card_payments_available"] is False

    card = _pay(api, alpha, invoice, "patient", payment_method="card")

    assert card.status_code == HTTPStatus.SERVICE_UNAVAILABLE
    assert card.json()["error"]["code"] == "card_payments_unavailable"
    assert _pay(api, alpha, invoice).status_code == HTTPStatus.CREATED


def test_patient_cannot_pay_someone_elses_invoice(api, alpha, patients):
    invoice = invoice_for(alpha, patients.other)
    response = _pay(api, alpha, invoice, "patient", payment_method="card")
    assert response.status_code == HTTPStatus.NOT_FOUND


def test_payment_history_is_scoped_and_filterable(api, alpha, patients):
    mine = invoice_for(alpha, patients.patient, "50.00")
    theirs = invoice_for(alpha, patients.other, "50.00")
    paid_mine = _pay(api, alpha, mine, amount="10.00").json()
    _pay(api, alpha, mine, amount="5.00", payment_method="bank_transfer")
    paid_theirs = _pay(api, alpha, theirs, amount="10.00").json()

    patient = api(alpha, "patient")
    ids = {p["id"] for p in patient.get("/api/payments").json()["items"]}
    assert paid_mine["id"] in ids
    assert paid_theirs["id"] not in ids
    assert patient.get(f"/api/payments/{paid_theirs['id']}").status_code == 404

    staff = api(alpha, "dentist")
    listed = staff.get(f"/api/payments?invoice_id={mine.pk}&payment_method=cash")
    assert [p["id"] for p in listed.json()["items"]] == [paid_mine["id"]]
    few = _queries("/api/payments", staff)
    for _ in range(4):
        _pay(api, alpha, theirs, amount="1.00")
    assert _queries("/api/payments", staff) == few <= 7


def test_admin_refunds_cash_partially_then_fully(api, alpha, patients):
    invoice = invoice_for(alpha, patients.patient, "80.00")
    payment = _pay(api, alpha, invoice).json()
    url = f"/api/payments/{payment['id']}/refund"

    assert api(alpha, "receptionist").post(url, {}).status_code == 403
    partial = api(alpha, "admin").post(url, {"amount": "30.00", "reason": "Fee"})
    assert partial.json()["status"] == "partially_refunded"
    assert partial.json()["refunds"][0]["amount"] == "30.00"
    invoice = _invoice(alpha, invoice)
    assert (invoice.status, invoice.amount_paid) == (
        "partially_paid",
        Decimal("50.00"),
    )
    rest = api(alpha, "admin").post(url, {})
    assert rest.json()["status"] == "refunded"
    assert rest.json()["refunded_amount"] == "80.00"
    assert api(alpha, "admin").post(url, {}).status_code == HTTPStatus.CONFLICT
    assert _invoice(alpha, invoice).amount_paid == Decimal("0.00")


def test_void_invoice_takes_no_payment(api, alpha, patients):
    invoice = invoice_for(alpha, patients.patient)
    api(alpha, "admin").put(f"/api/billing/invoices/{invoice.pk}", {"status": "void"})
    response = _pay(api, alpha, invoice)
    assert response.json()["error"]["code"] == "invoice_closed"


def _signed_event(alpha) -> tuple[bytes, str]:
    event = {
        "id": "evt_inprocess",
        "type": "payment_intent.succeeded",
        "account": alpha.stripe_account_id,
        "created": int(time.time()),
        "livemode": False,
        "data": {"object": {"id": "pi_none", "status": "succeeded", "amount": 100}},
    }
    body = json.dumps(event).encode()
    return body, sign(body, WEBHOOK_SECRET, int(time.time()))


def test_debug_header_secret_is_never_accepted(alpha, settings):
    """dj-stripe honours X-Djstripe-Webhook-Secret when DEBUG is on; our
    endpoint verifies with the configured secret only, DEBUG or not."""
    settings.DEBUG = True
    settings.STRIPE_WEBHOOK_SECRET = WEBHOOK_SECRET
    alpha.stripe_account_id = "acct_inprocess"
    alpha.save(update_fields=["stripe_account_id"])
    body, _good = _signed_event(alpha)
    forged = sign(body, "whsec_attacker", int(time.time()))

    response = Client().post(
        "/stripe/webhook/",
        body,
        content_type="application/json",
        HTTP_HOST=alpha.host,
        HTTP_STRIPE_SIGNATURE=forged,
        HTTP_X_DJSTRIPE_WEBHOOK_SECRET="whsec_attacker",
    )

    assert response.status_code == HTTPStatus.BAD_REQUEST
    with tenant_context(alpha):
        assert not StripeEvent.objects.exists()


def test_webhook_refused_when_no_secret_is_configured(alpha, settings):
    settings.STRIPE_WEBHOOK_SECRET = ""
    alpha.stripe_account_id = "acct_inprocess"
    alpha.save(update_fields=["stripe_account_id"])
    body, signature = _signed_event(alpha)
    response = Client().post(
        "/stripe/webhook/",
        body,
        content_type="application/json",
        HTTP_HOST=alpha.host,
        HTTP_STRIPE_SIGNATURE=signature,
    )
    assert response.status_code == HTTPStatus.BAD_REQUEST


def test_signed_event_is_recorded_once(alpha, settings):
    settings.STRIPE_WEBHOOK_SECRET = WEBHOOK_SECRET
    alpha.stripe_account_id = "acct_inprocess"
    alpha.save(update_fields=["stripe_account_id"])
    body, signature = _signed_event(alpha)

    def deliver():
        return Client().post(
            "/stripe/webhook/",
            body,
            content_type="application/json",
            HTTP_HOST="localhost",
            HTTP_STRIPE_SIGNATURE=signature,
        )

    assert deliver().json() == {"received": True, "duplicate": False}
    assert deliver().json() == {"received": True, "duplicate": True}
    with tenant_context(alpha):
        assert StripeEvent.objects.filter(event_id="evt_inprocess").count() == 1
