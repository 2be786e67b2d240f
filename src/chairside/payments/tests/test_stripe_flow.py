"""Card payments end to end: the real stripe SDK against localstripe, a real
app server, real signed webhooks. Nothing here is mocked."""

from __future__ import annotations

import copy
import time
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal
from http import HTTPStatus

import pytest
import stripe
from django_tenants.utils import schema_context

from chairside.billing.models import InvoiceStatus
from chairside.payments.models import Payment, PaymentStatus, StripeEvent
from chairside.payments.tests.conftest import WEBHOOK_SECRET, StripeEnv, confirm_card
from tests.stripe_harness import API_KEY


def _payment(env: StripeEnv, clinic, payment_id: int) -> Payment:
    with schema_context(clinic.schema_name):
        return Payment.objects.get(pk=payment_id)


def _wait_status(env: StripeEnv, clinic, payment_id: int, status: str) -> Payment:
    return env.localstripe.wait_for(
        lambda: (p := _payment(env, clinic, payment_id)).status == status and p
    )


def _start_card(env: StripeEnv, clinic, invoice, local="patient", **body):
    return env.request(
        "POST",
        clinic,
        "/api/payments",
        local,
        json={"invoice_id": invoice.pk, "payment_method": "card", **body},
    )


def _paid_by_card(env: StripeEnv, clinic, invoice):
    response = _start_card(env, clinic, invoice)
    assert response.status_code == HTTPStatus.CREATED, response.text
    data = response.json()
    confirm_card(data["stripe_payment_id"], clinic.stripe_account_id)
    payment = _wait_status(env, clinic, data["id"], PaymentStatus.COMPLETED)
    return data, payment


def _succeeded_deliveries(env: StripeEnv, intent_id: str) -> list:
    """The payment_intent.succeeded deliveries of one intent, once there is
    one: a payment may complete before its webhook is delivered (the status
    is also read back from Stripe), so a test reading the deliveries at once
    found none now and then."""
    return env.localstripe.wait_for(
        lambda: [
            d
            for d in env.localstripe.deliveries_of("payment_intent.succeeded")
            if d.event["data"]["object"]["id"] == intent_id
        ]
    )


def _event_count(clinic) -> int:
    with schema_context(clinic.schema_name):
        return StripeEvent.objects.count()


def test_card_payment_completes_only_when_stripe_says_so(stripe_env: StripeEnv):
    env, alpha = stripe_env, stripe_env.alpha
    invoice = env.invoice(alpha, env.alpha_patients.patient, "120.00")

    response = _start_card(env, alpha, invoice)

    assert response.status_code == HTTPStatus.CREATED, response.text
    data = response.json()
    assert data["status"] == "pending"
    assert data["amount"] == "120.00"
    assert data["client_secret"].startswith(data["stripe_payment_id"] + "_secret_")
    assert data["stripe_account"] == alpha.stripe_account_id
    # Created on the clinic's connected account, with our idempotency key.
    create_call = next(
        c
        for c in env.localstripe.calls
        if c.path == "/v1/payment_intents" and c.account == alpha.stripe_account_id
    )
    assert (
        create_call.idempotency_key
        == f"chairside:{alpha.schema_name}:payment:{data['id']}:intent"
    )
    # Nothing is paid before Stripe confirms.
    assert env.refresh(alpha, invoice).amount_paid == Decimal("0.00")

    confirm_card(data["stripe_payment_id"], alpha.stripe_account_id)
    payment = _wait_status(env, alpha, data["id"], PaymentStatus.COMPLETED)

    invoice = env.refresh(alpha, invoice)
    assert invoice.status == InvoiceStatus.PAID
    assert invoice.amount_paid == Decimal("120.00")
    assert payment.stripe_charge_id.startswith("ch_")
    # dj-stripe mirrored the intent into alpha's schema, under alpha's account.
    from djstripe.models import PaymentIntent as SyncedIntent

    with schema_context(alpha.schema_name):
        synced = env.localstripe.wait_for(
            lambda: SyncedIntent.objects.filter(id=data["stripe_payment_id"]).first()
        )
        assert synced.djstripe_owner_account_id == alpha.stripe_account_id
    got = env.request("GET", alpha, f"/api/billing/invoices/{invoice.pk}", "patient")
    assert got.json()["status"] == "paid"
    assert got.json()["balance"] == "0.00"


