"""Right to erasure: nothing in the clinic's schema names the person
afterwards, their account is gone, and the books still add up."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from http import HTTPStatus

import pytest
from allauth.account.models import EmailAddress
from django.db import connection
from django.test import Client
from django.utils import timezone
from django_tenants.utils import schema_context
from djstripe import models as djstripe_models
from psycopg import sql

from chairside.accounts.models import User
from chairside.accounts.services import tokens_issue, user_create
from chairside.billing.models import Invoice, InvoiceItem
from chairside.core.actors import COMMAND
from chairside.notifications.models import Reminder
from chairside.patients.models import Patient
from chairside.payments.models import Payment, PaymentRefund, StripeCustomer
from chairside.scheduling.models import Appointment
from conftest import PASSWORD
from tests.world_clinical import world_chair, world_dentist

pytestmark = pytest.mark.django_db

FIRST, LAST = "Zebulon", "Quixmoor"
EMAIL = "zebulon.quixmoor@example.test"
PHONE = "+12125550177"
ADDRESS = "77 Quixmoor Lane"
# Every way the person can be named: a row holding any of these still does.
TRACES = [FIRST, LAST, EMAIL, PHONE, PHONE.lstrip("+"), ADDRESS]


def _footprint(clinic, *, invoiced: bool) -> dict:
    """A patient who has been everywhere: an account, a signed-in browser, API
    tokens, an appointment with notes, a reminder, and (if `invoiced`) a paid
    invoice with a line, a payment, a refund and a Stripe customer."""
    with schema_context(clinic.schema_name):
        user = user_create(
            actor=COMMAND,
            email=EMAIL,
            password=PASSWORD,
            role="patient",
            first_name=FIRST,
            last_name=LAST,
        )
        patient = Patient.objects.create(
            first_name=FIRST,
            last_name=LAST,
            email=EMAIL,
            phone=PHONE,
            address=ADDRESS,
            date_of_birth=date(1980, 5, 17),
            medical_history=f"{FIRST} is allergic to latex",
            user=user,
        )
        appointment = Appointment.objects.create(
            patient=patient,
            dentist=world_dentist(clinic),
            chair=world_chair(clinic),
            starts_at=datetime(2024, 3, 4, 15, tzinfo=UTC),
            reason=f"Crown for {FIRST}",
            notes=f"{LAST} prefers mornings; call {PHONE}",
            cancellation_reason="",
        )
        Reminder.objects.create(
            key=f"appointment:{appointment.pk}:test",
            kind="appointment",
            channel="email",
            appointment=appointment,
            due_at=timezone.now(),
            recipient=EMAIL,
            last_error=f"550 mailbox {EMAIL} full",
            status="sent",
        )
        footprint = {
            "patient_id": patient.pk,
            "tokens": tokens_issue(user=user),
            "browser": Client(),
        }
        footprint["browser"].force_login(user)
        if invoiced:
            invoice = Invoice.objects.create(
                number=f"T-ERASE-{patient.pk}",
                patient=patient,
                currency="USD",
                total_amount=Decimal("250.00"),
                amount_paid=Decimal("250.00"),
                status="paid",
                issue_date=date(2024, 3, 4),
                due_date=date(2024, 4, 3),
                notes=f"Insurance claim for {FIRST} {LAST}",
            )
            InvoiceItem.objects.create(
                invoice=invoice,
                description=f"Crown, upper left, {LAST}",
                procedure_code="D2740",
                quantity=1,
                unit_price=Decimal("250.00"),
                line_total=Decimal("250.00"),
            )
            payment = Payment.objects.create(
                invoice=invoice,
                amount=Decimal("260.00"),
                refunded_amount=Decimal("10.00"),
                payment_method="card",
                status="partially_refunded",
                reference=f"Cheque from {LAST}",
            )
            PaymentRefund.objects.create(
                payment=payment,
                amount=Decimal("10.00"),
                reason=f"Overpaid by {FIRST}",
            )
            StripeCustomer.objects.create(patient=patient, customer_id="cus_erase")
            djstripe_models.Customer.objects.create(
                id="cus_erase",
                livemode=False,
                email=EMAIL,
                metadata={"patient": f"{FIRST} {LAST}"},
                stripe_data={
                    "id": "cus_erase",
                    "object": "customer",
                    "name": f"{FIRST} {LAST}",
                    "email": EMAIL,
                    "phone": PHONE,
                },
            )
            footprint["invoice_id"] = invoice.pk
    return footprint


def _rows_naming_the_person(schema: str) -> list[str]:
    """Every text, JSON and search column of the schema, searched for each
    trace: "table.column" for each column where one is found."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT table_name, column_name FROM information_schema.columns"
            " JOIN information_schema.tables USING (table_schema, table_name)"
            " WHERE table_schema = %s AND table_type = 'BASE TABLE'"
            " AND data_type IN"
            " ('text', 'character varying', 'json', 'jsonb', 'tsvector')",
            [schema],
        )
        columns = cursor.fetchall()
        patterns = [f"%{trace.lower()}%" for trace in TRACES]
        found = []
        for table, column in columns:
            cursor.execute(
                sql.SQL(
                    "SELECT EXISTS (SELECT 1 FROM {}.{} WHERE lower({}::text)"
                    " LIKE ANY(%s))"
                ).format(
                    sql.Identifier(schema),
                    sql.Identifier(table),
                    sql.Identifier(column),
                ),
                [patterns],
            )
            if cursor.fetchone()[0]:
                found.append(f"{table}.{column}")
    return found


