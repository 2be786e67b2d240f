"""Signed webhook events meeting invoices that can no longer take the money,
malformed events, and the transaction around each event — in-process, with
events signed as Stripe signs them.

The rule under test: money Stripe has taken always ends up recorded (on the
invoice, or on the payment as owed back: `needs_refund`), never as a webhook
that fails on every retry.
"""

from __future__ import annotations

import copy
import json
import time
import uuid
from decimal import Decimal
from http import HTTPStatus
from typing import Any

import pytest
from django.test import Client
from django_tenants.utils import tenant_context

from chairside.billing.models import Invoice, InvoiceStatus
from chairside.billing.services import invoice_update
from chairside.payments import reconcile
from chairside.payments.manual import payment_manual_record
from chairside.payments.models import (
    Payment,
    PaymentEvent,
    PaymentMethod,
    PaymentStatus,
    StripeEvent,
)
from chairside.payments.tests.conftest import WEBHOOK_SECRET, invoice_for
from conftest import world_user
from tests.stripe_harness import sign

pytestmark = pytest.mark.django_db

ACCOUNT = "acct_inprocessmoney"


@pytest.fixture
def clinic(alpha, settings, monkeypatch):
    settings.STRIPE_WEBHOOK_SECRET = WEBHOOK_SECRET
    alpha.stripe_account_id = ACCOUNT
    alpha.save(update_fields=["stripe_account_id"])
    # dj-stripe's mirror would call Stripe; it is best effort and not the books.
    monkeypatch.setattr(reconcile, "djstripe_mirror", lambda *args: None)
    return alpha


def _deliver(event: Any) -> Any:
    body = json.dumps(event).encode()
    return Client().post(
        "/stripe/webhook/",
        body,
        content_type="application/json",
        HTTP_HOST="localhost",
        HTTP_STRIPE_SIGNATURE=sign(body, WEBHOOK_SECRET, int(time.time())),
    )


def _event(event_type: str, obj: Any) -> dict[str, Any]:
    return {
        "id": f"evt_{uuid.uuid4().hex}",
        "object": "event",
        "type": event_type,
        "account": ACCOUNT,
        "created": int(time.time()),
        "livemode": False,
        "data": {"object": obj},
    }


def _intent(payment: Payment, status: str, received: int | None = None) -> dict:
    amount = int(payment.amount * 100)
    intent = {
        "id": payment.stripe_payment_id,
        "object": "payment_intent",
        "status": status,
        "amount": amount,
        "currency": "usd",
        "metadata": {"chairside_payment_id": str(payment.pk)},
    }
    if status == "succeeded":
        intent["amount_received"] = amount if received is None else received
        intent["latest_charge"] = "ch_" + payment.stripe_payment_id[3:]
    if status == "requires_payment_method":
        intent["last_payment_error"] = {"message": "Your card was declined."}
    return intent


def _charge(payment: Payment, *, refunded: int = 0) -> dict:
    return {
        "id": "ch_" + payment.stripe_payment_id[3:],
        "object": "charge",
        "payment_intent": payment.stripe_payment_id,
        "status": "succeeded",
        "captured": True,
        "amount": int(payment.amount * 100),
        "amount_refunded": refunded,
        "currency": "usd",
    }


def _card_payment(clinic, invoice: Invoice, amount: str = "120.00") -> Payment:
    with tenant_context(clinic):
        return Payment.objects.create(
            invoice=invoice,
            amount=Decimal(amount),
            payment_method=PaymentMethod.CARD,
            status=PaymentStatus.PENDING,
            stripe_payment_id=f"pi_{uuid.uuid4().hex[:20]}",
        )


def _cash(clinic, invoice: Invoice, amount: str | None = None) -> Payment:
    with tenant_context(clinic):
        return payment_manual_record(
            actor=world_user(clinic, "receptionist"),
            invoice_id=invoice.pk,
            method=PaymentMethod.CASH,
            amount=Decimal(amount) if amount else None,
        )


def _fresh(clinic, *rows):
    with tenant_context(clinic):
        for row in rows:
            row.refresh_from_db()
    return rows if len(rows) > 1 else rows[0]


def _failed_then_paid_in_cash(clinic, invoice, cash: str | None = None) -> Payment:
    """The reproduction's start: a declined attempt, then the desk takes cash."""
    payment = _card_payment(clinic, invoice)
    failed = _deliver(
        _event(
            "payment_intent.payment_failed", _intent(payment, "requires_payment_method")
        )
    )
    assert failed.status_code == HTTPStatus.OK
    assert _fresh(clinic, payment).status == PaymentStatus.FAILED
    _cash(clinic, invoice, cash)
    return payment