def test_card_declined_on_charge_fails_and_leaves_invoice_unpaid(
    stripe_env: StripeEnv,
):
    env, alpha = stripe_env, stripe_env.alpha
    invoice = env.invoice(alpha, env.alpha_patients.patient, "80.00")
    data = _start_card(env, alpha, invoice).json()

    with pytest.raises(stripe.CardError):
        confirm_card(
            data["stripe_payment_id"], alpha.stripe_account_id, "4000000000000341"
        )

    payment = _wait_status(env, alpha, data["id"], PaymentStatus.FAILED)
    assert payment.failure_message
    invoice = env.refresh(alpha, invoice)
    assert invoice.status == InvoiceStatus.PENDING
    assert invoice.amount_paid == Decimal("0.00")
    # The failed attempt no longer holds the balance: paying again works.
    assert _start_card(env, alpha, invoice).status_code == HTTPStatus.CREATED


def test_card_declined_on_attach_fails_the_payment(stripe_env: StripeEnv):
    env, alpha = stripe_env, stripe_env.alpha
    invoice = env.invoice(alpha, env.alpha_patients.patient, "80.00")
    method = stripe.PaymentMethod.create(
        type="card",
        card={
            "number": "4000000000000002",
            "exp_month": 1,
            "exp_year": 2035,
            "cvc": "123",
        },
        api_key=API_KEY,
        stripe_account=alpha.stripe_account_id,
    )

    response = _start_card(env, alpha, invoice, stripe_payment_method_id=method.id)

    assert response.status_code == HTTPStatus.PAYMENT_REQUIRED, response.text
    error = response.json()["error"]
    assert error["code"] == "card_declined"
    payment = _payment(env, alpha, error["details"]["payment_id"])
    assert payment.status == PaymentStatus.FAILED
    invoice = env.refresh(alpha, invoice)
    assert (invoice.status, invoice.amount_paid) == ("pending", Decimal("0.00"))


def test_saved_card_charged_server_side(stripe_env: StripeEnv):
    env, alpha = stripe_env, stripe_env.alpha
    invoice = env.invoice(alpha, env.alpha_patients.patient, "45.50")
    method = stripe.PaymentMethod.create(
        type="card",
        card={
            "number": "4242424242424242",
            "exp_month": 1,
            "exp_year": 2035,
            "cvc": "123",
        },
        api_key=API_KEY,
        stripe_account=alpha.stripe_account_id,
    )

    response = _start_card(
        env, alpha, invoice, "receptionist", stripe_payment_method_id=method.id
    )

    assert response.status_code == HTTPStatus.CREATED, response.text
    assert response.json()["status"] == "completed"
    assert env.refresh(alpha, invoice).status == InvoiceStatus.PAID


def test_partial_refund_by_admin(stripe_env: StripeEnv):
    env, alpha = stripe_env, stripe_env.alpha
    invoice = env.invoice(alpha, env.alpha_patients.patient, "120.00")
    data, _payment_row = _paid_by_card(env, alpha, invoice)

    for local in ("patient", "receptionist", "dentist"):
        denied = env.request(
            "POST", alpha, f"/api/payments/{data['id']}/refund", local, json={}
        )
        assert denied.status_code in (HTTPStatus.FORBIDDEN, HTTPStatus.NOT_FOUND)

    response = env.request(
        "POST",
        alpha,
        f"/api/payments/{data['id']}/refund",
        "admin",
        json={"amount": "20.00", "reason": "Goodwill"},
    )

    assert response.status_code == HTTPStatus.OK, response.text
    body = response.json()
    assert body["status"] == "partially_refunded"
    assert body["refunded_amount"] == "20.00"
    assert body["refunds"][0]["stripe_refund_id"].startswith("re_")
    key = f"chairside:{alpha.schema_name}:refund:{body['refunds'][0]['id']}"
    refund_call = next(c for c in env.localstripe.calls if c.idempotency_key == key)
    assert (refund_call.path, refund_call.account) == (
        "/v1/refunds",
        alpha.stripe_account_id,
    )
    # Stripe's charge.refunded (cumulative 20.00) arrives and changes nothing.
    env.localstripe.wait_for(
        lambda: any(
            d.status == 200
            and d.event["data"]["object"].get("payment_intent")
            == data["stripe_payment_id"]
            for d in env.localstripe.deliveries_of("charge.refunded")
        )
    )
    payment = _payment(env, alpha, data["id"])
    assert payment.refunded_amount == Decimal("20.00")
    invoice = env.refresh(alpha, invoice)
    assert invoice.amount_paid == Decimal("100.00")
    assert invoice.status == InvoiceStatus.PARTIALLY_PAID
    too_much = env.request(
        "POST",
        alpha,
        f"/api/payments/{data['id']}/refund",
        "admin",
        json={"amount": "100.01"},
    )
    assert too_much.status_code == HTTPStatus.CONFLICT
    assert too_much.json()["error"]["code"] == "refund_exceeds_payment"


