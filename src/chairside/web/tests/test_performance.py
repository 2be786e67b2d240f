"""No page over 300 ms of server time on demo-sized data.

The data: 300 patients, 4 dentists, 3 chairs, a full week of appointments
(about 150) and 120 invoices. Each page is timed in-process (the whole
Django stack, database included); the best of three runs is compared, so a
busy test machine does not fail it by chance.
"""

from __future__ import annotations

import time
from datetime import timedelta
from decimal import Decimal

import pytest
from django_tenants.utils import schema_context

from chairside.billing.models import Invoice, InvoiceItem
from chairside.patients.models import Patient
from chairside.scheduling.models import Appointment
from chairside.web.tests.factories import chair_make, clinic_local, open_dentist_make

pytestmark = pytest.mark.django_db

BUDGET_SECONDS = 0.300


@pytest.fixture
def demo_week(alpha):
    with schema_context(alpha.schema_name):
        patients = Patient.objects.bulk_create(
            Patient(
                first_name=f"Demo{i}",
                last_name=f"Person{i}",
                email=f"demo{i}@perf.test",
            )
            for i in range(300)
        )
        dentists = [open_dentist_make() for _ in range(4)]
        chairs = [chair_make() for _ in range(3)]
        appointments = []
        for day in range(1, 6):
            for slot in range(10):
                for n, dentist in enumerate(dentists[:3]):
                    start = clinic_local(day, 8) + timedelta(minutes=30 * slot)
                    appointments.append(
                        Appointment(
                            patient=patients[(day * 30 + slot * 3 + n) % 300],
                            dentist=dentist,
                            chair=chairs[n],
                            starts_at=start,
                            ends_at=start + timedelta(minutes=30),
                            duration_minutes=30,
                        )
                    )
        Appointment.objects.bulk_create(appointments)
        today = clinic_local(0, 12).date()
        invoices = Invoice.objects.bulk_create(
            Invoice(
                number=f"PERF-{i:05d}",
                patient=patients[i],
                currency="USD",
                total_amount=Decimal("50.00"),
                issue_date=today,
                due_date=today + timedelta(days=30 if i % 3 else -1),
                status="pending" if i % 3 else "overdue",
            )
            for i in range(120)
        )
        InvoiceItem.objects.bulk_create(
            InvoiceItem(
                invoice=inv,
                description="Cleaning",
                quantity=1,
                unit_price=Decimal("50.00"),
                line_total=Decimal("50.00"),
            )
            for inv in invoices
        )
        return patients[0]


def best_of_three(client, path: str, **params) -> float:
    timings = []
    for _ in range(3):
        started = time.perf_counter()
        response = client.get(path, params)
        timings.append(time.perf_counter() - started)
        assert response.status_code == 200, (path, response.status_code)
    return min(timings)


def test_staff_pages_stay_under_300_ms(web, alpha, demo_week):
    client = web(alpha, "admin")
    week = {
        "start": clinic_local(0, 0).isoformat(),
        "end": clinic_local(7, 0).isoformat(),
    }
    pages = {
        "/app/": {},
        "/app/calendar/": {},
        "/app/calendar/events/": week,
        "/app/patients/": {},
        "/app/patients/?q=demo1": {},
        f"/app/patients/{demo_week.pk}/": {},
        "/app/invoices/": {},
        "/app/settings/audit/": {},
    }
    timings = {
        path: best_of_three(client, path, **params) for path, params in pages.items()
    }
    print({p: f"{t * 1000:.0f} ms" for p, t in timings.items()})
    slow = {p: t for p, t in timings.items() if t > BUDGET_SECONDS}
    assert not slow, slow
