"""Fixtures for billing and payment tests.

Two kinds of test live here:
- in-process API tests on the rolled-back `db` transaction (`patients`);
- end-to-end Stripe tests (`stripe_env`): localstripe in this process, a
  gunicorn app server on the test database, webhooks signed and delivered by
  localstripe to that server. The server cannot see an open test
  transaction, so those tests commit their rows and delete them afterwards.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import pytest
import requests
import stripe
from django_tenants.utils import schema_context, tenant_context

from conftest import access_token_for, world_user
from tests.stripe_harness import API_KEY, LocalStripe, sign

WEBHOOK_SECRET = "whsec_" + "chairsideTestSigningSecret0123"


@dataclass
class ClinicPatients:
    patient: Any  # Patient linked to patient@<clinic>.test
    other: Any  # Patient linked to patient2@<clinic>.test
    created: list[int] = field(default_factory=list)  # ids made here


def _patient_for(clinic, local: str, name: str, tag: str, created: list[int]):
    """The Patient record of a world user (the clinical world may already
    have made it; otherwise make one and remember to remove it)."""
    from chairside.patients.models import Patient

    user = world_user(clinic, local)
    with schema_context(clinic.schema_name):
        found = Patient.objects.filter(user=user).first()
        if found is not None:
            return found
        patient = Patient.objects.create(
            first_name=name,
            last_name=f"Billing{tag}",
            email=f"{local}-billing{tag}@{clinic.slug}.example",
            user=user,
        )
        created.append(patient.pk)
        return patient


def make_patients(clinic, tag: str = "") -> ClinicPatients:
    created: list[int] = []
    return ClinicPatients(
        patient=_patient_for(clinic, "patient", "Pat", tag, created),
        other=_patient_for(clinic, "patient2", "Pam", tag, created),
        created=created,
    )


@pytest.fixture
def patients(alpha) -> ClinicPatients:
    return make_patients(alpha)


@pytest.fixture
def beta_patients(beta) -> ClinicPatients:
    return make_patients(beta)


def invoice_for(clinic, patient, amount: str = "120.00", **kwargs):
    """An invoice issued by the clinic's receptionist."""
    from chairside.billing.services import InvoiceLine, invoice_create

    actor = world_user(clinic, "receptionist")
    with tenant_context(clinic):
        return invoice_create(
            actor=actor,
            patient_id=patient.pk,
            lines=[InvoiceLine("Cleaning", 1, Decimal(amount), "D1110")],
            **kwargs,
        )


# --- end-to-end: localstripe + a real app server ---------------------------


@pytest.fixture(scope="session")
def localstripe() -> Iterator[LocalStripe]:
    harness = LocalStripe().start()
    previous = stripe.api_base
    stripe.api_base = harness.url
    yield harness
    stripe.api_base = previous
    harness.stop()


@pytest.fixture(scope="session")
def stripe_app_port(app_server_factory, localstripe) -> int:
    return app_server_factory(
        {
            "STRIPE_SECRET_KEY": API_KEY,
            "STRIPE_PUBLISHABLE_KEY": "pk_test_" + "chairsideLocalStripeKey0123",
            "STRIPE_WEBHOOK_SECRET": WEBHOOK_SECRET,
            "STRIPE_API_BASE": localstripe.url,
        },
        workers=4,
    )