# --- 1. a succeeded intent meets an invoice that can no longer take it -------


def test_card_success_after_failure_and_cash_is_recorded_as_refund_due(
    clinic, patients
):
    invoice = invoice_for(clinic, patients.patient, "120.00")
    payment = _failed_then_paid_in_cash(clinic, invoice)
    succeeded = _event("payment_intent.succeeded", _intent(payment, "succeeded"))

    response = _deliver(succeeded)

    assert response.status_code == HTTPStatus.OK, response.content
    payment, invoice = _fresh(clinic, payment, invoice)
    assert payment.status == PaymentStatus.NEEDS_REFUND
    assert payment.amount == Decimal("120.00")
    assert payment.unapplied_amount == Decimal("120.00")
    assert payment.refund_due == Decimal("120.00")
    assert payment.stripe_charge_id.startswith("ch_")
    # The cash paid the invoice; the card money is not counted twice.
    assert (invoice.status, invoice.amount_paid) == (InvoiceStatus.PAID, Decimal(120))
    # Stripe's retry of the same event is a no-op.
    assert _deliver(succeeded).json() == {"received": True, "duplicate": True}
    assert _fresh(clinic, payment).refund_due == Decimal("120.00")


def test_refund_due_is_visible_to_staff_in_the_api_and_page(api, clinic, patients):
    invoice = invoice_for(clinic, patients.patient, "120.00")
    payment = _failed_then_paid_in_cash(clinic, invoice)
    _deliver(_event("payment_intent.succeeded", _intent(payment, "succeeded")))

    got = api(clinic, "receptionist").get(f"/api/payments/{payment.pk}").json()
    listed = api(clinic, "receptionist").get("/api/payments?status=needs_refund")

    assert got["status"] == "needs_refund"
    assert got["refund_due"] == "120.00"
    assert [p["id"] for p in listed.json()["items"]] == [payment.pk]
    page_client = Client(HTTP_HOST=clinic.host)
    with tenant_context(clinic):
        page_client.force_login(world_user(clinic, "admin"))
    page = page_client.get(f"/app/invoices/{invoice.pk}/").content.decode()
    assert "Refund due: 120.00" in page
    assert f"/app/payments/{payment.pk}/refund/" in page


def test_card_success_on_a_voided_invoice_is_all_refund_due(clinic, patients):
    invoice = invoice_for(clinic, patients.patient, "120.00")
    payment = _card_payment(clinic, invoice)
    _deliver(
        _event(
            "payment_intent.payment_failed", _intent(payment, "requires_payment_method")
        )
    )
    with tenant_context(clinic):
        invoice_update(
            actor=world_user(clinic, "receptionist"),
            invoice_id=invoice.pk,
            status=InvoiceStatus.VOID,
        )

    response = _deliver(
        _event("payment_intent.succeeded", _intent(payment, "succeeded"))
    )

    assert response.status_code == HTTPStatus.OK, response.content
    payment, invoice = _fresh(clinic, payment, invoice)
    assert (payment.status, payment.refund_due) == ("needs_refund", Decimal(120))
    assert (invoice.status, invoice.amount_paid) == (InvoiceStatus.VOID, Decimal(0))


def test_card_success_larger_than_the_balance_applies_what_fits(clinic, patients):
    invoice = invoice_for(clinic, patients.patient, "120.00")
    payment = _failed_then_paid_in_cash(clinic, invoice, cash="50.00")

    response = _deliver(_event("charge.succeeded", _charge(payment)))

    assert response.status_code == HTTPStatus.OK, response.content
    payment, invoice = _fresh(clinic, payment, invoice)
    assert payment.applied_amount == Decimal("70.00")
    assert (payment.status, payment.refund_due) == ("needs_refund", Decimal(50))
    assert (invoice.status, invoice.amount_paid) == (InvoiceStatus.PAID, Decimal(120))


