"""Browser checks outside the journey: the Spanish UI, and a patient who
tries another patient's pages by URL."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django_tenants.utils import schema_context
from playwright.sync_api import Page, expect

from conftest import PASSWORD, world_user


@pytest.fixture
def other_patients_invoice(django_db_blocker):
    """A committed invoice of patient2@alpha.test (removed afterwards)."""
    from chairside.billing.services import InvoiceLine, invoice_create
    from chairside.patients.models import Patient
    from tenants.models import Clinic

    with django_db_blocker.unblock():
        alpha = Clinic.objects.get(slug="alpha")
        with schema_context(alpha.schema_name):
            user = world_user(alpha, "patient2")
            patient, created = Patient.objects.get_or_create(
                user=user,
                defaults={
                    "first_name": "Other",
                    "last_name": "Patient",
                    "email": "other-e2e@alpha.example",
                },
            )
            invoice = invoice_create(
                actor=world_user(alpha, "receptionist"),
                patient_id=patient.pk,
                lines=[InvoiceLine("Secret treatment", 1, Decimal("99.00"))],
            )
        yield alpha, patient, invoice
        with schema_context(alpha.schema_name):
            invoice.items.all().delete()
            invoice.delete()
            if created:
                patient.delete()


def test_spanish_ui_renders_translated(page: Page, live_server, shot):
    base = f"http://alpha.localhost:{live_server}"
    page.goto(f"{base}/accounts/login/")
    page.select_option("#language-select", "es")
    page.locator(".header-tools form button").first.click()
    page.wait_for_load_state()
    expect(page.locator("html")).to_have_attribute("lang", "es")
    page.goto(f"{base}/")
    expect(page.get_by_role("link", name="Iniciar sesión")).to_be_visible()
    expect(page.get_by_role("link", name="Saltar al contenido")).to_be_attached()
    shot(page, "spanish-home")


def test_patient_cannot_open_another_patients_pages(
    page: Page, live_server, other_patients_invoice, shot
):
    _alpha, other, invoice = other_patients_invoice
    base = f"http://alpha.localhost:{live_server}"
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_login", "patient@alpha.test")
    page.fill("#id_password", PASSWORD)
    page.locator("main form button[type=submit]").first.click()
    page.wait_for_load_state()

    staff_page = page.goto(f"{base}/app/patients/{other.pk}/")
    assert staff_page.status == 403
    expect(page.locator("body")).not_to_contain_text("Other Patient")
    shot(page, "patient-refused")
    portal_invoice = page.goto(f"{base}/portal/invoices/{invoice.pk}/")
    assert portal_invoice.status == 404
    expect(page.locator("body")).not_to_contain_text("Secret treatment")