def test_duplicate_delivery_changes_nothing(stripe_env: StripeEnv):
    env, alpha = stripe_env, stripe_env.alpha
    invoice = env.invoice(alpha, env.alpha_patients.patient, "60.00")
    data, _ = _paid_by_card(env, alpha, invoice)
    (delivery,) = _succeeded_deliveries(env, data["stripe_payment_id"])
    events_before = _event_count(alpha)

    # The very same bytes and signature, delivered again (Stripe retries).
    again = env.request(
        "POST",
        alpha,
        "/stripe/webhook/",
        data=delivery.body,
        headers=dict(delivery.headers),
    )

    assert again.status_code == HTTPStatus.OK
    assert again.json() == {"received": True, "duplicate": True}
    assert _event_count(alpha) == events_before
    invoice = env.refresh(alpha, invoice)
    assert invoice.amount_paid == Decimal("60.00")


def _intent_event(env: StripeEnv, clinic, intent: dict, event_id: str) -> dict:
    return {
        "id": event_id,
        "object": "event",
        "type": "payment_intent.succeeded",
        "account": clinic.stripe_account_id,
        "created": int(time.time()),
        "livemode": False,
        "api_version": "2024-06-20",
        "data": {"object": intent},
    }


def test_bad_missing_or_stale_signatures_are_refused(stripe_env: StripeEnv):
    env, alpha = stripe_env, stripe_env.alpha
    invoice = env.invoice(alpha, env.alpha_patients.patient, "30.00")
    data = _start_card(env, alpha, invoice).json()
    intent = stripe.PaymentIntent.retrieve(
        data["stripe_payment_id"],
        api_key=API_KEY,
        stripe_account=alpha.stripe_account_id,
    ).to_dict()
    intent["status"] = "succeeded"
    intent["amount_received"] = intent["amount"]
    event = _intent_event(env, alpha, intent, "evt_forged1")

    wrong_secret = env.webhook(alpha, event, secret="whsec_attacker_guess_000000")
    stale = env.webhook(alpha, event, at=time.time() - 301)
    missing = env.request("POST", alpha, "/stripe/webhook/", json=event)
    header_secret = env.request(
        "POST",
        alpha,
        "/stripe/webhook/",
        json=event,
        headers={
            # dj-stripe's DEBUG-only override: never honoured here.
            "X-Djstripe-Webhook-Secret": "whsec_attacker",
            "Stripe-Signature": "t=1,v1=00",
        },
    )

    for response in (wrong_secret, stale, missing, header_secret):
        assert response.status_code == HTTPStatus.BAD_REQUEST
        assert response.json()["error"]["code"] == "webhook_signature_invalid"
    assert _payment(env, alpha, data["id"]).status == PaymentStatus.PENDING
    assert env.refresh(alpha, invoice).amount_paid == Decimal("0.00")
    assert _event_count(alpha) == 0


def test_tampered_body_is_refused(stripe_env: StripeEnv):
    import json

    from tests.stripe_harness import sign

    env, alpha = stripe_env, stripe_env.alpha
    invoice = env.invoice(alpha, env.alpha_patients.patient, "30.00")
    data = _start_card(env, alpha, invoice).json()
    event = _intent_event(
        env,
        alpha,
        {"id": data["stripe_payment_id"], "status": "requires_confirmation"},
        "evt_tamper",
    )
    body = json.dumps(event).encode()
    signature = sign(body, WEBHOOK_SECRET, int(time.time()))
    tampered = body.replace(b"requires_confirmation", b"succeeded")

    response = env.request(
        "POST",
        alpha,
        "/stripe/webhook/",
        data=tampered,
        headers={"Stripe-Signature": signature, "Content-Type": "application/json"},
    )

    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert _payment(env, alpha, data["id"]).status == PaymentStatus.PENDING


