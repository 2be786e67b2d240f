"""Reminder planning and sending in one process, with time frozen."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core import mail
from django.db import connection
from django_tenants.utils import tenant_context

from chairside.core.actors import REMINDERS
from chairside.notifications.delivery import reminder_deliver, reminder_retry
from chairside.notifications.models import Reminder, ReminderStatus
from chairside.notifications.planning import reminders_plan
from chairside.notifications.preferences import notification_settings_update
from chairside.notifications.selectors import notification_settings_get
from chairside.notifications.tests.factories import make_appointment
from chairside.scheduling.models import AppointmentStatus
from conftest import world_user

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)


class BrokenEmailBackend:
    """Refuses every message, like a provider that is down."""

    def __init__(self, *args, **kwargs) -> None:
        pass

    def send_messages(self, messages) -> int:
        raise ConnectionRefusedError("smtp down")

    def open(self) -> None:
        pass

    def close(self) -> None:
        pass


def plan_and_send(now: datetime) -> list[Reminder]:
    sent = []
    for reminder_id in reminders_plan(actor=REMINDERS, now=now):
        result = reminder_deliver(actor=REMINDERS, reminder_id=reminder_id, now=now)
        if result is not None:
            sent.append(result)
    return sent


@pytest.fixture
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def test_appointment_in_23_hours_gets_its_day_reminder_once(in_alpha, clock):
    appointment = make_appointment(starts_at=NOW + timedelta(hours=23))
    first = reminders_plan(actor=REMINDERS, now=NOW)
    second = reminders_plan(actor=REMINDERS, now=NOW)  # beat firing twice
    assert first == second
    assert len(first) == 1
    reminder = Reminder.objects.get()
    assert (reminder.appointment, reminder.offset_minutes) == (appointment, 1440)

    assert (
        reminder_deliver(actor=REMINDERS, reminder_id=reminder.pk, now=NOW).status
        == "sent"
    )
    assert (
        reminder_deliver(actor=REMINDERS, reminder_id=reminder.pk, now=NOW) is None
    )  # retry: no-op
    assert reminders_plan(actor=REMINDERS, now=NOW) == []
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [appointment.patient.email]


def test_nothing_is_due_before_the_first_offset(in_alpha, clock):
    make_appointment(starts_at=NOW + timedelta(hours=25))
    assert reminders_plan(actor=REMINDERS, now=NOW) == []
    assert not Reminder.objects.exists()


def test_day_and_two_hour_reminders_both_go_out_at_their_times(in_alpha, clock):
    starts = NOW + timedelta(hours=30)
    make_appointment(starts_at=starts)
    sent = []
    for hours_before in (30, 24, 20, 2, 1):
        clock.move_to(starts - timedelta(hours=hours_before))
        sent += plan_and_send(starts - timedelta(hours=hours_before))
    assert [(r.offset_minutes, r.status) for r in sent] == [
        (1440, "sent"),
        (120, "sent"),
    ]
    assert len(mail.outbox) == 2


def test_clinic_offsets_replace_the_defaults(in_alpha, clock):
    notification_settings_update(
        actor=world_user(in_alpha, "admin"), reminder_offsets_minutes=[60]
    )
    make_appointment(starts_at=NOW + timedelta(hours=23))
    soon = make_appointment(starts_at=NOW + timedelta(minutes=50))
    plan_and_send(NOW)
    assert [(r.appointment, r.offset_minutes) for r in Reminder.objects.all()] == [
        (soon, 60)
    ]


def test_dst_day_reminder_sent_at_the_same_clock_time_the_day_before(in_alpha):
    # Alpha is in New York. 10:00 on Sunday 8 March 2026, after spring forward:
    # the reminder is due at 10:00 on Saturday = 15:00 UTC (23 h before).
    starts = datetime(2026, 3, 8, 14, 0, tzinfo=UTC)
    make_appointment(starts_at=starts)
    with time_machine.travel(datetime(2026, 3, 7, 14, 59, tzinfo=UTC), tick=False):
        assert reminders_plan(actor=REMINDERS) == []
    with time_machine.travel(datetime(2026, 3, 7, 15, 0, tzinfo=UTC), tick=False):
        [reminder_id] = reminders_plan(actor=REMINDERS)
        assert (
            reminder_deliver(actor=REMINDERS, reminder_id=reminder_id).status == "sent"
        )
    assert "10:00" in mail.outbox[0].subject


def test_cancelled_appointment_is_never_reminded(in_alpha, clock):
    make_appointment(
        starts_at=NOW + timedelta(hours=23), status=AppointmentStatus.CANCELLED
    )
    assert reminders_plan(actor=REMINDERS, now=NOW) == []


def test_cancelled_after_planning_is_skipped_not_sent(in_alpha, clock):
    appointment = make_appointment(starts_at=NOW + timedelta(hours=23))
    [reminder_id] = reminders_plan(actor=REMINDERS, now=NOW)
    appointment.status = AppointmentStatus.CANCELLED
    appointment.save(update_fields=["status"])
    reminder = reminder_deliver(actor=REMINDERS, reminder_id=reminder_id, now=NOW)
    assert (reminder.status, reminder.skip_reason) == (
        "skipped",
        "appointment cancelled",
    )
    assert mail.outbox == []


def test_moved_appointment_is_reminded_for_the_new_time_only(in_alpha, clock):
    appointment = make_appointment(starts_at=NOW + timedelta(hours=23))
    [old_id] = reminders_plan(actor=REMINDERS, now=NOW)
    new_start = NOW + timedelta(days=3)
    appointment.starts_at = new_start
    appointment.save(update_fields=["starts_at"])

    assert (
        reminder_deliver(actor=REMINDERS, reminder_id=old_id, now=NOW).skip_reason
        == "appointment moved"
    )
    assert reminders_plan(actor=REMINDERS, now=NOW) == []
    later = new_start - timedelta(hours=24)
    clock.move_to(later)
    [sent] = plan_and_send(later)
    assert sent.appointment_starts_at == new_start
    assert len(mail.outbox) == 1
    day = "Thursday"  # 4 June 2026 in New York
    assert day in mail.outbox[0].subject


def test_late_day_reminder_is_dropped_once_the_two_hour_one_is_due(in_alpha, clock):
    starts = NOW + timedelta(hours=23)
    make_appointment(starts_at=starts)
    [day_id] = reminders_plan(actor=REMINDERS, now=NOW)  # claimed, but no worker ran it
    late = starts - timedelta(hours=1)
    reminder = reminder_deliver(actor=REMINDERS, reminder_id=day_id, now=late)
    assert reminder.skip_reason == "window passed"
    [two_hour] = plan_and_send(late)
    assert two_hour.offset_minutes == 120
    assert len(mail.outbox) == 1


def test_email_in_patient_language_and_clinic_time_with_signed_links(in_beta, clock):
    # Beta is in Madrid (UTC+2 in June).
    appointment = make_appointment(starts_at=NOW + timedelta(hours=23), language="es")
    plan_and_send(NOW)
    [message] = mail.outbox
    assert "13:00" in message.subject  # 11:00 UTC = 13:00 in Madrid
    assert "Recordatorio" in message.subject
    assert "martes" in message.subject.lower()  # Tuesday 2 June
    assert f"http://{in_beta.host}" in message.body
    assert "/appointments/confirm/" in message.body
    assert "/appointments/cancel/" in message.body
    assert message.extra_headers["Message-ID"].startswith(
        f"<reminder-{in_beta.schema_name}-"
    )
    assert appointment.patient.first_name in message.body


def test_sms_reminder_goes_to_patients_with_a_phone(in_alpha, clock, sms_outbox):
    make_appointment(starts_at=NOW + timedelta(hours=23), phone="+12025550123")
    sent = plan_and_send(NOW)
    assert sorted(r.channel for r in sent) == ["email", "sms"]
    [sms] = sms_outbox
    assert sms.to == "+12025550123"
    assert "/appointments/confirm/" in sms.body


def test_failed_send_is_retried_with_backoff_then_given_up(in_alpha, clock, settings):
    settings.EMAIL_BACKEND = (
        "chairside.notifications.tests.test_services.BrokenEmailBackend"
    )
    settings.REMINDER_MAX_ATTEMPTS = 3
    make_appointment(starts_at=NOW + timedelta(hours=23))
    [reminder_id] = reminders_plan(actor=REMINDERS, now=NOW)
    reminder = reminder_deliver(actor=REMINDERS, reminder_id=reminder_id, now=NOW)
    assert reminder.status == ReminderStatus.FAILED
    assert reminder.attempts == 1
    assert "smtp down" in reminder.last_error
    assert reminder.next_attempt_at == NOW + timedelta(minutes=1)
    # Not before its time.
    assert reminders_plan(actor=REMINDERS, now=NOW + timedelta(seconds=30)) == []
    assert reminder_deliver(actor=REMINDERS, reminder_id=reminder_id, now=NOW) is None

    then = NOW + timedelta(minutes=1)
    assert reminders_plan(actor=REMINDERS, now=then) == [reminder_id]
    reminder = reminder_deliver(actor=REMINDERS, reminder_id=reminder_id, now=then)
    assert reminder.next_attempt_at == then + timedelta(minutes=5)
    then += timedelta(minutes=5)
    reminder = reminder_deliver(actor=REMINDERS, reminder_id=reminder_id, now=then)
    assert (reminder.status, reminder.attempts, reminder.next_attempt_at) == (
        "failed",
        3,
        None,
    )
    assert reminders_plan(actor=REMINDERS, now=then + timedelta(days=1)) == []

    # Staff retry once the provider is back.
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    reminder_retry(
        actor=world_user(in_alpha, "receptionist"), reminder_id=reminder_id, now=then
    )
    assert (
        reminder_deliver(actor=REMINDERS, reminder_id=reminder_id, now=then).status
        == "sent"
    )
    assert len(mail.outbox) == 1


def test_each_clinic_plans_only_its_own_appointments(alpha, beta, clock):
    with tenant_context(alpha):
        alpha_appointment = make_appointment(starts_at=NOW + timedelta(hours=23))
    with tenant_context(beta):
        beta_appointment = make_appointment(starts_at=NOW + timedelta(hours=22))
    with tenant_context(alpha):
        plan_and_send(NOW)
        assert [r.appointment_id for r in Reminder.objects.all()] == [
            alpha_appointment.pk
        ]
        assert connection.schema_name == alpha.schema_name
    [message] = mail.outbox
    assert alpha.name in message.subject
    with tenant_context(beta):
        plan_and_send(NOW)
        assert [r.appointment_id for r in Reminder.objects.all()] == [
            beta_appointment.pk
        ]
    assert beta.name in mail.outbox[1].subject


def test_planning_query_count_does_not_grow_with_appointments(
    in_alpha, clock, django_assert_max_num_queries
):
    for hours in range(3, 23):
        make_appointment(starts_at=NOW + timedelta(hours=hours, minutes=7))
    notification_settings_get()  # the row exists in every clinic after day one
    with django_assert_max_num_queries(4):
        ready = reminders_plan(actor=REMINDERS, now=NOW)
    assert len(ready) == 20