def test_refunds_give_back_the_excess_before_touching_the_invoice(clinic, patients):
    invoice = invoice_for(clinic, patients.patient, "120.00")
    payment = _failed_then_paid_in_cash(clinic, invoice, cash="50.00")
    _deliver(_event("charge.succeeded", _charge(payment)))

    _deliver(_event("charge.refunded", _charge(payment, refunded=3000)))
    payment, invoice = _fresh(clinic, payment, invoice)
    assert (payment.status, payment.refund_due) == ("needs_refund", Decimal(20))
    assert invoice.amount_paid == Decimal("120.00")

    _deliver(_event("charge.refunded", _charge(payment, refunded=8000)))
    payment, invoice = _fresh(clinic, payment, invoice)
    assert (payment.status, payment.refund_due) == ("partially_refunded", Decimal(0))
    # 50 of the 80 refunded was the excess; 30 came off the invoice.
    assert invoice.amount_paid == Decimal("90.00")
    assert invoice.status == InvoiceStatus.PARTIALLY_PAID


def test_refund_racing_ahead_of_success_leaves_nothing_owed(clinic, patients):
    """Stripe refunded the charge (dashboard, dispute) before we heard it
    succeeded, on an invoice paid in cash meanwhile."""
    invoice = invoice_for(clinic, patients.patient, "120.00")
    payment = _failed_then_paid_in_cash(clinic, invoice)

    refunded = _deliver(_event("charge.refunded", _charge(payment, refunded=12000)))
    late_success = _deliver(
        _event("payment_intent.succeeded", _intent(payment, "succeeded"))
    )

    assert (refunded.status_code, late_success.status_code) == (200, 200)
    payment, invoice = _fresh(clinic, payment, invoice)
    assert payment.status == PaymentStatus.REFUNDED
    assert (payment.refunded_amount, payment.refund_due) == (Decimal(120), Decimal(0))
    assert (invoice.status, invoice.amount_paid) == (InvoiceStatus.PAID, Decimal(120))


def test_a_stale_failure_after_success_changes_nothing(clinic, patients):
    invoice = invoice_for(clinic, patients.patient, "120.00")
    payment = _card_payment(clinic, invoice)

    _deliver(_event("charge.succeeded", _charge(payment)))
    _deliver(
        _event(
            "payment_intent.payment_failed", _intent(payment, "requires_payment_method")
        )
    )
    _deliver(_event("charge.failed", {**_charge(payment), "status": "failed"}))

    payment, invoice = _fresh(clinic, payment, invoice)
    assert payment.status == PaymentStatus.COMPLETED
    assert (invoice.status, invoice.amount_paid) == (InvoiceStatus.PAID, Decimal(120))


# --- 3. amount_received other than asked ---------------------------------------


def test_less_received_than_asked_is_recorded_and_the_rest_stays_open(clinic, patients):
    invoice = invoice_for(clinic, patients.patient, "120.00")
    payment = _card_payment(clinic, invoice)

    _deliver(_event("payment_intent.succeeded", _intent(payment, "succeeded", 10000)))

    payment, invoice = _fresh(clinic, payment, invoice)
    assert (payment.status, payment.amount) == ("completed", Decimal("100.00"))
    assert payment.refund_due == Decimal("0.00")
    assert invoice.status == InvoiceStatus.PARTIALLY_PAID
    assert invoice.balance == Decimal("20.00")


def test_more_received_than_asked_keeps_the_excess_as_refund_due(clinic, patients):
    invoice = invoice_for(clinic, patients.patient, "120.00")
    payment = _card_payment(clinic, invoice)

    _deliver(_event("payment_intent.succeeded", _intent(payment, "succeeded", 15000)))

    payment, invoice = _fresh(clinic, payment, invoice)
    assert payment.amount == Decimal("150.00")
    assert (payment.status, payment.refund_due) == ("needs_refund", Decimal(30))
    assert (invoice.status, invoice.amount_paid) == (InvoiceStatus.PAID, Decimal(120))


# --- 2. malformed signed events ------------------------------------------------


def _set(event: dict, path: str, value: Any) -> dict:
    """A copy of the event with data.object.amount (say) set; None deletes."""
    event = copy.deepcopy(event)
    *parents, last = path.split(".")
    target = event
    for part in parents:
        target = target[part]
    if value is None:
        del target[last]
    else:
        target[last] = value
    return event


