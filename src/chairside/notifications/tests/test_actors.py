"""Who may plan, send and retry reminders, change their settings and act on
a reminder's link: checked by the services themselves, so the API, the
pages, the tasks and the link views cannot differ."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from chairside.core.actors import COMMAND, REMINDER_LINK, REMINDERS
from chairside.core.errors import PermissionDenied
from chairside.notifications.delivery import reminder_retry, reminders_deliver
from chairside.notifications.erasure import erase_patient
from chairside.notifications.link_actions import (
    appointment_cancel_by_link,
    appointment_confirm_by_link,
)
from chairside.notifications.models import Reminder, ReminderStatus
from chairside.notifications.planning import reminders_plan
from chairside.notifications.preferences import notification_settings_update
from chairside.notifications.selectors import (
    notification_settings_for,
    notification_settings_get,
    reminder_list,
)
from chairside.notifications.tests.factories import make_appointment
from chairside.notifications.tests.test_link_actions import token_of
from chairside.scheduling.models import AppointmentStatus
from conftest import world_user

pytestmark = pytest.mark.django_db


def test_only_the_reminders_worker_plans_and_sends(in_alpha):
    make_appointment(starts_at=timezone.now() + timedelta(hours=23))
    for actor in (world_user(in_alpha, "admin"), REMINDER_LINK, COMMAND):
        with pytest.raises(PermissionDenied):
            reminders_plan(actor=actor)
        with pytest.raises(PermissionDenied):
            reminders_deliver(actor=actor, reminder_ids=[])
    assert not Reminder.objects.exists()
    assert reminders_plan(actor=REMINDERS)


@pytest.mark.parametrize("local", ["patient", "admin"])
def test_a_failed_reminder_is_retried_by_staff_only(in_alpha, local):
    make_appointment(starts_at=timezone.now() + timedelta(hours=23))
    [reminder_id] = reminders_plan(actor=REMINDERS)
    Reminder.objects.filter(pk=reminder_id).update(status=ReminderStatus.FAILED)
    actor = world_user(in_alpha, local)
    if local == "patient":
        with pytest.raises(PermissionDenied):
            reminder_retry(actor=actor, reminder_id=reminder_id)
        assert Reminder.objects.get(pk=reminder_id).next_attempt_at is None
    else:
        reminder = reminder_retry(actor=actor, reminder_id=reminder_id)
        assert reminder.next_attempt_at is not None


@pytest.mark.parametrize("local", ["dentist", "receptionist", "patient"])
def test_only_the_clinic_admin_changes_reminder_settings(in_alpha, local):
    before = notification_settings_get().sms_reminders
    with pytest.raises(PermissionDenied):
        notification_settings_update(
            actor=world_user(in_alpha, local), sms_reminders=not before
        )
    assert notification_settings_get().sms_reminders is before


def test_patients_read_neither_the_reminders_nor_their_settings(in_alpha):
    patient = world_user(in_alpha, "patient")
    with pytest.raises(PermissionDenied):
        reminder_list(user=patient)
    with pytest.raises(PermissionDenied):
        notification_settings_for(user=patient)
    receptionist = world_user(in_alpha, "receptionist")
    assert list(reminder_list(user=receptionist)) == []
    assert notification_settings_for(user=receptionist).pk == 1


def test_a_reminder_link_is_acted_on_by_the_link_handler_only(in_alpha):
    appointment = make_appointment(starts_at=timezone.now() + timedelta(days=3))
    token = token_of(in_alpha, appointment)
    for actor in (world_user(in_alpha, "patient"), REMINDERS):
        with pytest.raises(PermissionDenied):
            appointment_confirm_by_link(actor=actor, token=token)
        with pytest.raises(PermissionDenied):
            appointment_cancel_by_link(actor=actor, token=token)
    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.SCHEDULED
    done = appointment_confirm_by_link(actor=REMINDER_LINK, token=token)
    assert done.status == AppointmentStatus.CONFIRMED


def test_only_an_admin_erases_a_patients_reminder_addresses(in_alpha):
    appointment = make_appointment(starts_at=timezone.now() + timedelta(hours=23))
    reminders_plan(actor=REMINDERS)
    with pytest.raises(PermissionDenied):
        erase_patient(
            actor=world_user(in_alpha, "receptionist"),
            patient_id=appointment.patient_id,
        )
    assert Reminder.objects.exclude(recipient="").exists()
