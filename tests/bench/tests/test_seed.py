"""The benchmark's bulk seeding, at a tiny scale, so it cannot rot unseen.

The clone and the COPY run inside the test's transaction and vanish with it.
Timings are never asserted here: `make bench` measures, tests check behaviour.
"""

from __future__ import annotations

import itertools
import random
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.utils import timezone
from django_tenants.utils import schema_context

from chairside.accounts.models import User
from chairside.billing.models import Invoice, InvoiceItem
from chairside.patients.models import Patient
from chairside.payments.models import Payment
from chairside.scheduling.models import ACTIVE_STATUSES, Appointment, Dentist
from tests.bench import seed

pytestmark = pytest.mark.django_db


def _clinic_like_a_fresh_template(alpha, slug: str, time_zone: str):
    """The test database has no clinic template: copy alpha's schema and
    empty it of the world's people and records, as a template would be."""
    clinic = seed.clinic_create_from_template(
        slug=slug, name=slug.title(), time_zone=time_zone, template=alpha.schema_name
    )
    with schema_context(clinic.schema_name), connection.cursor() as cursor:
        cursor.execute(
            "TRUNCATE accounts_user, patients_patient, scheduling_dentist,"
            " scheduling_chair, billing_invoicecounter CASCADE"
        )
    return clinic


def test_tiny_large_clinic_is_seeded_consistently(alpha):
    scale = seed.Scale.tiny()
    clinic = _clinic_like_a_fresh_template(alpha, "benchtiny", seed.BIG_TZ)

    summary = seed.seed_large_clinic(clinic, scale)

    with schema_context(clinic.schema_name):
        assert Patient.objects.count() == scale.patients == summary["patients"]
        assert Appointment.objects.count() == scale.appointments
        assert Dentist.objects.count() == scale.dentists
        assert User.objects.filter(email__endswith="@benchtiny.bench").count() == (
            2 + scale.dentists
        )
        # ends_at is what the exclusion constraints compare: it must agree
        # with the duration, or the constraints prove nothing.
        assert _ends_consistent()
        active = Appointment.objects.filter(status__in=ACTIVE_STATUSES).count()
        assert active == summary["active_appointments"] > 0
        assert Invoice.objects.count() == summary["invoices"] > 0
        assert InvoiceItem.objects.count() == summary["invoices"]
        assert Payment.objects.count() == summary["payments"]
        assert not Invoice.objects.exclude(appointment__status="completed").exists()
        # New rows still get fresh ids after COPY wrote explicit ones.
        patient = Patient.objects.create(
            first_name="New", last_name="Patient", email="new@patients.bench"
        )
        assert patient.pk == scale.patients + 1


def _ends_consistent() -> bool:
    return all(
        (a.ends_at - a.starts_at).total_seconds() == a.duration_minutes * 60
        for a in Appointment.objects.only("starts_at", "ends_at", "duration_minutes")
    )


def test_tiny_small_clinic_is_seeded(alpha):
    scale = seed.Scale.tiny()
    clinic = _clinic_like_a_fresh_template(alpha, "benchsmall", "Europe/Madrid")

    seed.seed_small_clinic(clinic, scale, seed=1)

    with schema_context(clinic.schema_name):
        assert Patient.objects.count() == scale.small_patients
        assert Appointment.objects.exists()
        assert User.objects.filter(email="admin@benchsmall.bench").exists()


def test_appointments_generator_never_double_books_a_dentist_or_chair():

    scale = seed.Scale.tiny()
    rng = random.Random(3)  # noqa: S311
    rows, _active = seed._appointments(
        rng, scale, ZoneInfo(seed.BIG_TZ), timezone.localdate()
    )
    held = [r for r in rows if r["status"] in ACTIVE_STATUSES]
    for key in ("dentist_id", "chair_id"):
        by_resource: dict[int, list] = {}
        for row in held:
            by_resource.setdefault(row[key], []).append(row)
        for spans in by_resource.values():
            spans.sort(key=lambda r: r["starts_at"])
            for before, after in itertools.pairwise(spans):
                assert before["ends_at"] <= after["starts_at"]
