"""Reminder links act through scheduling: one cancellation-window rule shared
with the portal, and one audited path for changes nobody signed in made."""

from __future__ import annotations

from datetime import timedelta
from http import HTTPStatus

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from chairside.core.actors import REMINDER_LINK
from chairside.core.errors import Conflict
from chairside.notifications.errors import NotificationsErrorCode
from chairside.notifications.link_actions import appointment_cancel_by_link
from chairside.notifications.links import appointment_link, appointment_token
from chairside.notifications.tests.factories import make_appointment
from chairside.portal.policies import can_change_online
from chairside.scheduling.errors import SchedulingErrorCode
from chairside.scheduling.models import AppointmentEvent, AppointmentStatus
from chairside.scheduling.policies import before_cancellation_window
from chairside.scheduling.resources import scheduling_settings_update
from conftest import world_user

pytestmark = pytest.mark.django_db


def token_of(clinic, appointment) -> str:
    return appointment_token(
        schema=clinic.schema_name,
        appointment_id=appointment.pk,
        starts_at=appointment.starts_at,
    )


def last_event(appointment) -> AppointmentEvent:
    return (
        AppointmentEvent.objects.filter(pgh_obj_id=appointment.pk)
        .select_related("pgh_context")
        .latest("pgh_id")
    )


# --- one cancellation window ---------------------------------------------------


def test_window_rule_includes_its_boundary(in_alpha):
    appointment = make_appointment(starts_at=timezone.now() + timedelta(days=3))
    deadline = appointment.starts_at - timedelta(hours=24)
    assert before_cancellation_window(appointment, window_hours=24, now=deadline)
    assert not before_cancellation_window(
        appointment, window_hours=24, now=deadline + timedelta(seconds=1)
    )
    assert before_cancellation_window(
        appointment, window_hours=0, now=appointment.starts_at
    )


def test_portal_and_reminder_link_agree_on_the_window(in_alpha):
    scheduling_settings_update(
        actor=world_user(in_alpha, "admin"), changes={"cancellation_window_hours": 24}
    )
    on_time = make_appointment(starts_at=timezone.now() + timedelta(days=3))
    too_late = make_appointment(starts_at=timezone.now() + timedelta(days=3))
    for appointment, at, allowed in (
        (on_time, on_time.starts_at - timedelta(hours=24), True),
        (too_late, too_late.starts_at - timedelta(hours=24, seconds=-1), False),
    ):
        assert can_change_online(appointment, window_hours=24, now=at) is allowed
        with time_machine.travel(at, tick=False):
            token = token_of(in_alpha, appointment)
            if allowed:
                done = appointment_cancel_by_link(
                    actor=REMINDER_LINK, token=token, now=at
                )
                assert done.status == AppointmentStatus.CANCELLED
            else:
                with pytest.raises(Conflict) as refused:
                    appointment_cancel_by_link(actor=REMINDER_LINK, token=token, now=at)
                assert refused.value.code == SchedulingErrorCode.CANCELLATION_WINDOW


@pytest.mark.parametrize(
    "status", [AppointmentStatus.NO_SHOW, AppointmentStatus.COMPLETED]
)
def test_portal_refuses_statuses_the_link_refuses(in_alpha, status):
    appointment = make_appointment(
        starts_at=timezone.now() + timedelta(days=3), status=status
    )
    assert not can_change_online(appointment, window_hours=24)
    with pytest.raises(Conflict) as refused:
        appointment_cancel_by_link(
            actor=REMINDER_LINK, token=token_of(in_alpha, appointment)
        )
    assert refused.value.code == NotificationsErrorCode.APPOINTMENT_NOT_CHANGEABLE


# --- the system actor in scheduling.appointments ----------------------------


def test_link_cancel_is_audited_as_the_system_for_the_patient(in_alpha, api):
    appointment = make_appointment(starts_at=timezone.now() + timedelta(days=2))
    token = token_of(in_alpha, appointment)
    url = appointment_link(clinic_url="", action="cancel", token=token)
    response = Client().post(url, HTTP_HOST=in_alpha.host, REMOTE_ADDR="203.0.113.7")
    assert response.status_code == HTTPStatus.OK

    event = last_event(appointment)
    assert (event.status, event.cancellation_reason) == (
        "cancelled",
        "Cancelled by the patient from a reminder link",
    )
    context = event.pgh_context.metadata
    assert context["actor"] == "system"
    assert context["on_behalf"] == f"patient {appointment.patient_id} via reminder link"
    assert context["user"] is None
    assert (context["ip"], context["method"]) == ("203.0.113.7", "POST")
    # The page is recorded, not the token that opens it.
    assert context["url"] == "/appointments/cancel/[redacted]/"
    assert token not in str(context)

    [shown, _created] = (
        api(in_alpha, "admin")
        .get(f"/api/audit?model=scheduling.Appointment&object_id={appointment.pk}")
        .json()["items"]
    )
    assert shown["action"] == "update"
    assert shown["actor_id"] is None
    assert shown["path"] == "/appointments/cancel/[redacted]/"
    assert shown["changes"]["status"] == ["scheduled", "cancelled"]


def test_link_confirm_goes_through_scheduling_and_is_audited(in_alpha):
    appointment = make_appointment(starts_at=timezone.now() + timedelta(days=2))
    url = appointment_link(
        clinic_url="", action="confirm", token=token_of(in_alpha, appointment)
    )
    assert Client().post(url, HTTP_HOST=in_alpha.host).status_code == HTTPStatus.OK
    event = last_event(appointment)
    assert event.status == "confirmed"
    assert event.pgh_context.metadata["actor"] == "system"
    assert event.pgh_context.metadata["on_behalf"].endswith("via reminder link")
    # Clicking again changes nothing and records nothing.
    assert Client().post(url, HTTP_HOST=in_alpha.host).status_code == HTTPStatus.OK
    assert last_event(appointment).pk == event.pk
