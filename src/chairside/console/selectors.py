"""Reads that span clinic schemas, for the platform console ("find my
clinic" is tenants.selectors.clinic_list_for_email).

Each is ONE SQL statement over a bounded list of clinics (a page of the
console), built as a UNION ALL of per-schema sub-queries (psycopg.sql
quotes each schema's name): no per-clinic round trips. Only counts and sums
leave the clinic schemas; no patient data does.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.db import connection
from psycopg import sql

from tenants.models import Clinic


@dataclass(frozen=True)
class ClinicStats:
    patients: int
    appointments_this_month: int
    revenue_this_month: Decimal


def clinic_stats_for(
    *, clinics: list[Clinic], month_start: datetime, month_end: datetime
) -> dict[int, ClinicStats]:
    """Patients, appointments and net card/cash/bank revenue this month, per clinic.

    Revenue is completed payments received in the month less what was refunded
    of them, in each clinic's own currency.
    """
    if not clinics:
        return {}
    per_clinic = sql.SQL(
        "SELECT %s::bigint,"
        " (SELECT count(*) FROM {s}.patients_patient WHERE NOT is_archived),"
        " (SELECT count(*) FROM {s}.scheduling_appointment"
        "   WHERE starts_at >= %s AND starts_at < %s AND status <> 'cancelled'),"
        # Money kept: received, less refunds and what is owed back.
        " (SELECT coalesce(sum(amount - refunded_amount"
        "   - greatest(unapplied_amount - refunded_amount, 0)), 0)"
        "   FROM {s}.payments_payment WHERE payment_date >= %s"
        "   AND payment_date < %s AND status IN"
        "   ('completed', 'refunded', 'partially_refunded', 'needs_refund'))"
    )
    query = sql.SQL(" UNION ALL ").join(
        per_clinic.format(s=sql.Identifier(c.schema_name)) for c in clinics
    )
    params: list[object] = []
    for c in clinics:
        params += [c.pk, month_start, month_end, month_start, month_end]
    with connection.cursor() as cursor:
        cursor.execute(query.as_string(), params)
        rows = cursor.fetchall()
    return {
        int(pk): ClinicStats(int(patients), int(appts), Decimal(revenue))
        for pk, patients, appts, revenue in rows
    }


@dataclass(frozen=True)
class ClinicOnboarding:
    staff: int
    dentists: int
    chairs: int
    working_hours: int
    appointments: int
    failed_payments_30d: int


def clinic_onboarding_for(*, clinics: list[Clinic]) -> dict[int, ClinicOnboarding]:
    """How far each clinic got setting up, and recent failures (one query)."""
    if not clinics:
        return {}
    per_clinic = sql.SQL(
        "SELECT %s::bigint,"
        " (SELECT count(*) FROM {s}.accounts_user WHERE role <> 'patient'),"
        " (SELECT count(*) FROM {s}.scheduling_dentist WHERE is_active),"
        " (SELECT count(*) FROM {s}.scheduling_chair WHERE is_active),"
        " (SELECT count(*) FROM {s}.scheduling_workinghours),"
        " (SELECT count(*) FROM {s}.scheduling_appointment),"
        " (SELECT count(*) FROM {s}.payments_payment WHERE status = 'failed'"
        "   AND created_at >= now() - interval '30 days')"
    )
    query = sql.SQL(" UNION ALL ").join(
        per_clinic.format(s=sql.Identifier(c.schema_name)) for c in clinics
    )
    with connection.cursor() as cursor:
        cursor.execute(query.as_string(), [c.pk for c in clinics])
        rows = cursor.fetchall()
    return {int(row[0]): ClinicOnboarding(*map(int, row[1:])) for row in rows}
