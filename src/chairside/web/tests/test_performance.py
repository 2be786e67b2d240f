"""Staff pages on demo-sized data: a fixed number of queries, whatever the size.

The data is the demo seed's (`chairside.demo.clinical`: 200 patients, the
demo dentists and chairs, a full week of appointments) plus 120 invoices, so
a query per row (N+1) would show as hundreds of queries. Timing belongs to
`make bench` (docs/benchmarks.md), not to tests.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_tenants.utils import schema_context

from chairside.billing.models import Invoice, InvoiceItem
from chairside.demo.clinical import seed_clinical
from chairside.patients.models import Patient
from chairside.scheduling.models import Appointment
from chairside.web.tests.factories import clinic_local

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo_week(alpha):
    """alpha with the demo seed's patients and week, and 120 open invoices;
    returns the busiest patient."""
    with schema_context(alpha.schema_name):
        Appointment.objects.all().delete()  # the seed skips a week already booked
        seed_clinical(alpha)
        patients = list(Patient.objects.order_by("pk")[:120])
        today = clinic_local(0, 12).date()
        invoices = Invoice.objects.bulk_create(
            Invoice(
                number=f"PERF-{i:05d}",
                patient=patient,
                currency="USD",
                total_amount=Decimal("50.00"),
                issue_date=today,
                due_date=today + timedelta(days=30 if i % 3 else -1),
                status="pending" if i % 3 else "overdue",
            )
            for i, patient in enumerate(patients)
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
        assert Patient.objects.count() >= 200
        assert Appointment.objects.count() >= 80
        busiest = (
            Appointment.objects.values_list("patient", flat=True)
            .order_by("patient")
            .first()
        )
        return Patient.objects.get(pk=busiest)


def week_params() -> dict[str, str]:
    monday = clinic_local(0, 0) - timedelta(days=clinic_local(0, 0).weekday())
    return {
        "start": monday.replace(tzinfo=None).isoformat() + "Z",
        "end": (monday + timedelta(days=7)).replace(tzinfo=None).isoformat() + "Z",
    }


# path -> most queries allowed (session, user, clinic settings included).
# Five of them are every page's: tenant lookup, two search_path sets,
# session, user. Measured on this data: dashboard 9, calendar 9, feed 6,
# patients 7, patient page 9, invoices 7, audit 7; since requests are
# transactions (ATOMIC_REQUESTS) the feed also opens and releases its
# SAVEPOINT inside the test's transaction (8).
PAGES = {
    "/app/": 10,
    "/app/calendar/": 9,
    "/app/calendar/?by=chair": 9,
    "/app/calendar/events/": 8,
    "/app/calendar/events/?by=chair": 8,
    "/app/patients/": 7,
    "/app/patients/?q=a": 7,
    "/app/patients/{patient}/": 10,
    "/app/invoices/": 7,
    "/app/invoices/?status=overdue": 7,
    "/app/settings/audit/": 8,
}


@pytest.mark.parametrize("path", PAGES)
def test_page_queries_do_not_grow_with_the_data(
    web, alpha, demo_week, path, django_assert_max_num_queries
):
    client = web(alpha, "admin")
    params = week_params() if "/events/" in path else {}
    url = path.format(patient=demo_week.pk)
    client.get(url, params)  # warm per-process caches (clinic, content types)

    with django_assert_max_num_queries(PAGES[path]):
        response = client.get(url, params)

    assert response.status_code == 200, (url, response.status_code)


def test_the_week_feed_carries_the_whole_demo_week(web, alpha, demo_week):
    """The feed tested above really holds the week (not an empty answer)."""
    client = web(alpha, "admin")
    week = week_params()
    client.get("/app/calendar/events/", week)  # warm caches
    with CaptureQueriesContext(connection) as queries:
        events = client.get("/app/calendar/events/", week).json()["events"]
    with schema_context(alpha.schema_name):
        shown = Appointment.objects.exclude(status="cancelled").count()
    assert len(events) == shown > 60
    assert len(queries) <= PAGES["/app/calendar/events/"]
