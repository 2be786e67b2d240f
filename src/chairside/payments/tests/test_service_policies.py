"""The payment services refuse the wrong actor themselves, whichever adapter
(API, staff page, portal, webhook) calls them."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django_tenants.utils import tenant_context

from chairside.billing.services import invoice_lock
from chairside.core.actors import REMINDERS, STRIPE_WEBHOOK
from chairside.core.errors import NotFound, PermissionDenied
from chairside.payments.checkout import card_checkout_start
from chairside.payments.erasure import erase_patient
from chairside.payments.events import ChargeData, PaymentIntentData
from chairside.payments.manual import payment_manual_record
from chairside.payments.models import Payment, PaymentMethod, PaymentStatus
from chairside.payments.reconcile import (
    payment_reconcile_charge,
    payment_reconcile_intent,
    payment_refresh_from_stripe,
    stripe_answer_for,
    stripe_event_apply,
)
from chairside.payments.refunds import payment_refund
from chairside.payments.tests.conftest import invoice_for
from conftest import world_user

pytestmark = pytest.mark.django_db


def _cash(clinic, invoice, amount="50.00"):
    with tenant_context(clinic):
        return payment_manual_record(
            actor=world_user(clinic, "receptionist"),
            invoice_id=invoice.pk,
            method=PaymentMethod.CASH,
            amount=Decimal(amount),
        )


@pytest.mark.parametrize("role", ["dentist", "patient"])
def test_only_the_front_desk_records_cash(alpha, patients, role):
    invoice = invoice_for(alpha, patients.patient)
    actor = world_user(alpha, role)
    with tenant_context(alpha):
        with pytest.raises(PermissionDenied):
            payment_manual_record(
                actor=actor, invoice_id=invoice.pk, method=PaymentMethod.CASH
            )
        assert not Payment.objects.exists()
        invoice.refresh_from_db()
    assert invoice.amount_paid == 0


def test_cash_on_another_patients_invoice_is_not_found(alpha, patients):
    invoice = invoice_for(alpha, patients.patient)
    with tenant_context(alpha), pytest.raises(NotFound):
        payment_manual_record(
            actor=world_user(alpha, "patient2"),
            invoice_id=invoice.pk,
            method=PaymentMethod.CASH,
        )


def test_a_system_actor_records_no_cash(alpha, patients):
    invoice = invoice_for(alpha, patients.patient)
    with tenant_context(alpha), pytest.raises(PermissionDenied):
        payment_manual_record(
            actor=STRIPE_WEBHOOK, invoice_id=invoice.pk, method=PaymentMethod.CASH
        )


def test_the_payment_keeps_who_recorded_it(alpha, patients):
    payment = _cash(alpha, invoice_for(alpha, patients.patient))
    assert payment.recorded_by == world_user(alpha, "receptionist")


@pytest.mark.parametrize("role", ["receptionist", "dentist", "patient"])
def test_only_an_admin_refunds(alpha, patients, role):
    payment = _cash(alpha, invoice_for(alpha, patients.patient))
    actor = world_user(alpha, role)
    with tenant_context(alpha):
        with pytest.raises(PermissionDenied):
            payment_refund(actor=actor, payment_id=payment.pk)
        payment.refresh_from_db()
    assert payment.refunded_amount == 0


def test_an_admin_refunds_in_their_name(alpha, patients):
    payment = _cash(alpha, invoice_for(alpha, patients.patient))
    admin = world_user(alpha, "admin")
    with tenant_context(alpha):
        payment_refund(actor=admin, payment_id=payment.pk, reason="overcharged")
        payment.refresh_from_db()
        assert payment.status == PaymentStatus.REFUNDED
        assert payment.refunds.get().created_by == admin


def test_a_refund_of_another_patients_payment_is_not_found(alpha, patients):
    payment = _cash(alpha, invoice_for(alpha, patients.patient))
    with tenant_context(alpha), pytest.raises(NotFound):
        payment_refund(actor=world_user(alpha, "patient2"), payment_id=payment.pk)


def test_a_dentist_cannot_take_a_card_payment(alpha, patients):
    invoice = invoice_for(alpha, patients.patient)
    with tenant_context(alpha):
        with pytest.raises(PermissionDenied):
            card_checkout_start(
                actor=world_user(alpha, "dentist"), invoice_id=invoice.pk
            )
        assert not Payment.objects.exists()


def test_a_patient_cannot_pay_another_patients_invoice(alpha, patients):
    invoice = invoice_for(alpha, patients.patient)
    with tenant_context(alpha), pytest.raises(NotFound):
        card_checkout_start(actor=world_user(alpha, "patient2"), invoice_id=invoice.pk)


def _pending_card(clinic, invoice):
    with tenant_context(clinic):
        return Payment.objects.create(
            invoice=invoice,
            amount=invoice.total_amount,
            payment_method=PaymentMethod.CARD,
            status=PaymentStatus.PENDING,
            stripe_payment_id="pi_servicepolicy",
        )


def _succeeded(payment) -> PaymentIntentData:
    return PaymentIntentData.model_validate(
        {
            "id": payment.stripe_payment_id,
            "object": "payment_intent",
            "status": "succeeded",
            "amount": 12000,
            "amount_received": 12000,
            "currency": "usd",
            "metadata": {},
        }
    )


@pytest.mark.parametrize("role", ["admin", "receptionist", "patient"])
def test_stripe_state_is_applied_only_as_the_webhook(alpha, patients, role):
    """A person never declares a card payment succeeded: only Stripe's
    verified state, as the STRIPE_WEBHOOK actor, moves it."""
    invoice = invoice_for(alpha, patients.patient)
    payment = _pending_card(alpha, invoice)
    person = world_user(alpha, role)
    charge = ChargeData.model_validate(
        {
            "id": "ch_servicepolicy",
            "object": "charge",
            "status": "succeeded",
            "captured": True,
            "amount": 12000,
            "amount_captured": 12000,
            "amount_refunded": 0,
            "currency": "usd",
            "payment_intent": payment.stripe_payment_id,
            "metadata": {},
        }
    )
    with tenant_context(alpha):
        for actor in (person, REMINDERS):
            with pytest.raises(PermissionDenied):
                payment_reconcile_intent(actor=actor, intent=_succeeded(payment))
            with pytest.raises(PermissionDenied):
                payment_reconcile_charge(actor=actor, charge=charge)
        payment.refresh_from_db()
        assert payment.status == PaymentStatus.PENDING
        payment_reconcile_intent(
            actor=stripe_answer_for(person, "test"), intent=_succeeded(payment)
        )
        payment.refresh_from_db()
    assert payment.status == PaymentStatus.COMPLETED


def test_only_the_webhook_applies_events(alpha):
    with tenant_context(alpha), pytest.raises(PermissionDenied):
        stripe_event_apply(actor=REMINDERS, event=None, clinic=alpha)


def test_a_refresh_of_another_patients_payment_is_refused(alpha, patients):
    payment = _pending_card(alpha, invoice_for(alpha, patients.patient))
    with tenant_context(alpha), pytest.raises(PermissionDenied):
        payment_refresh_from_stripe(
            actor=world_user(alpha, "patient2"), payment=payment
        )


@pytest.mark.parametrize("role", ["receptionist", "dentist", "patient"])
def test_only_an_admin_erases_a_patients_payments(alpha, patients, role):
    payment = _cash(alpha, invoice_for(alpha, patients.patient))
    with tenant_context(alpha):
        Payment.objects.filter(pk=payment.pk).update(reference="Paid by Pat")
        with pytest.raises(PermissionDenied):
            erase_patient(actor=world_user(alpha, role), patient_id=patients.patient.pk)
        payment.refresh_from_db()
    assert payment.reference == "Paid by Pat"


def test_the_webhook_reaches_any_invoice_of_its_clinic(alpha, patients):
    invoice = invoice_for(alpha, patients.patient)
    with tenant_context(alpha):
        assert invoice_lock(actor=STRIPE_WEBHOOK, invoice_id=invoice.pk) == invoice
        with pytest.raises(NotFound):
            invoice_lock(actor=REMINDERS, invoice_id=invoice.pk)
