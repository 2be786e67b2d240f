"""50 bookings of one slot at once, each on its own database connection:
the exclusion constraint lets exactly one through, the rest get 409.

Runs on committed data (threads cannot see a test transaction), so it
creates its own token and removes the appointment it made.
"""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from http import HTTPStatus

import pytest
from django.db import connection
from django.test import Client
from django.utils import timezone
from django_tenants.utils import schema_context

from chairside.accounts.models import TokenFamily, User
from chairside.accounts.services import tokens_issue
from chairside.core.clinic_time import local_datetime
from chairside.scheduling.models import Appointment
from tenants.models import Clinic
from tests.world_clinical import world_chair, world_dentist, world_patient

CONCURRENT = 50


def _next_weekday_ten(clinic: Clinic):
    from zoneinfo import ZoneInfo

    tz = ZoneInfo(clinic.time_zone)
    day = timezone.now().astimezone(tz).date() + timedelta(days=30)
    while day.weekday() > 4:
        day += timedelta(days=1)
    from datetime import time

    return local_datetime(day, time(10, 0), tz)


@pytest.mark.django_db
def test_fifty_concurrent_bookings_of_one_slot():
    # The test's own transaction stays untouched: all the work happens on
    # other threads, each with its own autocommit connection.
    with ThreadPoolExecutor(max_workers=1) as runner:
        runner.submit(_race).result()


def _race() -> None:
    try:
        clinic = Clinic.objects.get(slug="alpha")
        with schema_context(clinic.schema_name):
            user = User.objects.get(email="receptionist@alpha.test")
            token = tokens_issue(user=user).access
        start = _next_weekday_ten(clinic)
        payload = {
            "patient_id": world_patient(clinic).pk,
            "dentist_id": world_dentist(clinic).pk,
            "chair_id": world_chair(clinic).pk,
            "appointment_date": start.isoformat(),
        }
        barrier = threading.Barrier(CONCURRENT)

        def book(_: int) -> tuple[int, dict]:
            try:
                client = Client()
                barrier.wait(timeout=60)
                response = client.post(
                    "/api/appointments",
                    payload,
                    content_type="application/json",
                    HTTP_HOST=clinic.host,
                    HTTP_AUTHORIZATION=f"Bearer {token}",
                )
                return response.status_code, response.json()
            finally:
                connection.close()  # this thread's own connection

        try:
            with ThreadPoolExecutor(max_workers=CONCURRENT) as pool:
                results = list(pool.map(book, range(CONCURRENT)))
            statuses = [status for status, _ in results]
            created = [body for status, body in results if status == HTTPStatus.CREATED]
            assert statuses.count(HTTPStatus.CREATED) == 1, statuses
            assert statuses.count(HTTPStatus.CONFLICT) == CONCURRENT - 1, statuses
            winner = created[0]["id"]
            for status, body in results:
                if status == HTTPStatus.CONFLICT:
                    assert body["error"]["code"] == "appointment_slot_taken"
                    assert (
                        body["error"]["details"]["conflicting_appointment_id"] == winner
                    )
        finally:
            with schema_context(clinic.schema_name):
                Appointment.objects.filter(
                    starts_at=start, dentist_id=payload["dentist_id"]
                ).delete()
                TokenFamily.objects.filter(user=user).delete()
    finally:
        connection.close()
