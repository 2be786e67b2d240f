"""Reads that span clinic schemas, for the public site and the platform console.

Each is ONE SQL statement over a bounded list of clinics (a page of the
console, or every clinic for "find my clinic"), built as a UNION ALL of
per-schema sub-queries: no per-clinic round trips. Only counts and sums
leave the clinic schemas; no patient data does.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.db import connection

from tenants.models import Clinic


@dataclass(frozen=True)
class ClinicStats:
    patients: int
    appointments_this_month: int
    revenue_this_month: Decimal


def _q(name: str) -> str:
    return connection.ops.quote_name(name)


def clinic_list_for_email(*, email: str, clinics: list[Clinic]) -> list[Clinic]:
    """The clinics (of those given) where an active account has this email."""
    if not clinics:
        return []
    parts = [
        f"SELECT %s AS schema FROM {_q(c.schema_name)}.accounts_user "  # noqa: S608
        "WHERE lower(email) = lower(%s) AND is_active"
        for c in clinics
    ]
    params: list[str] = []
    for c in clinics:
        params += [c.schema_name, email.strip()]
    with connection.cursor() as cursor:
        cursor.execute(" UNION ALL ".join(parts), params)
        found = {row[0] for row in cursor.fetchall()}
    return [c for c in clinics if c.schema_name in found]


def clinic_stats_for(
    *, clinics: list[Clinic], month_start: datetime, month_end: datetime
) -> dict[int, ClinicStats]:
    """Patients, appointments and net card/cash/bank revenue this month, per clinic.

    Revenue is completed payments received in the month less what was refunded
    of them, in each clinic's own currency.
    """
    if not clinics:
        return {}
    parts = []
    params: list[object] = []
    for c in clinics:
        s = _q(c.schema_name)
        parts.append(
            "SELECT %s::bigint,"  # noqa: S608
            f" (SELECT count(*) FROM {s}.patients_patient WHERE NOT is_archived),"
            f" (SELECT count(*) FROM {s}.scheduling_appointment"
            "   WHERE starts_at >= %s AND starts_at < %s AND status <> 'cancelled'),"
            # Money kept: received, less refunds and what is owed back.
            " (SELECT coalesce(sum(amount - refunded_amount"
            "   - greatest(unapplied_amount - refunded_amount, 0)), 0)"
            f"   FROM {s}.payments_payment WHERE payment_date >= %s"
            "   AND payment_date < %s AND status IN"
            "   ('completed', 'refunded', 'partially_refunded', 'needs_refund'))"
        )
        params += [c.pk, month_start, month_end, month_start, month_end]
    with connection.cursor() as cursor:
        cursor.execute(" UNION ALL ".join(parts), params)
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
    parts = []
    params: list[object] = []
    for c in clinics:
        s = _q(c.schema_name)
        parts.append(
            "SELECT %s::bigint,"  # noqa: S608
            f" (SELECT count(*) FROM {s}.accounts_user WHERE role <> 'patient'),"
            f" (SELECT count(*) FROM {s}.scheduling_dentist WHERE is_active),"
            f" (SELECT count(*) FROM {s}.scheduling_chair WHERE is_active),"
            f" (SELECT count(*) FROM {s}.scheduling_workinghours),"
            f" (SELECT count(*) FROM {s}.scheduling_appointment),"
            f" (SELECT count(*) FROM {s}.payments_payment WHERE status = 'failed'"
            "   AND created_at >= now() - interval '30 days')"
        )
        params.append(c.pk)
    with connection.cursor() as cursor:
        cursor.execute(" UNION ALL ".join(parts), params)
        rows = cursor.fetchall()
    return {int(row[0]): ClinicOnboarding(*map(int, row[1:])) for row in rows}