@dataclass
class StripeEnv:
    """Committed clinics-with-Stripe-accounts, and helpers to drive them."""

    port: int
    localstripe: LocalStripe
    alpha: Any
    beta: Any
    alpha_patients: ClinicPatients
    beta_patients: ClinicPatients
    created: list[tuple[Any, Any]] = field(default_factory=list)

    def url(self, clinic, path: str) -> str:
        host = clinic.host if clinic is not None else "localhost"
        return f"http://{host}:{self.port}{path}"

    def request(
        self, method: str, clinic, path: str, local: str | None = None, **kwargs
    ) -> requests.Response:
        """Call the app server on 127.0.0.1 with the clinic's Host header."""
        headers = kwargs.pop("headers", {})
        host = clinic.host if clinic is not None else "localhost"
        headers["Host"] = f"{host}:{self.port}"
        if local:
            headers["Authorization"] = (
                f"Bearer {access_token_for(world_user(clinic, local), clinic)}"
            )
        return requests.request(
            method,
            f"http://127.0.0.1:{self.port}{path}",
            headers=headers,
            timeout=30,
            **kwargs,
        )

    def webhook(
        self, clinic, event: dict, *, secret: str = WEBHOOK_SECRET, at=None
    ) -> requests.Response:
        """Deliver a hand-made event, signed as Stripe signs it."""
        import json
        import time

        body = json.dumps(event).encode()
        timestamp = int(at if at is not None else time.time())
        return self.request(
            "POST",
            clinic,
            "/stripe/webhook/",
            data=body,
            headers={
                "Content-Type": "application/json",
                "Stripe-Signature": sign(body, secret, timestamp),
            },
        )

    def invoice(self, clinic, patient, amount: str = "120.00"):
        invoice = invoice_for(clinic, patient, amount)
        self.created.append((clinic, invoice))
        return invoice

    def refresh(self, clinic, obj):
        with schema_context(clinic.schema_name):
            obj.refresh_from_db()
        return obj


def confirm_card(
    intent_id: str, account: str, number: str = "4242424242424242"
) -> stripe.PaymentIntent:
    """What Stripe.js does in the patient's browser."""
    options = {"api_key": API_KEY, "stripe_account": account}
    method = stripe.PaymentMethod.create(
        type="card",
        card={"number": number, "exp_month": 12, "exp_year": 2034, "cvc": "123"},
        **options,
    )
    stripe.PaymentIntent.modify(intent_id, payment_method=method.id, **options)
    return stripe.PaymentIntent.confirm(intent_id, **options)


def _cleanup(clinic, patient_ids: list[int], created: list[int]) -> None:
    from chairside.billing.models import Invoice, InvoiceItem
    from chairside.patients.models import Patient
    from chairside.payments.models import (
        Payment,
        PaymentRefund,
        StripeCustomer,
        StripeEvent,
    )

    with schema_context(clinic.schema_name):
        invoices = Invoice.objects.filter(patient_id__in=patient_ids)
        PaymentRefund.objects.filter(payment__invoice__in=invoices).delete()
        Payment.objects.filter(invoice__in=invoices).delete()
        InvoiceItem.objects.filter(invoice__in=invoices).delete()
        invoices.delete()
        StripeCustomer.objects.filter(patient_id__in=patient_ids).delete()
        StripeEvent.objects.all().delete()
        Patient.objects.filter(pk__in=created).delete()


@pytest.fixture
def stripe_env(
    django_db_setup, django_db_blocker, stripe_app_port, localstripe
) -> Iterator[StripeEnv]:
    """Autocommit for the whole test; every row made is removed afterwards."""
    from tenants.models import Clinic

    with django_db_blocker.unblock():
        tag = uuid.uuid4().hex[:8]
        alpha = Clinic.objects.get(slug="alpha")
        beta = Clinic.objects.get(slug="beta")
        alpha.stripe_account_id = f"acct_alpha{tag}"
        beta.stripe_account_id = f"acct_beta{tag}"
        alpha.save(update_fields=["stripe_account_id"])
        beta.save(update_fields=["stripe_account_id"])
        env = StripeEnv(
            port=stripe_app_port,
            localstripe=localstripe,
            alpha=alpha,
            beta=beta,
            alpha_patients=make_patients(alpha, tag),
            beta_patients=make_patients(beta, tag),
        )
        for clinic in (alpha, beta):
            localstripe.register_webhook(
                clinic.slug,
                env.url(clinic, "/stripe/webhook/"),
                WEBHOOK_SECRET,
                account=clinic.stripe_account_id,
            )
        try:
            yield env
        finally:
            localstripe.hooks.clear()
            for clinic, group in (
                (alpha, env.alpha_patients),
                (beta, env.beta_patients),
            ):
                _cleanup(clinic, [group.patient.pk, group.other.pk], group.created)
            Clinic.objects.filter(pk__in=[alpha.pk, beta.pk]).update(
                stripe_account_id=None
            )
