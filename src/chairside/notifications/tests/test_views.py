"""The signed confirm/cancel links, through the clinic's pages."""

from __future__ import annotations

from datetime import timedelta
from http import HTTPStatus

import pytest
import time_machine
from django.test import Client
from django.utils import timezone
from django_tenants.utils import tenant_context

from chairside.notifications.links import appointment_link, appointment_token
from chairside.notifications.tests.factories import make_appointment
from chairside.scheduling.models import AppointmentStatus
from chairside.scheduling.resources import scheduling_settings_update
from conftest import world_user

pytestmark = pytest.mark.django_db


def link(clinic, appointment, action: str) -> str:
    token = appointment_token(
        schema=clinic.schema_name,
        appointment_id=appointment.pk,
        starts_at=appointment.starts_at,
    )
    return appointment_link(clinic_url="", action=action, token=token)


@pytest.fixture
def browser():
    return Client()


def test_get_only_shows_the_question_post_confirms(in_alpha, browser):
    appointment = make_appointment(starts_at=timezone.now() + timedelta(days=2))
    url = link(in_alpha, appointment, "confirm")
    page = browser.get(url, HTTP_HOST=in_alpha.host)
    assert page.status_code == HTTPStatus.OK
    assert b"Confirm my appointment" in page.content
    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.SCHEDULED

    done = browser.post(url, HTTP_HOST=in_alpha.host)
    assert done.status_code == HTTPStatus.OK
    assert b"confirmed" in done.content
    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.CONFIRMED
    # Clicking twice is fine.
    assert browser.post(url, HTTP_HOST=in_alpha.host).status_code == HTTPStatus.OK


def test_cancel_outside_the_window_cancels(in_alpha, browser):
    appointment = make_appointment(starts_at=timezone.now() + timedelta(days=2))
    response = browser.post(
        link(in_alpha, appointment, "cancel"), HTTP_HOST=in_alpha.host
    )
    assert response.status_code == HTTPStatus.OK
    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.CANCELLED


def test_cancel_inside_the_clinic_window_is_refused_clearly(in_alpha, browser):
    scheduling_settings_update(
        actor=world_user(in_alpha, "admin"), changes={"cancellation_window_hours": 48}
    )
    appointment = make_appointment(starts_at=timezone.now() + timedelta(hours=40))
    response = browser.post(
        link(in_alpha, appointment, "cancel"), HTTP_HOST=in_alpha.host
    )
    assert response.status_code == HTTPStatus.CONFLICT
    assert b"48 hours before they start" in response.content
    assert b"cancellation_window_passed" in response.content
    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.SCHEDULED


def test_a_shortened_clinic_window_lets_the_link_cancel_sooner(in_alpha, browser):
    """The window is the online booking settings' one: with 2 hours set, a
    visit 10 hours away can still be cancelled from its reminder."""
    scheduling_settings_update(
        actor=world_user(in_alpha, "admin"), changes={"cancellation_window_hours": 2}
    )
    appointment = make_appointment(starts_at=timezone.now() + timedelta(hours=10))
    response = browser.post(
        link(in_alpha, appointment, "cancel"), HTTP_HOST=in_alpha.host
    )
    assert response.status_code == HTTPStatus.OK
    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.CANCELLED


def test_refusal_is_in_the_patients_language(in_beta, browser):
    appointment = make_appointment(
        starts_at=timezone.now() + timedelta(hours=3), language="es"
    )
    page = browser.get(link(in_beta, appointment, "cancel"), HTTP_HOST=in_beta.host)
    assert b"Cancelar mi cita" in page.content


def test_link_of_a_moved_appointment_no_longer_works(in_alpha, browser):
    appointment = make_appointment(starts_at=timezone.now() + timedelta(days=2))
    url = link(in_alpha, appointment, "cancel")
    appointment.starts_at += timedelta(days=1)
    appointment.save(update_fields=["starts_at"])
    response = browser.post(url, HTTP_HOST=in_alpha.host)
    assert response.status_code == HTTPStatus.GONE
    assert b"reminder_link_outdated" in response.content
    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.SCHEDULED


def test_link_expires_when_the_appointment_is_over(in_alpha, browser):
    appointment = make_appointment(starts_at=timezone.now() + timedelta(days=2))
    url = link(in_alpha, appointment, "confirm")
    with time_machine.travel(appointment.ends_at + timedelta(minutes=1)):
        response = browser.get(url, HTTP_HOST=in_alpha.host)
    assert response.status_code == HTTPStatus.GONE
    assert b"reminder_link_expired" in response.content


def test_tampered_or_foreign_clinic_link_is_refused(in_alpha, beta, browser):
    appointment = make_appointment(starts_at=timezone.now() + timedelta(days=2))
    url = link(in_alpha, appointment, "cancel")
    tampered = url.replace("/cancel/", "/cancel/x")
    assert browser.post(tampered, HTTP_HOST=in_alpha.host).status_code == 400
    # Alpha's token on beta's host: another clinic, refused.
    response = browser.post(url, HTTP_HOST=beta.host)
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert b"reminder_link_invalid" in response.content
    with tenant_context(in_alpha):
        appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.SCHEDULED