def test_refund_event_before_success_event_ends_right(stripe_env: StripeEnv):
    env, alpha = stripe_env, stripe_env.alpha
    invoice = env.invoice(alpha, env.alpha_patients.patient, "120.00")
    data = _start_card(env, alpha, invoice).json()
    intent_id = data["stripe_payment_id"]
    charge = {
        "id": "ch_outoforder1",
        "object": "charge",
        "payment_intent": intent_id,
        "status": "succeeded",
        "captured": True,
        "paid": True,
        "amount": 12000,
        "amount_refunded": 5000,
        "refunded": False,
        "currency": "usd",
    }
    refunded = {
        **_intent_event(env, alpha, {}, "evt_ooo_refund"),
        "type": "charge.refunded",
        "data": {"object": charge},
    }
    intent = {
        "id": intent_id,
        "object": "payment_intent",
        "status": "succeeded",
        "amount": 12000,
        "amount_received": 12000,
        "currency": "usd",
        "latest_charge": "ch_outoforder1",
        "metadata": {},
    }
    succeeded = _intent_event(env, alpha, intent, "evt_ooo_success")

    first = env.webhook(alpha, refunded)
    second = env.webhook(alpha, succeeded)

    assert (first.status_code, second.status_code) == (200, 200)
    payment = _payment(env, alpha, data["id"])
    assert payment.status == PaymentStatus.PARTIALLY_REFUNDED
    assert payment.refunded_amount == Decimal("50.00")
    invoice = env.refresh(alpha, invoice)
    assert invoice.amount_paid == Decimal("70.00")
    assert invoice.status == InvoiceStatus.PARTIALLY_PAID
    # A stale success event replayed later (new id) cannot undo the refund.
    third = env.webhook(alpha, {**succeeded, "id": "evt_ooo_success_late"})
    assert third.status_code == 200
    assert env.refresh(alpha, invoice).amount_paid == Decimal("70.00")


def test_two_clinics_two_accounts_never_cross(stripe_env: StripeEnv):
    env, alpha, beta = stripe_env, stripe_env.alpha, stripe_env.beta
    alpha_invoice = env.invoice(alpha, env.alpha_patients.patient, "50.00")
    beta_invoice = env.invoice(beta, env.beta_patients.patient, "50.00")
    data = _start_card(env, beta, beta_invoice).json()
    assert data["stripe_account"] == beta.stripe_account_id
    intent = stripe.PaymentIntent.retrieve(
        data["stripe_payment_id"],
        api_key=API_KEY,
        stripe_account=beta.stripe_account_id,
    ).to_dict()
    intent.update(status="succeeded", amount_received=intent["amount"])
    beta_event = _intent_event(env, beta, intent, "evt_cross_1")

    # beta's event on alpha's endpoint: refused, nothing recorded anywhere.
    on_alpha = env.webhook(alpha, beta_event)
    assert on_alpha.status_code == HTTPStatus.BAD_REQUEST
    assert on_alpha.json()["error"]["code"] == "webhook_account_mismatch"
    # An account no clinic has: refused.
    unknown = env.webhook(None, {**beta_event, "account": "acct_nobody"})
    assert unknown.json()["error"]["code"] == "webhook_account_unknown"
    # No account at all (metadata would say beta): refused.
    no_account = copy.deepcopy(beta_event)
    del no_account["account"]
    no_account["data"]["object"]["metadata"] = {"chairside_payment_id": data["id"]}
    assert env.webhook(None, no_account).status_code == HTTPStatus.BAD_REQUEST
    assert _event_count(alpha) == _event_count(beta) == 0

    # The real flow: beta's card, beta's webhook, beta's invoice only.
    confirm_card(data["stripe_payment_id"], beta.stripe_account_id)
    _wait_status(env, beta, data["id"], PaymentStatus.COMPLETED)
    assert env.refresh(beta, beta_invoice).status == InvoiceStatus.PAID
    assert env.refresh(alpha, alpha_invoice).status == InvoiceStatus.PENDING
    deliveries = _succeeded_deliveries(env, data["stripe_payment_id"])
    assert [d.host.split(":")[0] for d in deliveries] == [beta.host]
    assert _event_count(alpha) == 0

    # The platform's Connect endpoint routes by account to the right clinic.
    via_platform = env.webhook(None, {**beta_event, "id": "evt_cross_platform"})
    assert via_platform.json() == {"received": True, "duplicate": False}
    with schema_context(beta.schema_name):
        assert StripeEvent.objects.filter(event_id="evt_cross_platform").exists()


