"""The billing services refuse the wrong actor themselves, whichever adapter
calls them: no page, endpoint or task has to remember the check."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django_tenants.utils import tenant_context

from chairside.billing.erasure import erase_patient
from chairside.billing.models import Invoice, InvoiceStatus
from chairside.billing.services import (
    InvoiceLine,
    invoice_create,
    invoice_lock,
    invoice_settle,
    invoice_update,
)
from chairside.core.actors import REMINDERS, STRIPE_WEBHOOK
from chairside.core.errors import NotFound, PermissionDenied
from chairside.payments.tests.conftest import invoice_for
from conftest import world_user

pytestmark = pytest.mark.django_db

LINES = [InvoiceLine("Cleaning", 1, Decimal("80.00"))]


@pytest.mark.parametrize("role", ["patient", "patient2"])
def test_a_patient_cannot_issue_an_invoice(alpha, patients, role):
    actor = world_user(alpha, role)
    with tenant_context(alpha):
        with pytest.raises(PermissionDenied):
            invoice_create(actor=actor, patient_id=patients.patient.pk, lines=LINES)
        assert not Invoice.objects.exists()


def test_a_system_actor_cannot_issue_an_invoice(alpha, patients):
    with tenant_context(alpha), pytest.raises(PermissionDenied):
        invoice_create(actor=REMINDERS, patient_id=patients.patient.pk, lines=LINES)


@pytest.mark.parametrize("role", ["admin", "receptionist", "dentist"])
def test_billing_staff_issue_invoices_in_their_name(alpha, patients, role):
    actor = world_user(alpha, role)
    with tenant_context(alpha):
        invoice = invoice_create(
            actor=actor, patient_id=patients.patient.pk, lines=LINES
        )
        assert invoice.created_by == actor


def test_a_dentist_cannot_void_an_invoice(alpha, patients):
    invoice = invoice_for(alpha, patients.patient)
    dentist = world_user(alpha, "dentist")
    with tenant_context(alpha):
        with pytest.raises(PermissionDenied):
            invoice_update(actor=dentist, invoice_id=invoice.pk, status="void")
        invoice.refresh_from_db()
        assert invoice.status == InvoiceStatus.PENDING


def test_a_patient_cannot_change_their_own_invoice(alpha, patients):
    invoice = invoice_for(alpha, patients.patient)
    patient = world_user(alpha, "patient")
    with tenant_context(alpha), pytest.raises(PermissionDenied):
        invoice_update(actor=patient, invoice_id=invoice.pk, notes="paid, honest")


def test_another_patients_invoice_is_not_found_by_the_service(alpha, patients):
    invoice = invoice_for(alpha, patients.patient)
    other = world_user(alpha, "patient2")
    with tenant_context(alpha):
        with pytest.raises(NotFound):
            invoice_update(actor=other, invoice_id=invoice.pk, notes="x")
        with pytest.raises(NotFound):
            invoice_lock(actor=other, invoice_id=invoice.pk)


def test_the_front_desk_voids_an_open_invoice(alpha, patients):
    invoice = invoice_for(alpha, patients.patient)
    receptionist = world_user(alpha, "receptionist")
    with tenant_context(alpha):
        invoice_update(actor=receptionist, invoice_id=invoice.pk, status="void")
        invoice.refresh_from_db()
    assert invoice.status == InvoiceStatus.VOID


@pytest.mark.parametrize("role", ["dentist", "patient"])
def test_only_the_front_desk_and_stripe_move_money(alpha, patients, role):
    invoice = invoice_for(alpha, patients.patient)
    actor = world_user(alpha, role)
    with tenant_context(alpha):
        with pytest.raises(PermissionDenied):
            invoice_settle(actor=actor, invoice=invoice, delta=Decimal("10.00"))
        with pytest.raises(PermissionDenied):
            invoice_settle(actor=REMINDERS, invoice=invoice, delta=Decimal("10.00"))
        invoice_settle(actor=STRIPE_WEBHOOK, invoice=invoice, delta=Decimal("10.00"))
        invoice.refresh_from_db()
    assert invoice.amount_paid == Decimal("10.00")


@pytest.mark.parametrize("role", ["receptionist", "dentist", "patient"])
def test_only_an_admin_erases_a_patients_invoices(alpha, patients, role):
    invoice = invoice_for(alpha, patients.patient, notes="Pat's crown")
    with tenant_context(alpha):
        with pytest.raises(PermissionDenied):
            erase_patient(actor=world_user(alpha, role), patient_id=patients.patient.pk)
        invoice.refresh_from_db()
    assert invoice.notes == "Pat's crown"