MALFORMED = [
    ("data.object", "pi_just_a_string"),
    ("data.object", ["a", "list"]),
    ("data", None),
    ("data", "nothing"),
    ("id", None),
    ("id", 12345),
    ("id", "evt with spaces"),
    ("type", 7),
    ("type", "payment_intent.succeeded\x00"),
    ("created", "abc"),
    ("created", 10**15),
    ("account", 123),
    ("data.object.id", None),
    ("data.object.id", {"nested": True}),
    ("data.object.amount", "abc"),
    ("data.object.amount", None),
    ("data.object.amount", 12000.5),
    ("data.object.amount", -100),
    ("data.object.amount", 10**20),
    ("data.object.amount", True),
    ("data.object.amount_received", "abc"),
    ("data.object.amount_received", 0),
    ("data.object.amount_received", 10**12),
    ("data.object.status", None),
    ("data.object.status", ["succeeded"]),
    ("data.object.currency", "dollars"),
    ("data.object.latest_charge", 42),
    ("data.object.metadata", "x"),
    ("data.object.metadata.chairside_payment_id", 5),
    ("data.object.last_payment_error", {"message": "declined\x00"}),
    ("data.object.last_payment_error", "declined"),
]


@pytest.mark.parametrize(("path", "value"), MALFORMED)
def test_malformed_signed_intent_event_is_refused_and_writes_nothing(
    clinic, patients, path, value
):
    invoice = invoice_for(clinic, patients.patient, "120.00")
    payment = _card_payment(clinic, invoice)
    event = _set(
        _event("payment_intent.succeeded", _intent(payment, "succeeded")), path, value
    )

    response = _deliver(event)

    assert response.status_code == HTTPStatus.BAD_REQUEST, response.content
    assert response.json()["error"]["code"] == "webhook_event_malformed"
    payment, invoice = _fresh(clinic, payment, invoice)
    assert (payment.status, invoice.amount_paid) == ("pending", Decimal(0))
    with tenant_context(clinic):
        assert not StripeEvent.objects.exists()


MALFORMED_CHARGES = [
    ("data.object", "ch_just_a_string"),
    ("data.object.amount", "abc"),
    ("data.object.amount_refunded", "abc"),
    ("data.object.amount_refunded", 99999),  # more than the charge
    ("data.object.captured", "yes"),
    ("data.object.payment_intent", 1),
    ("data.object.failure_message", {"text": "no"}),
    ("data.object.failure_message", "declined\x00"),
]


@pytest.mark.parametrize(("path", "value"), MALFORMED_CHARGES)
def test_malformed_signed_charge_event_is_refused_and_writes_nothing(
    clinic, patients, path, value
):
    invoice = invoice_for(clinic, patients.patient, "120.00")
    payment = _card_payment(clinic, invoice)
    event = _set(_event("charge.refunded", _charge(payment, refunded=100)), path, value)

    response = _deliver(event)

    assert response.status_code == HTTPStatus.BAD_REQUEST, response.content
    assert response.json()["error"]["code"] == "webhook_event_malformed"
    assert _fresh(clinic, payment).status == PaymentStatus.PENDING
    with tenant_context(clinic):
        assert not StripeEvent.objects.exists()


@pytest.mark.parametrize("body", [b"[1, 2]", b'"event"', b"null", b"not json"])
def test_signed_body_that_is_no_event_is_refused(clinic, body):
    response = Client().post(
        "/stripe/webhook/",
        body,
        content_type="application/json",
        HTTP_HOST="localhost",
        HTTP_STRIPE_SIGNATURE=sign(body, WEBHOOK_SECRET, int(time.time())),
    )

    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert response.json()["error"]["code"] == "webhook_event_malformed"
    with tenant_context(clinic):
        assert not StripeEvent.objects.exists()


def test_signed_event_of_an_unknown_account_is_refused(clinic, patients):
    invoice = invoice_for(clinic, patients.patient, "120.00")
    payment = _card_payment(clinic, invoice)
    event = _event("payment_intent.succeeded", _intent(payment, "succeeded"))

    response = _deliver({**event, "account": "acct_nobodyhere"})

    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert response.json()["error"]["code"] == "webhook_account_unknown"
    assert _fresh(clinic, payment).status == PaymentStatus.PENDING


def test_events_we_do_not_apply_are_recorded_without_reading_their_object(clinic):
    event = _event("customer.updated", {"id": "cus_1", "anything": ["goes"]})

    assert _deliver(event).json() == {"received": True, "duplicate": False}
    with tenant_context(clinic):
        assert StripeEvent.objects.filter(event_id=event["id"]).exists()


# --- 5. one transaction per event ---------------------------------------------


