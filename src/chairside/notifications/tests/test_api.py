"""Staff see reminder failures; admins set the clinic's reminder times."""

from __future__ import annotations

from datetime import timedelta
from http import HTTPStatus

import pytest
from django.utils import timezone

from chairside.notifications.models import Reminder, ReminderKind, ReminderStatus
from chairside.notifications.tests.factories import make_appointment

pytestmark = pytest.mark.django_db


def failed_reminder(n: int) -> Reminder:
    appointment = make_appointment(starts_at=timezone.now() + timedelta(hours=5 + n))
    return Reminder.objects.create(
        key=f"test:{appointment.pk}",
        kind=ReminderKind.APPOINTMENT,
        channel="email",
        status=ReminderStatus.FAILED,
        appointment=appointment,
        appointment_starts_at=appointment.starts_at,
        offset_minutes=1440,
        due_at=timezone.now(),
        recipient=appointment.patient.email,
        attempts=5,
        last_error="SMTPServerDisconnected: gone",
    )


def test_staff_list_failed_reminders_with_reason(
    in_alpha, api, django_assert_max_num_queries
):
    failures = [failed_reminder(n) for n in range(5)]
    Reminder.objects.filter(pk=failures[0].pk).update(status=ReminderStatus.SENT)
    client = api(in_alpha, "receptionist")
    with django_assert_max_num_queries(8):
        response = client.get("/api/reminders?status=failed")
    assert response.status_code == HTTPStatus.OK
    body = response.json()
    assert body["count"] == 4
    item = body["items"][0]
    assert item["status"] == "failed"
    assert item["last_error"] == "SMTPServerDisconnected: gone"
    assert item["patient_name"].startswith("Pat ")


def test_patients_cannot_see_reminders(in_alpha, api):
    response = api(in_alpha, "patient").get("/api/reminders")
    assert response.status_code == HTTPStatus.FORBIDDEN


def test_other_clinic_sees_none_of_them(in_alpha, beta, api):
    failed_reminder(1)
    response = api(beta, "admin").get("/api/reminders?status=failed")
    assert response.json()["count"] == 0


def test_staff_retry_a_failed_reminder(in_alpha, api):
    reminder = failed_reminder(1)
    client = api(in_alpha, "receptionist")
    response = client.post(f"/api/reminders/{reminder.pk}/retry")
    assert response.status_code == HTTPStatus.OK
    assert response.json()["next_attempt_at"] is not None
    again = client.post(f"/api/reminders/{reminder.pk}/retry")
    assert again.status_code == HTTPStatus.OK  # still failed: may retry again
    Reminder.objects.filter(pk=reminder.pk).update(status=ReminderStatus.SENT)
    sent = client.post(f"/api/reminders/{reminder.pk}/retry")
    assert sent.status_code == HTTPStatus.CONFLICT
    assert sent.json()["error"]["code"] == "reminder_not_failed"


def test_admin_sets_reminder_times_and_window(in_alpha, api):
    admin = api(in_alpha, "admin")
    assert admin.get("/api/notification-settings").json()[
        "reminder_offsets_minutes"
    ] == [
        1440,
        120,
    ]
    response = admin.put(
        "/api/notification-settings",
        {"reminder_offsets_minutes": [60, 2880], "sms_reminders": False},
    )
    assert response.status_code == HTTPStatus.OK
    assert response.json()["reminder_offsets_minutes"] == [2880, 60]
    assert response.json()["sms_reminders"] is False


def test_invalid_offsets_are_refused(in_alpha, api):
    response = api(in_alpha, "admin").put(
        "/api/notification-settings", {"reminder_offsets_minutes": [1]}
    )
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert response.json()["error"]["code"] == "reminder_offsets_invalid"


def test_receptionist_cannot_change_settings(in_alpha, api):
    response = api(in_alpha, "receptionist").put(
        "/api/notification-settings", {"sms_reminders": False}
    )
    assert response.status_code == HTTPStatus.FORBIDDEN
