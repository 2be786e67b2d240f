"""The clinic's "today" is one function (core.clinic_time.clinic_today),
judged in the clinic's time zone wherever it is asked from."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from django.db import connection
from django_tenants.utils import schema_context

from chairside.core.clinic_time import clinic_today

pytestmark = pytest.mark.django_db

# 02:30 UTC on 10 March is still the 9th in New York (alpha's zone) and
# already the 10th in Madrid (beta's).
LATE_EVENING_IN_NEW_YORK = datetime(2026, 3, 10, 2, 30, tzinfo=UTC)


def test_today_is_the_clinics_date_not_utcs(alpha, beta):
    with schema_context(alpha.schema_name):
        assert clinic_today(now=LATE_EVENING_IN_NEW_YORK) == date(2026, 3, 9)
    with schema_context(beta.schema_name):
        assert clinic_today(now=LATE_EVENING_IN_NEW_YORK) == date(2026, 3, 10)


def test_today_is_the_same_with_the_real_tenant_or_a_schema_context(alpha):
    """A request sets the clinic as the tenant; tasks and the shell only a
    stand-in (schema_context): both must give the clinic's date."""
    connection.set_tenant(alpha)
    try:
        assert clinic_today(now=LATE_EVENING_IN_NEW_YORK) == date(2026, 3, 9)
    finally:
        connection.set_schema_to_public()


def test_today_on_the_public_site_is_utcs():
    assert clinic_today(now=LATE_EVENING_IN_NEW_YORK) == date(2026, 3, 10)


def test_the_overdue_run_and_invoices_use_the_same_today(alpha):
    from chairside.billing import overdue, services

    assert overdue.clinic_today is clinic_today
    assert services.clinic_today is clinic_today


def test_there_is_one_definition_of_the_clinics_today():
    root = Path(__file__).resolve().parents[1]
    pattern = re.compile(r"^\s*def \w*today\w*\(", re.MULTILINE)
    found = [
        str(path.relative_to(root))
        for path in [*root.glob("src/**/*.py"), *root.glob("tenants/**/*.py")]
        if pattern.search(path.read_text())
    ]
    assert found == ["src/chairside/core/clinic_time.py"]
