"""The invoice list is newest first, and a page of it (filtered by status or
not) is read in that order from an index, never sorted in full."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django_tenants.utils import tenant_context

from chairside.billing import selectors
from chairside.billing.models import Invoice, InvoiceStatus
from chairside.payments.tests.conftest import invoice_for
from conftest import world_user

pytestmark = pytest.mark.django_db


def _plan(queryset) -> str:
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        # A test table is tiny, so PostgreSQL would rightly scan it; forbid
        # the scan and the sort to see whether an index gives this order.
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_sort = off")
        cursor.execute("SET LOCAL enable_bitmapscan = off")
        cursor.execute(f"EXPLAIN {sql}", params)
        return "\n".join(row[0] for row in cursor.fetchall())


@pytest.mark.parametrize(
    ("status", "index"),
    [("overdue", "invoice_status_newest_idx"), (None, "invoice_newest_idx")],
)
def test_a_page_is_an_index_scan_in_list_order(alpha, patients, status, index):
    with tenant_context(alpha):
        user = world_user(alpha, "admin")
        page = selectors.invoice_list(user=user, status=status)[:50]
        plan = _plan(page)
    assert f"Index Scan using {index}" in plan or (
        f"Index Scan Backward using {index}" in plan
    ), plan
    assert "Sort" not in plan, plan


def test_newest_first_with_ties_by_id(api, alpha, patients):
    made = [invoice_for(alpha, patients.patient) for _ in range(3)]
    with tenant_context(alpha):
        # Two on the same (older) day, one the day after.
        Invoice.objects.filter(pk__in=[made[0].pk, made[1].pk]).update(
            issue_date=datetime.date(2026, 12, 1), status=InvoiceStatus.OVERDUE
        )
        Invoice.objects.filter(pk=made[2].pk).update(
            issue_date=datetime.date(2026, 12, 2), status=InvoiceStatus.OVERDUE
        )
    listed = api(alpha, "admin").get("/api/billing/invoices?status=overdue").json()
    ids = [i["id"] for i in listed["items"]]
    assert ids[:3] == [made[2].pk, made[1].pk, made[0].pk]