def test_an_event_that_fails_half_way_leaves_nothing_and_applies_on_retry(
    clinic, patients, monkeypatch
):
    invoice = invoice_for(clinic, patients.patient, "120.00")
    payment = _card_payment(clinic, invoice)
    event = _event("payment_intent.succeeded", _intent(payment, "succeeded"))

    def broken_settle(**kwargs):
        raise RuntimeError("the database went away")

    # The payment row is written first, then the invoice: fail in between.
    monkeypatch.setattr(reconcile, "invoice_settle", broken_settle)
    with pytest.raises(RuntimeError):
        _deliver(event)
    payment, invoice = _fresh(clinic, payment, invoice)
    assert (payment.status, invoice.amount_paid) == ("pending", Decimal(0))
    with tenant_context(clinic):
        assert not StripeEvent.objects.exists()

    monkeypatch.undo()
    monkeypatch.setattr(reconcile, "djstripe_mirror", lambda *args: None)
    assert _deliver(event).json() == {"received": True, "duplicate": False}
    assert _deliver(event).json() == {"received": True, "duplicate": True}
    payment, invoice = _fresh(clinic, payment, invoice)
    assert (payment.status, invoice.amount_paid) == ("completed", Decimal(120))


# --- money whose checkout row was lost ----------------------------------------


def test_a_succeeded_intent_whose_checkout_was_lost_is_recorded_once(clinic, patients):
    """Our request failed after Stripe charged the card, so its payment row
    rolled back: the signed success still books the money, on the invoice
    the intent's metadata names, and Stripe's retry adds nothing."""
    invoice = invoice_for(clinic, patients.patient, "120.00")
    lost = _card_payment(clinic, invoice)
    intent = _intent(lost, "succeeded")
    intent["metadata"]["chairside_invoice"] = invoice.number
    with tenant_context(clinic):
        lost.delete()
    succeeded = _event("payment_intent.succeeded", intent)

    response = _deliver(succeeded)

    assert response.status_code == HTTPStatus.OK, response.content
    with tenant_context(clinic):
        recorded = Payment.objects.get(stripe_payment_id=intent["id"])
        assert (recorded.invoice_id, recorded.amount, recorded.status) == (
            invoice.pk,
            Decimal("120.00"),
            PaymentStatus.COMPLETED,
        )
        assert recorded.payment_method == PaymentMethod.CARD
        invoice.refresh_from_db()
        assert (invoice.status, invoice.amount_paid) == (InvoiceStatus.PAID, 120)
    assert _deliver(succeeded).json() == {"received": True, "duplicate": True}
    with tenant_context(clinic):
        assert Payment.objects.filter(invoice=invoice).count() == 1


def test_a_failed_intent_whose_checkout_was_lost_records_no_payment(clinic, patients):
    invoice = invoice_for(clinic, patients.patient, "120.00")
    lost = _card_payment(clinic, invoice)
    intent = _intent(lost, "requires_payment_method")
    intent["metadata"]["chairside_invoice"] = invoice.number
    with tenant_context(clinic):
        lost.delete()

    response = _deliver(_event("payment_intent.payment_failed", intent))

    assert response.status_code == HTTPStatus.OK
    with tenant_context(clinic):
        assert not Payment.objects.filter(invoice=invoice).exists()


def test_an_intent_that_is_not_ours_is_recorded_as_an_event_only(clinic, patients):
    invoice = invoice_for(clinic, patients.patient, "120.00")
    stranger = _card_payment(clinic, invoice)
    intent = _intent(stranger, "succeeded")
    intent["metadata"] = {}  # made in Stripe's dashboard, say
    with tenant_context(clinic):
        stranger.delete()

    response = _deliver(_event("payment_intent.succeeded", intent))

    assert response.status_code == HTTPStatus.OK
    with tenant_context(clinic):
        assert not Payment.objects.filter(invoice=invoice).exists()
        assert StripeEvent.objects.filter(type="payment_intent.succeeded").exists()


def test_a_webhooks_changes_name_stripe_in_the_audit_trail(clinic, patients):
    invoice = invoice_for(clinic, patients.patient, "120.00")
    payment = _card_payment(clinic, invoice)

    _deliver(_event("payment_intent.succeeded", _intent(payment, "succeeded")))

    with tenant_context(clinic):
        change = (
            PaymentEvent.objects.filter(pgh_obj_id=payment.pk, pgh_label="update")
            .select_related("pgh_context")
            .get()
        )
        assert change.pgh_context.metadata["actor"] == "system"
        assert change.pgh_context.metadata["system"] == "stripe-webhook"
