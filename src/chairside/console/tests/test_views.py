"""The platform console: only platform admins, counts without patient data."""

from __future__ import annotations

from decimal import Decimal
from http import HTTPStatus

import pytest
from django.test import Client
from django_tenants.utils import schema_context

from chairside.accounts.models import User
from chairside.payments.models import Payment, PaymentMethod, PaymentStatus
from chairside.web.tests.factories import appointment_make, invoice_make
from conftest import PASSWORD
from tenants.models import Clinic, Plan

pytestmark = pytest.mark.django_db


@pytest.fixture
def platform_admin(db):
    with schema_context("public"):
        return User.objects.create_superuser("root@chairside.test", PASSWORD)


@pytest.fixture
def console(platform_admin):
    client = Client(HTTP_HOST="localhost")
    with schema_context("public"):
        client.force_login(platform_admin)
    return client


def test_console_login_refuses_non_admins(db):
    with schema_context("public"):
        User.objects.create_user("someone@chairside.test", PASSWORD)
    client = Client(HTTP_HOST="localhost")

    response = client.post(
        "/console/login/", {"username": "someone@chairside.test", "password": PASSWORD}
    )

    assert response.status_code == HTTPStatus.OK
    assert "platform administrators only" in response.content.decode()
    assert client.get("/console/").status_code == HTTPStatus.FOUND


def test_platform_admin_signs_in_to_the_console(platform_admin):
    client = Client(HTTP_HOST="localhost")
    response = client.post(
        "/console/login/",
        {"username": "root@chairside.test", "password": PASSWORD},
    )
    assert response["Location"] == "/console/"


def test_clinic_list_shows_counts_per_clinic(
    console, alpha, beta, django_assert_max_num_queries
):
    with schema_context(alpha.schema_name):
        appointment_make()
        invoice = invoice_make(total="120.00")
        Payment.objects.create(
            invoice=invoice,
            amount=Decimal("120.00"),
            refunded_amount=Decimal("20.00"),
            payment_method=PaymentMethod.CASH,
            status=PaymentStatus.PARTIALLY_REFUNDED,
        )

    # Sessions, user, clinics page, one stats query for the whole page, counts.
    with django_assert_max_num_queries(10):
        response = console.get("/console/")

    assert response.status_code == HTTPStatus.OK
    rows = {c.slug: s for c, s in response.context["rows"]}
    assert rows["alpha"].appointments_this_month == 1
    assert rows["alpha"].revenue_this_month == Decimal("100.00")
    assert rows["alpha"].patients >= 2
    assert rows["beta"].revenue_this_month == Decimal("0")


def test_console_never_shows_patient_names(console, alpha):
    with schema_context(alpha.schema_name):
        appointment_make(patient=None)
        from chairside.patients.models import Patient

        names = list(Patient.objects.values_list("last_name", flat=True))

    html = console.get(f"/console/clinics/{alpha.slug}/").content.decode()
    html += console.get("/console/").content.decode()
    assert names
    assert not any(name in html for name in names)


def test_suspend_and_reactivate_a_clinic(console, alpha):
    console.post(f"/console/clinics/{alpha.slug}/suspend/", {"reason": "Unpaid"})
    alpha.refresh_from_db()
    assert alpha.is_suspended
    assert alpha.suspended_reason == "Unpaid"
    assert Client(HTTP_HOST=alpha.host).get("/").status_code == HTTPStatus.FORBIDDEN

    console.post(f"/console/clinics/{alpha.slug}/reactivate/")
    alpha.refresh_from_db()
    assert not alpha.is_suspended


def test_change_plan(console, alpha):
    plan = Plan.objects.filter(is_active=True).exclude(pk=alpha.plan_id).first()

    console.post(f"/console/clinics/{alpha.slug}/plan/", {"plan": plan.pk})

    alpha.refresh_from_db()
    assert alpha.plan == plan


def test_clinic_staff_cannot_use_the_console(alpha):
    client = Client(HTTP_HOST="localhost")
    client.post(
        "/console/login/", {"username": "admin@alpha.test", "password": PASSWORD}
    )
    assert client.get("/console/").status_code == HTTPStatus.FOUND
    assert Clinic.objects.filter(slug="alpha", status="active").exists()