def test_parallel_payments_cannot_overpay(stripe_env: StripeEnv):
    """Eight concurrent 60.00 payments (cash at the desk, card by the patient)
    on a 100.00 invoice, through a 4-worker server: one reservation wins."""
    env, alpha = stripe_env, stripe_env.alpha
    invoice = env.invoice(alpha, env.alpha_patients.patient, "100.00")

    def pay(i: int) -> tuple[int, int | None]:
        cash = i % 2 == 1
        response = env.request(
            "POST",
            alpha,
            "/api/payments",
            "receptionist" if cash else "patient",
            json={
                "invoice_id": invoice.pk,
                "payment_method": "cash" if cash else "card",
                "amount": "60.00",
            },
        )
        body = response.json()
        return response.status_code, body.get("id")

    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(pay, range(8)))

    codes = [code for code, _ in results]
    # A patient reopening their own checkout resumes the same payment, so
    # count distinct payments, not 201s.
    created = {pid for code, pid in results if code == HTTPStatus.CREATED}
    assert len(created) == 1, results
    assert set(codes) <= {HTTPStatus.CREATED, HTTPStatus.CONFLICT}, results
    with schema_context(alpha.schema_name):
        held = [
            p.amount
            for p in Payment.objects.filter(invoice_id=invoice.pk).exclude(
                status=PaymentStatus.FAILED
            )
        ]
    assert held == [Decimal("60.00")]


def test_parallel_invoices_get_consecutive_numbers(stripe_env: StripeEnv):
    env, alpha = stripe_env, stripe_env.alpha
    patient = env.alpha_patients.patient

    def issue(_i: int):
        return env.request(
            "POST",
            alpha,
            "/api/billing/invoices",
            "receptionist",
            json={
                "patient_id": patient.pk,
                "items": [{"description": "X-ray", "unit_price": "35.00"}],
            },
        )

    with ThreadPoolExecutor(max_workers=8) as pool:
        responses = list(pool.map(issue, range(12)))

    assert all(r.status_code == HTTPStatus.CREATED for r in responses)
    numbers = sorted(int(r.json()["number"].rsplit("-", 1)[1]) for r in responses)
    assert numbers == list(range(numbers[0], numbers[0] + 12))


def test_card_captured_after_a_failure_and_cash_is_kept_for_refund(
    stripe_env: StripeEnv,
):
    """The reproduction of #12: checkout started, a signed payment_failed,
    cash for the full balance, then Stripe captures the same intent. The
    webhook used to answer 500 on every retry and the money went unrecorded."""
    env, alpha = stripe_env, stripe_env.alpha
    invoice = env.invoice(alpha, env.alpha_patients.patient, "120.00")
    data = _start_card(env, alpha, invoice).json()
    intent = stripe.PaymentIntent.retrieve(
        data["stripe_payment_id"],
        api_key=API_KEY,
        stripe_account=alpha.stripe_account_id,
    ).to_dict()
    intent.update(
        status="requires_payment_method",
        last_payment_error={"message": "Your card was declined."},
    )
    failed = env.webhook(
        alpha,
        {
            **_intent_event(env, alpha, intent, "evt_repro_failed"),
            "type": "payment_intent.payment_failed",
        },
    )
    assert failed.status_code == HTTPStatus.OK
    assert _payment(env, alpha, data["id"]).status == PaymentStatus.FAILED
    cash = env.request(
        "POST",
        alpha,
        "/api/payments",
        "receptionist",
        json={"invoice_id": invoice.pk, "payment_method": "cash"},
    )
    assert cash.status_code == HTTPStatus.CREATED, cash.text

    # The patient's page retries the same intent; Stripe captures it.
    confirm_card(data["stripe_payment_id"], alpha.stripe_account_id)

    payment = _wait_status(env, alpha, data["id"], PaymentStatus.NEEDS_REFUND)
    assert payment.refund_due == Decimal("120.00")
    deliveries = _succeeded_deliveries(env, data["stripe_payment_id"])
    assert [d.status for d in deliveries] == [HTTPStatus.OK]
    invoice = env.refresh(alpha, invoice)
    assert (invoice.status, invoice.amount_paid) == (InvoiceStatus.PAID, Decimal(120))
    # Staff see what is owed, and refunding it by default gives back only that.
    shown = env.request("GET", alpha, f"/api/payments/{data['id']}", "admin").json()
    assert (shown["status"], shown["refund_due"]) == ("needs_refund", "120.00")
    refund = env.request(
        "POST", alpha, f"/api/payments/{data['id']}/refund", "admin", json={}
    )
    assert refund.status_code == HTTPStatus.OK, refund.text
    assert (refund.json()["status"], refund.json()["refund_due"]) == (
        "refunded",
        "0.00",
    )
    invoice = env.refresh(alpha, invoice)
    assert (invoice.status, invoice.amount_paid) == (InvoiceStatus.PAID, Decimal(120))
