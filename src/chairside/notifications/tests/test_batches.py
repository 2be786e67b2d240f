"""Reminders sent in batches: one transaction and one email connection per
batch, each message failing alone, and what a lost commit means."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend as LocmemBackend

from chairside.core.actors import REMINDERS
from chairside.notifications import delivery, planning
from chairside.notifications.delivery import reminders_deliver
from chairside.notifications.models import Reminder, ReminderStatus
from chairside.notifications.planning import reminders_plan
from chairside.notifications.selectors import notification_settings_get
from chairside.notifications.tests.factories import make_appointment
from chairside.scheduling.models import AppointmentStatus

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)


class CountingBackend(LocmemBackend):
    """locmem, counting the connections opened and refusing one address."""

    opened = 0
    refuse = ""

    def open(self) -> bool:
        type(self).opened += 1
        return True

    def send_messages(self, messages) -> int:
        if any(self.refuse and self.refuse in m.to for m in messages):
            raise ConnectionResetError("mailbox unavailable")
        return super().send_messages(messages)


@pytest.fixture
def counting(settings):
    settings.EMAIL_BACKEND = (
        "chairside.notifications.tests.test_batches.CountingBackend"
    )
    CountingBackend.opened = 0
    CountingBackend.refuse = ""
    yield CountingBackend
    CountingBackend.refuse = ""


@pytest.fixture
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def book(count: int, **kwargs):
    return [
        make_appointment(starts_at=NOW + timedelta(hours=20, minutes=n * 5), **kwargs)
        for n in range(count)
    ]


def test_a_batch_sends_every_reminder_over_one_connection(in_alpha, clock, counting):
    appointments = book(6)
    ready = reminders_plan(actor=REMINDERS, now=NOW)
    handled = reminders_deliver(actor=REMINDERS, reminder_ids=ready, now=NOW)
    assert [r.status for r in handled] == ["sent"] * 6
    assert counting.opened == 1
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        a.patient.email for a in appointments
    )
    assert {r.attempts for r in Reminder.objects.all()} == {1}
    # Queued again (a second scan, a redelivered message): nothing to do.
    assert reminders_deliver(actor=REMINDERS, reminder_ids=ready, now=NOW) == []
    assert len(mail.outbox) == 6


def test_batch_query_count_does_not_grow_with_the_batch(
    in_alpha, clock, django_assert_num_queries
):
    book(12)
    notification_settings_get()
    ready = reminders_plan(actor=REMINDERS, now=NOW)
    # savepoint, lock reminders, settings, lock appointments, UPDATE, release
    with django_assert_num_queries(6):
        reminders_deliver(actor=REMINDERS, reminder_ids=ready[:2], now=NOW)
    with django_assert_num_queries(6):
        reminders_deliver(actor=REMINDERS, reminder_ids=ready[2:], now=NOW)
    assert Reminder.objects.filter(status="sent").count() == 12


def test_a_refused_message_fails_alone_and_is_retried_later(in_alpha, clock, counting):
    first, refused, last = book(3)
    counting.refuse = refused.patient.email
    handled = reminders_deliver(
        actor=REMINDERS, reminder_ids=reminders_plan(actor=REMINDERS, now=NOW), now=NOW
    )
    by_appointment = {r.appointment_id: r for r in handled}
    assert by_appointment[first.pk].status == ReminderStatus.SENT
    assert by_appointment[last.pk].status == ReminderStatus.SENT
    failed = by_appointment[refused.pk]
    assert (failed.status, failed.attempts) == (ReminderStatus.FAILED, 1)
    assert "mailbox unavailable" in failed.last_error
    assert failed.next_attempt_at == NOW + timedelta(minutes=1)
    assert len(mail.outbox) == 2
    # The connection was reopened after the failure for the next message.
    assert counting.opened == 2

    counting.refuse = ""
    later = NOW + timedelta(minutes=1)
    assert reminders_plan(actor=REMINDERS, now=later) == [failed.pk]
    [retried] = reminders_deliver(actor=REMINDERS, reminder_ids=[failed.pk], now=later)
    assert (retried.status, retried.attempts) == (ReminderStatus.SENT, 2)


def test_skips_and_sends_in_one_batch(in_alpha, clock):
    kept, cancelled, moved = book(3)
    ready = reminders_plan(actor=REMINDERS, now=NOW)
    cancelled.status = AppointmentStatus.CANCELLED
    cancelled.save(update_fields=["status"])
    moved.starts_at += timedelta(days=2)
    moved.save(update_fields=["starts_at"])
    handled = {
        r.appointment_id: r
        for r in reminders_deliver(actor=REMINDERS, reminder_ids=ready, now=NOW)
    }
    assert handled[kept.pk].status == "sent"
    assert (handled[cancelled.pk].status, handled[cancelled.pk].skip_reason) == (
        "skipped",
        "appointment cancelled",
    )
    assert handled[moved.pk].skip_reason == "appointment moved"
    assert [m.to for m in mail.outbox] == [[kept.patient.email]]


def test_email_and_sms_of_one_appointment_in_one_batch(in_alpha, clock, sms_outbox):
    book(1, phone="+12025550123")
    handled = reminders_deliver(
        actor=REMINDERS, reminder_ids=reminders_plan(actor=REMINDERS, now=NOW), now=NOW
    )
    assert sorted((r.channel, r.status) for r in handled) == [
        ("email", "sent"),
        ("sms", "sent"),
    ]
    assert len(mail.outbox) == len(sms_outbox) == 1


def test_a_lost_commit_sends_the_batch_again_with_the_same_message_ids(
    in_alpha, clock, monkeypatch
):
    """The choice documented in docs/notifications.md: at least once. If the
    provider accepted the messages but marking them sent never commits
    (worker killed, database gone), the rows are still pending and the next
    attempt sends them again, with the same Message-ID, rather than risk a
    patient never being reminded."""
    book(3)
    ready = reminders_plan(actor=REMINDERS, now=NOW)

    def commit_lost(*args, **kwargs):
        raise ConnectionError("server closed the connection unexpectedly")

    with monkeypatch.context() as patch:
        patch.setattr(delivery, "_save_outcomes", commit_lost)
        with pytest.raises(ConnectionError):
            reminders_deliver(actor=REMINDERS, reminder_ids=ready, now=NOW)
    assert len(mail.outbox) == 3
    assert {(r.status, r.attempts) for r in Reminder.objects.all()} == {("pending", 0)}

    assert len(reminders_deliver(actor=REMINDERS, reminder_ids=ready, now=NOW)) == 3
    first, second = mail.outbox[:3], mail.outbox[3:]
    assert sorted(m.extra_headers["Message-ID"] for m in first) == sorted(
        m.extra_headers["Message-ID"] for m in second
    )
    assert reminders_deliver(actor=REMINDERS, reminder_ids=ready, now=NOW) == []


def test_scan_queues_one_task_per_batch(in_alpha, clock, settings, monkeypatch):
    from chairside.notifications import tasks

    settings.REMINDER_BATCH_SIZE = 4
    book(10)
    queued = []
    monkeypatch.setattr(
        tasks.reminders_send,
        "apply_async",
        lambda args, **kwargs: queued.append(args[0]),
    )
    assert tasks.reminders_scan() == 10
    assert [len(ids) for ids in queued] == [4, 4, 2]
    assert sorted(i for ids in queued for i in ids) == sorted(
        planning.reminder_ids_ready(now=NOW)
    )


def test_a_reminder_that_cannot_be_rendered_fails_alone(in_alpha, clock, monkeypatch):
    """Raising out of the batch would roll back the rows of messages already
    sent, and send them again at every scan."""
    first, poison, last = book(3)
    render = delivery.appointment_reminder_content

    def fragile(*, appointment, **kwargs):
        if appointment.pk == poison.pk:
            raise ValueError("bad template data")
        return render(appointment=appointment, **kwargs)

    monkeypatch.setattr(delivery, "appointment_reminder_content", fragile)
    handled = {
        r.appointment_id: r
        for r in reminders_deliver(
            actor=REMINDERS,
            reminder_ids=reminders_plan(actor=REMINDERS, now=NOW),
            now=NOW,
        )
    }
    assert handled[first.pk].status == handled[last.pk].status == "sent"
    assert handled[poison.pk].status == "failed"
    assert "bad template data" in handled[poison.pk].last_error
    assert len(mail.outbox) == 2
    assert Reminder.objects.filter(status="sent").count() == 2


def test_provider_down_fails_the_batch_after_one_connection_attempt(
    in_alpha, clock, counting, monkeypatch
):
    book(4)

    def refuse_to_open(self):
        type(self).opened += 1
        raise ConnectionRefusedError("smtp down")

    monkeypatch.setattr(CountingBackend, "open", refuse_to_open)
    handled = reminders_deliver(
        actor=REMINDERS, reminder_ids=reminders_plan(actor=REMINDERS, now=NOW), now=NOW
    )
    assert [(r.status, r.attempts) for r in handled] == [("failed", 1)] * 4
    assert {r.last_error for r in handled} == {"ConnectionRefusedError: smtp down"}
    assert counting.opened == 1
    assert mail.outbox == []


def test_a_slow_batch_stops_at_its_time_budget_and_leaves_the_rest(
    in_alpha, clock, settings, monkeypatch
):
    settings.REMINDER_BATCH_SECONDS = 15
    ticks = iter(range(0, 1000, 10))  # every look at the clock: 10 s later
    monkeypatch.setattr(delivery.time, "monotonic", lambda: next(ticks))
    book(5)
    ready = reminders_plan(actor=REMINDERS, now=NOW)
    handled = reminders_deliver(actor=REMINDERS, reminder_ids=ready, now=NOW)
    assert [r.status for r in handled] == ["sent", "sent"]
    assert len(mail.outbox) == 2
    # The others are untouched, unlocked and ready for the next scan.
    sent = {r.pk for r in handled}
    assert sorted(reminders_plan(actor=REMINDERS, now=NOW)) == sorted(set(ready) - sent)
    assert Reminder.objects.filter(status="pending", attempts=0).count() == 3