def _signs_in(api, clinic) -> bool:
    response = api(clinic).post(
        "/api/auth/token", {"email": EMAIL, "password": PASSWORD}
    )
    return response.status_code == HTTPStatus.OK


@pytest.mark.parametrize(
    ("invoiced", "outcome"), [(False, "deleted"), (True, "anonymized")]
)
def test_nothing_in_the_clinic_names_an_erased_patient(api, alpha, invoiced, outcome):
    footprint = _footprint(alpha, invoiced=invoiced)
    with schema_context(alpha.schema_name):
        before = _rows_naming_the_person(alpha.schema_name)
    # The search finds the person where they are (so it can fail).
    assert {"accounts_user.email", "patients_patient.email"} <= set(before)
    assert "scheduling_appointment.notes" in before

    response = api(alpha, "admin").post(
        f"/api/patients/{footprint['patient_id']}/erase"
    )

    assert response.json() == {"outcome": outcome}
    with schema_context(alpha.schema_name):
        assert _rows_naming_the_person(alpha.schema_name) == []


def test_an_erased_patient_cannot_sign_in_and_their_tokens_and_sessions_end(api, alpha):
    footprint = _footprint(alpha, invoiced=True)
    tokens, browser = footprint["tokens"], footprint["browser"]
    assert _signs_in(api, alpha)
    assert browser.get("/portal/", HTTP_HOST=alpha.host).status_code == HTTPStatus.OK

    api(alpha, "admin").post(f"/api/patients/{footprint['patient_id']}/erase")

    assert not _signs_in(api, alpha)
    me = api(alpha).get("/api/me", HTTP_AUTHORIZATION=f"Bearer {tokens.access}")
    assert me.status_code == HTTPStatus.UNAUTHORIZED
    refresh = api(alpha).post("/api/auth/refresh", {"refresh": tokens.refresh})
    assert refresh.status_code == HTTPStatus.UNAUTHORIZED
    portal = browser.get("/portal/", HTTP_HOST=alpha.host)
    assert portal.status_code == HTTPStatus.FOUND
    assert "/accounts/login/" in portal["Location"]
    with schema_context(alpha.schema_name):
        assert not User.objects.filter(email=EMAIL).exists()
        assert not EmailAddress.objects.filter(email=EMAIL).exists()


def test_the_books_add_up_the_same_after_erasure(api, alpha):
    footprint = _footprint(alpha, invoiced=True)

    def books():
        with schema_context(alpha.schema_name):
            invoice = Invoice.objects.get(pk=footprint["invoice_id"])
            return (
                invoice.number,
                invoice.issue_date,
                invoice.due_date,
                invoice.currency,
                invoice.status,
                invoice.total_amount,
                invoice.amount_paid,
                [(i.quantity, i.unit_price, i.line_total) for i in invoice.items.all()],
                [
                    (p.amount, p.refunded_amount, p.payment_method, p.status)
                    for p in invoice.payments.all()
                ],
                [
                    r.amount
                    for r in PaymentRefund.objects.filter(payment__invoice=invoice)
                ],
            )

    kept = books()
    api(alpha, "admin").post(f"/api/patients/{footprint['patient_id']}/erase")
    assert books() == kept


def test_pending_reminders_of_an_erased_patient_are_never_sent(api, alpha):
    footprint = _footprint(alpha, invoiced=True)
    with schema_context(alpha.schema_name):
        reminders = Reminder.objects.filter(
            appointment__patient_id=footprint["patient_id"]
        )
        reminders.update(status="pending")

    api(alpha, "admin").post(f"/api/patients/{footprint['patient_id']}/erase")

    with schema_context(alpha.schema_name):
        assert {(r.status, r.recipient) for r in reminders} == {("skipped", "")}
